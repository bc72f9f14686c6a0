"""Reads of the inspection fieldwork: tasks (mine / staff lists), the check items of a task, results and their
verification, rectification orders, publications and their clocks, the public results portal, the completed
inspections risk reads (its `inspections.completed` source) and the random-check completion figures of the home pages.

Every read for a signed-in actor starts from ``Model.objects.visible_to(actor)``; the public portal reads published
rows only (no actor).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from apps.common.filters import filter_queryset, merge_filters
from apps.common.workdays import WorkdayCalendar, calendar_warnings, working_days_between
from apps.standards.models import CheckItem

from ..choices import (
    OPEN_TASK_STATUSES,
    ItemVerdict,
    ObjectionDecision,
    PublicationStatus,
    ResultStatus,
    TaskKind,
    TaskStatus,
)
from ..models import (
    DrawPlan,
    InspectionResult,
    InspectionTask,
    Inspector,
    ItemResult,
    KeyInspectionRule,
    Objection,
    Photo,
    Publication,
    Rectification,
    TaskInspector,
)
from .filters import (
    UNPUBLISHED_STATUSES,
    MyTaskFilterSet,
    PublicationFilterSet,
    RectificationFilterSet,
    ResultFilterSet,
    TaskFilterSet,
    publication_due_between_q,
    publication_overdue_q,
)

CONTENT_FORMAT = "hn-inspection-record/1"
SEAL_SALT = "apps.inspections.result-seal"
PUBLICATION_WARN_WORKING_DAYS = 5  # the clock turns amber when this few working days are left


# ---------------------------------------------------------------------------- tasks
def _task_base(qs):
    return qs.select_related(
        "enterprise", "enterprise__township", "enterprise__business_type", "draw", "plan", "origin_task"
    ).prefetch_related(
        Prefetch("task_inspectors", queryset=TaskInspector.objects.select_related("inspector").order_by("order"))
    )


def task_list_for_inspector(*, actor):
    """The open tasks assigned to ``actor`` (through their Inspector profile), soonest due first (home page)."""
    return _task_base(
        InspectionTask.objects.visible_to(actor)
        .filter(task_inspectors__inspector__user=actor, status__in=OPEN_TASK_STATUSES)
        .order_by("due_date", "id")
    )


def my_tasks(*, actor, filters=None):
    """Only tasks the actor is assigned to, through ``MyTaskFilterSet``: ``show`` "open" (to do, the default) or
    "done" (finalised, newest first)."""
    qs = InspectionTask.objects.visible_to(actor).filter(
        pk__in=TaskInspector.objects.filter(inspector__user=actor).values("task_id")
    )
    qs = filter_queryset(MyTaskFilterSet, qs, filters or {"show": "open"})
    return _task_base(qs).annotate(
        needs_correction=Exists(
            Objection.objects.filter(
                publication__result__task=OuterRef("pk"),
                decision=ObjectionDecision.UPHELD,
                publication__status=PublicationStatus.HELD,
            )
        )
    )


def task_list(*, actor, filters=None):
    """Staff list of tasks (scoped), soonest due first, through ``TaskFilterSet`` (page and API alike)."""
    qs = filter_queryset(TaskFilterSet, InspectionTask.objects.visible_to(actor), filters)
    return _task_base(qs).order_by("due_date", "id")


def task_get(*, actor, pk) -> InspectionTask:
    """One task visible to ``actor`` (raises InspectionTask.DoesNotExist otherwise)."""
    return _task_base(InspectionTask.objects.visible_to(actor)).get(pk=pk)


def is_assigned(task: InspectionTask, user) -> bool:
    """Is ``user`` one of the task's inspectors? (uses the prefetched task_inspectors)"""
    return any(ti.inspector.user_id == user.pk for ti in task.task_inspectors.all())


