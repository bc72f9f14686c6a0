"""Excel import: template, dry run (every row error with its row number), commit (all or nothing, upsert by USCC,
one audit event), the job, and the upload storage (issue 3 point 4)."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from apps.common.exceptions import DomainError
from apps.common.jobs import job_run
from apps.common.models import AuditEvent, Job, JobStatus
from apps.enterprises import imports
from apps.enterprises.choices import EnterpriseStatus
from apps.enterprises.identifiers import make_uscc
from apps.enterprises.models import Enterprise, ImportRecord, Licence
from tests.fixtures_xlsx.builders import HEADERS, valid_rows, workbook

pytestmark = pytest.mark.django_db


def rows_a(n=3, **kw):
    return valid_rows(n, townships=["硖石街道"], **kw)


def messages(report):
    return [str(i) for i in report.errors]


def import_events():
    return AuditEvent.objects.filter(action="enterprise.import")


# ------------------------------------------------------------------------------------------------ template
class TestTemplate:
    def test_template_has_chinese_headers_comments_and_dropdowns_of_own_townships(self, staff_a):
        wb = openpyxl.load_workbook(io.BytesIO(imports.enterprise_import_template(actor=staff_a)))
        ws = wb["检查对象"]
        headers = [c.value for c in ws[1]]
        assert headers[:5] == ["统一社会信用代码*", "校验例外说明", "名称*", "所属镇街*", "业态*"]
        assert len(headers) == len(imports.COLUMNS)
        for cell in ws[1]:
            assert cell.comment is not None and cell.comment.text.startswith(("【必填】", "【选填】"))
        assert "18 位" in ws["A1"].comment.text
        options = wb["选项"]
        assert options.sheet_state == "hidden"
        lists = {options.cell(1, c).value: c for c in range(1, options.max_column + 1)}
        townships = [options.cell(r, lists["镇街"]).value for r in range(2, options.max_row + 1)]
        assert [t for t in townships if t] == ["硖石街道"]  # only the importer's own township
        types = [options.cell(r, lists["业态"]).value for r in range(2, options.max_row + 1)]
        assert "餐饮服务" in types and "学校食堂" in types
        validations = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
        by_header = {c.header: c for c in imports.COLUMNS}
        letters = {c.header: openpyxl.utils.get_column_letter(i + 1) for i, c in enumerate(imports.COLUMNS)}
        for header in ("所属镇街", "业态", "经营状态", "阳光厨房", "冷链", "许可证类型", "规模", "品牌标识"):
            dv = validations[f"{letters[header]}2"]
            assert dv.type == "list" and "选项" in dv.formula1, header
            assert by_header[header].choices
        assert str(validations[f"{letters['所属镇街']}2"].sqref).endswith("10001")

    def test_city_staff_template_lists_every_township(self, city_staff):
        wb = openpyxl.load_workbook(io.BytesIO(imports.enterprise_import_template(actor=city_staff)))
        options = wb["选项"]
        assert len([c for c in options["A"][1:] if c.value]) == 12

    def test_template_needs_the_import_permission(self, inspector_a):
        with pytest.raises(PermissionDenied):
            imports.enterprise_import_template(actor=inspector_a)

    def test_filled_template_imports(self, staff_a):
        """The downloaded template, filled in by a person (rows below the headers), passes the dry run."""
        content = imports.enterprise_import_template(actor=staff_a)
        wb = openpyxl.load_workbook(io.BytesIO(content))
        ws = wb["检查对象"]
        header_index = {c.value.rstrip("*"): c.column for c in ws[1]}
        for r, row in enumerate(rows_a(2), start=2):
            for header, value in row.items():
                ws.cell(r, header_index[header], value)
        buf = io.BytesIO()
        wb.save(buf)
        report = imports.enterprise_import_check(actor=staff_a, data=buf.getvalue(), filename="模板.xlsx")
        assert report.errors == [] and report.rows == 2
        assert report.counts["created"] == 2


# ------------------------------------------------------------------------------------------------ dry run
class TestDryRun:
    def test_valid_file_reports_counts_and_writes_nothing(self, staff_a):
        before = AuditEvent.objects.count()
        report = imports.enterprise_import_check(actor=staff_a, data=workbook(rows_a(5)), filename="a.xlsx")
        assert report.ok, messages(report)
        assert report.rows == 5
        assert (report.counts["created"], report.counts["updated"], report.counts["unchanged"]) == (5, 0, 0)
        assert Enterprise.objects.count() == 0
        assert AuditEvent.objects.count() == before

    def test_every_row_error_is_listed_with_row_number_and_chinese_reason(self, staff_a, township_b):
        rows = rows_a(6)
        rows[0]["统一社会信用代码"] = "91330481ABC"  # shape
        rows[1]["所属镇街"] = "火星镇"  # unknown
        rows[2]["所属镇街"] = "许村镇"  # outside scope
        rows[3]["发证日期"] = "2024-02-30"  # bad date
        rows[4]["业态"] = "太空餐厅"  # unknown business type
        rows[5]["统一社会信用代码"] = rows[0]["统一社会信用代码"] = rows[1]["统一社会信用代码"]  # duplicate
        report = imports.enterprise_import_check(actor=staff_a, data=workbook(rows), filename="bad.xlsx")
        text = messages(report)
        assert not report.ok
        assert any(m.startswith("第 3 行「所属镇街」：未知的镇街「火星镇」") for m in text), text
        assert any(m.startswith("第 4 行「所属镇街」：「许村镇」不在您的管辖范围内") for m in text), text
        assert any(m.startswith("第 5 行「发证日期」：日期「2024-02-30」不存在") for m in text), text
        assert any(m.startswith("第 6 行「业态」：未知的业态「太空餐厅」") for m in text), text
        assert any(m.startswith("第 7 行「统一社会信用代码」：与第 2 行") for m in text), text
        assert {i.row for i in report.errors} >= {3, 4, 5, 6, 7}
        assert Enterprise.objects.count() == 0

    def test_check_character_mismatch_needs_a_reason(self, staff_a):
        rows = rows_a(2)
        good = rows[0]["统一社会信用代码"]
        wrong = good[:17] + ("0" if good[17] != "0" else "1")
        rows[0]["统一社会信用代码"] = wrong
        rows[1]["统一社会信用代码"] = make_uscc("91330481", "55555555")[:17] + "0"
        if rows[1]["统一社会信用代码"] == make_uscc("91330481", "55555555"):
            rows[1]["统一社会信用代码"] = rows[1]["统一社会信用代码"][:17] + "1"
        rows[1]["校验例外说明"] = "营业执照原文如此，已电话核对"
        headers = [*HEADERS, "校验例外说明"]
        report = imports.enterprise_import_check(actor=staff_a, data=workbook(rows, headers=headers))
        assert [i.row for i in report.errors] == [2], messages(report)
        assert "校验" in report.errors[0].message
        assert [i.row for i in report.warnings] == [3]

    def test_loose_values_are_understood(self, staff_a):
        """Excel serial dates, datetime cells, text dates, full-width characters, stray spaces, empty rows."""
        rows = rows_a(6)
        rows[0].update({"发证日期": 45296, "有效期至": dt.datetime(2029, 1, 4)})  # serial = 2024-01-05
        rows[1].update({"发证日期": "2024/1/5", "有效期至": "2029年1月4日"})
        rows[2].update({"发证日期": "20240105", "有效期至": " ２０２９－０１－０４ "})
        rows[3].update({"统一社会信用代码": " " + rows[3]["统一社会信用代码"].lower() + "\u3000", "名称": "  某店  "})
        rows[4].update({"所属镇街": " 硖石 ", "阳光厨房": "√", "冷链": "N", "从业人员健康证数": "１２"})
        rows[5].update({"联系电话": 13800000000, "城乡": " 农村"})
        rows.insert(3, {})  # an empty row in the middle
        report = imports.enterprise_import_check(actor=staff_a, data=workbook(rows))
        assert report.errors == [], messages(report)
        assert report.rows == 6
        imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        issued = set(Licence.objects.values_list("issued_on", flat=True))
        assert dt.date(2024, 1, 5) in issued
        assert Licence.objects.filter(issued_on=dt.date(2024, 1, 5), expires_on=dt.date(2029, 1, 4)).count() == 3
        fourth = Enterprise.objects.get(uscc=rows[4]["统一社会信用代码"].strip().upper())
        assert fourth.name == "某店"
        fifth = Enterprise.objects.get(name=rows[5]["名称"])
        assert fifth.sunshine_kitchen is True and fifth.cold_chain is False and fifth.health_cert_count == 12
        sixth = Enterprise.objects.get(name=rows[6]["名称"])
        assert sixth.contact_phone == "13800000000" and sixth.area_type == "rural"

    def test_optional_columns_may_be_left_out(self, staff_a):
        rows = rows_a(2)
        report = imports.enterprise_import_check(
            actor=staff_a, data=workbook(rows, headers=["统一社会信用代码", "名称", "所属镇街", "业态"])
        )
        assert report.ok, messages(report)

    def test_header_aliases_and_marks_are_accepted(self, staff_a):
        rows = rows_a(1)
        headers = ["统一社会信用代码*", " 名称 ", "所属镇街（必填）", "业态＊", "法定代表人"]
        rows[0]["统一社会信用代码*"] = rows[0]["统一社会信用代码"]
        rows[0][" 名称 "] = rows[0]["名称"]
        rows[0]["所属镇街（必填）"] = rows[0]["所属镇街"]
        rows[0]["业态＊"] = rows[0]["业态"]
        rows[0]["法定代表人"] = "王五"
        report = imports.enterprise_import_check(actor=staff_a, data=workbook(rows, headers=headers))
        assert report.ok, messages(report)

    def test_numbers_typed_as_text_are_read(self, staff_a):
        rows = rows_a(1)
        rows[0].update({"从业人员健康证数": " 7 ", "许可证编号": rows[0]["许可证编号"]})
        report = imports.enterprise_import_check(actor=staff_a, data=workbook(rows))
        assert report.ok, messages(report)

    def test_data_in_a_column_without_header_is_an_error(self, staff_a):
        def edit(ws):
            ws.cell(2, len(HEADERS) + 2, "多余的数据")

        report = imports.enterprise_import_check(actor=staff_a, data=workbook(rows_a(1), edit=edit))
        assert any("没有表头" in m for m in messages(report))

    def test_existing_enterprise_of_another_township_cannot_be_touched(self, staff_a, staff_b):
        rows = valid_rows(1, townships=["许村镇"])
        imports.enterprise_import_commit(actor=staff_b, data=workbook(rows))
        mine = dict(rows[0], 所属镇街="硖石街道")
        report = imports.enterprise_import_check(actor=staff_a, data=workbook([mine]))
        assert any("管辖范围以外" in m for m in messages(report)), messages(report)


# ------------------------------------------------------------------------------------------------ commit
class TestCommit:
    def test_commit_creates_rows_with_licences_and_one_audit_event(self, staff_a):
        rows = rows_a(4)
        result = imports.enterprise_import_commit(actor=staff_a, data=workbook(rows), filename="a.xlsx")
        assert (result["created"], result["updated"], result["unchanged"]) == (4, 0, 0)
        assert Enterprise.objects.count() == 4
        assert Licence.objects.count() == 4
        ent = Enterprise.objects.get(uscc=rows[0]["统一社会信用代码"])
        assert ent.township.name == "硖石街道" and ent.business_type.name == rows[0]["业态"]
        assert ent.created_by == staff_a and ent.version == 1
        assert ent.food_categories.count() >= 1
        events = list(import_events())
        assert len(events) == 1
        assert events[0].extra["created"] == 4 and events[0].extra["file"] == "a.xlsx"
        assert events[0].actor_id == staff_a.pk

    def test_reimporting_the_same_file_changes_nothing(self, staff_a):
        data = workbook(rows_a(5))
        imports.enterprise_import_commit(actor=staff_a, data=data)
        versions = dict(Enterprise.objects.values_list("uscc", "version"))
        stamps = dict(Enterprise.objects.values_list("uscc", "updated_at"))
        result = imports.enterprise_import_commit(actor=staff_a, data=data)
        assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 5)
        assert Enterprise.objects.count() == 5 and Licence.objects.count() == 5
        assert dict(Enterprise.objects.values_list("uscc", "version")) == versions
        assert dict(Enterprise.objects.values_list("uscc", "updated_at")) == stamps
        assert import_events().count() == 2
        assert import_events().order_by("-seq").first().extra["unchanged"] == 5

    def test_changed_rows_are_updated_and_bump_version_only_there(self, staff_a):
        rows = rows_a(3)
        imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        rows[1]["联系电话"] = "0573-87001234"
        rows[2]["有效期至"] = "2031-12-31"
        result = imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        assert (result["created"], result["updated"], result["unchanged"]) == (0, 2, 1)
        by_uscc = {e.uscc: e for e in Enterprise.objects.all()}
        assert by_uscc[rows[0]["统一社会信用代码"]].version == 1
        assert by_uscc[rows[1]["统一社会信用代码"]].version == 2
        assert by_uscc[rows[1]["统一社会信用代码"]].contact_phone == "0573-87001234"
        assert by_uscc[rows[2]["统一社会信用代码"]].version == 2
        assert by_uscc[rows[2]["统一社会信用代码"]].licences.get().expires_on == dt.date(2031, 12, 31)

    def test_a_row_edited_between_plan_and_write_is_planned_again_on_the_locked_rows(self, staff_a, monkeypatch):
        """The commit plans, then opens its transaction; a matched row whose version moved meanwhile makes it plan
        again from the parsed rows (released only after that) on locked rows, against the row as it is now."""
        from django.db.models import F

        from apps.enterprises.imports import plan as plan_mod

        rows = rows_a(3)
        imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        rows[0]["联系电话"] = "0573-87001234"
        rows.append(rows_a(4)[3])
        edited = Enterprise.objects.get(uscc=rows[1]["统一社会信用代码"])
        calls = []
        real_plan = plan_mod._plan

        def plan_then_someone_edits(parsed_rows, **kw):
            calls.append((len(parsed_rows), kw["lock"]))
            plan = real_plan(parsed_rows, **kw)
            if not kw["lock"]:  # another user saves row 3's enterprise (its contact) after the first plan
                Enterprise.objects.filter(pk=edited.pk).update(contact_person="另一人", version=F("version") + 1)
            return plan

        monkeypatch.setattr(plan_mod, "_plan", plan_then_someone_edits)
        result = imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        assert calls == [(4, False), (4, True)]
        # planned again: row 3 now differs from the file (its contact was edited), so the file's value is restored
        assert (result["created"], result["updated"], result["unchanged"]) == (1, 2, 1)
        edited.refresh_from_db()
        assert edited.contact_person == rows[1]["联系人"] and edited.version == 3
        assert Enterprise.objects.get(uscc=rows[0]["统一社会信用代码"]).contact_phone == "0573-87001234"
        assert Enterprise.objects.filter(uscc=rows[3]["统一社会信用代码"]).exists()

    def test_empty_cells_keep_stored_values(self, staff_a):
        rows = rows_a(1)
        imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        sparse = {h: rows[0][h] for h in ("统一社会信用代码", "名称", "所属镇街", "业态")}
        result = imports.enterprise_import_commit(actor=staff_a, data=workbook([sparse]))
        assert result["unchanged"] == 1
        ent = Enterprise.objects.get()
        assert ent.contact_phone == rows[0]["联系电话"]

    def test_status_column_deactivates(self, staff_a):
        rows = rows_a(1)
        imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        rows[0]["经营状态"] = "停业"
        imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        ent = Enterprise.objects.get()
        assert ent.status == EnterpriseStatus.SUSPENDED and ent.deactivated_at is not None

    def test_any_error_writes_nothing(self, staff_a):
        rows = rows_a(4)
        rows[3]["所属镇街"] = "许村镇"
        before = AuditEvent.objects.count()
        with pytest.raises(DomainError) as exc:
            imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        assert "未写入任何数据" in exc.value.message and "第 5 行" in exc.value.message
        assert exc.value.fields["error_count"] == 1
        assert Enterprise.objects.count() == 0 and Licence.objects.count() == 0
        assert AuditEvent.objects.count() == before

    def test_database_conflict_found_at_commit_rolls_back_everything(self, staff_a):
        """A licence number taken by another enterprise (found only against the database) refuses the whole file."""
        first = rows_a(1)
        imports.enterprise_import_commit(actor=staff_a, data=workbook(first))
        rows = rows_a(3, start=100)
        rows[2]["许可证类型"], rows[2]["许可证编号"] = first[0]["许可证类型"], first[0]["许可证编号"]
        with pytest.raises(DomainError) as exc:
            imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        assert "第 4 行" in exc.value.message
        assert Enterprise.objects.count() == 1


# ------------------------------------------------------------------------------------------------ upload + job
class TestUploadAndJob:
    def test_upload_stores_a_valid_file_under_a_uuid_outside_the_web_root(self, staff_a, settings):
        upload_id, report = imports.enterprise_import_upload(
            actor=staff_a, data=workbook(rows_a(2)), filename="../../etc/passwd.xlsx"
        )
        assert report.ok
        path = imports.upload_dir() / f"{upload_id}.xlsx"
        assert path.exists() and str(path).startswith(str(settings.MEDIA_ROOT))
        meta = imports.upload_report(actor=staff_a, upload_id=upload_id)
        assert meta["filename"] == "passwd.xlsx" and meta["status"] == "checked"

    def test_invalid_upload_keeps_only_the_report(self, staff_a):
        rows = rows_a(2)
        rows[0]["所属镇街"] = "火星镇"
        upload_id, report = imports.enterprise_import_upload(actor=staff_a, data=workbook(rows), filename="x.xlsx")
        assert not report.ok
        assert not (imports.upload_dir() / f"{upload_id}.xlsx").exists()
        assert imports.upload_report(actor=staff_a, upload_id=upload_id)["error_count"] == 1
        with pytest.raises(DomainError):
            imports.enterprise_import_confirm(actor=staff_a, upload_id=upload_id)

    def test_unsafe_upload_stores_nothing(self, staff_a):
        before = set(imports.upload_dir().iterdir())
        upload_id, report = imports.enterprise_import_upload(actor=staff_a, data=b"a,b\n1,2\n", filename="x.xlsx")
        assert upload_id == "" and report.refused_file
        assert set(imports.upload_dir().iterdir()) == before

    def test_reports_are_private_to_their_uploader(self, staff_a, user_factory, township_a):
        other = user_factory("staff_a2", "township_staff", [township_a])
        upload_id, _ = imports.enterprise_import_upload(actor=staff_a, data=workbook(rows_a(1)), filename="a.xlsx")
        with pytest.raises(FileNotFoundError):
            imports.upload_report(actor=other, upload_id=upload_id)
        with pytest.raises(FileNotFoundError):
            imports.enterprise_import_confirm(actor=other, upload_id=upload_id)
        with pytest.raises(FileNotFoundError):
            imports.upload_report(actor=staff_a, upload_id="../../etc/passwd")

    def test_confirm_runs_the_job_with_progress_and_deletes_the_upload(
        self, staff_a, django_capture_on_commit_callbacks
    ):
        upload_id, _ = imports.enterprise_import_upload(actor=staff_a, data=workbook(rows_a(3)), filename="a.xlsx")
        with django_capture_on_commit_callbacks(execute=True):
            job = imports.enterprise_import_confirm(actor=staff_a, upload_id=upload_id)
        job.refresh_from_db()
        assert job.kind == "enterprises.import" and job.status == JobStatus.DONE, job.error
        assert job.progress == 100 and "新增 3 条" in job.message
        assert job.result["created"] == 3
        assert Enterprise.objects.count() == 3
        assert not (imports.upload_dir() / f"{upload_id}.xlsx").exists()
        record = ImportRecord.objects.get(pk=upload_id)  # the import record (no JSON sidecar files)
        assert record.status == "committed" and str(record.job_id) == str(job.pk)
        assert not list(imports.upload_dir().glob("*.json"))
        # confirming a committed upload again is refused; nothing more is imported
        with pytest.raises(DomainError):
            imports.enterprise_import_confirm(actor=staff_a, upload_id=upload_id)
        assert import_events().count() == 1

    def test_double_confirm_starts_one_job(self, staff_a):
        upload_id, _ = imports.enterprise_import_upload(actor=staff_a, data=workbook(rows_a(1)), filename="a.xlsx")
        first = imports.enterprise_import_confirm(actor=staff_a, upload_id=upload_id)
        second = imports.enterprise_import_confirm(actor=staff_a, upload_id=upload_id)
        assert first.pk == second.pk and Job.objects.filter(kind="enterprises.import").count() == 1

    def test_redelivered_job_does_not_import_twice(self, staff_a, django_capture_on_commit_callbacks):
        upload_id, _ = imports.enterprise_import_upload(actor=staff_a, data=workbook(rows_a(2)), filename="a.xlsx")
        with django_capture_on_commit_callbacks(execute=True):
            job = imports.enterprise_import_confirm(actor=staff_a, upload_id=upload_id)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.PENDING, finished_at=None)  # as if the ack was lost
        assert job_run(str(job.pk)) == JobStatus.DONE
        assert import_events().count() == 1
        assert Job.objects.get(pk=job.pk).result["created"] == 2

    def test_job_fails_cleanly_when_data_changed_since_the_dry_run(self, staff_a, staff_b):
        rows = rows_a(2)
        upload_id, report = imports.enterprise_import_upload(actor=staff_a, data=workbook(rows), filename="a.xlsx")
        assert report.ok
        staff_a.townships.clear()  # scope lost between dry run and commit
        staff_a._township_ids_cache = None
        job = imports.enterprise_import_confirm(actor=staff_a, upload_id=upload_id)
        assert job_run(str(job.pk)) == JobStatus.FAILED
        job.refresh_from_db()
        assert "未写入任何数据" in job.error
        assert Enterprise.objects.count() == 0

    def test_expired_uploads_are_purged(self, staff_a):
        upload_id, _ = imports.enterprise_import_upload(actor=staff_a, data=workbook(rows_a(1)), filename="a.xlsx")
        removed = imports.uploads_purge(now=9e12)
        assert removed >= 2  # the workbook and its record
        assert not ImportRecord.objects.filter(pk=upload_id).exists()
        assert not (imports.upload_dir() / f"{upload_id}.xlsx").exists()

    def test_error_list_workbook_has_every_error(self, staff_a):
        rows = rows_a(3)
        for row in rows:
            row["所属镇街"] = "火星镇"

        def text_that_looks_like_a_formula(ws):
            ws["C2"].value = "=1+1"
            ws["C2"].data_type = "s"  # a text cell (as typed with a leading apostrophe), not a formula

        data = workbook(rows, edit=text_that_looks_like_a_formula)
        upload_id, report = imports.enterprise_import_upload(actor=staff_a, data=data, filename="a.xlsx")
        content, filename = imports.upload_error_workbook(actor=staff_a, upload_id=upload_id)
        assert filename == "a-错误清单.xlsx"
        ws = openpyxl.load_workbook(io.BytesIO(content)).active
        assert [c.value for c in ws[1]] == ["行号", "列", "原值", "错误原因"]
        assert ws.max_row == 1 + len(report.errors) == 4
        assert all(c.data_type == "s" for row in ws.iter_rows() for c in row if c.value is not None)
        assert ws["C2"].value == "'=1+1"  # neutralised (SECURITY.md EXP-01)


# ------------------------------------------------------------------------------------------------ rules and queries
class TestRulesAndQueries:
    def test_query_count_does_not_grow_with_rows(self, staff_a):
        """The plan reads per chunk of 1,000 rows, never per row (re-import of 3 vs 30 unchanged rows)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        small, big = workbook(rows_a(3)), workbook(rows_a(30, start=3))
        imports.enterprise_import_commit(actor=staff_a, data=small)
        imports.enterprise_import_commit(actor=staff_a, data=big)
        counts = []
        for data in (small, big):
            with CaptureQueriesContext(connection) as ctx:
                imports.enterprise_import_commit(actor=staff_a, data=data)
            counts.append(len(ctx))
        assert counts[0] == counts[1], counts

    def test_first_import_query_count_does_not_grow_with_rows(self, staff_a):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        imports.enterprise_import_commit(actor=staff_a, data=workbook(rows_a(1, start=500)))  # warm caches
        counts = []
        for n, start in ((3, 0), (20, 100)):  # SQLite inserts ~24 enterprises per statement: stay in one batch
            with CaptureQueriesContext(connection) as ctx:
                imports.enterprise_import_commit(actor=staff_a, data=workbook(rows_a(n, start=start)))
            counts.append(len(ctx))
        assert counts[0] == counts[1], counts

    def test_a_row_edited_between_check_and_write_is_planned_again_under_lock(self, staff_a, monkeypatch):
        from django.db.models import F

        rows = rows_a(2)
        imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        target = Enterprise.objects.get(uscc=rows[0]["统一社会信用代码"])
        rows[0]["联系人"] = "文件里的新联系人"
        calls = []
        real_plan = imports.plan._plan

        def plan_then_someone_edits(*args, **kwargs):
            result = real_plan(*args, **kwargs)
            calls.append(kwargs["lock"])
            if len(calls) == 1:  # a colleague saves the enterprise page right after our check
                Enterprise.objects.filter(pk=target.pk).update(version=F("version") + 1, contact_phone="0573-1")
            return result

        monkeypatch.setattr(imports.plan, "_plan", plan_then_someone_edits)
        result = imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        assert calls == [False, True]
        assert (result["updated"], result["unchanged"]) == (1, 1)
        target.refresh_from_db()
        assert target.contact_person == "文件里的新联系人"
        assert target.contact_phone == rows[0]["联系电话"]  # the file is what the user confirmed
        assert target.version == 3  # 1, then the colleague's save, then the import

    def test_township_of_an_existing_enterprise_cannot_change(self, city_staff):
        rows = valid_rows(1, townships=["硖石街道"])
        imports.enterprise_import_commit(actor=city_staff, data=workbook(rows))
        rows[0]["所属镇街"] = "许村镇"
        report = imports.enterprise_import_check(actor=city_staff, data=workbook(rows))
        assert [(i.row, i.column) for i in report.errors] == [(2, "所属镇街")], messages(report)

    def test_cancelled_enterprise_is_not_revived(self, staff_a):
        rows = rows_a(1)
        rows[0]["经营状态"] = "注销"
        imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        rows[0]["经营状态"] = "营业"
        report = imports.enterprise_import_check(actor=staff_a, data=workbook(rows))
        assert any("已注销" in m for m in messages(report)), messages(report)

    def test_same_licence_twice_in_the_file(self, staff_a):
        rows = rows_a(2)
        rows[1]["许可证类型"], rows[1]["许可证编号"] = rows[0]["许可证类型"], rows[0]["许可证编号"]
        report = imports.enterprise_import_check(actor=staff_a, data=workbook(rows))
        assert any(m.startswith("第 3 行「许可证编号」") and "与第 2 行重复" in m for m in messages(report))

    def test_categories_are_replaced_and_new_licences_added(self, staff_a):
        rows = rows_a(1)
        from apps.enterprises.identifiers import make_licence_number

        first_number = make_licence_number("JY", "2330481888888")
        rows[0].update({"业态": "餐饮服务", "食品类别": "热食类", "许可证类型": "食品经营许可证"})
        rows[0]["许可证编号"] = first_number
        imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        rows[0]["食品类别"] = "冷食类、C05"
        rows[0]["许可证编号"] = make_licence_number("JY", "2330481999999")
        result = imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
        assert result["updated"] == 1 and result["licences_created"] == 1
        ent = Enterprise.objects.get()
        assert sorted(ent.food_categories.values_list("code", flat=True)) == ["C02", "C05"]
        assert set(ent.licences.values_list("number", flat=True)) == {first_number, rows[0]["许可证编号"]}


