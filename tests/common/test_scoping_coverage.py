"""Scoping coverage (STYLE.md §3.6, SECURITY.md ACL-10): no route or admin of a scoped model bypasses the mixins,
and no API view relies on the global default permission.

Discovery is automatic: the API views and the HTML pages come from walking the root URL resolver, the admins from
``admin.site._registry`` (with their inlines). A new app's endpoints and admins are checked the day they are added.
A *scoped model* is one whose default manager offers ``visible_to(user)`` (SCOPE_PATH models and e.g. Job).

Exemptions are reviewed: each one names the class and says why. An exemption that no longer matches anything fails
too, so the list cannot rot.
"""

from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from apps.accounts.models import Township, User
from apps.common.admin import ScopedAdminMixin
from apps.common.api.mixins import ScopedViewSetMixin
from apps.common.models import Job
from apps.common.permissions import ModelPermissions
from apps.common.scoping import is_scoped_model
from tests.helpers.scoped_api import api_routes

# "module.ClassName" of an API view serving a scoped model without ScopedViewSetMixin -> reason.
API_SCOPING_EXEMPT: dict[str, str] = {}

# "module.ClassName" of an API view allowed to use AllowAny -> reason. (None: everything needs sign-in.)
API_PUBLIC: dict[str, str] = {}

# "app_label.Model" whose admin (or inline) may skip ScopedAdminMixin -> reason.
ADMIN_SCOPING_EXEMPT: dict[str, str] = {}

# Gaps found by this test in code owned elsewhere, tolerated only until the owner fixes them (then the entry must go:
# test_known_gaps_are_still_gaps fails once a gap is closed). Never add a new endpoint or admin here.
KNOWN_GAPS: dict[str, str] = {}


def _without_known_gaps(problems):
    return [p for p in problems if not any(p.startswith(gap) for gap in KNOWN_GAPS)]


def _name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def served_model(view_class):
    queryset = getattr(view_class, "queryset", None)
    if queryset is not None:
        return queryset.model
    meta = getattr(getattr(view_class, "serializer_class", None), "Meta", None)
    return getattr(meta, "model", None)


def _relies_on_global_default(view_class) -> bool:
    perms = getattr(view_class, "permission_classes", None)
    # APIView.permission_classes is the settings list itself: a view that never set its own still holds it.
    return perms is APIView.permission_classes or perms is api_settings.DEFAULT_PERMISSION_CLASSES


def anonymous_queryset(view_class):
    """What ``get_queryset()`` gives an anonymous caller (no HTTP round trip, no rows needed)."""
    request = Request(APIRequestFactory().get("/"))
    request.user = AnonymousUser()
    request.auth = None
    view = view_class()
    view.request, view.args, view.kwargs, view.format_kwarg = request, (), {}, None
    view.action = "list"
    return view.get_queryset()


def _queryset_problem(view_class) -> str | None:
    """Behavioural check: every visible_to() answers .none() for an anonymous caller, and chaining (prefetch,
    annotate, filter) keeps it empty. A get_queryset that starts from Model.objects.all() does not."""
    try:
        queryset = anonymous_queryset(view_class)
    except Exception as exc:  # noqa: BLE001 - report, do not crash the walk
        return f"get_queryset() could not be evaluated for an anonymous caller ({type(exc).__name__}: {exc})"
    if not queryset.query.is_empty():
        return "get_queryset() does not start from visible_to() (an anonymous caller would get rows)"
    return None


