"""Excel import of lab results: template → upload (the registry import's pre-scan and safety: size, zip bomb,
macros, external links, DTDs, formulas, merged cells — ``apps.common.excel``) → dry run with row-numbered Chinese
errors and a preview of each sample's judgements → confirm → a job that commits every sample of the file in ONE
transaction (all or nothing), each sample's rows through ``services.results.results_submit`` — the same path as the
page and the API.

Columns: 抽样单编号*, 检验项目* (its name as in the catalogue, or its code), 检验结果, 结果单位, 说明, 检验报告编号
(optional, one per sample), 结果1 … 结果n (a microbiological n/c/m/M item's n results instead of 检验结果). A sample
already reported whose 复检 was assigned to the uploader's lab takes the rows as its 复检 results.

The upload lives in ``MEDIA_ROOT/sampling_results/<id>.xlsx`` with its dry-run report beside it (``<id>.json``: the
uploader, the file's SHA-256, the errors or the preview) until it is committed or ``UPLOAD_TTL`` has passed
(MEDIA_ROOT is not served by the application)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from apps.common import excel
from apps.common.audit import audit_record
from apps.common.excel import Column, Issue, WorkbookRejected, XlsxLimits
from apps.common.exceptions import DomainError
from apps.common.jobs import job_create, job_creator
from apps.common.permissions import require_perm
from apps.standards.choices import JudgementType
from apps.standards.judging import limit_in_force
from apps.standards.models import TestItem, TestLimit

from ..choices import DisposalStatus, EntryChannel, SampleStatus
from ..models import Sample
from .selectors import applicable_test_items
from .services import results as result_services
from .services.results import ResultsInvalid

PERM = "sampling.add_resultitem"
SHEET_TITLE = "检验结果"
TEMPLATE_FILENAME = "检验结果导入模板.xlsx"
JOB_KIND = "sampling.results_import"
AUDIT_ACTION = "sampling.lab.results_import"
MICRO_READ_MAX = 20  # 结果1 … 结果20 are read; the template shows as many as the catalogue's largest n
UPLOAD_TTL = 24 * 3600
PAGE_ERRORS = 200
LIMITS = XlsxLimits(max_rows=5000, max_columns=40)
_ID_RE = re.compile(r"^[0-9a-f]{32}$")

BASE_COLUMNS: tuple[Column, ...] = (
    Column(
        "number", "抽样单编号", required=True, kind="code", width=24, comment="抽样单上的编号，如 DC26330481000000001。"
    ),
    Column(
        "item",
        "检验项目",
        required=True,
        choices="检验项目",
        width=16,
        comment="检验项目名称（如 铅、菌落总数），须适用于该样品的食品分类；也可填项目代码。",
    ),
    Column(
        "value", "检验结果", width=12, comment="数值、“未检出”或“<检出限”。微生物 n/c/m/M 项目留空，填 结果1…结果n。"
    ),
    Column("unit", "结果单位", width=10, comment="须与允许限单位一致（如 mg/kg）；留空按允许限单位。"),
    Column("note", "说明", width=20, comment="选填，最多 120 字。"),
    Column(
        "report_no", "检验报告编号", width=20, comment="选填；同一样品各行相同。留空则为 抽样单编号-JY（复检为 -FJ）。"
    ),
)


def micro_columns(n: int) -> tuple[Column, ...]:
    return tuple(
        Column(f"m{i}", f"结果{i}", width=9, comment=f"微生物项目第 {i} 个样品的结果（n 个样品依次填写）。")
        for i in range(1, n + 1)
    )


def template_micro_n() -> int:
    largest = (
        TestLimit.objects.filter(judgement_type=JudgementType.MICRO)
        .order_by("-micro_n")
        .values_list("micro_n", flat=True)
        .first()
    )
    return max(5, min(MICRO_READ_MAX, largest or 5))


READ_COLUMNS = BASE_COLUMNS + micro_columns(MICRO_READ_MAX)


def results_import_template(*, actor) -> bytes:
    require_perm(actor, PERM)
    names = list(TestItem.objects.filter(is_active=True).order_by("order", "code").values_list("name", flat=True))
    return excel.write_template(
        BASE_COLUMNS + micro_columns(template_micro_n()),
        sheet_title=SHEET_TITLE,
        lists={"检验项目": list(dict.fromkeys(names))},
        max_rows=LIMITS.max_rows,
        instructions=[
            "检验结果导入说明",
            "1. 每行一个样品的一个检验项目；同一样品的各行一起判定、一起写入。",
            "2. 判定按样品生产日期时现行的限量标准自动进行；结果单位须与允许限单位一致。",
            "3. 数值型结果填数字（如 0.12）、“未检出”或“<0.005”；微生物 n/c/m/M 项目在 结果1…结果n 依次填 n 个样品的结果。",
            "4. 先上传预检：所有错误按行号列出，全部更正后才能确认导入；确认后整份文件一次写入，任何一行出错都不写入。",
            "5. 已出具结论的样品不能再次导入（结果提交后不能覆盖）；复检机构导入的是分配给本机构的复检样品的复检结果。",
            f"6. 单个文件最多 {LIMITS.max_rows:,} 行、{LIMITS.max_bytes // (1024 * 1024)} MB；不要使用公式、合并单元格或宏。",
        ],
    )


# ---------------------------------------------------------------------------- reading and planning
@dataclass
class Group:
    """The rows of one sample: the items for ``results_submit`` and where each came from."""

    number: str
    rows: list[int] = field(default_factory=list)
    raw: list[tuple[int, dict]] = field(default_factory=list)
    sample: Sample | None = None
    is_recheck: bool = False
    report_no: str = ""
    items: list[dict] = field(default_factory=list)
    item_rows: list[int] = field(default_factory=list)
    applicable: list | None = None
    preview: dict | None = None


@dataclass
class Plan:
    rows: int = 0
    issues: list[Issue] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)


COLUMN_OF_KEY = {
    "test_item": "检验项目",
    "value_text": "检验结果",
    "micro_values": "结果1",
    "unit": "结果单位",
    "explanation": "说明",
    "items": "检验项目",
}


def _read(data: bytes, progress=None) -> Plan:
    scan = excel.xlsx_prescan(data, LIMITS)
    plan = Plan()
    counted = excel.xlsx_data_rows(scan, SHEET_TITLE)
    if counted is not None and counted > LIMITS.max_rows:
        plan.issues.append(excel.too_many_rows_issue(counted, LIMITS))
        plan.rows = counted
        return plan
    book = excel.xlsx_open(data)
    try:
        table = excel.read_table(book, READ_COLUMNS, prescan=scan, sheet_name=SHEET_TITLE, limits=LIMITS)
        if table.fatal:
            plan.issues.extend(table.issues)
            plan.rows = table.data_rows
            return plan
        own: list[Issue] = []
        by_number: dict[str, Group] = {}
        for row_no, values in table.rows():
            cells = {key: excel.clean_text(v) for key, v in zip(table.keys, values, strict=True)}
            number = cells["number"]
            if not number:
                own.append(Issue(row_no, "抽样单编号", "请填写抽样单编号"))
                continue
            if not cells["item"]:
                own.append(Issue(row_no, "检验项目", "请填写检验项目", number))
                continue
            group = by_number.get(number)
            if group is None:
                group = by_number[number] = Group(number=number)
                plan.groups.append(group)
            group.rows.append(row_no)
            group.raw.append((row_no, cells))
        plan.issues = list(table.issues) + own  # formulas, merged cells, too many rows: found while streaming
        plan.rows = table.data_rows
    finally:
        book.close()
    return plan


def _resolve_group(actor, group: Group, issues: list[Issue], by_category: dict) -> None:
    """The sample, the round, and the rows as the service's items (test items resolved by code, then by name among
    the items that apply to the sample's category)."""
    sample = Sample.objects.visible_to(actor).select_related("category", "lab").filter(number=group.number).first()
    if sample is None:
        for row in group.rows:
            issues.append(
                Issue(row, "抽样单编号", f"抽样单编号“{group.number}”不存在，或该样品未送本机构检验", group.number)
            )
        return
    group.sample = sample
    disposal = getattr(sample, "disposal", None) if sample.status == SampleStatus.REPORTED else None
    group.is_recheck = disposal is not None and disposal.status == DisposalStatus.RECHECKING
    if sample.category_id not in by_category:  # one catalogue read per category, not per sample
        by_category[sample.category_id] = applicable_test_items(sample)
    applicable = group.applicable = by_category[sample.category_id]
    by_code = {t.code: t for t in applicable}
    by_name: dict[str, list] = {}
    for t in applicable:
        by_name.setdefault(t.name, []).append(t)
    reports = {cells["report_no"] for _row, cells in group.raw if cells["report_no"]}
    if len(reports) > 1:
        issues.append(
            Issue(group.rows[0], "检验报告编号", f"同一样品的检验报告编号不一致：{'、'.join(sorted(reports))}")
        )
    group.report_no = next(iter(reports), "")
    for row, cells in group.raw:
        name = cells["item"]
        item = by_code.get(name) or (by_name.get(name) or [None])[0]
        if item is None:
            issues.append(
                Issue(
                    row, "检验项目", f"检验项目“{name}”不存在，或不适用于该样品的食品分类“{sample.category.name}”", name
                )
            )
            continue
        limit = limit_in_force(item, sample.production_date)
        entry = {"test_item": item.pk, "unit": cells["unit"], "explanation": cells["note"]}
        if limit is not None and limit.judgement_type == JudgementType.MICRO:
            values = [cells[f"m{i}"] for i in range(1, MICRO_READ_MAX + 1)]
            while values and not values[-1]:
                values.pop()
            entry["micro_values"] = values
            if cells["value"]:
                issues.append(
                    Issue(
                        row,
                        "检验结果",
                        f"{item.name}是微生物 n/c/m/M 项目，请在 结果1…结果n 填写各样品结果",
                        cells["value"],
                    )
                )
                continue
        else:
            entry["value_text"] = cells["value"]
            if not cells["value"]:
                issues.append(Issue(row, "检验结果", f"请填写{item.name}的检验结果"))
                continue
        group.items.append(entry)
        group.item_rows.append(row)


