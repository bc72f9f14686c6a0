"""Issue 10, point 12: from a plan to a published unqualified result, through the real pages and the demo roles.

City staff issue a plan line and send a task (抽检分离: a sampling organisation and a different lab); the sampler
fills the 抽样单 on a phone (screenshot at 390 px); the lab receives the sample and enters a lead result above the
GB 2762 limit, which is judged 不合格 and opens a disposal; township staff record the delivery and the enterprise's
written waiver of 复检; city staff publish; a citizen sees the unqualified item on the public portal at 390 px.
Only the plan's first line is made through the services (the plan pages have their own browser tests).
With SAVE_SCREENSHOTS=1 the steps go to docs/screenshots/sampling-e2e-*.png."""

import datetime as dt

import pytest

from .conftest import DESKTOP, MOBILE, login, save_screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def plan_world(demo_accounts):
    from apps.accounts.models import Township, User
    from apps.enterprises.identifiers import make_uscc
    from apps.sampling.models import Organisation
    from apps.sampling.plans import services as plans
    from apps.standards.models import SamplingCategory, TestItem
    from tests.factories.enterprises import EnterpriseFactory, LicenceFactory

    city = User.objects.get(username="shiju")
    xiashi = Township.objects.get(code="xiashi")
    sampler_org = Organisation.objects.create(
        name="海宁市食品安全抽样中心", kind="sampler", uscc=make_uscc("12330481", "E2ECY001")
    )
    lab = Organisation.objects.create(name="海宁市食品检验检测中心", kind="lab", uscc=make_uscc("12330481", "E2EJC002"))
    sampler_org.members.add(User.objects.get(username="chouyang"))
    lab.members.add(User.objects.get(username="jianyan"))
    leafy = SamplingCategory.objects.get(code="010101")  # 叶菜类蔬菜 (starter catalogue)
    today = dt.date.today()
    plan = plans.plan_create(
        actor=city, year=today.year, purpose="supervisory", name=f"{today.year}年端到端测试抽检计划"
    )
    line = plans.line_create(
        actor=city, plan_id=plan.pk, township=xiashi.pk, category=leafy.pk, month=today.month, batches=1
    )
    plans.plan_approve(actor=city, plan_id=plan.pk)
    shop = EnterpriseFactory(township=xiashi, name="海宁市硖石放心菜店", business_address="海宁市硖石街道西山路8号")
    LicenceFactory(enterprise=shop)
    return {
        "line": line,
        "shop": shop,
        "sampler_org": sampler_org,
        "lab": lab,
        "lead": TestItem.objects.get(code="pb-leafy-veg"),
    }


def _confirm(probe):
    with probe.page.expect_navigation():
        probe.page.locator(".confirm-box button[name=confirm_submit]").click()


def _width_ok(probe, viewport):
    assert probe.scroll_width() <= viewport["width"], probe.page.url


def test_plan_to_published_unqualified_result(plan_world, new_page):
    from apps.sampling.models import Sample

    line, shop = plan_world["line"], plan_world["shop"]
    today = dt.date.today()

    # 1. city staff send the task for the plan line
    city = new_page(DESKTOP)
    login(city, "shiju")
    page = city.page
    page.goto(city.url(f"/sampling/tasks/new/?line={line.pk}"))
    page.check(f"input[name=enterprises][value='{shop.pk}']")
    page.select_option("#id_sampling_org", str(plan_world["sampler_org"].pk))
    page.select_option("#id_lab", str(plan_world["lab"].pk))
    with page.expect_navigation():
        page.click("#create-tasks")
    assert "已下达抽样任务" in page.content()
    task_id = int(page.url.rstrip("/").split("/")[-1])

    # 2. the sampler fills the 抽样单 on a phone
    phone = new_page(MOBILE)
    login(phone, "chouyang")
    page = phone.page
    page.goto(phone.url(f"/sampling/tasks/{task_id}/sample/"))
    assert page.input_value("#id_site_name") == shop.name
    page.fill("#id_name", "小青菜")
    page.fill("#id_production_date", (today - dt.timedelta(days=1)).isoformat())
    page.fill("#id_quantity", "2")
    page.fill("#id_backup_quantity", "1")
    page.fill("#id_backup_seal_no", "FY-E2E-001")
    page.fill("#id_sampler_2", "王建军")
    page.check("#id_backup_sealed_by_site")
    _width_ok(phone, MOBILE)
    page.add_style_tag(content=".sample-actions { position: static !important; }")
    save_screenshot(phone, "sampling-e2e-sampler-form-390.png")
    with page.expect_navigation():
        page.click("#save-sample")
    sample = Sample.objects.get(task_id=task_id)
    assert sample.number.startswith("DC") and sample.sampling_org_id != sample.lab_id
    phone.assert_clean()

    # 3. the lab receives the sample and enters a lead result above the limit
    lab = new_page(DESKTOP)
    login(lab, "jianyan")
    page = lab.page
    page.goto(lab.url(f"/sampling/lab/samples/{sample.pk}/receive/"))
    _confirm(lab)
    page.goto(lab.url(f"/sampling/lab/samples/{sample.pk}/results/"))
    lead = plan_world["lead"].pk
    for box in page.locator("input[id^=id_skip_]").all():
        if box.get_attribute("id") != f"id_skip_{lead}":
            box.check()
    page.fill(f"#id_v_{lead}", "0.52")
    page.fill("#id_report_no", "JY-E2E-0001")
    page.click("button:has-text('预览判定结果')")
    assert "不合格" in page.locator("[data-testid=results-preview]").inner_text()
    with page.expect_navigation():
        page.click("button[name=confirm_submit]")
    sample.refresh_from_db()
    assert sample.conclusion == "unqualified"
    save_screenshot(lab, "sampling-e2e-lab-result-1366.png")
    lab.assert_clean()

    # 4. township staff record the delivery and the enterprise's written waiver of 复检
    township = new_page(MOBILE)
    login(township, "zhenjie")
    page = township.page
    disposal = sample.disposal
    page.goto(township.url(f"/sampling/disposals/{disposal.pk}/notify/"))
    page.fill("#id_notified_on", today.isoformat())
    _confirm(township)
    page.goto(township.url(f"/sampling/disposals/{disposal.pk}/proceed/"))
    page.check("input[name=reason][value=waived]")
    page.fill("#id_on", today.isoformat())
    _confirm(township)
    disposal.refresh_from_db()
    assert disposal.status == "verifying"
    _width_ok(township, MOBILE)
    township.assert_clean()

    # 5. city staff publish (preview, then confirm)
    page = city.page
    page.goto(city.url(f"/sampling/publications/{sample.pk}/publish/"))
    _confirm(city)
    sample.refresh_from_db()
    assert sample.published_at is not None
    city.assert_clean()

    # 6. a citizen finds the unqualified result on the portal, on a phone, without signing in
    citizen = new_page(MOBILE)
    citizen.page.goto(citizen.url(f"/public/sampling/results/?q={shop.name}"))
    text = citizen.page.locator("main").inner_text()
    assert "小青菜" in text and "不合格" in text and "铅" in text and "0.52" in text
    assert "王建军" not in text and "JY-E2E-0001" not in text  # no sampler names, no report numbers in public
    _width_ok(citizen, MOBILE)
    save_screenshot(citizen, "sampling-e2e-public-390.png")
    citizen.assert_clean()
