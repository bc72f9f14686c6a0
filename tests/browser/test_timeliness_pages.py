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


@pytest.mark.parametrize("viewport,suffix", [(DESKTOP, "1366"), (MOBILE, "390")])
def test_identity_retention_page(new_page, demo, viewport, suffix):
    """The security admin's preview of the PII-05 purge (one case closed in 2020 is due), with its confirm box."""
    import datetime as dt

    import time_machine

    from apps.accounts.models import Township, User
    from apps.incidents.complaints import services

    officer = User.objects.get(username="tousu")
    at = dt.datetime(2020, 3, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with time_machine.travel(at, tick=False):
        c = services.complaint_create(
            actor=officer,
            data={
                "kind": "report",
                "channel": "12345",
                "content": "【演示】旧件",
                "name": "演示丁",
                "phone": "13800000004",
            },
            received_at=at,
        )
        services.complaint_reject(actor=officer, complaint_id=c.pk, reason="不属于本局职责")
    assert Township.objects.exists()
    probe = new_page(viewport)
    page = probe.page
    login(probe, "anquan")
    page.goto(probe.url("/incidents/complaints/retention/"))
    assert "1 件" in page.locator("#retention-count").inner_text()
    assert "演示丁" not in page.content()
    assert probe.scroll_width() <= viewport["width"], f"horizontal scrolling: {probe.scroll_width()}"
    save_screenshot(probe, f"timeliness-identity-retention-{suffix}.png")
    probe.assert_clean()
