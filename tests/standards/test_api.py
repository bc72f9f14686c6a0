"""GET /api/v1/standards/ and /api/v1/standards/test-items/: city-wide reference data behind the view permission
(session) or the ``standards:read`` scope (API clients); read-only; filters strict; constant query counts."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.services import api_client_create
from apps.standards.models import Standard, TestItem
from tests.conftest import make_user
from tests.factories import sampling as factories
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

STANDARDS = "/api/v1/standards/"
ITEMS = "/api/v1/standards/test-items/"


@pytest.fixture
def lab(reference):
    return make_user("lab_1", "lab_staff")


def token_client(scopes, **kwargs):
    _, token = api_client_create(name=f"c-{'-'.join(scopes)}", scopes=scopes, city_wide=True, **kwargs)
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.parametrize("url", [STANDARDS, ITEMS, f"{STANDARDS}1/", f"{ITEMS}1/"])
def test_anonymous_gets_401_json(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 401 and set(response.json()) == {"code", "message", "fields"}


@pytest.mark.parametrize("url", [STANDARDS, ITEMS])
def test_without_the_view_permission_gets_403(api_client, user_without_perms, url):
    api_client.force_authenticate(user_without_perms)
    response = api_client.get(url)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("url", [STANDARDS, ITEMS])
def test_writes_are_refused(api_client, city_staff, url):
    api_client.force_authenticate(city_staff)
    assert api_client.post(url, {"code": "x"}, format="json").status_code in (403, 405)
    assert Standard.objects.filter(title="x").count() == 0


def test_standards_list_and_detail(api_client, lab):
    api_client.force_authenticate(lab)
    body = api_client.get(STANDARDS, {"page_size": 100}).json()
    assert body["count"] == Standard.objects.count() == len(body["results"])
    by_code = {row["code"]: row for row in body["results"]}
    old = by_code["GB 2762-2017"]
    assert old["status"] == "withdrawn" and old["status_label"] == "废止"
    assert old["superseded_by"]["code"] == "GB 2762-2022"
    assert [s["code"] for s in by_code["GB 2762-2022"]["supersedes"]] == ["GB 2762-2017"]
    assert by_code["GB 5009.12-2023"]["part"] == "12" and by_code["GB 5009.12-2023"]["effective_date"]
    detail = api_client.get(f"{STANDARDS}{old['id']}/")
    assert detail.status_code == 200 and detail.json()["code"] == "GB 2762-2017"
    missing = api_client.get(f"{STANDARDS}999999/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_standard_filters(api_client, lab):
    api_client.force_authenticate(lab)
    assert api_client.get(STANDARDS, {"q": "GB 2762"}).json()["count"] == 2
    assert api_client.get(STANDARDS, {"q": "GB 2762-2022"}).json()["count"] == 1
    assert api_client.get(STANDARDS, {"prefix": "GB/T"}).json()["count"] == 2
    assert api_client.get(STANDARDS, {"status": "withdrawn", "q": ""}).json()["count"] == 3
    bad = api_client.get(STANDARDS, {"status": "bogus"})
    assert bad.status_code == 400 and "status" in bad.json()["fields"]
    unknown = api_client.get(STANDARDS, {"year": "2022"})
    assert unknown.status_code == 400 and unknown.json()["fields"]["year"] == ["不支持的查询参数"]


def test_test_items_with_their_limits(api_client, lab):
    api_client.force_authenticate(lab)
    body = api_client.get(ITEMS, {"q": "pb-liquid-milk"}).json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["name"] == "铅（以Pb计）" and not item["is_microbiological"]
    assert [c["name"] for c in item["categories"]] == ["液体乳"]
    limits = item["limits"]
    assert [lim["judging_standard"]["code"] for lim in limits] == ["GB 2762-2022", "GB 2762-2017"]  # newest first
    assert limits[0]["max_limit"] == 0.02 and limits[1]["max_limit"] == 0.05  # numbers, not strings
    assert limits[0]["unit"] == "mg/kg" and limits[0]["judgement_type"] == "max"
    assert limits[0]["judgement_type_label"] == "≤ 限量" and limits[0]["limit_display"] == "≤ 0.02 mg/kg"
    assert limits[0]["method_standard"]["code"] == "GB 5009.12-2023" and limits[0]["detection_limit"] == 0.005
    assert limits[0]["micro_n"] is None
    micro = api_client.get(ITEMS, {"q": "tpc-pastry"}).json()["results"][0]["limits"][0]
    assert (micro["micro_n"], micro["micro_c"], micro["micro_m"], micro["micro_big_m"]) == (5, 2, 10000, 100000)
    detail = api_client.get(f"{ITEMS}{item['id']}/")
    assert detail.status_code == 200 and detail.json()["code"] == "pb-liquid-milk"
    assert api_client.get(f"{ITEMS}999999/").status_code == 404


def test_test_item_filters(api_client, lab):
    from apps.standards.models import SamplingCategory

    api_client.force_authenticate(lab)
    pakchoi = SamplingCategory.objects.get(name="普通白菜")
    codes = {row["code"] for row in api_client.get(ITEMS, {"category": pakchoi.pk, "page_size": 100}).json()["results"]}
    assert "chlorpyrifos-pakchoi" in codes and "pb-leafy-veg" in codes and "chlorpyrifos-celery" not in codes
    micro = api_client.get(ITEMS, {"kind": "micro", "page_size": 100}).json()
    assert micro["count"] == TestItem.objects.filter(is_microbiological=True).count()
    gb2760 = Standard.objects.get(number="2760", year=2024)
    assert api_client.get(ITEMS, {"judging_standard": gb2760.pk}).json()["count"] >= 10
    assert api_client.get(ITEMS, {"judgement_type": "range"}).json()["count"] == 1
    assert api_client.get(ITEMS, {"category": 999999}).json()["count"] == 0  # an id that does not exist: no rows
    for params, field in (({"category": "abc"}, "category"), ({"kind": "x"}, "kind"), ({"standard": "-1"}, "standard")):
        response = api_client.get(ITEMS, params)
        assert response.status_code == 400 and field in response.json()["fields"], params


def test_api_client_needs_the_standards_scope():
    denied = token_client(["jobs:read"]).get(STANDARDS)
    assert denied.status_code == 403 and denied.json()["code"] == "insufficient_scope"
    client = token_client(["standards:read"])
    assert client.get(STANDARDS).status_code == 200
    assert client.get(ITEMS).json()["count"] == TestItem.objects.count()


def _more(n):
    for _ in range(n):
        item = factories.TestItemFactory()
        item.categories.add(factories.SamplingCategoryFactory(level=1))
        factories.TestLimitFactory(test_item=item)
        standard = factories.StandardFactory(year=2021)
        factories.TestLimitFactory(test_item=item, judging_standard=standard, method_standard=standard)


@pytest.mark.parametrize("url", [STANDARDS, ITEMS])
def test_list_query_count_is_constant(api_client, lab, url):
    api_client.force_authenticate(lab)
    assert_constant_queries(fetch=lambda: api_client.get(url, {"page_size": 100}), add_rows=_more)


def test_openapi_declares_the_endpoints(api_client, lab):
    api_client.force_authenticate(lab)
    schema = api_client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/standards/" in schema["paths"] and "/api/v1/standards/test-items/{id}/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/standards/test-items/"]["get"]["parameters"]}
    assert {"category", "standard", "judging_standard", "method_standard", "judgement_type", "kind", "q"} <= parameters
