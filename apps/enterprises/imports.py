"""Excel import of the enterprise registry (issue 3 point 4; SECURITY.md FILE-01..07; docs/import.md).

Flow: ``enterprise_import_template`` → upload → ``enterprise_import_upload`` / ``enterprise_import_check`` (pre-scan,
parse, validate against the database: the dry run, stored as a report next to the upload) →
``enterprise_import_confirm`` (a Job of kind ``enterprises.import``) → ``enterprise_import_commit`` in the job: the
file is read and validated again and written all-or-nothing in ONE transaction with bulk inserts/updates (upsert by
USCC), with ONE audit event carrying the counts.

Validation of each row's values uses the registry's own rules (``services.enterprise_clean`` / ``licence_clean``,
shared with the pages and the API); this module adds the spreadsheet side (template columns, cell parsing with
row-numbered Chinese reasons: Excel serial dates, text dates, full-width digits, numbers stored as text and codes
stored as numbers), the township scope check, the cross-row checks (duplicates in the file, licences owned by
another enterprise) and a lean bulk writer that plans in chunks of 1,000 rows with a constant number of queries per
chunk and keeps ids and plain values rather than model instances (30,000 rows in ~220 MB).

Uploads live in ``MEDIA_ROOT/imports/<uuid>.xlsx`` + ``<uuid>.json`` (MEDIA_ROOT is not served by the application;
files are read only through owner-checked views) and are deleted after the commit or after the TTL.

An empty cell means "keep the stored value" for an existing enterprise and "use the default" for a new one;
optional columns may be left out of the sheet with the same effect.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Township
from apps.common import excel
from apps.common.audit import audit_record
from apps.common.excel import Column, Issue, ValueProblem, WorkbookRejected, XlsxLimits
from apps.common.exceptions import DomainError
from apps.common.job_registry import job_handler
from apps.common.jobs import job_create
from apps.common.scoping import user_sees_all_townships, user_township_ids

from .choices import AreaType, BrandTag, EnterpriseStatus, LicenceKind, Scale
from .models import BusinessType, FoodCategory

log = logging.getLogger(__name__)

JOB_KIND = "enterprises.import"
CHECK_JOB_KIND = "enterprises.import_check"
AUDIT_ACTION = "enterprise.import"
SHEET_TITLE = "检查对象"
TEMPLATE_FILENAME = "检查对象导入模板.xlsx"
REPORT_MAX_ERRORS = 20_000  # stored in the report; the page shows the first 200
PAGE_ERRORS = 200

LIST_TOWNSHIPS = "镇街"
LIST_TYPES = "业态"
LIST_STATUS = "经营状态"
LIST_YESNO = "是否"
LIST_LICENCE = "许可证类型"
LIST_SCALE = "规模"
LIST_AREA = "城乡"
LIST_BRAND = "品牌标识"

_YESNO_NOTE = "填写“是”或“否”（也可填 Y/N、1/0、√/×）。"
_DATE_NOTE = "日期，如 2024-01-05、2024/1/5、2024年1月5日 或 20240105；也可直接用 Excel 日期格式。"
_KEEP_NOTE = "更新已有检查对象时留空表示保持原值。"

COLUMNS: tuple[Column, ...] = (
    Column(
        "uscc",
        "统一社会信用代码",
        required=True,
        kind="code",
        width=22,
        comment="18 位代码，如 91330481123456788A（不含字母 I、O、S、V、Z）。导入按此代码新增或更新："
        "已存在的代码更新该检查对象，不存在的新增。请把本列设为“文本”格式，不要存成数字。",
    ),
    Column(
        "uscc_override_reason",
        "校验例外说明",
        aliases=("校验位例外说明",),
        width=18,
        comment="仅当代码与证照一致但校验位不符时填写理由（如“营业执照原文如此，已核对”），否则留空。",
    ),
    Column("name", "名称", required=True, width=28, comment="营业执照或登记证上的名称，最多 200 字。"),
    Column(
        "township",
        "所属镇街",
        required=True,
        choices=LIST_TOWNSHIPS,
        width=12,
        comment="从下拉列表选择；只能导入您管辖的镇街。已登记的检查对象不能通过导入改镇街。",
    ),
    Column("business_type", "业态", required=True, choices=LIST_TYPES, width=14, comment="从下拉列表选择业态。"),
    Column(
        "status",
        "经营状态",
        choices=LIST_STATUS,
        width=10,
        comment="营业 / 停业 / 注销（“存续”“在营”视同营业）。新增时留空为营业；" + _KEEP_NOTE,
    ),
    Column(
        "legal_representative",
        "法定代表人/负责人",
        aliases=("法定代表人", "负责人", "法定代表人（负责人）"),
        width=12,
        comment="最多 50 字。" + _KEEP_NOTE,
    ),
    Column("contact_person", "联系人", width=10, comment="最多 50 字。" + _KEEP_NOTE),
    Column(
        "contact_phone",
        "联系电话",
        kind="code",
        width=16,
        comment="手机或座机，如 13800000000、0573-87000000。请设为“文本”格式，避免座机开头的 0 丢失。",
    ),
    Column("registered_address", "注册地址", width=30, comment="最多 255 字。" + _KEEP_NOTE),
    Column("business_address", "经营地址", width=30, comment="最多 255 字。" + _KEEP_NOTE),
    Column("scale", "规模", choices=LIST_SCALE, width=8, comment="微型 / 小型 / 中型 / 大型；新增时留空为小型。"),
    Column("area_type", "城乡", choices=LIST_AREA, width=8, comment="城区 / 农村；新增时留空为城区。"),
    Column(
        "food_categories",
        "食品类别",
        width=24,
        comment="一个或多个类别的名称或代码，用顿号、逗号或分号分隔，如“热食类、冷食类”或“C01,C02”。"
        "填写后替换原有类别。",
    ),
    Column(
        "licence_kind",
        "许可证类型",
        aliases=("证照类型",),
        choices=LIST_LICENCE,
        width=22,
        comment="从下拉列表选择；编号以 SC/JY/YB 开头时可留空自动识别。",
    ),
    Column(
        "licence_number",
        "许可证编号",
        aliases=("证照编号", "许可证号"),
        kind="code",
        width=20,
        comment="如 SC10633048100011、JY13304810000018；登记证/登记卡填写证上编号。已有的证照更新日期，新的证照追加。",
    ),
    Column("licence_issued_on", "发证日期", kind="date", width=12, comment=_DATE_NOTE),
    Column("licence_expires_on", "有效期至", aliases=("许可证有效期至",), kind="date", width=12, comment=_DATE_NOTE),
    Column("sunshine_kitchen", "阳光厨房", choices=LIST_YESNO, kind="bool", width=9, comment=_YESNO_NOTE),
    Column(
        "sunshine_kitchen_online",
        "阳光厨房已联网",
        choices=LIST_YESNO,
        kind="bool",
        width=9,
        comment=_YESNO_NOTE + "填“是”时“阳光厨房”也须为“是”。",
    ),
    Column("online_catering", "网络餐饮", choices=LIST_YESNO, kind="bool", width=9, comment=_YESNO_NOTE),
    Column("responsibility_list", "主体责任清单", choices=LIST_YESNO, kind="bool", width=9, comment=_YESNO_NOTE),
    Column(
        "responsibility_list_date",
        "责任清单日期",
        kind="date",
        width=12,
        comment=_DATE_NOTE + "填写时“主体责任清单”须为“是”。",
    ),
    Column(
        "liability_insurance",
        "食品安全责任保险",
        aliases=("责任保险",),
        choices=LIST_YESNO,
        kind="bool",
        width=9,
        comment=_YESNO_NOTE,
    ),
    Column("third_party_evaluator", "第三方评估机构", width=18, comment="最多 100 字。" + _KEEP_NOTE),
    Column("cold_chain", "冷链", choices=LIST_YESNO, kind="bool", width=8, comment=_YESNO_NOTE),
    Column(
        "brand_tags",
        "品牌标识",
        choices=LIST_BRAND,
        width=16,
        comment="无 / 品字标 / 地理标志 / 品字标、地理标志。填“无”清除。",
    ),
    Column(
        "health_cert_count",
        "从业人员健康证数",
        aliases=("健康证人数",),
        kind="int",
        width=10,
        comment="整数，0 或正整数。",
    ),
    Column("health_cert_next_expiry", "最近健康证到期日", kind="date", width=12, comment=_DATE_NOTE),
    Column("latitude", "纬度", kind="decimal", width=11, comment="十进制度数，如 30.509000（海宁约 30.3–30.6）。"),
    Column("longitude", "经度", kind="decimal", width=11, comment="十进制度数，如 120.680000（海宁约 120.3–120.9）。"),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
TEXT_KEYS = (
    "uscc_override_reason",
    "name",
    "legal_representative",
    "contact_person",
    "registered_address",
    "business_address",
    "third_party_evaluator",
)
BOOL_KEYS = (
    "sunshine_kitchen",
    "sunshine_kitchen_online",
    "online_catering",
    "responsibility_list",
    "liability_insurance",
    "cold_chain",
)
DATE_KEYS = ("responsibility_list_date", "health_cert_next_expiry")
STATUS_SYNONYMS = {
    "存续": "operating",
    "在营": "operating",
    "在业": "operating",
    "开业": "operating",
    "歇业": "suspended",
}
BRAND_CHOICES = ("无", "品字标", "地理标志", "品字标、地理标志")
_SPLIT_RE = re.compile(r"[、,，;；/|\n]+")
_UUID_RE = re.compile(r"^[0-9a-f]{32}$")


def import_limits() -> XlsxLimits:
    overrides = getattr(settings, "ENTERPRISE_IMPORT_LIMITS", {}) or {}
    return XlsxLimits(**overrides) if overrides else excel.DEFAULT_LIMITS


def _require_import(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm("enterprises.import_enterprise"):
        raise PermissionDenied


# ------------------------------------------------------------------------------------------------ reference data
class _Reference:
    """Townships, business types, categories and choices resolved by name, short name or code (loaded once)."""

    def __init__(self, actor):
        self.all_townships = list(Township.objects.filter(is_active=True).order_by("order", "id"))
        if actor is None or user_sees_all_townships(actor):
            allowed = {t.pk for t in self.all_townships}
        else:
            allowed = user_township_ids(actor)
        self.allowed_ids = allowed
        self.allowed = [t for t in self.all_townships if t.pk in allowed]
        self.townships = {}
        for t in Township.objects.all():
            for key in (t.name, t.code, re.sub(r"(街道|镇)$", "", t.name)):
                self.townships.setdefault(_key(key), t)
        self.types = {}
        self.type_list = list(BusinessType.objects.filter(is_active=True).order_by("order", "id"))
        for bt in self.type_list:
            self.types[_key(bt.name)] = bt
            self.types[_key(bt.code)] = bt
        self.categories = {}
        for fc in FoodCategory.objects.all():
            self.categories.setdefault(_key(fc.code), fc)
            self.categories.setdefault(_key(fc.name), fc)
        self.status = _choice_map(EnterpriseStatus, STATUS_SYNONYMS)
        self.scale = _choice_map(Scale)
        self.area = _choice_map(AreaType, {"城镇": "urban", "城市": "urban", "乡村": "rural"})
        self.licence = _choice_map(LicenceKind, {"登记证": "DJ", "登记卡": "DK", "备案": "YB"})


def _key(text) -> str:
    return re.sub(r"\s+", "", excel.to_halfwidth(str(text))).upper()


def _choice_map(enum, synonyms: dict | None = None) -> dict:
    out = {}
    for code, label in enum.choices:
        out[_key(code)] = code
        out[_key(label)] = code
    for text, code in (synonyms or {}).items():
        out[_key(text)] = code
    return out


def template_lists(ref: _Reference) -> dict[str, list[str]]:
    return {
        LIST_TOWNSHIPS: [t.name for t in ref.allowed],
        LIST_TYPES: [bt.name for bt in ref.type_list],
        LIST_STATUS: [str(label) for label in EnterpriseStatus.labels],
        LIST_YESNO: ["是", "否"],
        LIST_LICENCE: [str(label) for label in LicenceKind.labels],
        LIST_SCALE: [str(label) for label in Scale.labels],
        LIST_AREA: [str(label) for label in AreaType.labels],
        LIST_BRAND: list(BRAND_CHOICES),
    }


def enterprise_import_template(*, actor) -> bytes:
    """The .xlsx template for this actor: drop-down of *their* townships, business types, statuses, flags, kinds."""
    _require_import(actor)
    ref = _Reference(actor)
    townships = "、".join(t.name for t in ref.allowed) or "（无：请联系管理员分配镇街）"
    instructions = [
        "检查对象导入模板 · 填写说明",
        "1. 在“检查对象”工作表第 2 行起逐行填写，每行一个检查对象；不要修改、删除或增加表头（表头带 * 的为必需列）。",
        "2. 把鼠标停在表头上可以看到每列的填写要求；带下拉箭头的列请从下拉列表中选择。",
        f"3. 您可导入的镇街：{townships}。",
        "4. 导入按“统一社会信用代码”新增或更新：代码已存在则更新该检查对象，不存在则新增；同一文件内代码不能重复。",
        "5. 更新已有检查对象时，空白单元格表示保持原值不变；要清除品牌标识请填“无”。",
        "6. 不要使用公式、合并单元格；代码、电话、证照编号等请设为“文本”格式。日期可写 2024-01-05、2024/1/5、2024年1月5日 或 20240105。",
        f"7. 单个文件最多 {excel.DEFAULT_LIMITS.max_rows:,} 行数据、{excel.DEFAULT_LIMITS.max_columns} 列，"
        f"大小不超过 {excel.DEFAULT_LIMITS.max_bytes // excel.MB} MB；只接受 .xlsx 格式（不含宏）。",
        "8. 上传后系统先做“预检”，列出每一行的问题（行号 + 原因）；全部无误后点击“确认导入”，"
        "导入要么全部成功，要么一条也不写入。",
        "",
        "示例（请勿复制到数据表）：",
        "统一社会信用代码 91330481123456788A｜名称 海宁市示例餐饮店｜所属镇街 硖石街道｜业态 餐饮服务｜"
        "许可证类型 食品经营许可证｜许可证编号 JY23304810000011｜发证日期 2024-01-05｜有效期至 2029-01-04｜阳光厨房 是",
    ]
    return excel.write_template(
        COLUMNS,
        sheet_title=SHEET_TITLE,
        lists=template_lists(ref),
        instructions=instructions,
        max_rows=excel.DEFAULT_LIMITS.max_rows,
    )


# ------------------------------------------------------------------------------------------------ row parsing
@dataclass
class RowParse:
    rows: list[dict] = field(default_factory=list)  # the registry's data vocabulary (services.enterprise_clean)
    issues: list[Issue] = field(default_factory=list)


def _text(value) -> str:
    return excel.clean_text(value)


def _numeric_code(value, column: str) -> tuple[str | None, str | None]:
    """(text, problem) for a code cell that Excel may have stored as a number."""
    if isinstance(value, bool):
        return None, f"「{column}」不能是是/否值"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            return None, f"{column}被存成了小数（{value}），请把该列设为“文本”格式后重新填写"
        digits = str(int(value))
        if len(digits) > 15:
            return None, (
                f"{column}被存成了数字（{digits[:6]}…），Excel 只保留 15 位有效数字，末几位可能已经丢失；"
                "请把该列设为“文本”格式后重新填写"
            )
        return digits, None
    return excel.to_halfwidth(_text(value)), None


def _parse_row(row_no: int, values: tuple, keys: tuple, ref: _Reference, issues: list) -> dict:
    """One sheet row → data-vocabulary dict (only non-empty cells), appending Issues for cells it cannot read."""
    data: dict = {"row_number": row_no}
    v = dict(zip(keys, values, strict=True))

    def problem(key: str, message: str, raw=None) -> None:
        issues.append(Issue(row_no, COLUMN_BY_KEY[key].header, message, _text(raw)[:100] if raw is not None else ""))

    # --- identity
    raw = v.get("uscc")
    if raw is None:
        problem("uscc", "统一社会信用代码不能为空（导入按代码新增或更新）")
    elif isinstance(raw, (int, float)):
        problem(
            "uscc",
            "统一社会信用代码被存成了数字：Excel 只保留 15 位有效数字，末几位可能已经丢失；请把该列设为“文本”格式后重新填写",
            raw,
        )
    else:
        data["uscc"] = _text(raw)
    for key in TEXT_KEYS:
        raw = v.get(key)
        if raw is not None:
            data[key] = _text(raw)
    if "name" not in data:
        problem("name", "名称不能为空")

    # --- township: unknown and out-of-scope are different answers
    raw = v.get("township")
    if raw is None:
        problem("township", "所属镇街不能为空")
    else:
        township = ref.townships.get(_key(raw))
        if township is None:
            options = "、".join(t.name for t in ref.allowed)
            problem("township", f"未知的镇街「{_text(raw)}」，请从下拉列表选择（可选：{options}）", raw)
        elif township.pk not in ref.allowed_ids:
            options = "、".join(t.name for t in ref.allowed) or "无"
            problem("township", f"「{township.name}」不在您的管辖范围内，不能导入（您可导入的镇街：{options}）", raw)
        else:
            data["township"] = township.pk

    raw = v.get("business_type")
    if raw is None:
        problem("business_type", "业态不能为空")
    else:
        bt = ref.types.get(_key(raw))
        if bt is None:
            problem("business_type", f"未知的业态「{_text(raw)}」，请从下拉列表选择", raw)
        else:
            data["business_type"] = bt.pk

    for key, table, label, options in (
        ("status", ref.status, "经营状态", "营业、停业、注销"),
        ("scale", ref.scale, "规模", "微型、小型、中型、大型"),
        ("area_type", ref.area, "城乡", "城区、农村"),
    ):
        raw = v.get(key)
        if raw is not None:
            code = table.get(_key(raw))
            if code is None:
                problem(key, f"{label}「{_text(raw)}」无效（可选：{options}）", raw)
            else:
                data[key] = code

    # --- phone: a number cell loses a landline's leading 0
    raw = v.get("contact_phone")
    if raw is not None:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            digits = str(int(raw)) if float(raw).is_integer() else str(raw)
            if len(digits) == 11 and digits.startswith("1"):
                data["contact_phone"] = digits
            else:
                problem(
                    "contact_phone",
                    f"联系电话被存成了数字（{digits}），座机开头的 0 可能已经丢失；请把该列设为“文本”格式后重新填写",
                    raw,
                )
        else:
            data["contact_phone"] = re.sub(r"\s+", " ", excel.to_halfwidth(_text(raw)))

    # --- categories
    raw = v.get("food_categories")
    if raw is not None:
        ids, unknown = [], []
        for part in _SPLIT_RE.split(_text(raw)):
            part = part.strip()
            if not part:
                continue
            fc = ref.categories.get(_key(part))
            if fc is None:
                unknown.append(part)
            elif fc.pk not in ids:
                ids.append(fc.pk)
        if unknown:
            problem(
                "food_categories",
                f"未知的食品类别：{'、'.join(unknown)}（请填写类别名称或代码，如“热食类”或“C01”）",
                raw,
            )
        else:
            data["food_categories"] = ids

    # --- licence (one per row; more licences: one more row per licence is not supported, use the page)
    kind_raw, number_raw = v.get("licence_kind"), v.get("licence_number")
    issued_raw, expires_raw = v.get("licence_issued_on"), v.get("licence_expires_on")
    if number_raw is not None or kind_raw is not None or issued_raw is not None or expires_raw is not None:
        licence: dict = {}
        number = None
        if number_raw is None:
            problem("licence_number", "填写了许可证类型或日期，但没有填写许可证编号")
        else:
            number, why = _numeric_code(number_raw, "许可证编号")
            if why:
                problem("licence_number", why, number_raw)
                number = None
        kind = None
        if kind_raw is not None:
            kind = ref.licence.get(_key(kind_raw))
            if kind is None:
                labels = "、".join(str(x) for x in LicenceKind.labels)
                problem("licence_kind", f"许可证类型「{_text(kind_raw)}」无效（可选：{labels}）", kind_raw)
        elif number:
            prefix = re.sub(r"\s+", "", number)[:2].upper()
            kind = prefix if prefix in ("SC", "JY", "YB") else None
            if kind is None:
                problem("licence_kind", "许可证编号不以 SC/JY/YB 开头，请选择许可证类型（如登记证、登记卡）")
        for key, raw in (("issued_on", issued_raw), ("expires_on", expires_raw)):
            if raw is not None:
                try:
                    licence[key] = excel.parse_date(raw)
                except ValueProblem as exc:
                    problem("licence_issued_on" if key == "issued_on" else "licence_expires_on", str(exc), raw)
        if kind and number:
            licence.update(kind=kind, number=number)
            data["licences"] = [licence]

    # --- flags, dates, numbers
    for key in BOOL_KEYS:
        raw = v.get(key)
        if raw is not None:
            try:
                data[key] = excel.parse_bool(raw)
            except ValueProblem as exc:
                problem(key, str(exc), raw)
    for key in DATE_KEYS:
        raw = v.get(key)
        if raw is not None:
            try:
                data[key] = excel.parse_date(raw)
            except ValueProblem as exc:
                problem(key, str(exc), raw)
    raw = v.get("brand_tags")
    if raw is not None:
        text = _text(raw)
        if _key(text) in ("无", "否", "-"):
            data["brand_tags"] = []
        else:
            tags, unknown = [], []
            for part in _SPLIT_RE.split(text):
                part = part.strip()
                code = {"品字标": BrandTag.PINZIBIAO, "地理标志": BrandTag.GI}.get(part) or (
                    part if part in BrandTag.values else None
                )
                if part and code is None:
                    unknown.append(part)
                elif code and code not in tags:
                    tags.append(str(code))
            if unknown:
                problem("brand_tags", f"品牌标识「{'、'.join(unknown)}」无效（可选：{'、'.join(BRAND_CHOICES)}）", raw)
            else:
                data["brand_tags"] = tags
    raw = v.get("health_cert_count")
    if raw is not None:
        try:
            data["health_cert_count"] = excel.parse_int(raw, minimum=0, maximum=100_000)
        except ValueProblem as exc:
            problem("health_cert_count", f"健康证人数应为 0 或正整数：{exc}", raw)
    for key, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        raw = v.get(key)
        if raw is not None:
            try:
                data[key] = excel.parse_decimal(raw, places=6, minimum=Decimal(low), maximum=Decimal(high))
            except ValueProblem as exc:
                problem(key, f"坐标无效：{exc}", raw)
    return data


# ------------------------------------------------------------------------------------------------ the report
@dataclass
class ImportReport:
    filename: str = ""
    sha256: str = ""
    size: int = 0
    rows: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0
    rejected: bool = False  # refused as a whole (pre-scan / header / row limit): no import possible
    refused_file: bool = False  # refused by the pre-scan: not a safe .xlsx at all (nothing is stored)
    pending: bool = False  # checked later by a job (large file)
    status_code: int = 200  # 400 / 413 for a refused file

    @property
    def ok(self) -> bool:
        return not self.errors and self.rows > 0

    def as_dict(self) -> dict:
        return {
            "filename": self.filename,
            "sha256": self.sha256,
            "size": self.size,
            "rows": self.rows,
            "error_count": len(self.errors),
            "errors": [i.as_dict() for i in self.errors[:REPORT_MAX_ERRORS]],
            "warning_count": len(self.warnings),
            "warnings": [i.as_dict() for i in self.warnings[:REPORT_MAX_ERRORS]],
            "counts": self.counts,
            "seconds": round(self.seconds, 3),
            "rejected": self.rejected,
        }


def _sort_key(issue: Issue):
    return (issue.row or 0, COLUMN_ORDER.get(issue.column, 999))


COLUMN_ORDER = {c.header: i for i, c in enumerate(COLUMNS)}


# ------------------------------------------------------------------------------------------------ plan + write
PLAN_CHUNK = 1000
_LICENCE_KEYS = {"kind": "licence_kind", "number": "licence_number", "issued_on": "licence_issued_on"}
_LICENCE_KEYS["expires_on"] = "licence_expires_on"
_COMPARE = (
    "name", "uscc", "uscc_override_reason", "uscc_warning", "legal_representative", "contact_person",
    "contact_phone", "registered_address", "business_address", "latitude", "longitude", "scale", "area_type",
    "sunshine_kitchen", "sunshine_kitchen_online", "online_catering", "responsibility_list",
    "responsibility_list_date", "liability_insurance", "third_party_evaluator", "cold_chain", "brand_tags",
    "health_cert_count", "health_cert_next_expiry",
)  # fmt: skip
_FK = {"township": "township_id", "business_type": "business_type_id"}
_LICENCE_VALUES = ("id", "enterprise_id", "kind", "number", "issued_on", "expires_on", "check_warning", "is_active")


@dataclass
class _Plan:
    """What a commit would do, kept compact (ids and plain values, not model instances) so 30,000 rows fit."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    creates: list[tuple[dict, list | None, list[dict]]] = field(default_factory=list)  # values, categories, licences
    updates: list = field(default_factory=list)  # changed Enterprise instances (fetched, then modified)
    update_fields: set = field(default_factory=set)
    categories: dict[int, list[int]] = field(default_factory=dict)  # existing enterprise id -> new category ids
    licences_new: list[tuple[int, dict]] = field(default_factory=list)  # (existing enterprise id, values)
    licences_changed: list = field(default_factory=list)  # Licence instances with the new values
    unchanged: int = 0
    versions: dict[int, int] = field(default_factory=dict)  # every matched enterprise: id -> version when read

    def counts(self, total: int) -> dict:
        return {
            "total": total,
            "created": len(self.creates),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
            "licences_created": len(self.licences_new) + sum(len(c[2]) for c in self.creates),
            "licences_updated": len(self.licences_changed),
        }


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _plan(rows: list[dict], *, actor, known: set, lock: bool, progress=None) -> _Plan:
    """Validate every row with the registry's own rules (``services.enterprise_clean`` / ``licence_clean``, the same
    as the page and the API) against the database, and work out the writes. Writes nothing."""
    from django.db.models import Q

    from . import services
    from .identifiers import normalize_code
    from .models import Enterprise, Licence

    lk = services._Lookups()  # reference data loaded once for all rows
    types = lk.business_types()
    allowed = services.actor_township_ids(actor)
    through = Enterprise.food_categories.through
    plan = _Plan()
    seen_uscc: dict[str, int] = {}
    seen_licence: dict[tuple, int] = {}
    now = timezone.now()
    done = 0

    def error(row: int, key: str, message: str) -> None:
        header = COLUMN_BY_KEY[key].header if key in COLUMN_BY_KEY else services.FIELD_LABELS.get(key, "")
        if (row, header) not in known:
            plan.errors.append(Issue(row, header, message))

    for chunk in _chunks(rows, PLAN_CHUNK):
        codes = {normalize_code(r["uscc"]) for r in chunk if r.get("uscc")}
        qs = Enterprise.objects.filter(uscc__in=codes)
        if lock:
            qs = qs.select_for_update(of=("self",))
        existing = {e.uscc: e for e in qs}
        plan.versions.update((e.pk, e.version) for e in existing.values())
        cats: dict[int, set] = {}
        for ent_id, cat_id in through.objects.filter(enterprise_id__in=[e.pk for e in existing.values()]).values_list(
            "enterprise_id", "foodcategory_id"
        ):
            cats.setdefault(ent_id, set()).add(cat_id)

        cleaned_rows = []
        for row in chunk:
            number = row["row_number"]
            errors_before = len(plan.errors)
            code = normalize_code(row.get("uscc")) if row.get("uscc") else ""
            ent = existing.get(code) if code else None
            if code:
                if code in seen_uscc:
                    error(number, "uscc", f"与第 {seen_uscc[code]} 行的统一社会信用代码重复")
                    continue
                seen_uscc[code] = number
            if ent is not None and allowed is not None and ent.township_id not in allowed:
                error(number, "uscc", "该代码已在您管辖范围以外的镇街登记，不能由您修改")
                continue
            data = {k: v for k, v in row.items() if k not in ("row_number", "status", "licences")}
            cleaned = services.enterprise_clean(actor=actor, data=data, instance=ent, lookups=lk)
            for key, messages in cleaned.errors.items():
                for message in messages:
                    error(number, key, message)
            status = row.get("status")
            if ent is not None and ent.status == EnterpriseStatus.CANCELLED and status not in (None, ent.status):
                error(number, "status", "该检查对象已注销，不能通过导入恢复")
            business_type = cleaned.values.get("business_type") or (types.get(ent.business_type_id) if ent else None)
            licences = []
            for lic in row.get("licences") or []:
                values, lic_errors, _warnings = services.licence_clean(lic, business_type=business_type)
                for key, messages in lic_errors.items():
                    for message in messages:
                        error(number, _LICENCE_KEYS.get(key, "licence_number"), message)
                if not lic_errors:
                    key = (values["kind"], values["number"])
                    if key in seen_licence:
                        error(number, "licence_number", f"许可证编号 {key[1]} 与第 {seen_licence[key]} 行重复")
                        continue
                    seen_licence[key] = number
                    licences.append(values)
            if cleaned.warnings and not cleaned.errors:
                for warning in cleaned.warnings:
                    plan.warnings.append(Issue(number, COLUMN_BY_KEY["uscc"].header, f"{warning}（已按例外说明导入）"))
            if len(plan.errors) == errors_before and not cleaned.errors:  # a row with an error is never planned
                cleaned_rows.append((number, ent, cleaned, status, licences))

        pairs = {(lic["kind"], lic["number"]) for *_, licences in cleaned_rows for lic in licences}
        owned: dict[tuple, tuple] = {}
        if pairs:
            condition = Q()
            for kind in {k for k, _ in pairs}:
                condition |= Q(kind=kind, number__in=[n for k, n in pairs if k == kind])
            for values in Licence.objects.filter(condition).values_list(*_LICENCE_VALUES):
                owned[(values[2], values[3])] = values

        for number, ent, cleaned, status, licences in cleaned_rows:
            conflict = False
            for lic in licences:
                row_of = owned.get((lic["kind"], lic["number"]))
                if row_of is not None and (ent is None or row_of[1] != ent.pk):
                    error(number, "licence_number", f"许可证编号 {lic['number']} 已登记在其他检查对象名下")
                    conflict = True
            if conflict:
                continue
            if ent is None:
                _plan_create(plan, cleaned, status, licences, now)
            else:
                _plan_update(plan, ent, cleaned, status, licences, cats.get(ent.pk, set()), owned, actor, now)
        done += len(chunk)
        if progress is not None:
            progress(done)
    return plan


