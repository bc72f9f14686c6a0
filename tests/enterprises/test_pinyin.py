"""Pinyin initials of business names (issue 8 point 11): kept by the registry on every write path, and the flying
inspection's search-as-you-type finds a business by them."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from apps.enterprises import imports, services
from apps.enterprises.models import Enterprise
from apps.enterprises.pinyin import name_initials
from tests.enterprises.test_api import create_body
from tests.fixtures_xlsx.builders import valid_rows, workbook


@pytest.mark.parametrize(
    "name, initials",
    [
        ("海宁市硖石顾记大排档", "hnsxsgjdpd"),
        ("长安银行食堂", "cayhst"),  # heteronyms read as in business names
        ("曾记重庆火锅（大厦店）A1", "zjcqhgdsda1"),
        ("", ""),
    ],
)
def test_name_initials(name, initials):
    assert name_initials(name) == initials


def test_the_table_is_read_without_the_pypinyin_package():
    """The package's __init__ loads its phrase dictionary (~45 MB in every process that writes the registry)."""
    code = (
        "import sys; from apps.enterprises.pinyin import name_initials; "
        "assert name_initials('海宁') == 'hn'; assert 'pypinyin' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_every_write_path_keeps_the_initials(staff_a, township_a, api_client):
    ent = services.enterprise_create(
        actor=staff_a,
        data={
            "name": "顾记面馆",
            "uscc": "91330481123456788A",
            "township": township_a.code,
            "business_type": "catering",
        },
    )
    assert ent.name_initials == "gjmg"
    ent = services.enterprise_update(actor=staff_a, enterprise_id=ent.pk, data={"name": "顾记大排档"})
    assert Enterprise.objects.get(pk=ent.pk).name_initials == "gjdpd"
    api_client.force_authenticate(staff_a)
    body = create_body(name="乡味小吃", uscc="91330481MA2B00019U")
    assert api_client.post("/api/v1/enterprises/", body, format="json").status_code == 201
    assert Enterprise.objects.get(uscc="91330481MA2B00019U").name_initials == "xwxc"
    rows = valid_rows(2, townships=["硖石街道"])
    imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
    for row in rows:
        ent = Enterprise.objects.get(name=row["名称"])
        assert ent.name_initials == name_initials(ent.name) != ""


def test_flying_inspection_search_finds_a_business_by_its_initials(city_staff, township_a):
    services.enterprise_create(
        actor=city_staff,
        data={"name": "海宁市硖石顾记大排档", "uscc": "91330481123456788A", "township": township_a.code,
              "business_type": "catering"},
    )  # fmt: skip
    client = Client()
    client.force_login(city_staff)
    html = client.get(reverse("inspections:flying_enterprises"), {"q": "GJDPD"}).content.decode()
    assert "顾记大排档" in html and html.count('name="enterprise_pick"') == 1
