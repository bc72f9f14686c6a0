"""The ranking on hand-made data: order, reasons (raw value, score, weight, points, total), weights by effective
date, the category mapping, planned pairs left out, and a query count that does not grow with the enterprises."""

import datetime as dt

import pytest

from apps.sampling.models import SuggestionWeights
from apps.sampling.targeting import ranking, selectors
from apps.sampling.targeting.ranking import Weights, score_reasons
from tests.factories.enterprises import EnterpriseFactory
from tests.helpers.queries import assert_constant_queries

from .conftest import make_enterprise, make_sample, targeted_line

pytestmark = pytest.mark.django_db

W = Weights(grade=30, unqualified=30, complaints=10, staleness=15, hazard=15, history_years=3, effective_from=None)


def _keys(rows):
    return [s.key for s in rows]


def _reason(s, code):
    return next(r for r in s.reasons if r.code == code)


# ---------------------------------------------------------------------------------------------- pure scoring
def test_scores_of_each_reason_at_their_ends():
    until = dt.date(2026, 6, 30)
    reasons, total = score_reasons(
        weights=W, data_until=until, grade="D", unqualified_days=[until], complaints=None, last_sampled=None, hazard=5
    )
    by = {r.code: r for r in reasons}
    assert by["grade"].score == 1 and by["grade"].raw == "D"
    assert by["unqualified"].raw == 1 and by["unqualified"].score == pytest.approx(0.5)  # 1 / (1 + 1)
    assert (
        by["complaints"].raw is None and by["complaints"].score == 0 and by["complaints"].detail == "投诉数据暂未接入"
    )
    assert by["staleness"].raw is None and by["staleness"].score == 1  # not sampled in the window = max
    assert by["hazard"].raw == 5 and by["hazard"].score == 1
    assert total == pytest.approx(30 + 15 + 0 + 15 + 15)
    assert total == pytest.approx(sum(r.score * r.weight for r in reasons), abs=0.01)

    reasons, total = score_reasons(
        weights=W, data_until=until, grade="A", unqualified_days=[], complaints=0, last_sampled=until, hazard=1
    )
    assert total == 0
    assert [r.points for r in reasons] == [0, 0, 0, 0, 0]


def test_recency_weighting_and_window():
    until = dt.date(2026, 6, 30)
    start = ranking.window_start(until, 3)
    assert start == dt.date(2023, 7, 1)
    window = (until - start).days + 1
    assert ranking.recency(until, until, window) == 1
    assert ranking.recency(start, until, window) == pytest.approx(1 / window)
    assert ranking.recency(start - dt.timedelta(days=1), until, window) == 0
    # a failure a year ago weighs less than one last week
    recent, _ = score_reasons(
        weights=W,
        data_until=until,
        grade="",
        unqualified_days=[until - dt.timedelta(days=7)],
        complaints=None,
        last_sampled=None,
        hazard=3,
    )
    old, _ = score_reasons(
        weights=W,
        data_until=until,
        grade="",
        unqualified_days=[until - dt.timedelta(days=365)],
        complaints=None,
        last_sampled=None,
        hazard=3,
    )
    assert recent[1].score > old[1].score > 0
    assert recent[0].raw is None and recent[0].score == 0.5  # not graded: the middle


def test_leap_day_window():
    assert ranking.window_start(dt.date(2024, 2, 29), 1) == dt.date(2023, 3, 1)


def test_keys_parse_strictly():
    assert ranking.parse_key("12-5") == (12, 5)
    for bad in ("", "12", "12-", "-5", "a-5", "0-5", "12-0", "１２-5", "1" * 19 + "-5", "12-5-1"):
        assert ranking.parse_key(bad) is None, bad


