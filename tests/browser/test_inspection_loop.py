"""The whole 双随机、一公开 loop in a real browser (Playwright + Debian Chromium, marker ``browser``):

city staff commit and run a draw on the plan page → the drawn inspector, on a 390 px phone, opens the task, judges
every check item, uploads a photo, signs on both canvases with the mouse and finalises → the objection window passes
(the beat task's service runs) → the public results page shows the result with VERIFIED, and the public draw page
re-computes the draw and says VERIFIED.

SAVE_SCREENSHOTS=1 writes docs/screenshots/inspection-*.png.
"""

import datetime as dt
import importlib
import io
import os

import pytest

from .conftest import DESKTOP, MOBILE, SCREENSHOT_DIR, login, save_screenshot

pytestmark = pytest.mark.browser


def _png(width=120, height=80) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), (235, 240, 245))
    ImageDraw.Draw(img).rectangle((10, 10, width - 10, height - 10), outline=(20, 60, 160), width=4)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def loop_data(demo_accounts):
    from django.apps import apps as registry

    from apps.accounts.models import Township, User
    from apps.enterprises.identifiers import make_uscc
    from apps.enterprises.models import BusinessType, Enterprise
    from apps.inspections.draws.services import plan_create
    from apps.inspections.models import Inspector, KeyInspectionRule
    from apps.standards.models import CheckItem

    # A transactional test before this one may have flushed the rows the data migrations load.
    if not BusinessType.objects.exists():
        importlib.import_module("apps.enterprises.migrations.0002_reference_business_types").load(registry, None)
    if not CheckItem.objects.exists():
        importlib.import_module("apps.standards.migrations.0002_starter_check_items").load(registry, None)
    if not KeyInspectionRule.objects.exists():
        importlib.import_module("apps.inspections.migrations.0005_key_rules_and_final_guard").load_rules(registry, None)
    xiashi = Township.objects.get(code="xiashi")
    city = User.objects.get(username="shiju")
    valid = dt.date.today() + dt.timedelta(days=365)
    Inspector.objects.create(
        user=User.objects.get(username="jiancha"),
        name="李建国",
        badge_no="HN33001",
        certificate_no="浙执330481001",
        certificate_valid_until=valid,
        township=xiashi,
    )
    Inspector.objects.create(
        name="张协查",
        badge_no="HN33002",
        certificate_no="浙执330481002",
        certificate_valid_until=valid,
        township=xiashi,
    )
    catering = BusinessType.objects.get(code="catering")
    enterprise = Enterprise.objects.create(
        name="海宁市硖石美味餐饮店",
        uscc=make_uscc("91330481", "77712345"),
        township=xiashi,
        business_type=catering,
        business_address="硖石街道西山路 18 号",
        legal_representative="王美味",
    )
    plan = plan_create(
        actor=city,
        strata=[{"key": "catering", "label": "餐饮服务", "count": 1}],
        name="2026年硖石餐饮双随机抽查",
        year=dt.date.today().year,
        round_label="第一批",
        townships=[xiashi.pk],
        business_types=[catering.pk],
    )
    return {"plan": plan, "enterprise": enterprise}


def _sign(page, canvas):
    box = canvas.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.15, y + h * 0.6)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(x + w * (0.15 + 0.06 * i), y + h * (0.6 - 0.25 * ((i % 3) - 1)), steps=2)
    page.mouse.up()


