"""Demo 舆情 events (``seed_demo_opinion``, demo mode only): one at each stage of the pipeline, one past its response
deadline, one whose named business is in the demo registry (so the page suggests it). Written through the services
as the city staff demo account (``shiju``). Idempotent: does nothing when demo events exist."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from . import services

MARK = "【演示】"
DEMO = [
    # title, source, detail, content, township code, hours ago, stage
    (
        "某小吃店被曝使用过期食材",
        "online",
        "本地生活论坛",
        "网帖称某小吃店后厨使用过期食材，配图显示包装日期已过。",
        "xiashi",
        2,
        "pending",
    ),
    (
        "外卖平台商家无证经营",
        "media",
        "嘉兴日报",
        "媒体报道外卖平台上数家商家无证经营，后厨卫生状况堪忧。",
        "xucun",
        30,
        "handling",
    ),
    (
        "学校周边小卖部售卖“三无”零食",
        "12345",
        "12345 工单 HN-DEMO-01",
        "家长反映学校周边小卖部售卖无标签零食。",
        "xiashi",
        40,
        "responded",
    ),
    (
        "网传某超市猪肉注水",
        "online",
        "短视频平台",
        "短视频称某超市猪肉注水，经核查为不实信息。",
        "xucun",
        120,
        "closed",
    ),
]


def _actor():
    from apps.accounts.models import User
    from apps.accounts.roles import ROLE_BY_CODE

    return User.objects.filter(is_active=True, groups__name=ROLE_BY_CODE["city_staff"].label).order_by("id").first()


@transaction.atomic
def seed_demo(*, stdout=None) -> str:
    from apps.accounts.models import Township
    from apps.enterprises.models import Enterprise

    from ..models.opinion import OpinionEvent

    if OpinionEvent.objects.filter(title__startswith=MARK).exists():
        return "演示舆情已存在，跳过。"
    actor = _actor()
    if actor is None:
        return "没有市局业务科室人员账户，跳过演示舆情。"
    townships = {t.code: t for t in Township.objects.all()}
    now = timezone.now()
    for title, source, detail, content, code, hours, stage in DEMO:
        township = townships.get(code)
        subject, address = "", ""
        shop = Enterprise.objects.filter(township=township).order_by("id").first() if township else None
        if shop is not None and stage in ("pending", "handling"):
            subject, address = shop.name, shop.business_address or shop.registered_address
        discovered = now - dt.timedelta(hours=hours)
        event = services.event_create(
            actor=actor,
            data={
                "title": MARK + title,
                "source": source,
                "source_detail": detail,
                "content": content,
                "subject_name": subject,
                "address": address,
                "township": township,
                "discovered_at": discovered,
            },
        )
        if stage == "pending":
            continue
        services.event_assess(actor=actor, event_id=event.pk, heat=3, risk="medium", note="本地关注度一般")
        services.action_add(
            actor=actor, event_id=event.pk, text="通知属地镇街核查", at=discovered + dt.timedelta(hours=1)
        )
        if stage == "handling":
            continue
        services.event_respond(
            actor=actor,
            event_id=event.pk,
            text="已组织核查并在官方账号发布核查情况。",
            responded_at=discovered + dt.timedelta(hours=20),
        )
        if stage == "closed":
            services.event_close(actor=actor, event_id=event.pk, summary="经核查为不实信息，已发布辟谣，舆情平息。")
    return f"已生成 {len(DEMO)} 件演示舆情（待研判、处置中（已超期）、已回应、已关闭各一件）。"
