"""/api/v1/incidents/opinion-events/: the scoped-endpoint contract (township scope, the ``incidents:read`` scope,
constant query count), read-only, and the change-feed contract of tests/common/test_feeds_contract.py run on this
feed (its tests imported here with this module's ``feed``)."""

import datetime as dt

import pytest

from apps.incidents.opinion import services
from tests.common.test_feeds_contract import (  # noqa: F401  (the battery, run here on this feed)
    Feed,
    client,
    test_a_cursor_of_another_feed_is_refused,
    test_a_deactivation_reaches_the_subscriber,
    test_bad_cursor_is_a_400,
    test_bad_page_size_is_a_400,
    test_empty_since_or_cursor_is_a_400_with_a_chinese_message,
    test_equal_timestamps_across_a_page_boundary_are_neither_skipped_nor_repeated,
    test_future_since_is_an_empty_page_whose_cursor_waits_there,
    test_malformed_since_is_a_400,
    test_ordering_is_refused_on_a_feed,
)
from tests.helpers.scoped_api import TownshipScopedEndpointContract
from tests.inspections.factories import make_enterprise

from .helpers import advance, city_user, new_event

pytestmark = pytest.mark.django_db
URL = "/api/v1/incidents/opinion-events/"


def _make_with_links(township):
    e = new_event(township)
    shop = make_enterprise(township)
    services.enterprise_link(actor=city_user(), event_id=e.pk, enterprise_id=shop.pk)
    return e


class TestOpinionEventAPI(TownshipScopedEndpointContract):
    list_url = URL
    client_scope = "incidents:read"

    def make(self, township):
        return _make_with_links(township)


def _closed(row):
    # what retires an event: it is responded to and closed (events are never deleted)
    advance(type(row).objects.get(pk=row.pk), "closed")
    return row.pk, lambda data: data["status"] == "closed"


OPINION_FEED = Feed(URL, lambda township: new_event(township), _closed)


@pytest.fixture
def feed():
    return OPINION_FEED


def test_rows_carry_labels_and_links(api_client, city_staff, township_a):
    e = _make_with_links(township_a)
    api_client.force_authenticate(city_staff)
    row = api_client.get(f"{URL}{e.pk}/").json()
    assert row["source_label"] == "网络平台" and row["status_label"] == "待研判"
    assert row["township_name"] == township_a.name and len(row["enterprise_ids"]) == 1
    assert row["response_hours"] == 24 and row["responded_at"] is None


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(api_client, city_staff, township_a, method):
    e = new_event(township_a)
    api_client.force_authenticate(city_staff)
    url = URL if method == "post" else f"{URL}{e.pk}/"
    assert getattr(api_client, method)(url, {}, format="json").status_code in (403, 405)


def test_the_list_filters_are_the_page_filters(api_client, city_staff, township_a):
    new_event(township_a)
    advance(new_event(None), "responded")
    api_client.force_authenticate(city_staff)
    assert api_client.get(URL, {"township": "none"}).json()["count"] == 1
    assert api_client.get(URL, {"response": "pending"}).json()["count"] == 1
    bad = api_client.get(URL, {"response": "nope"})
    assert bad.status_code == 400


def test_an_action_moves_the_event_in_the_feed(api_client, city_staff, township_a):
    import time_machine
    from django.utils import timezone

    e = new_event(township_a, hours_ago=3)
    api_client.force_authenticate(city_staff)
    cursor = api_client.get(URL, {"updated_since": "2000-01-01"}).json()["next_cursor"]
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=2), tick=False):
        services.action_add(actor=city_user(), event_id=e.pk, text="通知镇街")
    body = api_client.get(URL, {"cursor": cursor}).json()
    assert [r["id"] for r in body["results"]] == [e.pk]
