"""Models of 双随机、一公开: 一单两库 (check items live in apps.standards, the object pool is apps.enterprises),
draw plans and verifiable draws, tasks, results, rectification and publication."""

from .base import AppendOnlyModel, AppendOnlyQuerySet, DrawTableImmutable
from .draws import (
    Draw,
    DrawInspectorAssignment,
    DrawOutcome,
    DrawPlan,
    DrawPublicValue,
    DrawSeal,
    DrawSelection,
    DrawStratum,
    RedrawRequest,
)
from .inspectors import Inspector, InspectorConflict
from .publication import Objection, Publication
from .tasks import (
    InspectionResult,
    InspectionTask,
    ItemResult,
    KeyInspectionRule,
    Photo,
    Rectification,
    TaskInspector,
)

__all__ = [
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "DrawTableImmutable",
    "Draw",
    "DrawInspectorAssignment",
    "DrawOutcome",
    "DrawPlan",
    "DrawPublicValue",
    "DrawSeal",
    "DrawSelection",
    "DrawStratum",
    "RedrawRequest",
    "Inspector",
    "InspectorConflict",
    "InspectionResult",
    "InspectionTask",
    "ItemResult",
    "KeyInspectionRule",
    "Photo",
    "Rectification",
    "TaskInspector",
    "Objection",
    "Publication",
]
