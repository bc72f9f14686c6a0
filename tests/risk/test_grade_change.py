"""Issue 8 point 10: right after an inspection that found expired food and ordered rectification, the grade fell
from C (47.5) to A (21.8).

Decision (docs/risk.md §4 "A grade that falls after an inspection"): this is what the scheme says. Before any
inspection the grade was static-only: the scheme converts the dynamic part from the static score (19 × 60/40 =
28.5, total 47.5 → C), an estimate for an enterprise nobody has inspected. The inspection replaces the estimate by
what was found: 禁止经营食品的清理 (XS-04, expired food) is one of the 8 check items of 经营过程控制 (22 points), so
that item scores 22 × 1/8 = 2.75 → 2.8, total 21.8 → A. The risk card says this in words, and says that a penalty
(if the case is punished) is recorded as a risk event that raises next year's grade.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from apps.common import hooks
from apps.risk import coverage, services
from apps.risk.models import CoverageState, RiskAssessment
from apps.risk.selectors import risk_card

pytestmark = pytest.mark.django_db

SALES_ITEMS = ["XS-01", "XS-02", "XS-03", "XS-04", "XS-05", "XS-06", "XS-07", "XS-08", "XS-09", "XS-10"]


def inspected(ent, actor, *, failed=("XS-04",), result_id=9001, on=None):
    """What the inspections app announces when a result is finalised (apps.common.hooks)."""
    on = on or dt.date.today()
    outcomes = {code: ["不符合" if code in failed else "符合"] for code in SALES_ITEMS + ["XS-11", "XS-12", "XS-13"]}
    return hooks.emit(
        "inspections.result_finalised",
        result_id=result_id,
        enterprise_id=ent.pk,
        inspected_on=on,
        outcomes=outcomes,
        full_coverage=True,
        actor=actor,
    )


@pytest.fixture
def shop(enterprise_factory, township_a, cfda):
    # 冷藏冷冻 10 + 食品销售 2 + small 3 + cold storage 4 = static 19 (the enterprise of the issue)
    return enterprise_factory(township_a, "food_sales", ["S02"], "small", cold_chain=True)


def test_expired_food_inspection_replaces_the_static_estimate(city_staff, shop):
    before = services.assessment_recompute(enterprise_id=shop.pk, actor=city_staff, on=dt.date.today())
    assert (before.basis, before.static_score, before.dynamic_score) == ("static_only", 19, 28.5)
    assert (before.total_score, before.grade) == (47.5, "C")

    notes = inspected(shop, city_staff)
    after = RiskAssessment.objects.get(enterprise=shop, is_current=True)
    assert notes["risk"] == f"assessment {after.pk} grade A"
    assert after.source_ref == "inspection-result:9001" and after.basis == "dynamic"
    assert (after.dynamic_score, after.total_score, after.grade) == (
        Decimal("2.8"),
        Decimal("21.8"),
        "A",
    )  # 22 × 1/8 of 经营过程控制

    change = risk_card(actor=city_staff, enterprise_id=shop.pk)["change"]
    text = "".join(change)
    assert change[0].startswith("等级由 C 级（47.5 分") and "降为 A 级（21.8 分）" in change[0]
    assert "19 × 60/40 = 28.5" in text and "折算" in text
    assert "过期食品） 2.8 / 22 分" in text  # 经营过程控制（…标签、过期食品）
    assert "故意违法受到罚款、没收或停产停业处罚" in text  # what to do if the case is punished


def test_the_card_shows_the_explanation_and_the_inspection_behind_the_grade(city_staff, shop):
    services.assessment_recompute(enterprise_id=shop.pk, actor=city_staff, on=dt.date.today())
    inspected(shop, city_staff, result_id=9002)
    c = Client()
    c.force_login(city_staff)
    html = c.get(f"/risk/enterprises/{shop.pk}/").content.decode()
    assert "与上次评定相比" in html and "按方案把动态分由静态分折算" in html
    assert "inspection-result:" not in html  # no raw reference: a label (here: the record is not visible / absent)
    assert "监督检查结果（编号 9002）" in html
    assert f'href="/enterprises/{shop.pk}/"' in html  # back to the enterprise


def test_a_clean_inspection_says_so_and_a_second_one_compares_dynamic_scores(city_staff, shop):
    services.assessment_recompute(enterprise_id=shop.pk, actor=city_staff, on=dt.date.today())
    inspected(shop, city_staff, failed=(), result_id=1)
    inspected(shop, city_staff, failed=("XS-04", "XS-03"), result_id=2)
    change = risk_card(actor=city_staff, enterprise_id=shop.pk)["change"]
    assert "升为" in change[0] or "保持" in change[0]
    assert any(s.startswith("动态分由 0 分变为 5.5 分") for s in change)


def test_the_hook_refreshes_coverage_and_ignores_unmapped_items(city_staff, shop, fake_inspections):
    services.assessment_recompute(enterprise_id=shop.pk, actor=city_staff, on=dt.date.today())
    CoverageState.objects.filter(pk=shop.pk).delete()
    note = hooks.emit(
        "inspections.result_finalised",
        result_id=5,
        enterprise_id=shop.pk,
        inspected_on=dt.date.today(),
        outcomes={"ZZ-99": ["不符合"]},
        full_coverage=True,
        actor=city_staff,
    )
    assert note["risk"] == "skipped: no mapped items"
    assert CoverageState.objects.filter(pk=shop.pk).exists()  # refreshed all the same
    assert coverage.coverage_overdue_count(city_staff) >= 0