def task_check_items(task: InspectionTask) -> list[CheckItem]:
    """The check items of a task: its own list, else its plan's list, else those for the business type."""
    own = list(task.check_items.active().order_by("order", "code"))
    if own:
        return own
    if task.plan_id:
        planned = list(task.plan.check_items.active().order_by("order", "code"))
        if planned:
            return planned
    return list(CheckItem.objects.active().for_business_type(task.enterprise.business_type))


def failed_check_items(result: InspectionResult) -> list[CheckItem]:
    """The items a re-check (整改复查) looks at again: those judged 不符合; if none, those 基本符合 (the order may
    concern remarks only); empty when the record found nothing wrong."""
    rows = sorted(result.items.all(), key=lambda ir: (ir.check_item.order, ir.check_item.code))
    for verdicts in ((ItemVerdict.NONCONFORM,), (ItemVerdict.NONCONFORM, ItemVerdict.BASIC)):
        found = [ir.check_item for ir in rows if ir.verdict in verdicts]
        if found:
            return found
    return []


@dataclass
class FollowedRectification:
    """What a re-check task is about: the order, and the failed items of the record that issued it (with notes)."""

    rectification: Rectification
    failed_items: list[ItemResult]


def rectification_followed_by(task: InspectionTask) -> FollowedRectification | None:
    """For a re-check task: the rectification order it verifies (None for other tasks)."""
    if task.kind != TaskKind.FOLLOW_UP:
        return None
    rect = (
        Rectification.objects.filter(follow_up_task=task)
        .select_related("task", "result")
        .prefetch_related(Prefetch("result__items", queryset=ItemResult.objects.select_related("check_item")))
        .first()
    )
    if rect is None:
        return None
    failed = {ci.pk for ci in failed_check_items(rect.result)}
    rows = sorted(
        (ir for ir in rect.result.items.all() if ir.check_item_id in failed),
        key=lambda ir: (ir.check_item.order, ir.check_item.code),
    )
    return FollowedRectification(rectification=rect, failed_items=rows)


@dataclass
class Contact:
    address: str
    person: str
    phone: str  # as shown: the full number, or masked without 查看联系电话全号
    tel: str  # "tel:" link target; empty when the number is masked or absent


def task_contact(task: InspectionTask, *, actor) -> Contact:
    """Where to go and whom to call: the business address and the contact phone (masked per SECURITY.md PII-01)."""
    from apps.enterprises.api.serializers import can_see_phone, mask_phone

    enterprise = task.enterprise
    raw = (enterprise.contact_phone or "").strip()
    full = bool(raw) and can_see_phone(actor)
    digits = "".join(ch for ch in raw if ch.isdigit() or ch == "+")
    return Contact(
        address=enterprise.business_address or enterprise.registered_address or "",
        person=enterprise.contact_person or enterprise.legal_representative or "",
        phone=raw if full or not raw else mask_phone(raw),
        tel=f"tel:{digits}" if full and digits else "",
    )


# ---------------------------------------------------------------------------- results
def results_of_task(task: InspectionTask) -> list[InspectionResult]:
    """All records of a task, revision order, with what the task page shows (a fixed number of queries)."""
    return list(
        InspectionResult.objects.filter(task=task)
        .select_related("finalised_by", "supersedes", "publication")
        .prefetch_related(
            Prefetch("items", queryset=ItemResult.objects.select_related("check_item")),
            Prefetch("photos", queryset=Photo.objects.order_by("uploaded_at", "id")),
            "rectifications",
        )
        .order_by("revision")
    )


def draft_of(results: list[InspectionResult]) -> InspectionResult | None:
    return next((r for r in results if r.status == ResultStatus.DRAFT), None)


def latest_final(results: list[InspectionResult]) -> InspectionResult | None:
    finals = [r for r in results if r.status == ResultStatus.FINAL]
    return finals[-1] if finals else None


