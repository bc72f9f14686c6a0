"""Excel import of lab results: the template, the registry import's pre-scan (a file that is not a plain .xlsx,
formulas), a dry run with row-numbered Chinese errors that writes nothing, and a commit job that writes every
sample of the file in one transaction through results_submit (all or nothing)."""

import io

import openpyxl
import pytest

from apps.common.jobs import job_run
from apps.common.models import AuditEvent, JobStatus
from apps.sampling.choices import EntryChannel
from apps.sampling.lab import imports
from apps.sampling.lab.services.results import results_submit
from apps.sampling.models import Disposal, ResultItem

from .helpers import lead, make_sample

pytestmark = pytest.mark.django_db
HEADER = [
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


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def workbook(rows, *, header=HEADER, formula_at=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = imports.SHEET_TITLE
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    if formula_at:
        ws[formula_at] = "=1+1"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def two_samples(catalogue, township_a, lab):
    return make_sample(catalogue.sub, township_a, lab=lab), make_sample(catalogue.sub, township_a, lab=lab)


def good_rows(one, two):
    return [
        (one.number, "铅", "0.12", "mg/kg", "", "BG-1"),
        (one.number, "菌落总数", "", "", "", "BG-1", "10", "20", "30", "40", "50"),
        (two.number, "pb", "0.9", "mg/kg", "复测确认"),
        (two.number, "蛋白质", "3.0", "g/100g"),
    ]


def test_template_has_the_columns_and_micro_results(lab_user, catalogue):
    wb = openpyxl.load_workbook(io.BytesIO(imports.results_import_template(actor=lab_user)))
    headers = [c.value for c in wb[imports.SHEET_TITLE][1]]
    assert headers == [
        "抽样单编号*",
        "检验项目*",
        "检验结果",
        "结果单位",
        "说明",
        "检验报告编号",
        *[f"结果{i}" for i in range(1, 6)],
    ]
    assert "填写说明" in wb.sheetnames


def test_dry_run_lists_row_numbered_errors_and_writes_nothing(lab_user, two_samples):
    one, two = two_samples
    data = workbook(
        [
            ("DC00000000000000000", "铅", "0.1", "mg/kg"),  # row 2: unknown sample
            (one.number, "咖啡因", "1", "mg/kg"),  # row 3: not applicable to the category
            (one.number, "铅", "0.1", "g/kg"),  # row 4: wrong unit
            (two.number, "蛋白质", "", "g/100g"),  # row 5: empty result
            (two.number, "菌落总数", "12", ""),  # row 6: a micro item needs 结果1…n
            ("", "铅", "0.1"),  # row 7: no number
        ]
    )
    upload_id, report = imports.results_import_upload(actor=lab_user, data=data, filename="结果.xlsx")
    found = {(e["row"], e["column"]): e["message"] for e in report["errors"]}
    assert found[(2, "抽样单编号")] == "抽样单编号“DC00000000000000000”不存在，或该样品未送本机构检验"
    assert found[(3, "检验项目")] == "检验项目“咖啡因”不存在，或不适用于该样品的食品分类“叶菜类蔬菜”"
    assert found[(4, "结果单位")] == "铅：结果单位“g/kg”与允许限单位“mg/kg”不一致"  # judged with the row-3 error
    assert found[(5, "检验结果")] == "请填写蛋白质的检验结果"
    assert "结果1" in found[(6, "检验结果")]
    assert found[(7, "抽样单编号")] == "请填写抽样单编号"
    assert report["status"] == "invalid" and report["error_count"] == len(report["errors"]) == 6
    assert not ResultItem.objects.exists()
    assert not list(imports.upload_dir().glob("*.xlsx"))  # a file that cannot be imported is not kept


def test_commit_writes_every_sample_through_results_submit(lab_user, two_samples):
    one, two = two_samples
    upload_id, report = imports.results_import_upload(
        actor=lab_user, data=workbook(good_rows(one, two)), filename="a.xlsx"
    )
    assert report["status"] == "checked", report["errors"]
    assert [(g["number"], g["conclusion"]) for g in report["groups"]] == [
        (one.number, "qualified"),
        (two.number, "unqualified"),
    ]
    assert not ResultItem.objects.exists()  # the dry run wrote nothing
    job = imports.results_import_confirm(actor=lab_user, upload_id=upload_id)
    assert imports.results_import_confirm(actor=lab_user, upload_id=upload_id).pk == job.pk  # one job per upload
    assert job_run(str(job.pk)) == JobStatus.DONE
    job.refresh_from_db()
    assert job.result["samples"] == 2 and job.result["unqualified"] == 1
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.conclusion, one.report_no, two.conclusion, two.report_no) == (
        "qualified",
        "BG-1",
        "unqualified",
        f"{two.number}-JY",
    )
    assert set(ResultItem.objects.values_list("channel", flat=True)) == {EntryChannel.EXCEL}
    assert ResultItem.objects.get(sample=one, test_item__code="tpc").micro_values == ["10", "20", "30", "40", "50"]
    assert Disposal.objects.filter(sample=two).exists()
    event = AuditEvent.objects.get(action="sampling.lab.results_import")
    assert event.extra["job"] == str(job.pk) and event.extra["samples"] == 2
    assert imports.upload_report(actor=lab_user, upload_id=upload_id)["status"] == "committed"
    assert not list(imports.upload_dir().glob("*.xlsx"))
    assert job_run(str(job.pk)) == JobStatus.DONE  # a redelivery writes nothing more
    assert AuditEvent.objects.filter(action="sampling.lab.results_import").count() == 1


def test_commit_is_all_or_nothing(lab_user, two_samples):
    one, two = two_samples
    upload_id, report = imports.results_import_upload(
        actor=lab_user, data=workbook(good_rows(one, two)), filename="a.xlsx"
    )
    assert report["status"] == "checked"
    results_submit(lab_user, two, [lead("0.1")], channel=EntryChannel.API)  # the second sample is reported meanwhile
    job = imports.results_import_confirm(actor=lab_user, upload_id=upload_id)
    assert job_run(str(job.pk)) == JobStatus.FAILED
    job.refresh_from_db()
    assert "未写入任何结果" in job.error and "不能覆盖" in job.error
    assert not ResultItem.objects.filter(sample=one).exists()  # the first sample was not written either
    assert ResultItem.objects.filter(sample=two).count() == 1
    assert not AuditEvent.objects.filter(action="sampling.lab.results_import").exists()


def test_prescan_refuses_what_is_not_a_plain_workbook(lab_user, two_samples):
    upload_id, report = imports.results_import_upload(actor=lab_user, data=b"a,b,c\n1,2,3\n", filename="x.xlsx")
    assert upload_id == "" and report["refused"] and "不是 .xlsx 工作簿" in report["errors"][0]["message"]
    one, _two = two_samples
    data = workbook([(one.number, "铅", "0.1", "mg/kg")], formula_at="C2")
    _id, report = imports.results_import_upload(actor=lab_user, data=data, filename="f.xlsx")
    assert any(e["row"] == 2 and "公式" in e["message"] for e in report["errors"])
    _id, report = imports.results_import_upload(
        actor=lab_user, data=workbook([], header=["甲", "乙"]), filename="h.xlsx"
    )
    assert report["status"] == "invalid" and "缺少必需的列" in " ".join(e["message"] for e in report["errors"])


def test_another_users_upload_is_not_found(lab_user, two_samples, user_factory, lab):
    from .helpers import make_lab_user

    one, two = two_samples
    upload_id, _ = imports.results_import_upload(actor=lab_user, data=workbook(good_rows(one, two)), filename="a.xlsx")
    colleague = make_lab_user("colleague", lab)
    with pytest.raises(FileNotFoundError):
        imports.upload_report(actor=colleague, upload_id=upload_id)
    with pytest.raises(FileNotFoundError):
        imports.results_import_confirm(actor=colleague, upload_id=upload_id)


def test_pages_upload_report_and_confirm(client, lab_user, two_samples):
    one, two = two_samples
    client.force_login(lab_user)
    assert client.get("/sampling/lab/import/").status_code == 200
    template = client.get("/sampling/lab/import/template.xlsx")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = io.BytesIO(workbook(good_rows(one, two)))
    upload.name = "结果.xlsx"
    response = client.post("/sampling/lab/import/", {"file": upload})
    assert response.status_code == 302
    report_url = response["Location"]
    page = client.get(report_url).content.decode()
    assert "判定预览" in page and "确认导入" in page and one.number in page
    confirmed = client.post(report_url + "confirm/")
    assert confirmed.status_code == 302 and "/jobs/" in confirmed["Location"]
    empty = client.post("/sampling/lab/import/", {})
    assert empty.status_code == 400 and "请选择要上传的 Excel 文件" in empty.content.decode()
