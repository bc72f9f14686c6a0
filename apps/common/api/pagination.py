from django.core.paginator import InvalidPage
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from apps.common.exceptions import DomainError


class PageNotFound(DomainError):
    code = "page_not_found"
    status_code = 404
    default_message = "页码超出范围"


def _positive_int(raw: str, field: str, message: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({field: [message]}) from None
    if value < 1:
        raise ValidationError({field: [message]})
    return value


class StandardPagination(PageNumberPagination):
    """?page= / ?page_size= (max 100), answering {count, next, previous, results}.

    A page or page size that is not a positive integer is a 400 (not a silent default); a page past the
    last one is a 404 with code ``page_not_found``. A page size above 100 is capped at 100.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        return min(_positive_int(raw, self.page_size_query_param, "每页条数必须是正整数"), self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param)
        number = 1 if raw in (None, "") else _positive_int(raw, self.page_query_param, "页码必须是正整数")
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise PageNotFound(f"页码超出范围（共 {paginator.num_pages} 页）", fields={"page": ["页码超出范围"]})
        return list(self.page)
