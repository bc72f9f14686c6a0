"""The eight campaigns in a real browser: 市局 records a manual progress entry with its evidence on a phone (390 px)
and sees it on the campaign list; the list, a campaign and a target at 1366 and 390 px for city and township staff —
no horizontal scrolling, no console errors (CSP: the bars are native <progress>, no inline style). Figures come from
fake measures registered by the test. Screenshots (SAVE_SCREENSHOTS=1): docs/screenshots/campaigns-*.png."""

import pytest

from tests.assessment.campaigns.conftest import fake_measures  # noqa: F401 - the fixture
from tests.helpers.images import tiny_png

from .conftest import DESKTOP, MOBILE, login, save_screenshot

pytestmark = pytest.mark.browser


def _fits(probe, width):
    assert probe.scroll_width() <= width, f"horizontal scrolling: {probe.scroll_width()} > {width}: {probe.too_wide()}"


@pytest.fixture
def demo(demo_accounts):
    from apps.assessment.campaigns.services import defaults_ensure

    defaults_ensure()
    return demo_accounts


def test_city_staff_record_progress_at_390(new_page, demo, fake_measures, tmp_path):  # noqa: F811
    from apps.assessment.models import CampaignProgress, CampaignTarget

    target = CampaignTarget.objects.get(campaign__code="quality_grain", code="work_plan")
    evidence = tmp_path / "粮食工程报送表.png"
    evidence.write_bytes(tiny_png(60, 40))
    probe = new_page(MOBILE)
    page = probe.page
    login(probe, "shiju")
    page.goto(probe.url(f"/assessment/campaigns/targets/{target.pk}/"))
    _fits(probe, MOBILE["width"])
    page.fill("#id_value", "45")
    page.fill("#id_note", "优质粮食工程年度方案完成 45%")
    page.set_input_files("#id_evidence", str(evidence))
    with page.expect_navigation():
        page.click("#progress button[type=submit]")
    entry = CampaignProgress.objects.get(target=target)
    assert str(entry.value.normalize()) == "45"
    assert page.locator("#entries tbody tr").count() == 1
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "campaigns-target-390.png")
    page.goto(probe.url("/assessment/campaigns/"))
    assert "45" in page.locator("#campaigns").inner_text()
    _fits(probe, MOBILE["width"])
    probe.assert_clean()


@pytest.mark.parametrize("viewport,suffix", [(DESKTOP, "1366"), (MOBILE, "390")])
@pytest.mark.parametrize("username", ["shiju", "zhenjie"])
def test_pages_fit(new_page, demo, fake_measures, viewport, suffix, username):  # noqa: F811
    from apps.assessment.models import Campaign

    catering = Campaign.objects.get(code="catering")
    probe = new_page(viewport)
    page = probe.page
    login(probe, username)
    who = "city" if username == "shiju" else "township"
    for path, name in [("/assessment/campaigns/", "list"), (f"/assessment/campaigns/{catering.pk}/", "detail")]:
        page.goto(probe.url(path))
        assert page.locator("h1").count() == 1
        assert page.locator("progress").count() >= 1
        _fits(probe, viewport["width"])
        save_screenshot(probe, f"campaigns-{name}-{who}-{suffix}.png")
    probe.assert_clean()
