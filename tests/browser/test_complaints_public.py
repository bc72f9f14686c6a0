"""投诉举报 in a real browser: a citizen on a phone (390 px) reports, keeps the query code, the case is handled, and
the citizen reads the feedback with the code — no horizontal scrolling, no console errors (CSP: no inline JS). Staff
pages at 1366 and 390 px on the demo data, and the list's untouched filter form. Screenshots (SAVE_SCREENSHOTS=1):
docs/screenshots/complaints-*.png."""

import pytest

from .conftest import DESKTOP, MOBILE, login, save_screenshot
from .test_list_filters import check_list

pytestmark = pytest.mark.browser


def _fits(probe, width):
    assert probe.scroll_width() <= width, f"horizontal scrolling: {probe.scroll_width()} > {width}"


def test_public_submission_to_feedback_with_the_query_code_at_390(new_page, demo_accounts):
    from apps.accounts.models import Township, User
    from apps.incidents.complaints import services
    from apps.incidents.models import Complaint

    probe = new_page(MOBILE)
    page = probe.page
    page.goto(probe.url("/public/complaints/"))
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "complaints-public-form-390.png")
    page.check("#id_kind_1")  # 举报
    page.fill("#id_content", "演示：某小吃店后厨有老鼠")
    page.select_option("#id_township", str(Township.objects.get(code="xiashi").pk))
    page.fill("#id_phone", "13700001234")
    with page.expect_navigation():
        page.click("#submit-complaint")
    code = page.locator("#query-code").inner_text().strip()
    assert len(code) == 19
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "complaints-public-received-390.png")

    c = Complaint.objects.get()
    assert c.channel == "public_form" and not c.anonymous

    officer = User.objects.get(username="tousu")
    xiashi = Township.objects.get(code="xiashi")
    services.complaint_accept(actor=officer, complaint_id=c.pk)
    services.complaint_route(actor=officer, complaint_id=c.pk, township=xiashi)
    services.complaint_start(actor=officer, complaint_id=c.pk)
    services.complaint_close(actor=officer, complaint_id=c.pk, upheld=True, result_text="查证属实")
    services.complaint_feedback(actor=officer, complaint_id=c.pk, feedback_text="已责令整改并立案查处，感谢您的举报。")

    page.goto(probe.url("/public/complaints/status/"))
    page.fill("#code", code)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("#status-label").inner_text() == "已反馈"
    assert "已责令整改并立案查处" in page.locator("#feedback-text").inner_text()
    assert "13700001234" not in page.content()
    _fits(probe, MOBILE["width"])
    save_screenshot(probe, "complaints-public-status-390.png")
    probe.assert_clean()


@pytest.fixture
def demo(demo_accounts):
    from apps.incidents.complaints.demo import seed_demo

    seed_demo()
    return demo_accounts


@pytest.mark.parametrize("viewport,suffix", [(DESKTOP, "1366"), (MOBILE, "390")])
def test_staff_pages_on_the_demo_data(new_page, demo, viewport, suffix):
    from apps.incidents.models import Complaint

    probe = new_page(viewport)
    page = probe.page
    login(probe, "tousu")
    page.goto(probe.url("/incidents/complaints/"))
    assert page.locator("#complaint-table tbody tr").count() == 6
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"complaints-list-{suffix}.png")
    rewarded = Complaint.objects.get(reward__isnull=False)
    page.goto(probe.url(f"/incidents/complaints/{rewarded.pk}/"))
    assert "已发放" in page.locator("#reward-summary").inner_text()
    assert "演示乙" not in page.content()
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"complaints-detail-{suffix}.png")
    pending = Complaint.objects.filter(status="pending").order_by("-received_at").first()
    page.goto(probe.url(f"/incidents/complaints/{pending.pk}/"))
    _fits(probe, viewport["width"])
    save_screenshot(probe, f"complaints-detail-pending-{suffix}.png")
    page.goto(probe.url(f"/incidents/complaints/{rewarded.pk}/reporter/"))
    page.fill("#id_reason", "核实身份以发放奖励")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "演示乙" in page.locator("#identity").inner_text()
    save_screenshot(probe, f"complaints-unmask-{suffix}.png")
    probe.assert_clean()


def test_complaint_list_filters(new_page, demo):
    probe = new_page(DESKTOP)
    login(probe, "tousu")
    check_list(probe, "/incidents/complaints/", lambda page: page.select_option("#id_status", "pending"), 6, 2)