def result_list(*, actor, filters=None):
    """Results (scoped) through ``ResultFilterSet``."""
    qs = filter_queryset(ResultFilterSet, InspectionResult.objects.visible_to(actor), filters)
    return (
        qs.select_related("task", "task__enterprise", "supersedes", "finalised_by")
        .prefetch_related(
            Prefetch("items", queryset=ItemResult.objects.select_related("check_item")),
            Prefetch("photos", queryset=Photo.objects.order_by("id")),
        )
        .order_by("task_id", "revision")
    )


def result_get(*, actor, pk) -> InspectionResult:
    return result_list(actor=actor).get(pk=pk)


def photo_get(*, actor, pk) -> Photo:
    return Photo.objects.visible_to(actor).select_related("result").get(pk=pk)


# ---------------------------------------------------------------------------- sealing (CRY-03-like)
def canonical_json(content: dict) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_digest(content: dict) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def seal_of(content_hash: str) -> str:
    """HMAC-SHA256 of the content hash under a key derived from SECRET_KEY: a new hash alone cannot be forged."""
    return salted_hmac(SEAL_SALT, content_hash, algorithm="sha256").hexdigest()


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _dec(value) -> str | None:
    return None if value is None else str(value)


def result_owned_content(result: InspectionResult) -> dict:
    """The part of the record that lives in the result's own rows (fields, verdicts, photos, signatures).

    Re-computed from the database when verifying; it must equal the same keys of ``sealed_content``.
    """
    items = sorted(
        ([ir.check_item.code, ir.check_item.item, ir.verdict, ir.note] for ir in result.items.all()),
        key=lambda row: row[0],
    )
    photos = sorted(p.sha256 for p in result.photos.all())
    return {
        "revision": result.revision,
        "outcome": result.outcome,
        "summary": result.summary,
        "inspected_at": _iso(result.inspected_at),
        "penalty": {
            "case_number": result.case_number,
            "kind": result.penalty_kind,
            "decision_no": result.penalty_decision_no,
            "amount": _dec(result.penalty_amount),
            "person_name": result.penalised_person_name,
            "person_position": result.penalised_person_position,
            "person_amount": _dec(result.penalised_person_amount),
        },
        "rectification": {
            "requirements": result.rectification_requirements,
            "working_days": result.rectification_working_days,
        },
        "items": items,
        "photos": photos,
        "signatures": {
            "inspector": result.inspector_signature_sha256,
            "operator": result.operator_signature_sha256,
            "operator_signer_name": result.operator_signer_name,
            "operator_refused": result.operator_refused_to_sign,
        },
        "location": None
        if result.latitude is None
        else [_dec(result.latitude), _dec(result.longitude), result.location_accuracy_m],
        "correction_reason": result.correction_reason,
        "finalised_at": _iso(result.finalised_at),
    }


def result_content(result: InspectionResult) -> dict:
    """The whole record as sealed at finalisation: the result's own content plus who/what/where it was about, as
    they were at that moment (the registry may change later; the record does not)."""
    task = result.task
    enterprise = task.enterprise
    inspectors = [
        {"badge": ti.inspector.badge_no, "name": ti.inspector.name, "unit": ti.inspector.unit}
        for ti in task.task_inspectors.select_related("inspector").order_by("order")
    ]
    return {
        "format": CONTENT_FORMAT,
        "public_id": str(result.public_id),
        "task": {"number": task.number, "kind": task.kind, "kind_label": task.get_kind_display()},
        "enterprise": {
            "name": enterprise.name,
            "uscc": enterprise.uscc or "",
            "address": enterprise.business_address or enterprise.registered_address,
            "legal_representative": enterprise.legal_representative,
            "business_type": str(enterprise.business_type),
            "township": enterprise.township.name if enterprise.township_id else "",
        },
        "inspectors": inspectors,
        "supersedes": result.supersedes.content_hash if result.supersedes_id else None,
        **result_owned_content(result),
    }


