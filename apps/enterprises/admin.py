"""Admin of the registry (at /manage/): reference data (业态, 食品类别) is edited here and audited; enterprises and
licences are read-only here (scoped like the pages) because their writes need the services' identifier checks,
version check and audit trail — use the registry pages, the API or the Excel import.
"""

from django.contrib import admin

from apps.common.admin import AuditedAdminMixin, ScopedModelAdmin
from apps.common.formsets import CappedInlineMixin

from .models import BusinessType, Enterprise, FoodCategory, Licence


@admin.register(BusinessType)
class BusinessTypeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["order", "name", "code", "sector", "parent", "licence_kinds", "is_key_supervision", "is_active"]
    list_display_links = ["name"]
    list_filter = ["sector", "is_key_supervision", "is_active"]
    list_select_related = ["parent"]
    search_fields = ["name", "code"]
    ordering = ["order", "id"]

    def has_delete_permission(self, request, obj=None):
        return False  # referenced by enterprises and risk tables: deactivate instead


@admin.register(FoodCategory)
class FoodCategoryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "sector", "order"]
    list_filter = ["sector"]
    search_fields = ["name", "code"]
    ordering = ["sector", "order", "id"]

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LicenceInline(CappedInlineMixin, ReadOnlyMixin, admin.TabularInline):
    model = Licence
    extra = 0
    fields = ["kind", "number", "issued_on", "expires_on", "is_active", "check_warning"]
    readonly_fields = fields


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = ["name", "uscc", "township", "business_type", "status", "version", "updated_at"]
    list_filter = ["status", "business_type", "township", "sunshine_kitchen", "online_catering"]
    list_select_related = ["township", "business_type"]
    search_fields = ["name", "uscc"]
    show_full_result_count = False
    inlines = [LicenceInline]


@admin.register(Licence)
class LicenceAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = ["number", "kind", "enterprise", "issued_on", "expires_on", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["enterprise"]
    search_fields = ["number", "enterprise__name"]
    raw_id_fields = ["enterprise"]
