"""Default configuration of sampling as data (apps/sampling/plans/defaults.py): the quota rates of the year the
database is migrated in and the next, one set of targeted-sampling weights and one set of deadlines. Existing rows
are never overwritten."""

from types import SimpleNamespace

from django.db import migrations


def load(apps, schema_editor):
    from apps.sampling.plans.defaults import default_years, defaults_load

    models = SimpleNamespace(
        **{name: apps.get_model("sampling", name) for name in ("QuotaRate", "SuggestionWeights", "SamplingDeadlines")}
    )
    defaults_load(models, default_years())


class Migration(migrations.Migration):
    dependencies = [("sampling", "0003_targeting_history_years")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