# ---------------------------------------------------------------------------------------------- order on the database
def test_grade_d_with_past_unqualified_beats_grade_a_never_failed(township_a, catalogue, grades, city_staff, today):
    risky = make_enterprise(township_a)
    clean = make_enterprise(township_a)
    grades[risky.pk], grades[clean.pk] = "D", "A"
    make_sample(risky, catalogue["catering_sub"], today - dt.timedelta(days=200), "unqualified")
    rows = selectors.suggestion_list(actor=city_staff, filters={"township": township_a.pk})
    assert _keys(rows) == [f"{risky.pk}-{catalogue['catering'].pk}", f"{clean.pk}-{catalogue['catering'].pk}"]
    top = rows[0]
    assert top.rank == 1 and rows[1].rank == 2
    assert _reason(top, "grade").raw == "D" and _reason(rows[1], "grade").raw == "A"
    unq = _reason(top, "unqualified")
    assert unq.raw > 0 and "近 3 年 1 次" in unq.detail
    assert _reason(top, "staleness").raw == 200  # sampled (in the 亚类, counted for its 大类) 200 days ago
    assert _reason(rows[1], "staleness").raw is None and _reason(rows[1], "staleness").score == 1
    assert [r.weight for r in top.reasons] == [30, 30, 10, 15, 15]  # the default row (sampling migration 0004)
    assert top.total == pytest.approx(sum(r.score * r.weight for r in top.reasons), abs=0.01)
    assert rows.weights.effective_from == dt.date(2019, 10, 1)
    SuggestionWeights.objects.all().delete()  # no row configured: the same weights, from the code's defaults
    again = selectors.suggestion_list(actor=city_staff, filters={"township": township_a.pk})
    assert _keys(again) == _keys(rows) and [r.weight for r in again[0].reasons] == [30, 30, 10, 15, 15]
    assert again.weights.effective_from is None and again[0].total == top.total


def test_never_sampled_beats_sampled_yesterday_all_else_equal(township_a, catalogue, city_staff, today):
    fresh = make_enterprise(township_a)
    seen = make_enterprise(township_a)
    make_sample(seen, catalogue["catering"], today - dt.timedelta(days=1))
    rows = selectors.suggestion_list(actor=city_staff, filters={"township": township_a.pk})
    assert _keys(rows)[:2] == [f"{fresh.pk}-{catalogue['catering'].pk}", f"{seen.pk}-{catalogue['catering'].pk}"]
    assert _reason(rows[1], "staleness").raw == 1
    assert rows[0].total > rows[1].total
    # all else equal: only the staleness reason differs
    assert [r.points for r in rows[0].reasons if r.code != "staleness"] == [
        r.points for r in rows[1].reasons if r.code != "staleness"
    ]


def test_weights_by_effective_date_change_the_order(township_a, catalogue, grades, city_staff, today):
    graded = make_enterprise(township_a)  # grade D, never failed, sampled last month
    failing = make_enterprise(township_a)  # grade A, failed twice, sampled last month
    grades[graded.pk], grades[failing.pk] = "D", "A"
    make_sample(graded, catalogue["catering"], today - dt.timedelta(days=30))
    make_sample(failing, catalogue["catering"], today - dt.timedelta(days=30), "unqualified")
    make_sample(failing, catalogue["catering"], today - dt.timedelta(days=90), "unqualified")
    common = dict(complaints=0, staleness=0, hazard=0)
    SuggestionWeights.objects.create(effective_from=dt.date(2020, 1, 1), grade=100, unqualified=0, **common)
    filters = {"township": township_a.pk}
    first = _keys(selectors.suggestion_list(actor=city_staff, filters=filters))
    assert first[0].startswith(f"{graded.pk}-")

    # a row effective next year does not change this year's ranking, and does change next year's
    next_year = today.year + 1
    SuggestionWeights.objects.create(effective_from=dt.date(next_year, 1, 1), grade=0, unqualified=100, **common)
    assert _keys(selectors.suggestion_list(actor=city_staff, filters=filters)) == first
    later = selectors.suggestion_list(actor=city_staff, filters={**filters, "year": next_year})
    assert _keys(later)[0].startswith(f"{failing.pk}-")
    assert later.weights.effective_from == dt.date(next_year, 1, 1)

    # a row effective today changes today's order
    SuggestionWeights.objects.create(effective_from=today, grade=10, unqualified=90, **common)
    now = selectors.suggestion_list(actor=city_staff, filters=filters)
    assert _keys(now)[0].startswith(f"{failing.pk}-")
    assert [r.weight for r in now[0].reasons] == [10, 90, 0, 0, 0]


