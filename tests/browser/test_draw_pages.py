"""City staff run a draw: create the plan, preview and confirm the commitment, preview and confirm the draw, open
the result and the public record (marker browser). At 390 px and at 1366 px.

No page may scroll sideways at 390 px, no console errors, no off-host requests, and no control of the plan form
is smaller than 24 × 24 px. SAVE_SCREENSHOTS=1 writes docs/screenshots/draws-*.png.
"""

import importlib

import pytest

from tests.browser.conftest import DESKTOP, MOBILE, login, save_screenshot

pytestmark = pytest.mark.browser

# every visible control of the plan form (text links inside sentences are exempt in WCAG 2.5.8; the form has none)
SMALL_CONTROLS_JS = """
() => Array.from(document.querySelectorAll(
    'form.plan-form input:not([type=hidden]), form.plan-form select, form.plan-form textarea, '
    + 'form.plan-form button, form.plan-form a, form.plan-form summary'))
  .filter(el => el.offsetParent !== null || el.tagName === 'SUMMARY')
  .map(el => { const r = el.getBoundingClientRect(); return {name: el.name || el.textContent.trim().slice(0, 20),
                                                          w: r.width, h: r.height}; })
  .filter(r => r.w > 0 && (r.w < 24 || r.h < 24))
"""


@pytest.fixture
def pool(demo_accounts):
    from django.apps import apps as registry

    from apps.accounts.models import Township
    from apps.enterprises.choices import EnterpriseStatus
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
    for i in range(3):
        make_enterprise(a, name=f"海宁市已注销小吃店{i}号", status=EnterpriseStatus.CANCELLED)
    for i in range(6):
        make_inspector(township=a if i % 2 else b, name=f"执法员{i}")


@pytest.mark.parametrize(("viewport", "suffix"), [(MOBILE, "390"), (DESKTOP, "1366")])
def test_city_staff_draw_with_previews_and_public_record_verifies(new_page, pool, viewport, suffix):
    probe = new_page(viewport)
    page = probe.page
    login(probe, "shiju")

    page.goto(probe.url("/inspections/plans/"))
    assert probe.scroll_width() <= viewport["width"]
    page.goto(probe.url("/inspections/plans/new/"))
    assert probe.scroll_width() <= viewport["width"]
    page.click("summary:has-text('按镇街、业态细分')")  # the hidden checkboxes are controls too
    small = page.evaluate(SMALL_CONTROLS_JS)
    assert small == [], f"{len(small)} controls smaller than 24 px: {small[:10]}"
    save_screenshot(probe, f"draws-plan-form-{suffix}.png")
    page.fill("#id_name", "2026年第一批餐饮双随机抽查")
    page.fill("#id_year", "2026")
    page.fill("#id_round_label", "第一批")
    page.fill("#id_strata-0-percent", "10")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('保存草稿')")
    assert "/inspections/plans/" in page.url and "承诺公示" in page.content()
    assert probe.scroll_width() <= viewport["width"]
    save_screenshot(probe, f"draws-plan-{suffix}.png")

    with page.expect_navigation():
        page.click("a:has-text('承诺公示')")
    content = page.content()
    assert "承诺公示前核对" in content and "停业、注销的对象" in content and "40 户" in content
    page.click("summary:has-text('停业、注销的对象')")
    assert page.locator("text=海宁市已注销小吃店0号").is_visible()
    assert probe.scroll_width() <= viewport["width"]
    save_screenshot(probe, f"draws-commit-confirm-{suffix}.png")
    with page.expect_navigation():
        page.click("button:has-text('确认承诺公示')")
    assert "已承诺公示" in page.content()
    assert probe.scroll_width() <= viewport["width"]
    save_screenshot(probe, f"draws-plan-committed-{suffix}.png")

    # hrs-v2: the witnesses' values — form, normalised preview with the confirm box, then the draw
    with page.expect_navigation():
        page.click("a:has-text('录入公开随机数')")
    assert "承诺时公布的来源" in page.content()
    assert probe.scroll_width() <= viewport["width"], probe.too_wide()
    page.fill("#id_values", "４７１１\n0815")
    page.fill("#id_witnesses", "市民代表 王某\n企业代表 李某")
    with page.expect_navigation():
        page.click("button:has-text('下一步：核对')")
    assert "<code>4711</code>" in page.content() and "市民代表 王某" in page.content()
    assert probe.scroll_width() <= viewport["width"], probe.too_wide()
    save_screenshot(probe, f"draws-public-value-confirm-{suffix}.png")
    with page.expect_navigation():
        page.click("button:has-text('确认录入')")
    assert "公开随机数已录入" in page.content()
    with page.expect_navigation():
        page.click("a:has-text('执行抽取')")
    assert "执行抽取前核对" in page.content()
    assert probe.scroll_width() <= viewport["width"]
    save_screenshot(probe, f"draws-draw-confirm-{suffix}.png")
    with page.expect_navigation():
        page.click("button:has-text('确认执行抽取')")
    assert "抽取完成" in page.content()
    assert probe.scroll_width() <= viewport["width"]
    first_row = page.locator("table.table-stack tbody tr").first
    if viewport is MOBILE:  # rows are labelled cards: the header row is visually hidden, every cell shows
        assert first_row.evaluate("tr => getComputedStyle(tr).display") == "block"
        assert first_row.locator("td[data-label='任务'] a").is_visible()
    save_screenshot(probe, f"draws-draw-detail-{suffix}.png")
    with page.expect_navigation():
        first_row.locator("td[data-label='任务'] a").click()
    assert "/inspections/tasks/" in page.url
    page.go_back()

    with page.expect_navigation():
        page.click("a:has-text('公开校验页面')")
    assert "VERIFIED · 校验通过" in page.locator("#verification-status").inner_text()
    assert "市民代表 王某" in page.locator("#public-value").inner_text()
    assert page.locator("#signing-key").is_visible() and page.locator("#public-exclusions").is_visible()
    assert probe.scroll_width() <= viewport["width"], probe.too_wide()
    save_screenshot(probe, f"draws-public-{suffix}.png")
    probe.assert_clean()
