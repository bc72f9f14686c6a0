"""Admin of assessment: the scheme versions are dated configuration (``apps.common.admin.DatedConfigAdmin``): a
version in force (or past) is read-only, with its indicators; a change is a new version with a later date."""

from django.contrib import admin

from apps.common.admin import DatedConfigAdmin
from apps.common.formsets import CappedInlineMixin

from .models import AssessmentScheme, SchemeIndicator


class SchemeIndicatorInline(CappedInlineMixin, admin.TabularInline):
    model = SchemeIndicator
    extra = 0
    max_num = 200  # a scheme has ~20 indicators

    def _locked(self, request, obj):
        from django.utils import timezone

        return obj is not None and obj.effective_from <= timezone.localdate()

    def has_add_permission(self, request, obj=None):
        return not self._locked(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(request, obj) and super().has_delete_permission(request, obj)


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(DatedConfigAdmin):
    inlines = [SchemeIndicatorInline]