def _plan_create(plan: _Plan, cleaned, status, licences, now) -> None:
    values = {}
    for key, value in cleaned.values.items():
        values[_FK.get(key, key)] = value.pk if key in _FK else value
    values["status"] = status or EnterpriseStatus.OPERATING
    if values["status"] != EnterpriseStatus.OPERATING:
        values["deactivated_at"], values["status_reason"] = now, "导入时即为该状态"
    categories = [c.pk for c in cleaned.food_categories] if cleaned.food_categories is not None else None
    plan.creates.append((values, categories, licences))


def _plan_update(plan: _Plan, ent, cleaned, status, licences, current_cats: set, owned: dict, actor, now) -> None:
    from .models import Licence

    changed = set()
    for key in _COMPARE:
        if key in cleaned.values and getattr(ent, key) != cleaned.values[key]:
            setattr(ent, key, cleaned.values[key])
            changed.add(key)
    bt = cleaned.values.get("business_type")
    if bt is not None and bt.pk != ent.business_type_id:
        ent.business_type_id = bt.pk
        changed.add("business_type")
    if status and status != ent.status:
        ent.status = status
        if status == EnterpriseStatus.OPERATING:
            ent.deactivated_at, ent.status_reason = None, ""
        else:
            ent.deactivated_at, ent.status_reason = now, "导入更新状态"
        changed |= {"status", "deactivated_at", "status_reason"}
    touched = bool(changed)
    if cleaned.food_categories is not None:
        new_cats = sorted({c.pk for c in cleaned.food_categories})
        if set(new_cats) != current_cats:
            plan.categories[ent.pk] = new_cats
            touched = True
    for lic in licences:
        row_of = owned.get((lic["kind"], lic["number"]))
        if row_of is None:
            plan.licences_new.append((ent.pk, lic))
            touched = True
            continue
        current = dict(zip(_LICENCE_VALUES, row_of, strict=True))
        diff = {k: lic[k] for k in ("issued_on", "expires_on", "check_warning") if k in lic and current[k] != lic[k]}
        if not current["is_active"] and ent.status != EnterpriseStatus.CANCELLED:
            diff["is_active"] = True
        if diff:
            current.update(diff, updated_at=now)
            plan.licences_changed.append(Licence(**current))
            touched = True
    if touched:
        ent.version += 1
        ent.updated_by = actor if actor is not None and actor.is_authenticated else None
        ent.updated_at = now
        plan.updates.append(ent)
        plan.update_fields |= changed
    else:
        plan.unchanged += 1


