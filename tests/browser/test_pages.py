"""The other shell pages in a real browser: htmx job progress, and no horizontal scroll at 390 px."""

import pytest

from .conftest import DESKTOP, MOBILE, login, save_screenshot

pytestmark = pytest.mark.browser


def test_job_progress_bar_follows_the_job_via_htmx_polling(demo_accounts, new_page):
    from apps.accounts.models import User
    from apps.common.models import Job, JobStatus

    user = User.objects.get(username="zhenjie")
    job = Job.objects.create(
        kind="common.selftest",
        title="名录导入",
        status=JobStatus.RUNNING,
        progress=30,
        message="第 3/10 批",
        created_by=user,
    )
    probe = new_page(DESKTOP)
    login(probe, "zhenjie")
    probe.page.goto(probe.url(f"/jobs/{job.pk}/"))
    bar = probe.page.locator("#job-progress .progress")
    assert bar.get_attribute("aria-valuenow") == "30"

    Job.objects.filter(pk=job.pk).update(progress=80, message="第 8/10 批")
    probe.page.wait_for_selector('#job-progress .progress[aria-valuenow="80"]', timeout=5000)
    assert "第 8/10 批" in probe.page.locator("#job-progress").inner_text()

    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, progress=100, result={"导入行数": 10})
    probe.page.wait_for_selector("#job-progress[data-status=done]", timeout=5000)
    assert "任务已完成" in probe.page.locator("#job-progress").inner_text()
    save_screenshot(probe, "job-detail-desktop.png")

    # Finished: the partial has no hx-trigger any more, so polling stops.
    polls = []
    probe.page.on("request", lambda req: f"/jobs/{job.pk}/" in req.url and polls.append(req.url))
    probe.page.wait_for_timeout(2500)
    assert polls == []
    probe.assert_clean()


def test_shell_pages_have_no_horizontal_scroll_at_390(demo_accounts, new_page):
    from apps.accounts.models import User
    from apps.common.audit import audit_record
    from apps.common.models import Job, JobStatus

    staff = User.objects.get(username="zhenjie")
    Job.objects.create(
        kind="common.selftest",
        title="检查对象名录导入（2025 年第三季度，共 1,204 行）",
        status=JobStatus.RUNNING,
        progress=45,
        created_by=staff,
    )
    Job.objects.create(
        kind="common.selftest",
        title="导出",
        status=JobStatus.FAILED,
        progress=10,
        error="文件格式不正确",
        created_by=staff,
    )
    for i in range(3):
        audit_record(
            "admin.change", object_type="accounts.township", object_id=str(i), object_repr="一个相当长的对象名称" * 3
        )

    pages = {
        "zhenjie": ["/jobs/", "/no-such-page/", "/audit/"],  # /audit/ is 403 for township staff: the error page
        "shenji": ["/audit/", "/audit/?action=admin.change", "/manage/"],
        "xitong": ["/manage/", "/manage/accounts/user/"],
    }
    for username, paths in pages.items():
        probe = new_page(MOBILE)
        login(probe, username)
        for path in paths:
            probe.page.goto(probe.url(path))
            width = probe.scroll_width()
            assert width <= MOBILE["width"], f"{path} as {username}: scrollWidth={width}"
            if path == "/audit/" and username == "shenji":
                save_screenshot(probe, "audit-list-mobile.png")
            if path == "/jobs/":
                save_screenshot(probe, "jobs-mobile.png")
        # 4xx pages log a console error for the failed document load; everything else must be clean.
        probe.console_errors = [e for e in probe.console_errors if "status of 40" not in e]
        probe.assert_clean()


def test_login_and_locked_pages_at_390(demo_accounts, new_page):
    probe = new_page(MOBILE)
    probe.page.goto(probe.url("/accounts/login/"))
    assert probe.scroll_width() <= MOBILE["width"]
    save_screenshot(probe, "login-mobile.png")
    for _ in range(5):
        login(probe, "tousu", "wrong-password")
    # Locked answers like a wrong password (AUTH-05): the login page, the one message, no "locked" page.
    login(probe, "tousu")
    assert "/accounts/login/" in probe.page.url
    assert "暂时锁定" in probe.page.locator(".alert-danger").inner_text()
    assert probe.scroll_width() <= MOBILE["width"]
    save_screenshot(probe, "locked-mobile.png")
    probe.assert_clean()

    desktop = new_page(DESKTOP)
    desktop.page.goto(desktop.url("/accounts/login/"))
    save_screenshot(desktop, "login-desktop.png")
    desktop.assert_clean()


def test_requests_off_the_live_server_are_recorded_and_reach_nothing(live_server, new_page, transactional_db):
    """The guard of every browser test (conftest.new_page): a host name other than loopback does not resolve and an
    address literal goes to a closed loopback port; both are recorded, so assert_clean() fails on them. (The
    platform's own pages could not even ask: their CSP allows only 'self'; this page has none.)"""
    probe = new_page(DESKTOP)
    failed = []
    probe.page.on("requestfailed", lambda request: failed.append(request.url))
    with probe.page.expect_event("requestfailed"), probe.page.expect_event("requestfailed"):
        probe.page.set_content(
            '<img src="http://cdn.example.com/x.png"><link rel="stylesheet" href="http://203.0.113.7/x.css">'
        )
    assert sorted(failed) == ["http://203.0.113.7/x.css", "http://cdn.example.com/x.png"]
    assert sorted(probe.foreign_requests) == ["http://203.0.113.7/x.css", "http://cdn.example.com/x.png"]
    with pytest.raises(AssertionError, match="requests left the live server"):
        probe.assert_clean()
