"""Demo data for the 一公开 portal (`make run`, demo mode only): a finished draw whose results are published.

A newcomer opening /public/ should see published inspection results, but in a fresh demo nothing has passed its
objection window (5 working days after finalising). So this plays one ordinary round on a clock set back:

* 21 days ago: city staff (``shiju``) create a plan for 6 businesses in 硖石街道, commit it (hrs-v2), enter the
  values of three witnesses of the public draw session, and draw;
* 20 days ago: the results of the drawn tasks are submitted (through the fieldwork services, by a demo API client
  with the ``inspections:write`` scope — revoked right after — as a provincial mobile system would) and finalised;
* 10 days ago: the daily publication job publishes every result whose objection window has ended.

Everything goes through the services, so each step writes its audit event in the one hash chain (the events carry
the set-back times); nothing is written to the tables directly. Idempotent: a second run finds the plan and stops.
"""

from __future__ import annotations

import datetime as dt
import io
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Township, User
from apps.accounts.services import api_client_create, api_client_revoke

from .choices import InspectionOutcome, PublicationStatus
from .draws.services import draw_execute, plan_commit, plan_create, public_value_enter
from .fieldwork.selectors import task_check_items
from .fieldwork.services.publications import publications_publish_due
from .fieldwork.services.results import result_finalise, result_save, result_start
from .models import DrawPlan, InspectionTask, Publication

DEMO_PLAN_NAME = "双随机抽查（演示：已公示的一轮）"
DEMO_TOWNSHIP = "xiashi"
DEMO_COUNT = 6
DRAWN_DAYS_AGO, INSPECTED_DAYS_AGO, PUBLISHED_DAYS_AGO = 21, 20, 10


@contextmanager
def _days_ago(days: int):
    """Every ``timezone.now()`` inside answers the real time minus ``days`` (still ticking)."""
    real_now = timezone.now
    offset = dt.timedelta(days=days)
    timezone.now = lambda: real_now() - offset
    try:
        yield
    finally:
        timezone.now = real_now


def _signature_png(shade: int) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (240, 80), (255, 255, 255))
    ImageDraw.Draw(img).line([(20, 60), (80, 20), (140, 55), (220, 25)], fill=(shade, shade, 60), width=4)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _fill_and_finalise(actor, task: InspectionTask, *, rectify: bool) -> None:
    draft = result_start(actor=actor, task_id=task.pk)
    items = {ci.pk: ("conform", "") for ci in task_check_items(task)}
    data = {"summary": "现场检查：证照齐全，从业人员健康证在有效期内，操作区域整洁。", "operator_signer_name": "负责人"}
    if rectify and items:
        first = next(iter(items))
        items[first] = ("nonconform", "部分原料未按规定标注进货日期")
        data.update(
            outcome=InspectionOutcome.RECTIFY,
            rectification_requirements="规范进货查验记录，原料标注进货日期和保质期。",
            summary="现场检查：进货查验记录不完整，责令整改。",
        )
    else:
        data["outcome"] = InspectionOutcome.PASS
    result_save(
        actor=actor,
        result_id=draft.pk,
        data=data,
        items=items,
        inspector_signature=_signature_png(20),
        operator_signature=_signature_png(90),
    )
    result_finalise(actor=actor, result_id=draft.pk)


def demo_published_seed() -> dict:
    if not getattr(settings, "DEMO_MODE", False):
        raise RuntimeError("演示公示数据只能在演示模式（DEMO_MODE=1）下创建")
    existing = DrawPlan.objects.filter(name=DEMO_PLAN_NAME).first()
    if existing is not None:
        published = Publication.objects.filter(result__task__plan=existing, status=PublicationStatus.PUBLISHED).count()
        return {"created": False, "published": published}
    staff = User.objects.filter(username="shiju").first()
    township = Township.objects.filter(code=DEMO_TOWNSHIP).first()
    if staff is None or township is None:
        return {"created": False, "published": 0, "skipped": "缺少演示账户 shiju 或硖石街道"}
    with transaction.atomic():
        with _days_ago(DRAWN_DAYS_AGO):
            year = timezone.localdate().year
            plan = plan_create(
                actor=staff,
                name=DEMO_PLAN_NAME,
                year=year,
                round_label="演示批次",
                description="演示数据：一轮已完成并已公示的双随机抽查，供查看一公开门户。",
                townships=[township],
                strata=[{"key": "all", "label": "硖石街道食品经营者", "count": DEMO_COUNT}],
            )
            plan_commit(actor=staff, plan_id=plan.pk)
            # hrs-v2: three witnesses of the public draw session enter their values, then the draw runs
            public_value_enter(
                actor=staff,
                plan_id=plan.pk,
                values=["3817", "5092", "7741"],
                witnesses=["市民代表 王某", "企业代表 李某", "媒体记者 陈某"],
            )
            draw = draw_execute(actor=staff, plan_id=plan.pk)
        client, _raw = api_client_create(
            name="演示：检查结果录入（接口，已吊销）", scopes=["inspections:write"], city_wide=True, actor=staff
        )
        try:
            with _days_ago(INSPECTED_DAYS_AGO):
                tasks = list(InspectionTask.objects.filter(draw=draw).order_by("number"))
                for n, task in enumerate(tasks):
                    _fill_and_finalise(client.user, task, rectify=(n == 1))
        finally:
            api_client_revoke(client_id=client.pk, actor=staff)
        with _days_ago(PUBLISHED_DAYS_AGO):
            published = publications_publish_due()
    return {"created": True, "draw": draw.draw_uid, "tasks": len(tasks), "published": len(published)}