def _write(plan: _Plan, *, actor, batch_size: int = 1000) -> None:
    """All writes of a plan; call inside the import's transaction."""
    from .models import Enterprise, Licence

    user = actor if actor is not None and actor.is_authenticated else None
    through = Enterprise.food_categories.through
    for chunk in _chunks(plan.creates, batch_size):
        objs = [Enterprise(version=1, created_by=user, updated_by=user, **values) for values, _, _ in chunk]
        Enterprise.objects.bulk_create(objs, batch_size=batch_size)
        if any(obj.pk is None for obj in objs):  # backends without RETURNING: look the ids up
            ids = dict(Enterprise.objects.filter(uscc__in=[o.uscc for o in objs]).values_list("uscc", "pk"))
            for obj in objs:
                obj.pk = obj.id = ids[obj.uscc]
        links, lics = [], []
        for obj, (_values, categories, licences) in zip(objs, chunk, strict=True):
            links.extend(through(enterprise_id=obj.pk, foodcategory_id=c) for c in categories or ())
            lics.extend(Licence(enterprise_id=obj.pk, is_active=True, **lic) for lic in licences)
        through.objects.bulk_create(links, batch_size=batch_size)
        Licence.objects.bulk_create(lics, batch_size=batch_size)
    if plan.updates:
        fields = sorted(plan.update_fields | {"version", "updated_by", "updated_at"})
        Enterprise.objects.bulk_update(plan.updates, fields, batch_size=batch_size)
    if plan.categories:
        for ids in _chunks(list(plan.categories), batch_size):
            through.objects.filter(enterprise_id__in=ids).delete()
        links = [through(enterprise_id=e, foodcategory_id=c) for e, cats in plan.categories.items() for c in cats]
        through.objects.bulk_create(links, batch_size=batch_size)
    if plan.licences_new:
        Licence.objects.bulk_create(
            [Licence(enterprise_id=e, is_active=True, **lic) for e, lic in plan.licences_new], batch_size=batch_size
        )
    if plan.licences_changed:
        fields = ["issued_on", "expires_on", "check_warning", "is_active", "updated_at"]
        Licence.objects.bulk_update(plan.licences_changed, fields, batch_size=batch_size)