def test_draw_inspect_publish_verify(loop_data, new_page):
    from apps.inspections.fieldwork.services.publications import publications_publish_due
    from apps.inspections.models import Draw, InspectionResult, Publication

    plan, enterprise = loop_data["plan"], loop_data["enterprise"]

    # 1. City staff commit the plan (seed commitment + frozen pool) and run the draw on its page.
    staff = new_page(DESKTOP)
    login(staff, "shiju")
    page = staff.page
    page.goto(staff.url(f"/inspections/plans/{plan.pk}/"))
    with page.expect_navigation():  # each irreversible step opens its preview, then is confirmed
        page.get_by_role("link", name="承诺公示（冻结对象库）").click()
    with page.expect_navigation():
        page.get_by_role("button", name="确认承诺公示").click()
    # hrs-v2: the witnesses of the public session enter their values (preview, then confirm), then the draw
    with page.expect_navigation():
        page.get_by_role("link", name="录入公开随机数").click()
    page.locator("#id_values").fill("4711\n0815")
    page.locator("#id_witnesses").fill("见证人甲\n见证人乙")
    with page.expect_navigation():
        page.get_by_role("button", name="下一步：核对").click()
    with page.expect_navigation():
        page.get_by_role("button", name="确认录入").click()
    with page.expect_navigation():
        page.get_by_role("link", name="执行抽取").click()
    with page.expect_navigation():
        page.get_by_role("button", name="确认执行抽取").click()
    assert "抽取完成" in page.locator(".app-messages").inner_text()
    draw = Draw.objects.get(plan=plan)
    staff.assert_clean()

    # 2. The inspector on a 390 px phone: my tasks → the task → start.
    phone = new_page(MOBILE)
    phone.page.on("dialog", lambda dialog: dialog.accept())
    login(phone, "jiancha")
    page = phone.page
    page.goto(phone.url("/inspections/tasks/mine/"))
    card = page.locator("#task-cards a.task-card").filter(has_text=enterprise.name)
    assert card.count() == 1
    save_screenshot(phone, "inspection-my-tasks-mobile.png")
    with page.expect_navigation():
        card.click()
    with page.expect_navigation():
        page.locator("#start-inspection").click()
    assert phone.scroll_width() <= MOBILE["width"]

    # 3. Judge every item (big buttons), add a photo, choose the outcome, sign twice, finalise.
    buttons = page.locator("label.verdict-btn-conform")
    count = buttons.count()
    assert count >= 10
    for i in range(count):
        buttons.nth(i).click()
    assert page.locator("input.btn-check[value=conform]:checked").count() == count
    tap = page.locator("label.verdict-btn-conform").first.bounding_box()
    assert tap["height"] >= 44 and tap["width"] >= 100  # a thumb-sized target at 390 px
    page.locator("#summary").fill("后厨整洁，留样记录完整。")
    page.set_input_files("#photos-input", files=[{"name": "kitchen.png", "mimeType": "image/png", "buffer": _png()}])
    page.locator("#photo_caption").fill("后厨操作间全景")
    # 保存草稿: the page comes back with the confirmation next to the button, inside the phone's viewport
    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()
    status = page.locator("#save-status")
    assert "已保存草稿" in status.inner_text()
    box = status.bounding_box()
    assert box and 0 <= box["y"] and box["y"] + box["height"] <= MOBILE["height"], box
    assert "后厨操作间全景" in page.locator(".photo-grid").inner_text()  # photos by caption, not by hash
    if os.environ.get("SAVE_SCREENSHOTS") == "1":  # the viewport only: a full-page shot resizes the signature pads
        page.screenshot(path=str(SCREENSHOT_DIR / "fieldwork-save-draft-loop-mobile.png"))
    page.locator("label[for=outcome-pass]").click()
    assert not page.locator("[data-outcome-section=rectify]").is_visible()
    page.locator("label[for=outcome-rectify]").click()
    assert page.locator("[data-outcome-section=rectify]").is_visible()  # the rectification fields appear
    page.locator("label[for=outcome-pass]").click()
    for canvas in page.locator("canvas.signature-pad").all():
        canvas.scroll_into_view_if_needed()
        _sign(page, canvas)
    assert page.locator("#inspector_signature_data").input_value().startswith("data:image/png;base64,")
    assert page.locator("#operator_signature_data").input_value().startswith("data:image/png;base64,")
    page.locator("#operator_signer_name").fill("王美味（负责人）")
    assert phone.scroll_width() <= MOBILE["width"], "horizontal scroll on the phone form"
    save_screenshot(phone, "inspection-form-mobile.png")
    with page.expect_navigation():
        page.locator("#finalise-button").click()
    assert "检查记录已定稿并封存" in page.locator(".app-messages").inner_text()
    result = InspectionResult.objects.get(task__enterprise=enterprise)
    assert result.status == "final" and result.photos.count() == 1
    assert result.inspector_signature_sha256 and result.operator_signature_sha256
    assert result.content_hash in page.content()
    assert "距公示期限还剩" in page.locator("[data-testid=publication-clock]").inner_text()
    save_screenshot(phone, "inspection-finalised-mobile.png")
    phone.assert_clean()

    # Staff see the publication clock before publication.
    publication = Publication.objects.get(result=result)
    page = staff.page
    page.goto(staff.url("/inspections/publications/"))
    assert "距公示期限还剩 20 个工作日" in page.content()
    save_screenshot(staff, "inspection-publications-desktop.png")
    page.goto(staff.url(f"/inspections/publications/{publication.pk}/"))
    save_screenshot(staff, "inspection-publication-detail-desktop.png")

    # 4. Time passes: the objection window ends and the beat task publishes.
    after_window = dt.datetime.combine(publication.objection_window_ends + dt.timedelta(days=1), dt.time(9))
    from django.utils import timezone

    assert publications_publish_due(now=timezone.make_aware(after_window)) == [publication.pk]

    # 5. The public (no login): the result is listed and verifies; the draw re-computes to VERIFIED.
    public = new_page(MOBILE)
    page = public.page
    page.goto(public.url("/public/results/"))
    row = page.locator("#public-results a").filter(has_text=enterprise.name)
    assert row.count() == 1
    with page.expect_navigation():
        row.click()
    assert "VERIFIED" in page.locator("#result-verification").inner_text()
    assert (
        page.locator("#stored-hash").inner_text() == page.locator("#computed-hash").inner_text() == result.content_hash
    )
    assert page.locator("#public-outcome").inner_text() == "合格"
    body = page.content()
    assert "李建国" in body and "HN33001" in body and "王美味（负责人）" not in body
    assert public.scroll_width() <= MOBILE["width"]
    save_screenshot(public, "inspection-public-result-mobile.png")
    page.goto(public.url(f"/public/draws/{draw.draw_uid}/"))
    assert "VERIFIED" in page.locator("#verification-status").inner_text()
    assert enterprise.name in page.content()
    public.assert_clean()

    # 6. Staff views at desktop width (screenshots; no console errors).
    page = staff.page
    page.goto(staff.url(f"/inspections/tasks/{result.task_id}/"))
    save_screenshot(staff, "inspection-task-desktop.png")
    page.goto(staff.url("/inspections/tasks/"))
    save_screenshot(staff, "inspection-tasks-desktop.png")
    desktop_public = new_page(DESKTOP)
    desktop_public.page.goto(desktop_public.url(f"/public/results/{result.public_id}/"))
    save_screenshot(desktop_public, "inspection-public-result-desktop.png")
    staff.assert_clean()
    desktop_public.assert_clean()


