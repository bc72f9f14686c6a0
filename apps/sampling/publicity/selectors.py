"""Reads of sampling/publicity: 你点我检 topics, quick tests (快检) and their objection clock, publications (一公开)
with their working-day clock, and the portal's published results (no actor: what is published is public).

Staff reads start from ``visible_to(actor)`` (samples are township-scoped; topics are city-wide reference data read
with ``sampling.view_votetopic``) and go through this subpackage's FilterSets; page and export share them.

Public reads (``public_*``) never return a risk-monitoring result (风险监测) or a quick test as a published
finding, whatever ``published_at`` says: the exclusion is in the query, not only in the service that publishes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from apps.common.filters import filter_queryset, merge_filters
from apps.common.workdays import WorkdayCalendar, add_working_days, calendar_warnings, working_days_between
from apps.standards.models import TestItem

from ..choices import DisposalStatus, SampleKind, SamplingPurpose, TopicStatus, Verdict
from ..models import Disposal, ResultItem, Sample, SamplingDeadlines, SamplingPlan, VoteTopic
from .filters import (
    OUTCOME_PENDING,
    OVERDUE,
    PENDING,
    PUBLISHABLE_PURPOSES,
    PUBLISHED,
    PublicationFilterSet,
    PublicResultFilterSet,
    QuickTestFilterSet,
    VoteTopicFilterSet,
)

PUBLISH_WARN_WORKING_DAYS = 5  # the publication clock turns amber with this few working days left
PUBLIC_TOPIC_RESULTS_MAX = 10  # results shown under one adopted topic on the vote page (the rest: a link)
QUICK_TEST_NEGATIVE = "阴性"
QUICK_TEST_POSITIVE = "阳性"


# ---------------------------------------------------------------------------- configuration
def deadlines_in_force(on: dt.date | None = None) -> SamplingDeadlines:
    """The clocks in force on ``on`` (today): the row with the latest ``effective_from`` ≤ on, else the defaults
    of the model (an unsaved row: 20 working days to publish, 4 hours of quick-test objection …)."""
    on = on or timezone.localdate()
    return SamplingDeadlines.objects.in_force(on) or SamplingDeadlines(effective_from=on)


class DeadlinesBook:
    """Every ``SamplingDeadlines`` row (a handful), read once, for a page or a run that needs the clocks in force
    on many days: ``in_force(on)`` picks in Python, with the same rule as ``deadlines_in_force``."""

    def __init__(self):
        self._rows: list[SamplingDeadlines] | None = None

    def in_force(self, on: dt.date) -> SamplingDeadlines:
        if self._rows is None:
            self._rows = list(SamplingDeadlines.objects.order_by("-effective_from"))
        for row in self._rows:
            if row.effective_from <= on:
                return row
        return SamplingDeadlines(effective_from=on)


def _book_in_force(book: DeadlinesBook | None, on: dt.date) -> SamplingDeadlines:
    return book.in_force(on) if book is not None else deadlines_in_force(on)


# ---------------------------------------------------------------------------- 你点我检 topics (staff)
def _topics_visible(actor):
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return VoteTopic.objects.none()
    if not actor.has_perm("sampling.view_votetopic"):
        return VoteTopic.objects.none()
    return VoteTopic.objects.all()  # city-wide: every township's staff see the city's topics


def topic_list(*, actor, filters=None):
    qs = filter_queryset(VoteTopicFilterSet, _topics_visible(actor), filters)
    return qs.select_related("category", "township", "plan_line", "plan_line__plan", "plan_line__township").order_by(
        "-opens_on", "-vote_count", "-id"
    )


def topic_get(*, actor, pk) -> VoteTopic:
    return topic_list(actor=actor).get(pk=pk)


def topic_line_samples(*, actor, topic: VoteTopic, limit: int = 100) -> list[Sample]:
    """The samples (lab and quick tests) of an adopted topic's plan line that ``actor`` sees, newest first."""
    if not topic.plan_line_id:
        return []
    qs = Sample.objects.visible_to(actor).filter(task__plan_line_id=topic.plan_line_id)
    return list(_with_details(qs).order_by("-sampled_on", "-id")[:limit])


