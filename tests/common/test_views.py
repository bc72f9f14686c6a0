"""Interface shell in apps/common: vendored assets, error pages, job pages (htmx progress), audit log pages, admin."""

import json
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from apps.common import views as error_views
from apps.common.audit_drill import disable_append_only_trigger, sql
from apps.common.models import AuditEvent, CalendarOverride, Job, JobStatus
from tests.helpers.queries import assert_constant_queries

BASE = Path(settings.BASE_DIR)
TEMPLATES = BASE / "templates"
VENDOR = BASE / "static" / "vendor"


# ------------------------------------------------------------------ vendored assets, no CDN, no inline scripts
@pytest.mark.parametrize(
    "path",
    [
        "bootstrap/bootstrap.min.css",
        "bootstrap/bootstrap.bundle.min.js",
        "bootstrap/LICENSE",
        "bootstrap-icons/bootstrap-icons.min.css",
        "bootstrap-icons/fonts/bootstrap-icons.woff2",
        "bootstrap-icons/LICENSE",
        "htmx/htmx.min.js",
        "htmx/LICENSE",
        "echarts/echarts.min.js",
        "echarts/LICENSE",
    ],
)
def test_vendored_asset_present(path):
    assert (VENDOR / path).stat().st_size > 0


def test_vendored_versions_match_the_readme():
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    bootstrap = re.search(r"Bootstrap\s+v(5\.3\.\d+)", (VENDOR / "bootstrap" / "bootstrap.min.css").read_text()[:300])
    htmx = re.search(r'version:"(2\.\d+\.\d+)"', (VENDOR / "htmx" / "htmx.min.js").read_text())
    echarts = re.search(r'version="(5\.\d+\.\d+)"', (VENDOR / "echarts" / "echarts.min.js").read_text())
    assert bootstrap and htmx and echarts
    assert f"| Bootstrap | {bootstrap.group(1)} |" in readme
    assert f"| htmx | {htmx.group(1)} |" in readme
    assert f"| Apache ECharts | {echarts.group(1)} |" in readme


def _templates():
    return sorted(TEMPLATES.rglob("*.html"))


def test_no_template_loads_scripts_or_styles_from_another_host():
    offenders = []
    pattern = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//", re.I)
    for path in _templates():
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(BASE)}: {match.group(0)}")
    assert offenders == []


def test_no_inline_scripts_or_handlers_in_templates():
    """CSP is script-src 'self': every <script> has a src (or is JSON data), no on* attributes, no javascript: URLs."""
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, re.I):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path.name}: {tag}")
        offenders += [f"{path.name}: {m}" for m in re.findall(r"<[^>]+\son[a-z]+\s*=", text, re.I)]
        offenders += [f"{path.name}: javascript:" for _ in re.findall(r"javascript:", text, re.I)]
    assert offenders == []


def test_csp_header_forbids_inline_scripts(client, staff_a):
    client.force_login(staff_a)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert script_src.strip() == "'self'"


