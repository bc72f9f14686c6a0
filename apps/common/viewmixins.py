"""Scoping for HTML pages, written once: every signed-in page is a class on one of the bases below.

``ScopedAccessMixin`` is what every page shares, in this order: a method the view does not answer is 405; an
anonymous caller goes to the login page; a signed-in user without the view's declared ``permission_required`` gets
403; then a page about one row reads it through the app's selector (``ScopedObjectMixin``), and a row outside the
caller's scope does not exist for them (404, not 403). Services still check their own permission and scope.

Which base (a page about one row also mixes in ``ScopedObjectMixin``, before the base)::

    ScopedListView      a list: selector + FilterSet + pagination, filter errors beside the form
    ScopedDetailView    one row, shown (GET) or served as a file (a PDF, a photo, an export); the preview of an
                        irreversible action on it also answers the confirming POST (apps/common/confirm.py)
    ScopedFormView      a form (Django's FormView) that creates a row, or edits one
    ScopedActionView    a button (POST only): ``act()``, then a message and a redirect
    ScopedPageView      a page about no single row (an overview, a home page, a template download)

tests/common/test_scoping_coverage.py fails for an HTML route whose view is not one of these (the public portal,
login and logout excepted, each with its reason), and for a scoped base without a selector.

The list page shape every list in the platform shares (``ScopedListView``): the selector applies the list's
FilterSet to ``request.GET`` (an empty field is no filter, ``apps.common.filters.BaseFilterSet``), invalid values
are shown beside the form, and the rows are paginated without ever answering 404 for a stale page number.
"""

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from .exceptions import DomainError, OutOfScope


def filtered_or_errors(selector, *, actor, filters, invalid_filters: str = "none"):
    """``(rows, errors)``: ``selector(actor=..., filters=...)``; on invalid filter values, the errors (field → Chinese
    messages, shown beside the form) and no rows (``"none"``) or the unfiltered list (``"ignore"``).

    The one place a list page turns a FilterSet error into what the page shows (``ScopedListView``).
    """
    try:
        return selector(actor=actor, filters=filters), {}
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    base = selector(actor=actor)
    return (base if invalid_filters == "ignore" else base.none()), errors


class ScopedAccessMixin(AccessMixin):
    """Method, sign-in, the declared permission, then the page's row (``get_object()``, ``check_object()``), before
    any handler runs.

    ``permission_required``: ``"app.codename"`` or a tuple of them (all needed). It must be declared; ``()`` means
    any signed-in user, which the coverage test allows only for the pages it lists (the home page).

    A template response is rendered here, inside the request's transaction (``ATOMIC_REQUESTS``), as ``render()``
    in a function view was: a template that fails rolls the request back.
    """

    permission_required = None
    object = None

    def get_permission_required(self) -> tuple[str, ...]:
        if self.permission_required is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must declare permission_required")
        perms = self.permission_required
        return (perms,) if isinstance(perms, str) else tuple(perms)

    def dispatch(self, request, *args, **kwargs):
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            return self.http_method_not_allowed(request, *args, **kwargs)
        if not request.user.is_authenticated:
            return self.handle_no_permission()  # the login page
        if not request.user.has_perms(self.get_permission_required()):
            raise PermissionDenied
        self.object = self.get_object()
        refused = self.check_object()
        if refused is not None:
            return refused
        response = super().dispatch(request, *args, **kwargs)
        if callable(getattr(response, "render", None)) and not response.is_rendered:
            response.render()
        return response

    def get_object(self):
        """The row the page is about: none here (``ScopedObjectMixin`` reads it)."""
        return None

    def check_object(self):
        """Hook: a response instead of the page when the row cannot take it in its state (a redirect with a
        message: a cancelled enterprise cannot be edited); None to go on."""
        return None


class ScopedQuerysetMixin(ScopedAccessMixin):
    """``selector(actor=user)`` returns ``Model.objects.visible_to(user)`` (a list's selector).

    Set ``selector = staticmethod(app_selector)`` (a plain function would be bound as a method).
    """

    selector = None

    def get_queryset(self):
        return self.selector(actor=self.request.user)