def _problem_issues(group: Group, exc: DomainError) -> list[Issue]:
    if isinstance(exc, ResultsInvalid):
        out = []
        for index, key, message in exc.problems:
            row = group.item_rows[index] if index is not None and index < len(group.item_rows) else group.rows[0]
            out.append(Issue(row, COLUMN_OF_KEY.get(key, ""), message))
        return out
    return [Issue(group.rows[0], "抽样单编号", exc.message, group.number)]


def _plan(actor, data: bytes, *, judge: bool, progress=None) -> Plan:
    plan = _read(data)
    if plan.issues and any(i.row is None for i in plan.issues):
        return plan
    if not plan.groups and not plan.issues:
        plan.issues.append(Issue(None, "", "工作表中没有数据行（表头以下全部为空）"))
        return plan
    total = len(plan.groups)
    by_category: dict = {}
    for n, group in enumerate(plan.groups, start=1):
        before = len(plan.issues)
        _resolve_group(actor, group, plan.issues, by_category)
        clean = len(plan.issues) == before
        if judge and group.sample is not None and group.items:  # the rows that resolved are judged anyway
            try:
                checked = result_services.results_check(
                    actor=actor,
                    sample=group.sample,
                    items=group.items,
                    is_recheck=group.is_recheck,
                    applicable=group.applicable,
                )
            except DomainError as exc:
                plan.issues.extend(_problem_issues(group, exc))
            else:
                group.preview = (
                    None
                    if not clean
                    else {
                        "number": group.number,
                        "name": group.sample.name,
                        "site": group.sample.site_name,
                        "recheck": group.is_recheck,
                        "conclusion": checked.conclusion,
                        "conclusion_label": checked.conclusion_label,
                        "items": [
                            {
                                "row": group.item_rows[j.index],
                                "name": j.test_item.name,
                                "value": j.display_value,
                                "unit": j.unit,
                                "verdict": j.verdict,
                                "verdict_label": j.verdict_label,
                                "explanation": j.explanation,
                            }
                            for j in checked.items
                        ],
                    }
                )
        if progress is not None:
            progress(10 + int(60 * n / max(total, 1)), f"已核对 {n:,} / {total:,} 个样品")
    plan.issues.sort(key=lambda i: (i.row or 0, i.column))
    return plan


