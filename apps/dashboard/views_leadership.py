"""The leadership dashboard (驾驶舱, docs/dashboard.md): the city overview and one township's view. Read-only:
the pages answer GET only (a POST is 405), and every figure comes from ``leadership`` (other apps' selectors)."""

from django.shortcuts import redirect
from django.urls import reverse

from apps.common.scoping import user_sees_all_townships
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
        return self.render_to_response(
            self.get_context_data(**leadership.overview(request.user, year=self.year, township=self.township))
        )

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
