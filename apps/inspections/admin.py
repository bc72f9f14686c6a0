"""Admin: scoped (ScopedAdminMixin). Draw tables are read-only here — draws are made only by the draw services;
the secret seed (DrawSeal) has no admin at all.

Plans, their strata, tasks and task inspectors are read-only as well: their writes have checks (status transitions,
bounds, scope, the two-inspector rule, one audit event) that live in the services and are reached through the staff
pages (计划 → 承诺公示 → 执行抽取; 任务 → 指派). An admin form saving the row directly would skip them.
Every inline caps its formset (CappedInlineMixin)."""

from django.contrib import admin

from apps.common.admin import AuditedAdminMixin, ReadOnlyAdminMixin, ScopedAdminMixin
from apps.common.formsets import CappedInlineMixin

from .models import (
    Draw,
    DrawInspectorAssignment,
    DrawOutcome,
    DrawPlan,
    DrawSelection,
    DrawStratum,
    InspectionResult,
    InspectionTask,
    Inspector,
    InspectorConflict,
    ItemResult,
    KeyInspectionRule,
    Objection,
    Photo,
    Publication,
    Rectification,
    RedrawRequest,
    TaskInspector,
)


class InspectorConflictInline(CappedInlineMixin, ScopedAdminMixin, admin.TabularInline):
    model = InspectorConflict
    extra = 0
    raw_id_fields = ["enterprise"]
    fields = ["enterprise", "reason", "declared_at"]
    readonly_fields = ["declared_at"]


@admin.register(Inspector)
class InspectorAdmin(ScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["badge_no", "name", "unit", "township", "certificate_valid_until", "is_active"]
    list_filter = ["is_active", "township"]
    search_fields = ["badge_no", "name", "certificate_no"]
    raw_id_fields = ["user"]
    inlines = [InspectorConflictInline]


class DrawStratumInline(CappedInlineMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = DrawStratum
    extra = 0
    fields = ["order", "key", "label", "filter", "proportion", "count"]
    readonly_fields = fields


@admin.register(DrawPlan)
class DrawPlanAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: plans are created, edited, committed and cancelled on the 双随机抽查计划 pages (services)."""

    list_display = ["name", "year", "round_label", "status", "scheduled_at", "created_by"]
    list_filter = ["status", "year"]
    search_fields = ["name", "round_label"]
    inlines = [DrawStratumInline]


@admin.register(Draw)
class DrawAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["draw_uid", "plan", "round", "attempt", "algorithm", "committed_at"]
    search_fields = ["draw_uid"]
    exclude = ["strata", "inspectors", "exclusions", "enterprise_townships"]


@admin.register(DrawOutcome)
class DrawOutcomeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["draw", "status", "drawn_at", "selected_count", "result_hash"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(draw__in=Draw.objects.visible_to(request.user).values("pk"))


@admin.register(DrawSelection)
class DrawSelectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["draw", "order", "stratum_key", "code", "enterprise"]
    search_fields = ["code", "draw__draw_uid"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(draw__in=Draw.objects.visible_to(request.user).values("pk"))


@admin.register(DrawInspectorAssignment)
class DrawInspectorAssignmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["selection", "order", "badge", "inspector"]

    def get_queryset(self, request):
        visible = Draw.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(selection__draw__in=visible)


@admin.register(RedrawRequest)
class RedrawRequestAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["draw", "status", "requested_by", "decided_by", "created_at"]


class TaskInspectorInline(CappedInlineMixin, ScopedAdminMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = TaskInspector
    extra = 0
    fields = ["inspector", "role", "order", "assignment", "assigned_at"]
    readonly_fields = fields


@admin.register(InspectionTask)
class InspectionTaskAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: tasks come from draws, key-inspection rules and the flying-inspection form; inspectors are
    assigned on the task page (services check certificates, 回避 and the two-inspector rule)."""

    list_display = ["number", "enterprise", "kind", "source", "status", "due_date"]
    list_filter = ["kind", "source", "status"]
    list_select_related = ["enterprise"]
    search_fields = ["number", "enterprise__name", "enterprise__uscc"]
    inlines = [TaskInspectorInline]


class ItemResultInline(CappedInlineMixin, ScopedAdminMixin, admin.TabularInline):
    model = ItemResult
    extra = 0
    max_num = 500  # one row per check item of the result


@admin.register(InspectionResult)
class InspectionResultAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Results are written by inspectors through the task page; final results are immutable."""

    list_display = ["task", "revision", "status", "outcome", "finalised_at"]
    list_filter = ["status", "outcome"]
    inlines = [ItemResultInline]


@admin.register(Photo)
class PhotoAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["task", "content_type", "size", "sha256", "uploaded_at"]


@admin.register(Rectification)
class RectificationAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "task", "deadline", "status"]
    list_filter = ["status"]


class ObjectionInline(CappedInlineMixin, ScopedAdminMixin, admin.TabularInline):
    model = Objection
    extra = 0
    can_delete = False


@admin.register(Publication)
class PublicationAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["result", "status", "due_by", "objection_window_ends", "published_at"]
    list_filter = ["status"]
    inlines = [ObjectionInline]


@admin.register(KeyInspectionRule)
class KeyInspectionRuleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Reference data (not township-scoped): the rules that make key inspections (重点检查, Order 49 Art 22).

    ``criteria``: any of {"sectors": [...], "grades": [...], "business_types": [codes], "food_categories": [codes]}."""

    list_display = ["code", "name", "due_working_days", "effective_from", "effective_until", "is_active", "order"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
