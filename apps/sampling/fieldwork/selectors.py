"""Reads of the sampling fieldwork: organisations, tasks, samples (抽样单) and what the phone form is prefilled with.

Every read of tasks and samples starts from ``Model.objects.visible_to(actor)`` (the one rule of
``apps/sampling/models/samples.py``: township staff, samplers of the organisation, the lab it was sent to, city
roles) and goes through the list's FilterSet (page, API and export alike)."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from apps.common.filters import filter_queryset
from apps.common.scoping import user_sees_all_townships
from apps.enterprises.choices import AreaType, EnterpriseStatus, LicenceKind
from apps.enterprises.models import Enterprise, Licence

from ..choices import LineSource, OrganisationKind, PlanStatus, Stage, TaskStatus
from ..models import Organisation, PlanLine, ResultItem, Sample, SampleAttachment, SamplingTask
from ..models.samples import member_organisation_ids
from .filters import OpenLineFilterSet, OrganisationFilterSet, SampleFilterSet, TaskFilterSet

CANDIDATE_LIMIT = 200  # enterprises offered at once on the task form (search narrows the list)


# ---------------------------------------------------------------------------- organisations
def organisation_list(*, actor, filters=None) -> QuerySet[Organisation]:
    """City-wide reference data (not township-scoped; the page needs ``sampling.view_organisation``): every
    organisation through ``OrganisationFilterSet``, with its member count."""
    qs = filter_queryset(OrganisationFilterSet, Organisation.objects.all(), filters)
    return qs.annotate(
        member_count=Count("members", distinct=True),
    ).order_by("kind", "name")


def organisation_get(*, actor, pk) -> Organisation:
    return organisation_list(actor=actor).prefetch_related("members").get(pk=pk)


def organisation_task_counts(org_ids) -> dict[int, dict[str, int]]:
    """{org id: {"sampling": n, "lab": n}} open and done tasks per organisation (two grouped queries)."""
    out: dict[int, dict[str, int]] = {pk: {"sampling": 0, "lab": 0} for pk in org_ids}
    ids = list(org_ids)
    for pk, n in (
        SamplingTask.objects.filter(sampling_org_id__in=ids).values_list("sampling_org_id").annotate(n=Count("id"))
    ):
        out[pk]["sampling"] = n
    for pk, n in SamplingTask.objects.filter(lab_id__in=ids).values_list("lab_id").annotate(n=Count("id")):
        out[pk]["lab"] = n
    return out


def member_choices(*, actor, kind: str | None):
    """Accounts that may act for an organisation of ``kind``: 抽样人员 for a sampling organisation; 检验机构人员 and
    API service accounts for a lab (all of them when the kind is not chosen yet)."""
    from apps.accounts.models import User
    from apps.accounts.roles import ROLE_BY_CODE

    sampler, lab = ROLE_BY_CODE["sampler"].label, ROLE_BY_CODE["lab_staff"].label
    if kind == OrganisationKind.SAMPLER:
        cond = Q(groups__name=sampler)
    elif kind == OrganisationKind.LAB:
        cond = Q(groups__name=lab) | Q(is_service_account=True)
    else:
        cond = Q(groups__name__in=[sampler, lab]) | Q(is_service_account=True)
    users = User.objects.visible_to(actor).filter(is_active=True)
    return users.filter(pk__in=User.objects.filter(cond).values("pk")).prefetch_related("groups").order_by("username")


# ---------------------------------------------------------------------------- tasks
def _task_base(qs):
    return qs.select_related(
        "plan",
        "plan_line",
        "enterprise",
        "enterprise__township",
        "enterprise__business_type",
        "category",
        "sampling_org",
        "lab",
    )


def task_list(*, actor, filters=None) -> QuerySet[SamplingTask]:
    """Tasks visible to ``actor`` through ``TaskFilterSet``; open ones first, soonest due first."""
    qs = filter_queryset(TaskFilterSet, SamplingTask.objects.visible_to(actor), filters)
    return _task_base(qs).order_by("status", "due_on", "id")


def task_get(*, actor, pk) -> SamplingTask:
    return _task_base(SamplingTask.objects.visible_to(actor)).get(pk=pk)


def my_open_tasks(*, actor) -> QuerySet[SamplingTask]:
    """The sampler's to-do list: open tasks of the organisations ``actor`` acts for."""
    ids = member_organisation_ids(actor)
    return task_list(actor=actor).filter(sampling_org_id__in=ids, status=TaskStatus.ASSIGNED)