class TestLargeFilesAreCheckedInAJob:
    def test_large_upload_is_checked_by_a_job_and_then_confirmable(
        self, staff_a, settings, django_capture_on_commit_callbacks
    ):
        settings.ENTERPRISE_IMPORT_SYNC_ROWS = 3
        with django_capture_on_commit_callbacks(execute=True):
            upload_id, report = imports.enterprise_import_upload(
                actor=staff_a, data=workbook(rows_a(5)), filename="big.xlsx"
            )
        assert report.pending and report.rows == 5
        check = Job.objects.get(kind="enterprises.import_check")
        assert check.status == JobStatus.DONE and check.created_by == staff_a, check.error
        assert check.result["next_url"].endswith(f"/{upload_id}/") and "预检通过" in check.result["summary"]
        meta = imports.upload_report(actor=staff_a, upload_id=upload_id)
        assert meta["status"] == "checked" and meta["counts"]["created"] == 5
        assert Enterprise.objects.count() == 0
        with django_capture_on_commit_callbacks(execute=True):
            job = imports.enterprise_import_confirm(actor=staff_a, upload_id=upload_id)
        job.refresh_from_db()
        assert job.status == JobStatus.DONE and Enterprise.objects.count() == 5

    def test_large_invalid_upload_keeps_only_the_report(self, staff_a, settings, django_capture_on_commit_callbacks):
        settings.ENTERPRISE_IMPORT_SYNC_ROWS = 3
        rows = rows_a(5)
        rows[4]["所属镇街"] = "许村镇"
        with django_capture_on_commit_callbacks(execute=True):
            upload_id, _ = imports.enterprise_import_upload(actor=staff_a, data=workbook(rows), filename="big.xlsx")
        meta = imports.upload_report(actor=staff_a, upload_id=upload_id)
        assert meta["status"] == "invalid" and meta["errors"][0]["row"] == 6
        assert not (imports.upload_dir() / f"{upload_id}.xlsx").exists()

    def test_confirm_waits_for_the_check(self, staff_a, settings):
        settings.ENTERPRISE_IMPORT_SYNC_ROWS = 3
        upload_id, report = imports.enterprise_import_upload(actor=staff_a, data=workbook(rows_a(5)), filename="b.xlsx")
        assert report.pending  # the check job is not run yet (no commit in this test transaction)
        with pytest.raises(DomainError, match="预检尚未完成"):
            imports.enterprise_import_confirm(actor=staff_a, upload_id=upload_id)

    def test_too_many_rows_are_refused_at_once_not_queued(self, staff_a, settings):
        settings.ENTERPRISE_IMPORT_SYNC_ROWS = 3
        settings.ENTERPRISE_IMPORT_LIMITS = {"max_rows": 4}
        upload_id, report = imports.enterprise_import_upload(actor=staff_a, data=workbook(rows_a(5)), filename="c.xlsx")
        assert not report.pending and "超过 4 行" in str(report.errors[0])
        assert not Job.objects.exists()


