"""Demo incidents (``seed_demo_incidents``, demo mode only): a few across levels and stages, one whose first report
is overdue. Written through the services as the first city-staff account. Idempotent: does nothing when demo
incidents exist."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from . import services

H = dt.timedelta(hours=1)
DEMO = [
    # title, township code, hours ago learned, affected, dead, schools, townships, stage, first report after (h)
    ("【演示】某学校食堂学生集体腹泻", "xiashi", 30, 56, 0, True, 1, "closed", 1.5),
    ("【演示】农村家宴聚餐后多人呕吐", "xucun", 20, 35, 0, False, 1, "final_reported", 1.0),
    ("【演示】外卖餐品致多人就医", "xiashi", 8, 12, 0, False, 2, "handling", 3.0),
    ("【演示】疑似误食毒蘑菇", "xucun", 5, 3, 1, False, 1, "received", None),
    ("【演示】超市熟食顾客不适", "xiashi", 0.5, 4, 0, False, 1, "received", None),
]


def _actor():
    from apps.accounts.models import User
    from apps.accounts.roles import ROLE_BY_CODE

    return User.objects.filter(is_active=True, groups__name=ROLE_BY_CODE["city_staff"].label).order_by("id").first()


@transaction.atomic
def seed_demo() -> str:
    from apps.accounts.models import Township

    from ..models.emergencies import Incident, ReportKind

    if Incident.objects.filter(title__startswith="【演示】").exists():
        return "演示食品安全事件已存在，跳过。"
    actor = _actor()
    if actor is None:
        return "没有市局业务科室账户，跳过演示食品安全事件。"
    townships = {t.code: t for t in Township.objects.all()}
    now = timezone.now().replace(second=0, microsecond=0)
    for title, code, ago, affected, dead, schools, spread, stage, first_after in DEMO:
        learned = now - dt.timedelta(hours=ago)
        inc = services.incident_create(
            actor=actor,
            title=title,
            occurred_at=learned - 2 * H,
            learned_at=learned,
            township=townships.get(code),
            affected_count=affected,
            dead_count=dead,
            schools_involved=schools,
            townships_count=spread,
            places=f"{townships[code].name if code in townships else ''}演示地点",
            description="演示数据：接报后组织救治、封存可疑食品、采样送检。",
        )
        if stage == "received":
            continue
        first_at = learned + dt.timedelta(hours=first_after)
        services.incident_report_submit(
            actor=actor,
            incident_id=inc.pk,
            kind=ReportKind.INITIAL,
            content="初报：基本情况、涉及人数、已采取措施。",
            submitted_at=first_at,
        )
        services.incident_action_add(
            actor=actor, incident_id=inc.pk, at=first_at, text="封存涉事食品及加工工具，组织流行病学调查"
        )
        if stage == "handling":
            continue
        services.incident_report_submit(
            actor=actor,
            incident_id=inc.pk,
            kind=ReportKind.FOLLOWUP,
            content="续报：病人均已好转。",
            submitted_at=first_at + 2 * H,
        )
        services.incident_report_submit(
            actor=actor,
            incident_id=inc.pk,
            kind=ReportKind.FINAL,
            content="终报：原因已查明，处置完毕。",
            submitted_at=first_at + 4 * H,
        )
        inc.refresh_from_db()
        services.incident_level_confirm(
            actor=actor,
            incident_id=inc.pk,
            level=inc.suggested_level or "IV",
            note="演示：按建议级别确认" if inc.suggested_level else "演示：未达分级标准，按一般事件处置",
        )
        if stage == "closed":
            services.incident_close(
                actor=actor, incident_id=inc.pk, summary="演示：食堂员工带菌操作所致，已责令停业整改并立案查处。"
            )
    return f"已生成 {len(DEMO)} 起演示食品安全事件（其中 1 起超时未初报）。"
