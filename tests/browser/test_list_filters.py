"""Every list page's filter form, submitted by a real browser (issue 8 point 1).

A browser submits every field of the form, the untouched ones empty (``?q=&township=&status=…``); that used to
answer "共 0 条" on the enterprise list. For each list page: submitting the untouched form shows the same count as no
filter, and submitting one filter shows exactly that filter's rows. Screenshots (SAVE_SCREENSHOTS=1) of the filtered
enterprise list, the audit log and the jobs list at 1366 and 390 px: docs/screenshots/filters-*.png.
"""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from tests.inspections.fieldwork_helpers import field_fixture  # noqa: F401  (the ``field`` fixture)
from tests.risk.conftest import cfda, enterprise_factory, samr  # noqa: F401  (risk scheme fixtures)

from .conftest import DESKTOP, MOBILE, save_screenshot

pytestmark = pytest.mark.browser


def signed_in(new_page, user, viewport=DESKTOP):
    """A browser page with ``user``'s session (force_login; the login form is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    probe = new_page(viewport)
    cookie = client.cookies["sessionid"]
    probe.page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": probe.base_url}])
    return probe


def shown_count(probe) -> int:
    text = probe.page.locator(".result-count").first.inner_text()
    return int(re.search(r"共\s*([\d,]+)\s*条", text).group(1).replace(",", ""))


def submit_filters(probe, form="form.filter-bar"):
    with probe.page.expect_navigation():
        probe.page.locator(f"{form} button[type=submit]").first.click()


def submitted_query(probe) -> dict:
    return parse_qs(urlsplit(probe.page.url).query, keep_blank_values=True)


def check_list(probe, path, choose, expected_total, expected_filtered):
    """Open ``path``; the untouched form gives the same count; ``choose(page)`` sets one filter."""
    probe.page.goto(probe.url(path))
    assert shown_count(probe) == expected_total
    submit_filters(probe)
    query = submitted_query(probe)
    assert query and all(v == [""] for k, v in query.items()), query  # the browser sent the empty fields
    assert shown_count(probe) == expected_total
    choose(probe.page)
    submit_filters(probe)
    assert shown_count(probe) == expected_filtered
    assert not probe.page.locator(".alert-danger").count()
    probe.assert_clean()


# ------------------------------------------------------------------------------------------------ registry
def test_enterprise_list_filters(new_page, staff_a, township_a):
    from apps.enterprises.choices import EnterpriseStatus
    from tests.factories.enterprises import EnterpriseFactory

    for i in range(3):
        EnterpriseFactory(township=township_a, name=f"乡味小吃店{i}")
    EnterpriseFactory(
        township=township_a,
        name="海宁面馆",
        status=EnterpriseStatus.SUSPENDED,
        deactivated_at=timezone.now(),
        status_reason="装修",
    )
    probe = signed_in(new_page, staff_a)
    check_list(probe, "/enterprises/", lambda page: page.select_option("#id_status", "suspended"), 4, 1)
    probe.page.goto(probe.url("/enterprises/"))
    submit_filters(probe)
    probe.page.fill("#id_q", "乡味")
    submit_filters(probe)
    assert shown_count(probe) == 3
    save_screenshot(probe, "filters-enterprises-desktop.png")
    mobile = signed_in(new_page, staff_a, MOBILE)
    mobile.page.goto(probe.page.url)
    assert shown_count(mobile) == 3 and mobile.scroll_width() <= MOBILE["width"]
    save_screenshot(mobile, "filters-enterprises-mobile.png")


# ------------------------------------------------------------------------------------------------ common
def test_audit_log_filters(new_page, audit_admin, staff_a):
    from apps.common.audit import audit_record
    from apps.common.models import AuditEvent

    audit_record("enterprise.create", object_type="enterprises.enterprise", object_repr="乡味小吃店", actor=staff_a)
    audit_record("enterprise.update", object_type="enterprises.enterprise", object_repr="乡味小吃店", actor=staff_a)
    audit_record("auth.login_failed", object_type="accounts.user", object_repr="ghost", outcome="failure")
    probe = signed_in(new_page, audit_admin)  # records its own auth.login event: count after it
    total = AuditEvent.objects.count()
    check_list(
        probe,
        "/audit/",
        lambda page: page.select_option("#id_object_type", label="检查对象"),
        total,
        AuditEvent.objects.filter(object_type="enterprises.enterprise").count(),
    )
    table = probe.page.locator("table").inner_text()
    assert "新增检查对象" in table and "enterprise.create" not in table
    save_screenshot(probe, "filters-audit-desktop.png")
    mobile = signed_in(new_page, audit_admin, MOBILE)
    mobile.page.goto(probe.page.url)
    assert mobile.scroll_width() <= MOBILE["width"]
    # stacked cards: each cell carries its column name, none is hidden
    first_row = mobile.page.locator("table.table-stack tbody tr").first
    assert first_row.locator("td[data-label=事件]").is_visible()
    assert first_row.locator("td[data-label='来源 IP']").is_visible()
    save_screenshot(mobile, "filters-audit-mobile.png")


def test_jobs_list_filters(new_page, staff_a):
    from apps.common.models import Job, JobStatus

    Job.objects.create(kind="enterprises.export", title="导出检查对象名录（3,120 条）", created_by=staff_a)
    Job.objects.create(
        kind="enterprises.import", created_by=staff_a, status=JobStatus.DONE, progress=100, title="名录导入"
    )
    Job.objects.create(kind="risk.regrade", created_by=staff_a, status=JobStatus.RUNNING, progress=40)
    probe = signed_in(new_page, staff_a)
    check_list(probe, "/jobs/", lambda page: page.select_option("#id_status", "done"), 3, 1)
    probe.page.goto(probe.url("/jobs/"))
    probe.page.select_option("#id_kind", label="导出检查对象名录")
    submit_filters(probe)
    assert shown_count(probe) == 1
    probe.page.goto(probe.url("/jobs/"))
    table = probe.page.locator("table").inner_text()
    assert "年度风险等级评定" in table and "risk.regrade" not in table
    save_screenshot(probe, "filters-jobs-desktop.png")
    mobile = signed_in(new_page, staff_a, MOBILE)
    mobile.page.goto(mobile.url("/jobs/"))
    assert mobile.scroll_width() <= MOBILE["width"]
    assert mobile.page.locator("table.table-stack tbody tr").first.locator("td[data-label=进度]").is_visible()
    save_screenshot(mobile, "filters-jobs-mobile.png")


# ------------------------------------------------------------------------------------------------ risk
def test_risk_grade_list_filters(new_page, city_staff, enterprise_factory, township_a, township_b, cfda):  # noqa: F811
    from apps.risk import services
    from apps.risk.models import RiskAssessment

    for township in (township_a, township_a, township_b):
        ent = enterprise_factory(township)
        services.assessment_recompute(enterprise_id=ent.pk, actor=city_staff, on=dt.date(2025, 3, 1))
    current = RiskAssessment.objects.filter(is_current=True)
    probe = signed_in(new_page, city_staff)
    check_list(
        probe,
        "/risk/grades/",
        lambda page: page.select_option("#id_township", str(township_b.pk)),
        current.count(),
        current.filter(enterprise__township=township_b).count(),
    )


# ------------------------------------------------------------------------------------------------ inspections
def test_task_list_filters(new_page, city_staff, township_a, township_b):
    from apps.inspections.choices import TaskKind
    from tests.inspections.factories import make_enterprise, make_task

    make_task(make_enterprise(township_a), kind=TaskKind.FLYING)
    make_task(make_enterprise(township_a), kind=TaskKind.KEY)
    make_task(make_enterprise(township_b), kind=TaskKind.KEY)
    probe = signed_in(new_page, city_staff)
    check_list(probe, "/inspections/tasks/", lambda page: page.select_option("#f-kind", TaskKind.KEY), 3, 2)


def test_plan_list_filters(new_page, city_staff):
    from apps.inspections.choices import DrawPlanStatus
    from apps.inspections.models import DrawPlan

    DrawPlan.objects.create(name="2026 年第一批", year=2026, round_label="第一批")
    DrawPlan.objects.create(name="2026 年第二批", year=2026, round_label="第二批")
    DrawPlan.objects.create(name="2025 年第一批", year=2025, round_label="第一批", status=DrawPlanStatus.CANCELLED)
    probe = signed_in(new_page, city_staff)
    check_list(
        probe, "/inspections/plans/", lambda page: page.select_option("#plan-status", DrawPlanStatus.CANCELLED), 3, 1
    )


@pytest.fixture
def finalised(field):  # noqa: F811
    """One finalised result that ordered rectification: one rectification order and one pending publication."""
    from apps.inspections.fieldwork.services.results import result_finalise

    return result_finalise(
        actor=field.user,
        result_id=field.complete_draft(outcome="rectify", verdict="basic", rectification_requirements="整改").pk,
    )


def test_rectification_list_filters(new_page, city_staff, finalised):
    from apps.inspections.choices import RectificationStatus
    from apps.inspections.models import Rectification

    total = Rectification.objects.count()
    status = Rectification.objects.first().status
    other = next(s for s in RectificationStatus.values if s != status)
    assert total >= 1
    probe = signed_in(new_page, city_staff)
    choose = lambda page: page.select_option("#r-status", status)  # noqa: E731
    check_list(probe, "/inspections/rectifications/", choose, total, total)
    probe.page.select_option("#r-status", other)
    submit_filters(probe)
    assert shown_count(probe) == Rectification.objects.filter(status=other).count() == 0


def test_publication_list_filters(new_page, city_staff, finalised):
    from apps.inspections.choices import PublicationStatus
    from apps.inspections.models import Publication

    total = Publication.objects.count()
    status = Publication.objects.first().status
    other = next(s for s in PublicationStatus.values if s != status)
    assert total >= 1
    probe = signed_in(new_page, city_staff)
    check_list(probe, "/inspections/publications/", lambda page: page.select_option("#p-status", status), total, total)
    probe.page.select_option("#p-status", other)
    submit_filters(probe)
    assert shown_count(probe) == Publication.objects.filter(status=other).count() == 0


# ------------------------------------------------------------------------------------------------ standards catalogue
def test_standard_list_filters(new_page, city_staff):
    from apps.standards.models import Standard

    probe = signed_in(new_page, city_staff)
    total, withdrawn = Standard.objects.count(), Standard.objects.filter(status="withdrawn").count()
    check_list(probe, "/standards/", lambda page: page.select_option("#id_status", "withdrawn"), total, withdrawn)


def test_test_item_list_filters(new_page, city_staff):
    from apps.standards.models import TestItem

    probe = signed_in(new_page, city_staff)
    total, micro = TestItem.objects.count(), TestItem.objects.filter(is_microbiological=True).count()
    check_list(probe, "/standards/test-items/", lambda page: page.select_option("#id_kind", "micro"), total, micro)


def test_category_list_filters(new_page, city_staff):
    from apps.standards.models import SamplingCategory

    probe = signed_in(new_page, city_staff)
    total, majors = SamplingCategory.objects.count(), SamplingCategory.objects.filter(level=1).count()
    check_list(probe, "/standards/categories/", lambda page: page.select_option("#id_level", "1"), total, majors)


# ------------------------------------------------------------------------------------------------ sampling
def test_sampling_sample_list_filters(new_page, city_staff, township_a, township_b):
    from tests.factories.sampling import SampleFactory

    for _ in range(2):
        SampleFactory(task__plan_line__township=township_a)
    SampleFactory(task__plan_line__township=township_b)
    probe = signed_in(new_page, city_staff)
    choose = lambda page: page.select_option("#id_township", str(township_b.pk))  # noqa: E731
    check_list(probe, "/sampling/samples/", choose, 3, 1)


def test_sampling_task_list_filters(new_page, city_staff, township_a):
    from tests.factories.sampling import SamplingTaskFactory

    SamplingTaskFactory(plan_line__township=township_a)
    SamplingTaskFactory(plan_line__township=township_a, status="cancelled")
    probe = signed_in(new_page, city_staff)
    check_list(probe, "/sampling/tasks/", lambda page: page.select_option("#id_status", "cancelled"), 2, 1)


def test_sampling_organisation_list_filters(new_page, city_staff):
    from tests.factories.sampling import OrganisationFactory

    OrganisationFactory()
    OrganisationFactory(lab=True)
    probe = signed_in(new_page, city_staff)
    check_list(probe, "/sampling/organisations/", lambda page: page.select_option("#id_kind", "lab"), 2, 1)
