"""The sample list (filters other pages link with, constant queries) and the detail page (grouped fields, results)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from apps.sampling.models import ResultItem
from tests.factories import sampling as factories
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

LINK_FILTERS = (
    "township",
    "year",
    "month",
    "category",
    "purpose",
    "business_type",
    "source",
    "status",
    "lab",
    "conclusion",
    "q",
)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_list_filters_named_for_the_other_pages(city_staff, township_a, township_b):
    march = factories.SampleFactory(
        task__plan_line__township=township_a, sampled_on=dt.date(2026, 3, 2), name="三月青菜"
    )
    april = factories.SampleFactory(
        task__plan_line__township=township_b, sampled_on=dt.date(2026, 4, 2), name="四月猪肉"
    )
    client = _client(city_staff)
    url = reverse("sampling:sample_list")
    untouched = client.get(url, dict.fromkeys(LINK_FILTERS, "")).content.decode()
    assert "三月青菜" in untouched and "四月猪肉" in untouched
    html = client.get(url, {"township": township_a.pk, "year": 2026, "month": 3}).content.decode()
    assert "三月青菜" in html and "四月猪肉" not in html
    assert "四月猪肉" in client.get(url, {"category": april.category_id}).content.decode()
    assert "三月青菜" not in client.get(url, {"category": april.category_id}).content.decode()
    assert "四月猪肉" in client.get(url, {"q": april.number}).content.decode()
    assert (
        "三月青菜"
        in client.get(url, {"lab": march.lab_id, "purpose": "supervisory", "source": "routine"}).content.decode()
    )
    assert "三月青菜" in client.get(url, {"conclusion": "none", "status": "sampled"}).content.decode()
    assert "三月青菜" in client.get(url, {"business_type": march.enterprise.business_type_id}).content.decode()
    bad = client.get(url, {"month": "13"})
    assert bad.status_code == 200 and "月份" in bad.content.decode() and "三月青菜" not in bad.content.decode()


def test_category_filter_includes_sub_categories(city_staff, township_a):
    major = factories.SamplingCategoryFactory(level=1, name="食用农产品")
    minor = factories.SamplingCategoryFactory(level=2, name="蔬菜", parent=major)
    sample = factories.SampleFactory(task__plan_line__township=township_a, task__plan_line__category=minor)
    html = _client(city_staff).get(reverse("sampling:sample_list"), {"category": major.pk}).content.decode()
    assert sample.number in html


def test_list_constant_queries(city_staff, township_a):
    client = _client(city_staff)
    assert_constant_queries(
        fetch=lambda: client.get(reverse("sampling:sample_list")),
        add_rows=lambda n: [factories.SampleFactory(task__plan_line__township=township_a) for _ in range(n)],
    )


def test_detail_groups_the_fields_and_lists_results(city_staff, township_a):
    sample = factories.SampleFactory(
        task__plan_line__township=township_a, site_name="硖石小店", producer_name="某食品厂"
    )
    limit = factories.TestLimitFactory()
    ResultItem.objects.create(
        sample=sample,
        test_item=limit.test_item,
        limit=limit,
        lab=sample.lab,
        value_text="0.05",
        unit="mg/kg",
        verdict="qualified",
        max_limit_text="0.2",
        limit_unit="mg/kg",
    )
    html = _client(city_staff).get(reverse("sampling:sample_detail", args=[sample.pk])).content.decode()
    for text in (
        "基本信息",
        "抽样单位",
        "被抽样单位",
        "标称生产者",
        "样品信息",
        "检验结果",
        "硖石小店",
        "某食品厂",
        "0.05",
        "合格",
    ):
        assert text in html, text
    assert reverse("sampling:sample_pdf", args=[sample.pk]) in html


def test_detail_without_results(city_staff, township_a):
    sample = factories.SampleFactory(task__plan_line__township=township_a)
    html = _client(city_staff).get(reverse("sampling:sample_detail", args=[sample.pk])).content.decode()
    assert "检验机构尚未录入检验结果" in html