def can_take_sample(task: SamplingTask, actor) -> bool:
    """Whether ``actor`` may fill the 抽样单 of ``task`` (the page offers the form; the service decides)."""
    if not actor.has_perm("sampling.add_sample") or not task.can_transition_to(TaskStatus.SAMPLED):
        return False
    return user_sees_all_townships(actor) or task.sampling_org_id in member_organisation_ids(actor)


def _open_tasks():
    return Count("tasks", filter=~Q(tasks__status=TaskStatus.CANCELLED))


def open_lines(*, actor, filters=None) -> QuerySet[PlanLine]:
    """Lines of approved plans that still have batches without a task (the line picker), by month and township."""
    qs = PlanLine.objects.visible_to(actor).filter(plan__status=PlanStatus.APPROVED)
    qs = filter_queryset(OpenLineFilterSet, qs, filters)
    qs = qs.annotate(open_tasks=_open_tasks()).filter(open_tasks__lt=F("batches"))
    return qs.select_related("plan", "township", "category", "enterprise").order_by(
        "-plan__year", "month", "township__order", "category__order", "id"
    )


def line_get(*, actor, pk) -> PlanLine:
    return (
        PlanLine.objects.visible_to(actor)
        .select_related("plan", "township", "category", "enterprise", "business_type")
        .annotate(open_tasks=_open_tasks())
        .get(pk=pk)
    )


def task_candidates(*, actor, line: PlanLine, q: str = "") -> QuerySet[Enterprise]:
    """Enterprises a task of ``line`` may go to: the line's own enterprise for a targeted line that names one; else
    operating businesses of the line's township (of its business type, if it has one), without an open task on the
    line, at most ``CANDIDATE_LIMIT`` (a search narrows them)."""
    from .services.tasks import line_business_type_ids

    qs = Enterprise.objects.visible_to(actor).filter(status=EnterpriseStatus.OPERATING, township_id=line.township_id)
    if line.enterprise_id:
        qs = qs.filter(pk=line.enterprise_id)
    types = line_business_type_ids(line)
    if types is not None:
        qs = qs.filter(business_type_id__in=types)
    busy = SamplingTask.objects.filter(plan_line=line).exclude(status=TaskStatus.CANCELLED).values("enterprise_id")
    qs = qs.exclude(pk__in=busy)
    text = (q or "").strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(uscc__icontains=text.upper()))
    return qs.select_related("business_type").order_by("name", "id")


# ---------------------------------------------------------------------------- samples
def _sample_base(qs):
    return qs.select_related(
        "task",
        "task__plan",
        "task__plan_line",
        "category",
        "category__parent",
        "category__parent__parent",
        "category__parent__parent__parent",
        "sampling_org",
        "lab",
        "enterprise",
        "enterprise__business_type",
        "township",
    )


def sample_list(*, actor, filters=None) -> QuerySet[Sample]:
    """Samples visible to ``actor`` through ``SampleFilterSet``; newest sampling first (page, API, export)."""
    qs = filter_queryset(SampleFilterSet, Sample.objects.visible_to(actor), filters)
    return _sample_base(qs).order_by("-sampled_on", "-id")


def sample_get(*, actor, pk) -> Sample:
    return _sample_base(Sample.objects.visible_to(actor)).get(pk=pk)


def sample_results(sample: Sample, *, actor) -> list[ResultItem]:
    """The result rows of a sample (entered by the lab; 复检 rows last), those the actor may see."""
    return list(
        ResultItem.objects.visible_to(actor)
        .filter(sample=sample)
        .select_related("test_item", "lab")
        .order_by("is_recheck", "test_item__order", "id")
    )


def category_path(category) -> list:
    """大类 › 亚类 › 次亚类 › 细类 of a category (uses the select_related parents)."""
    out = []
    node = category
    while node is not None and len(out) < 4:
        out.append(node)
        node = node.parent if node.parent_id else None
    return list(reversed(out))