# ---------------------------------------------------------------------------- uploads
def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "sampling_results"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _paths(upload_id: str) -> tuple[Path, Path]:
    if not _ID_RE.match(upload_id or ""):
        raise FileNotFoundError(upload_id)
    base = upload_dir()
    return base / f"{upload_id}.xlsx", base / f"{upload_id}.json"


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _display_name(name: str) -> str:
    name = os.path.basename(str(name or "").replace("\\", "/"))
    return re.sub(r"[\x00-\x1f\x7f]", "", name)[:120] or "未命名.xlsx"


def uploads_purge(*, now: float | None = None) -> int:
    now = now or time.time()
    removed = 0
    for path in upload_dir().iterdir():
        if path.suffix in (".xlsx", ".json", ".part") and now - path.stat().st_mtime > UPLOAD_TTL:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _issues_json(issues: list[Issue]) -> list[dict]:
    return [i.as_dict() for i in issues[:20_000]]


def results_import_upload(*, actor, data: bytes, filename: str) -> tuple[str, dict]:
    """Check an upload (the dry run) and keep it with its report. Returns ``(upload_id, report)``; ``upload_id`` is
    "" when the file was refused as a whole (``report["refused"]``, ``report["status_code"]``)."""
    require_perm(actor, PERM)
    uploads_purge()
    name = _display_name(filename)
    sha = hashlib.sha256(data).hexdigest()
    started = time.monotonic()
    report = {"filename": name, "sha256": sha, "size": len(data), "owner": actor.pk, "created": time.time()}
    try:
        plan = _plan(actor, data, judge=True)
    except WorkbookRejected as exc:
        return "", {
            **report,
            "refused": True,
            "status_code": exc.status_code,
            "errors": [Issue(None, "", exc.message).as_dict()],
        }
    upload_id = uuid.uuid4().hex
    ok = not plan.issues
    report.update(
        id=upload_id,
        refused=False,
        status="checked" if ok else "invalid",
        rows=plan.rows,
        samples=len(plan.groups),
        error_count=len(plan.issues),
        errors=_issues_json(plan.issues),
        groups=[g.preview for g in plan.groups if g.preview] if ok else [],
        seconds=round(time.monotonic() - started, 3),
    )
    xlsx, meta = _paths(upload_id)
    if ok:
        _write(xlsx, data)
    _write(meta, json.dumps(report, ensure_ascii=False).encode())
    return upload_id, report


