"""The second factor in a real browser: an admin's first login binds an authenticator at 390 px (AUTH-06)."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import DEMO_PASSWORD, MOBILE, login, save_screenshot
from tests.helpers.otp import current_code


def test_first_login_binds_an_authenticator_on_a_phone(demo_accounts, new_page):
    TOTPDevice.objects.filter(user__username="anquan").delete()  # as after the security admin's reset
    probe = new_page(MOBILE)
    page = probe.page
    page.goto(probe.url("/accounts/login/"))
    page.fill("#id_username", "anquan")
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/accounts/login/enrol/" in page.url
    assert page.locator(".otp-qr svg").is_visible()
    box = page.locator(".otp-qr svg").bounding_box()
    assert box["width"] >= 150  # scannable
    assert probe.scroll_width() <= MOBILE["width"]
    save_screenshot(probe, "login-enrol-mobile.png")
    device = TOTPDevice.objects.get(user__username="anquan", confirmed=False)
    page.fill("#id_code", current_code(device))
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator(".recovery-codes li").count() == 10
    assert probe.scroll_width() <= MOBILE["width"]
    with page.expect_navigation():
        page.click("text=我已保存，继续")
    assert page.url == probe.url("/")
    probe.assert_clean()


def test_city_staff_type_the_code_after_the_password(demo_accounts, new_page):
    probe = new_page(MOBILE)
    page = probe.page
    page.goto(probe.url("/accounts/login/"))
    page.fill("#id_username", "shiju")
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/accounts/login/verify/" in page.url
    page.goto(probe.url("/"))
    assert "/accounts/login/" in page.url  # the password alone signs nobody in
    login(probe, "shiju")  # again, now with the demo device's current code in step two
    assert page.url == probe.url("/")
    assert probe.scroll_width() <= MOBILE["width"]
    probe.assert_clean()
