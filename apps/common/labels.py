"""Chinese names for the codes a person would otherwise read: audit events, object types, job kinds.

Each app declares the names of what it defines, and ``common`` knows no app by name:

* audit events: ``audit_actions = {"enterprise.create": "新增检查对象", ...}`` on the app's ``AppConfig``
  (every event the app records; tests/common/test_labels.py finds every ``audit_record("…")`` in the code and
  fails on one without a name);
* job kinds: ``@job_handler("enterprise.export", label="导出检查对象名录")`` where the kind is defined;
* object types (``app_label.model`` of an audit event): the model's ``verbose_name``; an object that is not a model
  is named in ``audit_object_types`` on the AppConfig (e.g. ``{"postgres.role": "数据库角色"}``).

Unknown codes (an event of a removed feature, still in the append-only log) are shown as "其他事件（code）" so
that the page never shows a bare code as if it were a name.
"""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

_JOB_KINDS: dict[str, str] = {}


def register_job_kind(kind: str, label: str) -> None:
    _JOB_KINDS[kind] = label


def _from_app_configs(attribute: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for config in apps.get_app_configs():
        merged.update(getattr(config, attribute, None) or {})
    return merged


def audit_action_labels() -> dict[str, str]:
    return _from_app_configs("audit_actions")


def audit_action_label(code: str) -> str:
    return audit_action_labels().get(code) or f"其他事件（{code}）"


def object_type_label(label_lower: str) -> str:
    """``enterprises.enterprise`` → 检查对象 (the model's verbose_name)."""
    if not label_lower:
        return "—"
    named = _from_app_configs("audit_object_types")
    if label_lower in named:
        return named[label_lower]
    try:
        model = apps.get_model(label_lower)
    except (LookupError, ValueError, FieldDoesNotExist):
        return f"其他对象（{label_lower}）"
    return str(model._meta.verbose_name)


def job_kind_labels() -> dict[str, str]:
    from .job_registry import registered_kinds  # discovers every app's job_handlers

    registered_kinds()
    return dict(_JOB_KINDS)


def job_kind_label(kind: str) -> str:
    return job_kind_labels().get(kind) or f"其他任务（{kind}）"
