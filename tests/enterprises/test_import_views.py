"""Import pages: permissions, size cap (413), dry-run report, error list download, confirm → job page."""

import io

import openpyxl
import pytest
from django.urls import reverse

from apps.common.models import AuditEvent, Job, JobStatus
from apps.enterprises import imports
from apps.enterprises.models import Enterprise
from tests.fixtures_xlsx.builders import valid_rows, workbook

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def _file(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def client_a(client, staff_a):
    client.force_login(staff_a)
    return client


class TestAccess:
    @pytest.mark.parametrize("name", ["enterprises:import", "enterprises:import_template"])
    def test_anonymous_is_sent_to_login(self, client, name, reference):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/" in response["Location"]

    @pytest.mark.parametrize("name", ["enterprises:import", "enterprises:import_template"])
    def test_users_without_the_import_permission_get_403(self, client, inspector_a, name):
        client.force_login(inspector_a)
        assert client.get(reverse(name)).status_code == 403

    def test_someone_elses_report_is_404(self, client, staff_a, staff_b):
        upload_id, _ = imports.enterprise_import_upload(
            actor=staff_a, data=workbook(valid_rows(1, townships=["硖石街道"])), filename="a.xlsx"
        )
        client.force_login(staff_b)
        assert client.get(reverse("enterprises:import_report", args=[upload_id])).status_code == 404
        assert client.get(reverse("enterprises:import_errors", args=[upload_id])).status_code == 404
        assert client.post(reverse("enterprises:import_confirm", args=[upload_id])).status_code == 404
        assert Job.objects.count() == 0


class TestPages:
    def test_upload_page_links_the_template(self, client_a):
        response = client_a.get(reverse("enterprises:import"))
        assert response.status_code == 200
        assert reverse("enterprises:import_template") in response.content.decode()

    def test_template_download_is_an_xlsx_attachment(self, client_a):
        response = client_a.get(reverse("enterprises:import_template"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        assert wb.sheetnames[0] == "检查对象"

    def test_valid_upload_shows_dry_run_counts_and_confirm_button(self, client_a):
        response = client_a.post(
            reverse("enterprises:import"), {"file": _file(workbook(valid_rows(3, townships=["硖石街道"])), "a.xlsx")}
        )
        assert response.status_code == 302
        page = client_a.get(response["Location"])
        html = page.content.decode()
        assert "预检通过" in html and "确认导入" in html
        assert page.context["counts"]["created"] == 3
        assert Enterprise.objects.count() == 0

    def test_invalid_upload_lists_row_errors_and_offers_the_error_list(self, client_a):
        rows = valid_rows(3, townships=["硖石街道"])
        rows[1]["所属镇街"] = "许村镇"
        response = client_a.post(reverse("enterprises:import"), {"file": _file(workbook(rows), "b.xlsx")})
        page = client_a.get(response["Location"])
        html = page.content.decode()
        assert "第 3 行" in html and "不在您的管辖范围内" in html
        assert "确认导入" not in html
        upload_id = response["Location"].rstrip("/").split("/")[-1]
        errors = client_a.get(reverse("enterprises:import_errors", args=[upload_id]))
        assert errors.status_code == 200 and errors["Content-Disposition"].startswith("attachment;")
        ws = openpyxl.load_workbook(io.BytesIO(errors.content)).active
        assert ws["A2"].value == "3" and "管辖范围" in ws["D2"].value

    def test_only_first_200_errors_are_shown_with_the_total(self, client_a):
        rows = valid_rows(250, townships=["硖石街道"])
        for row in rows:
            row["所属镇街"] = "火星镇"
        response = client_a.post(reverse("enterprises:import"), {"file": _file(workbook(rows), "c.xlsx")})
        page = client_a.get(response["Location"])
        assert len(page.context["errors"]) == 200
        assert "显示前 200 条，共 250 条" in page.content.decode()

    def test_unsafe_file_is_refused_inline_with_400_and_nothing_stored(self, client_a):
        before = set(imports.upload_dir().iterdir())
        response = client_a.post(
            reverse("enterprises:import"), {"file": _file(b"<html><body>x</body></html>", "x.xlsx")}
        )
        assert response.status_code == 400
        assert "网页（HTML）" in response.content.decode()
        assert set(imports.upload_dir().iterdir()) == before

    def test_missing_file_is_400(self, client_a):
        response = client_a.post(reverse("enterprises:import"), {})
        assert response.status_code == 400 and "请选择" in response.content.decode()

    def test_ten_megabytes_plus_one_byte_is_413(self, client_a):
        data = b"PK\x03\x04" + b"\x00" * (10 * MB - 3)
        assert len(data) == 10 * MB + 1
        response = client_a.post(reverse("enterprises:import"), {"file": _file(data, "big.xlsx")})
        assert response.status_code == 413
        assert "文件过大" in response.content.decode()

    def test_huge_body_is_refused_before_reading(self, client_a):
        response = client_a.generic(
            "POST",
            reverse("enterprises:import"),
            data=b"",
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH=str(200 * MB),
        )
        assert response.status_code == 413

    def test_upload_still_requires_the_csrf_token(self, staff_a):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(staff_a)
        data = workbook(valid_rows(1, townships=["硖石街道"]))
        response = client.post(reverse("enterprises:import"), {"file": _file(data, "a.xlsx")})
        assert response.status_code == 403

    def test_confirm_starts_the_job_and_lands_on_the_job_page(self, client_a, django_capture_on_commit_callbacks):
        response = client_a.post(
            reverse("enterprises:import"), {"file": _file(workbook(valid_rows(2, townships=["硖石街道"])), "a.xlsx")}
        )
        upload_id = response["Location"].rstrip("/").split("/")[-1]
        with django_capture_on_commit_callbacks(execute=True):
            confirm = client_a.post(reverse("enterprises:import_confirm", args=[upload_id]))
        job = Job.objects.get(kind="enterprises.import")
        assert confirm.status_code == 302 and confirm["Location"] == reverse("jobs:detail", args=[job.pk])
        job.refresh_from_db()
        assert job.status == JobStatus.DONE, job.error
        assert Enterprise.objects.count() == 2
        assert AuditEvent.objects.filter(action="enterprise.import").count() == 1
        page = client_a.get(confirm["Location"])
        assert page.status_code == 200 and "新增 2 条" in page.content.decode()
        report = client_a.get(reverse("enterprises:import_report", args=[upload_id])).content.decode()
        assert "该文件已导入" in report and "确认导入" not in report

    def test_get_on_confirm_is_not_allowed(self, client_a):
        assert client_a.get(reverse("enterprises:import_confirm", args=["0" * 32])).status_code == 405


def test_report_page_follows_a_large_check_with_a_progress_bar(client_a, settings):
    settings.ENTERPRISE_IMPORT_SYNC_ROWS = 1
    response = client_a.post(
        reverse("enterprises:import"), {"file": _file(workbook(valid_rows(3, townships=["硖石街道"])), "a.xlsx")}
    )
    assert response.status_code == 302
    page = client_a.get(response["Location"]).content.decode()
    assert "正在后台预检" in page and 'hx-trigger="every 2s"' in page
    assert "确认导入" not in page