@dataclass
class Verification:
    stored_hash: str
    computed_hash: str
    hash_ok: bool
    seal_ok: bool
    rows_ok: bool
    files_ok: bool | None  # None: not checked here
    problems: list[str]

    @property
    def ok(self) -> bool:
        return self.hash_ok and self.seal_ok and self.rows_ok and self.files_ok is not False


def _file_sha256(field) -> str | None:
    try:
        field.open("rb")
        try:
            digest = hashlib.sha256()
            for chunk in field.chunks():
                digest.update(chunk)
            return digest.hexdigest()
        finally:
            field.close()
    except (OSError, ValueError):
        return None


def result_verify(result: InspectionResult, *, check_photos: bool = False) -> Verification:
    """Does the sealed record still match? Hash of the sealed JSON, its HMAC seal, the live rows against the sealed
    content, the signature files (small) and — if asked (nightly job) — the photo files against their digests."""
    problems = []
    sealed = result.sealed_content or {}
    computed = content_digest(sealed) if sealed else ""
    hash_ok = bool(sealed) and constant_time_compare(computed, result.content_hash)
    if not hash_ok:
        problems.append("封存内容的 SHA-256 与记录的内容哈希不一致")
    seal_ok = bool(result.seal) and constant_time_compare(seal_of(result.content_hash), result.seal)
    if not seal_ok:
        problems.append("内容封签（HMAC）校验失败")
    live = result_owned_content(result)
    differing = sorted(k for k, v in live.items() if sealed.get(k) != v)
    rows_ok = not differing
    if differing:
        problems.append("数据库中的记录与封存内容不一致：" + "、".join(differing))
    files_ok = True
    for label, field, digest in (
        ("检查人员签名", result.inspector_signature, result.inspector_signature_sha256),
        ("被检查单位签名", result.operator_signature, result.operator_signature_sha256),
    ):
        if field and _file_sha256(field) != digest:
            files_ok = False
            problems.append(f"{label}文件与记录的 SHA-256 不一致")
    if check_photos:
        for photo in result.photos.all():
            if _file_sha256(photo.file) != photo.sha256:
                files_ok = False
                problems.append(f"照片 {photo.pk} 的文件与上传时记录的 SHA-256 不一致")
    return Verification(
        stored_hash=result.content_hash,
        computed_hash=computed,
        hash_ok=hash_ok,
        seal_ok=seal_ok,
        rows_ok=rows_ok,
        files_ok=files_ok,
        problems=problems,
    )


# ---------------------------------------------------------------------------- key-inspection rules
def key_rules_in_force(*, on: dt.date) -> list[KeyInspectionRule]:
    return list(
        KeyInspectionRule.objects.filter(is_active=True, effective_from__lte=on)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
        .order_by("order", "code")
    )


def key_rule_matches(criteria: dict, attrs: dict) -> bool:
    """attrs: {"sector", "grade", "business_type", "business_type_parent", "food_categories": set}."""
    sectors = criteria.get("sectors") or []
    if sectors and attrs["sector"] not in sectors:
        return False
    grades = criteria.get("grades") or []
    if grades and attrs["grade"] not in grades:
        return False
    types = criteria.get("business_types") or []
    if types and attrs["business_type"] not in types and attrs["business_type_parent"] not in types:
        return False
    categories = criteria.get("food_categories") or []
    if categories and not (set(categories) & attrs["food_categories"]):
        return False
    return bool(sectors or grades or types or categories)


# ---------------------------------------------------------------------------- rectification
def rectification_list(*, actor, filters=None, overdue: bool = False, status: str = ""):
    """Rectification orders (scoped), nearest deadline first, through ``RectificationFilterSet``.

    ``overdue``/``status`` are fixed conditions for callers such as the home-page counts; they go through the
    FilterSet too.
    """
    params = merge_filters(filters, overdue=overdue, status=status)
    qs = filter_queryset(RectificationFilterSet, Rectification.objects.visible_to(actor), params)
    return qs.select_related(
        "task", "task__enterprise", "task__enterprise__township", "follow_up_task", "result"
    ).order_by("deadline", "id")