def _parse(
    data: bytes,
    *,
    actor,
    limits: XlsxLimits,
    progress=None,
    expected_rows: int | None = None,
) -> tuple[RowParse, int, ImportReport | None]:
    """Pre-scan + open + read + parse. Returns (parsed, data_rows, None) or (…, report) when refused as a whole."""
    report = excel.xlsx_prescan(data, limits)
    counted = excel.xlsx_data_rows(report, SHEET_TITLE)
    if counted is not None and counted > limits.max_rows:  # refused before openpyxl reads a row
        issue = excel.too_many_rows_issue(counted, limits)
        return RowParse(issues=[issue]), counted, ImportReport(errors=[issue], rejected=True)
    expected_rows = expected_rows or counted
    wb = excel.xlsx_open(data)
    try:
        ref = _Reference(actor)

        def on_rows(count: int) -> None:
            if progress is not None:
                total = max(expected_rows or count, count)
                progress(5 + int(45 * count / total), f"正在读取第 {count:,} 行")

        table = excel.read_table(
            wb,
            COLUMNS,
            prescan=report,
            sheet_name=SHEET_TITLE,
            limits=limits,
            progress=on_rows,
            progress_every=1000,
        )
        parsed = RowParse()
        if table.fatal:
            parsed.issues = table.issues
            return parsed, table.data_rows, ImportReport(errors=list(table.issues), rejected=True)
        keys = table.keys
        issues = parsed.issues
        for row_no, values in table.rows():
            parsed.rows.append(_parse_row(row_no, values, keys, ref, issues))
        parsed.issues = table.issues + issues
        if table.fatal:  # too many rows: discovered while streaming
            return parsed, table.data_rows, ImportReport(errors=list(parsed.issues), rejected=True)
        return parsed, table.data_rows, None
    finally:
        wb.close()