class ScopedObjectMixin(ScopedAccessMixin):
    """A page about one row: ``self.object = selector(actor=user, pk=<URL kwarg pk_url_kwarg>)``, the app's
    ``*_get`` selector, which reads from ``Model.objects.visible_to(user)``; missing or outside scope (the selector
    raises ``DoesNotExist``, or ``ValueError`` for a malformed id) is 404.

    Read before any handler runs, after the permission check. In the template the row is ``object`` and, when set,
    ``context_object_name`` (``ent``, ``plan``, ``task``). ``selector = staticmethod(app_get)``.
    """

    selector = None
    pk_url_kwarg = "pk"
    context_object_name = None

    def get_object(self):
        if self.selector is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must set selector")
        try:
            return self.selector(actor=self.request.user, pk=self.kwargs[self.pk_url_kwarg])
        except (ObjectDoesNotExist, ValueError):
            raise Http404 from None

    def get_context_data(self, **kwargs):
        kwargs.setdefault("object", self.object)
        if self.context_object_name:
            kwargs.setdefault(self.context_object_name, self.object)
        return super().get_context_data(**kwargs)


class ScopedPageView(ScopedAccessMixin, TemplateView):
    """A page about no single row (an overview, a home page): ``get_context_data`` reads through selectors.

    A page that also takes a POST defines ``post()``; a download defines ``get()`` returning the file.
    """


class ScopedDetailView(ScopedObjectMixin, TemplateView):
    """One row (``selector`` required), shown with ``template_name``, or served as a file by a ``get()`` of its own.

    The preview of an irreversible action on the row (``confirm=Confirm(...)`` in the context) is a detail page too;
    its ``post()`` does the action for a confirmed POST only (``is_confirmed``) and sends any other back to the preview.
    """