def rectification_get(*, actor, pk) -> Rectification:
    return Rectification.objects.visible_to(actor).get(pk=pk)


def overdue_rectification_count(*, actor) -> int:
    """Home-page KPI (``fn(actor=...)``): open rectification orders past their deadline, in the actor's scope."""
    return rectification_list(actor=actor, overdue=True).count()


def overdue_rectification_counts(*, actor) -> list[dict]:
    """Per township: overdue rectification orders (one query), for the township home page."""
    rows = (
        rectification_list(actor=actor, overdue=True)
        .values("task__enterprise__township__name", "task__enterprise__township__order")
        .annotate(n=Count("id"))
        .order_by("task__enterprise__township__order")
    )
    return [{"township": r["task__enterprise__township__name"] or "—", "count": r["n"]} for r in rows]


# ---------------------------------------------------------------------------- publication
def _publication_base(qs):
    return qs.select_related(
        "result",
        "result__task",
        "result__task__enterprise",
        "result__task__enterprise__township",
        "result__task__enterprise__business_type",
        "result__supersedes",
        "published_by",
    ).annotate(
        pending_objections=Count("objections", filter=Q(objections__decision=ObjectionDecision.PENDING)),
        upheld_objections=Count("objections", filter=Q(objections__decision=ObjectionDecision.UPHELD)),
    )


def publication_list(*, actor, filters=None, status: str = "", overdue: bool = False):
    """Publications (scoped), earliest due first, through ``PublicationFilterSet`` (page and API alike).

    ``status`` also takes ``unpublished`` (pending or held) and ``publishable`` (pending, objection window over)."""
    params = merge_filters(filters, overdue=overdue, status=status)
    qs = filter_queryset(PublicationFilterSet, Publication.objects.visible_to(actor), params)
    return _publication_base(qs).order_by("due_by", "id")


def publication_count(*, actor, filters=None) -> int:
    """How many publications ``publication_list`` shows with ``filters`` (a dashboard clock; no annotations)."""
    return filter_queryset(PublicationFilterSet, Publication.objects.visible_to(actor), filters).count()


def publication_clock_counts(*, actor, today: dt.date, soon_until: dt.date, township_id=None) -> tuple[int, int]:
    """(overdue, due from today to ``soon_until``) of the publications ``actor`` sees, in one query: the counts of
    the list's ``?overdue=1`` and ``?status=unpublished&due_by__gte=&due_by__lte=`` (the same conditions,
    ``filters.publication_overdue_q`` / ``publication_due_between_q``), ``township_id`` its ``?township=``."""
    qs = Publication.objects.visible_to(actor).order_by()
    if township_id is not None:
        qs = qs.filter(result__task__enterprise__township_id=township_id)
    out = qs.aggregate(
        overdue=Count("pk", filter=publication_overdue_q(today)),
        soon=Count("pk", filter=publication_due_between_q(today, soon_until)),
    )
    return out["overdue"], out["soon"]


def publication_publishable_on(publication: Publication) -> dt.date | None:
    """The first day staff (and the hourly beat) may publish: the day after the objection window ends."""
    if publication.objection_window_ends is None:
        return None
    return publication.objection_window_ends + dt.timedelta(days=1)


def publication_hold(publication: Publication, *, today: dt.date | None = None) -> str | None:
    """Why ``publication`` cannot be published today, in words (None: it can be published now)."""
    today = today or timezone.localdate()
    if not publication.can_transition_to(PublicationStatus.PUBLISHED):
        if publication.status == PublicationStatus.HELD:
            return "企业异议处理中：异议处理完毕（异议不成立）后公示"
        return f"当前状态（{publication.get_status_display()}）不能公示"
    ends = publication.objection_window_ends
    if ends is not None and today <= ends:
        return f"异议期至 {ends:%Y-%m-%d} 结束，{publication_publishable_on(publication):%Y-%m-%d} 起可公示"
    return None


