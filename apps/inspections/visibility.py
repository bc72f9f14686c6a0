"""Visibility this app adds to models it does not own (registered in ``InspectionsConfig.ready``).

执法检查人员 see the enterprises of the tasks assigned to them, also outside their own township (an inspector drawn
for another township's business, 回避本镇街, must be able to open it; PRODUCT.md §1). The enterprises app keeps the
township rule and does not know this app's ORM paths (apps.common.scoping.register_visibility_rule).
"""

from .models.tasks import INSPECTOR_ROLE_CODE, assigned_task_ids


def enterprises_of_assigned_tasks(user):
    """A ``values("pk")`` sub-query of the enterprises of ``user``'s assigned tasks; ``None`` for a non-inspector."""
    if INSPECTOR_ROLE_CODE not in (getattr(user, "role_codes", None) or []):
        return None
    from .models import InspectionTask

    return InspectionTask.objects.filter(pk__in=assigned_task_ids(user)).values("enterprise_id")


def register() -> None:
    from apps.common.scoping import register_visibility_rule

    register_visibility_rule("enterprises.Enterprise", enterprises_of_assigned_tasks)
