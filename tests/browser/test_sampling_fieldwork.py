"""The sampler's 抽样单 on a phone, through the real pages: the demo sampler (chouyang) opens the task from the home
page, sees the prefilled form at 390 px (no horizontal scroll, 40 px+ controls), is told which fields are wrong,
saves, and gets the number and the PDF link. The staff pages (tasks, 下达, cancel, samples, organisations) render at
1366 and 390 px without horizontal scroll. With SAVE_SCREENSHOTS=1 the pages go to docs/screenshots/."""

import datetime as dt

import pytest

from .conftest import DESKTOP, MOBILE, login, save_screenshot

pytestmark = pytest.mark.browser

SMALL_CONTROLS_JS = """
() => Array.from(document.querySelectorAll('.sample-form .form-control, .sample-form .form-select, .sample-form .btn, .form-section > summary'))
  .filter(el => el.offsetParent !== null)
  .map(el => ({name: el.name || el.innerText.trim().slice(0, 20), h: el.getBoundingClientRect().height}))
  .filter(t => t.h < 40)
"""


@pytest.fixture
def field_world(demo_accounts):
    from django.utils import timezone

    from apps.accounts.models import Township, User
    from apps.enterprises.identifiers import make_uscc
    from apps.sampling.fieldwork.services.tasks import task_create
    from apps.sampling.models import Organisation
    from apps.standards.models import SamplingCategory
    from tests.factories.enterprises import EnterpriseFactory, LicenceFactory
    from tests.factories.sampling import PlanLineFactory, SampleFactory, SamplingPlanFactory

    xiashi = Township.objects.get(code="xiashi")
    sampler_org = Organisation.objects.create(
        name="海宁市食品安全抽样中心",
        kind="sampler",
        uscc=make_uscc("12330481", "HNCY0001"),
        address="海宁市文苑南路1号",
    )
    lab = Organisation.objects.create(name="海宁市食品检验检测中心", kind="lab", uscc=make_uscc("12330481", "HNJC0003"))
    sampler_org.members.add(User.objects.get(username="chouyang"))
    lab.members.add(User.objects.get(username="jianyan"))
    category = SamplingCategory.objects.get(code="0101")  # 蔬菜 (亚类 of the starter catalogue)
    today = timezone.localdate()
    plan = SamplingPlanFactory(year=today.year, name=f"{today.year}年食品安全监督抽检计划")
    line = PlanLineFactory(plan=plan, township=xiashi, category=category, month=today.month, batches=6)
    shop = EnterpriseFactory(township=xiashi, name="海宁市硖石美味餐饮店", business_address="海宁市硖石街道西山路18号")
    LicenceFactory(enterprise=shop)
    for _ in range(3):
        EnterpriseFactory(township=xiashi)
    city = User.objects.get(username="shiju")
    task = task_create(
        actor=city, plan_line_id=line.pk, enterprise_id=shop.pk, sampling_org_id=sampler_org.pk, lab_id=lab.pk
    )
    for i in range(3):
        SampleFactory(
            task__plan_line__township=xiashi,
            task__sampling_org=sampler_org,
            task__lab=lab,
            task__status="sampled",
            name=["青菜", "猪肉", "大米"][i],
            sampled_on=today - dt.timedelta(days=i + 1),
            production_date=today - dt.timedelta(days=i + 5),
        )
    return {"task": task, "line": line, "lab": lab, "sampler_org": sampler_org}


def _shot(probe, name):
    """Full-page screenshot; the sticky save bar is drawn where it ends (a full-page capture would paint it in the
    middle of the first screen)."""
    probe.page.add_style_tag(content=".sample-actions { position: static !important; }")
    save_screenshot(probe, name)


def _check_width(probe, width):
    assert probe.scroll_width() <= width, f"horizontal scroll at {width} px: {probe.scroll_width()}"


