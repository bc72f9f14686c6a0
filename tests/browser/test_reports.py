"""Monthly and annual reports in a real browser (docs/reports.md): a city leader on a phone (390 px) asks for a
month's report (a bad month first: the Chinese error, 400), follows the job to the list and downloads the Excel;
township staff see only their township's report. No horizontal scrolling, no console errors (CSP).
Screenshots (SAVE_SCREENSHOTS=1): docs/screenshots/reports-*.png."""

import datetime as dt
from decimal import Decimal

import pytest

from .conftest import DESKTOP, MOBILE, login, save_screenshot

pytestmark = pytest.mark.browser


def _fits(probe, width):
    assert probe.scroll_width() <= width, f"horizontal scrolling: {probe.scroll_width()} > {width}"


def _console_urls(probe) -> list[str]:
    """The URLs of the resources the console reports as failed (the probe keeps the text only)."""
    urls: list[str] = []
    probe.page.on("console", lambda m: m.type == "error" and urls.append(m.location.get("url", "")))
    return urls


@pytest.fixture
def one_measure(monkeypatch):
    from apps.assessment.campaigns.selectors import KpiTarget
    from apps.common import measures as measures_module
    from apps.common.measures import RATE, Measure, MeasureValue, register_measure
    from apps.dashboard import reports

    monkeypatch.setattr(measures_module, "_MEASURES", {})
    target = KpiTarget("sampling.food_batches_per_1000", "食品抽检（批次/千人·年）", Decimal("4.5"), "township")
    monkeypatch.setattr(reports, "kpi_targets", lambda *, year: {target.measure_code: target})
    monkeypatch.setattr(reports, "report_pdf", lambda data, township=None: b"%PDF-placeholder")

    def compute(actor, *, year, township_ids, as_of):
        out = {tid: MeasureValue(3, 1000) for tid in township_ids}
        out[None] = MeasureValue(3 * len(township_ids), 1000 * len(township_ids))
        return out

    register_measure(
        Measure(
            code="sampling.food_batches_per_1000",
            label="食品抽检批次/千人",
            unit="批次/千人",
            kind=RATE,
            per=1000,
            compute=compute,
        )
    )


@pytest.mark.parametrize("viewport,suffix", [(DESKTOP, "1366"), (MOBILE, "390")])
def test_a_leader_generates_a_monthly_report(new_page, demo_accounts, one_measure, viewport, suffix):
    last = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    probe = new_page(viewport)
    page = probe.page
    errors = _console_urls(probe)
    login(probe, "lingdao")
    page.goto(probe.url("/dashboard/reports/"))
    _fits(probe, viewport["width"])
    page.select_option("#id_kind", "monthly")
    page.fill("#id_year", str(last.year))
    page.fill("#id_month", "13")
    with page.expect_navigation():
        page.click("#report-form button[type=submit]")
    assert "月份应在 1–12 之间" in page.content()
    _fits(probe, viewport["width"])
    assert [u for u in errors if not u.endswith("/favicon.ico")] == [probe.url("/dashboard/reports/generate/")]
    probe.console_errors.clear()  # the refused form is a 400 by design (and the site has no favicon.ico)
    errors.clear()
    page.fill("#id_month", str(last.month))
    with page.expect_navigation():
        page.click("#report-form button[type=submit]")
    assert "/jobs/" in page.url and "已完成" in page.content()
    with page.expect_navigation():
        page.click("text=查看报告")
    rows = page.locator("#report-table tbody tr")
    assert rows.count() == 13  # the city and the 12 townships
    first = rows.first.inner_text()
    assert "全市" in first and "13 项" in first and "周海宁" in first  # 3 per 1,000 < 4.5: the city and every township
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"reports-list-{suffix}.png")
    with page.expect_download() as download:
        rows.first.locator("text=Excel").click()
    assert download.value.suggested_filename.endswith("_全市.xlsx")
    probe.assert_clean()

    township = new_page(viewport)
    login(township, "zhenjie")
    township.console_errors.clear()  # the favicon.ico of the login page (no favicon yet)
    township.page.goto(township.url("/dashboard/reports/"))
    rows = township.page.locator("#report-table tbody tr")
    assert rows.count() == 1 and "硖石" in rows.first.inner_text()
    assert township.page.locator("#report-form").count() == 0
    _fits(township, viewport["width"])
    township.assert_clean()
