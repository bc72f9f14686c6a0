"""The registry's measures (apps/common/measures.py; how each is counted: docs/measures.md), registered from
``EnterprisesConfig.ready()``, plus the small helpers the other apps' ``measures.py`` share (they all sit above
``enterprises`` in the layers).

Every figure counts **operating** enterprises (``status=operating``) that ``actor`` sees, in one GROUP BY by
township; the value under ``None`` is the sum of the counts over the actor's whole scope (never an average of
percentages). The registry keeps the current state of each enterprise, not its history: a value as of an earlier
day is today's registry (said in the value's note), except the health certificates, which are judged on ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.common.measures import COUNT, RATE, RATIO, Measure, MeasureValue, register_measure

from .choices import AreaType, EnterpriseStatus, Scale, Sector

PRODUCER_TYPES = ("food_production", "health_food")  # SC licensees; 小作坊 (DJ registration) are not 生产企业
LARGE_MEDIUM = (Scale.LARGE, Scale.MEDIUM)
RURAL_BANQUET_TYPE = "rural_banquet_center"
SNAPSHOT_NOTE = "名录只保存当前状态：按今天的名录计算"


# ------------------------------------------------------------------------------------------------ shared helpers
def list_url(name: str, params: dict | None = None) -> str:
    """The URL of a list page with its GET filters (empty values left out, lists repeat the key); "" when the page
    is not installed."""
    try:
        base = reverse(name)
    except NoReverseMatch:
        return ""
    clean = {k: v for k, v in (params or {}).items() if v not in (None, "", [], ())}
    return f"{base}?{urlencode(clean, doseq=True)}" if clean else base


def township_values(
    township_ids: Iterable[int],
    numerators: dict,
    denominators: dict | None = None,
    *,
    url: Callable[[int | None], str],
    denominator_url: Callable[[int | None], str] | None = None,
    note: str = "",
    total_numerator=None,
    total_denominator=None,
) -> dict:
    """``{township_id: MeasureValue, None: MeasureValue}`` from per-township counts (keys may include None, rows
    without a township). The total is the sum of all keys unless given (``total_numerator``: e.g. a distinct count)."""
    out = {}
    for tid in township_ids:
        out[tid] = MeasureValue(
            numerators.get(tid, 0),
            None if denominators is None else denominators.get(tid, 0),
            url=url(tid),
            denominator_url=denominator_url(tid) if denominator_url else "",
            note=note,
        )
    num = sum(numerators.values()) if total_numerator is None else total_numerator
    if denominators is None:
        den = None
    else:
        den = sum(denominators.values()) if total_denominator is None else total_denominator
    out[None] = MeasureValue(
        num, den, url=url(None), denominator_url=denominator_url(None) if denominator_url else "", note=note
    )
    return out


def snapshot_note(as_of: dt.date) -> str:
    return SNAPSHOT_NOTE if as_of < timezone.localdate() else ""


# ------------------------------------------------------------------------------------------------ populations
def responsibility_list_q() -> Q:
    """主体责任清单 applies to food producers (食品生产, 保健食品 and their sub-types) and large and medium sellers
    (销售环节, scale 大型/中型)."""
    producers = Q(business_type__code__in=PRODUCER_TYPES) | Q(business_type__parent__code__in=PRODUCER_TYPES)
    sellers = Q(business_type__sector=Sector.SALES, scale__in=LARGE_MEDIUM)
    return producers | sellers


def urban_caterers_q() -> Q:
    return Q(business_type__sector=Sector.CATERING, area_type=AreaType.URBAN)


def rural_banquet_q() -> Q:
    return Q(business_type__code=RURAL_BANQUET_TYPE) | Q(business_type__parent__code=RURAL_BANQUET_TYPE)


def has_health_certs_q() -> Q:
    return Q(health_cert_count__gt=0)


def health_certs_valid_q(on: dt.date) -> Q:
    """Every recorded certificate still valid on ``on``: the nearest expiry is on or after that day."""
    return Q(health_cert_count__gt=0, health_cert_next_expiry__gte=on)


# ------------------------------------------------------------------------------------------------ counting
def _operating(actor):
    from .models import Enterprise

    return Enterprise.objects.visible_to(actor).filter(status=EnterpriseStatus.OPERATING).order_by()


def _grouped(actor, denominator: Q | None, numerator: Q) -> tuple[dict, dict]:
    """({township: numerator}, {township: denominator}) in one GROUP BY over the operating enterprises."""
    qs = _operating(actor)
    if denominator is not None:
        qs = qs.filter(denominator)
    rows = qs.values("township_id").annotate(den=Count("id"), num=Count("id", filter=numerator))
    num, den = {}, {}
    for r in rows:
        num[r["township_id"]], den[r["township_id"]] = r["num"], r["den"]
    return num, den


def _enterprise_url(params: dict) -> Callable[[int | None], str]:
    def url(tid):
        return list_url("enterprises:list", {"status": EnterpriseStatus.OPERATING, **params, "township": tid})

    return url


def _ratio(actor, township_ids, as_of, *, base: Q | None, base_params: dict, flag: Q, flag_params: dict, note=""):
    num, den = _grouped(actor, base, flag)
    return township_values(
        township_ids,
        num,
        den,
        url=_enterprise_url({**base_params, **flag_params}),
        denominator_url=_enterprise_url(base_params),
        note=note or snapshot_note(as_of),
    )


def sunshine_kitchen_online(actor, *, year, township_ids, as_of):
    return _ratio(
        actor,
        township_ids,
        as_of,
        base=Q(online_catering=True),
        base_params={"online_catering": "true"},
        flag=Q(sunshine_kitchen=True),
        flag_params={"sunshine_kitchen": "true"},
    )


def responsibility_list(actor, *, year, township_ids, as_of):
    return _ratio(
        actor,
        township_ids,
        as_of,
        base=responsibility_list_q(),
        base_params={"responsibility_list_required": "true"},
        flag=Q(responsibility_list=True),
        flag_params={"responsibility_list": "true"},
    )


def liability_insurance(actor, *, year, township_ids, as_of):
    return _ratio(
        actor,
        township_ids,
        as_of,
        base=None,
        base_params={},
        flag=Q(liability_insurance=True),
        flag_params={"liability_insurance": "true"},
    )


def health_certificates(actor, *, year, township_ids, as_of):
    return _ratio(
        actor,
        township_ids,
        as_of,
        base=has_health_certs_q(),
        base_params={"has_health_certs": "true"},
        flag=health_certs_valid_q(as_of),
        flag_params={"health_cert_valid_on": as_of.isoformat()},
        note="按单位计：名录只记每家单位的健康证数和最近到期日，最近到期日不早于统计日的单位计为全部有效",
    )


def rural_banquet_centres(actor, *, year, township_ids, as_of):
    rows = _operating(actor).filter(rural_banquet_q()).values("township_id").annotate(n=Count("id"))
    counts = {r["township_id"]: r["n"] for r in rows}
    return township_values(
        township_ids,
        counts,
        url=_enterprise_url({"business_type__code": RURAL_BANQUET_TYPE}),
        note=snapshot_note(as_of),
    )


def evaluators_per_100_urban_caterers(actor, *, year, township_ids, as_of):
    """Distinct third-party evaluators (by name) serving the urban caterers, per 100 urban caterers. Two queries."""
    caterers = _operating(actor).filter(urban_caterers_q())
    den = {r["township_id"]: r["n"] for r in caterers.values("township_id").annotate(n=Count("id"))}
    names: dict = defaultdict(set)
    for tid, name in caterers.exclude(third_party_evaluator="").values_list("township_id", "third_party_evaluator"):
        if name.strip():
            names[tid].add(name.strip())
    num = {tid: len(s) for tid, s in names.items()}
    params = {"sector": Sector.CATERING, "area_type": AreaType.URBAN}
    note = "分子为评估机构数（按名称去重）；链接列出由第三方评估的城区餐饮单位"
    if snapshot_note(as_of):
        note += f"；{SNAPSHOT_NOTE}"
    return township_values(
        township_ids,
        num,
        den,
        url=_enterprise_url({**params, "has_third_party_evaluator": "true"}),
        denominator_url=_enterprise_url(params),
        note=note,
        total_numerator=len(set().union(*names.values())) if names else 0,
    )


MEASURES = (
    Measure(
        code="enterprises.sunshine_kitchen_online",
        label="网络餐饮阳光厨房覆盖率",
        unit="%",
        kind=RATIO,
        compute=sunshine_kitchen_online,
        order=110,
        description="营业中的网络餐饮单位中已建成阳光厨房的比例",
        extra={"target": 100},
    ),
    Measure(
        code="enterprises.responsibility_list",
        label="主体责任清单覆盖率",
        unit="%",
        kind=RATIO,
        compute=responsibility_list,
        order=120,
        description="营业中的食品生产企业（食品生产、保健食品）和大中型食品销售者中已建立主体责任清单的比例",
        extra={"target": 100},
    ),
    Measure(
        code="enterprises.evaluators_per_100_urban_caterers",
        label="第三方评估",
        unit="家/百家城区餐饮",
        kind=RATE,
        per=100,
        compute=evaluators_per_100_urban_caterers,
        order=130,
        description="为城区餐饮单位服务的第三方评估机构数（按名称去重）÷ 营业中的城区餐饮单位数 × 100",
        extra={"target": 1},
    ),
    Measure(
        code="enterprises.rural_banquet_centres",
        label="农村家宴中心",
        unit="个",
        kind=COUNT,
        compute=rural_banquet_centres,
        order=140,
        description="名录中业态为“农村家宴中心”且营业中的单位数",
        extra={"target": 150},
    ),
    Measure(
        code="enterprises.liability_insurance",
        label="食品安全责任保险覆盖率",
        unit="%",
        kind=RATIO,
        compute=liability_insurance,
        order=150,
        description="营业中的检查对象中已投保食品安全责任保险的比例",
    ),
    Measure(
        code="enterprises.health_certificates",
        label="从业人员健康证有效率",
        unit="%",
        kind=RATIO,
        compute=health_certificates,
        order=160,
        description="登记了从业人员健康证的营业单位中，统计日全部健康证仍有效（最近到期日不早于统计日）的比例",
    ),
)


def register() -> None:
    for m in MEASURES:
        register_measure(m)
