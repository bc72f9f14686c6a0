"""Default configuration of complaints (DOMAIN.md §8): the SAMR Order 20 clocks and the reward rule of
国市监稽规〔2021〕4号 (in force 2021-12-01). Kept apart from the schema so it can be re-attached at merge."""

import datetime as dt
from decimal import Decimal

from django.db import migrations


def forwards(apps, schema_editor):
    ComplaintRules = apps.get_model("incidents", "ComplaintRules")
    RewardRule = apps.get_model("incidents", "RewardRule")
    ComplaintRules.objects.get_or_create(
        effective_from=dt.date(2019, 1, 1),
        defaults={
            "acceptance_workdays": 7,
            "routing_workdays": 2,
            "handling_workdays": 3,
            "result_workdays": 15,
            "feedback_workdays": 5,
            "duplicate_window_days": 30,
            "note": "市场监督管理投诉举报处理暂行办法（总局令第 20 号）：7 个工作日内决定是否受理",
        },
    )
    RewardRule.objects.get_or_create(
        effective_from=dt.date(2021, 12, 1),
        defaults={
            "level1_percent": Decimal("5"),
            "level2_percent": Decimal("3"),
            "level3_percent": Decimal("1"),
            "level1_min_fen": 500_000,
            "level2_min_fen": 300_000,
            "level3_min_fen": 100_000,
            "cap_fen": 100_000_000,
            "note": "市场监管领域重大违法行为举报奖励暂行办法（国市监稽规〔2021〕4号）",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
