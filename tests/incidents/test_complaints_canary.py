"""The whistle-blower canary (SECURITY.md PII-02, PII-04; issue 11 §5): unique identity strings are planted through
the public form, the whole flow runs (submit, accept, route, handle, close, feedback, reward, unmask, exports, the
export job, API, feed, audit), and the strings are then found nowhere but in the ciphertext columns and on the one
audited unmask page: not in any text/varchar/json column of any table, not in the captured logs, not in the Excel
exports' XML, not in any page or API response of any role."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.services import api_client_create
from apps.common.crypto import encrypted_columns
from apps.common.jobs import job_run
from apps.common.models import Job
from apps.incidents.complaints import views as complaint_views
from apps.incidents.complaints.job_handlers import EXPORT_JOB_KIND
from apps.incidents.models import Complaint
from tests.helpers.canary import Canary, capture_logs, scan_database, scan_text, scan_xlsx
from tests.helpers.images import tiny_png

pytestmark = pytest.mark.django_db(transaction=False)
PNG = tiny_png()


def _login(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_identity_appears_nowhere_else(
    reference, township_a, staff_a, city_staff, leader, complaint_officer, monkeypatch
):
    canary = Canary.new()
    needles = canary.values()
    responses: list[tuple[str, str]] = []  # (who/what, body) that must hold no canary
    exports: list[tuple[str, bytes]] = []

    with capture_logs() as logs:
        # 1. public submission, real name, reward claimed, an attachment
        public = Client()
        page = public.get(reverse("public_complaints:submit")).content.decode()
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        from django.core.files.uploadedfile import SimpleUploadedFile

        received = public.post(
            reverse("public_complaints:submit"),
            {
                "token": token,
                "kind": "report",
                "content": "某餐馆后厨使用过期原料",
                "subject_name": "某餐馆",
                "address": "硖石街道文苑路 1 号",
                "township": township_a.pk,
                "reward_claimed": "on",
                **canary.identity(),
                "attachments": [SimpleUploadedFile(f"{canary.name}.png", PNG, content_type="image/png")],
            },
        )
        assert received.status_code == 201, received.content.decode()
        responses.append(("public received page", received.content.decode()))
        code = re.search(r'id="query-code">([A-Z0-9-]+)<', received.content.decode()).group(1)
        again = public.post(
            reverse("public_complaints:submit"), {"token": token, "kind": "report", "content": "x", **canary.identity()}
        )
        assert again.status_code == 409
        c = Complaint.objects.get()

        # 2. the pipeline: the officer accepts and routes; the township handles, closes and answers
        officer, staff = _login(complaint_officer), _login(staff_a)
        step = lambda client, name, data: client.post(reverse(f"incidents:complaint_{name}", args=[c.pk]), data)  # noqa: E731
        assert step(officer, "accept", {"accept-note": "属于职责范围"}).status_code == 302
        assert step(officer, "route", {"route-township": township_a.pk, "route-note": ""}).status_code == 302
        assert step(staff, "start", {"start-note": ""}).status_code == 302
        assert step(staff, "close", {"close-upheld": "1", "close-result_text": "查证属实，立案查处"}).status_code == 302
        assert step(staff, "feedback", {"feedback-feedback_text": "已立案查处，感谢您的举报"}).status_code == 302

        # 3. reward: assessed and paid by the officer (a refused one first)
        assert step(officer, "reward", {"reward-level": "", "reward-fines": ""}).status_code == 400
        assert (
            step(
                officer, "reward", {"reward-level": "3", "reward-fines": "20000", "reward-not_excluded": "on"}
            ).status_code
            == 302
        )
        from django.utils import timezone

        paid = {"pay-paid_on": timezone.localdate().isoformat(), "pay-paid": "1000.00", "pay-voucher_no": "PZ-2026-1"}
        assert step(officer, "reward_pay", paid).status_code == 302

        # 4. the officer unmasks: the one place the identity is shown
        unmask_url = reverse("incidents:complaint_unmask", args=[c.pk])
        shown = officer.post(unmask_url, {"reason": "核实身份以发放奖励"})
        assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
        assert set(scan_text(shown.content.decode(), needles)) == set(needles)  # the plant is real
        responses.append(("officer unmask form (GET)", officer.get(unmask_url).content.decode()))

        # 5. exports: synchronous for each role that may export, and through the export job
        for who, client in (("officer", officer), ("staff_a", staff), ("city_staff", _login(city_staff))):
            response = client.get(reverse("incidents:complaint_export"))
            assert response.status_code == 200, who
            exports.append((who, response.content))
        monkeypatch.setattr(complaint_views.ComplaintExportView, "sync_max_rows", 0)
        assert staff.get(reverse("incidents:complaint_export"), {"q": ""}).status_code == 302
        job = Job.objects.get(kind=EXPORT_JOB_KIND)
        job_run(job.pk)
        job.refresh_from_db()
        assert job.status == "done", job.error
        from apps.incidents.complaints.exports import export_file_path

        exports.append(("export job file", export_file_path(job.pk).read_bytes()))
        download = staff.get(reverse("incidents:complaint_export_download", args=[job.pk]))
        exports.append(("export job download", b"".join(download.streaming_content)))

        # 6. pages and API of every role (the officer's too, but for the unmask page)
        _, token_raw = api_client_create(
            name="canary-client", scopes=["complaints:read"], township_codes=[township_a.code]
        )
        token_client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token_raw}")
        for who, user in (
            ("staff_a", staff_a),
            ("city_staff", city_staff),
            ("leader", leader),
            ("officer", complaint_officer),
        ):
            client = _login(user)
            for url in (
                reverse("incidents:complaints"),
                reverse("incidents:complaint_detail", args=[c.pk]),
                reverse("home"),
            ):
                response = client.get(url)
                assert response.status_code == 200, (who, url, response.status_code)
                responses.append((f"{who} page {url}", response.content.decode()))
            searched = client.get(reverse("incidents:complaints"), {"q": canary.name})
            assert searched.context["page"].paginator.count == 0, who  # the identity is not searchable either
            api = APIClient()
            api.force_authenticate(user)
            for url in (
                "/api/v1/incidents/complaints/",
                f"/api/v1/incidents/complaints/{c.pk}/",
                "/api/v1/incidents/complaints/?updated_since=2000-01-01",
            ):
                response = api.get(url)
                assert response.status_code == 200, (who, url)
                responses.append((f"{who} api {url}", response.content.decode()))
        for url in ("/api/v1/incidents/complaints/", "/api/v1/incidents/complaints/?updated_since=2000-01-01"):
            response = token_client.get(url)
            assert response.status_code == 200
            responses.append((f"api client {url}", response.content.decode()))
        audit = _login(reference_audit_admin())
        responses.append(("audit list", audit.get(reverse("audit:list")).content.decode()))

        # 7. the public status page by query code
        status = public.post(reverse("public_complaints:status"), {"code": code})
        assert status.status_code == 200 and "感谢您的举报" in status.content.decode()
        responses.append(("public status page", status.content.decode()))

    # the plant worked: the ciphertext exists and holds no plaintext
    assert ("incidents_reporteridentity", "name") in encrypted_columns()
    # nowhere in the database outside the ciphertext columns
    hits = scan_database(needles)
    assert hits == [], hits
    assert len(scan_database.last_columns) > 100  # every table was read, not a handful
    # ... and nowhere in the ciphertext either, in clear
    assert scan_database(needles, skip=set()) == []
    # not in the logs, the exports, any page or API response
    assert logs.lines, "the log capture saw nothing (the 400 and 409 above are logged by django.request)"
    assert scan_text(logs.text(), needles) == []
    for who, content in exports:
        assert scan_xlsx(content, needles) == [], who
    for who, body in responses:
        assert scan_text(body, needles) == [], who


def reference_audit_admin():
    from tests.conftest import make_user

    return make_user("canary-auditor", "audit_admin")


def test_the_scanner_finds_a_plant_in_text_json_logs_and_xlsx(reference, township_a):
    """The scanner can fail: a canary copied into a text column, a JSON column (escaped), a log line and a workbook
    is found in each."""
    import logging

    from apps.common.audit import audit_record
    from apps.common.excel import ExportColumn, write_workbook
    from apps.incidents.models import ComplaintEvent

    from .complaints_helpers import new_complaint

    canary = Canary.new()
    c = new_complaint(township_a, identity={**canary.identity(), "reward_claimed": True}, kind="report")
    assert scan_database(canary.values()) == []  # encrypted: only ciphertext
    ComplaintEvent.objects.create(complaint=c, at=c.received_at, action="泄露", note=f"联系 {canary.phone}")
    audit_record("incidents.complaint_accept", obj=c, extra={"who": canary.name})
    hits = scan_database(canary.values())
    assert ("incidents_complaintevent", "note", canary.phone) in hits
    assert ("common_auditevent", "extra", canary.name) in hits
    with capture_logs() as logs:
        logging.getLogger("apps.incidents").info("reporter %s", canary.contact)
    assert scan_text(logs.text(), canary.values()) == [canary.contact]
    content, _ = write_workbook(sheet_title="t", columns=[ExportColumn("x")], rows=[[canary.id_number]], about={})
    assert scan_xlsx(content, canary.values()) == [canary.id_number]
