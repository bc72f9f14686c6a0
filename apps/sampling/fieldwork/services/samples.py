"""Writes of the 抽样单 (Sample): the sampler fills it on site for a task; the number is allocated under a row lock;
the task becomes 已抽样. Also the audited export of samples for the national system."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from apps.common.audit import audit_record, model_snapshot
from apps.common.exceptions import InvalidTransition, OutOfScope, ValidationFailed
from apps.common.permissions import require_perm
from apps.common.scoping import user_sees_all_townships

from ...choices import TaskStatus
from ...models import Sample, SampleSequence, SamplingTask
from ...models.samples import member_organisation_ids
from ..forms import SAMPLER_FIELDS, SampleForm
from ..rules import assert_separated, backup_errors, clean_samplers, date_errors, division_code, format_number

FIELD_LABELS = {"samplers": "抽样人员", "backup_sealed_by_site": "封样签字确认"}


def field_label(form: SampleForm, name: str) -> str:
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else name


def validate_sample(task: SamplingTask, data) -> tuple[SampleForm, dict, list[str]]:
    """(form, errors, samplers): the form's field errors and the 抽样单 rules (≥ 2 samplers, the sealed backup
    sample, the dates), all at once, so one answer names every field that is wrong."""
    form = SampleForm(data=data, task=task)
    form.is_valid()
    errors: dict[str, list[str]] = {k: [str(m) for m in v] for k, v in form.errors.items()}
    cleaned = getattr(form, "cleaned_data", {})
    samplers: list[str] = []
    try:
        samplers = clean_samplers([cleaned.get(name, "") for name in SAMPLER_FIELDS])
    except ValidationFailed as exc:
        if not any(name in errors for name in SAMPLER_FIELDS):
            errors.update(exc.fields)
    for name, messages in date_errors(
        production_date=cleaned.get("production_date"), sampled_on=cleaned.get("sampled_on")
    ).items():
        errors.setdefault(name, messages)
    for name, messages in backup_errors(
        seal_no=cleaned.get("backup_seal_no", "") if "backup_seal_no" not in errors else "x",
        backup_quantity=cleaned.get("backup_quantity") if "backup_quantity" not in errors else 1,
        sealed_by_site=bool(cleaned.get("backup_sealed_by_site")),
    ).items():
        errors.setdefault(name, messages)
    return form, errors, samplers


def allocate_number(year: int) -> str:
    """The next 抽样单编号 of ``year`` (DC + yy + division + 9-digit sequence), under a row lock on its sequence:
    two samplers saving at the same moment never get one number (PostgreSQL: SELECT … FOR UPDATE; SQLite
    serialises writers). The first number of a year creates the sequence row (a racing creator retries)."""
    division = division_code()
    for _ in range(3):
        row = SampleSequence.objects.select_for_update().filter(year=year, division=division).first()
        if row is None:
            try:
                with transaction.atomic():
                    SampleSequence.objects.create(year=year, division=division, last=0)
            except IntegrityError:
                pass  # another transaction created it first: lock theirs
            continue
        row.last += 1
        row.save(update_fields=["last"])
        return format_number(year, division, row.last)
    raise InvalidTransition("抽样单编号分配失败，请重试")  # pragma: no cover - three lost races in a row


@transaction.atomic
def sample_create(*, actor, task, data) -> Sample:
    """The sampler's 抽样单 for ``task`` (a task or its id; ``data`` as a browser posts it, or a dict of the same
    names): prefilled values are the caller's business; everything is validated here. Bad input: ValidationFailed
    naming every wrong field, nothing written. The task becomes 已抽样."""
    require_perm(actor, "sampling.add_sample")
    task_id = getattr(task, "pk", task)
    try:
        task = (
            SamplingTask.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related(
                "plan", "plan_line", "enterprise", "enterprise__township", "category", "sampling_org", "lab"
            )
            .get(pk=task_id)
        )
    except (SamplingTask.DoesNotExist, TypeError, ValueError):
        raise OutOfScope("抽样任务不存在或不在您的范围内") from None
    if not (user_sees_all_townships(actor) or task.sampling_org_id in member_organisation_ids(actor)):
        raise PermissionDenied("只有承担该任务的抽样机构人员可以填写抽样单")
    if not task.can_transition_to(TaskStatus.SAMPLED):
        raise InvalidTransition(f"任务{task.get_status_display()}，不能再填写抽样单")
    assert_separated(task.sampling_org, task.lab)
    form, errors, samplers = validate_sample(task, data)
    if errors:
        names = "、".join(dict.fromkeys(field_label(form, k) for k in errors))
        raise ValidationFailed(f"抽样单有误，请检查：{names}", fields=errors)
    sample = form.save(commit=False)
    enterprise = task.enterprise
    sample.task = task
    sample.purpose = task.plan.purpose
    sample.source = task.plan_line.source if task.plan_line_id else sample.source
    sample.sampling_org = task.sampling_org
    sample.lab = task.lab
    sample.samplers = samplers
    sample.enterprise = enterprise
    sample.township_id = enterprise.township_id
    sample.created_by = actor
    sample.number = allocate_number(sample.sampled_on.year)
    sample.save()
    members = list(task.sampling_org.members.filter(full_name__in=samplers, is_active=True))
    if actor.pk and actor not in members and task.sampling_org_id in member_organisation_ids(actor):
        members.append(actor)
    sample.sampler_users.set(members)
    task.status = TaskStatus.SAMPLED
    task.save(update_fields=["status", "updated_at"])
    audit_record(
        "sampling.sample_create",
        obj=sample,
        actor=actor,
        changes=model_snapshot(sample),
        extra={"task": task.pk, "number": sample.number, "samplers": samplers},
    )
    return sample


def sample_export(*, actor, params, audit_extra: dict | None = None) -> tuple[bytes, int]:
    """Excel of exactly the samples the actor sees with these filters (the list's FilterSet), in the national
    抽样单's column order. Audited with the filters and the row count (SECURITY.md EXP-02/03)."""
    from ..exports import sample_workbook
    from ..selectors import sample_list

    require_perm(actor, "sampling.export_sample")
    qs = sample_list(actor=actor, filters=params)
    filters = filters_for_audit(params)
    content, count = sample_workbook(qs, actor=actor, filters=filters)
    audit_record(
        "sampling.sample_export",
        object_type="sampling.sample",
        actor=actor,
        extra={"filters": filters, "rows": count, "format": "xlsx", **(audit_extra or {})},
    )
    return content, count


def filters_for_audit(params) -> dict:
    out = {}
    for key in params.keys() if hasattr(params, "keys") else []:
        if key in ("page", "page_size", "csrfmiddlewaretoken"):
            continue
        values = params.getlist(key) if hasattr(params, "getlist") else [params[key]]
        values = [str(v)[:100] for v in values if str(v) != ""]
        if values:
            out[key] = values if len(values) > 1 else values[0]
    return out
