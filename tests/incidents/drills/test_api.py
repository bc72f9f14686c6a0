"""/api/v1/incidents/emergency-plans/ and /api/v1/incidents/drills/: the scoped-endpoint contract (with the
``incidents:read`` scope), read-only, the change feed, the township filter (an id or ``none``) documented as the
string enum it is, and constant query counts."""

import datetime as dt

import pytest

from apps.incidents.drills import services
from tests.helpers.scoped_api import TownshipScopedEndpointContract

from .helpers import make_drill, make_plan, png_bytes, upload

pytestmark = pytest.mark.django_db


def _staff_of(township):
    from apps.accounts.models import User
    from tests.conftest import make_user

    name = f"drills-api-{township.code}"
    return User.objects.filter(username=name).first() or make_user(name, "township_staff", [township])


class TestDrillAPI(TownshipScopedEndpointContract):
    list_url = "/api/v1/incidents/drills/"
    client_scope = "incidents:read"

    def make(self, township):
        return make_drill(_staff_of(township), township)


class TestEmergencyPlanAPI(TownshipScopedEndpointContract):
    list_url = "/api/v1/incidents/emergency-plans/"
    client_scope = "incidents:read"

    def make(self, township):
        return make_plan(_staff_of(township), township=township, title=f"{township.name}预案", versions=1)


def test_township_staff_also_see_the_city_plan(api_client, staff_a, city_staff, township_a):
    city = make_plan(city_staff, versions=2)
    api_client.force_authenticate(staff_a)
    body = api_client.get("/api/v1/incidents/emergency-plans/").json()
    row = next(r for r in body["results"] if r["id"] == city.pk)
    assert row["level"] == "city" and row["township_code"] is None and row["current_number"] == 2
    assert [v["number"] for v in row["versions"]] == [2, 1]


def test_no_drafts_in_the_api(api_client, city_staff):
    plan = make_plan(city_staff, versions=1)
    services.plan_version_upload(
        actor=city_staff,
        plan_id=plan.pk,
        data={"issued_on": dt.date.today(), "summary": "草稿"},
        document=upload("a.png", png_bytes()) if False else upload("a.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    api_client.force_authenticate(city_staff)
    row = api_client.get(f"/api/v1/incidents/emergency-plans/{plan.pk}/").json()
    assert [v["number"] for v in row["versions"]] == [1] and row["current_number"] == 1


@pytest.mark.parametrize("url", ["/api/v1/incidents/drills/", "/api/v1/incidents/emergency-plans/"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(api_client, city_staff, url, method):
    api_client.force_authenticate(city_staff)
    target = url if method == "post" else f"{url}1/"
    assert getattr(api_client, method)(target, {}, format="json").status_code in (403, 405)


def test_township_filter_takes_an_id_or_none(api_client, city_staff, staff_a, township_a):
    a = make_drill(staff_a, township_a)
    city = make_drill(city_staff, None)
    api_client.force_authenticate(city_staff)
    ids = lambda params: [r["id"] for r in api_client.get("/api/v1/incidents/drills/", params).json()["results"]]  # noqa: E731
    assert ids({"township": "none"}) == [city.pk]
    assert ids({"township": str(township_a.pk)}) == [a.pk]
    assert ids({"township": ""}) and set(ids({"township": ""})) == {a.pk, city.pk}
    bad = api_client.get("/api/v1/incidents/drills/", {"township": "abc"})
    assert bad.status_code == 400 and "township" in bad.json()["fields"]
    assert api_client.get("/api/v1/incidents/drills/", {"year": "1800"}).status_code == 400


def test_the_schema_declares_township_as_a_string_choice(api_client, city_staff, township_a):
    api_client.force_authenticate(city_staff)
    schema = api_client.get("/api/v1/schema/?format=json").json()
    for path in ("/api/v1/incidents/drills/", "/api/v1/incidents/emergency-plans/"):
        params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        township = params["township"]["schema"]
        options = township.get("anyOf", [township])
        enum = next(o for o in options if "enum" in o)
        assert enum["type"] == "string" and "none" in enum["enum"] and str(township_a.pk) in enum["enum"]
        assert all(o.get("type") != "integer" for o in options)


def test_the_feed_shows_a_newly_issued_version_and_an_added_attachment(api_client, city_staff, staff_a, township_a):
    plan = make_plan(city_staff, versions=1)
    drill = make_drill(staff_a, township_a)
    api_client.force_authenticate(city_staff)
    for url in ("/api/v1/incidents/emergency-plans/", "/api/v1/incidents/drills/"):
        first = api_client.get(url, {"updated_since": "2000-01-01T00:00:00Z"}).json()
        assert first["results"] and "next_cursor" in first
        cursor = first["next_cursor"]
        assert api_client.get(url, {"cursor": cursor}).json()["results"] == []
        if "plans" in url:
            v = services.plan_version_upload(
                actor=city_staff,
                plan_id=plan.pk,
                data={"issued_on": dt.date.today(), "summary": "x"},
                document=upload("a.pdf", b"%PDF-1.4\n%%EOF\n"),
            )
            services.plan_version_issue(actor=city_staff, version_id=v.pk)
            expected = plan.pk
        else:
            services.drill_attachment_add(actor=staff_a, drill_id=drill.pk, files=[upload("a.png", png_bytes())])
            expected = drill.pk
        later = api_client.get(url, {"cursor": cursor}).json()["results"]
        assert [r["id"] for r in later] == [expected]
    assert api_client.get("/api/v1/incidents/drills/", {"cursor": "forged:cursor"}).status_code == 400
