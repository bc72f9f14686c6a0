"""The two reference schemes (fixtures/risk_cfda2016.json, fixtures/risk_samr2022_production.json) as data,
so every database — tests included — has them. Existing rows are never overwritten."""

from types import SimpleNamespace

from django.db import migrations


def load(apps, schema_editor):
    from apps.risk.schemes_io import fixture_data, scheme_write

    M = SimpleNamespace(
        **{
            name: apps.get_model("risk", name)
            for name in (
                "RiskScheme", "StaticTable", "StaticFactor", "StaticOption", "DynamicItem", "GradeBand", "AdjustmentRule",
            )
        }
    )
    for data in fixture_data():
        if M.RiskScheme.objects.filter(code=data["code"]).exists():
            continue
        scheme_write(data, M, version=1, status=data["status"])


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
