"""Reads of the enterprise registry. Everything starts from ``Enterprise.objects.visible_to(actor)``.

The list selector states every join its consumers render (page, API, export), so their query count does not
depend on the number of rows (STYLE.md §3.5).
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from apps.accounts.models import Township
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
    fs = EnterpriseFilterSet(filters, queryset=qs)
    if not fs.is_valid():  # FilterSet.qs would silently drop invalid params
        raise ValidationError({key: list(messages) for key, messages in fs.errors.items()})
    return fs.qs


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
    """The audit events of this enterprise (create, updates, licences, status), newest first."""
    return audit_events_for_object(actor=actor, obj=enterprise)


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
