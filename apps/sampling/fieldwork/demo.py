"""Demo data of the sampling fieldwork for `make run` (demo mode only), called by
``manage.py seed_demo_sampling`` (which setup_demo runs after the registry and the grades):

- two sampling organisations and two labs (the provincial one on the 复检 list), with valid USCCs, the demo
  accounts ``chouyang`` (抽样人员) and ``jianyan`` (检验机构人员) as members;
- the sampling categories it needs, found by name or created by code (``get_or_create``; the standards starter
  set, when present, is reused by name);
- an approved supervisory plan of the current year with lines per township × category × month, about 200 samples
  taken (抽样单 with numbers from the sequence, site snapshot from the registry) and a handful of open tasks for
  the demo sampler.

Rows are written in bulk with the ORM, with the values the services would write (numbers from SampleSequence under
its lock, 抽检分离, ≥ 2 samplers, sealed backup, dates in order), and one audit event. Idempotent: a plan that already
has samples is left as it is."""

from __future__ import annotations

import calendar
import datetime as dt
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Township, User
from apps.common.audit import audit_record
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.identifiers import make_uscc
from apps.enterprises.models import Enterprise
from apps.standards.models import SamplingCategory

from ..choices import LineOrigin, LineSource, OrganisationKind, PlanStatus, SampleStatus, SamplingPurpose, TaskStatus
from ..models import Organisation, PlanLine, Sample, SampleSequence, SamplingPlan, SamplingTask
from .rules import division_code, format_number
from .selectors import AREA_BY_ENTERPRISE, STAGE_BY_SECTOR, active_licence

DEMO_SAMPLER_USERNAME = "chouyang"
DEMO_LAB_USERNAME = "jianyan"

ORGANISATIONS = (
    # name, kind, USCC prefix, organisation body, recheck, address, contact, phone, demo member
    (
        "海宁市食品安全抽样中心（演示）",
        OrganisationKind.SAMPLER,
        "12330481",
        "HNCY0001",
        False,
        "海宁市海洲街道文苑南路 1 号",
        "郑晓明",
        "0573-87000001",
        DEMO_SAMPLER_USERNAME,
    ),
    (
        "嘉兴诚信抽样服务有限公司（演示）",
        OrganisationKind.SAMPLER,
        "91330402",
        "CXCY0002",
        False,
        "嘉兴市南湖区东升路 8 号",
        "沈立群",
        "0573-82000002",
        None,
    ),
    (
        "海宁市食品检验检测中心（演示）",
        OrganisationKind.LAB,
        "12330481",
        "HNJC0003",
        False,
        "海宁市硖石街道工人路 12 号",
        "冯丽华",
        "0573-87000003",
        DEMO_LAB_USERNAME,
    ),
    (
        "浙江省食品药品检验研究院（演示）",
        OrganisationKind.LAB,
        "12330000",
        "GJYY0004",
        True,
        "杭州市拱墅区莫干山路 1 号",
        "钱卫东",
        "0571-86000004",
        None,
    ),
)

# (code, name, level, hazard, parent code) — the few categories the demo needs (大类, and a few 亚类)
CATEGORIES = (
    ("demo-01", "粮食加工品", 1, 2, None),
    ("demo-02", "食用油、油脂及其制品", 1, 3, None),
    ("demo-03", "调味品", 1, 2, None),
    ("demo-04", "肉制品", 1, 4, None),
    ("demo-05", "乳制品", 1, 4, None),
    ("demo-06", "饮料", 1, 2, None),
    ("demo-07", "糕点", 1, 3, None),
    ("demo-08", "食用农产品", 1, 4, None),
    ("demo-0801", "蔬菜", 2, 4, "demo-08"),
    ("demo-0802", "畜禽肉及副产品", 2, 5, "demo-08"),
    ("demo-0803", "水产品", 2, 4, "demo-08"),
    ("demo-09", "餐饮食品", 1, 3, None),
    ("demo-0901", "餐饮具", 2, 3, "demo-09"),
)
SAMPLE_NAMES = {
    "demo-01": ["大米", "小麦粉", "挂面"],
    "demo-02": ["菜籽油", "大豆油", "调和油"],
    "demo-03": ["酱油", "食醋", "味精"],
    "demo-04": ["酱卤肉", "香肠", "腊肉"],
    "demo-05": ["纯牛奶", "酸奶", "乳粉"],
    "demo-06": ["饮用纯净水", "果汁饮料", "茶饮料"],
    "demo-07": ["蛋糕", "月饼", "面包"],
    "demo-0801": ["青菜", "芹菜", "豇豆"],
    "demo-0802": ["猪肉", "鸡肉", "牛肉"],
    "demo-0803": ["鲈鱼", "草鱼", "基围虾"],
    "demo-0901": ["复用餐饮具（碗）", "复用餐饮具（盘）"],
}
LINE_CATEGORIES = ("demo-0801", "demo-0802", "demo-0803", "demo-01", "demo-03", "demo-04", "demo-05", "demo-07")
SAMPLERS = {
    0: [["郑晓明", "王建军"], ["郑晓明", "李文静"], ["王建军", "李文静"]],
    1: [["沈立群", "陈海峰"], ["陈海峰", "周雨婷"]],
}
SAMPLES_PER_TOWNSHIP = 17  # 12 townships × 17 ≈ 200 samples
OPEN_TASKS = 12


