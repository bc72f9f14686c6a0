"""The credit-file export (信用档案) of published results: the documented columns, only published supervisory and
evaluative results (the staff list's selector and FilterSet with status=published), its permission and audit, and
the background job beyond the synchronous limit."""

import io
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from apps.common.models import AuditEvent, Job
from apps.sampling.choices import Verdict
from apps.sampling.publicity import exports, views
from tests.conftest import make_user

from .conftest import concluded

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[3] / "docs" / "sampling.md"


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _sheet(response):
    workbook = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return workbook["抽检公开结果"], workbook["导出说明"]


def test_the_export_has_the_documented_columns_and_only_published_results(city_staff, monitoring_plan, township_b):
    bad = concluded(conclusion=Verdict.UNQUALIFIED, published=True, name="韭菜", site_phone="13812345678")
    concluded(published=True, name="大米", township=township_b)
    concluded(name="未公开")
    forced = concluded(plan=monitoring_plan, published=True, name="监测")
    assert forced.published_at is not None  # forced in the database; still never exported as published
    response = _signed_in(city_staff).get(reverse("sampling:publication_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet, about = _sheet(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in exports.PUBLISHED_COLUMNS]
    names = {r[9] for r in rows[1:]}
    assert names == {"韭菜", "大米"}
    row = next(r for r in rows[1:] if r[9] == "韭菜")
    header = list(rows[0])
    assert row[header.index("统一社会信用代码")] == bad.site_uscc
    assert row[header.index("检验结论")] == "不合格"
    assert row[header.index("不合格项目（项目｜检验结果｜标准值｜判定依据）")].startswith(
        "铅（以Pb计）｜0.35 mg/kg｜≤0.2 mg/kg｜GB 2762-2022"
    )
    assert "13812345678" not in {str(v) for r in rows for v in r}
    info = dict(about.iter_rows(values_only=True))
    assert info["版式"] == exports.LAYOUT and info["导出行数"] == "2"
    event = AuditEvent.objects.get(action="sampling.published_export")
    assert event.extra["rows"] == 2 and event.extra["filters"]["status"] == "published"


def test_the_export_uses_the_list_filters(city_staff, township_a, township_b):
    concluded(published=True, name="甲", township=township_a)
    concluded(published=True, name="乙", township=township_b)
    response = _signed_in(city_staff).get(reverse("sampling:publication_export"), {"township": township_b.pk, "q": ""})
    sheet, _ = _sheet(response)
    assert [r[9] for r in list(sheet.iter_rows(values_only=True))[1:]] == ["乙"]
    bad = _signed_in(city_staff).get(reverse("sampling:publication_export"), {"conclusion": "nonsense"})
    assert bad.status_code == 302


def test_the_columns_are_documented_in_docs_sampling_md():
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("公开结果导出（信用档案）") :]
    for column in exports.PUBLISHED_COLUMNS:
        assert f"| {column.header} |" in section, column.header
    assert exports.LAYOUT in section


def test_the_export_needs_its_permission(staff_a, leader):
    assert _signed_in(staff_a).get(reverse("sampling:publication_export")).status_code == 403
    assert _signed_in(leader).get(reverse("sampling:publication_export")).status_code == 403


def test_a_large_export_runs_as_a_job_with_a_download(
    city_staff, monkeypatch, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(views.PublicationExportView, "sync_max_rows", 1)
    concluded(published=True, name="甲")
    concluded(published=True, name="乙")
    client = _signed_in(city_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("sampling:publication_export"))
    job = Job.objects.get(kind="sampling.published_export")
    assert response.status_code == 302 and str(job.pk) in response["Location"]
    job.refresh_from_db()
    assert job.status == "done" and job.result["rows"] == 2  # eager Celery ran it
    download = client.get(job.result["next_url"])
    assert download.status_code == 200
    sheet, _ = _sheet(download)
    assert len(list(sheet.iter_rows(values_only=True))) == 3
    assert re.search(r"sampling-published-.*\.xlsx", str(exports.export_file_path(job.pk)))
    other = _signed_in(make_user("city_staff_2", "city_staff"))
    assert other.get(job.result["next_url"]).status_code == 404  # a job's file is its creator's
