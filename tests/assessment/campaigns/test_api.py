"""GET /api/v1/assessment/campaigns/: read-only, the eight campaigns with their targets and progress for ``?year=``,
scoped like the pages (a township role gets its township's figures), deny by default, bad input 400 in Chinese,
constant query count, in the OpenAPI schema."""

import pytest
from rest_framework.test import APIClient

from .conftest import UNREGISTERED, YEAR

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessment/campaigns/"


def _client(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def _target(body, campaign_code, target_code):
    campaign = next(c for c in body["results"] if c["code"] == campaign_code)
    return next(t for t in campaign["targets"] if t["code"] == target_code)


def test_list_with_targets_and_progress(campaigns, fake_measures, city_staff, township_a):
    r = _client(city_staff).get(URL, {"year": YEAR})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 8
    assert [c["year"] for c in body["results"]] == [YEAR] * 8
    sunshine = _target(body, "catering", "sunshine_kitchen_online")
    assert sunshine["target_value"] == "100.00" and sunshine["scope"] == "township"
    assert sunshine["progress"] == {
        "value": "83.33",
        "share": "83.3",
        "reached": False,
        "url": "/fake/enterprises.sunshine_kitchen_online/",
        "note": "",
    }
    a = next(t for t in sunshine["townships"] if t["township"] == township_a.pk)
    assert (a["value"], a["share"]) == ("75.00", "75.0")
    missing = _target(body, "dual_safety", "responsibility_list")
    assert missing["measure_code"] == UNREGISTERED and missing["registered"] is False
    assert missing["progress"]["value"] is None and "尚未登记" in missing["note"]
    grain = _target(body, "quality_grain", "work_plan")
    assert grain["manual"] is True and grain["progress"]["value"] is None


def test_detail(campaigns, fake_measures, leader):
    pk = campaigns["catering"].pk
    r = _client(leader).get(f"{URL}{pk}/")
    assert r.status_code == 200
    assert r.json()["name"] == "餐饮质量安全提升"
    assert _client(leader).get(f"{URL}999999/").status_code == 404


def test_township_role_gets_its_townships_figures(campaigns, fake_measures, staff_a, township_a):
    body = _client(staff_a).get(URL).json()
    sunshine = _target(body, "catering", "sunshine_kitchen_online")
    assert [t["township"] for t in sunshine["townships"]] == [township_a.pk]
    assert sunshine["progress"]["value"] == "75.00"
    centres = _target(body, "catering", "rural_banquet_centres")
    assert centres["progress"]["value"] == "40" and centres["progress"]["share"] is None


def test_deny_by_default(campaigns, user_without_perms, inspector_a):
    assert APIClient().get(URL).status_code in (401, 403)
    assert _client(user_without_perms).get(URL).status_code == 403
    assert _client(inspector_a).get(URL).status_code == 403
    assert _client(inspector_a).post(URL, {}).status_code in (403, 405, 415)  # a form body: 415 before anything


def test_read_only(campaigns, city_staff):
    c = _client(city_staff)
    pk = campaigns["catering"].pk
    assert c.post(URL, {"name": "x"}, format="json").status_code == 405
    assert c.patch(f"{URL}{pk}/", {"name": "x"}, format="json").status_code == 405
    assert c.delete(f"{URL}{pk}/").status_code == 405


@pytest.mark.parametrize("params", [{"year": "abc"}, {"year": "1999"}, {"nope": "1"}, {"year": ["2025", "2026"]}])
def test_bad_parameters_are_400_in_json(campaigns, city_staff, params):
    r = _client(city_staff).get(URL, params)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] and body["message"]


def test_query_count_is_constant(campaigns, fake_measures, city_staff, django_assert_max_num_queries):
    c = _client(city_staff)
    c.get(URL)
    with django_assert_max_num_queries(25):
        assert c.get(URL).status_code == 200


def test_api_client_needs_the_scope(campaigns, fake_measures, township_a):
    from apps.accounts.services import api_client_create

    _, wrong = api_client_create(name="campaigns-wrong", scopes=["jobs:read"], township_codes=[township_a.code])
    assert APIClient(HTTP_AUTHORIZATION=f"Bearer {wrong}").get(URL).status_code == 403
    _, token = api_client_create(
        name="campaigns-right", scopes=["assessment:campaigns:read"], township_codes=[township_a.code]
    )
    r = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}").get(URL)
    assert r.status_code == 200, r.content
    sunshine = _target(r.json(), "catering", "sunshine_kitchen_online")
    assert [t["township"] for t in sunshine["townships"]] == [township_a.pk]  # scoped like its service user


def test_in_the_schema(campaigns, city_staff):
    from django.test import Client

    c = Client()
    c.force_login(city_staff)
    r = c.get("/api/v1/schema/", {"format": "json"})
    assert r.status_code == 200
    text = r.content.decode()
    assert "/api/v1/assessment/campaigns/" in text
    assert "TargetProgress" in text
