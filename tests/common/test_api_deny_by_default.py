"""Deny by default (SECURITY.md ACL-10, ACL-01 in part): every /api/ route found by walking the URL resolver,
with every method, answers anonymous callers with 401/403, and callers without permissions or scopes with a 4xx.
No 2xx (except the schema/docs for signed-in callers), no 5xx.

Routes are discovered, not listed, so a new app's endpoints are walked the day they are added. Each walk is one
test that reports every offending route and method at once.
"""

from rest_framework.test import APIClient

from tests.helpers.scoped_api import api_routes

METHODS = ("get", "head", "options", "post", "put", "patch", "delete")
# Readable by every signed-in user and client (integrators need them); still closed to anonymous callers.
SIGNED_IN_READABLE = {"api-schema", "api-docs"}


def _walk(client, expected, *, readable=frozenset()):
    problems, calls = [], 0
    for route in api_routes("api/"):
        path = route.sample_path()
        for method in METHODS:
            kwargs = {"format": "json", "data": {}} if method in ("post", "put", "patch") else {}
            response = getattr(client, method)(path, **kwargs)
            calls += 1
            allowed = {200} if route.name in readable and method in ("get", "head", "options") else expected
            if response.status_code not in allowed:
                problems.append(f"{method.upper()} {path} -> {response.status_code}")
            elif method != "head" and response.status_code >= 400:
                if set(response.json()) != {"code", "message", "fields"}:
                    problems.append(f"{method.upper()} {path}: not the JSON error shape")
    return problems, calls


def test_the_walk_finds_the_api():
    names = {route.name for route in api_routes("api/")}
    assert {"job-list", "job-detail", "township-list", "township-detail", "api-schema", "api-docs"} <= names


def test_anonymous_is_refused_everywhere(db):
    problems, calls = _walk(APIClient(), {401, 403})
    assert calls >= 7 * 10
    assert not problems, "\n".join(problems)


def test_signed_in_without_permissions_gets_no_2xx_and_no_5xx(api_client, user_without_perms):
    api_client.force_authenticate(user_without_perms)
    problems, _ = _walk(api_client, {403, 404, 405}, readable=SIGNED_IN_READABLE)
    assert not problems, "\n".join(problems)


def test_api_client_without_scopes_gets_no_2xx_and_no_5xx(reference):
    from apps.accounts.services import api_client_create

    _, token = api_client_create(name="无权限范围", scopes=[], city_wide=True)
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    problems, _ = _walk(client, {403, 404, 405}, readable=SIGNED_IN_READABLE)
    assert not problems, "\n".join(problems)


def test_the_walk_catches_an_open_endpoint(db, monkeypatch):
    """Test the test: an endpoint that lets anonymous callers in is reported."""
    from rest_framework.permissions import AllowAny

    from apps.common.api.views import JobViewSet

    monkeypatch.setattr(JobViewSet, "permission_classes", [AllowAny])
    problems, _ = _walk(APIClient(), {401, 403})
    assert "GET /api/v1/jobs/ -> 200" in problems
