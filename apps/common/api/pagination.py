from django.core.paginator import InvalidPage
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from apps.common.api.feeds import parse_page_size, refuse_repeated
from apps.common.api.filters import PAGE_BOUNDS
from apps.common.exceptions import DomainError


class PageNotFound(DomainError):
    code = "page_not_found"
    status_code = 404
    default_message = "页码超出范围"


def _page_number(raw) -> int:
    message = f"页码必须是 1–{PAGE_BOUNDS[1]} 之间的整数"
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({"page": [message]}) from None
    if not PAGE_BOUNDS[0] <= value <= PAGE_BOUNDS[1]:
        raise ValidationError({"page": [message]})
    return value


class StandardPagination(PageNumberPagination):
    """?page= / ?page_size= (max 100), answering {count, next, previous, results}.

    A page or page size that is not a positive integer is a 400 (not a silent default), and so is a page above
    1,000,000; a page past the last one is a 404 with code ``page_not_found``. A page size above 100 is capped at
    100 (the ``next`` link keeps working), as documented in the schema.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()

    def get_page_size(self, request):
        return parse_page_size(
            request.query_params.get(self.page_size_query_param), default=self.page_size, maximum=self.max_page_size
        )

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "页码（从 1 开始）；超出最后一页为 404",
                "schema": {"type": "integer", "minimum": PAGE_BOUNDS[0], "maximum": PAGE_BOUNDS[1]},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"每页条数（默认 {self.page_size}；超过 {self.max_page_size} 按 {self.max_page_size} 计）",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        refuse_repeated(request.query_params, (self.page_query_param, self.page_size_query_param))
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param)
        number = 1 if raw in (None, "") else _page_number(raw)
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise PageNotFound(f"页码超出范围（共 {paginator.num_pages} 页）", fields={"page": ["页码超出范围"]})
        return list(self.page)