# ------------------------------------------------------------------ error pages
def test_404_page_is_chinese_html(client, staff_a):
    client.force_login(staff_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and '<html lang="zh-Hans">' in html and "返回首页" in html


def test_404_under_api_is_json(client, db):
    """A path under /api/ that no route matches (outside the v1 router) gets Django's handler404: JSON too."""
    response = client.get("/api/v2/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body == {"code": "not_found", "message": "页面不存在，或不在您的管辖范围内。", "fields": {}}


def test_403_page_is_chinese_html(client, staff_a):
    client.force_login(staff_a)
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@pytest.mark.parametrize(
    ("handler", "status", "code", "words"),
    [
        (error_views.bad_request, 400, "bad_request", "请求有误"),
        (error_views.permission_denied, 403, "permission_denied", "无权访问"),
        (error_views.page_not_found, 404, "not_found", "页面不存在"),
    ],
)
def test_error_handlers_html_and_json(rf, db, handler, status, code, words):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/somewhere/")
    request.user = AnonymousUser()
    response = handler(request, Exception("x"))
    assert response.status_code == status
    assert words in response.content.decode()
    api_request = rf.get("/api/v1/somewhere/")
    api_request.user = AnonymousUser()
    api_response = handler(api_request, Exception("x"))
    assert api_response.status_code == status and api_response["Content-Type"].startswith("application/json")
    assert json.loads(api_response.content)["code"] == code


def test_500_renders_without_database_or_user(rf):
    """No `db` fixture: any database access would fail this test. No request.user either."""
    request = rf.get("/somewhere/")
    request.request_id = "abc123"
    response = error_views.server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器内部错误" in html and "abc123" in html and "Traceback" not in html
    api = error_views.server_error(rf.get("/api/v1/x/"))
    assert api.status_code == 500 and json.loads(api.content)["code"] == "server_error"


def test_unhandled_exception_gives_the_chinese_500_page(client, staff_a, monkeypatch):
    from apps.dashboard import views as dashboard_views

    def boom(user):
        raise RuntimeError("secret detail")

    monkeypatch.setitem(dashboard_views.HOME_CONTEXT, "township_staff", boom)
    client.raise_request_exception = False
    client.force_login(staff_a)
    response = client.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "服务器内部错误" in html and "secret detail" not in html


# ------------------------------------------------------------------ jobs
def make_job(user, status=JobStatus.RUNNING, progress=30, **extra):
    extra.setdefault("title", "测试任务")
    return Job.objects.create(kind="common.selftest", status=status, progress=progress, created_by=user, **extra)


def test_job_list_shows_my_jobs_only(client, staff_a, staff_b):
    mine = make_job(staff_a)
    theirs = make_job(staff_b, title="别人的任务")
    client.force_login(staff_a)
    response = client.get(reverse("jobs:list"))
    assert response.status_code == 200
    assert list(response.context["page"]) == [mine]
    html = response.content.decode()
    assert str(mine.pk) in html and str(theirs.pk) not in html


def test_job_list_filters_by_status(client, staff_a):
    make_job(staff_a, status=JobStatus.DONE, progress=100)
    running = make_job(staff_a)
    client.force_login(staff_a)
    assert list(client.get(reverse("jobs:list"), {"status": "running"}).context["page"]) == [running]
    assert len(client.get(reverse("jobs:list"), {"status": "bogus"}).context["page"]) == 2


def test_job_list_query_count_is_constant(client, staff_a):
    client.force_login(staff_a)
    assert_constant_queries(lambda: client.get(reverse("jobs:list")), lambda n: [make_job(staff_a) for _ in range(n)])


def test_job_detail_of_another_user_is_404(client, staff_a, staff_b):
    job = make_job(staff_b)
    client.force_login(staff_a)
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:detail", args=[uuid.uuid4()])).status_code == 404


def test_running_job_page_polls_its_progress_partial(client, staff_a):
    job = make_job(staff_a, progress=30, message="第 3/10 步")
    client.force_login(staff_a)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'role="progressbar"' in page and 'aria-valuenow="30"' in page and "width: 30%" in page
    assert 'hx-trigger="every 1s"' in page and f'hx-get="/jobs/{job.pk}/"' in page
    assert "<html" in page

    Job.objects.filter(pk=job.pk).update(progress=80)
    partial = client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert "<html" not in html and 'id="job-progress"' in html
    assert 'aria-valuenow="80"' in html and 'hx-trigger="every 1s"' in html


def test_finished_job_partial_stops_polling_and_shows_result(client, staff_a):
    job = make_job(staff_a, status=JobStatus.DONE, progress=100, result={"steps": 4})
    client.force_login(staff_a)
    html = client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html
    assert "任务已完成" in html and "steps" in html
    failed = make_job(staff_a, status=JobStatus.FAILED, progress=40, error="导入文件格式不正确")
    html = client.get(reverse("jobs:detail", args=[failed.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html and "导入文件格式不正确" in html


def test_job_created_through_the_service_is_listed(client, staff_a):
    from apps.common.jobs import job_create

    job = job_create(kind="common.selftest", payload={"steps": 2, "delay": 0}, actor=staff_a, title="自检")
    client.force_login(staff_a)
    job.refresh_from_db()
    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "自检" in html and job.get_status_display() in html


def test_job_pages_need_permission(client, user_without_perms):
    client.force_login(user_without_perms)
    assert client.get(reverse("jobs:list")).status_code == 403


# ------------------------------------------------------------------ audit log pages
def test_audit_list_is_for_the_audit_admin_only(client, staff_a, sys_admin, security_admin, audit_admin):
    for user in (staff_a, sys_admin, security_admin):
        client.force_login(user)
        assert client.get(reverse("audit:list")).status_code == 403
    client.force_login(audit_admin)
    assert client.get(reverse("audit:list")).status_code == 200


def test_audit_list_filters(client, audit_admin, staff_a):
    from apps.common.audit import audit_record

    audit_record("admin.change", object_type="accounts.township", object_id="7", object_repr="许村镇", actor=staff_a)
    audit_record("auth.login_failed", object_type="accounts.user", object_repr="ghost", outcome="failure")
    client.force_login(audit_admin)
    url = reverse("audit:list")

    def actions(**params):
        return [ev.action for ev in client.get(url, params).context["page"]]

    assert actions(action="admin.change") == ["admin.change"]
    assert actions(obj="许村") == ["admin.change"]
    assert actions(obj="7", object_type="accounts.township") == ["admin.change"]
    assert actions(actor="staff_a") == ["admin.change"]
    assert actions(outcome="failure") == ["auth.login_failed"]
    assert actions(action="no.such.action") == []  # not a valid choice: nothing, with an error shown
    html = client.get(url, {"action": "admin.change"}).content.decode()
    assert "后台修改" in html  # Chinese label of the action code


def test_audit_list_paginates(client, audit_admin):
    from apps.common.audit import audit_record

    for i in range(60):
        audit_record("admin.change", object_type="common.calendaroverride", object_repr=f"第 {i} 条")
    client.force_login(audit_admin)
    first = client.get(reverse("audit:list"), {"object_type": "common.calendaroverride"})
    assert len(first.context["page"]) == 50 and first.context["page"].paginator.num_pages == 2
    html = first.content.decode()
    assert "page=2" in html and "object_type=common.calendaroverride" in html
    second = client.get(reverse("audit:list"), {"object_type": "common.calendaroverride", "page": 2})
    assert len(second.context["page"]) == 10


def test_audit_list_query_count_is_constant(client, audit_admin):
    from apps.common.audit import audit_record

    client.force_login(audit_admin)
    assert_constant_queries(
        lambda: client.get(reverse("audit:list"), {"action": "admin.change"}),
        lambda n: [audit_record("admin.change", object_repr=str(i)) for i in range(n)],
    )


def test_verify_button_records_a_verification(client, audit_admin):
    client.force_login(audit_admin)
    assert client.get(reverse("audit:verify")).status_code == 405
    response = client.post(reverse("audit:verify"), {"next": "/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    messages = [str(m) for m in response.context["messages"]]
    assert any("审计链完整" in m for m in messages)
    event = AuditEvent.objects.filter(action="audit.verify").latest("seq")
    assert event.outcome == "success" and event.extra["checked"] == event.seq - 1
    assert event.actor_id == audit_admin.pk
    assert "完整" in client.get("/").content.decode()  # the home card shows the last verification


def test_verify_reports_the_first_broken_entry(client, audit_admin):
    from apps.common.audit import audit_record

    for i in range(3):
        audit_record("admin.change", object_repr=f"记录 {i}")
    target = AuditEvent.objects.order_by("seq")[1].seq
    disable_append_only_trigger()
    sql("UPDATE common_auditevent SET object_repr = %s WHERE seq = %s", ["被篡改", target])
    client.force_login(audit_admin)
    response = client.post(reverse("audit:verify"), {"next": "https://evil.example/"})
    assert response.url == reverse("audit:list")  # foreign redirect targets are ignored
    event = AuditEvent.objects.filter(action="audit.verify").latest("seq")
    assert event.outcome == "failure" and event.extra["first_broken_seq"] == target


def test_verify_needs_the_permission(client, sys_admin):
    client.force_login(sys_admin)
    assert client.post(reverse("audit:verify")).status_code == 403
    assert not AuditEvent.objects.filter(action="audit.verify").exists()


# ------------------------------------------------------------------ admin: AuditEvent read-only, scoped, audited
def test_audit_event_admin_is_read_only_for_the_audit_admin(client, audit_admin):
    from apps.common.audit import audit_record

    # The reference data is loaded once per session now, so the test writes the event it looks at.
    audit_record("reference.load", object_type="accounts.township", extra={"townships": 12})
    event = AuditEvent.objects.order_by("seq").first()
    client.force_login(audit_admin)
    assert client.get(reverse("admin:common_auditevent_changelist")).status_code == 200
    detail = client.get(reverse("admin:common_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200 and event.entry_hash in detail.content.decode()
    assert client.get(reverse("admin:common_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:common_auditevent_delete", args=[event.pk])).status_code == 403
    before = (event.action, event.entry_hash)
    client.post(reverse("admin:common_auditevent_change", args=[event.pk]), {"action": "forged"})
    event.refresh_from_db()
    assert (event.action, event.entry_hash) == before


def test_audit_event_admin_is_invisible_to_the_other_admins(client, sys_admin, security_admin):
    for user in (sys_admin, security_admin):
        client.force_login(user)
        assert client.get(reverse("admin:common_auditevent_changelist")).status_code == 403
        index = client.get(reverse("admin:index")).content.decode()
        assert "审计事件" not in index


def test_calendar_override_admin_writes_are_audited(client, sys_admin):
    client.force_login(sys_admin)
    response = client.post(
        reverse("admin:common_calendaroverride_add"), {"date": "2027-01-04", "is_workday": "", "note": "临时调休"}
    )
    assert response.status_code == 302
    override = CalendarOverride.objects.get(date="2027-01-04")
    added = AuditEvent.objects.filter(action="admin.add", object_type="common.calendaroverride").latest("seq")
    assert added.object_id == str(override.pk) and added.changes["note"] == [None, "临时调休"]
    response = client.post(reverse("admin:common_calendaroverride_delete", args=[override.pk]), {"post": "yes"})
    assert response.status_code == 302 and not CalendarOverride.objects.exists()
    deleted = AuditEvent.objects.filter(action="admin.delete", object_type="common.calendaroverride").latest("seq")
    assert deleted.object_id == str(override.pk) and deleted.changes["before"]["note"] == "临时调休"


def test_job_admin_is_read_only_and_scoped(client, sys_admin, staff_a):
    job = make_job(staff_a)
    client.force_login(sys_admin)  # holds common.view_all_jobs
    assert client.get(reverse("admin:common_job_changelist")).status_code == 200
    assert client.get(reverse("admin:common_job_change", args=[job.pk])).status_code == 200
    assert client.get(reverse("admin:common_job_add")).status_code == 403


def test_admin_is_in_chinese(client, sys_admin):
    client.force_login(sys_admin)
    html = client.get(reverse("admin:index")).content.decode()
    assert "海宁市食品安全监管平台" in html and 'lang="zh-hans"' in html.lower()
    assert "用户" in html and "镇街" in html


def test_finished_job_shows_chinese_summary_and_a_link_to_its_result(client, city_staff):
    from apps.common.models import Job, JobStatus

    job = Job.objects.create(
        kind="common.selftest",
        created_by=city_staff,
        status=JobStatus.DONE,
        progress=100,
        result={"summary": "导出完成：共 3 条", "next_url": "/enterprises/", "rows": 3},
    )
    client.force_login(city_staff)
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "导出完成：共 3 条" in html
    assert 'href="/enterprises/"' in html and "查看结果" in html
