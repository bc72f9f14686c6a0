"""The 一公开 portal: index built from the section registry, enterprise lookup (name, USCC, unknown, bad input),
the risk grade behind PUBLIC_SHOW_RISK_GRADE, the verifier download, no login, the logo leads to the portal."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.common import portal
from apps.inspections.fieldwork.services.publications import publications_publish_due
from apps.inspections.fieldwork.services.results import result_finalise
from apps.risk import services as risk_services
from apps.risk.models import RiskAssessment
from tests.helpers.queries import assert_constant_queries
from tests.inspections.factories import make_enterprise

pytestmark = pytest.mark.django_db

TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_draw.py"


@pytest.fixture
def published(field):
    """The field enterprise with one published result (the objection window has passed)."""
    final = result_finalise(actor=field.user, result_id=field.complete_draft().pk)
    publications_publish_due(now=timezone.now() + timezone.timedelta(days=20))
    return final


def _get(url, **params):
    return Client().get(url, params)


def test_portal_index_needs_no_login_and_lists_the_registered_sections(published):
    response = _get(reverse("public:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for section in portal.portal_sections():
        assert f'id="portal-section-{section.key}"' in html and reverse(section.url_name) in html
    # inspections contributes its two sections through the registry; the results card counts the published one
    assert {"inspection-results", "draws"} <= {s.key for s in portal.portal_sections()}
    card = re.search(r'id="portal-section-inspection-results".*?</a>', html, re.S).group(0)
    assert 'portal-card-count">1<' in card
    assert reverse("public:verifier") in html and "python3 verify_draw.py" in html
    assert 'action="/public/enterprises/"' in html


def test_a_section_registered_by_another_app_appears_without_public_knowing_it(monkeypatch):
    monkeypatch.setattr(portal, "_SECTIONS", dict(portal._SECTIONS))
    portal.register_portal_section(
        portal.PortalSection(
            key="sampling",
            title="抽检结果公示",
            description="食品安全监督抽检结果",
            url_name="public:index",
            count=lambda: 42,
        )
    )
    html = _get(reverse("public:index")).content.decode()
    assert 'id="portal-section-sampling"' in html and "抽检结果公示" in html and ">42<" in html


def test_logo_on_public_pages_leads_to_the_portal(published, city_staff):
    for url in (
        reverse("public:index"),
        reverse("public:lookup"),
        reverse("public_results:list"),
        reverse("public_draws:list"),
        reverse("public_results:detail", args=[published.public_id]),
    ):
        response = _get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert re.search(r'<a class="navbar-brand app-brand" href="/public/"', html), url
        assert "/accounts/login/" not in html, url


def test_lookup_by_name_shows_published_results(published, field):
    response = _get(reverse("public:lookup"), q="美味餐饮")
    assert response.status_code == 200
    html = response.content.decode()
    assert "海宁市硖石美味餐饮店" in html and 'id="lookup-results"' in html
    assert reverse("public_results:detail", args=[published.public_id]) in html
    assert "飞行检查" in html and "合格" in html
    assert "风险等级" not in html  # the setting is off by default


def test_lookup_by_uscc_in_any_case(published, field):
    uscc = field.enterprise.uscc
    assert uscc
    html = _get(reverse("public:lookup"), q=f"  {uscc.lower()} ").content.decode()
    assert "海宁市硖石美味餐饮店" in html and uscc in html
    assert reverse("public_results:detail", args=[published.public_id]) in html


def test_lookup_of_an_enterprise_without_published_results(field):
    html = _get(reverse("public:lookup"), q="美味餐饮").content.decode()
    assert "海宁市硖石美味餐饮店" in html and "暂无公示的检查结果" in html


def test_unknown_term_gives_a_friendly_empty_state(published):
    response = _get(reverse("public:lookup"), q="不存在的企业名称")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="lookup-empty"' in html and "没有找到“不存在的企业名称”" in html


@pytest.mark.parametrize(
    "q,message",
    [("美" * 300, "查询词最多 100 个字"), ("美味\x00餐饮", "控制字符（U+0000）")],
    ids=["300-chars", "null-byte"],
)
def test_bad_input_is_a_400_with_a_chinese_message(published, q, message):
    response = _get(reverse("public:lookup"), q=q)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'id="lookup-results"' not in html


def test_empty_lookup_form_shows_the_form(published):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = _get(reverse("public:lookup"), **params)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="lookup-q"' in html and 'id="lookup-empty"' not in html and 'id="lookup-results"' not in html


def test_many_matches_are_capped_with_a_hint(township_a):
    for n in range(23):
        make_enterprise(township_a, name=f"海宁市同名小吃店{n:02d}")
    html = _get(reverse("public:lookup"), q="同名小吃").content.decode()
    assert html.count('class="lookup-card"') == 20 and "仅显示前 20 家" in html


def test_lookup_uses_a_constant_number_of_queries(township_a, field, published):
    def run():
        assert _get(reverse("public:lookup"), q="海宁市").status_code == 200

    made = iter(range(100))

    def grow(n):
        for _ in range(n):
            make_enterprise(township_a, name=f"海宁市查询测试店{next(made):02d}")

    assert_constant_queries(run, grow)


def test_grade_is_shown_only_when_the_city_publishes_grades(published, field, city_staff, settings):
    risk_services.assessment_recompute(enterprise_id=field.enterprise.pk, actor=city_staff, on=dt.date(2026, 3, 1))
    grade = RiskAssessment.objects.get(enterprise=field.enterprise, is_current=True).grade
    settings.PUBLIC_SHOW_RISK_GRADE = False
    html = _get(reverse("public:lookup"), q="美味餐饮").content.decode()
    assert "风险等级" not in html and "grade-pill" not in html
    settings.PUBLIC_SHOW_RISK_GRADE = True
    html = _get(reverse("public:lookup"), q="美味餐饮").content.decode()
    assert f'data-grade="{grade}"' in html and f"grade-pill-{grade}" in html and f"{grade}级" in html


def test_verifier_download_is_the_tool_as_an_attachment():
    response = _get(reverse("public:verifier"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/x-python")
    assert response["Content-Disposition"] == 'attachment; filename="verify_draw.py"'
    assert response.content == TOOL.read_bytes()


def test_draw_page_links_the_verifier_with_a_how_to(world, city_staff):
    from apps.inspections.draws.services import plan_commit
    from tests.inspections.draw_helpers import draw_now

    plan = world.plan(city_staff)
    plan_commit(actor=city_staff, plan_id=plan.pk)
    drawn = draw_now(actor=city_staff, plan_id=plan.pk)
    html = _get(reverse("public_draws:detail", args=[drawn.draw_uid])).content.decode()
    from apps.inspections.draws.signing import public_key_b64

    key = public_key_b64()
    assert (
        reverse("public:verifier") in html
        and f"python3 verify_draw.py --public-key {key} {drawn.draw_uid}.json" in html
    )


def test_portal_pages_refuse_post():
    assert Client().post(reverse("public:index")).status_code in (403, 405)
    assert Client(enforce_csrf_checks=False).post(reverse("public:lookup"), {"q": "x"}).status_code == 405
