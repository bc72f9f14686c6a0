"""The catalogue pages (/standards/): who may open them, what they list, the filters as a browser submits them, the
numbers that link to their rows, and constant query counts."""

import itertools
import re

import pytest
from django.urls import reverse

from apps.standards import selectors
from apps.standards.filters import related_category_ids
from apps.standards.models import SamplingCategory, Standard, TestItem
from tests.conftest import make_user
from tests.factories import sampling as factories
from tests.helpers.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

PAGES = ["standards:list", "standards:test_items", "standards:categories"]
READERS = ["township_staff", "city_staff", "city_leader", "sampler", "lab_staff"]


def shown_count(response) -> int:
    assert response.status_code == 200
    return int(re.search(r"共 <strong>(\d+)</strong> 条", response.content.decode()).group(1))


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", [None, "inspector", "complaint_officer", "sys_admin"])
def test_without_the_view_permission_is_403(client, reference, name, role):
    client.force_login(make_user(f"u-{role}", role))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("role", READERS)
def test_every_sampling_role_reads_the_catalogue(client, reference, township_a, role):
    client.force_login(make_user(f"u-{role}", role, [township_a] if role == "township_staff" else ()))
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    html = client.get(reverse("standards:list")).content.decode()
    assert 'href="/standards/"' in html and "标准与检验项目</a>" in html  # the menu entry


def test_standard_list_shows_versions_status_and_counts(client, city_staff):
    client.force_login(city_staff)
    response = client.get(reverse("standards:list"), {"q": "GB 2762"})
    html = response.content.decode()
    assert shown_count(response) == 2
    assert "GB 2762-2022" in html and "GB 2762-2017" in html
    assert '被 <span class="std-code">GB 2762-2022</span> 代替' in html
    assert "废止" in html and "现行" in html
    exact = client.get(reverse("standards:list"), {"q": "GB 2762-2022"})
    assert shown_count(exact) == 1
    assert shown_count(client.get(reverse("standards:list"), {"q": "污染物"})) == 2
    assert (
        shown_count(client.get(reverse("standards:list"), {"prefix": "GB/T"}))
        == Standard.objects.filter(prefix="GB/T").count()
    )


def test_numbers_link_to_their_rows(client, city_staff):
    """作为判定依据 / 作为检验方法: each count is a link to the test-item list that shows exactly that many rows."""
    client.force_login(city_staff)
    html = client.get(reverse("standards:list")).content.decode()
    links = re.findall(r'href="/standards/test-items/\?((?:judging|method)_standard=\d+)">(\d+)</a>', html)
    assert len(links) >= 20
    for query, number in links:
        assert shown_count(client.get(f"/standards/test-items/?{query}")) == int(number), query


def test_category_counts_agree_with_the_category_filter(city_staff):
    counts = selectors.category_item_counts(actor=city_staff)
    for category in SamplingCategory.objects.all():
        listed = selectors.test_item_list(actor=city_staff, filters={"category": category.pk}).count()
        assert counts[category.pk] == listed, category.name
    pakchoi = SamplingCategory.objects.get(name="普通白菜")
    codes = set(
        selectors.test_item_list(actor=city_staff, filters={"category": pakchoi.pk}).values_list("code", flat=True)
    )
    assert {"pb-leafy-veg", "as-veg", "chlorpyrifos-pakchoi", "omethoate-leafy-veg"} <= codes
    assert "chlorpyrifos-celery" not in codes and "pb-fruiting-veg" not in codes
    assert related_category_ids(pakchoi) >= {pakchoi.pk, pakchoi.parent_id}


def test_category_page_counts_are_links(client, city_staff):
    client.force_login(city_staff)
    html = client.get(reverse("standards:categories")).content.decode()
    links = re.findall(r'href="/standards/test-items/\?category=(\d+)">(\d+)</a>', html)
    assert len(links) == SamplingCategory.objects.count()
    for pk, number in links[:6]:
        assert shown_count(client.get(f"/standards/test-items/?category={pk}")) == int(number)