def _categories() -> dict[str, SamplingCategory]:
    out: dict[str, SamplingCategory] = {}
    for code, name, level, hazard, parent_code in CATEGORIES:
        parent = out.get(parent_code) if parent_code else None
        found = SamplingCategory.objects.filter(name=name, level=level).order_by("id").first()
        if found is None:
            found, _ = SamplingCategory.objects.get_or_create(
                code=code,
                defaults={"name": name, "level": level, "hazard": hazard, "parent": parent, "order": len(out)},
            )
        out[code] = found
    return out


def _organisations() -> list[Organisation]:
    orgs = []
    for name, kind, prefix, body, recheck, address, contact, phone, member in ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "uscc": make_uscc(prefix, body),
                "is_recheck_lab": recheck,
                "address": address,
                "contact_person": contact,
                "phone": phone,
            },
        )
        user = User.objects.filter(username=member).first() if member else None
        if user is not None:
            org.members.add(user)
        orgs.append(org)
    return orgs


def _reserve_numbers(year: int, n: int) -> list[str]:
    division = division_code()
    SampleSequence.objects.get_or_create(year=year, division=division)
    row = SampleSequence.objects.select_for_update().get(year=year, division=division)
    first = row.last + 1
    row.last += n
    row.save(update_fields=["last"])
    return [format_number(year, division, first + i) for i in range(n)]


def _site(ent: Enterprise, stage: str) -> dict:
    licence = active_licence(ent, stage)
    return {
        "site_name": ent.name,
        "site_address": ent.business_address or ent.registered_address or "",
        "site_uscc": ent.uscc or "",
        "site_licence_kind": licence.get_kind_display() if licence else "",
        "site_licence_no": licence.number if licence else "",
        "site_legal_rep": ent.legal_representative,
        "site_contact": ent.contact_person or ent.legal_representative,
        "site_phone": ent.contact_phone,
        "site_area_type": AREA_BY_ENTERPRISE.get(ent.area_type, ""),
    }


