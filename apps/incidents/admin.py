"""Incidents admin: the dated rules (deadlines, grading thresholds, reward levels) are added here by the system
administrator as new rows with a future (or today's) effective date (apps.common.admin.DatedConfigAdmin); the
records themselves are written through the pages and services only."""

from django.contrib import admin

from apps.common.admin import DatedConfigAdmin

from .models import ComplaintRules, IncidentGradingCriteria, IncidentRules, OpinionRules, RewardRule

for model in (ComplaintRules, RewardRule, IncidentGradingCriteria, IncidentRules, OpinionRules):
    admin.site.register(model, DatedConfigAdmin)
