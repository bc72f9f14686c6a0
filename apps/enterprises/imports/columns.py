"""The import template and the reading of its rows: columns, reference data resolved by name, the template
workbook, and one sheet row → the registry's data vocabulary with row-numbered Chinese issues.

Cell parsing accepts what people type: Excel serial dates, text dates, full-width digits, numbers stored as text
and codes stored as numbers (with the reason when a number cell has lost digits).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from apps.accounts.models import Township
from apps.common import excel
from apps.common.excel import Column, Issue, ValueProblem, XlsxLimits
from apps.common.permissions import require_perm
from apps.common.scoping import user_sees_all_townships, user_township_ids

from ..choices import AreaType, BrandTag, EnterpriseStatus, LicenceKind, Scale
from ..models import BusinessType, FoodCategory

SHEET_TITLE = "检查对象"
TEMPLATE_FILENAME = "检查对象导入模板.xlsx"
REPORT_MAX_ERRORS = 20_000  # kept in the import record; the page shows the first 200

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
_SPACES_RE = re.compile(r"\s+")


def import_limits() -> XlsxLimits:
    overrides = getattr(settings, "ENTERPRISE_IMPORT_LIMITS", {}) or {}
    return XlsxLimits(**overrides) if overrides else excel.DEFAULT_LIMITS


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
        # the ids a row takes, by the same keys (a township only when the actor may import it)
        self.township_ids = {k: t.pk for k, t in self.townships.items() if t.pk in allowed}
        self.type_ids = {k: bt.pk for k, bt in self.types.items()}
        self.category_ids = {k: fc.pk for k, fc in self.categories.items()}
        self.status = _choice_map(EnterpriseStatus, STATUS_SYNONYMS)
        self.scale = _choice_map(Scale)
        self.area = _choice_map(AreaType, {"城镇": "urban", "城市": "urban", "乡村": "rural"})
        self.licence = _choice_map(LicenceKind, {"登记证": "DJ", "登记卡": "DK", "备案": "YB"})


def _key(text) -> str:
    if type(text) is str:  # a column repeats its values (townships, types, choices): each text is keyed once
        return _key_of_text(text)
    return _SPACES_RE.sub("", excel.to_halfwidth(str(text))).upper()


@functools.lru_cache(maxsize=4096)
def _key_of_text(text: str) -> str:
    return _SPACES_RE.sub("", excel.to_halfwidth(text)).upper()


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
    require_perm(actor, "enterprises.import_enterprise")
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
    elif (township_id := ref.township_ids.get(_key(raw))) is not None:
        data["township"] = township_id
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
        type_id = ref.type_ids.get(_key(raw))
        if type_id is None:
            problem("business_type", f"未知的业态「{_text(raw)}」，请从下拉列表选择", raw)
        else:
            data["business_type"] = type_id

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
            data["contact_phone"] = _SPACES_RE.sub(" ", excel.to_halfwidth(_text(raw)))

    # --- categories
    raw = v.get("food_categories")
    if raw is not None:
        ids, unknown = [], []
        for part in _SPLIT_RE.split(_text(raw)):
            part = part.strip()
            if not part:
                continue
            category_id = ref.category_ids.get(_key(part))
            if category_id is None:
                unknown.append(part)
            elif category_id not in ids:
                ids.append(category_id)
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
            prefix = _SPACES_RE.sub("", number)[:2].upper()
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
    lines: list = field(default_factory=list)  # the per-row preview of a file without errors (plan.lines)

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