# ---------------------------------------------------------------------------- the phone form's prefill
STAGE_BY_SECTOR = {"production": Stage.PRODUCTION, "sales": Stage.CIRCULATION, "catering": Stage.CATERING}
AREA_BY_ENTERPRISE = {AreaType.URBAN: "城市", AreaType.RURAL: "乡村"}
LICENCE_PREFERENCE = {
    Stage.PRODUCTION: (LicenceKind.SC, LicenceKind.DJ, LicenceKind.JY, LicenceKind.YB, LicenceKind.DK),
    Stage.CIRCULATION: (LicenceKind.JY, LicenceKind.YB, LicenceKind.DJ, LicenceKind.DK, LicenceKind.SC),
    Stage.CATERING: (LicenceKind.JY, LicenceKind.DJ, LicenceKind.DK, LicenceKind.YB, LicenceKind.SC),
}


def active_licence(enterprise: Enterprise, stage: str, *, today=None) -> Licence | None:
    """The licence the 抽样单 names: an active, unexpired one, of the kind that fits the stage first."""
    today = today or timezone.localdate()
    licences = [
        lic
        for lic in Licence.objects.filter(enterprise=enterprise, is_active=True)
        if lic.expires_on is None or lic.expires_on >= today
    ]
    order = LICENCE_PREFERENCE.get(stage, ())
    licences.sort(key=lambda lic: (order.index(lic.kind) if lic.kind in order else 99, lic.number))
    return licences[0] if licences else None


def sample_initial(task: SamplingTask, *, actor) -> dict:
    """The phone form's starting values: from the task (category), the enterprise registry (the site snapshot: name,
    address, USCC, licence kind / number of the active licence, legal representative, contact, phone, area type)
    and the sampler (their own name first). Everything stays editable: the 抽样单 records what is true on site."""
    ent = task.enterprise
    sector = getattr(ent.business_type, "sector", "")
    stage = STAGE_BY_SECTOR.get(sector, Stage.CIRCULATION)
    licence = active_licence(ent, stage)
    today = timezone.localdate()
    initial = {
        "sampling_type": "常规抽样",
        "stage": stage,
        "category": task.category_id,
        "sampler_1": (getattr(actor, "full_name", "") or "").strip(),
        "site_name": ent.name,
        "site_address": ent.business_address or ent.registered_address or "",
        "site_area_type": AREA_BY_ENTERPRISE.get(ent.area_type, ""),
        "site_uscc": ent.uscc or "",
        "site_licence_kind": licence.get_kind_display() if licence else ("营业执照" if ent.uscc else ""),
        "site_licence_no": licence.number if licence else "",
        "site_legal_rep": ent.legal_representative,
        "site_contact": ent.contact_person or ent.legal_representative,
        # the registry's phone only for those who may read it (SECURITY.md PII-01); others ask on site
        "site_phone": ent.contact_phone if actor.has_perm("enterprises.view_contact_phone") else "",
        "sample_kind": "catering" if stage == Stage.CATERING else "processed",
        "sample_origin_kind": "自制" if stage in (Stage.CATERING, Stage.PRODUCTION) else "外购",
        "attribute": "普通食品",
        "packaging": "prepackaged",
        "sampled_on": today,
        "sampling_method": "非无菌",
        "storage": "常温",
        "quantity_unit": "袋",
    }
    if stage == Stage.PRODUCTION:
        initial.update(
            producer_name=ent.name,
            producer_address=initial["site_address"],
            producer_licence_no=licence.number if licence and licence.kind == LicenceKind.SC else "",
            producer_phone=initial["site_phone"],
        )
    return initial


def source_of(task: SamplingTask) -> str:
    return task.plan_line.source if task.plan_line_id else LineSource.ROUTINE


# ---------------------------------------------------------------------------- attachments of a 抽样单
def attachment_list(*, actor, sample_ids) -> list[SampleAttachment]:
    """The attachments of the given samples that ``actor`` sees, oldest first (a correction after what it corrects)."""
    return list(
        SampleAttachment.objects.visible_to(actor)
        .filter(sample_id__in=list(sample_ids))
        .select_related("uploaded_by")
        .order_by("sample_id", "uploaded_at", "id")
    )


def attachment_get(*, actor, pk) -> SampleAttachment:
    return SampleAttachment.objects.visible_to(actor).select_related("sample").get(pk=pk)
