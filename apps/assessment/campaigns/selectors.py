"""Reads of assessment/campaigns (docs/campaigns.md). ``kpi_targets`` is what the leadership dashboard and the reports
compare the measures with (DOMAIN.md §S: every number of the seed is a target stored with the year it applies to);
``campaign_progress`` gives, per campaign and target in force for a year, the current value (a registered measure of
``apps.common.measures``, or the latest manual entry), the target, the share reached and the url of the rows.

Every read starts from ``visible_to(actor)`` (campaigns and targets are city-wide configuration; manual entries are
township-scoped) and the measures read only what ``actor`` sees, so a township role gets its township's figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from apps.common import measures as measure_registry
from apps.common.filters import filter_queryset
from apps.common.scoping import user_sees_all_townships, user_township_ids

from ..models.campaigns import Campaign, CampaignProgress, CampaignTarget, TargetScope
from .filters import CampaignFilterSet, ProgressFilterSet


@dataclass(frozen=True)
class KpiTarget:
    measure_code: str  # a code of apps.common.measures
    label: str  # Chinese
    target: Decimal | None  # None: "keep widening", no number
    scope: str  # "city" (one figure for the city, e.g. 150 centres) or "township" (every township must reach it)
    campaign_code: str = ""  # the campaign (八大攻坚行动) it belongs to, "" for a general target
    source: str = ""  # the seed's section, e.g. "三(三) 农村家宴"


# ------------------------------------------------------------------------------------------------ rows
def campaign_list(*, actor, filters=None):
    qs = Campaign.objects.visible_to(actor).order_by("order", "id")
    return filter_queryset(CampaignFilterSet, qs, filters)


def campaign_get(*, actor, pk) -> Campaign:
    return Campaign.objects.visible_to(actor).get(pk=int(pk))


def target_get(*, actor, pk) -> CampaignTarget:
    return CampaignTarget.objects.visible_to(actor).select_related("campaign").get(pk=int(pk))


def progress_get(*, actor, pk) -> CampaignProgress:
    return CampaignProgress.objects.visible_to(actor).select_related("target").get(pk=int(pk))


def target_versions(target: CampaignTarget) -> list[CampaignTarget]:
    """Every version of ``target``'s code in its campaign, newest first (the history shown on its page)."""
    return list(
        CampaignTarget.objects.filter(campaign_id=target.campaign_id, code=target.code)
        .select_related("updated_by")
        .order_by("-effective_from", "-id")
    )


def progress_list(*, actor, target: CampaignTarget, filters=None):
    """Manual entries of ``target``'s code (any version), newest first, filtered by year / township."""
    qs = (
        CampaignProgress.objects.visible_to(actor)
        .filter(target__campaign_id=target.campaign_id, target__code=target.code)
        .select_related("township", "recorded_by", "target")
        .order_by("-year", "-as_of", "-id")
    )
    return filter_queryset(ProgressFilterSet, qs, filters)


# ------------------------------------------------------------------------------------------------ dated targets
def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def in_force(versions, *, year: int):
    """Of the versions of one target, the one in force for ``year``: the latest ``effective_from`` on or before
    31 December whose ``effective_to`` is empty or not before 1 January; None if none is."""
    first, last = year_bounds(year)
    candidates = [
        v for v in versions if v.effective_from <= last and (v.effective_to is None or v.effective_to >= first)
    ]
    return max(candidates, key=lambda v: (v.effective_from, v.pk), default=None)


def targets_in_force(*, year: int, campaign_ids=None) -> list[CampaignTarget]:
    """The target rows in force for ``year`` (one per campaign and target code), in campaign and target order. One
    query."""
    qs = CampaignTarget.objects.select_related("campaign")
    if campaign_ids is not None:
        qs = qs.filter(campaign_id__in=list(campaign_ids))
    groups: dict[tuple[int, str], list] = {}
    for row in qs:
        groups.setdefault((row.campaign_id, row.code), []).append(row)
    chosen = [t for t in (in_force(v, year=year) for v in groups.values()) if t is not None]
    return sorted(chosen, key=lambda t: (t.campaign.order, t.campaign_id, t.order, t.code))


def kpi_targets(*, year: int) -> dict[str, KpiTarget]:
    """{measure code: target} in force for ``year`` (computed targets only; manual ones have no measure)."""
    out: dict[str, KpiTarget] = {}
    for t in targets_in_force(year=year):
        if t.measure_code and t.measure_code not in out:
            out[t.measure_code] = KpiTarget(
                measure_code=t.measure_code,
                label=t.label,
                target=t.target_value,
                scope=t.scope,
                campaign_code=t.campaign.code,
                source=t.source,
            )
    return out