def enterprise_import_check(
    *, actor, data: bytes, filename: str = "", limits: XlsxLimits | None = None, progress=None
) -> ImportReport:
    """The dry run: every problem of the file with its row number and a Chinese reason; writes nothing."""
    _require_import(actor)
    limits = limits or import_limits()
    started = time.monotonic()
    meta = {"filename": filename, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    try:
        parsed, n_rows, refused = _parse(data, actor=actor, limits=limits, progress=progress)
    except WorkbookRejected as exc:
        return ImportReport(
            **meta,
            errors=[Issue(None, "", exc.message)],
            rejected=True,
            refused_file=True,
            status_code=exc.status_code,
            seconds=_since(started),
        )
    if refused is not None:
        refused.filename, refused.sha256, refused.size = meta["filename"], meta["sha256"], meta["size"]
        refused.rows, refused.seconds = n_rows, _since(started)
        refused.errors.sort(key=_sort_key)
        return refused
    report = ImportReport(**meta, rows=n_rows)
    if not parsed.rows:
        report.errors.append(Issue(None, "", "工作表中没有数据行（表头以下全部为空）"))
        report.seconds = _since(started)
        return report
    known = {(i.row, i.column) for i in parsed.issues}

    def checked(count: int) -> None:
        if progress is not None:
            progress(50 + int(45 * count / max(n_rows, 1)), f"已核对 {count:,} / {n_rows:,} 行")

    plan = _plan(parsed.rows, actor=actor, known=known, lock=False, progress=checked)
    report.errors = sorted(parsed.issues + plan.errors, key=_sort_key)
    report.warnings = sorted(plan.warnings, key=_sort_key)
    if not report.errors:
        report.counts = plan.counts(n_rows)
    report.seconds = _since(started)
    return report


def _since(started: float) -> float:
    return time.monotonic() - started


def enterprise_import_commit(
    *,
    actor,
    data: bytes,
    filename: str = "",
    job=None,
    progress=None,
    expected_rows: int | None = None,
    limits: XlsxLimits | None = None,
) -> dict:
    """Read, validate and write the whole file in one transaction (all or nothing); one audit event with counts.

    A second run for the same job (a redelivered job) finds its audit event and changes nothing.
    """
    from apps.common.models import AuditEvent

    _require_import(actor)
    if not (actor.has_perm("enterprises.add_enterprise") and actor.has_perm("enterprises.change_enterprise")):
        raise PermissionDenied
    limits = limits or import_limits()
    report = progress or (lambda pct, msg="": None)
    sha = hashlib.sha256(data).hexdigest()
    if job is not None:
        done = AuditEvent.objects.filter(action=AUDIT_ACTION, extra__job=str(job.pk)).first()
        if done is not None:
            return _result(done.extra)
    report(2, "正在检查文件安全性")
    parsed, n_rows, refused = _parse(data, actor=actor, limits=limits, progress=report, expected_rows=expected_rows)
    if refused is not None:
        raise _failed(refused.errors, "文件未通过检查")
    if parsed.issues:
        raise _failed(sorted(parsed.issues, key=_sort_key), "数据有误")
    if not parsed.rows:
        raise DomainError("工作表中没有数据行，未写入任何数据")
    report(50, f"已读取 {n_rows:,} 行，正在与名录核对")
    extra = {"file": filename[:200], "sha256": sha, "rows": n_rows}
    if job is not None:
        extra["job"] = str(job.pk)

    def checked(count: int) -> None:
        report(50 + int(25 * count / max(n_rows, 1)), f"已核对 {count:,} / {n_rows:,} 行")

    plan = _plan(parsed.rows, actor=actor, known=set(), lock=False, progress=checked)
    if plan.errors:
        raise _failed(sorted(plan.errors, key=_sort_key), "数据有误")
    report(75, "正在写入数据库（一次事务，全部成功或全部不写入）")
    with transaction.atomic():
        if _changed_since(plan):  # someone edited a matched row meanwhile: plan again on locked rows
            plan = _plan(parsed.rows, actor=actor, known=set(), lock=True)
            if plan.errors:
                raise _failed(sorted(plan.errors, key=_sort_key), "数据有误")
        counts = plan.counts(n_rows)
        _write(plan, actor=actor)
        audit_record(AUDIT_ACTION, object_type="enterprises.enterprise", actor=actor, extra={**counts, **extra})
    return _result({**counts, **extra})


def _changed_since(plan: _Plan) -> bool:
    """Lock the matched rows (until commit) and tell whether any version moved since the plan read them."""
    from .models import Enterprise

    for ids in _chunks(list(plan.versions), PLAN_CHUNK):
        rows = Enterprise.objects.select_for_update().filter(pk__in=ids).values_list("pk", "version")
        current = dict(rows)
        if any(current.get(pk) != plan.versions[pk] for pk in ids):
            return True
    return False


def _result(extra: dict) -> dict:
    counts = {k: extra.get(k, 0) for k in ("total", "created", "updated", "unchanged")}
    return {
        **counts,
        "licences_created": extra.get("licences_created", 0),
        "licences_updated": extra.get("licences_updated", 0),
        "file": extra.get("file", ""),
        "summary": f"导入完成：共 {counts['total']:,} 行，新增 {counts['created']:,} 条，"
        f"更新 {counts['updated']:,} 条，无变化 {counts['unchanged']:,} 条",
        "next_url": "/enterprises/",
    }


def _failed(issues: list[Issue], what: str) -> DomainError:
    first = "；".join(str(i) for i in issues[:5])
    more = f"等共 {len(issues)} 处" if len(issues) > 5 else f"共 {len(issues)} 处"
    return DomainError(
        f"{what}（{more}），未写入任何数据：{first}。请重新上传文件查看完整的错误清单。",
        fields={"error_count": len(issues), "errors": [i.as_dict() for i in issues[:PAGE_ERRORS]]},
        code="import_invalid",
    )


# ------------------------------------------------------------------------------------------------ uploads
def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _paths(upload_id: str) -> tuple[Path, Path]:
    if not _UUID_RE.match(upload_id or ""):
        raise FileNotFoundError(upload_id)
    base = upload_dir()
    return base / f"{upload_id}.xlsx", base / f"{upload_id}.json"


def upload_ttl() -> int:
    return int(getattr(settings, "ENTERPRISE_IMPORT_UPLOAD_TTL", 24 * 3600))


def uploads_purge(*, now: float | None = None) -> int:
    """Delete uploads and reports older than the TTL (called on every upload; cheap). Returns files removed."""
    now = now or time.time()
    removed = 0
    for path in upload_dir().iterdir():
        if path.suffix in (".xlsx", ".json", ".part") and now - path.stat().st_mtime > upload_ttl():
            try:
                path.unlink()
                removed += 1
            except FileNotFoundError:
                pass
    return removed


def _display_name(name: str) -> str:
    """The uploader's file name for display only (never used as a path)."""
    name = os.path.basename(str(name or "").replace("\\", "/"))
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)
    return name[:120] or "未命名.xlsx"


