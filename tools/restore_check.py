#!/usr/bin/env python3
"""After a restore (SECURITY.md BAK-02): check the restored database before anyone uses it. Reads only.

1. every migration applied (the code and the restored schema agree);
2. the audit hash chain verifies end to end (AUD-05), and matches the daily anchors when given (AUD-06);
3. every 双随机 draw record verifies with tools/verify_draw.py's own check (seed, pool hashes, result);
4. every sealed inspection record still matches its seal, signature and photo digests (CRY-03).

    DATABASE_URL=postgres://…/haining_restored .venv/bin/python tools/restore_check.py --anchors /srv/anchors
    DATABASE_URL=sqlite:////tmp/restored.sqlite3 .venv/bin/python tools/restore_check.py --json

Runs against the database of DJANGO_SETTINGS_MODULE (default haining_foodsafety.settings.base, i.e. DATABASE_URL
or the local SQLite file). Exit status 0 when everything verifies, 1 otherwise.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haining_foodsafety.settings.base")


def _verify_draw_module():
    spec = importlib.util.spec_from_file_location("verify_draw", ROOT / "tools" / "verify_draw.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(anchors: str | None = None) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from apps.common.audit import audit_verify, audit_verify_anchors
    from apps.inspections.choices import ResultStatus
    from apps.inspections.draws.selectors import draw_record
    from apps.inspections.fieldwork.selectors import result_verify
    from apps.inspections.models import Draw, InspectionResult

    report: dict = {"ok": True, "problems": []}

    def fail(message):
        report["ok"] = False
        report["problems"].append(message)

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    report["pending_migrations"] = [f"{m.app_label}.{m.name}" for m, _ in pending]
    if pending:
        fail(f"有 {len(pending)} 个迁移未应用：{', '.join(report['pending_migrations'][:10])}")

    chain = audit_verify()
    report["audit"] = {"checked": chain.checked, "head_seq": chain.head_seq, "head_hash": chain.head_hash}
    if not chain.ok:
        fail(f"审计链在第 {chain.first_broken_seq} 条断裂：{chain.reason}")
    if anchors:
        anchored = audit_verify_anchors(Path(anchors))
        report["anchors"] = {"checked": anchored.checked}
        for problem in anchored.problems:
            fail(f"锚定：{problem}")

    from apps.inspections.draws.signing import public_key_bytes

    verify_draw = _verify_draw_module()
    platform_key = public_key_bytes()  # the restored platform's own key: hrs-v2 signatures must be its
    draws = 0
    for draw in Draw.objects.select_related("plan", "parent").order_by("pk").iterator(chunk_size=100):
        draws += 1
        record = json.loads(json.dumps(draw_record(draw), default=str))
        problems, _note = verify_draw.verify(record, public_key=platform_key)
        for problem in problems:
            fail(f"抽取 {draw.draw_uid}：{problem}")
    report["draws"] = draws

    results = 0
    sealed = InspectionResult.objects.filter(status=ResultStatus.FINAL).prefetch_related("items__check_item", "photos")
    for result in sealed.order_by("pk").iterator(chunk_size=200):
        results += 1
        verification = result_verify(result, check_photos=True)
        if not verification.ok:
            fail(f"检查记录 {result.pk}：{'；'.join(verification.problems)}")
    report["sealed_results"] = results
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="恢复后核对：迁移、审计链（与锚定）、每个抽取记录、每份封存的检查记录。"
    )
    parser.add_argument("--anchors", default=None, help="审计链锚定目录（AUDIT_ANCHOR_DIR 的副本）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    args = parser.parse_args(argv)
    report = check(args.anchors)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        audit = report["audit"]
        print(f"迁移：{'全部已应用' if not report['pending_migrations'] else '有未应用的迁移'}")
        print(f"审计链：{audit['checked']} 条，链头第 {audit['head_seq']} 条 {audit['head_hash']}")
        if "anchors" in report:
            print(f"锚定：{report['anchors']['checked']} 个")
        print(f"抽取记录：{report['draws']} 个；封存的检查记录：{report['sealed_results']} 份")
        for problem in report["problems"]:
            print(f"  ✗ {problem}")
        print("恢复核对通过。" if report["ok"] else "恢复核对未通过。")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