def api_view_problems(view_classes) -> list[str]:
    problems = []
    for cls in sorted(set(view_classes), key=_name):
        name = _name(cls)
        perms = getattr(cls, "permission_classes", None)
        if _relies_on_global_default(cls):
            problems.append(f"{name}: relies on the global default permission (declare permission_classes)")
        elif not perms:
            problems.append(f"{name}: empty permission_classes")
        elif AllowAny in perms and name not in API_PUBLIC:
            problems.append(f"{name}: AllowAny without a reviewed reason in API_PUBLIC")
        model = served_model(cls)
        if model is not None and is_scoped_model(model):
            if not issubclass(cls, ScopedViewSetMixin):
                if name not in API_SCOPING_EXEMPT:
                    problems.append(f"{name}: serves scoped model {model._meta.label} without ScopedViewSetMixin")
                continue
        if issubclass(cls, ScopedViewSetMixin) and getattr(cls, "selector", None) is None:
            problems.append(f"{name}: ScopedViewSetMixin without a selector")
            continue
        if issubclass(cls, ScopedViewSetMixin) or (model is not None and is_scoped_model(model)):
            problem = _queryset_problem(cls)
            if problem:
                problems.append(f"{name}: {problem}")
    return problems


def _inline_scoped_inputs(inline, parent_model) -> list[str]:
    """Form inputs of an inline that choose rows of a scoped model (besides the link to the parent row, which the
    parent admin already scopes). Unless the inline narrows them (ScopedAdminMixin), they accept foreign ids."""
    readonly = set(getattr(inline, "readonly_fields", ()) or ())
    shown = set(inline.fields) if getattr(inline, "fields", None) else None
    excluded = set(getattr(inline, "exclude", None) or ())
    out = []
    for field in inline.model._meta.get_fields():
        if not (field.concrete and (field.many_to_one or field.many_to_many) and field.editable):
            continue
        if field.related_model is None or not is_scoped_model(field.related_model):
            continue
        if (
            field.many_to_one
            and field.related_model is parent_model
            and getattr(inline, "fk_name", None)
            in (
                None,
                field.name,
            )
        ):
            continue  # the parent link
        if field.name in readonly or field.name in excluded or (shown is not None and field.name not in shown):
            continue
        out.append(field.name)
    return out


def admin_problems(registry) -> list[str]:
    problems = []
    for model, model_admin in registry.items():
        label = model._meta.label
        if (
            is_scoped_model(model)
            and not isinstance(model_admin, ScopedAdminMixin)
            and label not in ADMIN_SCOPING_EXEMPT
        ):
            problems.append(f"admin of {label} ({type(model_admin).__name__}) is not a ScopedAdminMixin")
        for inline in model_admin.inlines:
            if issubclass(inline, ScopedAdminMixin) or inline.model._meta.label in ADMIN_SCOPING_EXEMPT:
                continue
            inputs = _inline_scoped_inputs(inline, model)
            if inputs:
                problems.append(
                    f"inline {inline.__name__} of {label}: {', '.join(inputs)} choose scoped rows unnarrowed"
                    " (make it a ScopedAdminMixin)"
                )
    return problems


def discovered_api_views():
    views = {route.view_class for route in api_routes("api/")}
    views.discard(None)
    return views


# ---------------------------------------------------------------- the checks on the real project
def test_api_views_are_discovered_from_the_resolver():
    names = {_name(v) for v in discovered_api_views()}
    assert "apps.common.api.views.JobViewSet" in names
    assert "apps.accounts.api.views.TownshipViewSet" in names
    assert "apps.common.api.views.ApiNotFoundView" in names


def test_no_api_view_bypasses_scoping_or_relies_on_the_default_permission():
    problems = _without_known_gaps(api_view_problems(discovered_api_views()))
    assert not problems, "\n".join(problems)


def test_no_admin_bypasses_scoping():
    problems = _without_known_gaps(admin_problems(admin.site._registry))
    assert not problems, "\n".join(problems)


def test_known_gaps_are_still_gaps():
    problems = admin_problems(admin.site._registry) + api_view_problems(discovered_api_views())
    closed = [gap for gap in KNOWN_GAPS if not any(p.startswith(gap) for p in problems)]
    assert not closed, f"fixed, remove from KNOWN_GAPS: {closed}"