def sync_rows() -> int:
    """Files up to this many rows are checked in the request; larger ones in a job (FILE-07)."""
    return int(getattr(settings, "ENTERPRISE_IMPORT_SYNC_ROWS", 2000))


def _estimate_rows(scan) -> int:
    """Data rows of the sheet to import, from the pre-scan's count of rows holding values (header excluded)."""
    counted = excel.xlsx_data_rows(scan, SHEET_TITLE)
    if counted is None:  # parts not understood: assume the largest sheet
        counted = max((n - 1 for n in scan.value_rows.values()), default=0)
    return counted


def _write_meta(json_path: Path, meta: dict) -> None:
    tmp = json_path.with_suffix(".json.part")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, json_path)


def _store_report(upload_id: str, actor, report: ImportReport, **extra) -> dict:
    xlsx_path, json_path = _paths(upload_id)
    if not report.ok:
        xlsx_path.unlink(missing_ok=True)  # only a file that can be imported is kept
    meta = {
        "id": upload_id,
        "owner_id": actor.pk,
        "created_at": timezone.now().isoformat(),
        "status": "checked" if report.ok else "invalid",
        "job_id": None,
        "check_job_id": None,
        **report.as_dict(),
        **extra,
    }
    _write_meta(json_path, meta)
    return meta


