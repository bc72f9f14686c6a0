"""Demo plans and drills (``seed_demo_drills``, demo mode only): the city plan with two issued versions, one
township plan, and drills in several townships this year and last year. Written through the services as a city
staff member and the township staff demo accounts. Idempotent: does nothing when the demo plan exists."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from . import services

CITY_PLAN = "【演示】海宁市食品安全事故应急预案"
# township code (None: the city's own), years ago, month, kind, scenario, participants
DRILLS = [
    ("xiashi", 0, 3, "tabletop", "学校食堂疑似集体食物中毒桌面推演", 24),
    ("xiashi", 0, 9, "field", "农村家宴食物中毒现场处置实战演练", 56),
    ("xucun", 0, 6, "combined", "农贸市场禽类产品污染综合演练", 80),
    ("haichang", 0, 5, "tabletop", "网络订餐疑似食源性疾病推演", 18),
    ("xiashi", 1, 10, "field", "养老机构食堂食物中毒实战演练", 40),
    ("xucun", 1, 4, "tabletop", "校园周边食品安全事件推演", 20),
    (None, 0, 7, "combined", "全市食品安全事故应急联动综合演练", 150),
]


def _pdf(title: str) -> SimpleUploadedFile:
    body = f"%PDF-1.4\n% {title}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".encode()
    return SimpleUploadedFile("plan.pdf", body, content_type="application/pdf")


def _user(role_code: str, township=None):
    from apps.accounts.models import User
    from apps.accounts.roles import ROLE_BY_CODE

    qs = User.objects.filter(is_active=True, groups__name=ROLE_BY_CODE[role_code].label)
    if township is not None:
        qs = qs.filter(townships=township)
    return qs.order_by("id").first()


@transaction.atomic
def seed_demo(*, stdout=None) -> str:
    from apps.accounts.models import Township

    from ..models.drills import EmergencyPlan

    if EmergencyPlan.objects.filter(title=CITY_PLAN).exists():
        return "演示应急预案与演练已存在，跳过。"
    city = _user("city_staff")
    if city is None:
        return "没有市局业务科室人员账户，跳过演示应急预案与演练。"
    today = timezone.localdate()
    plan = services.plan_create(
        actor=city, data={"title": CITY_PLAN, "level": "city", "owner_department": "海宁市市场监督管理局"}
    )
    for issued_on, summary in (
        (dt.date(today.year - 2, 3, 1), "首次印发"),
        (dt.date(today.year - 1, 9, 15), "按国家食品安全事故应急预案修订分级标准和信息报告时限"),
    ):
        v = services.plan_version_upload(
            actor=city, plan_id=plan.pk, data={"issued_on": issued_on, "summary": summary}, document=_pdf(CITY_PLAN)
        )
        services.plan_version_issue(actor=city, version_id=v.pk)
    townships = {t.code: t for t in Township.objects.all()}
    made = 0
    for code, years_ago, month, kind, scenario, count in DRILLS:
        township = townships.get(code) if code else None
        if code and township is None:
            continue
        actor = (_user("township_staff", township) if township else None) or city
        date = min(today, dt.date(today.year - years_ago, month, 10))  # this year's never lie in the future
        services.drill_create(
            actor=actor,
            data={
                "date": date,
                "township": township,
                "plan": plan,
                "scenario": f"【演示】{scenario}",
                "kind": kind,
                "participant_count": count,
                "participant_orgs": "市场监管所、卫生院、疾控中心、派出所、教育部门",
                "findings": "信息报送流程衔接不畅；现场采样物资准备不足。",
                "improvements": "明确信息报送责任人和时限；补充采样箱并定期检查。",
            },
        )
        made += 1
    return f"已生成演示应急预案（2 个版本）和 {made} 次演练。"
