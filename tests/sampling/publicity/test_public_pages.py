"""The portal's sampling pages: no login, searchable, the detail page, the enterprise lookup, the index cards — and
no internal fields (phone numbers, contact persons, legal representatives, samplers, prices, row ids)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from apps.common import portal
from apps.sampling.choices import DisposalStatus, Verdict
from apps.sampling.models import Disposal
from tests.factories.sampling import SamplingCategoryFactory
from tests.helpers.queries import assert_constant_queries

from .conftest import concluded

pytestmark = pytest.mark.django_db

PRIVATE = {
    "site_phone": "13812345678",
    "site_contact": "联系人王某",
    "site_legal_rep": "法人李某",
    "producer_phone": "0573-88886666",
    "samplers": ["抽样员甲", "抽样员乙"],
    "unit_price": "12.50",
    "site_licence_no": "JY13304810009999",
}


@pytest.fixture
def unqualified(reference):
    sample = concluded(
        conclusion=Verdict.UNQUALIFIED,
        published=True,
        name="韭菜",
        site_address="海宁市硖石街道测试路 1 号",
        producer_name="标称生产者甲",
        **PRIVATE,
    )
    Disposal.objects.create(
        sample=sample,
        status=DisposalStatus.CLOSED,
        opened_on=dt.date(2026, 3, 10),
        notify_due=dt.date(2026, 3, 17),
        verify_due=dt.date(2026, 6, 8),
        closed_on=dt.date(2026, 4, 1),
        measures=["下架", "召回"],
        outcome="已责令下架召回，立案查处",
        published_at=sample.published_at,
    )
    return sample


def test_the_results_pages_need_no_login_and_show_what_a_citizen_needs(unqualified):
    client = Client()
    listing = client.get(reverse("public_sampling:results"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert unqualified.site_name in html and "韭菜" in html and "不合格" in html
    assert "铅（以Pb计）" in html and "0.35 mg/kg" in html and "≤0.2 mg/kg" in html and "GB 2762-2022" in html
    assert "已办结" in html
    detail = client.get(reverse("public_sampling:result", args=[unqualified.number]))
    assert detail.status_code == 200
    page = detail.content.decode()
    for shown in (
        "韭菜",
        "海宁市硖石街道测试路 1 号",
        "标称生产者甲",
        "检验机构",
        "已责令下架召回，立案查处",
        "下架、召回",
    ):
        assert shown in page, shown


def test_the_public_pages_show_no_internal_fields(unqualified):
    client = Client()
    pages = [
        client.get(reverse("public_sampling:results")).content.decode(),
        client.get(reverse("public_sampling:result", args=[unqualified.number])).content.decode(),
        client.get(reverse("public:lookup"), {"q": unqualified.enterprise.name}).content.decode(),
        client.get(reverse("public_sampling:votes")).content.decode(),
    ]
    for html in pages:
        for value in [*PRIVATE.values(), unqualified.report_no, unqualified.backup_seal_no]:
            for text in value if isinstance(value, list) else [value]:
                assert text not in html, text
        assert f"/{unqualified.pk}/" not in html.replace(unqualified.number, "")  # no row ids in links


def test_search_filters_and_bad_input(unqualified, township_b):
    other = concluded(township=township_b, published=True, name="大米")
    client = Client()
    by_name = client.get(reverse("public_sampling:results"), {"q": "韭菜"}).content.decode()
    assert "韭菜" in by_name and "大米" not in by_name
    by_uscc = client.get(reverse("public_sampling:results"), {"q": unqualified.site_uscc}).content.decode()
    assert "韭菜" in by_uscc and "大米" not in by_uscc
    by_number = client.get(reverse("public_sampling:results"), {"q": other.number}).content.decode()
    assert "大米" in by_number and "韭菜" not in by_number
    qualified = client.get(reverse("public_sampling:results"), {"conclusion": "qualified"}).content.decode()
    assert "大米" in qualified and "韭菜" not in qualified
    township = client.get(reverse("public_sampling:results"), {"township": township_b.pk}).content.decode()
    assert "大米" in township and "韭菜" not in township
    untouched = client.get(
        reverse("public_sampling:results"), {"q": "", "conclusion": "", "township": "", "category": ""}
    ).content.decode()
    assert "共 <strong>2</strong> 批次" in untouched
    for bad in ({"q": "x" * 61}, {"conclusion": "monitoring"}, {"township": "abc"}, {"category": "999999"}):
        response = client.get(reverse("public_sampling:results"), bad)
        assert response.status_code == 400, bad
        assert "查询条件有误" in response.content.decode()
    assert client.get(reverse("public_sampling:result", args=["DC26NOTHING"])).status_code == 404


def test_a_top_category_finds_its_sub_categories(reference):
    top = SamplingCategoryFactory(code="PUB-TOP", name="粮食加工品", level=1)
    sub = SamplingCategoryFactory(code="PUB-SUB", name="大米", level=2, parent=top)
    line_sample = concluded(published=True, name="东北大米")
    type(line_sample).objects.filter(pk=line_sample.pk).update(category=sub)
    html = Client().get(reverse("public_sampling:results"), {"category": top.pk}).content.decode()
    assert "东北大米" in html


def test_unpublished_results_are_not_public(reference):
    hidden = concluded(name="未公开样品")
    client = Client()
    assert "未公开样品" not in client.get(reverse("public_sampling:results")).content.decode()
    assert client.get(reverse("public_sampling:result", args=[hidden.number])).status_code == 404


def test_the_portal_lists_the_sampling_sections_and_the_lookup_shows_results(unqualified):
    keys = {s.key for s in portal.portal_sections()}
    assert {"sampling-results", "sampling-votes"} <= keys
    index = Client().get(reverse("public:index")).content.decode()
    assert reverse("public_sampling:results") in index and reverse("public_sampling:votes") in index
    lookup = Client().get(reverse("public:lookup"), {"q": unqualified.enterprise.name}).content.decode()
    assert reverse("public_sampling:result", args=[unqualified.number]) in lookup
    assert "监督抽检 · 韭菜" in lookup


def test_the_public_list_runs_a_constant_number_of_queries(reference):
    client = Client()

    def add(n):
        for i in range(n):
            concluded(published=True, conclusion=Verdict.UNQUALIFIED if i % 2 else Verdict.QUALIFIED)

    assert_constant_queries(lambda: client.get(reverse("public_sampling:results")), add)
