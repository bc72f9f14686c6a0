"""The main menu in groups (apps.common.navigation, templates/common/_main_nav.html, static/js/nav.js).

At 1366 px city staff's menu is one row of groups, each a dropdown (keyboard: Enter opens, Escape closes; a click
outside or Tab past the last entry closes; one open at a time). At 390 px the collapsed menu lists every group as a section and the last
entry is reachable, with no horizontal scroll."""

import pytest

from .conftest import DESKTOP, MOBILE, login, save_screenshot

pytestmark = pytest.mark.browser

# demo username -> role code, a group with several entries to open in the screenshot (or None)
ROLES = {
    "shiju": ("city_staff", "抽检"),
    "zhenjie": ("township_staff", "抽检"),
    "jiancha": ("inspector", None),
}

TOP_ROW_JS = """
() => Array.from(document.querySelectorAll('.app-nav > li')).map(li => {
  const r = li.getBoundingClientRect(); return {top: Math.round(r.top), right: Math.round(r.right), h: r.height};
})
"""


def expect(locator):
    from playwright.sync_api import expect  # imported here: without playwright the tests skip (conftest)

    return expect(locator)


def _group(page, label):
    return page.locator(f".app-nav > li[data-nav-group='{label}']")


@pytest.mark.parametrize("username", list(ROLES))
def test_menu_in_groups_at_desk_and_on_a_phone(demo_accounts, new_page, username):
    role_code, open_group = ROLES[username]
    probe = new_page(DESKTOP)
    login(probe, username)
    page = probe.page
    row = page.evaluate(TOP_ROW_JS)
    assert row, "no menu"
    assert len({item["top"] for item in row}) == 1, f"{role_code}: the menu wraps: {row}"
    nav_height = page.locator(".app-subnav").bounding_box()["height"]
    assert nav_height <= max(item["h"] for item in row) + 2, f"{role_code}: menu {nav_height}px high"
    assert max(item["right"] for item in row) <= DESKTOP["width"]
    if open_group:
        group = _group(page, open_group)
        group.locator("summary").click()
        menu = group.locator(".app-nav-menu")
        menu.wait_for(state="visible")
        expect(group.locator("summary")).to_have_attribute("aria-expanded", "true")  # the toggle event is async
        box = menu.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= DESKTOP["width"]
    assert probe.scroll_width() <= DESKTOP["width"]
    save_screenshot(probe, f"nav-{role_code}-1366.png")

    page.set_viewport_size(MOBILE)
    page.reload()
    assert not page.locator("#mainNav").is_visible()
    page.click(".navbar-toggler")
    page.locator("#mainNav.collapse.show").wait_for(state="visible")  # Bootstrap's opening transition is over
    links = page.locator("#mainNav .app-nav a.nav-link")
    assert links.count() >= 1
    for index in range(links.count()):  # every entry of every group is shown, none folded away
        assert links.nth(index).is_visible(), links.nth(index).inner_text()
    assert probe.scroll_width() <= MOBILE["width"], f"horizontal scroll at 390 px: {probe.scroll_width()}"
    save_screenshot(probe, f"nav-{role_code}-390.png")
    last = links.last
    last.scroll_into_view_if_needed()
    assert last.is_visible()
    href = last.get_attribute("href")
    with page.expect_navigation():
        last.click()
    assert page.url == probe.url(href)
    probe.assert_clean()


def test_groups_open_one_at_a_time_by_keyboard_and_close_outside(demo_accounts, new_page):
    probe = new_page(DESKTOP)
    login(probe, "shiju")
    page = probe.page
    sampling, system = _group(page, "抽检"), _group(page, "系统")
    summary = sampling.locator("summary")
    expect(summary).to_have_attribute("aria-expanded", "false")
    summary.focus()
    page.keyboard.press("Enter")
    sampling.locator(".app-nav-menu").wait_for(state="visible")
    expect(summary).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")  # into the open group: its first entry
    assert page.evaluate("document.activeElement.closest('.app-nav-menu') !== null")
    page.keyboard.press("Escape")
    assert not sampling.locator(".app-nav-menu").is_visible()
    expect(summary).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"  # focus back on the group's title

    summary.click()
    system.locator("summary").click()  # opening another closes the first
    expect(system.locator(".app-nav-menu")).to_be_visible()
    expect(sampling.locator(".app-nav-menu")).to_be_hidden()
    page.locator("h1").first.click()  # a click outside closes it
    expect(system.locator(".app-nav-menu")).to_be_hidden()

    system.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(system.locator(".app-nav-menu")).to_be_visible()
    for _ in range(system.locator(".app-nav-menu a").count()):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.app-nav-menu') !== null")
    page.keyboard.press("Tab")  # past its last entry: the group closes
    expect(system.locator(".app-nav-menu")).to_be_hidden()

    summary.click()
    with page.expect_navigation():
        sampling.get_by_role("link", name="样品与抽样单").click()
    current = _group(page, "抽检")
    assert "active" in current.locator("summary").get_attribute("class")
    assert current.locator("a[aria-current='page']").text_content().strip() == "样品与抽样单"
    assert not current.locator(".app-nav-menu").is_visible()  # closed again on the new page
    probe.assert_clean()
