"""City staff run a draw on a 390 px phone: create the plan, commit, draw, open the public record (marker browser).

No page may scroll sideways at 390 px (wide tables scroll inside their card), no console errors, no off-host
requests. SAVE_SCREENSHOTS=1 writes docs/screenshots/draw-*.png.
"""

import importlib

import pytest

from tests.browser.conftest import MOBILE, login, save_screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def pool(demo_accounts):
    from django.apps import apps as registry

    from apps.accounts.models import Township
    from apps.enterprises.models import BusinessType
    from apps.standards.models import CheckItem
    from tests.inspections.factories import make_enterprise, make_inspector

    if not BusinessType.objects.exists():  # a transactional test before may have flushed migration data
        importlib.import_module("apps.enterprises.migrations.0002_reference_business_types").load(registry, None)
    if not CheckItem.objects.exists():
        importlib.import_module("apps.standards.migrations.0002_starter_check_items").load(registry, None)
    a, b = Township.objects.get(code="xiashi"), Township.objects.get(code="xucun")
    for i in range(40):
        make_enterprise(a if i % 2 else b, name=f"海宁市测试餐饮店{i:02d}号（硖石街道文苑路分店）")
    for i in range(6):
        make_inspector(township=a if i % 2 else b, name=f"执法员{i}")


def test_city_staff_draw_on_a_phone_and_public_record_verifies(new_page, pool):
    probe = new_page(MOBILE)
    page = probe.page
    login(probe, "shiju")

    page.goto(probe.url("/inspections/plans/"))
    assert probe.scroll_width() <= 390
    page.goto(probe.url("/inspections/plans/new/"))
    assert probe.scroll_width() <= 390
    save_screenshot(probe, "draw-plan-form-390.png")
    page.fill("#id_name", "2026年第一批餐饮双随机抽查")
    page.fill("#id_year", "2026")
    page.fill("#id_round_label", "第一批")
    page.fill("#id_strata-0-percent", "10")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('保存草稿')")
    assert "/inspections/plans/" in page.url and "承诺公示" in page.content()
    assert probe.scroll_width() <= 390

    with page.expect_navigation():
        page.click("button:has-text('承诺公示')")
    assert "已承诺公示" in page.content()
    assert probe.scroll_width() <= 390
    save_screenshot(probe, "draw-plan-committed-390.png")

    with page.expect_navigation():
        page.click("button:has-text('执行抽取')")
    assert "抽取完成" in page.content()
    assert probe.scroll_width() <= 390

    with page.expect_navigation():
        page.click("a:has-text('公开校验页面')")
    assert "VERIFIED · 校验通过" in page.locator("#verification-status").inner_text()
    assert probe.scroll_width() <= 390
    save_screenshot(probe, "draw-public-390.png")
    probe.assert_clean()
