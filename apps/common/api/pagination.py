from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """?page= / ?page_size= (max 100). A page size that is not a positive integer is a 400, not a silent default."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = "页码无效"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ValidationError({"page_size": ["每页条数必须是正整数"]}) from None
        if value < 1:
            raise ValidationError({"page_size": ["每页条数必须是正整数"]})
        return min(value, self.max_page_size)
