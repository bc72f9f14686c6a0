"""Helpers of the incident tests: an incident at each stage, through the services (as the pages do)."""

import datetime as dt

from django.utils import timezone

from apps.incidents.emergencies import services
from apps.incidents.models.emergencies import ReportKind
from tests.conftest import make_user

H = dt.timedelta(hours=1)


def city():
    from apps.accounts.models import User

    return User.objects.filter(username="helper-city").first() or make_user("helper-city", "city_staff")


def new_incident(township=None, *, learned_at=None, affected=10, dead=0, title="某餐馆多人腹泻", **kw):
    learned_at = learned_at or timezone.now() - H
    return services.incident_create(
        actor=city(),
        title=title,
        occurred_at=learned_at - H,
        learned_at=learned_at,
        township=township,
        affected_count=affected,
        dead_count=dead,
        **kw,
    )


def report(inc, kind, *, at=None, content="报告内容"):
    return services.incident_report_submit(
        actor=city(), incident_id=inc.pk, kind=kind, content=content, submitted_at=at or timezone.now()
    )


def advance(inc, to: str):
    """Through the pipeline to ``to`` (handling, final_reported, closed)."""
    order = ["received", "handling", "final_reported", "closed"]
    inc.refresh_from_db()
    start = inc.learned_at
    for step in order[order.index(inc.status) + 1 : order.index(to) + 1]:
        if step == "handling":
            report(inc, ReportKind.INITIAL, at=min(start + H, timezone.now()))
        elif step == "final_reported":
            report(inc, ReportKind.FINAL, at=timezone.now())
        elif step == "closed":
            inc.refresh_from_db()
            services.incident_level_confirm(
                actor=city(), incident_id=inc.pk, level=inc.suggested_level or "IV", note="按一般事件处置"
            )
            services.incident_close(actor=city(), incident_id=inc.pk, summary="原因查明，处置完毕")
    inc.refresh_from_db()
    return inc