def test_flying_inspection_autocomplete_and_bulk_publish(new_page, loop_data):
    """City staff type part of a name into the flying-inspection form: suggestions appear (htmx, no inline JS), they
    pick one of several matches, search the inspector list, and create the task. Then 批量公示: choose → preview →
    confirm, at 390 px."""
    from apps.enterprises.models import Enterprise
    from apps.inspections.models import InspectionTask, Publication

    enterprise = loop_data["enterprise"]
    twin = Enterprise.objects.create(
        name="海宁市硖石美味餐饮店（二店）",
        uscc=None,
        township=enterprise.township,
        business_type=enterprise.business_type,
        business_address="硖石街道西山路 20 号",
    )
    staff = new_page(MOBILE)
    login(staff, "shiju")
    page = staff.page
    page.goto(staff.url("/inspections/tasks/flying/new/"))
    page.locator("#id_enterprise").fill("硖石美味")
    suggestions = page.locator("[data-testid=enterprise-suggestions] input[name=enterprise_pick]")
    suggestions.first.wait_for()
    assert suggestions.count() == 2
    page.locator(f"label[for=pick-{twin.pk}]").click()
    page.locator("#id_reason").fill("群众举报后厨卫生问题")
    page.locator("#inspector-filter").fill("HN3300")
    visible = page.locator("#id_inspectors label:visible")
    assert visible.count() == 2
    for i in range(2):
        visible.nth(i).click()
    assert "已选 2 人" in page.locator("#inspector-filter-status").inner_text()
    assert staff.scroll_width() <= MOBILE["width"]
    with page.expect_navigation():
        page.get_by_role("button", name="创建任务").click()
    task = InspectionTask.objects.get(enterprise=twin)
    assert page.url.endswith(f"/inspections/tasks/{task.pk}/")
    staff.assert_clean()

    # 批量公示 of a publication whose objection window is over (made by the services)
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.inspections.fieldwork.selectors import task_check_items
    from apps.inspections.fieldwork.services.results import result_finalise, result_save, result_start

    inspector = User.objects.get(username="jiancha")
    draft = result_start(actor=inspector, task_id=task.pk)
    result_save(
        actor=inspector,
        result_id=draft.pk,
        data={"outcome": "pass", "operator_refused_to_sign": True},
        items={ci.pk: ("conform", "") for ci in task_check_items(task)},
        inspector_signature=_png(),
    )
    publication = Publication.objects.get(result=result_finalise(actor=inspector, result_id=draft.pk))
    Publication.objects.filter(pk=publication.pk).update(
        objection_window_ends=timezone.localdate() - dt.timedelta(days=1)
    )
    page.goto(staff.url("/inspections/publications/"))
    page.locator(f"#pick-{publication.pk}").check()
    with page.expect_navigation():
        page.get_by_role("button", name="预览公示所选").click()
    assert "将公示 1 条" in page.locator("[data-testid=bulk-summary]").inner_text()
    save_screenshot(staff, "fieldwork-bulk-publish-confirm-loop-mobile.png")
    with page.expect_navigation():
        page.locator("#bulk-confirm").click()
    assert "已公示 1 条" in page.locator(".app-messages").inner_text()
    publication.refresh_from_db()
    assert publication.status == "published"
    staff.assert_clean()
