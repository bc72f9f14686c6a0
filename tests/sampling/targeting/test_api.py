"""GET /api/v1/sampling/suggestions/: the page's ranking with its reasons, limit bounds, Chinese 400s naming the
parameter, township scoping (the platform contract) and a constant query count."""

import datetime as dt

import pytest

from apps.sampling.targeting import selectors
from tests.helpers.scoped_api import TownshipScopedEndpointContract

from .conftest import make_enterprise, make_sample

pytestmark = pytest.mark.django_db
URL = "/api/v1/sampling/suggestions/"


@pytest.fixture(autouse=True)
def _catalogue(catalogue):
    return catalogue


class TestSuggestionEndpointContract(TownshipScopedEndpointContract):
    list_url = URL
    client_scope = "sampling:read"
    result_key = "key"
    lookup_attr = "key"

    def make(self, township):
        ent = make_enterprise(township)
        ent.key = f"{ent.pk}-{self._major}"
        return ent

    @pytest.fixture(autouse=True)
    def _major_id(self, catalogue):
        self._major = catalogue["catering"].pk

    def key_of(self, obj):
        return obj.key

    def list_all(self, api_client):
        response = api_client.get(self.list_url, {"limit": 500})
        assert response.status_code == 200, response.content
        body = response.json()
        return [row["key"] for row in body["results"]], body


def test_api_equals_the_page_ranking(api_client, client, city_staff, township_a, township_b, catalogue, today):
    for i in range(6):
        ent = make_enterprise(township_a if i % 2 else township_b)
        if i % 3 == 0:
            make_sample(ent, catalogue["catering"], today - dt.timedelta(days=20 * i + 1), "unqualified")
    api_client.force_authenticate(city_staff)
    body = api_client.get(URL, {"limit": 500}).json()
    client.force_login(city_staff)
    page = client.get("/sampling/suggestions/").context["page"]
    assert [(r["key"], r["total"]) for r in body["results"]] == [(s.key, s.total) for s in page]
    assert body["count"] == page.paginator.count == 6
    direct = selectors.suggestion_list(actor=city_staff, filters={})
    assert [r["key"] for r in body["results"]] == [s.key for s in direct]
    first = body["results"][0]
    assert first["rank"] == 1
    assert [r["code"] for r in first["reasons"]] == ["grade", "unqualified", "complaints", "staleness", "hazard"]
    reason = first["reasons"][1]
    assert set(reason) == {"code", "label", "raw", "detail", "score", "weight", "points"}
    assert first["total"] == pytest.approx(sum(r["score"] * r["weight"] for r in first["reasons"]), abs=0.02)
    assert body["weights"]["grade"] == 30 and body["weights"]["effective_from"] == "2019-10-01"  # the default row
    assert body["complaints_available"] is True  # incidents/complaints provides complaints.counts
    assert body["year"] == today.year and body["data_until"] == today.isoformat()


def test_township_and_year_filters_match_the_page(api_client, client, city_staff, township_a, township_b, today):
    make_enterprise(township_a), make_enterprise(township_b)
    api_client.force_authenticate(city_staff)
    client.force_login(city_staff)
    params = {"township": township_a.pk, "year": today.year + 1}
    body = api_client.get(URL, params).json()
    page = client.get("/sampling/suggestions/", params).context["page"]
    assert [r["key"] for r in body["results"]] == [s.key for s in page]
    assert {r["township_id"] for r in body["results"]} == {township_a.pk}
    assert body["year"] == today.year + 1


def test_limit_cuts_the_ranking_and_count_is_all(api_client, city_staff, township_a):
    for _ in range(4):
        make_enterprise(township_a)
    api_client.force_authenticate(city_staff)
    body = api_client.get(URL, {"limit": 2}).json()
    assert len(body["results"]) == 2 and body["count"] == 4 and body["limit"] == 2
    assert api_client.get(URL, {"limit": 500}).status_code == 200
    assert api_client.get(URL, {"limit": 1}).json()["results"][0]["rank"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"year": 1999}, "year"),
        ({"year": "二〇二六"}, "year"),
        ({"township": -1}, "township"),
        ({"category": "x"}, "category"),
        ({"page_size": 10}, "page_size"),
        ({"q": "abc"}, "q"),
    ],
)
def test_bad_parameters_are_chinese_400s_naming_them(api_client, city_staff, params, field):
    api_client.force_authenticate(city_staff)
    response = api_client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert field in body["fields"]
    assert body["message"] == "提交的数据有误"
    message = body["fields"][field][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_limit_bounds_in_the_message(api_client, city_staff):
    api_client.force_authenticate(city_staff)
    assert api_client.get(URL, {"limit": 501}).json()["fields"]["limit"] == ["须为 1–500 之间的整数"]


def test_repeated_parameter_is_refused(api_client, city_staff, township_a):
    api_client.force_authenticate(city_staff)
    response = api_client.get(f"{URL}?township={township_a.pk}&township={township_a.pk}")
    assert response.status_code == 400 and "township" in response.json()["fields"]
    response = api_client.get(f"{URL}?limit=5&limit=6")
    assert response.status_code == 400 and response.json()["fields"]["limit"] == ["只能指定一个值"]


def test_missing_township_or_category_is_an_empty_list(api_client, city_staff, township_a):
    make_enterprise(township_a)
    api_client.force_authenticate(city_staff)
    for params in ({"township": 999999}, {"category": 999999}):
        body = api_client.get(URL, params).json()
        assert body["results"] == [] and body["count"] == 0


def test_detail_of_one_suggestion(api_client, city_staff, staff_a, township_a, township_b, catalogue):
    mine, theirs = make_enterprise(township_a), make_enterprise(township_b)
    api_client.force_authenticate(staff_a)
    key = f"{mine.pk}-{catalogue['catering'].pk}"
    body = api_client.get(f"{URL}{key}/").json()
    assert body["key"] == key and body["rank"] is None and len(body["reasons"]) == 5
    assert api_client.get(f"{URL}{theirs.pk}-{catalogue['catering'].pk}/").status_code == 404
    assert api_client.get(f"{URL}{mine.pk}-{catalogue['pastry'].pk}/").status_code == 404  # not its 大类
    assert api_client.get(f"{URL}{mine.pk}-{catalogue['catering'].pk}/", {"year": 1}).status_code == 400
    for bad in ("1", "x", "0-0", f"{mine.pk}-", "9" * 30 + "-1"):
        assert api_client.get(f"{URL}{bad}/").status_code == 404, bad


def test_writes_are_not_allowed(api_client, city_staff):
    api_client.force_authenticate(city_staff)
    assert api_client.post(URL, {}, format="json").status_code == 405


def test_openapi_documents_the_bounds(api_client, city_staff):
    api_client.force_authenticate(city_staff)
    schema = api_client.get("/api/v1/schema/?format=json").json()
    op = schema["paths"]["/api/v1/sampling/suggestions/"]["get"]
    params = {p["name"]: p["schema"] for p in op["parameters"]}
    limit = next(s for s in params["limit"]["anyOf"] if s.get("type") == "integer")
    assert (limit["minimum"], limit["maximum"]) == (1, 500)
    year = next(s for s in params["year"]["anyOf"] if s.get("type") == "integer")
    assert (year["minimum"], year["maximum"]) == (2000, 2100)
    assert {"200", "400", "401", "403"} <= set(op["responses"])
