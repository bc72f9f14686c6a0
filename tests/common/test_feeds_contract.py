"""The change-feed contract (apps/common/api/feeds.py), run over every feed endpoint.

Each feed is described once (``FEEDS``): how to make a row in a township and how to deactivate (or otherwise
retire) one. The same battery runs on all of them: empty, malformed and future ``updated_since``; empty, forged
and foreign cursors; ``ordering`` refused; rows sharing one ``updated_at`` across a page boundary; a deactivation
reaching a subscriber who polls with the last cursor.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from apps.enterprises.services import enterprise_deactivate
from tests.factories.enterprises import EnterpriseFactory

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------------- the feeds
def _enterprise(township):
    return EnterpriseFactory(township=township)


def _enterprise_off(row):
    enterprise_deactivate(actor=None, enterprise_id=row.pk, status="suspended", reason="停业整顿")
    return row.pk, lambda data: data["status"] == "suspended"


def _assessment(township):
    from apps.risk import services

    ent = EnterpriseFactory(township=township)
    return services.assessment_recompute(enterprise_id=ent.pk, actor=None, on=dt.date(2025, 3, 1))


def _assessment_off(row):
    # what a re-grading does to the previous grade: it stops being current (and its updated_at moves)
    type(row).objects.filter(pk=row.pk).update(is_current=False, updated_at=timezone.now())
    return row.pk, lambda data: data["is_current"] is False


def _task(township):
    from tests.inspections.factories import make_enterprise, make_task

    return make_task(make_enterprise(township))


def _task_off(row):
    type(row).objects.filter(pk=row.pk).update(status="cancelled", updated_at=timezone.now())
    return row.pk, lambda data: data["status"] == "cancelled"


def _final_result(township):
    from tests.inspections.test_api_fieldwork import _final_result as final_result  # one helper, not a copy

    return final_result(township)


def _result_off(row):
    from apps.inspections.fieldwork.services.results import result_correct

    inspector_user = row.task.task_inspectors.order_by("order").first().inspector.user
    draft = result_correct(actor=inspector_user, result_id=row.pk, reason="更正笔误")
    return draft.pk, lambda data: data["supersedes"] == row.pk and data["status"] == "draft"


def _publication(township):
    return _final_result(township).publication


def _publication_off(row):
    type(row).objects.filter(pk=row.pk).update(status="withdrawn", withdraw_reason="撤回", updated_at=timezone.now())
    return row.pk, lambda data: data["status"] == "withdrawn"


def _sampling_task(township):
    from tests.factories.sampling import SamplingTaskFactory

    return SamplingTaskFactory(plan_line__township=township)


def _sampling_task_off(row):
    type(row).objects.filter(pk=row.pk).update(status="cancelled", cancel_reason="企业停业", updated_at=timezone.now())
    return row.pk, lambda data: data["status"] == "cancelled"


def _sample(township):
    from tests.factories.sampling import SampleFactory

    return SampleFactory(task__plan_line__township=township)


def _sample_off(row):
    # what the lab's receipt does to a sample: its status moves on (samples are never deleted)
    type(row).objects.filter(pk=row.pk).update(status="received", updated_at=timezone.now())
    return row.pk, lambda data: data["status"] == "received"


def _sampling_result(township):
    from tests.sampling.lab.helpers import reported_result

    return reported_result(township)  # a supervisory 铅 result, 不合格: its disposal can run a 复检


def _sampling_result_off(row):
    # results are final: what changes a sample's results is a 复检, which reaches the feed as new rows
    from tests.sampling.lab.helpers import recheck_overturning

    recheck = recheck_overturning(row)
    return recheck.pk, lambda data: data["is_recheck"] is True and data["sample"] == row.sample_id


def _plan_line(township):
    from tests.factories.sampling import PlanLineFactory, SamplingPlanFactory

    plan = SamplingPlanFactory(name=f"订阅测试计划{SamplingPlanFactory._meta.model.objects.count() + 1}")
    return PlanLineFactory(plan=plan, township=township)  # an issued (approved) plan's line


def _plan_line_off(row):
    # what retires an issued plan's lines: the plan is closed (its lines are never deleted)
    from apps.sampling.plans.services import plan_close
    from tests.conftest import make_user

    plan_close(actor=make_user(f"feed-closer-{row.pk}", "city_staff"), plan_id=row.plan_id)
    return row.pk, lambda data: data["plan_status"] == "closed"


def _complaint(township):
    from tests.incidents.complaints_helpers import new_complaint

    return new_complaint(township)


def _complaint_off(row):
    # what retires a complaint without handling it: 不予受理
    from apps.incidents.complaints.services import complaint_reject
    from tests.incidents.complaints_helpers import officer

    complaint_reject(actor=officer(), complaint_id=row.pk, reason="不属于食品安全监管职责")
    return row.pk, lambda data: data["status"] == "rejected"


def _drill_actor(row_hint):
    from tests.conftest import make_user

    return make_user(f"feed-drills-{row_hint}", "city_staff")


def _drill(township):
    from apps.incidents.models.drills import Drill
    from tests.incidents.drills.helpers import make_drill

    return make_drill(_drill_actor(Drill.objects.count()), township)


def _drill_off(row):
    # a drill is never deleted: what a subscriber must see is its record corrected (findings added afterwards)
    from apps.incidents.drills.services import drill_update
    from tests.incidents.drills.helpers import drill_data

    data = drill_data(row.township, findings="补充：复盘后发现通讯录未更新")
    drill_update(actor=_drill_actor(f"off-{row.pk}"), drill_id=row.pk, data=data)
    return row.pk, lambda data: data["findings"].startswith("补充")


def _plan(township):
    from apps.incidents.models.drills import EmergencyPlan
    from tests.incidents.drills.helpers import make_plan

    n = EmergencyPlan.objects.count() + 1
    return make_plan(_plan_actor(township, n), township=township, title=f"镇街食品安全事故应急预案{n}")


def _plan_actor(township, hint):
    from tests.conftest import make_user

    return make_user(f"feed-plans-{hint}", "township_staff", [township])  # a township's plan is its own staff's


def _plan_off(row):
    # what supersedes a plan's text: a new version is issued (the plan's current version changes)
    from apps.incidents.drills import services
    from tests.incidents.drills.helpers import pdf_bytes, today, upload

    actor = _plan_actor(row.township, f"off-{row.pk}")
    version = services.plan_version_upload(
        actor=actor,
        plan_id=row.pk,
        data={"issued_on": today(), "summary": "修订"},
        document=upload("plan.pdf", pdf_bytes()),
    )
    services.plan_version_issue(actor=actor, version_id=version.pk)
    return row.pk, lambda data: data["current_number"] == 1


def _incident(township):
    from tests.incidents.emergencies.helpers import new_incident

    return new_incident(township)


def _incident_off(row):
    # what retires an incident: closing it (after its 终报)
    from tests.incidents.emergencies.helpers import advance

    advance(row, "closed")
    return row.pk, lambda data: data["status"] == "closed"


def _opinion(township):
    from tests.incidents.opinion.helpers import new_event

    return new_event(township)


def _opinion_off(row):
    # what retires a 舆情 event: answered, then closed
    from tests.incidents.opinion.helpers import advance

    advance(row, "closed")
    return row.pk, lambda data: data["status"] == "closed"


@dataclass(frozen=True)
class Feed:
    url: str
    make: Any
    deactivate: Any

    def __str__(self):
        return self.url


FEEDS = [
    Feed("/api/v1/enterprises/", _enterprise, _enterprise_off),
    Feed("/api/v1/risk/assessments/", _assessment, _assessment_off),
    Feed("/api/v1/inspections/tasks/", _task, _task_off),
    Feed("/api/v1/inspections/results/", _final_result, _result_off),
    Feed("/api/v1/inspections/publications/", _publication, _publication_off),
    Feed("/api/v1/sampling/tasks/", _sampling_task, _sampling_task_off),
    Feed("/api/v1/sampling/samples/", _sample, _sample_off),
    Feed("/api/v1/sampling/results/", _sampling_result, _sampling_result_off),
    Feed("/api/v1/sampling/plan-lines/", _plan_line, _plan_line_off),
    Feed("/api/v1/incidents/complaints/", _complaint, _complaint_off),
    Feed("/api/v1/incidents/drills/", _drill, _drill_off),
    Feed("/api/v1/incidents/emergency-plans/", _plan, _plan_off),
    Feed("/api/v1/incidents/incidents/", _incident, _incident_off),
    Feed("/api/v1/incidents/opinion-events/", _opinion, _opinion_off),
]


@pytest.fixture(params=FEEDS, ids=str)
def feed(request):
    return request.param


@pytest.fixture
def client(api_client, city_staff):
    api_client.force_authenticate(city_staff)
    return api_client


def _error(response, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert field in body["fields"], body
    message = " ".join(body["fields"][field])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # a Chinese message, not DRF's English
    return body


def _rows(feed, township, n):
    return [feed.make(township) for _ in range(n)]


# ---------------------------------------------------------------------------------------------------- the battery
@pytest.mark.parametrize("query", ["updated_since=", "cursor=", "updated_since=&cursor=", "updated_since=%20"])
def test_empty_since_or_cursor_is_a_400_with_a_chinese_message(feed, client, query):
    body = _error(client.get(f"{feed.url}?{query}"), "updated_since")
    assert "不能为空" in body["fields"]["updated_since"][0]


@pytest.mark.parametrize(
    "value", ["yesterday", "2025-13-45", "2025-02-30T25:00:00", "1e9", "2025-01-01T00:00:00+99:00"]
)
def test_malformed_since_is_a_400(feed, client, value):
    _error(client.get(feed.url, {"updated_since": value}), "updated_since")


def test_future_since_is_an_empty_page_whose_cursor_waits_there(feed, client, township_a):
    _rows(feed, township_a, 1)
    future = (timezone.now() + dt.timedelta(days=3650)).isoformat()
    body = client.get(feed.url, {"updated_since": future}).json()
    assert body["results"] == [] and body["has_more"] is False and body["next"] is None
    again = client.get(feed.url, {"cursor": body["next_cursor"]}).json()
    assert again["results"] == [] and again["next_cursor"] == body["next_cursor"]
    far = client.get(feed.url, {"updated_since": "9999-12-31T23:59:59-05:00"})  # past the last UTC instant
    assert far.status_code == 200 and far.json()["results"] == []


@pytest.mark.parametrize("value", ["4638-09-23T22:18:00.3+22:58", "2025-01-01T00:00:00-23:59"])
def test_an_offset_python_reads_but_postgresql_does_not_is_read_in_utc(feed, client, value):
    """schemathesis found a 500: ISO 8601 allows offsets up to ±23:59, PostgreSQL only ±15:59."""
    response = client.get(feed.url, {"updated_since": value})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("cursor", ["forged", "WyIyMDI1LTAxLTAxIiwxXQ:bad-signature", "a:b:c", "%00"])
def test_bad_cursor_is_a_400(feed, client, cursor):
    _error(client.get(feed.url, {"cursor": cursor}), "cursor")


def test_a_cursor_of_another_feed_is_refused(feed, client, township_a):
    other = next(f for f in FEEDS if f.url != feed.url)
    _rows(other, township_a, 1)
    cursor = client.get(other.url, {"updated_since": "2000-01-01"}).json()["next_cursor"]
    _error(client.get(feed.url, {"cursor": cursor}), "cursor")


def test_ordering_is_refused_on_a_feed(feed, client):
    _error(client.get(feed.url, {"updated_since": "2000-01-01", "ordering": "id"}), "ordering")


@pytest.mark.parametrize("size", ["0", "-1", "x", "1.5"])
def test_bad_page_size_is_a_400(feed, client, size):
    _error(client.get(feed.url, {"updated_since": "2000-01-01", "page_size": size}), "page_size")


def test_equal_timestamps_across_a_page_boundary_are_neither_skipped_nor_repeated(feed, client, township_a):
    stamp = timezone.now().replace(microsecond=0)
    with time_machine.travel(stamp, tick=False):  # written at one instant (finalised results refuse an UPDATE)
        rows = _rows(feed, township_a, 3)
    model = type(rows[0])
    assert set(model.objects.filter(pk__in=[r.pk for r in rows]).values_list("updated_at", flat=True)) == {stamp}
    ids = sorted(r.pk for r in rows)

    first = client.get(feed.url, {"updated_since": stamp.isoformat(), "page_size": 2}).json()
    assert [r["id"] for r in first["results"]] == ids[:2] and first["has_more"] is True
    assert "cursor=" in first["next"]
    second = client.get(feed.url, {"cursor": first["next_cursor"], "page_size": 2}).json()
    assert [r["id"] for r in second["results"]] == ids[2:] and second["has_more"] is False
    assert client.get(feed.url, {"cursor": second["next_cursor"]}).json()["results"] == []


def test_a_deactivation_reaches_the_subscriber(feed, client, township_a):
    rows = _rows(feed, township_a, 2)
    cursor = None
    params = {"updated_since": "2000-01-01"}
    while True:  # a full sync, as a subscriber does it
        body = client.get(feed.url, {"cursor": cursor} if cursor else params).json()
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    assert client.get(feed.url, {"cursor": cursor}).json()["results"] == []

    expected_id, check = feed.deactivate(rows[0])
    changed = client.get(feed.url, {"cursor": cursor}).json()["results"]
    assert [r["id"] for r in changed] == [expected_id]
    assert check(changed[0]), changed[0]
