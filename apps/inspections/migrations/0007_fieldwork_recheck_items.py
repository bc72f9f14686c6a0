"""Re-check tasks (整改复查) made before this change copied the whole checklist of the original task; a re-check looks
again only at what failed (issue 8 point 5). Narrow the check items of the re-check tasks not started yet to the
items of the record that issued the order judged 不符合 (else 基本符合); started or finished tasks keep theirs, since
a draft or a sealed record may already name those items."""

from django.db import migrations


def narrow(apps, schema_editor):
    Rectification = apps.get_model("inspections", "Rectification")
    ItemResult = apps.get_model("inspections", "ItemResult")
    InspectionResult = apps.get_model("inspections", "InspectionResult")
    rows = Rectification.objects.filter(follow_up_task__isnull=False, follow_up_task__status="assigned").values_list(
        "follow_up_task_id", "result_id"
    )
    for task_id, result_id in rows.iterator():
        if InspectionResult.objects.filter(task_id=task_id).exists():
            continue
        for verdicts in (["nonconform"], ["nonconform", "basic"]):
            items = list(
                ItemResult.objects.filter(result_id=result_id, verdict__in=verdicts).values_list(
                    "check_item_id", flat=True
                )
            )
            if items:
                task = apps.get_model("inspections", "InspectionTask").objects.get(pk=task_id)
                task.check_items.set(items)
                break


class Migration(migrations.Migration):
    dependencies = [("inspections", "0006_draws_bounds")]
    operations = [migrations.RunPython(narrow, migrations.RunPython.noop)]