def enterprise_import_upload(*, actor, data: bytes, filename: str) -> tuple[str, ImportReport]:
    """Check an upload and store its report; keep the workbook only when it can be imported.

    Returns ``(upload_id, report)``; ``upload_id`` is "" when the pre-scan refused the file (nothing stored). Files
    of more than ``sync_rows()`` rows are checked by a job (``report.pending``; the report page follows it).
    """
    _require_import(actor)
    uploads_purge()
    name = _display_name(filename)
    limits = import_limits()
    started = time.monotonic()
    try:
        scan = excel.xlsx_prescan(data, limits)
    except WorkbookRejected as exc:
        return "", ImportReport(
            filename=name,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            errors=[Issue(None, "", exc.message)],
            rejected=True,
            refused_file=True,
            status_code=exc.status_code,
            seconds=_since(started),
        )
    upload_id = uuid.uuid4().hex
    xlsx_path, json_path = _paths(upload_id)
    estimate = _estimate_rows(scan)
    if estimate <= sync_rows() or estimate > limits.max_rows:
        report = enterprise_import_check(actor=actor, data=data, filename=name, limits=limits)
        if report.refused_file:
            return "", report
        if report.ok:
            _save_upload(xlsx_path, data)
        _store_report(upload_id, actor, report)
        return upload_id, report

    _save_upload(xlsx_path, data)
    report = ImportReport(filename=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), rows=estimate)
    report.pending = True
    meta = _store_report(upload_id, actor, report, status="checking")
    job = job_create(
        kind=CHECK_JOB_KIND,
        payload={"upload_id": upload_id, "filename": name, "rows": estimate},
        actor=actor,
        title=f"预检导入文件：{name}"[:200],
        dedupe_key=f"{CHECK_JOB_KIND}:{upload_id}",
    )
    meta.update(status="checking", check_job_id=str(job.pk))
    _write_meta(json_path, meta)
    return upload_id, report