def test_exemptions_still_match_something():
    api_names = {_name(v) for v in discovered_api_views()}
    stale = [n for n in {**API_SCOPING_EXEMPT, **API_PUBLIC} if n not in api_names]
    admin_labels = {m._meta.label for m in admin.site._registry} | {
        i.model._meta.label for a in admin.site._registry.values() for i in a.inlines
    }
    stale += [label for label in ADMIN_SCOPING_EXEMPT if label not in admin_labels]
    assert not stale, f"stale exemptions: {stale}"


# ---------------------------------------------------------------- test the test: bad views and admins are flagged
class _JobOut(serializers.ModelSerializer):
    class Meta:
        model = Job
        fields = ["id"]


class UnscopedJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Serves a scoped model straight from the manager: every job of every user."""

    queryset = Job.objects.all()
    serializer_class = _JobOut
    permission_classes = [ModelPermissions]


class DefaultPermissionViewSet(viewsets.ReadOnlyModelViewSet):
    """Declares no permission_classes: relies on the global default."""

    queryset = Township.objects.all()


class SerializerOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """No queryset attribute; the model is found through the serializer."""

    serializer_class = _JobOut
    permission_classes = [ModelPermissions]

    def get_queryset(self):
        return Job.objects.all()


class SelectorBypassViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Job.objects.none()
    serializer_class = _JobOut
    selector = staticmethod(lambda *, actor: Job.objects.visible_to(actor))

    def get_queryset(self):
        return Job.objects.all()


class NoSelectorViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Job.objects.none()
    serializer_class = _JobOut


class OpenView(APIView):
    permission_classes = [AllowAny]


class GoodViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Job.objects.none()
    serializer_class = _JobOut
    selector = staticmethod(lambda *, actor: Job.objects.visible_to(actor))


def test_checker_flags_each_kind_of_bad_view():
    problems = "\n".join(
        api_view_problems(
            [
                UnscopedJobViewSet,
                DefaultPermissionViewSet,
                SerializerOnlyViewSet,
                SelectorBypassViewSet,
                NoSelectorViewSet,
                OpenView,
            ]
        )
    )
    assert "UnscopedJobViewSet: serves scoped model common.Job without ScopedViewSetMixin" in problems
    assert "DefaultPermissionViewSet: relies on the global default permission" in problems
    assert "SerializerOnlyViewSet: serves scoped model common.Job" in problems
    assert "SelectorBypassViewSet: get_queryset() does not start from visible_to()" in problems
    assert "NoSelectorViewSet: ScopedViewSetMixin without a selector" in problems
    assert "OpenView: AllowAny without a reviewed reason" in problems
    assert api_view_problems([GoodViewSet]) == []


def test_checker_flags_a_function_view_without_permission_classes():
    from rest_framework.decorators import api_view, permission_classes

    @api_view(["GET"])
    def bare(request):
        return None

    @api_view(["GET"])
    @permission_classes([ModelPermissions])
    def declared(request):
        return None

    assert "relies on the global default permission" in "".join(api_view_problems([bare.cls]))
    assert api_view_problems([declared.cls]) == []


def test_checker_flags_an_unscoped_admin_and_inline():
    class MembershipInline(admin.TabularInline):
        model = User.townships.through  # user (scoped) is the parent link: harmless

    class JobInline(admin.TabularInline):
        model = Job  # created_by chooses a (scoped) User
        fk_name = "created_by"

    class JobInlineReadOnly(admin.TabularInline):
        model = Job
        fk_name = "created_by"
        readonly_fields = ["created_by"]

    site = admin.AdminSite(name="coverage-test")
    site.register(Job, admin.ModelAdmin)  # scoped model, plain admin

    class UserAdmin(ScopedAdminMixin, admin.ModelAdmin):
        inlines = [MembershipInline, JobInlineReadOnly]

    class TownshipAdmin(admin.ModelAdmin):
        inlines = [JobInline]

    site.register(User, UserAdmin)
    site.register(Township, TownshipAdmin)

    class ScopedJobAdmin(ScopedAdminMixin, admin.ModelAdmin):
        pass

    good = admin.AdminSite(name="coverage-good")
    good.register(Job, ScopedJobAdmin)

    problems = "\n".join(admin_problems(site._registry))
    assert "admin of common.Job (ModelAdmin) is not a ScopedAdminMixin" in problems
    assert "inline JobInline of accounts.Township: created_by choose scoped rows unnarrowed" in problems
    assert "MembershipInline" not in problems and "JobInlineReadOnly" not in problems
    assert "admin of accounts.User" not in problems
    assert admin_problems(good._registry) == []


# ---------------------------------------------------------------- HTML routes (issue 9 point 3)
# Every page outside /api/ and the admin site, found by walking the root resolver like the API views above.
# Two checks. By class: every page not reviewed here as public is a class on the scoped bases of
# apps/common/viewmixins.py (ScopedListView, ScopedDetailView, ScopedFormView, ScopedActionView, ScopedPageView:
# login, a declared permission, the row through a selector), so a new app's function view or bare Django view fails
# here; and no class, public or not, serves a scoped model around them. By request: no page answers an anonymous
# caller or a signed-in user without permissions with content, unless it is reviewed here as public.

# "route regex" -> why anyone (also anonymous) may open it.
HTML_PUBLIC: dict[str, str] = {
    "accounts/login/": "the login page",
    "accounts/login/verify/": "login step two (TOTP / recovery code): only with the password step's pending marker",
    "accounts/login/enrol/": "login step two at first login (bind an authenticator): only with the pending marker",
    "accounts/logout/": "signs out (POST only; GET answers 405)",
    "public/": "一公开: the portal index",
    "public/enterprises/": "一公开: enterprise lookup (published results; the grade when the city publishes grades)",
    "public/tools/verify_draw\\.py": "一公开: the draw verifier for citizens",
    "public/draws/": "一公开: the published draw records",
    "public/draws/(?P<draw_uid>[^/]+)/": "一公开: one published draw record",
    "public/draws/(?P<draw_uid>[^/]+)/json/": "一公开: the draw record for tools/verify_draw.py",
    "public/results/": "一公开: published inspection results",
    "public/results/(?P<public_id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/": "一公开: one result",
    "public/sampling/votes/": "你点我检: citizens vote without an account (open topics, adopted topics' published results)",
    "public/sampling/votes/(?P<pk>[0-9]+)/": "你点我检: cast a vote (POST only, CSRF, rate-limited; GET answers 405)",
    "public/sampling/results/": "一公开: published supervisory and evaluative sampling results (never risk monitoring)",
    "public/sampling/results/(?P<number>[^/]+)/": "一公开: one published sampling result, by its 抽样单编号",
    "public/complaints/": "投诉举报: citizens complain or report without an account (POST: CSRF, rate-limited, idempotent)",
    "public/complaints/status/": "投诉举报: status and feedback by query code (POST, rate-limited; never the identity)",
}
# "route regex" -> why every signed-in user (without any permission) may open it.
HTML_ANY_SIGNED_IN: dict[str, str] = {
    "": "the home page: each role's own figures (a user without a role gets the default home)",
    "accounts/password/": "change one's own password (forced when expired or initial: AUTH-02/03)",
    "accounts/otp/": "one's own recovery codes: how many are left, regenerate (AUTH-06)",
}
ADMIN_PREFIX = "manage/"


def html_routes():
    return [r for r in api_routes("") if not r.regex.startswith(("api/", ADMIN_PREFIX))]


def _sample_path(route) -> str | None:
    """The route with sample arguments: ids that exist nowhere, so a page can only answer 302/403/404/405."""
    import itertools
    import uuid

    from django.urls import Resolver404, resolve

    samples = ("999999", str(uuid.uuid4()), "0" * 32, "x")
    if not route.params:
        return "/" + route.template
    for combo in itertools.product(samples, repeat=len(route.params)):
        candidate = "/" + route.template % dict(zip(route.params, combo, strict=True))
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate
    return None


def _callback_name(callback) -> str:
    return f"{callback.__module__}.{callback.__qualname__}"


def html_view_class_problems(routes) -> list[str]:
    """Each non-public route's view is a class on the scoped bases with a declared permission (``()``, any signed-in
    user, only on HTML_ANY_SIGNED_IN pages); a base that reads rows has a selector; no view serves a scoped model
    around ScopedQuerysetMixin."""
    from apps.common.viewmixins import ScopedAccessMixin, ScopedObjectMixin, ScopedQuerysetMixin

    problems = []
    for route in routes:
        public = route.regex in HTML_PUBLIC
        cls = getattr(route.callback, "view_class", None)
        if cls is None:
            if not public:
                problems.append(
                    f"{route.regex}: function view {_callback_name(route.callback)} is not a class on the scoped bases"
                    " (apps/common/viewmixins.py)"
                )
            continue
        if issubclass(cls, ScopedAccessMixin):
            perms = cls.permission_required
            if perms is None:
                problems.append(f"{_name(cls)}: declares no permission_required")
            elif not perms and route.regex not in HTML_ANY_SIGNED_IN:
                problems.append(f"{_name(cls)}: permission_required is empty (any signed-in user) on {route.regex}")
        elif not public:
            problems.append(f"{_name(cls)}: {route.regex} is not on the scoped bases (apps/common/viewmixins.py)")
        for base in (ScopedQuerysetMixin, ScopedObjectMixin):
            if issubclass(cls, base) and getattr(cls, "selector", None) is None:
                problems.append(f"{_name(cls)}: {base.__name__} without a selector")
        model = getattr(cls, "model", None) or getattr(getattr(cls, "queryset", None), "model", None)
        if model is not None and is_scoped_model(model) and not issubclass(cls, ScopedQuerysetMixin):
            problems.append(f"{_name(cls)}: serves scoped model {model._meta.label} without ScopedQuerysetMixin")
    return problems


def html_access_problems(client, routes, user=None) -> list[str]:
    """Anonymous: the login page (or 405 for a POST-only page). Signed in without permissions: 403/404/405."""
    problems = []
    if user is not None:
        client.force_login(user)
    for route in routes:
        if route.regex in HTML_PUBLIC or (user is not None and route.regex in HTML_ANY_SIGNED_IN):
            continue
        path = _sample_path(route)
        if path is None:
            problems.append(f"{route.regex}: no sample arguments resolve")
            continue
        response = client.get(path)
        code = response.status_code
        if user is None:
            to_login = code == 302 and "/accounts/login/" in response.get("Location", "")
            if not (to_login or code == 405):
                problems.append(f"{route.regex}: anonymous GET {path} answered {code} (expected the login page)")
        elif code not in (403, 404, 405):
            problems.append(f"{route.regex}: a user without permissions got {code} for GET {path}")
    return problems


def test_html_routes_are_discovered_from_the_resolver():
    regexes = {r.regex for r in html_routes()}
    assert {"enterprises/", "audit/", "jobs/", "risk/grades/", "inspections/tasks/"} <= regexes
    assert not any(r.startswith(("api/", ADMIN_PREFIX)) for r in regexes)


def test_html_pages_are_classes_on_the_scoped_bases():
    problems = html_view_class_problems(html_routes())
    assert not problems, "\n".join(problems)
    names = {_name(getattr(r.callback, "view_class", object)) for r in html_routes()}
    # a list, a detail, a form, an action and a page of each kind the bases offer
    assert {
        "apps.common.views_audit.AuditListView",
        "apps.common.views_jobs.JobListView",
        "apps.enterprises.views.EnterpriseListView",
        "apps.risk.views.AssessmentListView",
        "apps.risk.views.CoverageView",
        "apps.inspections.draws.views.PlanListView",
        "apps.inspections.fieldwork.views.TaskListView",
        "apps.inspections.fieldwork.views.RectificationListView",
        "apps.inspections.fieldwork.views.PublicationListView",
        "apps.enterprises.views.EnterpriseDetailView",
        "apps.enterprises.views.EnterpriseEditView",
        "apps.enterprises.views.EnterpriseReactivateView",
        "apps.inspections.fieldwork.views.MyTasksView",
        "apps.risk.views.OverrideListView",
        "apps.dashboard.views.HomeView",
    } <= names


def test_no_html_page_opens_for_anonymous_callers(client, db):
    problems = html_access_problems(client, html_routes())
    assert not problems, "\n".join(problems)


def test_no_html_page_opens_without_permissions(client, user_without_perms):
    problems = html_access_problems(client, html_routes(), user=user_without_perms)
    assert not problems, "\n".join(problems)


def test_html_exemptions_still_match_something():
    regexes = {r.regex for r in html_routes()}
    stale = [r for r in {**HTML_PUBLIC, **HTML_ANY_SIGNED_IN} if r not in regexes]
    assert not stale, f"stale exemptions: {stale}"


def test_html_checker_flags_each_kind_of_bad_page(client, db):
    from django.http import HttpResponse
    from django.views.generic import ListView, TemplateView

    from apps.common.selectors import job_get
    from apps.common.viewmixins import ScopedDetailView, ScopedListView, ScopedPageView

    def bare_page(request):  # what a new app's function view that skips the bases looks like
        return HttpResponse("rows of every township")

    class UnscopedJobList(ListView):
        model = Job

    class PlainPage(TemplateView):
        template_name = "base.html"

    class NoSelectorList(ScopedListView):
        permission_required = "common.view_job"

    class NoSelectorDetail(ScopedDetailView):
        permission_required = "common.view_job"

    class NoPermissionPage(ScopedPageView):
        pass

    class AnySignedInPage(ScopedPageView):
        permission_required = ()

    class GoodDetail(ScopedDetailView):
        permission_required = "common.view_job"
        selector = staticmethod(job_get)

    class Route:
        def __init__(self, callback, regex="x/"):
            self.callback, self.regex, self.params, self.template = callback, regex, (), regex

    bad = [bare_page, *(v.as_view() for v in (UnscopedJobList, PlainPage, NoSelectorList, NoSelectorDetail))]
    bad += [NoPermissionPage.as_view(), AnySignedInPage.as_view()]
    problems = "\n".join(html_view_class_problems([Route(v) for v in bad]))
    assert (
        "x/: function view tests.common.test_scoping_coverage." in problems and "bare_page is not a class" in problems
    )
    assert "UnscopedJobList: serves scoped model common.Job without ScopedQuerysetMixin" in problems
    assert "PlainPage: x/ is not on the scoped bases" in problems
    assert "NoSelectorList: ScopedQuerysetMixin without a selector" in problems
    assert "NoSelectorDetail: ScopedObjectMixin without a selector" in problems
    assert "NoPermissionPage: declares no permission_required" in problems
    assert "AnySignedInPage: permission_required is empty (any signed-in user) on x/" in problems
    # public and any-signed-in pages are reviewed, not exempt from everything
    assert html_view_class_problems([Route(bare_page, "public/"), Route(AnySignedInPage.as_view(), "")]) == []
    assert "UnscopedJobList" in "".join(html_view_class_problems([Route(UnscopedJobList.as_view(), "public/")]))
    assert html_view_class_problems([Route(GoodDetail.as_view())]) == []
    open_route = next(r for r in html_routes() if r.regex == "public/draws/")
    assert "anonymous GET" in "".join(html_access_problems(client, [_Renamed(open_route, "pretend/")]))


class _Renamed:
    """A real route under another name, so the access checker does not find it on the public list."""

    def __init__(self, route, regex):
        self.callback, self.params, self.template, self.regex = route.callback, route.params, route.template, regex
