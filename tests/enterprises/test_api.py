"""/api/v1/enterprises/: the generic scoped contract, writes with ETag/If-Match, mass assignment, change feed."""

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from apps.accounts.services import api_client_create
from apps.common.models import AuditEvent
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.identifiers import make_licence_number, make_uscc
from apps.enterprises.models import Enterprise
from tests.factories import EnterpriseFactory, LicenceFactory
from tests.helpers.queries import assert_constant_queries
from tests.helpers.scoped_api import TownshipScopedEndpointContract

URL = "/api/v1/enterprises/"


class TestEnterpriseAPIContract(TownshipScopedEndpointContract):
    list_url = URL
    client_scope = "enterprises:read"

    def make(self, township):
        ent = EnterpriseFactory(township=township)
        LicenceFactory(enterprise=ent)
        return ent


def detail(ent):
    return f"{URL}{ent.pk}/"


def create_body(**extra):
    return {
        "name": "海宁市硖石张记面馆",
        "uscc": "91330481123456788A",
        "township": "xiashi",
        "business_type": "catering",
        "food_categories": ["C01", "C02"],
        "contact_phone": "13812345678",
        "licences": [{"kind": "JY", "number": make_licence_number("JY", "2330481000123"), "expires_on": "2029-01-01"}],
        **extra,
    }


@pytest.fixture
def as_staff_a(api_client, staff_a):
    api_client.force_authenticate(staff_a)
    return api_client


def bearer(token):
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")


