"""Excel import of the enterprise registry: dry run, commit, the import records and the jobs (docs/import.md).

Flow: ``enterprise_import_template`` → upload → ``enterprise_import_upload`` / ``enterprise_import_check`` (pre-scan,
parse, validate against the database: the dry run, stored as an ``ImportRecord`` with one ``ImportRow`` per data
row — the preview: new / changed with the fields / unchanged) → ``enterprise_import_confirm`` (a Job of kind
``enterprises.import``) → ``enterprise_import_commit`` in the job: the file is read and validated again and written
all-or-nothing in ONE transaction with bulk inserts/updates (upsert by USCC), the record's rows replaced by what
was done (with the enterprises' ids), and ONE audit event carrying the counts, the record's id and a digest of
the rows (so the per-row changes shown in each enterprise's 变更记录 are tied to the hash chain).

The uploaded workbook lives in ``MEDIA_ROOT/imports/<record id hex>.xlsx`` only while it can be imported
(MEDIA_ROOT is not served by the application); it is deleted after the commit or after the TTL, and records that
were never committed are purged after the TTL too.

An empty cell means "keep the stored value" for an existing enterprise and "use the default" for a new one;
optional columns may be left out of the sheet with the same effect.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from apps.common import excel, hooks
from apps.common.audit import audit_record, to_jsonable
from apps.common.bulk import gc_paused
from apps.common.excel import Issue, WorkbookRejected, XlsxLimits
from apps.common.exceptions import DomainError
from apps.common.jobs import job_create, job_creator
from apps.common.permissions import require_perm

from ..models import ImportOutcome, ImportRecord, ImportRow, ImportStatus
from . import plan as plan_mod
from .columns import (
    COLUMNS,
    REPORT_MAX_ERRORS,
    SHEET_TITLE,
    ImportReport,
    RowParse,
    _parse_row,
    _Reference,
    _sort_key,
    import_limits,
)

log = logging.getLogger(__name__)

JOB_KIND = "enterprises.import"
CHECK_JOB_KIND = "enterprises.import_check"
AUDIT_ACTION = "enterprise.import"

PAGE_ERRORS = 200
_UUID_RE = re.compile(r"^[0-9a-f]{32}$")


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


@gc_paused()  # reading and checking build ~10 objects a cell: no collector runs over them meanwhile
def enterprise_import_check(
    *, actor, data: bytes, filename: str = "", limits: XlsxLimits | None = None, progress=None
) -> ImportReport:
    """The dry run: every problem of the file with its row number and a Chinese reason; writes nothing."""
    require_perm(actor, "enterprises.import_enterprise")
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

    plan = plan_mod._plan(parsed.rows, actor=actor, known=known, lock=False, progress=checked)
    report.errors = sorted(parsed.issues + plan.errors, key=_sort_key)
    report.warnings = sorted(plan.warnings, key=_sort_key)
    if not report.errors:
        report.counts = plan.counts(n_rows)
        report.lines = plan.lines
    report.seconds = _since(started)
    return report


def _since(started: float) -> float:
    return time.monotonic() - started


def _record_get(upload_id: str) -> ImportRecord:
    if not _UUID_RE.match(upload_id or ""):
        raise FileNotFoundError(upload_id)
    try:
        return ImportRecord.objects.get(pk=uuid.UUID(upload_id))
    except ImportRecord.DoesNotExist:
        raise FileNotFoundError(upload_id) from None


_DIGEST_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # json.dumps(…, ensure_ascii=False, sort_keys=True)


def _lines_digest(lines: list[list]) -> str:
    """SHA-256 of the rows as stored (row, USCC, outcome, changes): recorded in the import's audit event."""
    digest = hashlib.sha256()
    for number, uscc, _name, outcome, changes, _ent in lines:
        digest.update(_DIGEST_JSON.encode([number, uscc, outcome, changes]).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _insert_lines(record: ImportRecord, lines: list[list]) -> None:
    from apps.common.bulk import bulk_insert

    record_id = record.pk
    bulk_insert(
        ImportRow,
        (
            {
                "record_id": record_id,
                "row_number": number,
                "uscc": (uscc or "")[:18],
                "name": (name or "")[:200],
                "outcome": outcome,
                "changes": changes,
                "enterprise_id": ent,
            }
            for number, uscc, name, outcome, changes, ent in lines
        ),
    )


def enterprise_import_commit(
    *,
    actor,
    data: bytes,
    filename: str = "",
    job=None,
    progress=None,
    expected_rows: int | None = None,
    limits: XlsxLimits | None = None,
    record: ImportRecord | None = None,
) -> dict:
    """Read, validate and write the whole file in one transaction (all or nothing); one audit event with counts.

    The rows of ``record`` (created here when None) are replaced by what the commit did. A second run for the same
    job (a redelivered job) finds its audit event and changes nothing.
    """
    from apps.common.models import AuditEvent

    require_perm(actor, "enterprises.import_enterprise")
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
    with gc_paused():  # reading and checking build ~10 objects a cell: no collector runs over them meanwhile
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

        plan = plan_mod._plan(parsed.rows, actor=actor, known=set(), lock=False, progress=checked)
    if plan.errors:
        raise _failed(sorted(plan.errors, key=_sort_key), "数据有误")
    report(75, "正在写入数据库（一次事务，全部成功或全部不写入）")
    with transaction.atomic():
        with gc_paused():  # resumed before the transaction commits and its on-commit jobs run
            if plan_mod._changed_since(plan):  # someone edited a matched row meanwhile: plan again on locked rows
                plan = plan_mod._plan(parsed.rows, actor=actor, known=set(), lock=True)
                if plan.errors:
                    raise _failed(sorted(plan.errors, key=_sort_key), "数据有误")
            # the plan stands (the rows it matched are locked): the parsed rows (~100 MB at 30,000 rows) are not
            # needed any more; freed before the writes allocate theirs, so the two never add up in the peak RSS
            parsed.rows = []
            counts = plan.counts(n_rows)
            created = plan_mod._write(plan, actor=actor)
            if record is None:
                record = ImportRecord.objects.create(
                    owner=actor, filename=filename[:120] or "未命名.xlsx", sha256=sha, size=len(data), rows=n_rows,
                    status=ImportStatus.QUEUED, counts=counts,
                )  # fmt: skip
            else:
                ImportRow.objects.filter(record=record).delete()
            for line in plan.lines:
                if line[5] is None:
                    line[5] = created[line[1]]
                if line[4]:  # a new or unchanged row has no changes: {} as it is
                    line[4] = to_jsonable(line[4])
            _insert_lines(record, plan.lines)
            # bulk writes send no model signals: tell the apps that keep per-enterprise state (risk's coverage debt)
            touched = [line[5] for line in plan.lines if line[3] != "unchanged" and line[5]]
            if touched:
                hooks.emit("enterprises.changed", enterprise_ids=touched)
            extra.update(importrecord=str(record.pk.hex), rows_sha256=_lines_digest(plan.lines))
            event = audit_record(
                AUDIT_ACTION,
                object_type="enterprises.importrecord",
                object_id=record.pk.hex,
                object_repr=record.filename,
                actor=actor,
                extra={**counts, **extra},
            )
            result = _result({**counts, **extra})
            ImportRecord.objects.filter(pk=record.pk).update(
                status=ImportStatus.COMMITTED, audit_event=event, committed_at=timezone.now(), result=result,
                counts=counts, job=job,
            )  # fmt: skip
    return result


def _result(extra: dict) -> dict:
    counts = {k: extra.get(k, 0) for k in ("total", "created", "updated", "unchanged")}
    record_id = extra.get("importrecord", "")
    return {
        **counts,
        "licences_created": extra.get("licences_created", 0),
        "licences_updated": extra.get("licences_updated", 0),
        "file": extra.get("file", ""),
        "summary": f"导入完成：共 {counts['total']:,} 行，新增 {counts['created']:,} 条，"
        f"更新 {counts['updated']:,} 条，无变化 {counts['unchanged']:,} 条",
        "next_url": imported_rows_url(record_id) if record_id else "/enterprises/",
        "next_label": f"查看导入的 {counts['total']:,} 条检查对象",
    }


def imported_rows_url(record_id: str) -> str:
    """The enterprise list filtered to the rows of this import (the FilterSet's ``import_record``)."""
    from django.urls import reverse

    return f"{reverse('enterprises:list')}?import_record={record_id}"


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


def _xlsx_path(upload_id: str) -> Path:
    if not _UUID_RE.match(upload_id or ""):
        raise FileNotFoundError(upload_id)
    return upload_dir() / f"{upload_id}.xlsx"


def upload_ttl() -> int:
    return int(getattr(settings, "ENTERPRISE_IMPORT_UPLOAD_TTL", 24 * 3600))


_OPEN = (ImportStatus.CHECKING, ImportStatus.CHECKED, ImportStatus.INVALID, ImportStatus.FAILED)


def uploads_purge(*, now: float | None = None) -> int:
    """Delete stored workbooks older than the TTL and records that were never committed (called on every upload;
    cheap). Committed records stay: their rows are the enterprises' change history. Returns files + records removed."""
    now = now or time.time()
    removed = 0
    for path in upload_dir().iterdir():
        if path.suffix in (".xlsx", ".part") and now - path.stat().st_mtime > upload_ttl():
            try:
                path.unlink()
                removed += 1
            except FileNotFoundError:
                pass
    cutoff = dt.datetime.fromtimestamp(min(now, 32503680000) - upload_ttl(), tz=dt.UTC)  # now ≤ year 3000
    _total, by_model = ImportRecord.objects.filter(status__in=_OPEN, created_at__lt=cutoff).delete()
    return removed + by_model.get(ImportRecord._meta.label, 0)


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


def _store_report(record: ImportRecord, report: ImportReport, status: str | None = None) -> ImportRecord:
    """Save the dry run on the record and replace its preview rows (only a file that can be imported keeps its
    workbook and gets a preview)."""
    if not report.ok:
        _xlsx_path(record.pk.hex).unlink(missing_ok=True)
    record.status = status or (ImportStatus.CHECKED if report.ok else ImportStatus.INVALID)
    record.filename, record.sha256, record.size = report.filename or record.filename, report.sha256, report.size
    record.rows, record.seconds, record.rejected = report.rows, round(report.seconds, 3), report.rejected
    record.error_count, record.warning_count = len(report.errors), len(report.warnings)
    record.errors = [i.as_dict() for i in report.errors[:REPORT_MAX_ERRORS]]
    record.warnings = [i.as_dict() for i in report.warnings[:REPORT_MAX_ERRORS]]
    record.counts = report.counts
    with transaction.atomic():
        record.save()
        ImportRow.objects.filter(record=record).delete()
        if report.lines:
            lines = [[n, u, name, o, to_jsonable(c) if c else c, e] for n, u, name, o, c, e in report.lines]
            _insert_lines(record, lines)
    return record


def enterprise_import_upload(*, actor, data: bytes, filename: str) -> tuple[str, ImportReport]:
    """Check an upload and store its record; keep the workbook only when it can be imported.

    Returns ``(upload_id, report)``; ``upload_id`` is "" when the pre-scan refused the file (nothing stored). Files
    of more than ``sync_rows()`` rows are checked by a job (``report.pending``; the report page follows it).
    """
    require_perm(actor, "enterprises.import_enterprise")
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
    estimate = _estimate_rows(scan)
    if estimate <= sync_rows() or estimate > limits.max_rows:
        report = enterprise_import_check(actor=actor, data=data, filename=name, limits=limits)
        if report.refused_file:
            return "", report
        record = ImportRecord(owner=actor, filename=name, status=ImportStatus.CHECKING)
        if report.ok:
            _save_upload(_xlsx_path(record.pk.hex), data)
        _store_report(record, report)
        return record.pk.hex, report

    sha = hashlib.sha256(data).hexdigest()
    report = ImportReport(filename=name, sha256=sha, size=len(data), rows=estimate)
    report.pending = True
    with transaction.atomic():
        record = ImportRecord.objects.create(
            owner=actor, filename=name, sha256=sha, size=len(data), rows=estimate, status=ImportStatus.CHECKING
        )
        _save_upload(_xlsx_path(record.pk.hex), data)
        job = job_create(
            kind=CHECK_JOB_KIND,
            payload={"upload_id": record.pk.hex, "filename": name, "rows": estimate},
            actor=actor,
            title=f"预检导入文件：{name}"[:200],
            dedupe_key=f"{CHECK_JOB_KIND}:{record.pk.hex}",
        )
        ImportRecord.objects.filter(pk=record.pk).update(check_job=job)
    return record.pk.hex, report


def _save_upload(xlsx_path: Path, data: bytes) -> None:
    tmp = xlsx_path.with_suffix(".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, xlsx_path)


def enterprise_import_check_job(job, progress) -> dict:
    """Job body of a large dry run: check the stored upload as its uploader and store the report."""
    actor = job_creator(job, "上传文件的账户已不存在或已停用")
    upload_id = str(job.payload.get("upload_id", ""))
    try:
        record = _record_get(upload_id)
        data = _xlsx_path(upload_id).read_bytes()
    except FileNotFoundError:
        raise DomainError("上传的文件已过期或已被清理，请重新上传") from None
    report = enterprise_import_check(
        actor=actor, data=data, filename=str(job.payload.get("filename", "")), progress=progress
    )
    _store_report(record, report)
    if report.ok:
        summary = f"预检通过：{report.rows:,} 行，可以确认导入"
    else:
        summary = f"预检发现 {len(report.errors):,} 处问题，文件不能导入"
    progress(100, summary)
    return {
        "summary": summary,
        "rows": report.rows,
        "errors": len(report.errors),
        "next_url": _report_url(upload_id),
        "next_label": "查看预检结果",
    }


def _report_url(upload_id: str) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("enterprises:import_report", args=[upload_id])
    except NoReverseMatch:  # pragma: no cover - urls not installed
        return ""


def _expired(record: ImportRecord) -> bool:
    return record.status in _OPEN and (timezone.now() - record.created_at).total_seconds() > upload_ttl()


def upload_record(*, actor, upload_id: str) -> ImportRecord:
    """The actor's own import record (FileNotFoundError otherwise, or when an uncommitted one expired: 404)."""
    record = _record_get(upload_id)
    if record.owner_id != getattr(actor, "pk", None) or _expired(record):
        raise FileNotFoundError(upload_id)
    return record


def _meta(record: ImportRecord) -> dict:
    return {
        "id": record.pk.hex,
        "owner_id": record.owner_id,
        "created_at": record.created_at,
        "status": record.status,
        "job_id": str(record.job_id) if record.job_id else None,
        "check_job_id": str(record.check_job_id) if record.check_job_id else None,
        "filename": record.filename,
        "sha256": record.sha256,
        "size": record.size,
        "rows": record.rows,
        "error_count": record.error_count,
        "errors": record.errors,
        "warning_count": record.warning_count,
        "warnings": record.warnings,
        "counts": record.counts,
        "seconds": record.seconds,
        "rejected": record.rejected,
        "result": record.result,
        "committed_at": record.committed_at,
    }


def upload_report(*, actor, upload_id: str) -> dict:
    """The stored dry-run report of the actor's own upload as a dict (FileNotFoundError otherwise: 404)."""
    return _meta(upload_record(actor=actor, upload_id=upload_id))


def upload_lines(*, actor, upload_id: str, outcome: str | None = None):
    """The per-row preview (before the commit) or outcome (after it) of the actor's own upload, by row number."""
    record = upload_record(actor=actor, upload_id=upload_id)
    qs = ImportRow.objects.filter(record=record).order_by("row_number")
    if outcome in ImportOutcome.values:
        qs = qs.filter(outcome=outcome)
    return qs


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
    require_perm(actor, "enterprises.import_enterprise")
    record = upload_record(actor=actor, upload_id=upload_id)
    if record.status == ImportStatus.CHECKING:
        raise DomainError("预检尚未完成，请稍候", code="import_not_ready")
    if record.status not in (ImportStatus.CHECKED, ImportStatus.QUEUED) or not _xlsx_path(upload_id).exists():
        raise DomainError("该文件未通过预检或已导入，请重新上传", code="import_not_ready")
    with transaction.atomic():
        job = job_create(
            kind=JOB_KIND,
            payload={"upload_id": upload_id, "filename": record.filename, "rows": record.rows},
            actor=actor,
            title=f"导入检查对象：{record.filename}"[:200],
            dedupe_key=f"{JOB_KIND}:{upload_id}",
        )
        ImportRecord.objects.filter(pk=record.pk).update(status=ImportStatus.QUEUED, job=job)
    return job


def enterprise_import_job(job, progress) -> dict:
    """Job body: load the stored upload of the job's creator and commit it; delete the upload afterwards."""
    from apps.common.models import AuditEvent

    actor = job_creator(job, "发起导入的账户已不存在或已停用，未写入任何数据")
    upload_id = str(job.payload.get("upload_id", ""))
    try:
        record = _record_get(upload_id)
        data = _xlsx_path(upload_id).read_bytes()
    except FileNotFoundError:
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
            record=record,
        )
    except DomainError:
        ImportRecord.objects.filter(pk=record.pk).update(status=ImportStatus.FAILED)
        raise
    _xlsx_path(upload_id).unlink(missing_ok=True)
    progress(100, result["summary"])
    return result


__all__ = [
    "ImportReport",
    "enterprise_import_check",
    "enterprise_import_commit",
    "enterprise_import_confirm",
    "enterprise_import_upload",
    "upload_error_workbook",
    "upload_lines",
    "upload_record",
    "upload_report",
    "uploads_purge",
]