# ------------------------------------------------------------------------------------------------ progress
@dataclass
class Figure:
    """One value of a target (the whole scope or one township) against the target."""

    value: Decimal | None
    url: str = ""
    note: str = ""
    share: Decimal | None = None  # % of the target reached (may exceed 100)
    reached: bool | None = None  # None: no value, or no number to reach
    numerator: object = None
    denominator: object = None

    @property
    def bar(self) -> int:
        """The share for a <progress> bar, 0–100."""
        return 0 if self.share is None else int(min(Decimal(100), max(Decimal(0), self.share)))

    def as_dict(self) -> dict:
        return {
            "value": None if self.value is None else str(self.value),
            "share": None if self.share is None else str(self.share),
            "reached": self.reached,
            "url": self.url,
            "note": self.note,
        }


@dataclass
class TownshipFigure:
    township_id: int
    township_name: str
    figure: Figure


@dataclass
class TargetProgress:
    target: CampaignTarget
    registered: bool  # a manual target, or a measure registered in apps.common.measures
    overall: Figure
    townships: list[TownshipFigure] = field(default_factory=list)
    unit: str = ""
    note: str = ""  # e.g. the measure is not registered yet

    @property
    def is_manual(self) -> bool:
        return self.target.is_manual

    def as_dict(self) -> dict:
        t = self.target
        return {
            "id": t.pk,
            "code": t.code,
            "label": t.label,
            "measure_code": t.measure_code,
            "manual": t.is_manual,
            "target_value": None if t.target_value is None else str(t.target_value),
            "unit": self.unit,
            "scope": t.scope,
            "higher_is_better": t.higher_is_better,
            "effective_from": t.effective_from.isoformat(),
            "effective_to": t.effective_to.isoformat() if t.effective_to else None,
            "source": t.source,
            "is_default": t.is_default,
            "registered": self.registered,
            "note": self.note,
            "progress": self.overall.as_dict(),
            "townships": [
                {"township": tf.township_id, "township_name": tf.township_name, **tf.figure.as_dict()}
                for tf in self.townships
            ],
        }


@dataclass
class CampaignProgressRow:
    campaign: Campaign
    targets: list[TargetProgress]

    @property
    def share(self) -> Decimal | None:
        """The mean share (each capped at 100) of the targets that have one: the campaign's progress bar."""
        shares = [min(Decimal(100), tp.overall.share) for tp in self.targets if tp.overall.share is not None]
        if not shares:
            return None
        return (sum(shares) / len(shares)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def bar(self) -> int:
        return 0 if self.share is None else int(self.share)

    @property
    def reached_count(self) -> int:
        return sum(1 for tp in self.targets if tp.overall.reached)


def share_of(value: Decimal | None, target: Decimal | None, *, higher_is_better: bool) -> tuple:
    """(share %, reached) of ``value`` against ``target``. Higher is better: value / target × 100 (a target of 0 is
    reached by any value). Lower is better: 100 when value ≤ target, else target / value × 100."""
    if value is None or target is None:
        return None, None
    value, target = Decimal(value), Decimal(target)
    if higher_is_better:
        share = Decimal(100) if target == 0 else value * 100 / target
        reached = value >= target
    else:
        if value <= target:
            share = Decimal(100)
        else:
            share = target * 100 / value
        reached = value <= target
    return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), reached


def visible_townships(actor, township_ids=None) -> list:
    """The active townships ``actor`` sees (all for city roles), narrowed to ``township_ids`` when given."""
    from apps.accounts.models import Township

    qs = Township.objects.filter(is_active=True).order_by("order", "id")
    if not user_sees_all_townships(actor):
        qs = qs.filter(pk__in=user_township_ids(actor))
    if township_ids is not None:
        qs = qs.filter(pk__in=list(township_ids))
    return list(qs)


def manual_list_url(target: CampaignTarget, *, year: int, township_id=None, city=False) -> str:
    params = {"year": year}
    if township_id is not None:
        params["township"] = township_id
    elif city:
        params["township"] = "none"
    return f"{reverse('assessment:campaign_target', args=[target.pk])}?{urlencode(params)}#progress"


