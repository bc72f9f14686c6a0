"""Reads of the enterprise registry. Everything starts from ``Enterprise.objects.visible_to(actor)``.

The list selector states every join its consumers render (page, API, export), so their query count does not
depend on the number of rows (STYLE.md §3.5).
"""

from django.db.models import Count, Prefetch, Q, QuerySet

from apps.accounts.models import Township
from apps.common.filters import filter_queryset
from apps.common.scoping import user_sees_all_townships, user_township_ids
from apps.common.selectors import audit_events_for_object

from .filters import EnterpriseFilterSet
from .models import BusinessType, Enterprise, Licence


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
