"""In-process hooks: an app announces that something happened, the apps that care subscribe (docs/architecture.md).

Domain apps must not import each other sideways, and a lower app never imports a higher one. The announcing app
calls ``emit``; each subscriber registers in its ``AppConfig.ready()``:

    # apps/risk/apps.py
    from apps.common import hooks
    hooks.subscribe("inspections.result_finalised", "risk", risk_after_inspection)

    # apps/inspections/... (inside the finalising transaction)
    notes = hooks.emit("inspections.result_finalised", result_id=..., enterprise_id=..., ...)

Subscribers run synchronously, in registration order, inside the caller's transaction; ``emit`` returns
``{subscriber key: return value}`` (the caller may put it in its audit event). A subscriber that must never block the
caller catches its own domain errors. Known hooks and their keyword payloads:

``inspections.result_finalised``
    ``result_id`` (int), ``enterprise_id`` (int), ``inspected_on`` (date), ``outcomes``
    ({check item code: [verdict label "符合" / "基本符合" / "不符合", ...]}, not-applicable items left out),
    ``full_coverage`` (bool: all check items, Order 49), ``actor``.
``enterprises.changed``
    ``enterprise_ids`` (list of int): rows written in bulk (an import), which sends no model signals.
``sampling.sample_concluded``
    ``sample_id`` (int), ``actor``: the lab's conclusion of a sample is recorded (``Sample.conclusion`` and
    ``concluded_at`` set, in the caller's transaction). ``sampling.publicity`` subscribes: it sets ``publish_due``
    (the publication clock) for supervisory and evaluative samples and returns ``{"publish_due": "YYYY-MM-DD"}``
    (or ``{"publish_due": None, "reason": …}`` for a result that is never published, such as risk monitoring).
``sampling.sample_unqualified``
    A supervisory sample was concluded unqualified by its first lab (in the results transaction):
    ``sample_id`` (int), ``sample_number`` (str, the 抽样单编号), ``sample_name`` (str), ``enterprise_id`` (int),
    ``concluded_on`` (date), ``items`` ([{"code", "name", "value_text", "unit"}] of the unqualified test items),
    ``actor``. Risk records a ``failed_sample`` event with ``source_ref="sampling-sample:<sample_id>"``.
``sampling.sample_unqualified_voided``
    The 复检 overturned that conclusion (the 复检 conclusion is final, FSL Art 88): ``sample_id`` (int),
    ``sample_number`` (str), ``enterprise_id`` (int), ``reason`` (str), ``actor``. Risk voids the event.

Providers are the reading side: an app offers a function that others call, by a known name, without importing it
(``provide(name, key, fn)`` in the offering app's ``ready()``, ``providers(name)`` in the reading app):

``inspections.completed``
    ``fn(enterprise_ids, year) -> {enterprise_id: [(date, full_coverage), ...]}`` — completed inspections since
    1 January of ``year - 2`` (read by ``apps.risk.coverage``).
``risk.enterprise_attributes``
    ``fn(enterprise_ids, *, on) -> {enterprise_id: {"grade": str, "credit_class": str}}`` — the current risk grade
    and the credit class as of ``on`` (read by ``apps.inspections.draws.selectors.enterprise_strata_attributes``).
``complaints.counts``
    ``fn(enterprise_ids, *, since) -> {enterprise_id: int}`` — complaints and reports (投诉举报) about each enterprise
    received on or after ``since`` (a date); enterprises with none may be left out. ``enterprise_ids`` is a list or a
    queryset of ids (sub-query). Read by ``apps.sampling.targeting`` (靶向抽检 suggestions); while no app provides
    it, that reason scores 0 and the page says so.
``sampling.samples_by_number``
    ``fn(numbers, *, actor) -> {抽样单编号 (upper case): sample_id}`` — the samples ``actor`` may see among the given
    numbers; unknown or invisible numbers are left out. Read by ``apps.incidents.emergencies`` to link samples to an
    incident (stored as ``sampling-sample:<id>``, resolved through ``apps.common.refs``).
``inspections.flying_create``
    ``fn(actor, *, enterprise_id, reason, source_ref) -> {"task_id": int, "ref": "inspection-task:<id>", "url": str}``
    — creates a flying inspection (飞行检查) of one enterprise visible to ``actor`` (who needs
    ``inspections.add_inspectiontask``), in the caller's transaction, with two inspectors picked as for key
    inspections (回避 honoured); ``reason`` is the task's reason and names ``source_ref`` (e.g.
    ``"opinion-event:12"``). Raises a DomainError (Chinese message) when it cannot. Called by
    ``apps.incidents.opinion`` (an event spawns an inspection); while no app provides it, the page says why.
"""

from __future__ import annotations

from collections.abc import Callable

HOOKS = {
    "inspections.result_finalised": "检查结果已签发",
    "enterprises.changed": "检查对象批量变更",
    "sampling.sample_concluded": "抽检样品已出检验结论",
    "sampling.sample_unqualified": "监督抽检不合格",
    "sampling.sample_unqualified_voided": "复检推翻监督抽检不合格结论",
}

_SUBSCRIBERS: dict[str, dict[str, Callable]] = {name: {} for name in HOOKS}


def subscribe(name: str, key: str, fn: Callable) -> None:
    """Register ``fn`` under ``key`` (one per key: re-registering replaces, so ``ready()`` may run twice)."""
    if name not in HOOKS:
        raise KeyError(f"unknown hook {name!r}")
    _SUBSCRIBERS[name][key] = fn


def unsubscribe(name: str, key: str) -> None:
    _SUBSCRIBERS.get(name, {}).pop(key, None)


def subscribers(name: str) -> dict[str, Callable]:
    return dict(_SUBSCRIBERS.get(name, {}))


PROVIDED = {
    "inspections.completed": "已完成的检查",
    "risk.enterprise_attributes": "检查对象的风险等级与信用等级",
    "complaints.counts": "检查对象的投诉举报数",
    "sampling.samples_by_number": "按抽样单编号查找样品",
    "inspections.flying_create": "新建飞行检查任务",
}
_PROVIDERS: dict[str, dict[str, Callable]] = {name: {} for name in PROVIDED}


def provide(name: str, key: str, fn: Callable) -> None:
    if name not in PROVIDED:
        raise KeyError(f"unknown provider {name!r}")
    _PROVIDERS[name][key] = fn


def withdraw(name: str, key: str) -> None:
    _PROVIDERS.get(name, {}).pop(key, None)


def providers(name: str) -> dict[str, Callable]:
    return dict(_PROVIDERS.get(name, {}))


def emit(name: str, **payload) -> dict:
    if name not in HOOKS:
        raise KeyError(f"unknown hook {name!r}")
    return {key: fn(**payload) for key, fn in list(_SUBSCRIBERS[name].items())}
