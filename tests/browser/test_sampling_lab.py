"""Lab results and disposal pages in a real browser: the list filters (untouched form = no filter), entering results
on a phone (form → preview → confirm), and the pages at 1366 and 390 px (no horizontal scrolling, no console or CSP
errors). Screenshots with SAVE_SCREENSHOTS=1: docs/screenshots/sampling-lab-*.png."""

import datetime as dt

import pytest

from apps.sampling.choices import EntryChannel
from apps.sampling.lab.services import disposals as ds
from apps.sampling.lab.services.results import results_submit
from tests.sampling.lab.helpers import lead, make_catalogue, make_lab, make_lab_user, make_sample

from .conftest import DESKTOP, MOBILE, save_screenshot
from .test_list_filters import check_list, shown_count, signed_in, submit_filters

pytestmark = pytest.mark.browser


@pytest.fixture
def world(reference, township_a, township_b, city_staff):
    catalogue = make_catalogue()
    lab = make_lab("海宁市食品药品检验所", recheck=False)
    make_lab("浙江省食品药品检验研究院")
    make_lab("嘉兴市食品药品与产品质量检验检测院")
    user = make_lab_user("lab_a", lab)
    waiting = [make_sample(catalogue.sub, township_a, lab=lab, name=n) for n in ("小青菜", "菠菜", "生菜")]
    good = make_sample(catalogue.sub, township_b, lab=lab, name="芹菜")
    results_submit(user, good, [lead("0.05"), {"test_item": "protein", "value_text": "3.2", "unit": "g/100g"}],
                   channel=EntryChannel.API)  # fmt: skip
    bad = make_sample(catalogue.sub, township_a, lab=lab, name="韭菜", site_name="硖石农贸市场 12 号摊位")
    results_submit(user, bad, [lead("0.92"), {"test_item": "tpc", "micro_values": ["10", "20", "30", "40", "50"]}],
                   channel=EntryChannel.PAGE)  # fmt: skip
    today = dt.date.today()
    ds.disposal_notify(actor=city_staff, disposal_id=bad.disposal.pk, notified_on=today)
    ds.disposal_measures(actor=city_staff, disposal_id=bad.disposal.pk, measures=["off_shelf", "seal"], on=today)
    return {"catalogue": catalogue, "lab": lab, "user": user, "waiting": waiting, "good": good, "bad": bad}


def test_lab_lists_filter_like_no_filter_when_untouched(new_page, world, city_staff):
    probe = signed_in(new_page, world["user"])
    check_list(probe, "/sampling/lab/", lambda page: page.select_option("#f-status", "sampled"), 5, 3)
    check_list(probe, "/sampling/lab/results/", lambda page: page.select_option("#f-verdict", "unqualified"), 4, 1)
    city = signed_in(new_page, city_staff)
    check_list(city, "/sampling/disposals/", lambda page: page.select_option("#f-status", "notified"), 1, 1)
    city.page.goto(city.url("/sampling/disposals/"))
    submit_filters(city)
    assert shown_count(city) == 1


def test_entering_results_on_a_phone(new_page, world):
    sample = world["waiting"][0]
    catalogue = world["catalogue"]
    probe = signed_in(new_page, world["user"], MOBILE)
    page = probe.page
    page.goto(probe.url(f"/sampling/lab/samples/{sample.pk}/results/"))
    assert probe.scroll_width() <= MOBILE["width"]
    page.click("button:has-text('预览判定结果')")  # untouched: every item asks to be filled
    assert page.locator(".invalid-feedback").first.is_visible()
    assert "请填写铅的检验结果" in page.content()
    save_screenshot(probe, "sampling-lab-entry-errors-390.png")
    for item in (catalogue.protein, catalogue.moisture, catalogue.clenbuterol, catalogue.tpc):
        page.check(f"#id_skip_{item.pk}")
    page.fill(f"#id_v_{catalogue.pb.pk}", "0.35")
    page.fill("#id_report_no", "JY-2026-0101")
    page.click("button:has-text('预览判定结果')")
    assert page.locator("[data-testid=results-preview]").is_visible()
    assert "超过最大允许限 0.3 mg/kg" in page.content()
    assert probe.scroll_width() <= MOBILE["width"], probe.too_wide()
    save_screenshot(probe, "sampling-lab-entry-preview-390.png")
    with page.expect_navigation():
        page.click("button[name=confirm_submit]")
    assert "检验结果已提交" in page.content() and "GB 2762-2022" in page.content()
    assert probe.scroll_width() <= MOBILE["width"]
    save_screenshot(probe, "sampling-lab-sample-detail-390.png")
    probe.assert_clean()
    sample.refresh_from_db()
    assert sample.conclusion == "unqualified" and sample.report_no == "JY-2026-0101"