def upload_report(*, actor, upload_id: str) -> dict:
    """The actor's own upload report (FileNotFoundError otherwise, or once expired: the page answers 404)."""
    _xlsx, meta = _paths(upload_id)
    report = json.loads(meta.read_text(encoding="utf-8"))
    if report.get("owner") != getattr(actor, "pk", None) or time.time() - report.get("created", 0) > UPLOAD_TTL:
        raise FileNotFoundError(upload_id)
    return report


def _save_report(upload_id: str, report: dict) -> None:
    _write(_paths(upload_id)[1], json.dumps(report, ensure_ascii=False).encode())


def results_import_confirm(*, actor, upload_id: str):
    """Start the commit job for a checked upload of this actor (a second click returns the same job)."""
    require_perm(actor, PERM)
    report = upload_report(actor=actor, upload_id=upload_id)
    xlsx, _meta = _paths(upload_id)
    if report.get("status") not in ("checked", "queued") or not xlsx.exists():
        raise DomainError("该文件未通过预检或已导入，请重新上传", code="import_not_ready")
    with transaction.atomic():
        job = job_create(
            kind=JOB_KIND,
            payload={"upload_id": upload_id, "filename": report["filename"], "sha256": report["sha256"]},
            actor=actor,
            title=f"导入检验结果：{report['filename']}"[:200],
            dedupe_key=f"{JOB_KIND}:{upload_id}",
        )
    if report.get("status") == "checked":
        report.update(status="queued", job=str(job.pk))
        _save_report(upload_id, report)
    return job


