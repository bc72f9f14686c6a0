"""Emergency plans and drills in a real browser: township staff on a phone (390 px) record a drill with a photo,
then see it counted and linked in the per-township table; the plan pages (version history, the issue preview) and
the drill pages at 1366 and 390 px on the demo data — no horizontal scrolling, no console errors (CSP), the
untouched filter form shows every row. Screenshots (SAVE_SCREENSHOTS=1): docs/screenshots/drills-*.png."""

import datetime as dt

import pytest

from tests.incidents.drills.helpers import png_bytes

from .conftest import DESKTOP, MOBILE, login, save_screenshot
from .test_list_filters import check_list

pytestmark = pytest.mark.browser


def _fits(probe, width):
    assert probe.scroll_width() <= width, f"horizontal scrolling: {probe.scroll_width()} > {width}"


@pytest.fixture
def demo(demo_accounts):
    from apps.incidents.drills.demo import seed_demo

    seed_demo()
    return demo_accounts


def test_township_staff_record_a_drill_at_390(new_page, demo, tmp_path):  # noqa: F811
    from apps.accounts.models import Township
    from apps.incidents.models import Drill

    xiashi = Township.objects.get(code="xiashi")
    before = Drill.objects.filter(township=xiashi, date__year=dt.date.today().year).count()
    photo = tmp_path / "现场.png"
    photo.write_bytes(png_bytes((120, 80)))
    probe = new_page(MOBILE)
    page = probe.page
    login(probe, "zhenjie")
    page.goto(probe.url("/incidents/drills/new/"))
    _fits(probe, MOBILE["width"])
    page.fill("#id_scenario", "夜市摊点疑似食物中毒实战演练")
    page.select_option("#id_kind", "field")
    page.fill("#id_participant_count", "0")
    with page.expect_navigation():
        page.click("#drill-form button[type=submit]")
    assert "参演人数至少为 1 人" in page.content()
    assert page.input_value("#id_scenario") == "夜市摊点疑似食物中毒实战演练"  # nothing typed is lost
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "drills-form-error-390.png")
    assert probe.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    probe.console_errors.clear()  # the refused form is a 400 by design
    page.fill("#id_participant_count", "35")
    page.set_input_files("#id_files", str(photo))
    with page.expect_navigation():
        page.click("#drill-form button[type=submit]")
    drill = Drill.objects.get(scenario="夜市摊点疑似食物中毒实战演练")
    assert drill.township == xiashi and drill.attachments.count() == 1
    assert page.locator("img[alt^='演练照片']").count() == 1
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "drills-detail-390.png")
    page.goto(probe.url("/incidents/drills/"))
    link = page.locator("#township-table a.count-link").first
    assert int(link.inner_text()) == before + 1
    with page.expect_navigation():
        link.click()
    assert page.locator("#drill-table tbody tr").count() == before + 1
    _fits(probe, MOBILE["width"])
    probe.assert_clean()


@pytest.mark.parametrize("viewport,suffix", [(DESKTOP, "1366"), (MOBILE, "390")])
def test_pages_on_the_demo_data(new_page, demo, viewport, suffix):  # noqa: F811
    from apps.accounts.models import User
    from apps.incidents.drills import services
    from apps.incidents.models import EmergencyPlan
    from tests.incidents.drills.helpers import pdf_bytes, upload

    probe = new_page(viewport)
    page = probe.page
    login(probe, "shiju")
    page.goto(probe.url("/incidents/drills/"))
    assert page.locator("#drill-table tbody tr").count() == 7
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"drills-list-{suffix}.png")
    plan = EmergencyPlan.objects.get(title__startswith="【演示】")
    page.goto(probe.url("/incidents/plans/"))
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"drills-plans-{suffix}.png")
    page.goto(probe.url(f"/incidents/plans/{plan.pk}/"))
    assert page.locator("#version-table tbody tr").count() == 2
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"drills-plan-detail-{suffix}.png")
    draft = services.plan_version_upload(
        actor=User.objects.get(username="shiju"),
        plan_id=plan.pk,
        data={"issued_on": dt.date.today(), "summary": "根据演练发现的问题修订信息报送流程"},
        document=upload("预案.pdf", pdf_bytes()),
    )
    page.goto(probe.url(f"/incidents/plans/versions/{draft.pk}/issue/"))
    assert "确认签发第 3 版" in page.content()
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"drills-version-issue-{suffix}.png")
    page.goto(probe.url("/incidents/drills/new/"))
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"drills-form-{suffix}.png")
    probe.assert_clean()


def test_drill_list_filters(new_page, demo):  # noqa: F811
    probe = new_page(DESKTOP)
    login(probe, "shiju")
    check_list(probe, "/incidents/drills/", lambda page: page.select_option("#id_township", "none"), 7, 1)
