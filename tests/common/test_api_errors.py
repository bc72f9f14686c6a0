"""Errors under /api/ are always JSON {"code", "message" (Chinese), "fields"}; bad input is a 4xx, never a 500."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apps.common.api.views import JobViewSet
from apps.common.models import Job
from tests.helpers.scoped_api import api_routes

JOBS = "/api/v1/jobs/"
CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert CJK.search(body["message"]), f"message not in Chinese: {body['message']!r}"
    assert isinstance(body["fields"], dict)
    text = response.content.decode()
    assert "Traceback" not in text and 'File "' not in text
    if code:
        assert body["code"] == code, body
    return body


@pytest.fixture
def staff_client(api_client, staff_a):
    api_client.force_authenticate(staff_a)
    return api_client


def test_unknown_api_v1_path_is_json_404(staff_client):
    assert_error(staff_client.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(staff_client.post("/api/v1/no/such/thing", {}, format="json"), 404, "not_found")


def test_missing_trailing_slash_says_so(staff_client):
    body = assert_error(staff_client.get("/api/v1/jobs"), 404, "not_found")
    assert "/ 结尾" in body["message"]


def test_unknown_api_v1_path_is_401_for_anonymous(api_client, db):
    assert_error(api_client.get("/api/v1/no-such-thing/"), 401, "not_authenticated")


def test_api_root_is_not_an_index(api_client, staff_a):
    assert_error(api_client.get("/api/v1/"), 401, "not_authenticated")
    api_client.force_authenticate(staff_a)
    assert_error(api_client.get("/api/v1/"), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/", "/api/v2/jobs/", "/api/jobs/"])
def test_paths_outside_v1_are_json_404(api_client, path, reference):
    assert_error(api_client.get(path), 404)


def test_method_not_allowed_is_json_405(staff_client):
    body = assert_error(staff_client.delete(JOBS), 405, "method_not_allowed")
    assert "DELETE" in body["message"]
    assert_error(staff_client.put(JOBS, {}, format="json"), 405, "method_not_allowed")


def test_wrong_content_type_is_json_415(staff_client):
    body = assert_error(
        staff_client.post(JOBS, "kind=common.selftest", content_type="application/x-www-form-urlencoded"),
        415,
        "unsupported_media_type",
    )
    assert "application/x-www-form-urlencoded" in body["message"]
    assert_error(staff_client.post(JOBS, "<job/>", content_type="text/xml"), 415, "unsupported_media_type")


@pytest.mark.parametrize("raw", ['{"kind": ', "not json", "[1, 2", '{"kind": "a"}}', "\xff\xfe"])
def test_malformed_json_is_json_400(staff_client, raw):
    assert_error(staff_client.post(JOBS, raw, content_type="application/json"), 400, "parse_error")


def test_json_that_is_not_an_object_is_400(staff_client):
    assert_error(staff_client.post(JOBS, "[1, 2]", content_type="application/json"), 400, "invalid")
    assert_error(staff_client.post(JOBS, "null", content_type="application/json"), 400, "invalid")


def test_unknown_body_field_is_400(staff_client):
    body = assert_error(
        staff_client.post(JOBS, {"kind": "common.selftest", "created_by": 1}, format="json"), 400, "invalid"
    )
    assert body["fields"] == {"created_by": ["不支持的字段"]}


@pytest.mark.parametrize("value", ["abc", "0", "-5", "1.5", " "])
def test_bad_page_size_is_400(staff_client, value):
    body = assert_error(staff_client.get(JOBS, {"page_size": value}), 400, "invalid")
    assert "page_size" in body["fields"]


@pytest.mark.parametrize("value", ["abc", "0", "-1", "last"])
def test_bad_page_is_400(staff_client, value):
    body = assert_error(staff_client.get(JOBS, {"page": value}), 400, "invalid")
    assert "page" in body["fields"]


def test_page_past_the_end_is_404(staff_client):
    body = assert_error(staff_client.get(JOBS, {"page": 99}), 404, "page_not_found")
    assert "共 1 页" in body["message"]


def test_huge_page_size_is_capped_at_100(staff_client, staff_a):
    Job.objects.bulk_create([Job(kind="x", created_by=staff_a) for _ in range(105)])
    response = staff_client.get(JOBS, {"page_size": 1_000_000})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 105
    assert len(body["results"]) == 100
    assert "page_size=1000000" in body["next"] and "page=2" in body["next"]
    assert len(staff_client.get(body["next"]).json()["results"]) == 5


def test_unknown_query_parameter_is_400(staff_client):
    body = assert_error(staff_client.get(JOBS, {"township": "xucun", "status": "done"}), 400, "invalid")
    assert body["fields"] == {"township": ["不支持的查询参数"]}


def test_unknown_query_parameter_on_detail_is_400(staff_client, staff_a):
    job = Job.objects.create(kind="x", created_by=staff_a)
    assert_error(staff_client.get(f"{JOBS}{job.pk}/", {"fields": "payload"}), 400, "invalid")


def test_invalid_filter_value_is_400(staff_client):
    body = assert_error(staff_client.get(JOBS, {"status": "exploded"}), 400, "invalid")
    assert "status" in body["fields"]


def test_malformed_id_is_404_not_500(staff_client):
    assert_error(staff_client.get(f"{JOBS}not-a-uuid/"), 404, "not_found")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer a b", "Bearer hn_doesnotexist", "Bearer \u4ee4\u724c", "bearer hn_" + "x" * 5000],
)
def test_bad_token_is_json_401(api_client, header, reference):
    response = api_client.get(JOBS, HTTP_AUTHORIZATION=header)
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Bearer"


def test_anonymous_is_json_401_with_challenge(api_client, reference):
    response = api_client.get(JOBS)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_missing_permission_is_json_403(api_client, user_without_perms):
    api_client.force_authenticate(user_without_perms)
    assert_error(api_client.get(JOBS), 403, "permission_denied")


def test_unhandled_exception_is_json_500_without_traceback(staff_client, monkeypatch, caplog):
    def boom(*, actor):
        raise RuntimeError("secret internal detail /etc/passwd")

    monkeypatch.setattr(JobViewSet, "selector", staticmethod(boom))
    response = staff_client.get(JOBS, HTTP_X_REQUEST_ID="req42")
    body = assert_error(response, 500, "server_error")
    assert "req42" in body["message"]
    assert "secret internal detail" not in response.content.decode()
    assert "secret internal detail" in caplog.text  # logged for the operators, not shown to the caller


def test_failed_request_rolls_back_its_writes(staff_client, staff_a, monkeypatch):
    """ATOMIC_REQUESTS: a view that wrote and then failed leaves nothing behind, whichever error it was."""

    def write_then_fail(*, actor):
        Job.objects.create(kind="half-done", created_by=actor)
        raise RuntimeError("boom")

    monkeypatch.setattr(JobViewSet, "selector", staticmethod(write_then_fail))
    assert staff_client.get(JOBS).status_code == 500
    assert not Job.objects.filter(kind="half-done").exists()


# ---------------------------------------------------------------- fuzz: bad input is a 4xx, never a 500
LIST_ROUTES = sorted(
    route.sample_path()
    for route in api_routes("api/v1/")
    if not route.params and route.name not in ("api-schema", "api-docs") and (route.name or "").endswith("-list")
)
PARAM_NAMES = st.sampled_from(
    ["page", "page_size", "status", "kind", "updated_since", "cursor", "ordering", "format", "township", "q", "id"]
)
PARAM_VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["", "0", "-1", "1e9", "null", "[]", "{}", "2026-02-30", "2026-01-01T00:00:00+08:00", "../"]),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(LIST_ROUTES), params=st.dictionaries(PARAM_NAMES, PARAM_VALUES, max_size=4))
def test_fuzzed_query_strings_never_500(city_staff, path, params):
    client = APIClient()
    client.force_authenticate(city_staff)
    response = client.get(path, params)
    assert response.status_code < 500, (path, params, response.content[:300])
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "message", "fields"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(LIST_ROUTES), body=JSON_VALUES, raw=st.binary(max_size=60), as_raw=st.booleans())
def test_fuzzed_bodies_never_500(city_staff, path, body, raw, as_raw):
    client = APIClient()
    client.force_authenticate(city_staff)
    if as_raw:
        response = client.post(path, raw, content_type="application/json")
    else:
        response = client.post(path, body, format="json")
    assert response.status_code < 500, (path, body if not as_raw else raw, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
