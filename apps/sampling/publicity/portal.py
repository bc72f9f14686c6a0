"""What sampling publishes on the 一公开 portal (apps.common.portal): the published sampling results and 你点我检.

Registered from ``publicity.contrib.ready()``; apps.public builds its index and its enterprise lookup from the
registry without naming sampling. Never a risk-monitoring result or a quick test (``selectors._public_sample_base``).
"""

from collections.abc import Iterable

from django.urls import reverse

from apps.common.portal import PortalRecord, PortalSection, register_portal_section

_TONES = {"qualified": "success", "unqualified": "danger", "problem": "warning"}


def _results_count() -> int:
    from .selectors import public_results_count

    return public_results_count()


def _open_topics_count() -> int:
    from .selectors import public_open_topic_count

    return public_open_topic_count()


def _enterprise_results(enterprise_ids: Iterable[int]) -> dict[int, list[PortalRecord]]:
    """Published sampling results per enterprise, newest first (one query)."""
    from .selectors import public_results_of_enterprises

    out: dict[int, list[PortalRecord]] = {}
    for s in public_results_of_enterprises(enterprise_ids):
        out.setdefault(s.enterprise_id, []).append(
            PortalRecord(
                title=f"{s.get_purpose_display()} · {s.name}",
                url=reverse("public_sampling:result", args=[s.number]),
                on=s.sampled_on,
                label=s.get_conclusion_display(),
                tone=_TONES.get(s.conclusion, "secondary"),
            )
        )
    return out


def register() -> None:
    register_portal_section(
        PortalSection(
            key="sampling-results",
            title="食品抽检结果公示",
            description="监督抽检和评价性抽检的检验结果、不合格食品的核查处置情况，在检验结论作出后规定的工作日内公开。"
            "风险监测结果不作为执法依据公开。",
            url_name="public_sampling:results",
            icon="eyedropper",
            order=30,
            count=_results_count,
            count_label="批次",
            enterprise_records=_enterprise_results,
        )
    )
    register_portal_section(
        PortalSection(
            key="sampling-votes",
            title="你点我检",
            description="市民投票选出想抽检的食品，得票多的题目列入抽检计划，抽检结果在同一页面公布。无需注册即可投票。",
            url_name="public_sampling:votes",
            icon="hand-thumbs-up",
            order=40,
            count=_open_topics_count,
            count_label="个题目正在投票",
        )
    )
