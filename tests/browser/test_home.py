"""Each demo role logs in through the real login form and sees its home page, at desktop width and at 390 px."""

import pytest

from .conftest import DESKTOP, MOBILE, login, save_screenshot

pytestmark = pytest.mark.browser

# demo username (apps.accounts.services.DEMO_ACCOUNTS) -> role code, home page heading
HOMES = {
    "zhenjie": ("township_staff", "硖石街道食安办工作台"),
    "jiancha": ("inspector", "我的任务"),
    "shiju": ("city_staff", "市局业务工作台"),
    "lingdao": ("city_leader", "全市食品安全概览"),
    "chouyang": ("sampler", "我的抽样任务"),
    "jianyan": ("lab_staff", "检验机构工作台"),
    "tousu": ("complaint_officer", "投诉举报工作台"),
    "xitong": ("sys_admin", "系统管理"),
    "anquan": ("security_admin", "安全管理"),
    "shenji": ("audit_admin", "审计管理"),
}

# Everything a thumb taps must be at least 40 px high (buttons, nav links, inputs, pagination, quick links).
TAP_TARGETS_JS = """
() => Array.from(document.querySelectorAll(
    'button, .btn, .nav-link, .navbar-toggler, .form-control, .form-select, .page-link, .quick-link'))
  .filter(el => el.offsetParent !== null)
  .map(el => ({text: (el.innerText || el.value || el.className).trim().slice(0, 30), h: el.getBoundingClientRect().height}))
  .filter(t => t.h < 40)
"""


@pytest.mark.parametrize("username", list(HOMES))
def test_demo_role_sees_its_home_page(demo_accounts, new_page, username):
    role_code, heading = HOMES[username]
    assert demo_accounts[username]["role"]  # created by demo_accounts_create

    desktop = new_page(DESKTOP)
    login(desktop, username)
    assert desktop.page.url == desktop.url("/")
    assert desktop.page.locator("h1").first.inner_text().strip() == heading
    # The header names the user and the role; the DEMO banner is there; logout is a POST form.
    header = desktop.page.locator(".app-user")
    assert demo_accounts[username]["role"] in header.inner_text()
    assert desktop.page.locator(".demo-banner").inner_text().strip().endswith("请勿录入真实信息")
    assert desktop.page.locator("form[action='/accounts/logout/'][method='post']").count() >= 1
    assert desktop.page.evaluate("document.documentElement.lang") == "zh-Hans"
    assert desktop.scroll_width() <= DESKTOP["width"]
    save_screenshot(desktop, f"home-{role_code}-desktop.png")

    # Same session on a 390 px phone screen (one login per role keeps the suite fast).
    mobile = desktop
    mobile.page.set_viewport_size(MOBILE)
    mobile.page.reload()
    assert mobile.page.locator("h1").first.inner_text().strip() == heading
    width = mobile.scroll_width()
    assert width <= MOBILE["width"], f"horizontal scroll at 390 px: scrollWidth={width}"
    save_screenshot(mobile, f"home-{role_code}-mobile.png")
    # The menu is collapsed behind the toggler at 390 px and opens with Bootstrap's (vendored) JS.
    nav = mobile.page.locator("#mainNav")
    assert not nav.is_visible()
    mobile.page.click(".navbar-toggler")
    nav.wait_for(state="visible")
    assert mobile.page.locator("#mainNav .nav-link").first.is_visible()
    assert mobile.scroll_width() <= MOBILE["width"]
    small = mobile.page.evaluate(TAP_TARGETS_JS)
    assert small == [], f"tap targets under 40 px: {small}"
    mobile.assert_clean()


def test_logout_is_a_post_and_ends_the_session(demo_accounts, new_page):
    probe = new_page(DESKTOP)
    login(probe, "zhenjie")
    with probe.page.expect_navigation():
        probe.page.click(".app-user button[type=submit]")
    assert "/accounts/login/" in probe.page.url
    probe.page.goto(probe.url("/"))
    assert "/accounts/login/" in probe.page.url  # back to the login page: the session is gone
    probe.assert_clean()


def test_wrong_password_shows_chinese_error(demo_accounts, new_page):
    probe = new_page(MOBILE)
    login(probe, "zhenjie", "wrong-password")
    assert "用户名或密码错误" in probe.page.locator(".alert-danger").inner_text()
    assert probe.scroll_width() <= MOBILE["width"]
    save_screenshot(probe, "login-error-mobile.png")
    probe.assert_clean()
