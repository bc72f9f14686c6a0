"""Excel import of the enterprise registry (issue 3 point 4; SECURITY.md FILE-01..07; docs/import.md).

* ``columns`` — the template's columns, reference data, the template workbook, one sheet row → data, the report;
* ``plan`` — validation against the database with the registry's rules, each row's outcome and the bulk writes;
* ``service`` — dry run, commit (one transaction, one audit event), import records (``ImportRecord`` /
  ``ImportRow``), stored uploads and the two jobs.
"""

from .columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    SHEET_TITLE,
    TEMPLATE_FILENAME,
    ImportReport,
    enterprise_import_template,
    import_limits,
)
from .service import (
    AUDIT_ACTION,
    CHECK_JOB_KIND,
    JOB_KIND,
    PAGE_ERRORS,
    _display_name,
    enterprise_import_check,
    enterprise_import_commit,
    enterprise_import_confirm,
    enterprise_import_upload,
    imported_rows_url,
    sync_rows,
    upload_dir,
    upload_error_workbook,
    upload_lines,
    upload_record,
    upload_report,
    uploads_purge,
)

__all__ = [
    "AUDIT_ACTION",
    "CHECK_JOB_KIND",
    "COLUMNS",
    "COLUMN_BY_KEY",
    "JOB_KIND",
    "PAGE_ERRORS",
    "SHEET_TITLE",
    "TEMPLATE_FILENAME",
    "ImportReport",
    "_display_name",
    "enterprise_import_check",
    "enterprise_import_commit",
    "enterprise_import_confirm",
    "enterprise_import_template",
    "enterprise_import_upload",
    "import_limits",
    "imported_rows_url",
    "sync_rows",
    "upload_dir",
    "upload_error_workbook",
    "upload_lines",
    "upload_record",
    "upload_report",
    "uploads_purge",
]