def test_past_year_ranks_with_the_data_before_that_year(township_a, catalogue, city_staff, today):
    ent = make_enterprise(township_a)
    year = today.year - 1
    make_sample(ent, catalogue["catering"], dt.date(year, 3, 1), "unqualified")  # in the replayed year: not history
    rows = selectors.suggestion_list(actor=city_staff, filters={"year": year, "township": township_a.pk})
    assert rows.data_until == dt.date(year - 1, 12, 31)
    assert _reason(rows[0], "unqualified").raw == 0
    assert _reason(rows[0], "staleness").raw is None


def test_complaints_provider_scores_and_the_missing_one_says_so(township_a, catalogue, city_staff, complaints):
    loud, quiet = make_enterprise(township_a), make_enterprise(township_a)
    complaints[loud.pk] = 3
    rows = selectors.suggestion_list(actor=city_staff, filters={"township": township_a.pk})
    assert rows.complaints_available
    assert rows[0].enterprise_id == loud.pk
    reason = _reason(rows[0], "complaints")
    assert reason.raw == 3 and reason.score == pytest.approx(0.75) and reason.detail == "近 3 年 3 件"
    assert _reason(rows[1], "complaints").raw == 0 and quiet.pk == rows[1].enterprise_id


def test_without_complaints_provider_the_page_says_not_connected(client, township_a, catalogue, city_staff):
    from apps.common import hooks

    provided = hooks.providers("complaints.counts")  # incidents/complaints provides it since issue 11
    for key in provided:
        hooks.withdraw("complaints.counts", key)
    try:
        make_enterprise(township_a)
        client.force_login(city_staff)
        html = client.get("/sampling/suggestions/").content.decode()
    finally:
        for key, fn in provided.items():
            hooks.provide("complaints.counts", key, fn)
    assert "投诉数据暂未接入" in html


def test_complaints_feed_the_ranking(client, township_a, catalogue, city_staff):
    from tests.incidents.complaints_helpers import new_complaint

    ent = make_enterprise(township_a)
    new_complaint(township_a, enterprise=ent)
    rows = selectors.suggestion_list(actor=city_staff, filters={"township": township_a.pk})
    reason = next(r for r in next(s for s in rows if s.enterprise_id == ent.pk).reasons if r.code == "complaints")
    assert reason.raw == 1 and reason.score > 0


def test_mapping_business_type_and_food_categories(township_a, catalogue, city_staff):
    from apps.enterprises.models import BusinessType, FoodCategory

    shop = EnterpriseFactory(township=township_a, business_type=BusinessType.objects.get(code="food_sales"))
    shop.food_categories.set([FoodCategory.objects.get(code="S06")])  # 食用农产品
    bakery = EnterpriseFactory(township=township_a, business_type=BusinessType.objects.get(code="catering"))
    bakery.food_categories.set([FoodCategory.objects.get(code="C04")])  # 糕点类 → 餐饮食品 + 糕点
    unmapped = EnterpriseFactory(township=township_a, business_type=BusinessType.objects.get(code="food_sales"))
    rows = selectors.suggestion_list(actor=city_staff, filters={"township": township_a.pk})
    pairs = {(s.enterprise_id, s.category_name) for s in rows}
    assert (shop.pk, "食用农产品") in pairs
    assert {(bakery.pk, "餐饮食品"), (bakery.pk, "糕点")} <= pairs
    assert not any(e == unmapped.pk for e, _ in pairs)
    only = selectors.suggestion_list(
        actor=city_staff, filters={"township": township_a.pk, "category": catalogue["pastry"].pk}
    )
    assert [(s.enterprise_id, s.category_name) for s in only] == [(bakery.pk, "糕点")]
    # 大类 the catalogue lacks are reported
    assert "罐头" in rows.category_gaps and "餐饮食品" not in rows.category_gaps and "乳制品" not in rows.category_gaps


def test_planned_pairs_and_closed_enterprises_are_left_out(township_a, catalogue, city_staff, open_plan):
    planned, kept = make_enterprise(township_a), make_enterprise(township_a)
    make_enterprise(township_a, cancelled=True)
    targeted_line(open_plan, planned, catalogue["catering"])
    rows = selectors.suggestion_list(actor=city_staff, filters={"township": township_a.pk})
    assert [s.enterprise_id for s in rows] == [kept.pk]
    assert rows.planned_excluded == 1