def test_test_item_list_shows_limits_and_their_production_dates(client, sampler):
    client.force_login(sampler)
    response = client.get(reverse("standards:test_items"), {"q": "pb-liquid-milk"})
    html = response.content.decode()
    assert shown_count(response) == 1
    assert "≤ 0.02 mg/kg" in html and "≤ 0.05 mg/kg" in html
    assert "生产日期 2017-09-17 至 2023-06-29" in html and "生产日期 2023-06-30 起" in html
    assert "今日生产适用" in html
    assert "GB 5009.12-2023" in html and "方法检出限 0.005 mg/kg" in html
    micro = client.get(reverse("standards:test_items"), {"q": "tpc-pastry"}).content.decode()
    assert "n=5, c=2, m=10000, M=100000 CFU/g" in micro
    assert "不得检出" in client.get(reverse("standards:test_items"), {"q": "clenbuterol"}).content.decode()


@pytest.fixture
def sampler(reference):
    return make_user("sampler_1", "sampler")


@pytest.mark.parametrize(
    ("name", "empty"),
    [
        ("standards:list", {"q": "", "prefix": "", "status": ""}),
        ("standards:test_items", {"q": "", "category": "", "standard": "", "judgement_type": "", "kind": ""}),
        ("standards:categories", {"q": "", "level": "", "hazard": ""}),
    ],
)
def test_the_untouched_filter_form_filters_nothing(client, city_staff, name, empty):
    client.force_login(city_staff)
    assert shown_count(client.get(reverse(name), empty)) == shown_count(client.get(reverse(name)))


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("standards:list", {"status": "withdrawn"}, 3),
        ("standards:test_items", {"kind": "micro"}, None),
        ("standards:test_items", {"judgement_type": "range"}, 1),
        ("standards:categories", {"level": "1"}, 10),
    ],
)
def test_one_filter(client, city_staff, name, params, expected):
    client.force_login(city_staff)
    count = shown_count(client.get(reverse(name), params))
    if expected is None:
        expected = TestItem.objects.filter(is_microbiological=True).count()
    assert count == expected


@pytest.mark.parametrize(
    ("name", "params", "words"),
    [
        ("standards:list", {"status": "bogus"}, "状态"),
        ("standards:test_items", {"category": "999999"}, "抽检食品分类"),
        ("standards:test_items", {"category": "abc"}, "抽检食品分类"),
        ("standards:categories", {"hazard": "9"}, "风险程度"),
    ],
)
def test_invalid_filter_values_are_shown_beside_the_form_with_no_rows(client, city_staff, name, params, words):
    client.force_login(city_staff)
    response = client.get(reverse(name), params)
    html = response.content.decode()
    assert response.status_code == 200 and "筛选条件有误" in html and words in html
    assert shown_count(response) == 0


SERIAL = itertools.count()


def _more_items(n):
    category = factories.SamplingCategoryFactory(level=1)
    for _ in range(n):
        item = factories.TestItemFactory()
        item.categories.add(category, factories.SamplingCategoryFactory(level=1))
        factories.TestLimitFactory(test_item=item)
        factories.TestLimitFactory(test_item=item, judging_standard=factories.StandardFactory(year=2023))


@pytest.mark.parametrize(
    ("name", "add_rows"),
    [
        ("standards:list", lambda n: [factories.StandardFactory(title="常量查询测试") for _ in range(n)]),
        ("standards:test_items", _more_items),
        (
            "standards:categories",
            lambda n: [factories.SamplingCategoryFactory(code=f"ZZ{next(SERIAL):04d}") for _ in range(n)],
        ),
    ],
)
def test_list_pages_use_a_constant_number_of_queries(client, city_staff, name, add_rows):
    client.force_login(city_staff)
    # filter to the rows the test adds, so every added row is on the page being measured
    params = {"standards:list": {"q": "常量查询测试"}, "standards:test_items": {"q": "item-"}}.get(name, {"q": "ZZ"})
    added = []
    assert_constant_queries(
        fetch=lambda: added.append(client.get(reverse(name), params).status_code),
        add_rows=add_rows,
    )
    assert set(added) == {200}