def publications_for_bulk(*, actor, ids, today: dt.date | None = None) -> list[dict]:
    """The preview of 批量公示: each chosen publication in scope with ``hold`` (None: will be published)."""
    today = today or timezone.localdate()
    rows = _publication_base(Publication.objects.visible_to(actor).filter(pk__in=list(ids))).order_by("due_by", "id")
    return [{"publication": p, "hold": publication_hold(p, today=today)} for p in rows]


def publication_get(*, actor, pk) -> Publication:
    return _publication_base(Publication.objects.visible_to(actor)).get(pk=pk)


def unpublished_result_count(*, actor) -> int:
    """Home-page KPI: finalised results still waiting for publication (pending or held), ``?status=unpublished``."""
    return Publication.objects.visible_to(actor).filter(status__in=UNPUBLISHED_STATUSES).count()


def publication_feed(*, actor, updated_since=None, cursor=None):
    qs = Publication.objects.visible_to(actor).select_related("result", "result__task", "result__task__enterprise")
    qs = qs.order_by("updated_at", "id")
    if updated_since is not None:
        qs = qs.filter(updated_at__gte=updated_since)
    if cursor is not None:
        when, pk = cursor
        qs = qs.filter(Q(updated_at__gt=when) | Q(updated_at=when, pk__gt=pk))
    return qs


@dataclass
class Clock:
    """The 20-working-day publication clock of one result, as staff see it."""

    due_by: dt.date
    days_left: int  # working days from today to due_by (negative: overdue)
    tone: str  # "ok" | "warn" | "overdue" | "done"
    label: str
    warnings: list[str]


def publication_clock(publication: Publication, *, today: dt.date | None = None, calendar=None) -> Clock:
    calendar = calendar or WorkdayCalendar()
    today = today or timezone.localdate()
    if publication.status == PublicationStatus.PUBLISHED:
        on = timezone.localtime(publication.published_at).date()
        late = working_days_between(publication.due_by, on, calendar=calendar)
        label = f"已于 {on:%Y-%m-%d} 公示" + (f"（超期 {late} 个工作日）" if late > 0 else "（按期）")
        return Clock(publication.due_by, 0, "done", label, [])
    if publication.status == PublicationStatus.WITHDRAWN:
        return Clock(publication.due_by, 0, "done", "已撤回（已被更正记录替代）", [])
    left = working_days_between(today, publication.due_by, calendar=calendar)
    if left < 0:
        tone, label = "overdue", f"已超过公示期限 {-left} 个工作日"
    elif left <= PUBLICATION_WARN_WORKING_DAYS:
        tone, label = "warn", f"距公示期限还剩 {left} 个工作日"
    else:
        tone, label = "ok", f"距公示期限还剩 {left} 个工作日"
    warnings = calendar_warnings([today.year, publication.due_by.year], calendar=calendar)
    return Clock(publication.due_by, left, tone, label, warnings)


def objection_get(*, actor, pk) -> Objection:
    return Objection.objects.visible_to(actor).get(pk=pk)


def objections_of(publication: Publication) -> list[Objection]:
    return list(publication.objections.select_related("decided_by").order_by("submitted_at", "id"))


def publications_due(*, today: dt.date):
    """System-level (beat): pending publications whose objection window has ended."""
    return Publication.objects.filter(
        status=PublicationStatus.PENDING, objection_window_ends__lt=today, result__status=ResultStatus.FINAL
    ).order_by("due_by", "id")


# ---------------------------------------------------------------------------- public portal (no actor)
def public_results(*, q: str = ""):
    qs = (
        Publication.objects.filter(status=PublicationStatus.PUBLISHED)
        .select_related("result", "result__task", "result__task__enterprise", "result__task__enterprise__township")
        .order_by("-published_at", "-id")
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(result__task__enterprise__name__icontains=q) | Q(result__task__enterprise__uscc=q))
    return qs


