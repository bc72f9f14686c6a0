"""Demo complaints (``seed_demo_complaints``, demo mode only): a handful at each stage of the pipeline, one upheld
report with its reward paid. Written through the services as the complaint officer (the ``tousu`` demo account).
Idempotent: does nothing when demo complaints exist. The reporters are fictitious."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from . import services

DEMO = [
    # kind, channel, content, address, township code, days ago, stage, upheld, identity
    (
        "report",
        "12345",
        "【演示】某小吃店后厨卫生脏乱，有老鼠出没。",
        "硖石街道演示路 8 号",
        "xiashi",
        1,
        "pending",
        None,
        {},
    ),
    (
        "complaint",
        "12315",
        "【演示】在超市买到过期酸奶，要求退换。",
        "许村镇演示街 21 号",
        "xucun",
        12,
        "pending",
        None,
        {"name": "演示甲", "phone": "13800000001"},
    ),
    ("report", "letter", "【演示】某作坊无证生产豆制品。", "硖石街道演示弄 3 号", "xiashi", 6, "handling", None, {}),
    (
        "complaint",
        "visit",
        "【演示】外卖餐品中有异物。",
        "许村镇演示大道 100 号",
        "xucun",
        20,
        "closed",
        False,
        {"phone": "13800000002"},
    ),
    (
        "complaint",
        "12345",
        "【演示】反映小区噪音扰民（不属于食品安全监管职责）。",
        "",
        "xiashi",
        9,
        "rejected",
        None,
        {},
    ),
    (
        "report",
        "12315",
        "【演示】某餐馆使用过期原料加工菜品，已查证属实并处罚款。",
        "硖石街道演示路 66 号",
        "xiashi",
        30,
        "fed_back",
        True,
        {"name": "演示乙", "phone": "13800000003", "id_number": "330481199001010019", "reward_claimed": True},
    ),
]


def _officer():
    from apps.accounts.models import User
    from apps.accounts.roles import ROLE_BY_CODE

    return (
        User.objects.filter(is_active=True, groups__name=ROLE_BY_CODE["complaint_officer"].label).order_by("id").first()
    )


@transaction.atomic
def seed_demo(*, stdout=None) -> str:
    from apps.accounts.models import Township

    from ..models import Complaint

    if Complaint.objects.filter(content__startswith="【演示】").exists():
        return "演示投诉举报已存在，跳过。"
    actor = _officer()
    if actor is None:
        return "没有投诉举报专员账户，跳过演示投诉举报。"
    townships = {t.code: t for t in Township.objects.all()}
    now = timezone.now()
    for kind, channel, content, address, code, days, stage, upheld, identity in DEMO:
        township = townships.get(code)
        data = {"kind": kind, "channel": channel, "content": content, "address": address, "township": township}
        data.update(identity)
        c = services.complaint_create(actor=actor, data=data, received_at=now - dt.timedelta(days=days))
        if stage == "rejected":
            services.complaint_reject(
                actor=actor, complaint_id=c.pk, reason="不属于食品安全监管职责，已告知向属地街道反映"
            )
            continue
        order = ["pending", "accepted", "routed", "handling", "closed", "fed_back"]
        for step in order[1 : order.index(stage) + 1]:
            if step == "accepted":
                services.complaint_accept(actor=actor, complaint_id=c.pk, note="属于食品安全监管职责")
            elif step == "routed":
                services.complaint_route(actor=actor, complaint_id=c.pk, township=township)
            elif step == "handling":
                services.complaint_start(actor=actor, complaint_id=c.pk, note="已安排现场检查")
            elif step == "closed":
                text = "现场检查查证属实，已立案，罚款 20 万元" if upheld else "现场检查未发现所反映问题"
                services.complaint_close(actor=actor, complaint_id=c.pk, upheld=upheld, result_text=text)
            elif step == "fed_back":
                services.complaint_feedback(
                    actor=actor,
                    complaint_id=c.pk,
                    feedback_text="您反映的问题已查证属实，已依法立案查处。感谢您的举报。",
                )
        if stage == "fed_back" and upheld:
            services.reward_assess(actor=actor, complaint_id=c.pk, level=2, fines_fen=20_000_000, not_excluded=True)
            services.reward_pay(
                actor=actor,
                complaint_id=c.pk,
                paid_on=timezone.localdate(),
                paid_fen=600_000,
                voucher_no="演示-2026-001",
            )
    return f"已生成 {len(DEMO)} 件演示投诉举报（其中 1 件已发放举报奖励）。"
