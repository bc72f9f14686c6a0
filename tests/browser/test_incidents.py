"""食品安全事件 in a real browser: on a phone (390 px) city staff register an incident, send the 初报 and the 终报,
confirm the level and close it (preview + confirm) — no horizontal scrolling, no console errors (CSP: no inline JS).
The list and detail pages at 1366 and 390 px on the demo data, township B's staff seeing only their own, and the
list's untouched filter form. Screenshots (SAVE_SCREENSHOTS=1): docs/screenshots/incidents-*.png."""

import datetime as dt

import pytest
from django.utils import timezone

from .conftest import DESKTOP, MOBILE, login, save_screenshot
from .test_list_filters import check_list

pytestmark = pytest.mark.browser


def _fits(probe, width):
    assert probe.scroll_width() <= width, f"horizontal scrolling: {probe.scroll_width()} > {width}"


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_create_initial_final_close_at_390(new_page, demo_accounts):
    from apps.accounts.models import Township
    from apps.incidents.models.emergencies import Incident

    probe = new_page(MOBILE)
    page = probe.page
    login(probe, "shiju")
    page.goto(probe.url("/incidents/incidents/new/"))
    _fits(probe, MOBILE["width"])
    now = timezone.now()
    page.fill("#id_title", "某小学食堂学生腹泻")
    page.select_option("#id_township", str(Township.objects.get(code="xiashi").pk))
    page.fill("#id_occurred_at", _local(now - dt.timedelta(hours=3)))
    page.fill("#id_learned_at", _local(now - dt.timedelta(minutes=50)))
    page.fill("#id_affected_count", "56")
    page.check("#id_schools_involved")
    page.fill("#id_places", "硖石街道某小学食堂")
    save_screenshot(probe, "incidents-form-390.png")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    inc = Incident.objects.get()
    assert "Ⅱ级（重大）" in page.locator("#suggested-level").inner_text()
    assert "剩余" in page.locator("#first-report-clock").inner_text()
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "incidents-detail-received-390.png")

    page.fill("#id_report-content", "初报：56 名学生腹泻，已送医，封存留样。")
    with page.expect_navigation():
        page.click("#h-report-form ~ form button[type=submit]")
    assert "按时初报" in page.locator("#first-report-clock").inner_text()
    assert page.locator("#status-badge").inner_text() == "处置中"
    page.fill("#id_action-text", "封存涉事食品及加工工具")
    with page.expect_navigation():
        page.click("#h-action-form ~ form button[type=submit]")
    page.select_option("#id_report-kind", "final")
    page.fill("#id_report-content", "终报：诺如病毒感染，处置完毕。")
    with page.expect_navigation():
        page.click("#h-report-form ~ form button[type=submit]")
    assert page.locator("#status-badge").inner_text() == "已终报"

    page.goto(probe.url(f"/incidents/incidents/{inc.pk}/level/"))
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "incidents-level-390.png")
    with page.expect_navigation():
        page.click("button[name=confirm_submit]")
    assert "Ⅱ级（重大）" in page.locator("#confirmed-level").inner_text()

    page.goto(probe.url(f"/incidents/incidents/{inc.pk}/close/"))
    page.fill("#id_summary", "学校食堂员工带病操作所致，已责令整改。")
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "incidents-close-390.png")
    with page.expect_navigation():
        page.click("button[name=confirm_submit]")
    assert page.locator("#status-badge").inner_text() == "已结案"
    assert "带病操作" in page.locator("#closing-summary").inner_text()
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "incidents-detail-closed-390.png")
    inc.refresh_from_db()
    assert inc.status == "closed" and inc.level == "II"
    probe.assert_clean()


@pytest.fixture
def demo(demo_accounts):
    from apps.incidents.emergencies.demo import seed_demo

    seed_demo()
    return demo_accounts


@pytest.mark.parametrize("viewport,suffix", [(DESKTOP, "1366"), (MOBILE, "390")])
def test_pages_on_the_demo_data(new_page, demo, viewport, suffix):
    from apps.incidents.models.emergencies import Incident

    probe = new_page(viewport)
    page = probe.page
    login(probe, "shiju")
    page.goto(probe.url("/incidents/incidents/"))
    assert page.locator("#incident-table tbody tr").count() == 5
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"incidents-list-{suffix}.png")
    overdue = Incident.objects.get(title__contains="毒蘑菇")
    page.goto(probe.url(f"/incidents/incidents/{overdue.pk}/"))
    assert "已超时" in page.locator("#first-report-clock").inner_text()
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"incidents-detail-overdue-{suffix}.png")
    closed = Incident.objects.get(status="closed")
    page.goto(probe.url(f"/incidents/incidents/{closed.pk}/"))
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"incidents-detail-closed-{suffix}.png")
    page.goto(probe.url("/"))
    figure = page.get_by_text("待初报事件")
    assert figure.count() >= 1
    save_screenshot(probe, f"incidents-dashboard-{suffix}.png")
    probe.assert_clean()


def test_township_staff_see_only_their_township(new_page, demo):
    from apps.incidents.models.emergencies import Incident

    probe = new_page(MOBILE)
    login(probe, "zhenjie")  # 硖石街道
    probe.page.goto(probe.url("/incidents/incidents/"))
    mine = Incident.objects.filter(township__code="xiashi").count()
    assert probe.page.locator("#incident-table tbody tr").count() == mine == 3
    other = Incident.objects.filter(township__code="xucun").first()
    response = probe.page.goto(probe.url(f"/incidents/incidents/{other.pk}/"))
    assert response.status == 404


def test_incident_list_filters(new_page, demo):
    probe = new_page(DESKTOP)
    login(probe, "shiju")
    check_list(probe, "/incidents/incidents/", lambda page: page.select_option("#id_first_report", "pending"), 5, 2)
