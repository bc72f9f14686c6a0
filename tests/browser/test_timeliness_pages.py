"""时效考核 in a real browser at 1366 and 390 px on the demo complaints: the table fits (stacked at 390 px, no
column hidden), its numbers open the complaint list, no console errors. Screenshots (SAVE_SCREENSHOTS=1):
docs/screenshots/timeliness-*.png."""

import pytest

from .conftest import DESKTOP, MOBILE, login, save_screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(demo_accounts):
    from apps.incidents.complaints.demo import seed_demo

    seed_demo()
    return demo_accounts


@pytest.mark.parametrize("viewport,suffix", [(DESKTOP, "1366"), (MOBILE, "390")])
@pytest.mark.parametrize("username", ["shiju", "zhenjie"])
def test_timeliness_page(new_page, demo, viewport, suffix, username):
    probe = new_page(viewport)
    page = probe.page
    login(probe, username)
    page.goto(probe.url("/incidents/timeliness/"))
    table = page.locator("#timeliness-table")
    assert table.locator("thead th").count() >= 3  # 镇街 + the two complaint measures
    assert probe.scroll_width() <= viewport["width"], f"horizontal scrolling: {probe.scroll_width()}"
    rows = table.locator("tbody tr")
    assert rows.count() >= 2  # a township and the total
    if username == "zhenjie":
        assert rows.count() == 2  # their own township and the total
    save_screenshot(probe, f"timeliness-{username}-{suffix}.png")
    links = table.locator("tbody a")
    if links.count():
        href = links.first.get_attribute("href")
        with page.expect_navigation():
            links.first.click()
        assert "/incidents/complaints/" in page.url and href.split("?")[1] in page.url
        if username == "shiju" and suffix == "1366":
            save_screenshot(probe, "timeliness-list-from-link-1366.png")
    probe.assert_clean()
