"""Reads of the enterprise registry. Everything starts from ``Enterprise.objects.visible_to(actor)``.

The list selector states every join its consumers render (page, API, export), so their query count does not
depend on the number of rows (STYLE.md §3.5).
"""

import base64
import datetime as dt
import json

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.accounts.models import Township
from apps.common.filters import filter_queryset
from apps.common.scoping import user_sees_all_townships, user_township_ids
from apps.common.selectors import audit_events_for_object

from .filters import EnterpriseFilterSet
from .models import BusinessType, Enterprise, Licence

FEED_CURSOR_SALT = "enterprises.feed.v1"


def _base(actor) -> QuerySet[Enterprise]:
    return (
        Enterprise.objects.visible_to(actor)
        .select_related("township", "business_type")
        .prefetch_related(
            Prefetch("licences", queryset=Licence.objects.order_by("-is_active", "expires_on", "id")),
            "food_categories",
        )
        # by township, then name: served by the (township, name, id) index even at 300,000 rows
        .order_by("township_id", "name", "id")
    )


def apply_filters(qs: QuerySet, filters) -> QuerySet:
    return filter_queryset(EnterpriseFilterSet, qs, filters)  # invalid params raise (FilterSet.qs would drop them)


def enterprise_list(*, actor, filters=None, for_export: bool = False) -> QuerySet[Enterprise]:
    """Scoped, with townships, business types, licences and food categories loaded in a constant number of queries."""
    qs = _base(actor)
    if for_export:
        qs = qs.select_related("created_by", "updated_by")
    if filters is None:
        return qs
    return apply_filters(qs, filters)


def enterprise_get(*, actor, pk) -> Enterprise:
    """One row in the actor's scope; ``Enterprise.DoesNotExist`` (→ 404) when missing or out of scope."""
    try:
        return _base(actor).get(pk=int(pk))
    except (TypeError, ValueError):
        raise Enterprise.DoesNotExist from None


def enterprise_history(*, actor, enterprise: Enterprise):
    """The audit events of this enterprise (create, updates, licences, status) and of the Excel imports that
    created or changed it (one event per import; the row's fields come from ``enterprise_import_rows``), newest
    first."""
    from apps.common.models import AuditEvent

    from .models import ImportRecord, ImportRow

    imported = ImportRow.objects.filter(enterprise=enterprise, outcome__in=("new", "changed")).values("record_id")
    events = ImportRecord.objects.filter(pk__in=imported, audit_event__isnull=False).values("audit_event_id")
    own = audit_events_for_object(actor=actor, obj=enterprise)
    return (own | AuditEvent.objects.filter(pk__in=events)).order_by("-seq")


def enterprise_import_rows(*, enterprise: Enterprise, event_ids) -> dict:
    """{audit event id: this enterprise's ImportRow} for the import events among ``event_ids`` (one query)."""
    from .models import ImportRow

    rows = ImportRow.objects.filter(
        enterprise=enterprise, outcome__in=("new", "changed"), record__audit_event_id__in=list(event_ids)
    ).select_related("record")
    return {row.record.audit_event_id: row for row in rows}


def townships_for(actor) -> QuerySet[Township]:
    """Townships the actor may assign a new enterprise to (and filter by)."""
    qs = Township.objects.filter(is_active=True).order_by("order", "id")
    if actor is None or user_sees_all_townships(actor):
        return qs
    return qs.filter(pk__in=user_township_ids(actor))


def business_types_active() -> QuerySet[BusinessType]:
    return BusinessType.objects.filter(is_active=True).select_related("parent").order_by("order", "id")


# ---------------------------------------------------------------------------------------------------- change feed
def encode_cursor(updated_at: dt.datetime, pk: int) -> str:
    """Opaque, signed position (updated_at, id) in the feed; stable across pages and over time."""
    raw = json.dumps([updated_at.astimezone(dt.UTC).isoformat(timespec="microseconds"), pk], separators=(",", ":"))
    return signing.Signer(salt=FEED_CURSOR_SALT).sign(base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        payload = signing.Signer(salt=FEED_CURSOR_SALT).unsign(cursor)
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
        stamp, pk = json.loads(raw)
        when = dt.datetime.fromisoformat(stamp)
        if timezone.is_naive(when) or not isinstance(pk, int):
            raise ValueError
        return when, pk
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationError({"cursor": ["游标无效（请使用上一次响应中的 next_cursor）"]}) from None


def parse_updated_since(value: str) -> dt.datetime:
    """ISO-8601 date-time (a zone-less value is Asia/Shanghai time) or a plain date (its midnight)."""
    text = (value or "").strip().replace(" ", "+") if "T" in (value or "") else (value or "").strip()
    when = None
    try:
        when = parse_datetime(text)
        if when is None:
            day = parse_date(text)
            if day is not None:
                when = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        when = None
    if when is None:
        raise ValidationError({"updated_since": ["时间格式无效，应为 ISO-8601，例如 2025-01-31T08:00:00+08:00"]})
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


def enterprise_feed(*, actor, filters=None, updated_since=None, cursor=None) -> QuerySet[Enterprise]:
    """Rows changed at or after ``updated_since`` and strictly after ``cursor``, ordered by (updated_at, id).

    Deactivated (停业) and cancelled (注销) rows are included; their ``status`` says so. Rows are never deleted,
    so a status change is how a removal reaches a subscriber.
    """
    qs = enterprise_list(actor=actor, filters=filters).order_by("updated_at", "id")
    if updated_since is not None:
        qs = qs.filter(updated_at__gte=updated_since)
    if cursor is not None:
        when, pk = cursor
        qs = qs.filter(Q(updated_at__gt=when) | Q(updated_at=when, pk__gt=pk))
    return qs


def enterprise_count(*, actor) -> int:
    """Operating businesses visible to the actor (the registry figure on the home pages)."""
    return Enterprise.objects.visible_to(actor).operating().count()


def public_enterprise_lookup(q: str, *, limit: int) -> list[Enterprise]:
    """一公开 lookup (no actor: the registry's public face — name, USCC, township, business type, status, address).

    Name contains ``q`` or the USCC equals ``q`` (any case); at most ``limit`` rows, by name. One query.
    """
    q = (q or "").strip()
    if not q:
        return []
    return list(
        Enterprise.objects.filter(Q(name__icontains=q) | Q(uscc=q.upper()))
        .select_related("township", "business_type")
        .order_by("name", "id")[:limit]
    )


# The filter that lists exactly the rows enterprise_count counts (home-page figures link with it).
OPERATING_FILTER = {"status": "operating"}


def enterprise_counts_by_township(*, actor) -> dict[int, int]:
    """Operating businesses per township id (one query), in the actor's scope — the leadership table."""
    rows = (
        Enterprise.objects.visible_to(actor)
        .operating()
        .order_by()
        .values("township_id")
        .annotate(n=Count("id"))
        .values_list("township_id", "n")
    )
    return dict(rows)
