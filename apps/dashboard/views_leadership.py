"""The leadership dashboard (驾驶舱, docs/dashboard.md): the city overview and one township's view. Read-only:
the pages answer GET only (a POST is 405), and every figure comes from ``leadership`` (other apps' selectors).

The figures are computed, rendered and kept for ``DASHBOARD_CACHE_SECONDS`` (default 300; 0: never kept) per
caller — their user, their townships and the permission generation are in the key, so a change of role or scope is
seen at once —, year and township (``apps.common.kept``); the page says when they were computed, and ``?fresh=1``
computes them again (docs/dashboard.md §4)."""

import hashlib

from django.conf import settings
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from apps.accounts import permcache
from apps.common.kept import kept
from apps.common.scoping import user_sees_all_townships, user_township_ids
from apps.common.viewmixins import ScopedDetailView, ScopedPageView

from . import leadership

PERMISSION = "dashboard.view_leadership"


class _LeadershipPage:
    permission_required = PERMISSION
    http_method_names = ["get", "head"]
    template_name = "dashboard/leadership/overview.html"
    township = None

    def get(self, request, *args, **kwargs):
        try:
            self.year = leadership.valid_year(request.GET.get("year"))
        except ValueError as exc:
            context = self.get_context_data(year_error=str(exc))
            return self.render_to_response(context, status=400)
        figures = kept(
            self.cache_key(request.user),
            lambda: self.compute(request),
            seconds=settings.DASHBOARD_CACHE_SECONDS,
            fresh=request.GET.get("fresh") == "1",
        )
        query = request.GET.copy()
        query["fresh"] = "1"
        return self.render_to_response(
            self.get_context_data(
                year=self.year,
                figures=figures,
                body=mark_safe(figures.data["body"]),
                as_of=figures.data["as_of"],
                has_chart=figures.data["has_chart"],
                fresh_url=f"?{query.urlencode()}",
            )
        )

    def cache_key(self, user) -> str:
        townships = ",".join(str(pk) for pk in sorted(user_township_ids(user) or ()))
        raw = f"{user.pk}|{user_sees_all_townships(user)}|{townships}|{permcache.generation()}"
        scope = hashlib.sha256(raw.encode()).hexdigest()[:16]
        return f"dashboard:figures:v1:{self.year}:{self.township.pk if self.township else 'city'}:{scope}"

    def compute(self, request) -> dict:
        """The figures, rendered (what is kept: text, not model instances)."""
        data = leadership.overview(request.user, year=self.year, township=self.township)
        context = {**self.get_context_data(), **data}
        return {
            "body": render_to_string("dashboard/leadership/_figures.html", context, request=request),
            "as_of": data["as_of"],
            "has_chart": bool(data["trends"]),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.setdefault("township", self.township)
        context["sees_all"] = user_sees_all_townships(user)
        context["city_url"] = reverse("dashboard:city")
        return context


class LeadershipCityView(_LeadershipPage, ScopedPageView):
    """The city overview: city roles see the city; a township role with one township is sent to its own view."""

    def get(self, request, *args, **kwargs):
        if not user_sees_all_townships(request.user):
            townships = leadership.visible_townships(request.user)
            if len(townships) == 1:
                url = reverse("dashboard:township", args=[townships[0].pk])
                query = request.GET.urlencode()
                return redirect(f"{url}?{query}" if query else url)
        return super().get(request, *args, **kwargs)


class LeadershipTownshipView(_LeadershipPage, ScopedDetailView):
    """One township's view (a township outside the actor's scope is 404)."""

    selector = staticmethod(leadership.township_get)
    context_object_name = "township"

    def get(self, request, *args, **kwargs):
        self.township = self.object
        return super().get(request, *args, **kwargs)
