from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


class StrictDjangoFilterBackend(DjangoFilterBackend):
    """Unknown query parameters are a 400 (not silently ignored), and invalid values too."""

    ALWAYS_ALLOWED = {"page", "page_size", "format", "updated_since", "cursor", "ordering"}

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        allowed = set(self.ALWAYS_ALLOWED) | set(getattr(view, "extra_query_params", ()))
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError({name: ["不支持的查询参数"] for name in unknown})
        return super().filter_queryset(request, queryset, view)