def topic_voting_open(topic: VoteTopic, *, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return topic.status == TopicStatus.OPEN and topic.opens_on <= today <= topic.closes_on


def topic_period(topic: VoteTopic) -> str:
    """The voting period a vote belongs to: the topic's opening day (a topic runs one period; it is stable because
    the opening day cannot change once votes exist)."""
    return topic.opens_on.isoformat()


def adoptable_plans():
    """Plans a topic can be adopted into: not closed, and never risk monitoring (你点我检 results are published back
    to the public, and monitoring results are not published as findings)."""
    return (
        SamplingPlan.objects.exclude(status="closed")
        .exclude(purpose=SamplingPurpose.MONITORING)
        .order_by("-year", "purpose", "name")
    )


# ---------------------------------------------------------------------------- 你点我检 (public)
@dataclass
class PublicTopic:
    topic: VoteTopic
    open: bool
    results: list  # published lab results of the adopted line (Sample rows), newest first
    quick_tests: list  # quick tests of the adopted line (Sample rows with .quick_items / .quick_clock)
    more_results: int = 0


def _public_sample_base(qs):
    """The one public rule: published, concluded, supervisory or evaluative, never a quick test."""
    return qs.filter(
        published_at__isnull=False,
        concluded_at__isnull=False,
        purpose__in=PUBLISHABLE_PURPOSES,
        is_quick_test=False,
    ).exclude(purpose=SamplingPurpose.MONITORING)


def public_topics(*, today: dt.date | None = None, now=None) -> dict:
    """The public vote page, in a fixed number of queries: the open topics (most votes first), the topics whose
    voting ended, and the adopted topics with the published results and quick tests of their plan lines."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    topics = list(
        VoteTopic.objects.select_related("category", "township", "plan_line", "plan_line__township").order_by(
            "-vote_count", "-opens_on", "id"
        )[:200]
    )
    open_, ended, adopted = [], [], []
    for t in topics:
        if topic_voting_open(t, today=today):
            open_.append(t)
        elif t.status == TopicStatus.ADOPTED and t.plan_line_id:
            adopted.append(t)
        elif t.opens_on <= today:
            ended.append(t)
    line_ids = [t.plan_line_id for t in adopted]
    results_by_line: dict[int, list] = {}
    quick_by_line: dict[int, list] = {}
    if line_ids:
        rows = _public_sample_base(Sample.objects.filter(task__plan_line_id__in=line_ids))
        for s in _with_public_details(rows).order_by("-published_at", "-id"):
            results_by_line.setdefault(s.task.plan_line_id, []).append(s)
        quick = (
            Sample.objects.filter(
                task__plan_line_id__in=line_ids, is_quick_test=True, quick_test_result_at__isnull=False
            )
            .exclude(purpose=SamplingPurpose.MONITORING)
            .select_related("task", "category", "quick_objection")
            .prefetch_related(_first_round_results())
            .order_by("-quick_test_result_at", "-id")
        )
        book = DeadlinesBook()
        for s in quick:
            s.quick_items = list(s.results.all())
            s.quick_clock = quick_test_clock(s, now=now, book=book)
            quick_by_line.setdefault(s.task.plan_line_id, []).append(s)
    shown = []
    for t in adopted:
        results = results_by_line.get(t.plan_line_id, [])
        shown.append(
            PublicTopic(
                t,
                False,
                results[:PUBLIC_TOPIC_RESULTS_MAX],
                quick_by_line.get(t.plan_line_id, [])[:PUBLIC_TOPIC_RESULTS_MAX],
                max(0, len(results) - PUBLIC_TOPIC_RESULTS_MAX),
            )
        )
    return {"open": open_, "ended": ended[:20], "adopted": shown}


def public_open_topic_count() -> int:
    today = timezone.localdate()
    return VoteTopic.objects.filter(status=TopicStatus.OPEN, opens_on__lte=today, closes_on__gte=today).count()


# ---------------------------------------------------------------------------- quick tests (快检)
def _first_round_results():
    return Prefetch(
        "results",
        queryset=ResultItem.objects.filter(is_recheck=False).select_related("test_item").order_by("test_item__order"),
    )


def quick_test_list(*, actor, filters=None):
    qs = Sample.objects.visible_to(actor).filter(is_quick_test=True)
    qs = filter_queryset(QuickTestFilterSet, qs, filters)
    return (
        qs.select_related("township", "category", "task", "task__plan_line", "quick_objection")
        .prefetch_related(_first_round_results())
        .order_by("-sampled_on", "-id")
    )


def quick_test_get(*, actor, pk) -> Sample:
    return quick_test_list(actor=actor).get(pk=pk)


def quick_test_items(sample: Sample) -> list[TestItem]:
    """The items a quick test of ``sample`` may report: those of its category or any category above it; when the
    catalogue lists none, every active item."""
    ids, category, depth = [], sample.category, 0
    while category is not None and depth < 4:
        ids.append(category.pk)
        category = category.parent
        depth += 1
    items = list(TestItem.objects.filter(is_active=True, categories__in=ids).distinct().order_by("order", "code"))
    return items or list(TestItem.objects.filter(is_active=True).order_by("order", "code")[:50])


def quick_test_positive(sample: Sample) -> bool:
    return any(r.verdict == Verdict.UNQUALIFIED for r in sample.results.all() if not r.is_recheck)


@dataclass
class QuickTestClock:
    """The objection window of a quick test of 食用农产品 (FSL Art 88 ¶2: 4 hours from the result, configurable)."""

    applies: bool  # 食用农产品 only
    hours: int
    ends_at: dt.datetime | None
    open: bool
    label: str


def quick_test_clock(sample: Sample, *, now=None, book: DeadlinesBook | None = None) -> QuickTestClock:
    """The window in force on the day of the result (``book`` reads the configuration once for many samples)."""
    now = now or timezone.now()
    if sample.quick_test_result_at is None:
        return QuickTestClock(False, 0, None, False, "快检结果尚未录入")
    deadlines = _book_in_force(book, timezone.localdate(sample.quick_test_result_at))
    hours = int(deadlines.quick_test_objection_hours)
    if sample.sample_kind != SampleKind.AGRICULTURAL:
        return QuickTestClock(False, hours, None, False, "非食用农产品：快检结果仅作筛查，阳性须转实验室检验")
    ends = sample.quick_test_result_at + dt.timedelta(hours=hours)
    if now < ends:
        left = ends - now
        minutes = int(left.total_seconds() // 60)
        label = f"异议期至 {timezone.localtime(ends):%m-%d %H:%M}（还剩 {minutes // 60} 小时 {minutes % 60} 分）"
        return QuickTestClock(True, hours, ends, True, label)
    return QuickTestClock(
        True, hours, ends, False, f"异议期（{hours} 小时）已于 {timezone.localtime(ends):%m-%d %H:%M} 届满"
    )


# ---------------------------------------------------------------------------- publication (staff)
def _publication_candidates(qs):
    """Samples whose results are published: concluded lab results of supervisory or evaluative sampling."""
    return qs.filter(purpose__in=PUBLISHABLE_PURPOSES, is_quick_test=False, concluded_at__isnull=False)


def _unqualified_items():
    return Prefetch(
        "results",
        queryset=ResultItem.objects.filter(verdict=Verdict.UNQUALIFIED)
        .select_related("test_item")
        .order_by("is_recheck", "test_item__order", "id"),
        to_attr="unqualified_items",
    )


def _with_details(qs):
    return qs.select_related("township", "category", "lab", "disposal").prefetch_related(_unqualified_items())


def publication_list(*, actor, filters=None, status: str = ""):
    """Publications (scoped), earliest due first, through ``PublicationFilterSet`` (page and export alike)."""
    params = merge_filters(filters, status=status)
    qs = filter_queryset(PublicationFilterSet, _publication_candidates(Sample.objects.visible_to(actor)), params)
    # unpublished first (earliest deadline first), then the published ones, newest first
    return _with_details(qs).order_by(
        F("published_at").desc(nulls_first=True), F("publish_due").asc(nulls_last=True), "id"
    )


def publication_get(*, actor, pk) -> Sample:
    return _with_details(_publication_candidates(Sample.objects.visible_to(actor))).get(pk=pk)


def publication_counts(*, actor) -> dict[str, int]:
    """The figures above the list, each the count of ``?status=<key>`` (one query)."""
    today = timezone.localdate()
    unpublished = Q(published_at__isnull=True)
    row = _publication_candidates(Sample.objects.visible_to(actor)).aggregate(
        **{
            PENDING: Count("id", filter=unpublished & (Q(publish_due__isnull=True) | Q(publish_due__gte=today))),
            OVERDUE: Count("id", filter=unpublished & Q(publish_due__lt=today)),
            PUBLISHED: Count("id", filter=Q(published_at__isnull=False)),
            OUTCOME_PENDING: Count(
                "id",
                filter=Q(
                    published_at__isnull=False,
                    disposal__status=DisposalStatus.CLOSED,
                    disposal__published_at__isnull=True,
                ),
            ),
        }
    )
    return {k: int(v or 0) for k, v in row.items()}


def _disposal_of(sample: Sample) -> Disposal | None:
    try:
        return sample.disposal
    except Disposal.DoesNotExist:
        return None


def publication_refusal(sample: Sample) -> str | None:
    """Why ``sample``'s result is never published (None: it is a publishable result)."""
    if sample.purpose == SamplingPurpose.MONITORING:
        return "风险监测结果用于发现风险隐患，不作为执法依据公开（不作为监督抽检结果公示）"
    if sample.is_quick_test:
        return "快检结果仅作筛查，不作为检验结论公开；阳性结果须转实验室检验"
    if sample.purpose not in PUBLISHABLE_PURPOSES:
        return "该任务类别的结果不公开"
    if sample.concluded_at is None or not sample.conclusion:
        return "尚未出具检验结论"
    return None


def publication_hold(sample: Sample, *, today: dt.date | None = None) -> str | None:
    """Why ``sample`` cannot be published today (None: it can). Publication waits until the enterprise has received
    an unqualified result, its 复检 window is over and any 复检 is concluded."""
    today = today or timezone.localdate()
    refusal = publication_refusal(sample)
    if refusal:
        return refusal
    if sample.published_at is not None:
        disposal = _disposal_of(sample)
        if disposal is not None and disposal.status == DisposalStatus.CLOSED and disposal.published_at is None:
            return None  # the outcome is what remains to publish
        return "已公开"
    disposal = _disposal_of(sample)
    if disposal is None:
        return None
    if disposal.status == DisposalStatus.OPEN:
        return "检验结果尚未送达被抽样单位（送达后公开）"
    if disposal.status == DisposalStatus.NOTIFIED and disposal.recheck_allowed and disposal.recheck_due:
        if today <= disposal.recheck_due:
            return f"复检申请期至 {disposal.recheck_due:%Y-%m-%d}，届满后公开"
    if disposal.status == DisposalStatus.RECHECKING:
        return "复检中：复检结论作出后公开"
    return None


def publish_due_for(concluded_at, *, calendar: WorkdayCalendar | None = None, book=None) -> dt.date:
    """The publication deadline: ``publish_workdays`` working days (in force on the conclusion day) after it."""
    day = timezone.localdate(concluded_at) if isinstance(concluded_at, dt.datetime) else concluded_at
    return add_working_days(day, int(_book_in_force(book, day).publish_workdays), calendar=calendar)


def outcome_publish_due(disposal: Disposal, *, calendar: WorkdayCalendar | None = None, book=None) -> dt.date | None:
    """The outcome of a closed disposal is published within the same working days of its closing."""
    if disposal is None or disposal.closed_on is None:
        return None
    days = int(_book_in_force(book, disposal.closed_on).publish_workdays)
    return add_working_days(disposal.closed_on, days, calendar=calendar)


@dataclass
class PublishClock:
    due: dt.date | None
    days_left: int
    tone: str  # ok | warn | overdue | done | none
    label: str
    warnings: list[str]


def publish_clock(sample: Sample, *, today: dt.date | None = None, calendar=None) -> PublishClock:
    calendar = calendar or WorkdayCalendar()
    today = today or timezone.localdate()
    due = sample.publish_due
    if sample.published_at is not None:
        on = timezone.localdate(sample.published_at)
        if due is None:
            return PublishClock(due, 0, "done", f"已于 {on:%Y-%m-%d} 公开", [])
        late = working_days_between(due, on, calendar=calendar)
        label = f"已于 {on:%Y-%m-%d} 公开" + (f"（超期 {late} 个工作日）" if late > 0 else "（按期）")
        return PublishClock(due, 0, "done", label, [])
    if due is None:
        return PublishClock(None, 0, "none", "尚未计算公开期限", [])
    left = working_days_between(today, due, calendar=calendar)
    if left < 0:
        tone, label = "overdue", f"已超过公开期限 {-left} 个工作日"
    elif left <= PUBLISH_WARN_WORKING_DAYS:
        tone, label = "warn", f"距公开期限还剩 {left} 个工作日"
    else:
        tone, label = "ok", f"距公开期限还剩 {left} 个工作日"
    return PublishClock(due, left, tone, label, calendar_warnings([today.year, due.year], calendar=calendar))


def publications_for_bulk(*, actor, ids, today: dt.date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    rows = _with_details(_publication_candidates(Sample.objects.visible_to(actor)).filter(pk__in=list(ids)))
    return [{"sample": s, "hold": publication_hold(s, today=today)} for s in rows.order_by("publish_due", "id")]


def publications_due(*, today: dt.date):
    """System-level (beat): unpublished results whose publication deadline has come."""
    return _publication_candidates(Sample.objects.all()).filter(published_at__isnull=True, publish_due__lte=today)


def outcomes_due():
    """System-level (beat): published results whose disposal is closed and whose outcome is not yet published."""
    return _publication_candidates(Sample.objects.all()).filter(
        published_at__isnull=False, disposal__status=DisposalStatus.CLOSED, disposal__published_at__isnull=True
    )


def publish_due_missing():
    """System-level (beat): concluded publishable results whose clock was never set (a safety net for the hook)."""
    return _publication_candidates(Sample.objects.all()).filter(publish_due__isnull=True, published_at__isnull=True)


# ---------------------------------------------------------------------------- public portal (no actor)
def _with_public_details(qs):
    return qs.select_related("task", "category", "township", "lab", "disposal").prefetch_related(_unqualified_items())


def public_results(*, filters=None):
    """Published results for the portal, newest first, through ``PublicResultFilterSet``."""
    qs = filter_queryset(PublicResultFilterSet, _public_sample_base(Sample.objects.all()), filters)
    return _with_public_details(qs).order_by("-published_at", "-id")


def public_result_get(number: str) -> Sample:
    """A published result by its 抽样单编号 (DoesNotExist for anything not published, monitoring or quick tests)."""
    return _with_public_details(_public_sample_base(Sample.objects.all())).get(number=number)


def public_disposal(sample: Sample) -> Disposal | None:
    """The disposal shown to the public: only once closed and its outcome published."""
    disposal = _disposal_of(sample)
    if disposal is None or disposal.status != DisposalStatus.CLOSED or disposal.published_at is None:
        return None
    return disposal


def public_results_count() -> int:
    return _public_sample_base(Sample.objects.all()).count()


def public_results_of_enterprises(enterprise_ids: Iterable[int]):
    return (
        _public_sample_base(Sample.objects.filter(enterprise_id__in=list(enterprise_ids)))
        .only("id", "number", "enterprise_id", "name", "sampled_on", "conclusion", "purpose", "published_at")
        .order_by("-sampled_on", "-id")
    )
