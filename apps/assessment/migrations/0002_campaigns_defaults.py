"""Default data of assessment/campaigns (apps/assessment/campaigns/defaults.py): the eight campaigns (八大攻坚行动)
and their targets, labelled as defaults for the city to confirm. Existing rows are never overwritten."""

from types import SimpleNamespace

from django.db import migrations


def load(apps, schema_editor):
    from apps.assessment.campaigns.defaults import defaults_load

    models = SimpleNamespace(
        Campaign=apps.get_model("assessment", "Campaign"),
        CampaignTarget=apps.get_model("assessment", "CampaignTarget"),
    )
    defaults_load(models)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_campaigns")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