# ------------------------------------------------------------------------------------------------ issue 8 point 8
class TestPreviewErrorsAndResults:
    def _changed_file(self, staff_a):
        rows = rows_a(3)
        imports.enterprise_import_commit(actor=staff_a, data=workbook(rows), filename="first.xlsx")
        self.old_person = rows[0]["联系人"]
        rows[0]["联系人"] = "新联系人"
        rows[0]["经营地址"] = "海宁市硖石街道新址 1 号"
        return rows + rows_a(1, start=50)

    def test_dry_run_previews_each_row_new_changed_with_fields_or_unchanged(self, staff_a):
        rows = self._changed_file(staff_a)
        report = imports.enterprise_import_check(actor=staff_a, data=workbook(rows), filename="b.xlsx")
        assert report.ok, messages(report)
        by_row = {line[0]: line for line in report.lines}
        assert [by_row[n][3] for n in (2, 3, 4, 5)] == ["changed", "unchanged", "unchanged", "new"]
        changes = by_row[2][4]
        assert set(changes) == {"contact_person", "business_address"}
        assert changes["contact_person"] == [self.old_person, "新联系人"]
        assert by_row[3][4] == {} and by_row[5][5] is None  # a new row has no enterprise yet

    def test_the_preview_page_lists_rows_with_changed_fields_and_filters_by_outcome(self, client, staff_a):
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.urls import reverse

        rows = self._changed_file(staff_a)
        client.force_login(staff_a)
        response = client.post(
            reverse("enterprises:import"), {"file": SimpleUploadedFile("b.xlsx", workbook(rows))}, follow=True
        )
        html = response.content.decode()
        assert 'data-testid="import-preview"' in html
        assert "更新 2 项" in html and "联系人：" in html and "<ins>新联系人</ins>" in html
        assert "新增 1" in html and "无变化 2" in html
        changed = client.get(response.redirect_chain[-1][0] + "?outcome=changed")
        assert [line.outcome for line in changed.context["preview"]] == ["changed"]
        new = client.get(response.redirect_chain[-1][0] + "?outcome=new")
        assert [line.row_number for line in new.context["preview"]] == [5]

    def test_database_errors_carry_the_original_value(self, staff_a):
        first = rows_a(1)
        imports.enterprise_import_commit(actor=staff_a, data=workbook(first))
        rows = rows_a(2, start=100)
        rows[1]["许可证类型"], rows[1]["许可证编号"] = first[0]["许可证类型"], first[0]["许可证编号"]
        report = imports.enterprise_import_check(actor=staff_a, data=workbook(rows))
        (error,) = report.errors
        assert (error.row, error.column) == (3, "许可证编号") and "已登记在其他检查对象名下" in error.message
        assert error.value == first[0]["许可证编号"]  # the 原值 column is filled

    def test_error_list_has_the_original_values(self, staff_a):
        rows = rows_a(2)
        rows[0]["所属镇街"] = "火星镇"
        good = rows[1]["统一社会信用代码"]
        rows[1]["统一社会信用代码"] = good[:17] + ("0" if good[17] != "0" else "1")
        upload_id, report = imports.enterprise_import_upload(actor=staff_a, data=workbook(rows), filename="a.xlsx")
        content, _ = imports.upload_error_workbook(actor=staff_a, upload_id=upload_id)
        ws = openpyxl.load_workbook(io.BytesIO(content)).active
        assert [(r[0].value, r[2].value) for r in ws.iter_rows(min_row=2)] == [
            ("2", "火星镇"),
            ("3", rows[1]["统一社会信用代码"]),
        ]

    def test_messages_name_the_template_column_for_the_check_override(self, staff_a):
        rows = rows_a(1)
        good = rows[0]["统一社会信用代码"]
        rows[0]["统一社会信用代码"] = good[:17] + ("0" if good[17] != "0" else "1")
        report = imports.enterprise_import_check(actor=staff_a, data=workbook(rows))
        text = " ".join(messages(report))
        header = imports.COLUMN_BY_KEY["uscc_override_reason"].header
        assert header == "校验例外说明" and f"“{header}”" in text, text
        assert "校验位例外说明" not in text

    def test_the_upload_time_is_shown_in_asia_shanghai(self, client, staff_a):
        from django.urls import reverse

        upload_id, _ = imports.enterprise_import_upload(actor=staff_a, data=workbook(rows_a(1)), filename="a.xlsx")
        record = ImportRecord.objects.get(pk=upload_id)
        client.force_login(staff_a)
        html = client.get(reverse("enterprises:import_report", args=[upload_id])).content.decode()
        local = record.created_at.astimezone(dt.timezone(dt.timedelta(hours=8)))  # Asia/Shanghai has no DST
        assert f'data-testid="uploaded-at">{local:%Y-%m-%d %H:%M:%S}</time>' in html
        assert record.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") not in html

    def test_view_result_opens_exactly_the_imported_rows(self, client, staff_a, django_capture_on_commit_callbacks):
        from django.urls import reverse

        from tests.factories import EnterpriseFactory

        bystander = EnterpriseFactory(township=staff_a.townships.first())
        upload_id, _ = imports.enterprise_import_upload(actor=staff_a, data=workbook(rows_a(3)), filename="a.xlsx")
        with django_capture_on_commit_callbacks(execute=True):
            job = imports.enterprise_import_confirm(actor=staff_a, upload_id=upload_id)
        job.refresh_from_db()
        assert job.result["next_url"] == f"/enterprises/?import_record={upload_id}"
        assert job.result["next_label"] == "查看导入的 3 条检查对象"
        client.force_login(staff_a)
        page = client.get(job.result["next_url"])
        shown = {ent.pk for ent in page.context["page"]}
        assert shown == set(Enterprise.objects.exclude(pk=bystander.pk).values_list("pk", flat=True))
        assert len(shown) == 3
        report = client.get(reverse("enterprises:import_report", args=[upload_id])).content.decode()
        assert f'href="/enterprises/?import_record={upload_id}"' in report

    def test_import_changes_appear_in_the_change_history(self, client, staff_a):
        from django.urls import reverse

        from apps.enterprises.models import ImportRow

        rows = rows_a(2)
        imports.enterprise_import_commit(actor=staff_a, data=workbook(rows), filename="first.xlsx")
        rows[0]["联系人"] = "导入改的联系人"
        imports.enterprise_import_commit(actor=staff_a, data=workbook(rows), filename="second.xlsx")
        ent = Enterprise.objects.get(uscc=rows[0]["统一社会信用代码"])
        other = Enterprise.objects.get(uscc=rows[1]["统一社会信用代码"])
        client.force_login(staff_a)
        response = client.get(reverse("enterprises:detail", args=[ent.pk]))
        history = response.context["history"]
        assert [item["label"] for item in history] == ["Excel 导入更新", "Excel 导入新增"]
        assert history[0]["changes"] == [("联系人", rows_a(2)[0]["联系人"], "导入改的联系人")]
        assert "文件 second.xlsx 第 2 行" in history[0]["notes"]
        html = response.content.decode()
        assert "<ins>导入改的联系人</ins>" in html
        # the unchanged enterprise has only its creation in the history
        labels = [i["label"] for i in client.get(reverse("enterprises:detail", args=[other.pk])).context["history"]]
        assert labels == ["Excel 导入新增"]
        # the rows are tied to the hash chain: the audit event carries their digest
        event = import_events().order_by("-seq").first()
        lines = [
            [r.row_number, r.uscc, r.name, r.outcome, r.changes, r.enterprise_id]
            for r in ImportRow.objects.filter(record_id=event.extra["importrecord"]).order_by("row_number")
        ]
        from apps.enterprises.imports.service import _lines_digest

        assert event.extra["rows_sha256"] == _lines_digest(lines)


# ------------------------------------------------------------------------------------------------ other apps hear of it
def test_commit_tells_the_coverage_state_about_the_rows_it_wrote(
    staff_a, monkeypatch, django_capture_on_commit_callbacks
):
    """Bulk writes send no model signals: the import emits ``enterprises.changed`` (risk keeps coverage debt)."""
    from apps.risk import receivers
    from apps.risk.models import CoverageState

    imports.enterprise_import_commit(actor=staff_a, data=workbook(rows_a(3)))
    assert CoverageState.objects.count() == 3  # a small import: refreshed in the import's transaction

    monkeypatch.setattr(receivers, "BULK_REFRESH_INLINE", 2)  # a "large" one: a job, published on commit
    with django_capture_on_commit_callbacks(execute=True):
        imports.enterprise_import_commit(actor=staff_a, data=workbook(rows_a(3, start=100)))
    job = Job.objects.get(kind="risk.coverage_refresh")
    assert len(job.payload["enterprise_ids"]) == 3 and job.status == JobStatus.DONE  # eager Celery ran it
    assert CoverageState.objects.count() == 6
