"""Excel export of the registry: its columns and rows. The writer (``write_workbook``, ``safe_text``,
``ExportColumn``) lives in ``apps.common.excel.writer`` and is shared by every export and import template.
SECURITY.md EXP-01: a text cell starting with ``= + - @``, TAB, CR or LF gets a leading apostrophe, so it is
stored as plain text (never a formula) and also stays inert when the sheet is saved as CSV. Numbers and dates are
written as numbers and dates. Characters XML cannot hold are dropped instead of failing the export.
EXP-03: every workbook carries who exported it, when, with which filters and how many rows (document properties
and an "导出说明" sheet); the export itself is audited by ``services.enterprise_export``.
"""

from django.utils import timezone

from apps.common.excel import ExportColumn, safe_text, write_workbook

__all__ = [
    "ENTERPRISE_COLUMNS",
    "ExportColumn",
    "enterprise_rows",
    "enterprise_workbook",
    "safe_text",
    "write_workbook",
]


# ------------------------------------------------------------------------------------------------ the registry
ENTERPRISE_COLUMNS = (
    ExportColumn("统一社会信用代码", 22),
    ExportColumn("名称", 32),
    ExportColumn("所属镇街", 10),
    ExportColumn("业态", 12),
    ExportColumn("经营状态", 9),
    ExportColumn("停业/注销原因", 18),
    ExportColumn("法定代表人/负责人", 12),
    ExportColumn("联系人", 10),
    ExportColumn("联系电话", 15),
    ExportColumn("注册地址", 36),
    ExportColumn("经营地址", 36),
    ExportColumn("规模", 7),
    ExportColumn("城乡", 7),
    ExportColumn("食品类别", 26),
    ExportColumn("有效证照", 40),
    ExportColumn("最近证照到期日", 14, "date"),
    ExportColumn("阳光厨房", 9, "bool"),
    ExportColumn("阳光厨房已联网", 9, "bool"),
    ExportColumn("网络餐饮", 9, "bool"),
    ExportColumn("主体责任清单", 9, "bool"),
    ExportColumn("责任清单日期", 12, "date"),
    ExportColumn("食品安全责任保险", 9, "bool"),
    ExportColumn("第三方评估机构", 24),
    ExportColumn("冷链", 7, "bool"),
    ExportColumn("品牌标识", 14),
    ExportColumn("健康证人数", 9, "number"),
    ExportColumn("最近健康证到期日", 14, "date"),
    ExportColumn("代码校验提示", 24),
    ExportColumn("校验例外说明", 24),
    ExportColumn("纬度", 11, "number"),
    ExportColumn("经度", 11, "number"),
    ExportColumn("更新时间", 17, "datetime"),
    ExportColumn("版本", 6, "number"),
)


def enterprise_rows(qs, *, show_phone: bool, chunk_size: int = 2000):
    """Rows for ENTERPRISE_COLUMNS from the selector's queryset (prefetches run once per chunk)."""
    from .api.serializers import mask_phone
    from .choices import BrandTag

    brand_labels = dict(BrandTag.choices)
    for ent in qs.iterator(chunk_size=chunk_size):
        licences = [lic for lic in ent.licences.all() if lic.is_active]
        expiries = [lic.expires_on for lic in licences if lic.expires_on]
        phone = ent.contact_phone if show_phone or not ent.contact_phone else mask_phone(ent.contact_phone)
        yield (
            ent.uscc,
            ent.name,
            ent.township.name,
            ent.business_type.name,
            ent.get_status_display(),
            ent.status_reason,
            ent.legal_representative,
            ent.contact_person,
            phone,
            ent.registered_address,
            ent.business_address,
            ent.get_scale_display(),
            ent.get_area_type_display(),
            "、".join(c.name for c in ent.food_categories.all()),
            "；".join(
                f"{lic.number}" + (f"（至 {lic.expires_on:%Y-%m-%d}）" if lic.expires_on else "") for lic in licences
            ),
            min(expiries) if expiries else None,
            ent.sunshine_kitchen,
            ent.sunshine_kitchen_online,
            ent.online_catering,
            ent.responsibility_list,
            ent.responsibility_list_date,
            ent.liability_insurance,
            ent.third_party_evaluator,
            ent.cold_chain,
            "、".join(brand_labels.get(t, t) for t in ent.brand_tags or []),
            ent.health_cert_count,
            ent.health_cert_next_expiry,
            ent.uscc_warning,
            ent.uscc_override_reason,
            float(ent.latitude) if ent.latitude is not None else None,
            float(ent.longitude) if ent.longitude is not None else None,
            ent.updated_at,
            ent.version,
        )


def enterprise_workbook(qs, *, actor, filters: dict) -> tuple[bytes, int]:
    from .api.serializers import can_see_phone

    now = timezone.localtime()
    who = f"{actor}（{getattr(actor, 'username', '')}）" if actor is not None else "系统"
    about = {
        "标题": "海宁市检查对象名录",
        "导出人": who,
        "导出时间": now.strftime("%Y-%m-%d %H:%M:%S"),
        "筛选条件": "；".join(f"{k}={v}" for k, v in filters.items()) or "无（管辖范围内全部）",
        "说明": "本文件仅限工作使用，请勿外传；以单引号开头的单元格为防公式注入而加，原值不含该单引号。",
    }
    return write_workbook(
        sheet_title="检查对象",
        columns=ENTERPRISE_COLUMNS,
        rows=enterprise_rows(qs, show_phone=can_see_phone(actor)),
        about=about,
        title="海宁市检查对象名录",
        creator=who,
    )


def export_file_path(job_id):
    """Where a background export's workbook is kept (MEDIA_ROOT is not served by the application)."""
    from pathlib import Path

    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / "exports" / f"enterprises-{job_id}.xlsx"
