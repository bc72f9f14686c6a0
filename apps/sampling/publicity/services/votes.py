"""Writes of 你点我检: topics (create, edit, close — by city staff; expired ones closed by the beat), votes (public,
no account: one per voter key per topic per period, see ``..voting``) and adoption of a closed topic into a plan
line (列入计划)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import Township
from apps.common.audit import audit_record, model_snapshot
from apps.common.exceptions import InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.text import clean_text
from apps.standards.models import SamplingCategory

from ...choices import LineOrigin, LineSource, SamplingPurpose, TopicStatus
from ...models import SamplingPlan, Vote, VoteTopic
from ...plans.services import line_create
from ..selectors import topic_period, topic_voting_open

TOPIC_FIELDS = ("title", "description", "category", "township", "opens_on", "closes_on")
MAX_WINDOW_DAYS = 366


def _text(value, *, field: str, label: str, max_length: int, required: bool, multiline: bool = False) -> str:
    try:
        text = clean_text(value or "", multiline=multiline) or ""
    except ValidationError as exc:
        raise ValidationFailed(f"{label}：{exc.messages[0]}", fields={field: exc.messages}) from None
    if required and len(text) < 2:
        raise ValidationFailed(f"请填写{label}（至少 2 个字）", fields={field: [f"请填写{label}"]})
    if len(text) > max_length:
        raise ValidationFailed(f"{label}最多 {max_length} 个字", fields={field: [f"最多 {max_length} 个字"]})
    return text


def _topic_values(data: dict, *, today: dt.date, existing: VoteTopic | None = None) -> dict:
    title = _text(data.get("title"), field="title", label="题目", max_length=100, required=True)
    description = _text(
        data.get("description"), field="description", label="说明", max_length=2000, required=False, multiline=True
    )
    category = data.get("category")
    if category is not None and not isinstance(category, SamplingCategory):
        category = SamplingCategory.objects.filter(pk=category, is_active=True).first()
        if category is None:
            raise ValidationFailed("抽检分类不存在或已停用", fields={"category": ["请重新选择抽检分类"]})
    township = data.get("township")
    if township is not None and not isinstance(township, Township):
        township = Township.objects.filter(pk=township, is_active=True).first()
        if township is None:
            raise ValidationFailed("镇街不存在", fields={"township": ["请重新选择镇街，或留空表示全市"]})
    opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
    if not isinstance(opens_on, dt.date):
        raise ValidationFailed("请填写投票开始日期", fields={"opens_on": ["请填写投票开始日期"]})
    if not isinstance(closes_on, dt.date):
        raise ValidationFailed("请填写投票截止日期", fields={"closes_on": ["请填写投票截止日期"]})
    if closes_on < opens_on:
        raise ValidationFailed("投票截止日期不能早于开始日期", fields={"closes_on": ["不能早于投票开始日期"]})
    if (closes_on - opens_on).days > MAX_WINDOW_DAYS:
        raise ValidationFailed(
            f"投票期最长 {MAX_WINDOW_DAYS} 天", fields={"closes_on": [f"投票期最长 {MAX_WINDOW_DAYS} 天"]}
        )
    if closes_on < today:
        raise ValidationFailed("投票截止日期不能早于今天", fields={"closes_on": ["不能早于今天"]})
    if existing is not None and existing.vote_count and opens_on != existing.opens_on:
        raise ValidationFailed(
            "已有投票，投票开始日期不能再修改（它是本期投票的期次）",
            fields={"opens_on": ["已有投票，不能修改"]},
        )
    return {
        "title": title,
        "description": description,
        "category": category,
        "township": township,
        "opens_on": opens_on,
        "closes_on": closes_on,
    }


@transaction.atomic
def topic_create(*, actor, data: dict, today: dt.date | None = None) -> VoteTopic:
    """A new topic, open for voting in its window (city-wide when ``township`` is empty)."""
    require_perm(actor, "sampling.add_votetopic")
    values = _topic_values(data, today=today or timezone.localdate())
    topic = VoteTopic.objects.create(status=TopicStatus.OPEN, **values)
    audit_record("sampling.votetopic_create", obj=topic, actor=actor, changes=model_snapshot(topic, TOPIC_FIELDS))
    return topic


def _topic_locked(topic_id) -> VoteTopic:
    try:
        return VoteTopic.objects.select_for_update().get(pk=topic_id)
    except (VoteTopic.DoesNotExist, ValueError, TypeError):
        raise OutOfScope() from None


@transaction.atomic
def topic_update(*, actor, topic_id: int, data: dict, today: dt.date | None = None) -> VoteTopic:
    """Edit a topic that is still open (its opening day, the period of its votes, is fixed once votes exist)."""
    require_perm(actor, "sampling.change_votetopic")
    topic = _topic_locked(topic_id)
    if topic.status != TopicStatus.OPEN:
        raise InvalidTransition(f"题目{topic.get_status_display()}，不能再修改")
    before = model_snapshot(topic, TOPIC_FIELDS)
    for key, value in _topic_values(data, today=today or timezone.localdate(), existing=topic).items():
        setattr(topic, key, value)
    topic.save()
    after = model_snapshot(topic, TOPIC_FIELDS)
    audit_record(
        "sampling.votetopic_update",
        obj=topic,
        actor=actor,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return topic


@transaction.atomic
def topic_close(*, actor, topic_id: int, now=None) -> VoteTopic:
    """End the voting now (staff). The counts are final; the topic may then be adopted into a plan."""
    require_perm(actor, "sampling.change_votetopic")
    topic = _topic_locked(topic_id)
    return _close(topic, actor=actor, now=now or timezone.now(), by="staff")


def _close(topic: VoteTopic, *, actor, now, by: str) -> VoteTopic:
    if topic.status != TopicStatus.OPEN:
        raise InvalidTransition(f"题目{topic.get_status_display()}，不能结束投票")
    topic.status = TopicStatus.CLOSED
    today = timezone.localdate(now)
    if topic.closes_on > today:
        topic.closes_on = max(today, topic.opens_on)
    topic.save(update_fields=["status", "closes_on", "updated_at"])
    audit_record(
        "sampling.votetopic_close",
        obj=topic,
        actor=actor,
        extra={"vote_count": topic.vote_count, "closes_on": topic.closes_on.isoformat(), "by": by},
    )
    return topic


def topics_close_expired(*, now=None) -> list[int]:
    """Celery beat (nightly): close the open topics whose voting window has ended (each in its own transaction)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done = []
    for pk in list(VoteTopic.objects.filter(status=TopicStatus.OPEN, closes_on__lt=today).values_list("pk", flat=True)):
        with transaction.atomic():
            topic = VoteTopic.objects.select_for_update().filter(pk=pk, status=TopicStatus.OPEN).first()
            if topic is None:
                continue
            _close(topic, actor=None, now=now, by="beat")
            done.append(pk)
    return done


