"""The registry's measures (apps/common/measures.py; how each is counted: docs/measures.md), registered from
``EnterprisesConfig.ready()``.

Every figure counts **operating** enterprises (``status=operating``) that ``actor`` sees. The six measures read one
source: one GROUP BY by township with a ``COUNT(*) FILTER`` per population (and one per day asked for, for the
health certificates), shared by all six inside ``apps.common.measures.batch()``; the evaluators' names are one more
query. The value under ``None`` is the sum of the counts over the actor's whole scope (never an average of
percentages). The registry keeps the current state of each enterprise, not its history: a value as of an earlier
day is today's registry (said in the value's note), except the health certificates, which are judged on ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.db.models import Count, Q
from django.utils import timezone

from apps.common.measures import (
    actor_key,
    count,
    list_url,
    per_year,
    rate,
    ratio,
    register_all,
    shared,
    span,
    township_values,
)

from .choices import AreaType, EnterpriseStatus, Scale, Sector

PRODUCER_TYPES = ("food_production", "health_food")  # SC licensees; 小作坊 (DJ registration) are not 生产企业
LARGE_MEDIUM = (Scale.LARGE, Scale.MEDIUM)
RURAL_BANQUET_TYPE = "rural_banquet_center"
SNAPSHOT_NOTE = "名录只保存当前状态：按今天的名录计算"


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


def _populations() -> dict[str, Q | None]:
    """The populations counted, by name (None: every operating enterprise)."""
    return {
        "operating": None,
        "online": Q(online_catering=True),
        "online_sunshine": Q(online_catering=True, sunshine_kitchen=True),
        "list_required": responsibility_list_q(),
        "list_done": responsibility_list_q() & Q(responsibility_list=True),
        "insured": Q(liability_insurance=True),
        "urban_caterers": urban_caterers_q(),
        "banquet": rural_banquet_q(),
        "health_certs": has_health_certs_q(),
    }


def _valid_on(day: dt.date) -> str:
    return f"health_valid_{day:%Y%m%d}"


def _registry_counts(actor, days: tuple[dt.date, ...]) -> dict[str, dict]:
    """{population: {township_id: count}} of the operating enterprises, in one GROUP BY (shared in a batch)."""

    def load():
        counts = {name: Count("id", filter=q) if q is not None else Count("id") for name, q in _populations().items()}
        counts.update({_valid_on(d): Count("id", filter=health_certs_valid_q(d)) for d in days})
        out: dict[str, dict] = {name: {} for name in counts}
        rows = _operating(actor).values("township_id").annotate(**{f"n_{name}": c for name, c in counts.items()})
        for row in rows:
            for name in counts:
                out[name][row["township_id"]] = row[f"n_{name}"]
        return out

    return shared(("enterprises.registry", actor_key(actor), days), load)


def _days(as_of: dict) -> tuple[dt.date, ...]:
    return tuple(sorted(set(span(as_of).values())))


def _enterprise_url(params: dict) -> Callable[[int | None], str]:
    def url(tid):
        return list_url("enterprises:list", {"status": EnterpriseStatus.OPERATING, **params, "township": tid})

    return url


def _registry_measure(*, den: str | None, num, den_params: dict, num_params, note: str = ""):
    """The compute of a measure over the registry counts: ``num`` / ``den`` name populations (``num`` and
    ``num_params`` may be functions of the day, for the health certificates); ``den`` None is a COUNT."""

    def compute_years(actor, *, as_of, township_ids):
        counts = _registry_counts(actor, _days(as_of))
        out = {}
        for year, day in as_of.items():
            n = num(day) if callable(num) else num
            params = num_params(day) if callable(num_params) else num_params
            out[year] = township_values(
                township_ids,
                counts[n],
                None if den is None else counts[den],
                url=_enterprise_url({**den_params, **params}),
                denominator_url=None if den is None else _enterprise_url(den_params),
                note=note or snapshot_note(day),
            )
        return out

    return per_year(compute_years)


sunshine_kitchen_online = _registry_measure(
    den="online",
    num="online_sunshine",
    den_params={"online_catering": "true"},
    num_params={"sunshine_kitchen": "true"},
)
responsibility_list = _registry_measure(
    den="list_required",
    num="list_done",
    den_params={"responsibility_list_required": "true"},
    num_params={"responsibility_list": "true"},
)
liability_insurance = _registry_measure(
    den="operating", num="insured", den_params={}, num_params={"liability_insurance": "true"}
)
health_certificates = _registry_measure(
    den="health_certs",
    num=_valid_on,
    den_params={"has_health_certs": "true"},
    num_params=lambda day: {"health_cert_valid_on": day.isoformat()},
    note="按单位计：名录只记每家单位的健康证数和最近到期日，最近到期日不早于统计日的单位计为全部有效",
)
rural_banquet_centres = _registry_measure(
    den=None, num="banquet", den_params={}, num_params={"business_type__code": RURAL_BANQUET_TYPE}
)


def _evaluator_names(actor) -> dict:
    """{township_id: {evaluator names}} of the urban caterers (one query, shared in a batch)."""

    def load():
        names: dict = defaultdict(set)
        rows = (
            _operating(actor)
            .filter(urban_caterers_q())
            .exclude(third_party_evaluator="")
            .values_list("township_id", "third_party_evaluator")
            .distinct()
        )
        for tid, name in rows:
            if name.strip():
                names[tid].add(name.strip())
        return names

    return shared(("enterprises.evaluators", actor_key(actor)), load)


@per_year
def evaluators_per_100_urban_caterers(actor, *, as_of, township_ids):
    """Distinct third-party evaluators (by name) serving the urban caterers, per 100 urban caterers."""
    counts = _registry_counts(actor, _days(as_of))
    names = _evaluator_names(actor)
    num = {tid: len(s) for tid, s in names.items()}
    params = {"sector": Sector.CATERING, "area_type": AreaType.URBAN}
    out = {}
    for year, day in as_of.items():
        note = "分子为评估机构数（按名称去重）；链接列出由第三方评估的城区餐饮单位"
        if snapshot_note(day):
            note += f"；{SNAPSHOT_NOTE}"
        out[year] = township_values(
            township_ids,
            num,
            counts["urban_caterers"],
            url=_enterprise_url({**params, "has_third_party_evaluator": "true"}),
            denominator_url=_enterprise_url(params),
            note=note,
            total_numerator=len(set().union(*names.values())) if names else 0,
        )
    return out


MEASURES = (
    ratio(
        code="enterprises.sunshine_kitchen_online",
        label="网络餐饮阳光厨房覆盖率",
        compute=sunshine_kitchen_online,
        order=110,
        description="营业中的网络餐饮单位中已建成阳光厨房的比例",
        extra={"target": 100},
    ),
    ratio(
        code="enterprises.responsibility_list",
        label="主体责任清单覆盖率",
        compute=responsibility_list,
        order=120,
        description="营业中的食品生产企业（食品生产、保健食品）和大中型食品销售者中已建立主体责任清单的比例",
        extra={"target": 100},
    ),
    rate(
        code="enterprises.evaluators_per_100_urban_caterers",
        label="第三方评估",
        unit="家/百家城区餐饮",
        per=100,
        compute=evaluators_per_100_urban_caterers,
        order=130,
        description="为城区餐饮单位服务的第三方评估机构数（按名称去重）÷ 营业中的城区餐饮单位数 × 100",
        extra={"target": 1},
    ),
    count(
        code="enterprises.rural_banquet_centres",
        label="农村家宴中心",
        unit="个",
        compute=rural_banquet_centres,
        order=140,
        description="名录中业态为“农村家宴中心”且营业中的单位数",
        extra={"target": 150},
    ),
    ratio(
        code="enterprises.liability_insurance",
        label="食品安全责任保险覆盖率",
        compute=liability_insurance,
        order=150,
        description="营业中的检查对象中已投保食品安全责任保险的比例",
    ),
    ratio(
        code="enterprises.health_certificates",
        label="从业人员健康证有效率",
        compute=health_certificates,
        order=160,
        description="登记了从业人员健康证的营业单位中，统计日全部健康证仍有效（最近到期日不早于统计日）的比例",
    ),
)


def register() -> None:
    register_all(MEASURES)