def form_errors_from(form, exc: DomainError) -> None:
    """Put a service's refusal on ``form``: each field's messages beside that field (a field the form does not have:
    above the form), and the full message above the form unless one of those already says it."""
    said = set()
    for field, errors in (exc.fields or {}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
            said.add(error)
    if exc.message not in said:
        form.add_error(None, exc.message)


class ScopedFormView(ScopedAccessMixin, FormView):
    """A form, with Django's FormView protocol: ``form_class``, ``get_form_kwargs``, ``form_valid`` (call the service;
    on a DomainError put its messages on the form and return ``form_invalid``), ``form_invalid``.

    Without ``ScopedObjectMixin`` the form is about no row yet (a create form); with it (``class
    EditView(ScopedObjectMixin, ScopedFormView)``) it edits ``self.object`` (``check_object`` refuses a row that
    cannot be edited in its state).
    """


class ScopedActionView(ScopedAccessMixin, View):
    """A button (POST only): ``act()`` writes through a service and adds its own success message; a ``DomainError``
    becomes an error message and ``OutOfScope`` a 404; then the browser goes to ``get_redirect_url()``.

    With ``ScopedObjectMixin`` (``class ReactivateView(ScopedObjectMixin, ScopedActionView)``) the action is on
    ``self.object``. An action whose answer is not "a message and a redirect" (a page re-rendered with the form's
    errors) defines ``post()`` instead of ``act()``.
    """

    http_method_names = ["post"]
    redirect_url = None

    def act(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define act() or post()")

    def get_redirect_url(self) -> str:
        return self.redirect_url

    def post(self, request, *args, **kwargs):
        try:
            self.act()
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(self.get_redirect_url())


class ScopedListView(ScopedQuerysetMixin, TemplateView):
    """A list page: ``selector(actor=..., filters=request.GET)`` (scoped, filtered by the list's FilterSet), paginated.

    ``filterset_class`` is the FilterSet the selector applies (the same one the API and the export use); its form
    draws the filter bar unless the template has its own. Context: ``page``, ``filter_form``, ``filter_errors``,
    ``query`` (the filters without the page, for pagination links) and ``filtered``.

    ``invalid_filters``: ``"none"`` (an invalid value shows no rows, with the error beside the form) or ``"ignore"``
    (the error is shown and the list is unfiltered).
    """

    filterset_class = None
    paginate_by = 25
    invalid_filters = "none"

    def get_filters(self):
        return self.request.GET

    def get_queryset(self):
        rows, self.filter_errors = filtered_or_errors(
            self.selector, actor=self.request.user, filters=self.get_filters(), invalid_filters=self.invalid_filters
        )
        return rows

    def get_filter_form(self):
        if self.filterset_class is None:
            return None
        return self.filterset_class(self.request.GET, queryset=self.selector(actor=self.request.user).none()).form

    def decorate_page(self, page) -> None:
        """Hook: per-row display attributes computed from what the page already loaded (no queries per row)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(self.get_queryset(), self.paginate_by).get_page(self.request.GET.get("page"))
        self.decorate_page(page)
        params = self.request.GET.copy()
        params.pop("page", None)
        query = params.urlencode()
        context.update(
            page=page,
            filter_form=self.get_filter_form(),
            filter_errors=self.filter_errors,
            filter_errors_ignored=self.invalid_filters == "ignore",
            query=query,
            filtered=any(v.strip() for k in params for v in params.getlist(k)),
        )
        return context


class RowFormView(ScopedObjectMixin, ScopedFormView):
    """A form shown on a row's detail page and posted to a URL of its own (an upload, an appeal, a decision).

    GET goes to the detail page (``detail_url_name``). ``run(cleaned_data)`` calls the service and returns what it
    wrote; then ``success_message(result)`` and ``success_url(result)`` (default: the detail page, ``#anchor``).
    Refused — the form's own errors (400) or the service's ``DomainError`` (its 4xx, messages beside the fields,
    ``form_errors_from``) — the detail page again, its context from ``detail_context(row, form)``, nothing written;
    ``OutOfScope`` is a 404. Subclasses declare ``selector``, ``form_class``, ``template_name`` (the detail page's),
    ``detail_url_name``, ``run`` and ``detail_context``."""

    detail_url_name = ""
    anchor = ""
    success = "已保存"

    def get(self, request, *args, **kwargs):
        return redirect(self.detail_url_name, pk=self.object.pk)

    def detail_context(self, row, form) -> dict:
        raise NotImplementedError(f"{type(self).__name__} must define detail_context()")

    def run(self, data):
        raise NotImplementedError(f"{type(self).__name__} must define run()")

    def success_message(self, result) -> str:
        return self.success

    def success_url(self, result) -> str:
        return reverse(self.detail_url_name, args=[self.object.pk]) + (f"#{self.anchor}" if self.anchor else "")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.detail_context(self.object, kwargs.get("form")))
        return context

    def form_valid(self, form):
        try:
            result = self.run(form.cleaned_data)
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            form_errors_from(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=exc.status_code)
        messages.success(self.request, self.success_message(result))
        return redirect(self.success_url(result))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RowStepView(ScopedObjectMixin, ScopedActionView):
    """One step on a row's detail page (a form there, prefixed ``form_key``) → ``run(cleaned_data)``, which calls the
    service. Done: a message and back to the detail page. Refused — the form's errors or the service's DomainError —
    the detail page again with the message, the errors beside their fields and the service's 4xx; a row outside the
    scope is a 404. Subclasses declare ``selector``, ``form_class`` (or ``make_form``), ``form_key``, ``success``,
    ``detail_url_name``, ``detail_template`` and ``detail_context(row, *, forms, error)``."""

    form_key = ""
    form_class = None
    success = ""
    detail_url_name = ""
    detail_template = ""

    def make_form(self, data):
        return self.form_class(data, prefix=self.form_key)

    def run(self, data):
        raise NotImplementedError

    def detail_context(self, row, *, forms: dict, error: str) -> dict:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.refused(form, "提交的内容有误，请按提示修改", 400)
        try:
            self.run(form.cleaned_data)
        except OutOfScope:
            raise Http404 from None
        except DomainError as exc:
            for field, errors in (exc.fields or {}).items():
                for error in errors:
                    if field in form.fields:
                        form.add_error(field, error)
            return self.refused(form, exc.message, exc.status_code)
        messages.success(request, self.success)
        return redirect(self.detail_url_name, pk=self.object.pk)

    def refused(self, form, message: str, status: int):
        from django.template.response import TemplateResponse

        row = self.selector(actor=self.request.user, pk=self.object.pk)  # re-read: the service may have rolled back
        context = self.detail_context(row, forms={self.form_key: form}, error=message)
        return TemplateResponse(self.request, self.detail_template, context, status=status)
