"""Excel export of samples with the 抽样单 fields, for entry into the 国家食品安全抽样检验信息系统.

The columns follow the national 抽样单's order (DOMAIN.md §3.3: basic → sampling unit → sampled site → labelled
producer → sample → backup), with Chinese headers; the platform's own columns (三位一体 source, township, status,
lab conclusion) come last, so a clerk copies the first block across column by column. docs/sampling.md lists the
layout. Rows come from ``selectors.sample_list`` — the list page's FilterSet and scope — and every text cell goes
through ``safe_text`` (SECURITY.md EXP-01, via ``write_workbook``)."""

from __future__ import annotations

from django.utils import timezone

from apps.common.excel import ExportColumn, ExportSheet, write_sheets

from .rules import region

SHEET_TITLE = "抽样单"
TITLE = "海宁市食品安全抽样检验抽样单（供录入国家食品安全抽样检验信息系统）"

SAMPLE_COLUMNS = (
    # 基本信息
    ExportColumn("抽样单编号", 22),
    ExportColumn("任务来源", 20),
    ExportColumn("报送分类", 30),
    ExportColumn("检验机构", 26),
    ExportColumn("部署机构", 20),
    ExportColumn("抽样类型", 10),
    ExportColumn("抽样环节", 8),
    ExportColumn("抽样场所", 10),
    ExportColumn("食品大类", 14),
    ExportColumn("食品亚类", 14),
    ExportColumn("食品次亚类", 14),
    ExportColumn("食品细类", 14),
    ExportColumn("任务类别", 10),
    # 抽样单位
    ExportColumn("抽样单位名称", 26),
    ExportColumn("抽样单位地址", 30),
    ExportColumn("抽样单位所在省份", 10),
    ExportColumn("抽样人员", 16),
    ExportColumn("抽样单位联系人", 10),
    ExportColumn("抽样单位电子邮箱", 18),
    ExportColumn("抽样单位电话", 14),
    ExportColumn("抽样单位传真", 12),
    # 被抽样单位
    ExportColumn("被抽样单位所在省份", 10),
    ExportColumn("被抽样单位所在地市", 10),
    ExportColumn("被抽样单位所在区县", 10),
    ExportColumn("区域类型", 8),
    ExportColumn("被抽样单位名称", 28),
    ExportColumn("被抽样单位地址", 32),
    ExportColumn("统一社会信用代码", 22),
    ExportColumn("许可证类型", 14),
    ExportColumn("许可证编号", 20),
    ExportColumn("法定代表人", 10),
    ExportColumn("被抽样单位联系人", 10),
    ExportColumn("被抽样单位联系电话", 14),
    # 标称生产者
    ExportColumn("标称生产者所在地", 14),
    ExportColumn("标称生产者地址", 30),
    ExportColumn("标称生产者名称", 28),
    ExportColumn("生产许可证编号", 20),
    ExportColumn("标称生产者联系电话", 14),
    ExportColumn("是否存在第三方（委托/受托）", 12),
    ExportColumn("第三方企业名称", 26),
    ExportColumn("第三方企业地址", 30),
    ExportColumn("第三方企业许可证编号", 20),
    ExportColumn("第三方企业电话", 14),
    # 样品信息
    ExportColumn("样品条码", 16),
    ExportColumn("样品商标", 12),
    ExportColumn("样品类型", 12),
    ExportColumn("样品来源", 8),
    ExportColumn("样品属性", 12),
    ExportColumn("包装分类", 8),
    ExportColumn("样品名称", 20),
    ExportColumn("生产（加工、购进）日期", 14, "date"),
    ExportColumn("保质期", 10),
    ExportColumn("样品批号", 14),
    ExportColumn("规格型号", 12),
    ExportColumn("质量等级", 8),
    ExportColumn("单价（元）", 9, "number"),
    ExportColumn("是否进口", 8, "bool"),
    ExportColumn("抽样日期", 12, "date"),
    ExportColumn("抽样方式", 8),
    ExportColumn("原产地", 10),
    ExportColumn("样品储存条件", 10),
    ExportColumn("抽样基数", 10),
    ExportColumn("抽样数量", 8, "number"),
    ExportColumn("备样数量", 8, "number"),
    ExportColumn("抽样数量单位", 8),
    ExportColumn("执行标准/技术文件", 20),
    ExportColumn("备注", 24),
    ExportColumn("备份样品封条编号", 16),
    ExportColumn("被抽样单位签字确认封样", 10, "bool"),
    # 平台字段（国家系统之外）
    ExportColumn("抽检来源（三位一体）", 12),
    ExportColumn("镇街", 10),
    ExportColumn("状态", 12),
    ExportColumn("检验机构接收日期", 14, "date"),
    ExportColumn("检验报告编号", 18),
    ExportColumn("检验结论", 8),
    ExportColumn("平台样品编号", 10, "number"),
    ExportColumn("更新时间", 17, "datetime"),
)
HEADERS = [c.header for c in SAMPLE_COLUMNS]
NATIONAL_COLUMN_COUNT = HEADERS.index("抽检来源（三位一体）")  # the block that maps onto the national 抽样单


def _levels(category) -> list[str]:
    path = []
    node = category
    while node is not None and len(path) < 4:
        path.append(node)
        node = node.parent if node.parent_id else None
    path.reverse()
    names = ["", "", "", ""]
    for node in path:
        names[max(1, min(4, node.level)) - 1] = node.name
    return names