def test_sampler_fills_the_form_on_a_phone(field_world, new_page):
    task = field_world["task"]
    phone = new_page(MOBILE)
    login(phone, "chouyang")
    assert phone.page.locator("h1").first.inner_text().strip() == "我的抽样任务"
    phone.page.click(f"a[href='/sampling/tasks/{task.pk}/sample/']")
    page = phone.page
    assert page.locator("h1").inner_text().strip() == "填写抽样单"
    assert page.input_value("#id_site_name") == "海宁市硖石美味餐饮店"
    assert page.input_value("#id_sampler_1") == "郑晓明"  # the demo sampler's own name
    _check_width(phone, MOBILE["width"])
    assert page.evaluate(SMALL_CONTROLS_JS) == []
    _shot(phone, "sampling-sampler-form-390.png")

    # first try: one sampler only, the seal not confirmed -> the page says which fields, nothing is saved
    page.fill("#id_name", "青菜")
    page.fill("#id_production_date", (dt.date.today() - dt.timedelta(days=2)).isoformat())
    page.fill("#id_quantity", "2")
    page.fill("#id_backup_quantity", "1")
    page.fill("#id_backup_seal_no", "FY260001")
    with page.expect_navigation():
        page.click("#save-sample")
    summary = page.locator("#error-summary").inner_text()
    assert "抽样人员" in summary and "签字确认" in summary
    _check_width(phone, MOBILE["width"])
    _shot(phone, "sampling-sampler-form-errors-390.png")
    # the deliberate 400 (the page with the messages) is logged by Chromium as a failed load: not an error here
    phone.console_errors[:] = [e for e in phone.console_errors if "status of 400" not in e]

    page.fill("#id_sampler_2", "王建军")
    page.check("#id_backup_sealed_by_site")
    with page.expect_navigation():
        page.click("#save-sample")
    assert page.locator("h1").inner_text().strip() == "青菜"
    number = page.locator(".page-subtitle .sample-number").inner_text().strip()
    assert number.startswith("DC") and len(number) == 19
    assert page.locator("#sample-pdf").count() == 1
    _check_width(phone, MOBILE["width"])
    save_screenshot(phone, "sampling-fieldwork-sample-detail-390.png")
    phone.assert_clean()


def test_the_form_and_the_staff_pages_at_both_widths(field_world, new_page):
    task, line = field_world["task"], field_world["line"]
    desktop = new_page(DESKTOP)
    login(desktop, "chouyang")
    desktop.page.goto(desktop.url(f"/sampling/tasks/{task.pk}/sample/"))
    _check_width(desktop, DESKTOP["width"])
    _shot(desktop, "sampling-sampler-form-1366.png")

    staff = new_page(DESKTOP)
    login(staff, "shiju")
    sample_pk = __import__("apps.sampling.models", fromlist=["Sample"]).Sample.objects.order_by("pk").first().pk
    pages = [
        ("tasks", "/sampling/tasks/"),
        ("task-detail", f"/sampling/tasks/{task.pk}/"),
        ("task-create-lines", "/sampling/tasks/new/"),
        ("task-create", f"/sampling/tasks/new/?line={line.pk}"),
        ("task-cancel", f"/sampling/tasks/{task.pk}/cancel/"),
        ("samples", "/sampling/samples/"),
        ("sample-detail", f"/sampling/samples/{sample_pk}/"),
        ("organisations", "/sampling/organisations/"),
        ("organisation-form", f"/sampling/organisations/{field_world['lab'].pk}/edit/"),
    ]
    for name, path in pages:
        for viewport, suffix in ((DESKTOP, "1366"), (MOBILE, "390")):
            staff.page.set_viewport_size(viewport)
            response = staff.page.goto(staff.url(path))
            assert response.status == 200, (path, response.status)
            _check_width(staff, viewport["width"])
            _shot(staff, f"sampling-fieldwork-{name}-{suffix}.png")
    staff.assert_clean()
    desktop.assert_clean()
