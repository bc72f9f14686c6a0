"""Scoping for HTML class-based views, written once: read through the app's selector.

``ScopedQuerysetMixin`` is the login + model-permission + scoped-queryset part; ``ScopedListView`` adds the list page
shape every list in the platform shares: the selector applies the list's FilterSet to ``request.GET`` (an empty
field is no filter, ``apps.common.filters.BaseFilterSet``), invalid values are shown beside the form, and the rows
are paginated without ever answering 404 for a stale page number.
"""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.views.generic import TemplateView


def filtered_or_errors(selector, *, actor, filters, invalid_filters: str = "none"):
    """``(rows, errors)``: ``selector(actor=..., filters=...)``; on invalid filter values, the errors (field → Chinese
    messages, shown beside the form) and no rows (``"none"``) or the unfiltered list (``"ignore"``).

    The one place a list page turns a FilterSet error into what the page shows (ScopedListView and the function
    views that are not yet class-based use it).
    """
    try:
        return selector(actor=actor, filters=filters), {}
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    base = selector(actor=actor)
    return (base if invalid_filters == "ignore" else base.none()), errors


class ScopedQuerysetMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """``selector(actor=user)`` returns ``Model.objects.visible_to(user)``; a detail outside scope is 404.

    Set ``selector = staticmethod(app_selector)`` (a plain function would be bound as a method).
    """

    selector = None
    raise_exception = False  # anonymous -> login page; logged in without permission -> 403

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()

    def get_queryset(self):
        return self.selector(actor=self.request.user)


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
