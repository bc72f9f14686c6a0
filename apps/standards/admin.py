from django.contrib import admin

from .models import CheckItem

try:
    from apps.common.admin import AuditedAdminMixin
except ImportError:  # pragma: no cover

    class AuditedAdminMixin:
        pass


@admin.register(CheckItem)
class CheckItemAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Reference data (not township-scoped): the 抽查事项清单 is city-wide and public."""

    list_display = ["code", "item", "sector", "category", "inspecting_body", "is_active", "order"]
    list_filter = ["sector", "category", "is_active"]
    search_fields = ["code", "item", "content"]
    filter_horizontal = ["business_types"]
