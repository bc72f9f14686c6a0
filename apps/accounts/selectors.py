"""Reads for accounts. Townships are reference data: every user holding ``accounts.view_township`` reads all of them."""

from django.db.models import Prefetch, QuerySet

from .models import Township, TownshipPopulation


def township_list(*, actor, filters: dict | None = None) -> QuerySet[Township]:
    """All townships (active and inactive) with their populations by year, in the official order.

    Not row-scoped: the list of Haining's townships and their resident population is public reference data;
    the API still requires ``accounts.view_township`` (and scope ``reference:read`` for clients).
    """
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return Township.objects.none()
    qs = Township.objects.prefetch_related(
        Prefetch("populations", queryset=TownshipPopulation.objects.order_by("year"))
    ).order_by("order", "id")
    if filters:
        qs = qs.filter(**filters)
    return qs


def township_get(*, actor, code: str) -> Township:
    return township_list(actor=actor).get(code=code)