# ------------------------------------------------------------------------------------------------ create
def test_create_returns_201_with_etag_and_location(as_staff_a):
    response = as_staff_a.post(URL, create_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["township"] == "xiashi" and body["status"] == "operating" and body["version"] == 1
    assert body["food_categories"] == ["C01", "C02"]
    assert [lic["number"] for lic in body["licences"]] == [make_licence_number("JY", "2330481000123")]
    assert response["ETag"] == f'"{body["id"]}-1"'
    assert response["Location"].endswith(f"/api/v1/enterprises/{body['id']}/")


def test_create_in_other_township_is_400_and_creates_nothing(as_staff_a):
    response = as_staff_a.post(URL, create_body(township="xucun"), format="json")
    assert response.status_code == 400
    assert "township" in response.json()["fields"]
    assert not Enterprise.objects.exists()


def test_create_with_bad_check_character_needs_override_reason(as_staff_a):
    bad = create_body(uscc="91330481123456788B")
    response = as_staff_a.post(URL, bad, format="json")
    assert response.status_code == 400
    assert "例外说明" in response.json()["fields"]["uscc"][0]
    response = as_staff_a.post(URL, {**bad, "uscc_override_reason": "证照原件如此"}, format="json")
    assert response.status_code == 201
    assert "第 18 位" in response.json()["uscc_warning"]


def test_mass_assignment_protected_fields_are_refused(as_staff_a, staff_a, township_a):
    """SECURITY.md API-01: every protected field with attacker values → 400, nothing written."""
    attack = {
        "id": 999,
        "status": "cancelled",
        "version": 77,
        "created_by": 1,
        "updated_by": 1,
        "created_at": "2000-01-01T00:00:00Z",
        "deactivated_at": "2000-01-01T00:00:00Z",
        "uscc_warning": "x",
        "is_superuser": True,
    }
    response = as_staff_a.post(URL, create_body(**attack), format="json")
    assert response.status_code == 400
    assert set(attack) <= set(response.json()["fields"])
    assert not Enterprise.objects.exists()

    ent = EnterpriseFactory(township=township_a)
    for method in ("put", "patch"):
        response = getattr(as_staff_a, method)(
            detail(ent), {"name": "x", "business_type": "catering", "township": "xucun", **attack}, format="json"
        )
        assert response.status_code == 400
        assert "只能在新建时设定" in response.json()["fields"]["township"][0]
    ent.refresh_from_db()
    assert (ent.version, ent.status, ent.name) == (1, "operating", ent.name)


# ------------------------------------------------------------------------------------------------ update + ETag
def test_patch_with_if_match_then_stale_if_match_is_412(as_staff_a, township_a):
    ent = EnterpriseFactory(township=township_a)
    etag = as_staff_a.get(detail(ent))["ETag"]
    ok = as_staff_a.patch(detail(ent), {"name": "新名称"}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok.json()["name"] == "新名称"
    assert ok["ETag"] != etag and ok["ETag"] == f'"{ent.pk}-2"'
    stale = as_staff_a.patch(detail(ent), {"name": "旧版本上的修改"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    ent.refresh_from_db()
    assert ent.name == "新名称" and ent.version == 2


def test_session_may_omit_if_match(as_staff_a, township_a):
    ent = EnterpriseFactory(township=township_a)
    response = as_staff_a.put(detail(ent), {"name": "整体修改", "business_type": "food_sales"}, format="json")
    assert response.status_code == 200
    assert response.json()["business_type"] == "food_sales"


def test_api_client_must_send_if_match(township_a):
    ent = EnterpriseFactory(township=township_a)
    _, token = api_client_create(name="省平台", scopes=["enterprises:write"], township_codes=["xiashi"])
    client = bearer(token)
    missing = client.patch(detail(ent), {"name": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert missing.status_code == 428
    assert missing.json()["code"] == "precondition_required"
    ok = client.patch(detail(ent), {"name": "x"}, format="json", HTTP_IF_MATCH=ent.etag, HTTP_IDEMPOTENCY_KEY="k2")
    assert ok.status_code == 200


def test_read_scope_cannot_write(township_a):
    ent = EnterpriseFactory(township=township_a)
    _, token = api_client_create(name="只读平台", scopes=["enterprises:read"], township_codes=["xiashi"])
    response = bearer(token).patch(detail(ent), {"name": "x"}, format="json", HTTP_IF_MATCH=ent.etag)
    assert response.status_code == 403


def test_cross_township_writes_are_404_and_change_nothing(as_staff_a, township_b):
    theirs = EnterpriseFactory(township=township_b)
    before = Enterprise.objects.filter(pk=theirs.pk).values().get()
    assert as_staff_a.patch(detail(theirs), {"name": "x"}, format="json").status_code == 404
    assert as_staff_a.put(detail(theirs), {"name": "x", "business_type": "catering"}, format="json").status_code == 404
    assert (
        as_staff_a.post(
            f"{detail(theirs)}deactivate/", {"status": "cancelled", "reason": "x"}, format="json"
        ).status_code
        == 404
    )
    assert Enterprise.objects.filter(pk=theirs.pk).values().get() == before


@pytest.mark.parametrize("role", ["leader", "inspector_a"])
def test_read_only_roles_cannot_write(api_client, role, request, township_a):
    ent = EnterpriseFactory(township=township_a)
    api_client.force_authenticate(request.getfixturevalue(role))
    assert api_client.get(detail(ent)).status_code == 200
    assert api_client.post(URL, create_body(), format="json").status_code == 403
    assert api_client.patch(detail(ent), {"name": "x"}, format="json").status_code == 403
    assert (
        api_client.post(f"{detail(ent)}deactivate/", {"status": "cancelled", "reason": "x"}, format="json").status_code
        == 403
    )


def test_deactivate_and_reactivate_actions(as_staff_a, township_a):
    ent = EnterpriseFactory(township=township_a)
    response = as_staff_a.post(
        f"{detail(ent)}deactivate/", {"status": "suspended", "reason": "装修"}, format="json", HTTP_IF_MATCH=ent.etag
    )
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    response = as_staff_a.post(f"{detail(ent)}reactivate/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "operating"
    again = as_staff_a.post(f"{detail(ent)}reactivate/", {}, format="json")
    assert again.status_code == 409


# ------------------------------------------------------------------------------------------------ filters
def test_filters_mirror_the_page(as_staff_a, township_a):
    school = EnterpriseFactory(township=township_a, business_type_id=_bt("school_canteen"), sunshine_kitchen=True)
    shop = EnterpriseFactory(township=township_a, business_type_id=_bt("food_sales"), name="海宁市硖石便民超市")
    soon = EnterpriseFactory(township=township_a)
    LicenceFactory(enterprise=soon, expires_on=dt.date.today() + dt.timedelta(days=10))

    def ids(**params):
        response = as_staff_a.get(URL, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(business_type__code="canteen") == {school.pk}  # the parent includes 学校食堂
    assert ids(sunshine_kitchen="true") == {school.pk}
    assert ids(q="便民") == {shop.pk}
    assert ids(q=shop.uscc[-8:].lower()) == {shop.pk}
    assert ids(licence_expires_within=30) == {soon.pk}
    assert ids(township__code="xucun") == set()  # another township filters to nothing
    assert as_staff_a.get(URL, {"no_such_filter": "1"}).status_code == 400
    assert as_staff_a.get(URL, {"licence_expires_within": "-3"}).status_code == 400


def _bt(code):
    from apps.enterprises.models import BusinessType

    return BusinessType.objects.get(code=code).pk


def test_phone_is_masked_without_the_permission(api_client, staff_a, leader, township_a):
    ent = EnterpriseFactory(township=township_a, contact_phone="13812345678")
    api_client.force_authenticate(staff_a)
    assert api_client.get(detail(ent)).json()["contact_phone"] == "13812345678"
    api_client.force_authenticate(leader)
    assert api_client.get(detail(ent)).json()["contact_phone"] == "138****5678"


# ------------------------------------------------------------------------------------------------ change feed
def _feed(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.json()
    return response.json()


def test_feed_pages_are_stable_with_equal_updated_at(as_staff_a, township_a):
    with time_machine.travel(dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC), tick=False):
        same_time = [EnterpriseFactory(township=township_a) for _ in range(5)]
    with time_machine.travel(dt.datetime(2025, 3, 2, 8, 0, tzinfo=dt.UTC), tick=False):
        later = [EnterpriseFactory(township=township_a) for _ in range(2)]
    seen, cursor, pages = [], None, 0
    params = {"updated_since": "2025-03-01T00:00:00+08:00", "page_size": 2}
    while True:
        body = _feed(as_staff_a, **({"cursor": cursor, "page_size": 2} if cursor else params))
        seen += [row["id"] for row in body["results"]]
        cursor, pages = body["next_cursor"], pages + 1
        if not body["has_more"]:
            break
    assert seen == sorted(e.pk for e in same_time) + sorted(e.pk for e in later)
    assert pages == 4
    # polling later with the last cursor yields only what changed since
    assert _feed(as_staff_a, cursor=cursor)["results"] == []
    ent = same_time[0]
    ent.name = "改名"
    ent.save()
    body = _feed(as_staff_a, cursor=cursor)
    assert [row["id"] for row in body["results"]] == [ent.pk]


def test_feed_yields_deactivations(as_staff_a, township_a):
    ent = EnterpriseFactory(township=township_a)
    cursor = _feed(as_staff_a, updated_since="2000-01-01")["next_cursor"]
    as_staff_a.post(f"{detail(ent)}deactivate/", {"status": "cancelled", "reason": "注销"}, format="json")
    body = _feed(as_staff_a, cursor=cursor)
    assert [(row["id"], row["status"]) for row in body["results"]] == [(ent.pk, EnterpriseStatus.CANCELLED)]


def test_feed_is_scoped_and_validates_its_parameters(as_staff_a, township_a, township_b):
    mine, theirs = EnterpriseFactory(township=township_a), EnterpriseFactory(township=township_b)
    ids = [row["id"] for row in _feed(as_staff_a, updated_since="2000-01-01")["results"]]
    assert mine.pk in ids and theirs.pk not in ids
    assert as_staff_a.get(URL, {"cursor": "forged"}).status_code == 400
    assert as_staff_a.get(URL, {"updated_since": "yesterday"}).status_code == 400
    assert as_staff_a.get(URL, {"updated_since": "2000-01-01", "ordering": "name"}).status_code == 400


def test_feed_query_count_is_constant(as_staff_a, township_a):
    def add(n):
        for _ in range(n):
            LicenceFactory(enterprise=EnterpriseFactory(township=township_a))

    assert_constant_queries(fetch=lambda: _feed(as_staff_a, updated_since="2000-01-01"), add_rows=add)


def test_list_query_count_is_constant_and_small(as_staff_a, township_a):
    def add(n):
        for _ in range(n):
            LicenceFactory(enterprise=EnterpriseFactory(township=township_a))

    count = assert_constant_queries(fetch=lambda: as_staff_a.get(URL), add_rows=add)
    assert count <= 8


def test_idempotent_create_for_api_clients(township_a):
    _, token = api_client_create(name="省平台", scopes=["enterprises:write"], township_codes=["xiashi"])
    client = bearer(token)
    assert client.post(URL, create_body(), format="json").status_code == 400  # Idempotency-Key required
    first = client.post(URL, create_body(), format="json", HTTP_IDEMPOTENCY_KEY="abc")
    again = client.post(URL, create_body(), format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Enterprise.objects.count() == 1
    assert AuditEvent.objects.filter(action="enterprise.create").count() == 1


def test_uscc_of_factory_is_valid():
    assert make_uscc("92330481", "70000001") == "9233048170000001XA"


@pytest.mark.parametrize("query", ["updated_since=", "cursor=", "updated_since=&cursor="])
def test_feed_with_empty_since_and_cursor_is_a_400_not_a_500(api_client, city_staff, query):
    api_client.force_authenticate(city_staff)
    response = api_client.get(f"/api/v1/enterprises/?{query}")
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "fields"}
