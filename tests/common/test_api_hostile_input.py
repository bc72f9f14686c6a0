"""Hostile input on the API (issue 8 point 9): deep JSON, protected and unknown fields, CSRF, unbounded numbers.

Each answer is a 4xx with the JSON error body and a Chinese message; nothing reaches the database or a 500.
"""

import pytest
from rest_framework.test import APIClient

from apps.common.api.parsers import MAX_DEPTH
from tests.common.test_api_limits import WRITES
from tests.inspections.factories import make_enterprise, make_inspector, make_task

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000  # 2 KB


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert _chinese(body["message"]), body
    if code:
        assert body["code"] == code, body
    return body


def _write_routes():
    """(method, path) of every JSON write endpoint under /api/v1/, path parameters filled with 1."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
    routes = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch") and "requestBody" in operation:
                routes.append((method, path.replace("{id}", "1").replace("{code}", "xiashi").replace("{sample}", "1")))
    return routes


@pytest.fixture
def city(api_client, city_staff):
    api_client.force_authenticate(city_staff)
    return api_client


# ---------------------------------------------------------------------------------------------------- deep JSON
# The write endpoints that take a JSON body: the one list of write endpoints (test_api_limits.WRITES) less the
# actions without a body.
BODYLESS = {("POST", "/api/v1/inspections/plans/1/draw/")}
WRITE_ROUTES = [(method.lower(), path) for method, path in WRITES if (method, path) not in BODYLESS]


def test_every_json_write_endpoint_is_covered():
    assert sorted(_write_routes()) == sorted(WRITE_ROUTES)


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
def test_json_nested_1000_deep_is_a_400_on_every_write_endpoint(city, method, path):
    response = getattr(city, method)(path, DEEP, content_type="application/json", HTTP_IDEMPOTENCY_KEY="deep")
    assert response.status_code != 500
    if response.status_code == 400:
        _error(response, 400, "json_too_deep")
    else:  # the view refused before reading the body (no such row, no permission): still JSON, still no 500
        assert response.status_code in (403, 404) and set(response.json()) == {"code", "message", "fields"}


@pytest.mark.parametrize("path", ["/api/v1/enterprises/", "/api/v1/jobs/"])
def test_deep_body_is_json_too_deep_before_any_view_logic(city, path):
    _error(city.post(path, DEEP, content_type="application/json"), 400, "json_too_deep")
    just_too_deep = '{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)
    _error(city.post(path, just_too_deep, content_type="application/json"), 400, "json_too_deep")


def test_a_body_within_the_depth_limit_is_validated_normally(city):
    body = city.post("/api/v1/jobs/", {"kind": "common.selftest", "payload": {"steps": 2, "delay": 0}}, format="json")
    assert body.status_code == 202


@pytest.mark.parametrize("raw", ['{"kind": NaN}', '{"kind": Infinity}', b'{"kind": "\xff"}'])
def test_non_json_constants_and_bad_utf8_are_400(city, raw):
    _error(city.post("/api/v1/jobs/", raw, content_type="application/json"), 400, "parse_error")


# ---------------------------------------------------------------------------------------------------- strict fields
@pytest.fixture
def draft(inspector_a, township_a):
    from apps.inspections.fieldwork.services.results import result_start

    me = make_inspector(township=township_a, user=inspector_a)
    task = make_task(make_enterprise(township_a), inspectors=[me, make_inspector(township=township_a)])
    return result_start(actor=inspector_a, task_id=task.pk)


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "final"), ("content_hash", "0" * 64), ("task", 1), ("revision", 9), ("foo", "bar"), ("id", 7)],
)
def test_results_patch_refuses_protected_and_unknown_fields_and_keeps_the_version(
    api_client, inspector_a, draft, field, value
):
    api_client.force_authenticate(inspector_a)
    url = f"/api/v1/inspections/results/{draft.pk}/"
    body = {"version": draft.version, "summary": "现场良好", field: value}
    response = api_client.patch(url, body, format="json")
    errors = _error(response, 400)["fields"]
    assert list(errors) == [field] and _chinese(errors[field][0])
    draft.refresh_from_db()
    assert draft.version == 1 and draft.summary == "" and draft.status == "draft"
    ok = api_client.patch(url, {"version": draft.version, "summary": "现场良好"}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2


def test_every_writable_serializer_is_strict():
    """The one rule for input: every request body of the API refuses undeclared keys (additionalProperties)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    loose = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if not content:
                continue
            ref = content["schema"].get("$ref", "")
            component = components.get(ref.rsplit("/", 1)[-1], {})
            if component.get("additionalProperties") is not False:
                loose.append(f"{method.upper()} {path}")
    assert loose == []


# ---------------------------------------------------------------------------------------------------- CSRF
def test_api_csrf_failure_is_a_chinese_json_403(city_staff):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(city_staff)
    response = client.post("/api/v1/jobs/", {"kind": "common.selftest"}, format="json")
    body = _error(response, 403, "csrf_failed")
    assert "CSRF" in body["message"] and "Failed" not in body["message"]


# ---------------------------------------------------------------------------------------------------- bounds
@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/risk/events/", {"year": "-2.97e16"}, "year"),
        ("/api/v1/risk/events/", {"year": "99999999999"}, "year"),
        ("/api/v1/risk/assessments/", {"year": "1999"}, "year"),
        ("/api/v1/risk/assessments/", {"enterprise": str(10**30)}, "enterprise"),
        ("/api/v1/risk/credit-classes/", {"enterprise": "1.5"}, "enterprise"),
        ("/api/v1/inspections/plans/", {"year": "99999999999"}, "year"),
        ("/api/v1/inspections/draws/", {"plan": "-1"}, "plan"),
        ("/api/v1/enterprises/", {"page": "1000001"}, "page"),
        ("/api/v1/risk/coverage-debt/", {"min_days": "10000000000"}, "min_days"),
        ("/api/v1/risk/coverage-debt/", {"township": "x"}, "township"),
        ("/api/v1/townships/", {"is_active": "maybe"}, "is_active"),
        ("/api/v1/jobs/", {"status": ["done", "failed"]}, "status"),
    ],
)
def test_numbers_and_values_outside_the_domain_are_a_400(city, path, params, field):
    assert field in _error(city.get(path, params), 400)["fields"]


def test_a_filter_on_a_missing_row_is_an_empty_list_not_a_400(city):
    body = city.get("/api/v1/inspections/draws/", {"plan": "999999"}).json()
    assert body["count"] == 0


def test_bounds_are_declared_in_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(patterns=None).get_schema(request=None, public=True)

    def param(path, name):
        found = next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)["schema"]
        return found["anyOf"][0] if "anyOf" in found else found

    assert param("/api/v1/risk/events/", "year") == {"type": "integer", "minimum": 2000, "maximum": 2100}
    assert param("/api/v1/risk/assessments/", "enterprise")["minimum"] == 1
    assert param("/api/v1/enterprises/", "page")["maximum"] == 1_000_000
    assert param("/api/v1/enterprises/", "page_size")["minimum"] == 1
    assert param("/api/v1/risk/coverage-debt/", "min_days")["maximum"] == 36500
