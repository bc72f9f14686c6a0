from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from apps.common.filters import BaseFilterSet


class StrictDjangoFilterBackend(DjangoFilterBackend):
    """Unknown query parameters are a 400 (not silently ignored), and invalid filter values too.

    Allowed everywhere: ``page``, ``page_size``, ``format``. A view adds its own with ``extra_query_params``
    (e.g. ``("updated_since", "cursor")`` for a change feed); the ``ordering``/``search`` parameters of
    DRF's OrderingFilter/SearchFilter are allowed when the view uses those backends. Silently ignoring an
    unknown parameter would let an integrator believe a filter was applied when it was not.

    A view that declares only ``filterset_fields`` gets a FilterSet built on ``BaseFilterSet`` (an empty value is no
    filter), like every declared FilterSet.
    """

    filterset_base = BaseFilterSet

    ALWAYS_ALLOWED = {"page", "page_size", "format"}

    def allowed_params(self, request, queryset, view) -> set[str]:
        allowed = set(self.ALWAYS_ALLOWED) | set(getattr(view, "extra_query_params", ()))
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        for backend in getattr(view, "filter_backends", ()):
            for attr in ("ordering_param", "search_param"):
                name = getattr(backend, attr, None)
                if isinstance(name, str):
                    allowed.add(name)
        return allowed

    def filter_queryset(self, request, queryset, view):
        unknown = sorted(set(request.query_params) - self.allowed_params(request, queryset, view))
        if unknown:
            raise ValidationError({name: ["不支持的查询参数"] for name in unknown})
        return super().filter_queryset(request, queryset, view)