def _save_upload(xlsx_path: Path, data: bytes) -> None:
    tmp = xlsx_path.with_suffix(".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, xlsx_path)


@job_handler(CHECK_JOB_KIND, label="检查对象导入预检")
def enterprise_import_check_job(job, progress) -> dict:
    """Job body of a large dry run: check the stored upload as its uploader and store the report."""
    actor = job.created_by
    if actor is None or not actor.is_active:
        raise DomainError("上传文件的账户已不存在或已停用")
    upload_id = str(job.payload.get("upload_id", ""))
    try:
        xlsx_path, _json_path = _paths(upload_id)
        data = xlsx_path.read_bytes()
    except FileNotFoundError:
        raise DomainError("上传的文件已过期或已被清理，请重新上传") from None
    report = enterprise_import_check(
        actor=actor, data=data, filename=str(job.payload.get("filename", "")), progress=progress
    )
    _store_report(upload_id, actor, report, check_job_id=str(job.pk))
    if report.ok:
        summary = f"预检通过：{report.rows:,} 行，可以确认导入"
    else:
        summary = f"预检发现 {len(report.errors):,} 处问题，文件不能导入"
    progress(100, summary)
    return {"summary": summary, "rows": report.rows, "errors": len(report.errors), "next_url": _report_url(upload_id)}


def _report_url(upload_id: str) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("enterprises:import_report", args=[upload_id])
    except NoReverseMatch:  # pragma: no cover - urls not installed
        return ""


def upload_report(*, actor, upload_id: str) -> dict:
    """The stored dry-run report of the actor's own upload (FileNotFoundError otherwise: the view answers 404)."""
    _xlsx, json_path = _paths(upload_id)
    meta = json.loads(json_path.read_text(encoding="utf-8"))
    if meta.get("owner_id") != getattr(actor, "pk", None):
        raise FileNotFoundError(upload_id)
    if time.time() - json_path.stat().st_mtime > upload_ttl():
        raise FileNotFoundError(upload_id)
    return meta


def upload_error_workbook(*, actor, upload_id: str) -> tuple[bytes, str]:
    meta = upload_report(actor=actor, upload_id=upload_id)
    rows = [(e["row"] or "", e["column"], e["value"], e["message"]) for e in meta["errors"]]
    if meta["error_count"] > len(rows):
        rows.append(("", "", "", f"（仅列出前 {len(rows):,} 条，共 {meta['error_count']:,} 条）"))
    content = excel.write_table(
        ["行号", "列", "原值", "错误原因"], rows, sheet_title="错误清单", widths=(8, 18, 24, 90)
    )
    stem = re.sub(r"\.xlsx$", "", meta.get("filename") or "导入文件", flags=re.IGNORECASE)
    return content, f"{stem}-错误清单.xlsx"


def enterprise_import_confirm(*, actor, upload_id: str):
    """Start the commit job for a checked upload of this actor (a second click returns the same job)."""
    _require_import(actor)
    meta = upload_report(actor=actor, upload_id=upload_id)
    xlsx_path, json_path = _paths(upload_id)
    if meta.get("status") == "checking":
        raise DomainError("预检尚未完成，请稍候", code="import_not_ready")
    if meta.get("status") not in ("checked", "queued") or not xlsx_path.exists():
        raise DomainError("该文件未通过预检或已导入，请重新上传", code="import_not_ready")
    with transaction.atomic():
        job = job_create(
            kind=JOB_KIND,
            payload={"upload_id": upload_id, "filename": meta.get("filename", ""), "rows": meta.get("rows", 0)},
            actor=actor,
            title=f"导入检查对象：{meta.get('filename', '')}"[:200],
            dedupe_key=f"{JOB_KIND}:{upload_id}",
        )
        meta.update(status="queued", job_id=str(job.pk))
        _write_meta(json_path, meta)
    return job


@job_handler(JOB_KIND, label="检查对象导入")
def enterprise_import_job(job, progress) -> dict:
    """Job body: load the stored upload of the job's creator and commit it; delete the upload afterwards."""
    actor = job.created_by
    if actor is None or not actor.is_active:
        raise DomainError("发起导入的账户已不存在或已停用，未写入任何数据")
    upload_id = str(job.payload.get("upload_id", ""))
    try:
        xlsx_path, json_path = _paths(upload_id)
        data = xlsx_path.read_bytes()
    except FileNotFoundError:
        from apps.common.models import AuditEvent

        done = AuditEvent.objects.filter(action=AUDIT_ACTION, extra__job=str(job.pk)).first()
        if done is not None:  # committed by an earlier delivery that crashed before finishing the job
            return _result(done.extra)
        raise DomainError("上传的文件已过期或已被清理，请重新上传") from None
    try:
        result = enterprise_import_commit(
            actor=actor,
            data=data,
            filename=str(job.payload.get("filename", "")),
            job=job,
            progress=progress,
            expected_rows=job.payload.get("rows") or None,
        )
    except DomainError:
        _mark(json_path, status="failed")
        raise
    xlsx_path.unlink(missing_ok=True)
    _mark(json_path, status="committed", result=result)
    progress(100, result["summary"])
    return result


def _mark(json_path: Path, **changes) -> None:
    try:
        meta = json.loads(json_path.read_text(encoding="utf-8"))
        meta.update(changes)
        _write_meta(json_path, meta)
    except (FileNotFoundError, ValueError):
        pass


__all__ = [
    "COLUMNS",
    "ImportReport",
    "enterprise_import_check",
    "enterprise_import_commit",
    "enterprise_import_confirm",
    "enterprise_import_template",
    "enterprise_import_upload",
    "upload_error_workbook",
    "upload_report",
    "uploads_purge",
]
