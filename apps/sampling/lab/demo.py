"""Demo lab data for `make run` (demo mode only), on top of the samples the fieldwork demo made: the demo lab account
``jianyan`` linked to the lab with the most samples, two published 复检 labs, and results for part of the samples —
mostly 合格, a few 不合格 so that the disposal list has rows (one already delivered). Every result goes through
``results_submit`` as the lab account (so it is judged and audited like a real one). Idempotent: samples that
already have results are left alone.

Called from ``setup_demo`` by ``manage.py seed_demo_lab`` after the samples exist."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from apps.accounts.models import User
from apps.common.exceptions import DomainError
from apps.standards.choices import JudgementType
from apps.standards.judging import limit_in_force

from ..choices import EntryChannel, OrganisationKind, SampleStatus, SamplingPurpose
from ..models import Organisation, Sample
from .selectors import applicable_test_items
from .services import disposals as disposal_services
from .services import results as result_services
from .services.members import lab_member_set

DEMO_LAB_USER = "jianyan"
RECHECK_LABS = ("浙江省食品药品检验研究院", "嘉兴市食品药品与产品质量检验检测院")
PER_RUN = 40  # samples given results per run
LEFT_FOR_THE_USER = 3  # the latest samples stay unreported for the demo account to receive and enter
EVERY_UNQUALIFIED = 7  # one sample in seven fails (a demo, not a statistic)


def _value(limit, fail: bool) -> dict:
    kind = limit.judgement_type
    if kind == JudgementType.MICRO:
        n, m, big = limit.micro_n or 5, limit.micro_m or Decimal(100), limit.micro_big_m
        worst = (big or m) * 2 if fail else m / 10
        return {"micro_values": [format(worst.normalize(), "f")] + ["10"] * (n - 1)}
    if kind == JudgementType.NOT_DETECTED:
        detected = (limit.detection_limit or Decimal("1")) * 4
        return {"value_text": format(detected.normalize(), "f") if fail else "未检出"}
    if kind == JudgementType.MIN:
        low = limit.min_limit or Decimal(1)
        return {"value_text": format((low / 2 if fail else low * Decimal("1.2")).normalize(), "f")}
    if kind == JudgementType.RANGE:
        lo, hi = limit.min_limit or Decimal(0), limit.max_limit or Decimal(1)
        return {"value_text": format((hi * 2 if fail else (lo + hi) / 2).normalize(), "f")}
    hi = limit.max_limit or Decimal(1)
    return {
        "value_text": format((hi * 3 if fail else hi * Decimal("0.3")).quantize(Decimal("0.0001")).normalize(), "f")
    }


def _items(sample, fail: bool) -> list[dict]:
    out = []
    for item in applicable_test_items(sample)[:6]:
        limit = limit_in_force(item, sample.production_date)
        if limit is None:
            continue
        failing = fail and not out  # the first judgeable item fails
        out.append({"test_item": item.pk, "unit": limit.unit, **_value(limit, failing)})
    return out


def demo_lab_seed() -> dict:
    if not getattr(settings, "DEMO_MODE", False):
        raise RuntimeError("演示检验数据只能在演示模式（DEMO_MODE=1）下创建")
    for name in RECHECK_LABS:
        Organisation.objects.get_or_create(
            name=name, defaults={"kind": OrganisationKind.LAB, "is_recheck_lab": True, "address": "演示数据"}
        )
    lab = (
        Organisation.objects.filter(kind=OrganisationKind.LAB, is_active=True)
        .annotate(n=Count("lab_samples"))
        .order_by("-n", "pk")
        .first()
    )
    user = User.objects.filter(username=DEMO_LAB_USER).first()
    if lab is None or user is None:
        return {"lab": None, "reported": 0, "unqualified": 0}
    lab_member_set(actor=None, lab_id=lab.pk, user_id=user.pk)
    user = User.objects.get(pk=user.pk)
    today = timezone.localdate()
    pending = list(
        Sample.objects.filter(
            lab=lab, status__in=(SampleStatus.SAMPLED, SampleStatus.RECEIVED), production_date__lte=today
        ).order_by("sampled_on", "pk")[: PER_RUN + LEFT_FOR_THE_USER]
    )
    reported = unqualified = 0
    for n, sample in enumerate(pending[: max(len(pending) - LEFT_FOR_THE_USER, 0)]):
        fail = n % EVERY_UNQUALIFIED == 3
        items = _items(sample, fail)
        if not items:
            continue
        try:
            done = result_services.results_submit(
                user, sample, items, channel=EntryChannel.PAGE, received_on=min(today, sample.sampled_on)
            )
        except DomainError:
            continue
        reported += 1
        unqualified += done.conclusion == "unqualified"
        city = User.objects.filter(username="shiju").first()  # the demo city account delivers the first one
        if (
            city
            and done.conclusion == "unqualified"
            and done.purpose != SamplingPurpose.MONITORING
            and unqualified == 1
        ):
            disposal_services.disposal_notify(actor=city, disposal_id=done.disposal.pk, notified_on=today)
    return {"lab": lab.name, "reported": reported, "unqualified": unqualified}