def _latest_entries(actor, targets, *, year: int) -> dict:
    """{(campaign id, target code, township id or None): latest entry} of the manual targets, one query."""
    manual = [t for t in targets if t.is_manual]
    if not manual:
        return {}
    qs = (
        CampaignProgress.objects.visible_to(actor)
        .filter(year=year, target__campaign_id__in={t.campaign_id for t in manual})
        .select_related("target")
        .order_by("as_of", "id")
    )
    codes = {(t.campaign_id, t.code) for t in manual}
    latest = {}
    for entry in qs:
        key = (entry.target.campaign_id, entry.target.code)
        if key in codes:
            latest[(*key, entry.township_id)] = entry  # ascending: the last one wins
    return latest


def _figure(target, value, *, url="", note="", numerator=None, denominator=None, with_share=True) -> Figure:
    share, reached = (
        share_of(value, target.target_value, higher_is_better=target.higher_is_better) if with_share else (None, None)
    )
    return Figure(value, url, note, share, reached, numerator, denominator)


def campaign_progress(actor, *, year: int, township_ids=None, campaigns=None, as_of=None) -> list[CampaignProgressRow]:
    """Per campaign ``actor`` sees (all, or ``campaigns``), the targets in force for ``year`` with their progress:
    the whole scope's value (the city for city roles, their township for township roles) and one per township.

    A computed target reads its measure once for all townships (``apps.common.measures.compute``); a measure that
    is not registered shows "—" with a note. A manual target shows the latest entry (city entry for the whole, a
    township's entry for that township). The share of a city target is shown only to city-wide roles (a township's
    count is not a share of the city's 150). The number of queries does not grow with the townships or the rows."""
    rows = list(campaigns) if campaigns is not None else list(Campaign.objects.visible_to(actor).order_by("order"))
    if not rows:
        return []
    townships = visible_townships(actor, township_ids)
    ids = [t.pk for t in townships]
    wide = user_sees_all_townships(actor)
    today = timezone.localdate()
    # within the year: today for the current one, its last day for a past one, its first day for a future one
    as_of = as_of or max(dt.date(year, 1, 1), min(today, dt.date(year, 12, 31)))
    targets = targets_in_force(year=year, campaign_ids=[c.pk for c in rows])
    latest = _latest_entries(actor, targets, year=year)
    by_campaign: dict[int, list[TargetProgress]] = {c.pk: [] for c in rows}
    for target in targets:
        overall_share = target.scope == TargetScope.TOWNSHIP or wide
        township_share = target.scope == TargetScope.TOWNSHIP
        if target.is_manual:
            entry = latest.get((target.campaign_id, target.code, None))
            overall = _figure(
                target,
                entry.value if entry else None,
                url=manual_list_url(target, year=year, city=True),
                note="" if entry else "尚未录入进展",
                with_share=overall_share,
            )
            per = []
            for t in townships:
                e = latest.get((target.campaign_id, target.code, t.pk))
                per.append(
                    TownshipFigure(
                        t.pk,
                        t.name,
                        _figure(
                            target,
                            e.value if e else None,
                            url=manual_list_url(target, year=year, township_id=t.pk),
                            with_share=township_share,
                        ),
                    )
                )
            by_campaign[target.campaign_id].append(
                TargetProgress(target, True, overall, per, unit=target.unit, note="人工录入（市局），附证据文件")
            )
            continue
        m = measure_registry.measure(target.measure_code)
        if m is None:
            note = f"指标“{target.measure_code}”尚未登记（数据所属功能未上线），暂无数据"
            by_campaign[target.campaign_id].append(
                TargetProgress(
                    target,
                    False,
                    Figure(None, note="指标尚未登记，暂无数据"),
                    [TownshipFigure(t.pk, t.name, Figure(None)) for t in townships],
                    unit=target.unit,
                    note=note,
                )
            )
            continue
        values = measure_registry.compute(target.measure_code, actor, year=year, township_ids=ids, as_of=as_of)
        whole = values.get(None)
        overall = _figure(
            target,
            whole.value if whole else None,
            url=whole.url if whole else "",
            note=whole.note if whole else "",
            numerator=whole.numerator if whole else None,
            denominator=whole.denominator if whole else None,
            with_share=overall_share,
        )
        per = []
        for t in townships:
            v = values.get(t.pk)
            per.append(
                TownshipFigure(
                    t.pk,
                    t.name,
                    _figure(
                        target,
                        v.value if v else None,
                        url=v.url if v else "",
                        note=v.note if v else "",
                        numerator=v.numerator if v else None,
                        denominator=v.denominator if v else None,
                        with_share=township_share,
                    ),
                )
            )
        by_campaign[target.campaign_id].append(
            TargetProgress(target, True, overall, per, unit=target.unit or m.unit, note=m.description)
        )
    return [CampaignProgressRow(c, by_campaign[c.pk]) for c in rows]
