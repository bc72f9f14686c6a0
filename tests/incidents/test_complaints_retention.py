"""PII-05: the reporter's identity is deleted when its case has been over for longer than the configured retention
(ComplaintRules.identity_retention_days, effective-dated); the complaint stays. The daily job, the beat task that
queues it, the preview command, and the audit event that holds counts only."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from apps.common.models import AuditEvent, Job
from apps.incidents.complaints import services
from apps.incidents.complaints.selectors import identity_purge_plan
from apps.incidents.complaints.tasks import reporter_identity_purge_daily_task
from apps.incidents.models import Complaint, ComplaintRules, ReporterIdentity

from .complaints_helpers import advance, new_complaint, officer

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
NAMED = {"name": "留存甲", "phone": "13800001111", "id_number": "330481199001015678", "reward_claimed": True}
RETENTION = 1826  # the default (5 years), see docs/complaints.md


def _at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=TZ)


def _closed_on(day: dt.date, township, *, to="fed_back", identity=None):
    with time_machine.travel(dt.datetime.combine(day, dt.time(9), tzinfo=TZ), tick=False):
        c = new_complaint(township, identity=identity or NAMED, received_at=_at(day.year, day.month, day.day, 8))
        return advance(c, to)


def test_the_default_retention_is_five_years(reference):
    assert ComplaintRules.objects.in_force(dt.date(2026, 1, 1)).identity_retention_days == RETENTION


def test_identities_past_the_retention_are_deleted_and_the_complaints_kept(township_a, reference):
    old = _closed_on(dt.date(2020, 3, 2), township_a)
    recent = _closed_on(dt.date(2024, 3, 4), township_a)
    with time_machine.travel(_at(2020, 3, 2), tick=False):
        rejected = services.complaint_reject(
            actor=officer(), complaint_id=new_complaint(township_a, identity=NAMED).pk, reason="不属于本局职责"
        )
        still_open = new_complaint(township_a, identity=NAMED)  # never closed: never purged
    today = dt.date(2026, 3, 10)
    plan = identity_purge_plan(today=today)
    assert plan.count == 2 and plan.retention_days == RETENTION
    assert plan.ended_before == today - dt.timedelta(days=RETENTION)
    assert ReporterIdentity.objects.count() == 4  # the preview deletes nothing

    result = services.reporter_identities_purge(today=today)

    assert result == {"purged": 2, "retention_days": RETENTION, "ended_before": plan.ended_before.isoformat()}
    assert set(ReporterIdentity.objects.values_list("complaint_id", flat=True)) == {recent.pk, still_open.pk}
    assert Complaint.objects.count() == 4  # the complaints are kept
    for c in (old, rejected):
        c.refresh_from_db()
        assert c.identity_purged_on == today and c.content and c.number
        assert c.events.filter(action="删除举报人身份").count() == 1
    event = AuditEvent.objects.get(action="incidents.reporter_identity_purge")
    assert event.extra["purged"] == 2
    dumped = json.dumps(event.extra, ensure_ascii=False) + event.object_repr
    assert not any(v in dumped for v in ("留存甲", "13800001111", "330481199001015678"))
    # idempotent: a second run finds nothing and writes nothing
    assert services.reporter_identities_purge(today=today)["purged"] == 0
    assert AuditEvent.objects.filter(action="incidents.reporter_identity_purge").count() == 1


def test_no_identity_remains_past_the_retention(township_a, township_b, reference):
    days = [dt.date(2021, 1, 4), dt.date(2022, 6, 1), dt.date(2023, 12, 29), dt.date(2025, 11, 3)]
    for i, day in enumerate(days):
        _closed_on(day, township_a if i % 2 else township_b, to="closed" if i % 2 else "fed_back")
    last = max(days)
    just_before = last + dt.timedelta(days=RETENTION)  # the last case is exactly N days over: kept
    assert services.reporter_identities_purge(today=just_before)["purged"] == 3
    assert ReporterIdentity.objects.count() == 1
    assert services.reporter_identities_purge(today=just_before + dt.timedelta(days=1))["purged"] == 1
    assert ReporterIdentity.objects.count() == 0


def test_a_reward_waiting_to_be_paid_keeps_the_identity(township_a, reference):
    c = _closed_on(dt.date(2022, 3, 1), township_a)  # the reward rule is in force from 2021-12-01
    with time_machine.travel(_at(2022, 3, 2), tick=False):
        services.reward_assess(actor=officer(), complaint_id=c.pk, level=3, fines_fen=0, not_excluded=True)
    today = dt.date(2027, 6, 1)
    assert services.reporter_identities_purge(today=today)["purged"] == 0
    with time_machine.travel(_at(2022, 3, 3), tick=False):
        services.reward_pay(
            actor=officer(), complaint_id=c.pk, paid_on=dt.date(2022, 3, 3), paid_fen=100_000, voucher_no="PZ-9"
        )
    assert services.reporter_identities_purge(today=today)["purged"] == 1


def test_the_retention_is_configuration_with_an_effective_date(township_a, reference):
    _closed_on(dt.date(2026, 1, 5), township_a)
    assert services.reporter_identities_purge(today=dt.date(2026, 6, 1))["purged"] == 0
    ComplaintRules.objects.create(effective_from=dt.date(2026, 6, 1), identity_retention_days=90)
    assert services.reporter_identities_purge(today=dt.date(2026, 5, 31))["purged"] == 0  # not in force yet
    assert services.reporter_identities_purge(today=dt.date(2026, 6, 1))["purged"] == 1


def test_only_the_system_or_the_permission_may_purge(township_a, staff_a, complaint_officer, reference):
    from django.core.exceptions import PermissionDenied

    for user in (staff_a, complaint_officer):
        with pytest.raises(PermissionDenied):
            services.reporter_identities_purge(actor=user, today=dt.date(2026, 1, 1))


def test_the_daily_beat_task_queues_one_job_per_day_that_purges(
    township_a, reference, settings, django_capture_on_commit_callbacks
):
    from apps.common.job_registry import handler_for

    assert handler_for("incidents.reporter_identity_purge") is not None
    assert (
        settings.CELERY_BEAT_SCHEDULE["incidents-reporter-identity-purge"]["task"]
        == reporter_identity_purge_daily_task.name
    )
    _closed_on(dt.date(2020, 3, 2), township_a)
    with time_machine.travel(_at(2026, 3, 10, 3), tick=False), django_capture_on_commit_callbacks(execute=True):
        first = reporter_identity_purge_daily_task()
        second = reporter_identity_purge_daily_task()
    assert first == second  # one job per day even if beat fires twice
    job = Job.objects.get(pk=first)
    assert job.status == "done", job.result
    assert job.result["purged"] == 1 and job.payload == {"day": "2026-03-10"}
    assert ReporterIdentity.objects.count() == 0


def test_the_preview_command_deletes_nothing_and_prints_counts_only(township_a, reference):
    _closed_on(dt.date(2020, 3, 2), township_a)
    out = io.StringIO()
    call_command("purge_reporter_identities", "--today", "2026-03-10", stdout=out)
    text = out.getvalue()
    assert "共 1 件" in text and "预览" in text and "留存甲" not in text
    assert ReporterIdentity.objects.count() == 1
    call_command("purge_reporter_identities", "--today", "2026-03-10", "--apply", stdout=out)
    assert "已删除 1 件" in out.getvalue()
    assert ReporterIdentity.objects.count() == 0


def test_the_officer_sees_that_the_identity_was_deleted(client, complaint_officer, township_a, reference):
    c = _closed_on(dt.date(2020, 3, 2), township_a)
    services.reporter_identities_purge(today=dt.date(2026, 3, 10))
    client.force_login(complaint_officer)
    detail = client.get(reverse("incidents:complaint_detail", args=[c.pk])).content.decode()
    assert "按保存期限删除" in detail
    assert reverse("incidents:complaint_unmask", args=[c.pk]) not in detail
    page = client.post(reverse("incidents:complaint_unmask", args=[c.pk]), {"reason": "核实奖励发放"})
    assert "已于 2026-03-10 按保存期限删除" in page.content.decode()


RETENTION_URL = "/incidents/complaints/retention/"


def test_the_security_admin_previews_then_confirms(client, security_admin, township_a, reference):
    old = _closed_on(dt.date(2020, 3, 2), township_a)
    client.force_login(security_admin)
    page = client.get(RETENTION_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["plan"].count == 1 and "1 件" in html
    assert old.number not in html and "留存甲" not in html  # counts and dates only
    assert client.post(RETENTION_URL, {"count": "1"}).status_code == 302  # not confirmed: back to the preview
    assert ReporterIdentity.objects.count() == 1
    client.post(RETENTION_URL, {"confirm": "yes", "count": "2"})  # the preview is stale
    assert ReporterIdentity.objects.count() == 1
    done = client.post(RETENTION_URL, {"confirm": "yes", "count": "1"}, follow=True)
    assert "已删除 1 件" in done.content.decode()
    assert ReporterIdentity.objects.count() == 0
    event = AuditEvent.objects.get(action="incidents.reporter_identity_purge")
    assert event.actor_id == security_admin.pk


@pytest.mark.parametrize("actor", ["complaint_officer", "city_staff", "staff_a", "sys_admin"])
def test_no_one_else_opens_the_retention_page(client, request, actor):
    client.force_login(request.getfixturevalue(actor))
    assert client.get(RETENTION_URL).status_code == 403
    assert client.post(RETENTION_URL, {"confirm": "yes", "count": "0"}).status_code == 403
