"""What inspections publishes on the 一公开 portal: the published results and the draw records (apps.common.portal).

Registered from InspectionsConfig.ready(); apps.public builds its index from the registry without naming us.
"""

from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone

from apps.common.portal import PortalRecord, PortalSection, register_portal_section

_TONES = {"pass": "success", "rectify": "warning", "case": "danger"}


def _published_results_count() -> int:
    from .fieldwork.selectors import public_results

    return public_results().count()


def _draw_count() -> int:
    from .draws.selectors import public_draws

    return public_draws().count()


def _enterprise_results(enterprise_ids: Iterable[int]) -> dict[int, list[PortalRecord]]:
    """Published results per enterprise, newest first (one query)."""
    from .fieldwork.selectors import public_results

    out: dict[int, list[PortalRecord]] = {}
    rows = public_results().filter(result__task__enterprise_id__in=list(enterprise_ids))
    for p in rows:
        result = p.result
        out.setdefault(result.task.enterprise_id, []).append(
            PortalRecord(
                title=result.task.get_kind_display(),
                url=reverse("public_results:detail", args=[result.public_id]),
                on=timezone.localdate(result.inspected_at) if result.inspected_at else None,
                label=result.get_outcome_display(),
                tone=_TONES.get(result.outcome, "secondary"),
            )
        )
    return out


def register() -> None:
    register_portal_section(
        PortalSection(
            key="inspection-results",
            title="监督检查结果公示",
            description="双随机抽查、重点检查、飞行检查的结果，依法在结果形成后 20 个工作日内公开，每条可在线核验。",
            url_name="public_results:list",
            icon="clipboard-check",
            order=10,
            count=_published_results_count,
            enterprise_records=_enterprise_results,
        )
    )
    register_portal_section(
        PortalSection(
            key="draws",
            title="双随机抽取公示",
            description="每次抽取前公布种子承诺值和冻结的对象库，抽取后公布种子；任何人都可以下载记录自行核对。",
            url_name="public_draws:list",
            icon="shuffle",
            order=20,
            count=_draw_count,
            count_label="次抽取",
        )
    )
