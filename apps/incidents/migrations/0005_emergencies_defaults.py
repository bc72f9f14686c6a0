"""Default configuration of incidents (DOMAIN.md §6): the grading criteria of the Jiangsu provincial plan (the
example DOMAIN gives; Zhejiang's table was not found, so they are marked 默认值待确认) and the 2-hour first report.
Kept apart from the schema so it can be re-attached at merge."""

import datetime as dt

from django.db import migrations


def forwards(apps, schema_editor):
    Criteria = apps.get_model("incidents", "IncidentGradingCriteria")
    Rules = apps.get_model("incidents", "IncidentRules")
    Criteria.objects.get_or_create(
        effective_from=dt.date(2011, 1, 1),
        defaults={
            "ii_deaths": 10,
            "ii_affected_with_deaths": 100,
            "ii_school_affected": 50,
            "ii_major_event_affected": 50,
            "iii_affected": 100,
            "iii_deaths": 1,
            "iv_affected": 30,
            "iv_townships": 2,
            "defaults_unconfirmed": True,
            "note": "江苏省食品安全事故应急预案示例（DOMAIN.md §6）；浙江省、嘉兴市、海宁市分级标准未找到，默认值待确认",
        },
    )
    Rules.objects.get_or_create(
        effective_from=dt.date(2011, 1, 1),
        defaults={
            "first_report_hours": 2,
            "followup_interval_hours": None,
            "final_report_days": None,
            "note": "获知后 2 小时内初报（县级预案，依据国家食品安全事故应急预案）；续报间隔与终报时限未规定",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0004_emergencies")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
