"""AUD-02: failed access decisions (401/403/scope-404) and validation failures are logged, in one place
(apps.common.middleware.AccessDecisionLogMiddleware), at most one record per second per actor and kind."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.common.models import AuditEvent
from tests.factories.enterprises import EnterpriseFactory

pytestmark = pytest.mark.django_db
LOGGER = "haining.security"


def records(caplog):
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == LOGGER]


@pytest.fixture
def log(caplog):
    cache.clear()  # the rate limit's marks of an earlier test (same anonymous IP) would suppress this test's record
    caplog.set_level("WARNING", logger=LOGGER)
    return caplog


def test_forbidden_page_is_logged_with_actor_route_and_no_audit_row(client, staff_a, log):
    client.force_login(staff_a)
    before = AuditEvent.objects.count()
    response = client.get(reverse("audit:list"), REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 403
    (rec,) = records(log)
    assert rec["event"] == "access.denied" and rec["status"] == 403
    assert rec["actor_id"] == staff_a.pk and rec["route"] == "audit:list" and rec["method"] == "GET"
    assert rec["ip"] == "10.9.8.7" and rec["request_id"] == response["X-Request-ID"]
    assert AuditEvent.objects.count() == before  # a refusal has no side effect in the database


def test_anonymous_redirect_to_login_is_logged_as_401(client, log):
    response = client.get(reverse("enterprises:list"))
    assert response.status_code == 302
    (rec,) = records(log)
    assert rec["event"] == "access.denied" and rec["status"] == 401 and rec["actor"] == "匿名"


def test_api_without_credentials_is_logged(client, log):
    response = client.get("/api/v1/enterprises/")
    assert response.status_code in (401, 403)
    assert [r["event"] for r in records(log)] == ["access.denied"]


def test_out_of_scope_record_is_logged_as_not_found(client, staff_a, township_b, log):
    other = EnterpriseFactory(township=township_b)
    client.force_login(staff_a)
    assert client.get(reverse("enterprises:detail", args=[other.pk])).status_code == 404
    (rec,) = records(log)
    assert rec["event"] == "access.not_found" and rec["route"] == "enterprises:detail"


def test_unknown_path_is_not_an_access_decision(client, staff_a, log):
    client.force_login(staff_a)
    assert client.get("/no/such/page/").status_code == 404
    assert records(log) == []


def test_validation_failure_is_logged(client, staff_a, log):
    client.force_login(staff_a)
    response = client.post("/api/v1/enterprises/", data="{}", content_type="application/json")
    assert response.status_code == 400, response.content
    (rec,) = records(log)
    assert rec["event"] == "input.invalid" and rec["status"] == 400


def test_page_form_validation_failure_is_logged(client, city_staff, log):
    """A page that re-renders the refused form (200 here, 400 elsewhere) is seen by the bound form's errors."""
    client.force_login(city_staff)
    response = client.post(reverse("enterprises:create"), {"name": ""})
    assert response.status_code in (200, 400) and response.context["form"].errors
    (rec,) = records(log)
    assert rec["event"] == "input.invalid" and rec["route"] == "enterprises:create"


def test_success_is_not_logged(client, staff_a, log):
    client.force_login(staff_a)
    assert client.get(reverse("enterprises:list")).status_code == 200
    assert records(log) == []


def test_flood_is_rate_limited_to_one_record_per_second_per_actor_and_kind(
    client, staff_a, township_b, log, monkeypatch
):
    """60 refusals within one second give one record per kind; the next second's record counts the suppressed ones.
    The limiter's clock is held still, so a slow machine does not spread the flood over several seconds."""
    clock = [1_800_000_000.2]
    monkeypatch.setattr("apps.common.middleware._now", lambda: clock[0])
    other = EnterpriseFactory(township=township_b)
    client.force_login(staff_a)
    for _ in range(30):
        assert client.get(reverse("audit:list")).status_code == 403
        assert client.get(reverse("enterprises:detail", args=[other.pk])).status_code == 404
    assert sorted(r["event"] for r in records(log)) == ["access.denied", "access.not_found"]
    clock[0] += 0.7  # still the same second
    client.get(reverse("audit:list"))
    assert len(records(log)) == 2
    clock[0] += 0.5  # the next second
    log.clear()
    client.get(reverse("audit:list"))
    (rec,) = records(log)
    assert rec["suppressed"] == 30 and rec["time"] == "2027-01-15T08:00:01Z"


def test_rate_limit_is_per_actor(client, staff_a, staff_b, log):
    for user in (staff_a, staff_b):
        client.force_login(user)
        client.get(reverse("audit:list"))
    assert sorted(r["actor_id"] for r in records(log)) == sorted([staff_a.pk, staff_b.pk])


def test_hostile_path_stays_on_one_line(client, staff_a, township_b, log):
    client.force_login(staff_a)
    client.get(reverse("audit:list") + "?q=%0d%0aFAKE%1b[31m")
    response = client.get("/enterprises/1%E2%80%A8x/")  # U+2028 in the path: not a route, not logged
    assert response.status_code == 404
    (line,) = [r.getMessage() for r in log.records if r.name == LOGGER]
    assert len(line.splitlines()) == 1