PAGES = [
    ("lab", "/sampling/lab/", "sample-list"),
    ("lab", "/sampling/lab/samples/{waiting}/results/", "entry"),
    ("lab", "/sampling/lab/samples/{waiting}/receive/", "receive"),
    ("lab", "/sampling/lab/samples/{bad}/", "sample-detail"),
    ("lab", "/sampling/lab/results/", "result-list"),
    ("lab", "/sampling/lab/import/", "import"),
    ("city", "/sampling/disposals/", "disposal-list"),
    ("city", "/sampling/disposals/{disposal}/", "disposal-detail"),
    ("city", "/sampling/disposals/{disposal}/recheck/", "disposal-recheck"),
]


@pytest.mark.parametrize(("who", "path", "name"), PAGES, ids=[p[2] for p in PAGES])
def test_pages_at_desktop_and_phone_width(new_page, world, city_staff, who, path, name):
    user = world["user"] if who == "lab" else city_staff
    url = path.format(waiting=world["waiting"][1].pk, bad=world["bad"].pk, disposal=world["bad"].disposal.pk)
    for viewport, suffix in ((DESKTOP, "1366"), (MOBILE, "390")):
        probe = signed_in(new_page, user, viewport)
        response = probe.page.goto(probe.url(url))
        assert response.status == 200, (url, response.status)
        assert probe.scroll_width() <= viewport["width"], (url, suffix, probe.scroll_width())
        save_screenshot(probe, f"sampling-lab-{name}-{suffix}.png")
        probe.assert_clean()


def test_import_report_pages(new_page, world, tmp_path, settings):
    import openpyxl

    settings.MEDIA_ROOT = str(tmp_path)
    one, two = world["waiting"][0], world["waiting"][1]
    rows = {
        "bad": [
            (one.number, "铅", "0.1", "g/kg"),
            (one.number, "咖啡因", "1", "mg/kg"),
            (two.number, "蛋白质", "", "g/100g"),
            ("DC00000000000000000", "铅", "0.1", "mg/kg"),
        ],
        "good": [
            (one.number, "铅", "0.12", "mg/kg", "", "BG-1"),
            (two.number, "铅", "0.9", "mg/kg", "复测确认"),
            (two.number, "菌落总数", "", "", "", "", "10", "20", "30", "40", "50"),
        ],
    }
    header = [
        "抽样单编号",
        "检验项目",
        "检验结果",
        "结果单位",
        "说明",
        "检验报告编号",
        "结果1",
        "结果2",
        "结果3",
        "结果4",
        "结果5",
    ]
    for kind, data in rows.items():
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "检验结果"
        ws.append(header)
        for row in data:
            ws.append(list(row))
        path = tmp_path / f"{kind}.xlsx"
        wb.save(path)
        for viewport, suffix in ((DESKTOP, "1366"), (MOBILE, "390")):
            probe = signed_in(new_page, world["user"], viewport)
            probe.page.goto(probe.url("/sampling/lab/import/"))
            probe.page.set_input_files("#import-file", str(path))
            with probe.page.expect_navigation():
                probe.page.click("button:has-text('上传并预检')")
            content = probe.page.content()
            assert ("发现" in content) if kind == "bad" else ("确认导入" in content), content[-2000:]
            assert probe.scroll_width() <= viewport["width"]
            save_screenshot(probe, f"sampling-lab-import-{'errors' if kind == 'bad' else 'preview'}-{suffix}.png")
            probe.assert_clean()
