"""Assessment pages in a real browser: the ranking, a township's drill-down, the appeal and its decision, the close
preview, the star history and the scheme at 1366 and 390 px — no horizontal scrolling, no console errors (CSP);
the untouched filter forms show every row; a township files an appeal on a phone. Screenshots
(SAVE_SCREENSHOTS=1): docs/screenshots/assessment-*.png."""

import pytest

from apps.assessment.models import AssessmentScheme, ScoreAppeal
from apps.assessment.schemes import services
from tests.assessment.schemes.conftest import fake_data, fake_measures  # noqa: F401  (fixtures)
from tests.assessment.schemes.helpers import computed_round, indicator, score

from .conftest import DESKTOP, MOBILE, save_screenshot
from .test_list_filters import check_list, signed_in

pytestmark = pytest.mark.browser


def _fits(probe, width):
    assert probe.scroll_width() <= width, f"horizontal scrolling: {probe.scroll_width()} > {width}: {probe.too_wide()}"


@pytest.fixture
def rnd(fake_measures, city_staff, staff_b, township_b):  # noqa: F811
    r = computed_round(city_staff)
    services.appeal_file(
        actor=staff_b,
        round_id=r.pk,
        township_id=township_b.pk,
        indicator_id=indicator(r, "coverage_debt").pk,
        reason="欠账名单中 26 家已注销，应剔除",
    )
    return r


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["1366", "390"])
def test_pages_fit_and_are_clean(new_page, rnd, city_staff, township_a, viewport):
    probe = signed_in(new_page, city_staff, viewport)
    width = viewport["width"]
    appeal = ScoreAppeal.objects.get()
    scheme = AssessmentScheme.objects.get(version=1)
    pages = {
        "rounds": "/assessment/rounds/",
        "round": f"/assessment/rounds/{rnd.pk}/",
        "score": f"/assessment/scores/{score(rnd, township_a).pk}/",
        "appeal": f"/assessment/appeals/{appeal.pk}/",
        "appeals": "/assessment/appeals/",
        "stars": "/assessment/stars/",
        "scheme": f"/assessment/schemes/{scheme.pk}/",
    }
    for name, path in pages.items():
        probe.page.goto(probe.url(path))
        _fits(probe, width)
        save_screenshot(probe, f"assessment-{name}-{width}.png")
    probe.page.goto(probe.url(pages["scheme"]))
    assert "默认方案，待市局确认" in probe.page.content()
    probe.assert_clean()


def test_filters_as_a_browser_submits_them(new_page, rnd, city_staff, township_b):
    probe = signed_in(new_page, city_staff)

    def pending(page):
        page.select_option("#id_status", "pending")

    check_list(probe, "/assessment/appeals/", pending, 1, 1)
    check_list(probe, "/assessment/rounds/", lambda page: page.fill("#id_year", "2001"), 1, 0)


def test_township_files_an_appeal_on_a_phone(new_page, rnd, staff_a, township_a):
    probe = signed_in(new_page, staff_a, MOBILE)
    page = probe.page
    page.goto(probe.url(f"/assessment/scores/{score(rnd, township_a).pk}/"))
    _fits(probe, MOBILE["width"])
    page.select_option("#id_indicator", str(indicator(rnd, "food_sampling").pk))
    page.fill("#id_reason", "抽检系统漏计 3 批次")
    with page.expect_navigation():
        page.click("#appeal-form button[type=submit]")
    assert ScoreAppeal.objects.filter(township=township_a, status="pending").count() == 1
    assert "已提出申诉" in page.content()
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "assessment-appeal-filed-390.png")
    probe.assert_clean()
