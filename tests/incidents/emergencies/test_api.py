"""/api/v1/incidents/incidents/: the scoped-endpoint contract, read-only, the shared FilterSet, the change feed and a
constant query count."""

import pytest
from django.utils import timezone

from apps.incidents.models.emergencies import ReportKind
from tests.helpers.queries import assert_constant_queries
from tests.helpers.scoped_api import TownshipScopedEndpointContract

from .helpers import H, new_incident, report

pytestmark = pytest.mark.django_db
URL = "/api/v1/incidents/incidents/"


class TestIncidentAPI(TownshipScopedEndpointContract):
    list_url = URL
    client_scope = "incidents:read"

    def make(self, township):
        return new_incident(township)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(api_client, city_staff, township_a, method):
    inc = new_incident(township_a)
    api_client.force_authenticate(city_staff)
    url = URL if method == "post" else f"{URL}{inc.pk}/"
    assert getattr(api_client, method)(url, {}, format="json").status_code in (403, 405)


def test_the_api_filters_like_the_page(api_client, city_staff, township_a, township_b):
    late = new_incident(township_a, learned_at=timezone.now() - 5 * H)
    done = new_incident(township_b, learned_at=timezone.now() - 5 * H)
    report(done, ReportKind.INITIAL, at=done.learned_at + H)
    api_client.force_authenticate(city_staff)
    rows = api_client.get(f"{URL}?first_report=overdue").json()["results"]
    assert [r["id"] for r in rows] == [late.pk]
    row = api_client.get(f"{URL}{done.pk}/").json()
    assert row["status"] == "handling" and row["status_label"] == "处置中" and row["township_code"] == township_b.code
    bad = api_client.get(f"{URL}?first_report=soon")
    assert bad.status_code == 400


def test_the_change_feed_sees_a_report(api_client, city_staff, township_a):
    inc = new_incident(township_a)
    api_client.force_authenticate(city_staff)
    first = api_client.get(f"{URL}?updated_since=2000-01-01T00:00:00Z").json()
    assert [r["id"] for r in first["results"]] == [inc.pk]
    cursor = first["next_cursor"]
    report(inc, ReportKind.INITIAL)
    after = api_client.get(f"{URL}?cursor={cursor}").json()
    assert [r["id"] for r in after["results"]] == [inc.pk] and after["results"][0]["status"] == "handling"


def test_list_query_count_is_constant(api_client, city_staff, township_a):
    from tests.inspections.factories import make_enterprise

    api_client.force_authenticate(city_staff)

    def add(n):
        for _ in range(n):
            new_incident(township_a, enterprises=[make_enterprise(township_a)])

    assert_constant_queries(lambda: api_client.get(URL), add)
