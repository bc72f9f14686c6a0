"""The live quota page (issue 10 point 2) and the year-to-date overview: figures against hand-made samples,
estimates marked, every count a link, a constant number of queries, bad input a 400 naming the field."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.sampling.choices import LineSource, SamplingPurpose
from apps.sampling.models import Sample
from apps.sampling.plans import selectors
from tests.factories.sampling import PlanLineFactory, SamplingPlanFactory
from tests.helpers.queries import assert_constant_queries

from .conftest import YEAR
from .helpers import Samples

pytestmark = pytest.mark.django_db
URL = "/sampling/quotas/"


@pytest.fixture
def world(categories, rates, township_a, township_b):
    """xiashi (127,950 residents in 2022, estimate): 576 food, 128 monitoring. Samples of 2026 by hand."""
    s = Samples(categories["veg"])
    s.add(township_a, on=dt.date(2026, 1, 5))  # food, Jan, 蔬菜
    s.add(township_a, on=dt.date(2026, 1, 20), purpose=SamplingPurpose.EVALUATIVE, source=LineSource.TARGETED)
    s.add(township_a, on=dt.date(2026, 3, 2), category=categories["cooked"], business_type="school_canteen")
    s.add(township_a, on=dt.date(2026, 3, 9), purpose=SamplingPurpose.MONITORING, category=categories["meat"])
    s.add(township_a, on=dt.date(2026, 3, 9), quick=True)  # quick test: not a lab batch
    s.add(township_a, on=dt.date(2025, 12, 31))  # last year
    s.add(township_a, on=dt.date(2026, 4, 1), source=LineSource.VOTE, business_type="food_sales")
    s.add(township_b, on=dt.date(2026, 2, 2))  # another township
    plan = SamplingPlanFactory(year=YEAR, name="2026年测试计划", status="approved")
    PlanLineFactory(plan=plan, township=township_a, category=categories["veg"], month=1, batches=40)
    PlanLineFactory(plan=plan, township=township_a, category=categories["veg"], month=3, batches=7)
    draft = SamplingPlanFactory(year=YEAR, name="2026年草稿", status="draft")
    PlanLineFactory(plan=draft, township=township_a, category=categories["veg"], month=1, batches=99)  # not issued
    return s


def _page(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_township_figures(client, staff_a, world, township_a, categories):
    response = _page(client, staff_a, year=YEAR)  # township staff land on their own township
    assert response.status_code == 200
    data = response.context["data"]
    assert data["township"] == township_a
    food, mon = data["figures"]["food"], data["figures"]["monitoring"]
    assert (food["quota"], food["done"], food["remaining"]) == (576, 4, 572)
    assert (mon["quota"], mon["done"]) == (128, 1)
    assert str(food["per_thousand"]) == "0.03" and food["pct"] == 0.7
    assert [m["done"] for m in food["months"]][:4] == [2, 0, 1, 1]
    assert [m["cum_done"] for m in food["months"]][:4] == [2, 2, 3, 4]
    assert food["months"][0]["target"] == 48 and food["months"][11]["cum_target"] == 576
    assert [m["planned"] for m in food["months"]][:3] == [40, 0, 7] and food["planned"] == 47  # issued only
    assert data["quick_tests"] == 1
    sources = {s["source"]: (s["quota"], s["done"]) for s in data["sources"]}
    assert sources == {"routine": (346, 2), "targeted": (173, 1), "vote": (57, 1)}
    cats = {c["category"].name: (c["food"], c["monitoring"]) for c in data["categories"]}
    assert cats == {"肉制品": (1, 1), "蔬菜": (3, 0), "饮料": (0, 0)}  # 熟肉制品 counts under 肉制品
    assert data["categories_covered"] == 2
    kinds = {k["business_type"].code: (k["operating"], k["samples"], k["enterprises"]) for k in data["kinds"]}
    assert kinds["canteen"] == (1, 1, 1)  # 学校食堂 under 单位食堂
    assert kinds["catering"] == (2, 3, 1) and kinds["food_sales"] == (1, 1, 1)  # + the task factory's business
    html = response.content.decode()
    assert "估算" in html and "127,950" in html and "快检不计入" in html


def test_population_not_an_estimate_is_not_marked(client, staff_a, world, township_a):
    from apps.accounts.models import TownshipPopulation

    TownshipPopulation.objects.filter(township=township_a).update(is_estimate=False)
    response = _page(client, staff_a, year=YEAR)
    assert not response.context["data"]["quota"].is_estimate
    assert "badge-estimate" not in response.content.decode()


def test_numbers_link_to_their_rows(client, staff_a, world, township_a):
    data = _page(client, staff_a, year=YEAR).context["data"]
    jan = data["figures"]["food"]["months"][0]
    lines = client.get(jan["planned_url"])
    assert lines.status_code == 200 and lines.context["page"].paginator.count == 1
    assert lines.context["total_batches"] == 40
    all_planned = client.get(data["figures"]["food"]["planned_url"])
    assert all_planned.context["total_batches"] == 47
    assert data["kinds"][0]["operating_url"].startswith("/enterprises/?")


def test_sample_links_carry_the_agreed_filters(staff_a, world, township_a, categories):
    data = selectors.township_page(actor=staff_a, year=YEAR, township=township_a)
    url = data["figures"]["food"]["months"][2]["done_url"]
    assert url.startswith(reverse("sampling:sample_list") + "?")
    assert f"township={township_a.pk}" in url and "year=2026" in url and "month=3" in url
    assert "purpose=supervisory&purpose=evaluative" in url and "quick_test=0" in url
    assert selectors.sample_list_url(year=2026) == reverse("sampling:sample_list") + "?year=2026"


def _listed(client, url) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200 and not response.context["filter_errors"], url
    return {s.number for s in response.context["page"].object_list}


def test_each_sample_count_links_to_its_rows(client, staff_a, world, township_a, categories):
    """The fieldwork sample list (sampling:sample_list) shows exactly the samples a quota figure counts."""
    client.force_login(staff_a)
    data = _page(client, staff_a, year=YEAR).context["data"]
    food, mon = data["figures"]["food"], data["figures"]["monitoring"]
    links = [(food["done"], food["done_url"]), (mon["done"], mon["done_url"]), (data["quick_tests"], data["quick_url"])]
    links += [(m["done"], m["done_url"]) for m in food["months"][:4]]
    links += [(s["done"], s["url"]) for s in data["sources"]]
    links += [(c["food"], c["food_url"]) for c in data["categories"]]
    links += [(c["monitoring"], c["monitoring_url"]) for c in data["categories"]]
    for count, url in links:
        assert len(_listed(client, url)) == count, url
    # the filters really narrow: lab samples only, the right purposes, the month, the category subtree
    assert (food["done"], mon["done"], data["quick_tests"]) == (4, 1, 1)
    march = Sample.objects.get(sampled_on=dt.date(2026, 3, 2))  # not the monitoring one nor the quick test of 9 March
    assert _listed(client, food["months"][2]["done_url"]) == {march.number}


def test_overview_for_city_staff(client, city_staff, world, township_a, township_b):
    response = _page(client, city_staff, year=YEAR)
    assert response.status_code == 200
    assert "sampling/plans/quota_overview.html" in [t.name for t in response.templates]
    data = response.context["data"]
    rows = {r["township"].code: r for r in data["rows"]}
    assert len(rows) == 12
    assert (rows["xiashi"]["kinds"]["food"]["done"], rows["xucun"]["kinds"]["food"]["done"]) == (4, 1)
    assert data["totals"]["food"]["quota"] == 4962 and data["totals"]["food"]["done"] == 5
    assert data["totals"]["monitoring"]["done"] == 1
    assert rows["xiashi"]["categories_covered"] == 2 and data["categories_total"] == 3
    chart = data["chart"]
    assert chart["townships"][0] == "硖石街道" and chart["series"][1]["values"][0] == 4
    html = response.content.decode()
    assert 'id="quota-chart-data"' in html and "<script>" not in html  # data as JSON, no inline script
    assert "sampling-quota.js" in html and "含估算" in html


def test_city_staff_open_one_township(client, city_staff, world, township_b):
    data = _page(client, city_staff, year=YEAR, township=township_b.pk).context["data"]
    assert data["township"] == township_b and data["figures"]["food"]["done"] == 1


@pytest.mark.parametrize(
    "params,field",
    [
        ({"year": "abc"}, "year"),
        ({"year": "1999"}, "year"),
        ({"year": "2101"}, "year"),
        ({"township": "x"}, "township"),
    ],
)
def test_bad_query_is_a_400_naming_the_field(client, staff_a, world, params, field):
    response = _page(client, staff_a, **params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.context["form"].errors[field][0])


def test_another_township_is_refused(client, staff_a, world, township_b):
    response = _page(client, staff_a, year=YEAR, township=township_b.pk)
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.context["form"].errors["township"][0]


def test_empty_fields_as_a_browser_sends_them(client, city_staff, world):
    response = _page(client, city_staff, year="", township="")
    assert response.status_code == 200 and response.context["year"] == dt.date.today().year


def test_a_year_without_rates_of_its_own_carries_the_last_ones(client, city_staff, world):
    response = _page(client, city_staff, year=2035)
    assert response.status_code == 200
    assert "沿用" in response.content.decode()


def test_without_permission(client, user_without_perms):
    client.force_login(user_without_perms)
    assert client.get(URL).status_code == 403


def test_query_count_does_not_grow_with_samples(client, staff_a, city_staff, world, township_a, categories):
    months = iter(range(1, 13))

    def add(n):
        for _ in range(n):
            m = next(months, 6)
            world.add(township_a, on=dt.date(2026, m, 3), category=categories["drinks"], business_type="food_sales")
            world.add(township_a, on=dt.date(2026, m, 4), purpose=SamplingPurpose.MONITORING, key=m)

    for user in (staff_a, city_staff):
        client.force_login(user)
        # the figures computed on every request ("重新统计"), and as served from the cache
        live = assert_constant_queries(lambda: client.get(URL, {"year": YEAR, "fresh": "1"}), add)
        kept = assert_constant_queries(lambda: client.get(URL, {"year": YEAR}), add)
        assert kept < live


# ------------------------------------------------------------------------------------------------ kept figures
def _done(response):
    return response.context["data"]["figures"]["food"]["done"]


def test_figures_are_kept_and_the_page_says_since_when(client, staff_a, world, township_a, settings):
    settings.SAMPLING_QUOTA_CACHE_SECONDS = 60
    first = _page(client, staff_a, year=YEAR)
    assert _done(first) == 4 and not first.context["figures"].from_cache
    html = first.content.decode()
    assert "统计时间" in html and "重新统计" in html and "fresh=1" in html
    world.add(township_a, on=dt.date(2026, 5, 5))  # a new food sample
    kept = client.get(URL, {"year": YEAR})
    assert kept.context["figures"].from_cache and _done(kept) == 4  # the kept figures, and the page says so
    assert kept.context["figures"].computed_at == first.context["figures"].computed_at
    assert "已有统计" in kept.content.decode() and "尚未计入" in kept.content.decode()
    fresh = client.get(URL, {"year": YEAR, "fresh": "1"})  # 重新统计
    assert not fresh.context["figures"].from_cache and _done(fresh) == 5
    assert _done(client.get(URL, {"year": YEAR})) == 5  # and kept again


def test_figures_expire(client, staff_a, world, township_a, settings):
    import time_machine

    settings.SAMPLING_QUOTA_CACHE_SECONDS = 60
    assert _done(_page(client, staff_a, year=YEAR)) == 4
    world.add(township_a, on=dt.date(2026, 5, 5))
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=61)):
        again = client.get(URL, {"year": YEAR})
    assert not again.context["figures"].from_cache and _done(again) == 5


def test_without_keeping_every_request_computes(client, staff_a, world, township_a, settings):
    settings.SAMPLING_QUOTA_CACHE_SECONDS = 0
    assert _done(_page(client, staff_a, year=YEAR)) == 4
    world.add(township_a, on=dt.date(2026, 5, 5))
    response = client.get(URL, {"year": YEAR})
    assert not response.context["figures"].from_cache and _done(response) == 5
    assert "每次打开实时统计" in response.content.decode() and "重新统计" not in response.content.decode()


def test_a_township_page_is_the_same_for_everyone_who_may_open_it(client, staff_a, city_staff, world, township_a):
    """Why the figures are kept per page and not per user: township staff see every row of their township."""
    mine = selectors.township_page(actor=staff_a, year=YEAR, township=township_a)
    city = selectors.township_page(actor=city_staff, year=YEAR, township=township_a)
    assert mine == city


def test_kept_figures_do_not_open_another_township(client, staff_a, city_staff, world, township_b):
    _page(client, city_staff, year=YEAR, township=township_b.pk)  # township B's figures are now kept
    refused = _page(client, staff_a, year=YEAR, township=township_b.pk)
    assert refused.status_code == 400 and "data" not in refused.context
    overview = _page(client, city_staff, year=YEAR)  # the city's overview is kept under its own townships
    mine = _page(client, staff_a, year=YEAR)
    assert mine.context["data"]["township"] != township_b
    assert overview.context["data"] is not None and len(overview.context["data"]["rows"]) > 1
