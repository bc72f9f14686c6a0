"""/api/v1/townships/: reference data for integrators (code, name, kind, population by year)."""

import itertools

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Township, TownshipPopulation
from apps.accounts.services import api_client_create
from tests.helpers.queries import assert_constant_queries

URL = "/api/v1/townships/"


@pytest.fixture
def as_staff_a(api_client, staff_a):
    api_client.force_authenticate(staff_a)
    return api_client


def test_list_is_the_twelve_townships_in_official_order(as_staff_a):
    body = as_staff_a.get(URL).json()
    assert body["count"] == 12
    expected = list(Township.objects.order_by("order").values_list("code", flat=True))
    assert [row["code"] for row in body["results"]] == expected
    first = body["results"][0]
    assert set(first) == {"code", "name", "kind", "kind_label", "order", "is_active", "populations"}
    assert first["kind_label"] in ("街道", "镇", "功能区")


def test_detail_by_code_with_population_by_year(as_staff_a, township_a):
    body = as_staff_a.get(f"{URL}xiashi/").json()
    assert body["code"] == "xiashi" and body["name"] == township_a.name
    years = [p["year"] for p in body["populations"]]
    assert years == sorted(years) and {2020, 2022} <= set(years)
    stored = TownshipPopulation.objects.get(township=township_a, year=2020)
    row = next(p for p in body["populations"] if p["year"] == 2020)
    assert row == {
        "year": 2020,
        "population": stored.population,
        "is_estimate": stored.is_estimate,
        "source": stored.source,
    }
    assert isinstance(row["population"], int)


def test_unknown_code_is_404(as_staff_a):
    response = as_staff_a.get(f"{URL}atlantis/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_filters(as_staff_a):
    towns = as_staff_a.get(URL, {"kind": "town"}).json()
    assert towns["count"] == Township.objects.filter(kind="town").count() > 0
    assert {row["kind"] for row in towns["results"]} == {"town"}
    Township.objects.filter(code="xucun").update(is_active=False)
    inactive = as_staff_a.get(URL, {"is_active": "false"}).json()
    assert [row["code"] for row in inactive["results"]] == ["xucun"]
    assert as_staff_a.get(URL, {"kind": "county"}).status_code == 400
    assert as_staff_a.get(URL, {"name": "硖石街道"}).status_code == 400  # not a filter: refused, not ignored


def test_read_only(as_staff_a):
    assert as_staff_a.post(URL, {"code": "new", "name": "新区", "kind": "zone"}, format="json").status_code == 405
    assert as_staff_a.patch(f"{URL}xiashi/", {"name": "改名"}, format="json").status_code == 405
    assert as_staff_a.delete(f"{URL}xiashi/").status_code == 405
    assert Township.objects.get(code="xiashi").name == "硖石街道"


@pytest.mark.parametrize(
    ("role", "status"),
    [("township_staff", 200), ("city_staff", 200), ("city_leader", 200), ("sys_admin", 200), ("inspector", 403)],
)
def test_who_may_read(api_client, user_factory, township_a, role, status):
    api_client.force_authenticate(user_factory(f"u_{role}", role, [township_a]))
    assert api_client.get(URL).status_code == status


def test_clients_need_reference_read(reference):
    _, with_scope = api_client_create(name="a", scopes=["reference:read"], township_codes=["xiashi"])
    _, without = api_client_create(name="b", scopes=["jobs:read"], city_wide=True)
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {with_scope}").get(URL).json()["count"] == 12
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {without}").get(URL).status_code == 403


def test_query_count_does_not_grow_with_townships(as_staff_a):
    Township.objects.exclude(code="xiashi").delete()
    counter = itertools.count()

    def add_rows(n):
        for _ in range(n):
            i = next(counter)
            town = Township.objects.create(code=f"t{i}", name=f"测试镇{i}", kind="town", order=100 + i)
            TownshipPopulation.objects.create(township=town, year=2020, population=1000)
            TownshipPopulation.objects.create(township=town, year=2022, population=1100)

    assert_constant_queries(fetch=lambda: as_staff_a.get(URL), add_rows=add_rows)
