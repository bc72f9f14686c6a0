"""Default configuration of 舆情 events: a response within 24 hours of discovery (issue 11 §2), in force from
2019-01-01. Kept apart from the schema so it can be re-attached at merge."""

import datetime as dt

from django.db import migrations


def forwards(apps, schema_editor):
    OpinionRules = apps.get_model("incidents", "OpinionRules")
    OpinionRules.objects.get_or_create(
        effective_from=dt.date(2019, 1, 1),
        defaults={"response_hours": 24, "note": "舆情快速反应机制：发现后 24 小时内回应"},
    )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0006_opinion")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