def public_result_get(public_id) -> InspectionResult:
    """A finalised result by its public id (raises DoesNotExist for drafts and unknown ids)."""
    return (
        InspectionResult.objects.filter(status=ResultStatus.FINAL)
        .select_related("task", "task__enterprise", "supersedes")
        .prefetch_related(
            Prefetch("items", queryset=ItemResult.objects.select_related("check_item")),
            "photos",
        )
        .get(public_id=public_id)
    )


def public_publication_of(result: InspectionResult) -> Publication | None:
    return Publication.objects.filter(result=result).first()


def superseding_result(result: InspectionResult) -> InspectionResult | None:
    return InspectionResult.objects.filter(supersedes=result, status=ResultStatus.FINAL).first()


def public_base_url(request=None) -> str:
    """Absolute base for links printed on paper (QR codes): PUBLIC_BASE_URL, else the request's host."""
    base = getattr(settings, "PUBLIC_BASE_URL", "") or ""
    if base:
        return base.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return "http://localhost:8000"


ENTERPRISE_QUERY_MAX = 60  # characters: a name is at most a few dozen; longer input is refused, not searched
ENTERPRISE_SUGGESTIONS_MAX = 20


def enterprise_suggestions(*, actor, q: str, limit: int = ENTERPRISE_SUGGESTIONS_MAX):
    """Operating businesses in the actor's scope whose name contains ``q`` or whose USCC starts with it — exact name
    first, then names starting with ``q``. Returns (up to ``limit`` rows, whether there are more).

    Letters only also match the stored pinyin initials of the name (``gjdpd`` for 顾记大排档)."""
    from django.db.models import Case, IntegerField, Value, When

    from apps.enterprises.models import Enterprise

    q = " ".join((q or "").split())[:ENTERPRISE_QUERY_MAX]
    if not q:
        return [], False
    limit = max(1, min(int(limit), ENTERPRISE_SUGGESTIONS_MAX))
    cond = Q(name__icontains=q)
    if q.isascii() and q.isalnum():
        cond |= Q(uscc__startswith=q.upper())
        if q.isalpha():  # pinyin initials: "gjdpd" finds 顾记大排档 (apps/enterprises/pinyin.py)
            cond |= Q(name_initials__contains=q.lower())
    rows = list(
        Enterprise.objects.visible_to(actor)
        .operating()
        .filter(cond)
        .select_related("township", "business_type")
        .annotate(
            rank=Case(
                When(uscc=q.upper(), then=Value(0)),
                When(name=q, then=Value(0)),
                When(name__startswith=q, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "name", "pk")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


def enterprise_candidates(*, actor, text: str, pick=None):
    """The flying-inspection form: the business the user means. ``pick`` (an id chosen from the suggestions) wins;
    else an exact USCC or exact name; else the suggestions for the text. Returns (rows, more) like
    ``enterprise_suggestions`` — one row means "found"."""
    from apps.enterprises.models import Enterprise

    qs = Enterprise.objects.visible_to(actor).operating().select_related("township", "business_type")
    if pick:
        found = list(qs.filter(pk=pick)[:1])
        if found:
            return found, False
    text = " ".join((text or "").split())
    if text.startswith("#") and text[1:].isdigit():
        return list(qs.filter(pk=int(text[1:]))[:1]), False
    exact = list(qs.filter(uscc=text.upper())[:1]) if text.isascii() else []
    if exact:
        return exact, False
    named = list(qs.filter(name=text).order_by("pk")[:2])
    if len(named) == 1:
        return named, False
    return enterprise_suggestions(actor=actor, q=text)


def inspectors_for_choice(*, actor):
    """Active inspectors (in the actor's scope) that may be put on a task."""
    return (
        Inspector.objects.visible_to(actor).active().select_related("township").order_by("township__order", "badge_no")
    )


def overdue_inspection_count(*, actor) -> int:
    """Home-page KPI 逾期未检查: businesses with an open inspection task past its due date (in scope)."""
    return (
        InspectionTask.objects.visible_to(actor)
        .filter(status__in=OPEN_TASK_STATUSES, due_date__lt=timezone.localdate())
        .values("enterprise_id")
        .distinct()
        .count()
    )


# ---------------------------------------------------------------------------- completed inspections (risk's source)
def completed_inspections(enterprise_ids, year: int) -> dict[int, list[tuple[dt.date, bool]]]:
    """Inspection source for apps.risk.coverage: finalised tasks since 1 January of ``year - 2``.

    ``full_coverage`` (Order 49 floor): a routine, key or flying inspection whose check items were not narrowed
    (neither the task nor its plan lists a subset of items). Follow-up inspections of a rectification are not.
    """
    since = dt.date(year - 2, 1, 1)
    task_items = InspectionTask.check_items.through.objects.filter(inspectiontask_id=OuterRef("pk"))
    plan_items = DrawPlan.check_items.through.objects.filter(drawplan_id=OuterRef("plan_id"))
    rows = (
        InspectionTask.objects.filter(
            enterprise_id__in=enterprise_ids, status=TaskStatus.FINALISED, completed_at__date__gte=since
        )
        .annotate(narrowed_task=Exists(task_items), narrowed_plan=Exists(plan_items))
        .values_list("enterprise_id", "completed_at", "kind", "narrowed_task", "narrowed_plan")
    )
    out: dict[int, list[tuple[dt.date, bool]]] = defaultdict(list)
    for eid, completed, kind, narrowed_task, narrowed_plan in rows:
        full = kind != TaskKind.FOLLOW_UP and not narrowed_task and not narrowed_plan
        out[eid].append((timezone.localdate(completed), full))
    return dict(out)


# ---------------------------------------------------------------------------- home-page figures
# Each figure counts the rows of a list page opened with the filter named beside it (apps.dashboard links so).
def completion_task_filters(*, year: int, done: bool = False, township_id: int | None = None) -> dict:
    """Task-list parameters of the completion figures: this year's random checks, not cancelled (or finalised)."""
    params = {"kind": TaskKind.ROUTINE_RANDOM.value, "year": str(year)}
    if done:
        params["status"] = TaskStatus.FINALISED.value
    else:
        params["cancelled"] = "0"
    if township_id is not None:
        params["township"] = str(township_id)
    return params


def _completion_tasks(actor, year):
    return (
        InspectionTask.objects.visible_to(actor)
        .filter(kind=TaskKind.ROUTINE_RANDOM, due_date__year=year)
        .exclude(status=TaskStatus.CANCELLED)
    )


def _completion(total: int, done: int, year: int) -> dict:
    return {"year": year, "total": total, "done": done, "percent": round(100 * done / total) if total else None}


def inspection_completion(*, actor, year: int | None = None) -> dict:
    """This year's random-check tasks (not cancelled): ``total``, ``done`` (finalised), ``percent`` (None if 0)."""
    year = year or timezone.localdate().year
    counts = _completion_tasks(actor, year).aggregate(
        total=Count("id"), done=Count("id", filter=Q(status=TaskStatus.FINALISED))
    )
    return _completion(counts["total"], counts["done"], year)


def inspection_completion_by_township(*, actor, year: int | None = None) -> dict[int, dict]:
    """``inspection_completion`` per township id of the enterprise (one query)."""
    year = year or timezone.localdate().year
    rows = (
        _completion_tasks(actor, year)
        .order_by()
        .values("enterprise__township_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(status=TaskStatus.FINALISED)))
    )
    return {r["enterprise__township_id"]: _completion(r["total"], r["done"], year) for r in rows}