def _failed(issues: list[Issue]) -> DomainError:
    first = "；".join(str(i) for i in issues[:5])
    return DomainError(
        f"数据有误（共 {len(issues)} 处），未写入任何结果：{first}。请更正后重新上传。",
        fields={"error_count": len(issues), "errors": _issues_json(issues[:PAGE_ERRORS])},
        code="import_invalid",
    )


def results_import_commit(*, actor, data: bytes, filename: str = "", job=None, progress=None) -> dict:
    """Read and check the file again, then write every sample's results in ONE transaction through
    ``results_submit`` (all or nothing); one import audit event with the counts. A redelivered job finds its event
    and writes nothing again."""
    from apps.common.models import AuditEvent

    require_perm(actor, PERM)
    report = progress or (lambda pct, msg="": None)
    if job is not None:
        done = AuditEvent.objects.filter(action=AUDIT_ACTION, extra__job=str(job.pk)).first()
        if done is not None:
            return _result(done.extra)
    report(5, "正在检查文件安全性并读取")
    plan = _plan(actor, data, judge=False, progress=report)
    if plan.issues:
        raise _failed(plan.issues)
    report(70, "正在写入（一次事务，全部成功或全部不写入）")
    counts = {"rows": plan.rows, "samples": len(plan.groups), "unqualified": 0, "rechecks": 0}
    with transaction.atomic():
        for group in plan.groups:
            try:
                sample = result_services.results_submit(
                    actor,
                    group.sample,
                    group.items,
                    channel=EntryChannel.EXCEL,
                    is_recheck=group.is_recheck,
                    report_no=group.report_no,
                )
            except DomainError as exc:
                raise _failed(_problem_issues(group, exc)) from None
            counts["unqualified"] += sample.conclusion == "unqualified"
            counts["rechecks"] += group.is_recheck
        extra = {
            **counts,
            "file": (filename or "")[:200],
            "sha256": hashlib.sha256(data).hexdigest(),
            "samples_list": [g.number for g in plan.groups][:500],
        }
        if job is not None:
            extra["job"] = str(job.pk)
        audit_record(
            AUDIT_ACTION,
            object_type="sampling.sample",
            object_repr=(filename or "检验结果导入")[:200],
            actor=actor,
            extra=extra,
        )
    return _result(extra)


def _result(extra: dict) -> dict:
    from django.urls import reverse

    samples, rows = extra.get("samples", 0), extra.get("rows", 0)
    return {
        "rows": rows,
        "samples": samples,
        "unqualified": extra.get("unqualified", 0),
        "summary": f"导入完成：{samples:,} 个样品、{rows:,} 行检验结果，其中不合格 {extra.get('unqualified', 0):,} 个样品",
        "next_url": f"{reverse('sampling:lab_samples')}?status={SampleStatus.REPORTED}",
        "next_label": "查看已出结论的样品",
    }


def results_import_job(job, progress) -> dict:
    """Job body: the stored upload of the job's creator, committed; the upload is deleted afterwards."""
    actor = job_creator(job, "发起导入的账户已不存在或已停用，未写入任何结果")
    upload_id = str(job.payload.get("upload_id", ""))
    try:
        xlsx, _meta = _paths(upload_id)
        data = xlsx.read_bytes()
    except FileNotFoundError:
        from apps.common.models import AuditEvent

        done = AuditEvent.objects.filter(action=AUDIT_ACTION, extra__job=str(job.pk)).first()
        if done is not None:
            return _result(done.extra)
        raise DomainError("上传的文件已过期或已被清理，请重新上传") from None
    if hashlib.sha256(data).hexdigest() != job.payload.get("sha256"):
        raise DomainError("上传的文件与预检时不一致，未写入任何结果；请重新上传")
    report = None
    try:
        report = upload_report(actor=actor, upload_id=upload_id)
    except (FileNotFoundError, ValueError):
        pass
    try:
        result = results_import_commit(
            actor=actor, data=data, filename=str(job.payload.get("filename", "")), job=job, progress=progress
        )
    except DomainError:
        if report is not None:
            report["status"] = "failed"
            _save_report(upload_id, report)
        raise
    if report is not None:
        report.update(status="committed", result=result)
        _save_report(upload_id, report)
    xlsx.unlink(missing_ok=True)
    progress(100, result["summary"])
    return result
