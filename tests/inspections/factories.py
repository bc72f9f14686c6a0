"""Small builders for inspection tests (plain functions; the registry helper owns enterprise factories)."""

import datetime as dt
import itertools

from django.utils import timezone

from apps.accounts.models import Township
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.identifiers import make_uscc
from apps.enterprises.models import BusinessType, Enterprise
from apps.inspections.choices import TaskKind, TaskSource
from apps.inspections.models import InspectionTask, Inspector, TaskInspector

_seq = itertools.count(1)


def uscc_for(n: int) -> str:
    return make_uscc("91330481", f"{n:08d}")


def make_enterprise(township: Township, *, business_type: str = "catering", name: str | None = None, **extra):
    n = next(_seq)
    if extra.get("status", EnterpriseStatus.OPERATING) != EnterpriseStatus.OPERATING:
        extra.setdefault("deactivated_at", timezone.now())
    return Enterprise.objects.create(
        name=name or f"测试餐饮店{n}",
        uscc=extra.pop("uscc", uscc_for(n)),
        township=township,
        business_type=BusinessType.objects.get(code=business_type),
        **extra,
    )


def make_inspector(*, township=None, user=None, badge=None, valid_until=None, **extra):
    n = next(_seq)
    return Inspector.objects.create(
        name=extra.pop("name", f"检查员{n}"),
        badge_no=badge or f"HN{n:05d}",
        certificate_no=extra.pop("certificate_no", f"浙执33048100{n:04d}"),
        certificate_valid_until=valid_until or (dt.date.today() + dt.timedelta(days=365)),
        township=township,
        user=user,
        **extra,
    )


def make_task(enterprise, *, inspectors=(), kind=TaskKind.FLYING, source=TaskSource.MANUAL, **extra):
    n = next(_seq)
    task = InspectionTask.objects.create(
        number=extra.pop("number", f"T-TEST-{n:06d}"), enterprise=enterprise, kind=kind, source=source, **extra
    )
    for i, inspector in enumerate(inspectors):
        TaskInspector.objects.create(task=task, inspector=inspector, order=i)
    return task
