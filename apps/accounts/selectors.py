"""Reads for accounts. Townships are reference data: every user holding ``accounts.view_township`` reads all of them."""

import datetime as dt

from django.conf import settings
from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from apps.common.scoping import user_sees_all_townships

from .models import ApiClient, Township, TownshipPopulation, User


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


# ------------------------------------------------------------------ figures of the home pages (apps.dashboard)
POPULATION_YEARS = (2020, 2022)


def actor_townships(*, actor) -> list[Township]:
    """The township(s) an account belongs to, in the official order."""
    return list(actor.townships.order_by("order", "id"))


def township_population_table(*, actor, years=POPULATION_YEARS) -> dict:
    """Resident population per township for ``years`` (2 queries), scoped: city roles all, others their own.

    Returns {"years", "rows": [{"township", "cells": [TownshipPopulation | None per year]}],
             "totals": [{"population", "is_estimate"} per year]}.
    """
    years = tuple(years)
    townships = Township.objects.filter(is_active=True).order_by("order", "id")
    if not user_sees_all_townships(actor):
        townships = townships.filter(id__in=actor.township_ids())
    townships = townships.prefetch_related(
        Prefetch("populations", queryset=TownshipPopulation.objects.filter(year__in=years), to_attr="pops")
    )
    rows = []
    totals = [{"population": 0, "is_estimate": False, "complete": True} for _ in years]
    for township in townships:
        by_year = {p.year: p for p in township.pops}
        cells = [by_year.get(y) for y in years]
        for total, cell in zip(totals, cells, strict=True):
            if cell is None:
                total["complete"] = False
            else:
                total["population"] += cell.population
                total["is_estimate"] = total["is_estimate"] or cell.is_estimate
        rows.append({"township": township, "cells": cells})
    return {"years": years, "rows": rows, "totals": totals, "any_estimate": any(t["is_estimate"] for t in totals)}


def person_account_count(*, active: bool) -> int:
    """Accounts of people (not the service accounts of API clients), active or deactivated."""
    return User.objects.filter(is_service_account=False, is_active=active).count()


def active_township_count() -> int:
    return Township.objects.filter(is_active=True).count()


def valid_api_client_count() -> int:
    """API clients whose token works now: active, not revoked, not expired (``ApiClient.objects.active()``)."""
    return ApiClient.objects.active().count()


def _lockout_window() -> dt.timedelta:
    value = getattr(settings, "AXES_COOLOFF_TIME", 0.5)
    if isinstance(value, dt.timedelta):
        return value
    return dt.timedelta(hours=float(value))


def lockout_window_start(*, now=None) -> dt.datetime:
    return (now or timezone.now()) - _lockout_window()


def locked_account_count(*, now=None) -> int:
    """Usernames whose failures inside the cool-off window reached the limit (the axes rule, per username)."""
    from axes.models import AccessAttempt

    limit = getattr(settings, "AXES_FAILURE_LIMIT", 5)
    return (
        AccessAttempt.objects.filter(attempt_time__gte=lockout_window_start(now=now))
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=limit)
        .count()
    )


def failed_login_count(*, since: dt.datetime) -> int:
    """Rows of django-axes' failed-login log (one per username, address and browser) since ``since``."""
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(attempt_time__gte=since).count()
