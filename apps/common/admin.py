"""Admin with scoping: the same visible_to() as the API and pages; FK choices narrowed; writes audited."""

from django.contrib import admin
from django.db import transaction

from apps.common.audit import audit_record, diff, model_snapshot
from apps.common.labels import audit_action_label, job_kind_label, object_type_label
from apps.common.models import AuditEvent, CalendarOverride, Job
from apps.common.scoping import is_scoped_model


class ScopedAdminMixin:
    """Rows outside the user's township(s) do not exist in the admin either.

    Subclasses should override ``save_model`` / ``delete_model`` to call the app's services, so admin writes
    are audited like every other write (``AuditedAdminMixin`` is the generic fallback).
    """

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if is_scoped_model(related):
            kwargs["queryset"] = related._default_manager.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if is_scoped_model(related):
            kwargs["queryset"] = related._default_manager.visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class AuditedAdminMixin:
    """Every add / change / delete made in the admin records one audit event with the before/after diff.

    The admin wraps each change form and delete view in a transaction, so the write and its event commit together.
    Fields in ``audit_masked_fields`` (password hashes, token hashes) are recorded only as "changed".
    """

    audit_masked_fields = ("password", "token_hash")

    def _audit_snapshot(self, obj) -> dict:
        data = model_snapshot(obj)
        if obj.pk is not None:
            for field in obj._meta.many_to_many:
                data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
        return data

    def _audit_changes(self, before: dict, after: dict) -> dict:
        changes = diff(before, after)
        for name in self.audit_masked_fields:
            if name in changes:
                changes[name] = ["***", "***（已修改）"] if before else [None, "***"]
        return changes

    def save_model(self, request, obj, form, change):
        before = {}
        if change and obj.pk is not None:
            current = type(obj)._base_manager.filter(pk=obj.pk).first()
            if current is not None:
                before = self._audit_snapshot(current)
        form._audit_before = before
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        changes = self._audit_changes(getattr(form, "_audit_before", {}), self._audit_snapshot(obj))
        if change and not changes:
            return
        audit_record("admin.change" if change else "admin.add", obj=obj, actor=request.user, changes=changes)

    def delete_model(self, request, obj):
        with transaction.atomic():
            before = self._audit_changes({}, self._audit_snapshot(obj))
            object_type, object_id, object_repr = obj._meta.label_lower, str(obj.pk), str(obj)[:255]
            super().delete_model(request, obj)
            audit_record(
                "admin.delete",
                object_type=object_type,
                object_id=object_id,
                object_repr=object_repr,
                actor=request.user,
                changes={"before": {k: v[1] for k, v in before.items()}},
            )

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


class ScopedModelAdmin(ScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyAdminMixin:
    """Visible to holders of the model's view permission; nobody adds, changes or deletes here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _LabelledCodeFilter(admin.SimpleListFilter):
    """A list filter over a code column whose options are the codes' Chinese names (apps.common.labels)."""

    label_of = None

    def lookups(self, request, model_admin):
        codes = model_admin.get_queryset(request).order_by().values_list(self.parameter_name, flat=True).distinct()
        return sorted(((c, type(self).label_of(c)) for c in codes if c), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(**{self.parameter_name: value}) if value else queryset


class AuditActionFilter(_LabelledCodeFilter):
    title = "事件"
    parameter_name = "action"
    label_of = staticmethod(audit_action_label)


class AuditObjectTypeFilter(_LabelledCodeFilter):
    title = "对象类型"
    parameter_name = "object_type"
    label_of = staticmethod(object_type_label)


class JobKindFilter(_LabelledCodeFilter):
    title = "类型"
    parameter_name = "kind"
    label_of = staticmethod(job_kind_label)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log for the audit admin (common.view_auditevent): read-only, append-only underneath."""

    list_display = [
        "seq",
        "occurred_at",
        "actor_repr",
        "actor_role",
        "action_name",
        "object_type_name",
        "object_repr",
        "outcome",
        "ip",
    ]
    list_display_links = ["seq"]
    list_filter = ["outcome", AuditActionFilter, AuditObjectTypeFilter]
    search_fields = ["=seq", "actor_repr", "=object_id", "object_repr", "=request_id"]
    date_hierarchy = "occurred_at"
    ordering = ["-seq"]
    show_full_result_count = False
    list_per_page = 50
    fields = [
        "seq",
        "occurred_at",
        "actor_repr",
        "actor_role",
        "api_client",
        "ip",
        "request_id",
        "action_name",
        "action",
        "object_type_name",
        "object_type",
        "object_id",
        "object_repr",
        "outcome",
        "changes",
        "extra",
        "prev_hash",
        "entry_hash",
    ]
    readonly_fields = fields
    actions = None

    @admin.display(description="事件", ordering="action")
    def action_name(self, obj):
        return audit_action_label(obj.action)

    @admin.display(description="对象类型", ordering="object_type")
    def object_type_name(self, obj):
        return object_type_label(obj.object_type)


@admin.register(Job)
class JobAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Background jobs, read-only (state changes only through apps.common.jobs); scoped by Job.visible_to."""

    list_display = ["title", "kind_name", "status", "progress", "created_by", "created_at", "finished_at", "attempts"]
    list_filter = ["status", JobKindFilter]
    search_fields = ["title", "kind", "=id"]
    ordering = ["-created_at"]
    list_select_related = ["created_by"]
    readonly_fields = [
        "id",
        "kind_name",
        "kind",
        "title",
        "status",
        "progress",
        "message",
        "payload",
        "result",
        "error",
        "created_by",
        "created_at",
        "published_at",
        "started_at",
        "finished_at",
        "lease_until",
        "attempts",
    ]
    fields = readonly_fields
    actions = None

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description="类型", ordering="kind")
    def kind_name(self, obj):
        return job_kind_label(obj.kind)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Working-day overrides (win over chinese-calendar); every change audited."""

    list_display = ["date", "is_workday", "note", "updated_at"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["note"]


class DatedConfigAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A rule that is configuration with an effective date (``effective_from``, read with ``.in_force(day)``): a
    change is a new row that starts today or later. A row already in force (or past) is history — the clocks and
    figures computed under it must stay explainable — so it can be read, not changed or deleted; a future row may
    still be corrected or withdrawn before it starts. Every add / change / delete is audited."""

    date_field = "effective_from"

    def get_list_display(self, request):
        return [self.date_field, "__str__"]

    def _in_force_or_past(self, obj) -> bool:
        from django.utils import timezone

        return getattr(obj, self.date_field) <= timezone.localdate()

    def has_change_permission(self, request, obj=None):
        if obj is not None and self._in_force_or_past(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._in_force_or_past(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        date_field = self.date_field

        class DatedConfigForm(form):
            def clean(self):
                from django.utils import timezone

                cleaned = super().clean()
                day = cleaned.get(date_field)
                if day is not None and day < timezone.localdate():
                    self.add_error(
                        date_field, "生效日期不能早于今天：已生效的规则是历史，请新增一条今天或以后生效的规则"
                    )
                return cleaned

        return DatedConfigForm