def sample_rows(qs, *, show_phone: bool, chunk_size: int = 1000):
    """Rows for SAMPLE_COLUMNS from the selector's queryset (everything select_related: no query per row)."""
    from apps.enterprises.api.serializers import mask_phone

    province, city, county = (region() + ["", "", ""])[:3]

    def phone(value):
        return value if show_phone or not value else mask_phone(value)

    for s in qs.iterator(chunk_size=chunk_size):
        plan, org, lab = s.task.plan, s.sampling_org, s.lab
        major, sub, minor, detail = _levels(s.category)
        yield (
            s.number,
            plan.organiser,
            plan.name,
            lab.name,
            plan.organiser,
            s.sampling_type,
            s.get_stage_display(),
            s.place_type,
            major,
            sub,
            minor,
            detail,
            s.get_purpose_display(),
            org.name,
            org.address,
            org.province or province,
            "、".join(s.samplers or []),
            org.contact_person,
            org.email,
            org.phone,
            org.fax,
            province,
            city,
            county,
            s.site_area_type,
            s.site_name,
            s.site_address,
            s.site_uscc,
            s.site_licence_kind,
            s.site_licence_no,
            s.site_legal_rep,
            s.site_contact,
            phone(s.site_phone),
            s.producer_location,
            s.producer_address,
            s.producer_name,
            s.producer_licence_no,
            s.producer_phone,
            s.third_party or "否",
            s.third_party_name,
            s.third_party_address,
            s.third_party_licence_no,
            s.third_party_phone,
            s.barcode,
            s.trademark,
            s.get_sample_kind_display(),
            s.sample_origin_kind,
            s.attribute,
            s.get_packaging_display(),
            s.name,
            s.production_date,
            s.shelf_life,
            s.batch_no,
            s.specification,
            s.quality_grade,
            float(s.unit_price) if s.unit_price is not None else None,
            s.imported,
            s.sampled_on,
            s.sampling_method,
            s.origin,
            s.storage,
            s.base_quantity,
            s.quantity,
            s.backup_quantity,
            s.quantity_unit,
            s.exec_standard,
            s.remarks,
            s.backup_seal_no,
            s.backup_sealed_by_site,
            s.get_source_display(),
            s.township.name,
            s.get_status_display(),
            s.received_on,
            s.report_no,
            s.get_conclusion_display() if s.conclusion else "",
            s.pk,
            s.updated_at,
        )


RESULT_SHEET_TITLE = "检验结果"
# The lab side of the national system (DOMAIN.md §3.3, test-result rows), one row per test item and round.
RESULT_COLUMNS = (
    ExportColumn("抽样单编号", 22),
    ExportColumn("报告书编号", 18),
    ExportColumn("检验项目", 18),
    ExportColumn("检验结果", 12),
    ExportColumn("结果单位", 10),
    ExportColumn("结果判定", 8),
    ExportColumn("判定依据", 40),
    ExportColumn("检验依据", 40),
    ExportColumn("最小允许限", 10),
    ExportColumn("最大允许限", 10),
    ExportColumn("允许限单位", 10),
    ExportColumn("方法检出限", 14),
    ExportColumn("说明", 30),
    ExportColumn("检验轮次", 8),
    ExportColumn("检验机构", 26),
)


def result_rows(qs, *, chunk_size: int = 2000):
    """The result items of the exported samples (``qs``: the same scoped, filtered samples), in sample order."""
    from ..models import ResultItem

    rows = (
        ResultItem.objects.filter(sample__in=qs.order_by().values("pk"))
        .select_related("sample", "test_item", "lab")
        .order_by("sample__number", "is_recheck", "test_item__order", "pk")
    )
    for r in rows.iterator(chunk_size=chunk_size):
        yield (
            r.sample.number,
            r.sample.report_no,
            r.test_item.name,
            r.value_text,
            r.unit,
            r.get_verdict_display(),
            r.judging_basis,
            r.method_basis,
            r.min_limit_text,
            r.max_limit_text,
            r.limit_unit,
            r.detection_limit_text,
            r.explanation,
            "复检" if r.is_recheck else "初检",
            r.lab.name,
        )


def sample_workbook(qs, *, actor, filters: dict) -> tuple[bytes, int]:
    from apps.enterprises.api.serializers import can_see_phone

    now = timezone.localtime()
    who = f"{actor}（{getattr(actor, 'username', '')}）" if actor is not None else "系统"
    about = {
        "标题": TITLE,
        "导出人": who,
        "导出时间": now.strftime("%Y-%m-%d %H:%M:%S"),
        "筛选条件": "；".join(f"{k}={v}" for k, v in filters.items()) or "无（可见范围内全部样品）",
        "列顺序": f"前 {NATIONAL_COLUMN_COUNT} 列按国家抽样单字段顺序（docs/sampling.md），其后为本平台字段",
        "说明": "本文件仅限工作使用，请勿外传；以单引号开头的单元格为防公式注入而加，原值不含该单引号。",
    }
    about["检验结果"] = f"“{RESULT_SHEET_TITLE}”工作表：每个样品每个检验项目一行（初检、复检分行），按抽样单编号对应"
    content, _rows = write_sheets(
        sheets=[
            ExportSheet(SHEET_TITLE, SAMPLE_COLUMNS, sample_rows(qs, show_phone=can_see_phone(actor))),
            ExportSheet(RESULT_SHEET_TITLE, RESULT_COLUMNS, result_rows(qs)),
        ],
        about=about,
        title=TITLE,
        creator=who,
    )
    return content, qs.count()


def export_file_path(job_id):
    """Where a background export's workbook is kept (MEDIA_ROOT is not served by the application)."""
    from pathlib import Path

    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / "exports" / f"samples-{job_id}.xlsx"
