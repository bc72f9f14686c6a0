"""Excel import in a real browser: township staff downloads the template, fills 3 rows, uploads, reads the dry
run, confirms, follows the job to the end and finds the rows in the enterprise list."""

import io

import openpyxl
import pytest

from tests.fixtures_xlsx.builders import valid_rows

from .conftest import DESKTOP, MOBILE, login, save_screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def business_types(demo_accounts):
    """Business types and food categories come from a data migration; a transactional test before this one
    flushed them, so load them again the way the migration does."""
    import importlib

    from django.apps import apps

    from apps.enterprises.models import BusinessType

    if not BusinessType.objects.exists():
        importlib.import_module("apps.enterprises.migrations.0002_reference_business_types").load(apps, None)


def test_township_staff_imports_a_small_workbook(demo_accounts, new_page, tmp_path):
    from apps.common.models import AuditEvent
    from apps.enterprises.models import Enterprise

    probe = new_page(DESKTOP)
    page = probe.page
    login(probe, "zhenjie")  # 镇街食安办人员, 硖石街道

    page.goto(probe.url("/enterprises/"))
    page.get_by_role("link", name="导入 Excel").click()
    page.wait_for_url("**/enterprises/import/")

    # the template: Chinese headers, the user's own township in the drop-down list
    with page.expect_download() as download_info:
        page.click("[data-testid=download-template]")
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)
    wb = openpyxl.load_workbook(template)
    ws = wb["检查对象"]
    columns = {c.value.rstrip("*"): c.column for c in ws[1]}
    assert [c for c in wb["选项"]["A"][1:] if c.value][0].value == "硖石街道"

    rows = valid_rows(3, townships=["硖石街道"], seed=42, start=900)
    for r, row in enumerate(rows, start=2):
        for header, value in row.items():
            ws.cell(r, columns[header], value)
    filled = tmp_path / "本镇街名录.xlsx"
    buf = io.BytesIO()
    wb.save(buf)
    filled.write_bytes(buf.getvalue())

    # upload → dry run
    page.set_input_files("#import-file", str(filled))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并预检").click()
    page.wait_for_selector("[data-testid=dry-run-ok]")
    assert page.locator("[data-testid=count-created]").inner_text().strip() == "3 条"
    assert Enterprise.objects.count() == 0
    save_screenshot(probe, "import-dry-run-desktop.png")

    # confirm → the job page follows the job to the end
    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/jobs/*/")
    page.wait_for_selector("#job-progress[data-status=done]", timeout=30_000)
    assert "新增 3 条" in page.locator("#job-progress").inner_text()
    save_screenshot(probe, "import-job-done-desktop.png")

    # 查看结果 opens exactly the imported rows
    with page.expect_navigation():
        page.get_by_role("link", name="查看导入的 3 条检查对象").click()
    assert "import_record=" in page.url
    listed = page.locator("main").inner_text()
    assert all(row["名称"] in listed for row in rows) and "共 3 条" in listed, listed[:500]

    # the rows are in the (scoped) enterprise list
    for row in rows:
        page.goto(probe.url("/enterprises/?q=" + row["统一社会信用代码"]))
        assert row["名称"] in page.locator("main").inner_text()
    assert Enterprise.objects.filter(uscc__in=[r["统一社会信用代码"] for r in rows]).count() == 3
    assert AuditEvent.objects.filter(action="enterprise.import").count() == 1
    probe.assert_clean()


def test_dry_run_errors_are_shown_and_nothing_is_written(demo_accounts, new_page, tmp_path):
    from apps.enterprises.models import Enterprise
    from tests.fixtures_xlsx.builders import workbook

    rows = valid_rows(3, townships=["硖石街道"], seed=43, start=950)
    rows[1]["所属镇街"] = "许村镇"  # outside 硖石街道's scope
    path = tmp_path / "越权.xlsx"
    path.write_bytes(workbook(rows))

    probe = new_page(DESKTOP)
    page = probe.page
    login(probe, "zhenjie")
    page.goto(probe.url("/enterprises/import/"))
    page.set_input_files("#import-file", str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并预检").click()
    page.wait_for_selector("[data-testid=dry-run-errors]")
    table = page.locator("table").first.inner_text()
    assert "第 3 行" in table and "不在您的管辖范围内" in table
    assert page.get_by_role("button", name="确认导入").count() == 0
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载完整错误清单（.xlsx）").click()
    saved = tmp_path / "errors.xlsx"
    download_info.value.save_as(saved)
    errors = openpyxl.load_workbook(saved).active
    assert [r[0].value for r in errors.iter_rows(min_row=2)] == ["3"], list(errors.values)
    assert Enterprise.objects.count() == 0
    probe.assert_clean()


def test_dry_run_preview_and_report_show_each_row_at_both_widths(demo_accounts, new_page, tmp_path):
    """A second file changes one row and adds one: the preview says which, with the changed fields; after the
    commit the report links each row to its enterprise, and the enterprise's 变更记录 shows the import."""
    from apps.accounts.models import User
    from apps.enterprises import imports
    from apps.enterprises.models import Enterprise
    from tests.fixtures_xlsx.builders import workbook

    rows = valid_rows(3, townships=["硖石街道"], seed=44, start=970)
    imports.enterprise_import_commit(actor=User.objects.get(username="zhenjie"), data=workbook(rows), filename="a.xlsx")
    before = rows[0]["联系人"]
    rows[0]["联系人"], rows[0]["经营地址"] = "新的联系人", "海宁市硖石街道西山路 100 号"
    rows.append(valid_rows(1, townships=["硖石街道"], seed=45, start=990)[0])
    path = tmp_path / "更新名录.xlsx"
    path.write_bytes(workbook(rows))

    for viewport, suffix in ((DESKTOP, "1366"), (MOBILE, "390")):
        probe = new_page(viewport)
        page = probe.page
        login(probe, "zhenjie")
        page.goto(probe.url("/enterprises/import/"))
        page.set_input_files("#import-file", str(path))
        with page.expect_navigation():
            page.get_by_role("button", name="上传并预检").click()
        preview = page.locator("[data-testid=import-preview]")
        preview.wait_for()
        text = preview.inner_text()
        assert "更新 2 项" in text and "新的联系人" in text and before in text, text
        assert "新增 1" in text and "无变化 2" in text
        assert probe.scroll_width() <= viewport["width"], "the page scrolls sideways"
        save_screenshot(probe, f"import-dry-run-preview-{suffix}.png")
        if suffix == "1366":
            page.click("[data-testid=outcome-changed]")
            page.wait_for_url("**outcome=changed**")
            assert page.locator("[data-testid=import-preview] tbody tr").count() == 1
            page.go_back()
        probe.assert_clean()

    # confirm (the phone), follow the job, open the report again: rows link to their enterprises
    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()
    page.wait_for_selector("#job-progress[data-status=done]", timeout=30_000)
    changed = Enterprise.objects.get(uscc=rows[0]["统一社会信用代码"])
    page.go_back()
    page.reload()
    page.wait_for_selector("text=该文件已导入")
    assert page.locator(f"a[href='/enterprises/{changed.pk}/']").count() >= 1
    assert probe.scroll_width() <= MOBILE["width"]
    save_screenshot(probe, "import-report-committed-390.png")
    desktop = new_page(DESKTOP)
    login(desktop, "zhenjie")
    desktop.page.goto(page.url)
    desktop.page.wait_for_selector("text=该文件已导入")
    save_screenshot(desktop, "import-report-committed-1366.png")

    # the enterprise's 变更记录 shows the import with the fields it changed
    desktop.page.goto(desktop.url(f"/enterprises/{changed.pk}/"))
    history = desktop.page.locator("text=Excel 导入更新").first
    history.wait_for()
    assert "新的联系人" in desktop.page.locator("main").inner_text()
    save_screenshot(desktop, "import-history-1366.png")
    desktop.assert_clean()
    probe.assert_clean()