@transaction.atomic
def seed_demo(*, today: dt.date | None = None) -> dict:
    if not getattr(settings, "DEMO_MODE", False):
        raise RuntimeError("抽检演示数据只能在演示模式（DEMO_MODE=1）下创建")
    today = today or timezone.localdate()
    year = today.year
    categories = _categories()
    orgs = _organisations()
    samplers, labs = orgs[:2], orgs[2:]
    plan, _ = SamplingPlan.objects.get_or_create(
        year=year,
        name=f"{year}年食品安全监督抽检计划（演示）",
        defaults={
            "purpose": SamplingPurpose.SUPERVISORY,
            "status": PlanStatus.APPROVED,
            "approved_at": timezone.now(),
            "note": "演示数据：按镇街 × 类别 × 月份编制",
        },
    )
    result = {"organisations": len(orgs), "plan": plan.pk, "samples": 0, "open_tasks": 0}
    if Sample.objects.filter(task__plan=plan).exists():
        result["samples"] = Sample.objects.filter(task__plan=plan).count()
        result["open_tasks"] = SamplingTask.objects.filter(plan=plan, status=TaskStatus.ASSIGNED).count()
        return result
    rng = random.Random(year)
    townships = list(Township.objects.filter(is_active=True).order_by("order", "id"))
    by_township: dict[int, list[Enterprise]] = {}
    for ent in (
        Enterprise.objects.filter(status=EnterpriseStatus.OPERATING, township__in=townships)
        .select_related("business_type")
        .order_by("id")
    ):
        by_township.setdefault(ent.township_id, []).append(ent)
    months = list(range(1, today.month + 1))
    sources = [LineSource.ROUTINE] * 6 + [LineSource.TARGETED] * 3 + [LineSource.VOTE]
    lines, plans_of_line = [], []
    for township in townships:
        ents = by_township.get(township.pk) or []
        if len(ents) < 3:
            continue
        for k in range(SAMPLES_PER_TOWNSHIP):
            code = LINE_CATEGORIES[k % len(LINE_CATEGORIES)]
            month = months[k % len(months)]
            lines.append(
                PlanLine(
                    plan=plan,
                    township=township,
                    category=categories[code],
                    month=month,
                    source=sources[k % len(sources)],
                    batches=1,
                    origin=LineOrigin.QUOTA,
                )
            )
            plans_of_line.append((township, code, month))
    if not lines:
        return result
    lines = PlanLine.objects.bulk_create(lines)
    tasks, sample_specs = [], []
    for i, (line, (township, code, month)) in enumerate(zip(lines, plans_of_line, strict=True)):
        ent = rng.choice(by_township[township.pk])
        org_index = i % 2
        sampler = samplers[org_index]
        lab = labs[0] if i % 5 else labs[1]
        last_day = calendar.monthrange(year, month)[1]
        day = min(rng.randint(1, last_day), today.day if month == today.month else last_day)
        sampled_on = dt.date(year, month, day)
        open_task = month == today.month and len([t for t in tasks if t.status == TaskStatus.ASSIGNED]) < OPEN_TASKS
        if open_task:
            sampler = samplers[0]  # the demo sampler's organisation: these reach 我的抽样任务
        tasks.append(
            SamplingTask(
                plan=plan,
                plan_line=line,
                enterprise=ent,
                category=line.category,
                sampling_org=sampler,
                lab=lab,
                due_on=dt.date(year, month, last_day),
                status=TaskStatus.ASSIGNED if open_task else TaskStatus.SAMPLED,
            )
        )
        if not open_task:
            sample_specs.append((len(tasks) - 1, code, sampled_on, org_index))
    tasks = SamplingTask.objects.bulk_create(tasks)
    numbers = _reserve_numbers(year, len(sample_specs))
    samples = []
    for (task_index, code, sampled_on, org_index), number in zip(sample_specs, numbers, strict=True):
        task = tasks[task_index]
        ent = task.enterprise
        stage = STAGE_BY_SECTOR.get(getattr(ent.business_type, "sector", ""), "circulation")
        received = (today - sampled_on).days > 20
        samples.append(
            Sample(
                task=task,
                number=number,
                purpose=plan.purpose,
                source=task.plan_line.source,
                stage=stage,
                place_type={"production": "成品库", "catering": "餐馆"}.get(stage, "超市"),
                category=task.category,
                sampling_org=task.sampling_org,
                lab=task.lab,
                samplers=rng.choice(SAMPLERS[org_index]),
                enterprise=ent,
                township_id=ent.township_id,
                **_site(ent, stage),
                sample_kind="agricultural" if code.startswith("demo-08") else "processed",
                sample_origin_kind="外购",
                packaging="bulk" if code.startswith("demo-08") else "prepackaged",
                name=rng.choice(SAMPLE_NAMES.get(code, ["样品"])),
                production_date=sampled_on - dt.timedelta(days=rng.randint(0, 45)),
                sampled_on=sampled_on,
                quantity=rng.choice([2, 3, 4]),
                backup_quantity=1,
                quantity_unit="kg" if code.startswith("demo-08") else "袋",
                backup_seal_no=f"FY{year % 100:02d}{len(samples) + 1:05d}",
                backup_sealed_by_site=True,
                status=SampleStatus.RECEIVED if received else SampleStatus.SAMPLED,
                received_on=sampled_on + dt.timedelta(days=2) if received else None,
            )
        )
    samples = Sample.objects.bulk_create(samples)
    demo_sampler = User.objects.filter(username=DEMO_SAMPLER_USERNAME).first()
    if demo_sampler is not None:
        through = Sample.sampler_users.through
        through.objects.bulk_create(
            [through(sample_id=s.pk, user_id=demo_sampler.pk) for s in samples if s.sampling_org_id == samplers[0].pk]
        )
    result.update(samples=len(samples), open_tasks=sum(t.status == TaskStatus.ASSIGNED for t in tasks))
    audit_record("sampling.demo_seed", object_type="sampling.sample", extra=result)
    return result