# ---------------------------------------------------------------------------- votes (public)
@dataclass(frozen=True)
class VoteOutcome:
    recorded: bool
    message: str
    topic: VoteTopic | None = None


def vote_cast(*, topic_id, voter_key: str, today: dt.date | None = None) -> VoteOutcome:
    """One citizen's vote (no account). At most one per (topic, period, voter key): a repeat — even two racing
    submissions — is refused with a friendly message and writes nothing (the unique constraint decides). The
    topic's ``vote_count`` goes up by an atomic ``F()`` update in the same transaction as the vote.

    Votes are not audit events: a vote is anonymous and the audit log would tie it to the client's IP address
    (docs/sampling.md); the vote row with its time is the record."""
    today = today or timezone.localdate()
    if not voter_key or len(voter_key) != 64:
        raise ValidationFailed("投票人标识无效，请刷新页面后再投票", fields={"voter": ["请刷新页面"]})
    try:
        topic = VoteTopic.objects.get(pk=topic_id)
    except (VoteTopic.DoesNotExist, ValueError, TypeError):
        raise OutOfScope("投票题目不存在") from None
    if not topic_voting_open(topic, today=today):
        if topic.opens_on > today:
            raise InvalidTransition(f"该题目 {topic.opens_on:%Y-%m-%d} 开始投票")
        raise InvalidTransition("该题目的投票已结束，感谢关注")
    period = topic_period(topic)
    if Vote.objects.filter(topic=topic, period=period, voter_key=voter_key).exists():
        return VoteOutcome(False, "您已为这个题目投过票了，每人每期限投一票。感谢参与！", topic)
    try:
        with transaction.atomic():
            Vote.objects.create(topic=topic, period=period, voter_key=voter_key)
            VoteTopic.objects.filter(pk=topic.pk).update(vote_count=F("vote_count") + 1)
    except IntegrityError:
        return VoteOutcome(False, "您已为这个题目投过票了，每人每期限投一票。感谢参与！", topic)
    topic.refresh_from_db(fields=["vote_count"])
    return VoteOutcome(True, f"投票成功！“{topic.title}”现有 {topic.vote_count} 票。", topic)


