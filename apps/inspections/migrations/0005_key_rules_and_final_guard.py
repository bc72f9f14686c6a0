"""Key-inspection rules of Order 49 Art 22 (重点检查) as data, and on PostgreSQL a row trigger that refuses to change
or delete a finalised inspection result, its item verdicts and its photos (SECURITY.md ACL-05 / CRY-03). On SQLite
the services never write a final row, and the content hash + seal reveal any edit made behind their back."""

import datetime as dt

from django.db import migrations

O49 = "《食品生产经营监督检查管理办法》（市场监管总局令第49号）第二十二条"
IN_FORCE = dt.date(2022, 3, 15)  # Order 49 took effect on 15 March 2022

RULES = [
    # (code, name, criteria, order)
    ("producer-grade-cd", "风险等级为 C、D 级的食品生产者", {"sectors": ["production"], "grades": ["C", "D"]}, 1),
    ("operator-grade-d", "风险等级为 D 级的食品经营者", {"sectors": ["sales", "catering"], "grades": ["D"]}, 2),
    (
        "special-food",
        "特殊食品生产经营者（保健食品、特殊医学用途配方食品、婴幼儿配方食品等）",
        {"business_types": ["health_food"]},
        3,
    ),
    (
        "special-food-category",
        "经营或生产特殊食品类别的企业",
        {"food_categories": ["P27", "P28", "P29", "P30", "S05"]},
        4,
    ),
    ("central-kitchen", "中央厨房", {"business_types": ["central_kitchen"]}, 5),
    ("meal-distribution", "集中用餐配送单位", {"business_types": ["meal_distribution"]}, 6),
]

FUNCTION = """
CREATE OR REPLACE FUNCTION inspections_result_final_immutable() RETURNS trigger AS $$
DECLARE
    parent_status varchar;
BEGIN
    IF TG_TABLE_NAME = 'inspections_inspectionresult' THEN
        parent_status := OLD.status;
    ELSE
        SELECT status INTO parent_status FROM inspections_inspectionresult WHERE id = OLD.result_id;
    END IF;
    IF parent_status = 'final' THEN
        RAISE EXCEPTION 'finalised inspection results are immutable (% on % refused)', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
TABLES = ["inspections_inspectionresult", "inspections_itemresult", "inspections_photo"]


def load_rules(apps, schema_editor):
    Rule = apps.get_model("inspections", "KeyInspectionRule")
    for code, name, criteria, order in RULES:
        Rule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "criteria": criteria,
                "legal_basis": O49,
                "effective_from": IN_FORCE,
                "due_working_days": 20,
                "order": order,
            },
        )


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_final_immutable ON {table};")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_final_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION inspections_result_final_immutable();"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_final_immutable ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS inspections_result_final_immutable();")


class Migration(migrations.Migration):
    dependencies = [("inspections", "0004_fieldwork")]
    operations = [
        migrations.RunPython(load_rules, migrations.RunPython.noop),
        migrations.RunPython(triggers, drop_triggers),
    ]