def test_township_staff_rank_their_own_enterprises(township_a, township_b, catalogue, staff_a):
    mine, theirs = make_enterprise(township_a), make_enterprise(township_b)
    ids = [s.enterprise_id for s in selectors.suggestion_list(actor=staff_a, filters={})]
    assert mine.pk in ids and theirs.pk not in ids
    assert len(selectors.suggestion_list(actor=staff_a, filters={"township": township_b.pk})) == 0


def test_bad_filters_are_chinese_errors_naming_the_field(city_staff, catalogue):
    from django.core.exceptions import ValidationError

    for filters, field in (({"year": "1999"}, "year"), ({"year": "abc"}, "year"), ({"township": "999999"}, "township")):
        with pytest.raises(ValidationError) as exc:
            selectors.suggestion_list(actor=city_staff, filters=filters)
        assert field in exc.value.message_dict
        assert any("年度" in m or "镇街" in m for m in exc.value.message_dict[field])


def test_ranking_query_count_does_not_grow(township_a, catalogue, city_staff, today):
    def add(n):
        for i in range(n):
            ent = make_enterprise(township_a)
            make_sample(ent, catalogue["catering_sub"], today - dt.timedelta(days=10 + i), "unqualified")

    assert_constant_queries(
        fetch=lambda: list(selectors.suggestion_list(actor=city_staff, filters={"township": township_a.pk})),
        add_rows=add,
    )


def test_list_page_query_count_does_not_grow(client, township_a, catalogue, city_staff, today):
    client.force_login(city_staff)

    def add(n):
        for i in range(n):
            ent = make_enterprise(township_a)
            make_sample(ent, catalogue["catering"], today - dt.timedelta(days=5 + i))

    def fetch():
        response = client.get("/sampling/suggestions/", {"township": township_a.pk})
        assert response.status_code == 200

    assert_constant_queries(fetch=fetch, add_rows=add)


def test_page_shows_reasons_weights_and_total(client, township_a, catalogue, grades, city_staff, today):
    ent = make_enterprise(township_a, name="海宁市测试靶向餐馆")
    grades[ent.pk] = "C"
    make_sample(ent, catalogue["catering"], today - dt.timedelta(days=40), "unqualified")
    client.force_login(city_staff)
    response = client.get("/sampling/suggestions/", {"year": "", "township": "", "category": ""})  # as a browser
    html = response.content.decode()
    assert response.status_code == 200
    assert "海宁市测试靶向餐馆" in html and "C 级" in html and "40 天前" in html
    assert 'data-label="理由（原始值 · 得分 × 权重）"' in html
    assert "× 30 =" in html  # score × weight = points
    assert 'name="pick"' in html  # city staff may accept


def test_page_bad_year_shows_the_error_beside_the_form(client, city_staff, catalogue):
    client.force_login(city_staff)
    response = client.get("/sampling/suggestions/", {"year": "20266"})
    assert response.status_code == 200
    assert "年度：年度应在 2000–2100 之间" in response.content.decode()


def test_page_needs_the_view_permission(client, user_without_perms):
    client.force_login(user_without_perms)
    assert client.get("/sampling/suggestions/").status_code == 403


def test_shown_totals_are_the_ranked_totals(township_a, catalogue, grades, city_staff, today, complaints):
    """The ranking scores every pair on a fast path and builds reasons for the rows shown: same numbers."""
    for i in range(12):
        ent = make_enterprise(township_a)
        grades[ent.pk] = "ABCD"[i % 4] if i % 5 else ""
        complaints[ent.pk] = i % 3
        for k in range(i % 3):
            make_sample(ent, catalogue["catering"], today - dt.timedelta(days=30 * (i + k) + 1), "unqualified")
    rows = selectors.suggestion_list(actor=city_staff, filters={"township": township_a.pk})
    totals = rows.totals()
    shown = list(rows)
    assert [s.rank for s in shown] == list(range(1, len(shown) + 1))
    assert [s.total for s in shown] == sorted((s.total for s in shown), reverse=True)
    for s in shown:
        assert totals[(s.enterprise_id, s.category_id)] == s.total
        assert s.total == ranking.total_of([r.score for r in s.reasons], rows.weights.as_tuple())
    assert rows[2:4] == shown[2:4] and rows[-1] == shown[-1]
