"""Demo assessment (``seed_demo_assessment``, demo mode only): last year's round computed and closed (so the
ranking, the exports and every township's 食安办 star entry exist), and this year's round computed and open, with
one appeal of 硖石街道 waiting for the city's decision. Written through the services as the demo city staff and
township staff. Idempotent: a round that exists is left as it is."""

from __future__ import annotations

from django.utils import timezone

from apps.accounts.models import Township, User
from apps.assessment.models import AssessmentRound

from . import services


def _user(username: str):
    return User.objects.filter(username=username, is_active=True).first()


def seed_demo(*, stdout=None) -> str:
    city, township_user = _user("shiju"), _user("zhenjie")
    if city is None:
        return "没有演示账户 shiju，跳过考核演示数据。"
    year = timezone.localdate().year
    done = []
    for y, close in ((year - 1, True), (year, False)):
        if AssessmentRound.objects.filter(year=y).exists() or services.scheme_for_year(y) is None:
            continue
        rnd = services.round_create(actor=city, year=y)
        services.round_compute(actor=city, round_id=rnd.pk)
        if close:
            services.round_close(actor=city, round_id=rnd.pk)
        elif township_user is not None:
            township = Township.objects.filter(code="xiashi").first()
            indicator = rnd.scheme.indicators.order_by("order", "id").first() if township else None
            if indicator is not None:
                services.appeal_file(
                    actor=township_user,
                    round_id=rnd.pk,
                    township_id=township.pk,
                    indicator_id=indicator.pk,
                    reason="【演示】本镇街该项有部分台账已于 11 月补录，系统数据尚未更新，申请复核。",
                )
        done.append(f"{y} 年度{'（已关闭）' if close else '（进行中，1 件申诉待裁决）'}")
    return "考核演示数据：" + ("、".join(done) if done else "已存在，未改动") + "。"
