from django.contrib import admin, messages

from apps.common.admin import AuditedAdminMixin, ReadOnlyAdminMixin
from apps.common.formsets import CappedInlineMixin

from .forms import TestLimitForm
from .models import CheckItem, SamplingCategory, Standard, TestItem, TestLimit
from .validation import limit_values, limit_warnings


@admin.register(CheckItem)
class CheckItemAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Reference data (not township-scoped): the 抽查事项清单 is city-wide and public."""

    list_display = ["code", "item", "sector", "category", "inspecting_body", "is_active", "order"]
    list_filter = ["sector", "category", "is_active"]
    search_fields = ["code", "item", "content"]
    filter_horizontal = ["business_types"]


# The standards catalogue: city-wide reference data like the check items. The forms run the models' clean()
# (apps/standards/validation.py), the same rules as any other entry point; every write is audited.
@admin.register(Standard)
class StandardAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code_display", "title", "status", "publish_date", "effective_date", "superseded_by"]
    list_filter = ["prefix", "status"]
    search_fields = ["number", "title", "announcement_no"]
    list_select_related = ["superseded_by"]
    ordering = ["prefix", "number", "part", "-year"]

    @admin.display(description="标准编号", ordering="number")
    def code_display(self, obj):
        return obj.code


@admin.register(SamplingCategory)
class SamplingCategoryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "hazard", "is_active", "order"]
    list_filter = ["level", "hazard", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    ordering = ["code"]


class TestLimitReadOnlyInline(CappedInlineMixin, ReadOnlyAdminMixin, admin.TabularInline):
    """The item's limits, shown on the item (edited on their own page, so each change is audited on its own)."""

    __test__ = False

    model = TestLimit
    fk_name = "test_item"
    fields = ["judging_standard", "clause", "judgement_type", "limit_display", "method_standard"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    verbose_name_plural = "各版本限量（在“检验项目限量”中编辑）"

    @admin.display(description="限量")
    def limit_display(self, obj):
        return obj.limit_display


@admin.register(TestItem)
class TestItemAdmin(AuditedAdminMixin, admin.ModelAdmin):
    __test__ = False

    list_display = ["code", "name", "is_microbiological", "is_active", "order"]
    list_filter = ["is_microbiological", "is_active", "categories__level"]
    search_fields = ["code", "name"]
    filter_horizontal = ["categories"]
    inlines = [TestLimitReadOnlyInline]


@admin.register(TestLimit)
class TestLimitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    __test__ = False

    form = TestLimitForm
    list_display = ["test_item", "judging_standard", "judgement_type", "limit_display", "method_standard"]
    list_filter = ["judgement_type", "judging_standard"]
    search_fields = ["test_item__name", "test_item__code", "clause"]
    list_select_related = ["test_item", "judging_standard", "method_standard"]
    fieldsets = [
        (None, {"fields": ["test_item", "judging_standard", "clause", "method_standard", "judgement_type"]}),
        ("允许限（≤ / ≥ / 范围）", {"fields": ["min_limit", "max_limit", "unit"]}),
        ("微生物 n/c/m/M", {"fields": ["micro_n", "micro_c", "micro_m", "micro_big_m"]}),
        ("检出限", {"fields": ["detection_limit", "detection_limit_unit"]}),
    ]

    @admin.display(description="限量")
    def limit_display(self, obj):
        return obj.limit_display

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for message in limit_warnings(limit_values(obj)).values():
            self.message_user(request, message, level=messages.WARNING)
