"""The export for the national system: the 抽样单 columns in the national order with Chinese headers, the list's
rows (same scope and filters), audited, permission sampling.export_sample; a large one becomes a job."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from apps.common.models import AuditEvent, Job
from apps.sampling.fieldwork.exports import HEADERS, NATIONAL_COLUMN_COUNT
from tests.factories import sampling as factories

pytestmark = pytest.mark.django_db

NATIONAL_ORDER = [
    # docs/sampling.md: the first block, as the national 抽样单 lists it (DOMAIN.md §3.3)
    "抽样单编号",
    "任务来源",
    "报送分类",
    "检验机构",
    "部署机构",
    "抽样类型",
    "抽样环节",
    "抽样场所",
    "食品大类",
    "食品亚类",
    "食品次亚类",
    "食品细类",
    "任务类别",
    "抽样单位名称",
    "抽样单位地址",
    "抽样单位所在省份",
    "抽样人员",
    "抽样单位联系人",
    "抽样单位电子邮箱",
    "抽样单位电话",
    "抽样单位传真",
    "被抽样单位所在省份",
    "被抽样单位所在地市",
    "被抽样单位所在区县",
    "区域类型",
    "被抽样单位名称",
    "被抽样单位地址",
    "统一社会信用代码",
    "许可证类型",
    "许可证编号",
    "法定代表人",
    "被抽样单位联系人",
    "被抽样单位联系电话",
    "标称生产者所在地",
    "标称生产者地址",
    "标称生产者名称",
    "生产许可证编号",
    "标称生产者联系电话",
    "是否存在第三方（委托/受托）",
    "第三方企业名称",
    "第三方企业地址",
    "第三方企业许可证编号",
    "第三方企业电话",
    "样品条码",
    "样品商标",
    "样品类型",
    "样品来源",
    "样品属性",
    "包装分类",
    "样品名称",
    "生产（加工、购进）日期",
    "保质期",
    "样品批号",
    "规格型号",
    "质量等级",
    "单价（元）",
    "是否进口",
    "抽样日期",
    "抽样方式",
    "原产地",
    "样品储存条件",
    "抽样基数",
    "抽样数量",
    "备样数量",
    "抽样数量单位",
    "执行标准/技术文件",
    "备注",
    "备份样品封条编号",
    "被抽样单位签字确认封样",
]


def _workbook(response):
    assert response.status_code == 200, response.content[:300]
    return load_workbook(io.BytesIO(response.content))


def test_columns_follow_the_national_order():
    assert HEADERS[:NATIONAL_COLUMN_COUNT] == NATIONAL_ORDER
    assert HEADERS[NATIONAL_COLUMN_COUNT:][:3] == ["抽检来源（三位一体）", "镇街", "状态"]


def test_export_has_the_list_rows_with_the_sampling_record_fields(city_staff, township_a, township_b):
    ours = factories.SampleFactory(task__plan_line__township=township_a, site_name="硖石小店", name="青菜")
    factories.SampleFactory(task__plan_line__township=township_b)
    client = Client()
    client.force_login(city_staff)
    wb = _workbook(client.get(reverse("sampling:sample_export"), {"township": township_a.pk, "q": ""}))
    ws = wb["抽样单"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS and len(rows) == 2
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["抽样单编号"] == ours.number and row["被抽样单位名称"] == "硖石小店" and row["样品名称"] == "青菜"
    assert row["抽样人员"] == "王抽样、李抽样" and row["备份样品封条编号"] == ours.backup_seal_no
    assert row["被抽样单位所在区县"] == "海宁市" and row["镇街"] == township_a.name
    assert row["生产（加工、购进）日期"].date() == ours.production_date
    assert row["抽样数量"] == 2 and row["备样数量"] == 1
    assert "导出说明" in wb.sheetnames
    event = AuditEvent.objects.get(action="sampling.sample_export")
    assert event.extra["rows"] == 1 and event.extra["filters"] == {"township": str(township_a.pk)}


def test_export_needs_the_permission_and_is_scoped(staff_a, leader, township_a):
    factories.SampleFactory(task__plan_line__township=township_a)
    client = Client()
    for user in (staff_a, leader):  # both view samples; neither may export them
        client.force_login(user)
        assert client.get(reverse("sampling:sample_export")).status_code == 403


def test_a_large_export_becomes_a_job(city_staff, township_a, monkeypatch, django_capture_on_commit_callbacks):
    from apps.sampling.fieldwork import views

    monkeypatch.setattr(views.SampleExportView, "sync_max_rows", 1)
    factories.SampleFactory(task__plan_line__township=township_a)
    factories.SampleFactory(task__plan_line__township=township_a)
    client = Client()
    client.force_login(city_staff)
    with django_capture_on_commit_callbacks(execute=True):  # the job is dispatched on commit (eager Celery)
        response = client.get(reverse("sampling:sample_export"))
    job = Job.objects.get(kind="sampling.sample_export")
    assert response.status_code == 302 and str(job.pk) in response["Location"]
    job.refresh_from_db()
    assert job.status == "done" and job.result["rows"] == 2
    download = client.get(reverse("sampling:sample_export_download", args=[job.pk]))
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert wb["抽样单"].max_row == 3


def test_invalid_filters_do_not_export(city_staff):
    client = Client()
    client.force_login(city_staff)
    response = client.get(reverse("sampling:sample_export"), {"month": "13"})
    assert response.status_code == 302 and not AuditEvent.objects.filter(action="sampling.sample_export").exists()


def test_export_carries_the_lab_results_sheet_for_the_same_samples(city_staff, township_a, township_b):
    from apps.sampling.fieldwork.exports import RESULT_COLUMNS
    from tests.sampling.lab.helpers import reported_result

    ours = reported_result(township_a, value="0.9")  # 铅 above its limit: 不合格
    reported_result(township_b, value="0.1")  # filtered out by township
    client = Client()
    client.force_login(city_staff)
    wb = _workbook(client.get(reverse("sampling:sample_export"), {"township": township_a.pk}))
    rows = list(wb["检验结果"].iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in RESULT_COLUMNS] and len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["抽样单编号"] == ours.sample.number and row["检验结果"] == "0.9"
    assert row["结果判定"] == "不合格" and row["判定依据"] == ours.judging_basis and row["检验轮次"] == "初检"
