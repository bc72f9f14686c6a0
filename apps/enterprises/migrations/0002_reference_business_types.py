"""Business types and food categories are reference data the registry cannot run without (fixtures/business_types.json)."""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "business_types.json"


def load(apps, schema_editor):
    BusinessType = apps.get_model("enterprises", "BusinessType")
    FoodCategory = apps.get_model("enterprises", "FoodCategory")
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    by_code = {}
    for row in data["business_types"]:
        bt, _ = BusinessType.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "sector": row["sector"],
                "licence_kinds": row["licence_kinds"],
                "is_key_supervision": row.get("key", False),
                "order": row["order"],
            },
        )
        by_code[row["code"]] = bt
    for row in data["business_types"]:
        if row.get("parent"):
            BusinessType.objects.filter(pk=by_code[row["code"]].pk).update(parent=by_code[row["parent"]])
    for i, (code, name, sector) in enumerate(data["food_categories"]):
        FoodCategory.objects.update_or_create(code=code, defaults={"name": name, "sector": sector, "order": i})


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
