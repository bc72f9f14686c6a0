"""OpenAPI at /api/v1/schema/, Swagger UI at /api/v1/docs/ from local files; both behind sign-in (SECURITY.md API-07)."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders

from tests.helpers.scoped_api import api_routes

SIDECAR = "/static/drf_spectacular_sidecar/swagger-ui-dist/"


@pytest.fixture
def signed_in(api_client, staff_a):
    api_client.force_authenticate(staff_a)
    return api_client


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/", "/api/v1/docs/?script="])
def test_schema_and_docs_need_sign_in_and_answer_json(api_client, path, reference):
    response = api_client.get(path)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_authenticated"


def test_schema_is_openapi_3_with_bearer_auth(signed_in):
    response = signed_in.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    as_json = signed_in.get("/api/v1/schema/", {"format": "json"})
    assert as_json.status_code == 200
    assert as_json.json()["paths"].keys() == schema["paths"].keys()


def test_schema_is_readable_by_an_api_client(api_client, reference):
    from apps.accounts.services import api_client_create

    _, token = api_client_create(name="省平台", scopes=["reference:read"], city_wide=True)
    response = api_client.get("/api/v1/schema/", {"format": "json"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_every_api_route_is_in_the_schema(signed_in):
    """Inventory (API-07): resolved /api/v1/ routes and the OpenAPI paths are the same set."""

    def shape(path):  # drf-spectacular renames {pk} to the model's pk field ({id}); compare the shapes
        return re.sub(r"\{[^}]+\}", "{}", path)

    documented = {shape(p) for p in signed_in.get("/api/v1/schema/", {"format": "json"}).json()["paths"]}
    served = {
        shape(route.openapi_path)
        for route in api_routes("api/v1/")
        if "format" not in route.params and route.name not in ("api-schema", "api-docs") and "rest" not in route.params
    }
    assert served
    assert served == documented


def test_docs_page_is_served_from_local_files_only(signed_in):
    response = signed_in.get("/api/v1/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert f"{SIDECAR}{asset}" in html
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"), f"{asset} missing from static files"
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.I), "external host referenced"
    # The CSP allows scripts from 'self' only: no inline script in the page.
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attrs for attrs in scripts)
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_docs_script_points_at_the_local_schema_without_online_validator(signed_in):
    html = signed_in.get("/api/v1/docs/").content.decode()
    script_url = re.search(r'<script src="([^"]*\?script=[^"]*)"', html).group(1).replace("&amp;", "&")
    response = signed_in.get(script_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    js = response.content.decode()
    assert 'url: "/api/v1/schema/"' in js
    assert '"validatorUrl": null' in js
    assert not re.search(r"https?://", js)


def test_schema_generates_without_warnings(tmp_path):
    """Enum name collisions and unresolvable serializers show up as warnings; CI keeps the schema clean."""
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").read_text(encoding="utf-8").startswith("openapi: 3")