# ---------------------------------------------------------------------------- adoption (列入计划)
@transaction.atomic
def topic_adopt(
    *,
    actor,
    topic_id: int,
    plan_id,
    month,
    batches,
    township_id=None,
    category_id=None,
):
    """列入计划: a closed topic becomes a plan line (source and origin 你点我检, ``origin_ref`` ``vote-topic:<id>``)
    of a supervisory or evaluative plan, in the topic's township (or the chosen one for a city-wide topic); the topic
    becomes ADOPTED and points at the line. The results of the line's samples are published back on the vote page."""
    require_perm(actor, "sampling.change_votetopic")
    require_perm(actor, "sampling.add_planline")
    topic = _topic_locked(topic_id)
    if topic.status == TopicStatus.OPEN:
        raise InvalidTransition("投票尚未结束：请先结束投票，再列入计划")
    if topic.status == TopicStatus.ADOPTED:
        raise InvalidTransition("该题目已列入计划")
    plan = SamplingPlan.objects.filter(pk=_int(plan_id, "plan", "抽检计划")).first()
    if plan is None:
        raise ValidationFailed("请选择抽检计划", fields={"plan": ["请选择抽检计划"]})
    if plan.purpose == SamplingPurpose.MONITORING:
        raise ValidationFailed(
            "你点我检的结果要向公众公开，不能列入风险监测计划（风险监测结果不作为执法依据公开）",
            fields={"plan": ["请选择监督抽检或评价性抽检计划"]},
        )
    township = topic.township_id or (_int(township_id, "township", "镇街") if township_id not in (None, "") else None)
    if township is None:
        raise ValidationFailed("全市题目须选择由哪个镇街抽检", fields={"township": ["请选择镇街"]})
    if (
        topic.township_id
        and township_id not in (None, "")
        and _int(township_id, "township", "镇街") != topic.township_id
    ):
        raise ValidationFailed("题目属于指定镇街，不能改为其他镇街", fields={"township": ["与题目的镇街不一致"]})
    category = topic.category_id or (
        _int(category_id, "category", "抽检分类") if category_id not in (None, "") else None
    )
    if category is None:
        raise ValidationFailed("题目没有抽检分类，请选择", fields={"category": ["请选择抽检分类"]})
    line = line_create(
        actor=actor,
        plan_id=plan.pk,
        origin=LineOrigin.VOTE,
        origin_ref=f"vote-topic:{topic.pk}",
        reasons=[{"reason": "你点我检投票", "votes": topic.vote_count, "topic": topic.pk}],
        township=township,
        category=category,
        month=_int(month, "month", "月份"),
        batches=_int(batches, "batches", "批次"),
        source=LineSource.VOTE,
        note=f"你点我检：{topic.title}（{topic.vote_count} 票）",
    )
    topic.status = TopicStatus.ADOPTED
    topic.plan_line = line
    topic.save(update_fields=["status", "plan_line", "updated_at"])
    audit_record(
        "sampling.votetopic_adopt",
        obj=topic,
        actor=actor,
        extra={"plan_line": line.pk, "plan": plan.pk, "batches": line.batches, "vote_count": topic.vote_count},
    )
    return topic


def _int(value, field: str, label: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(f"{label}应为整数", fields={field: [f"请填写{label}"]}) from None
    return number
