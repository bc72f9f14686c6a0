"""The daily signed digest of draw commitments (AUD-06; docs/draw.md "Daily digest").

Every day (beat ``inspections.draw_digest`` at 00:30 for the day before, or ``manage.py draw_digest``) one JSON file
``draw-commitments-<YYYY-MM-DD>.json`` is written to ``settings.DRAW_DIGEST_DIR`` — a directory outside the database
(mount it write-once, or ship it to the audit administrator's log host). It lists the commitments of that local day
(draw uid, algorithm, seed commitment, inputs hash, the public randomness named, committed at) and the audit chain
head at writing time, signed with the platform's Ed25519 key (``signing``). A file once written is never rewritten:
a second run for the same day leaves it and says so; a file that differs from what the database says now is what
``verify_digest`` reports — an edited or back-dated commitment shows up against the copy held outside.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from apps.common.audit import audit_chain_head

from ..models import Draw
from . import algorithm as hrs
from . import signing

FORMAT = "hrs/commitment-digest/1"


def _day_bounds(day: dt.date):
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def commitments_of(day: dt.date) -> list[dict]:
    start, end = _day_bounds(day)
    rows = Draw.objects.filter(committed_at__gte=start, committed_at__lt=end).order_by("committed_at", "id")
    return [
        {
            "draw_uid": d.draw_uid,
            "algorithm": d.algorithm,
            "seed_commitment": d.seed_commitment,
            "inputs_hash": d.inputs_hash,
            "public_randomness": d.public_randomness or None,
            "committed_at": d.committed_at.astimezone(dt.UTC).isoformat(),
        }
        for d in rows
    ]


def build_digest(day: dt.date, *, now: dt.datetime | None = None) -> dict:
    seq, head = audit_chain_head()
    doc = {
        "format": FORMAT,
        "date": day.isoformat(),
        "commitments": commitments_of(day),
        "audit_chain_head": {"seq": seq, "hash": head},
        "generated_at": (now or timezone.now()).astimezone(dt.UTC).isoformat(),
    }
    doc["signature"] = signing.sign(hrs.signing_payload(doc))
    return doc


def digest_path(day: dt.date, directory: Path | None = None) -> Path:
    return Path(directory or settings.DRAW_DIGEST_DIR) / f"draw-commitments-{day.isoformat()}.json"


def write_digest(day: dt.date, *, directory: Path | None = None, now=None) -> tuple[Path, bool]:
    """(path, written). Write-once: an existing file for the day is left as it is (written = False)."""
    path = digest_path(day, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return path, False
    body = json.dumps(build_digest(day, now=now), ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.write(body)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)  # fails if another writer got there first: never overwrite
    except FileExistsError:
        return path, False
    finally:
        tmp.unlink(missing_ok=True)
    return path, True


def verify_digest(path: Path) -> list[str]:
    """[] when the file carries the platform's signature and every commitment in it is still in the database as
    written (nothing edited, nothing removed; draws committed that day since the file are listed too)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"无法读取摘要文件：{exc}"]
    if doc.get("format") != FORMAT:
        return ["不是抽取承诺日摘要文件"]
    if not signing.verify(hrs.signing_payload(doc), doc.get("signature") or {}):
        return ["摘要文件的平台签名无效"]
    now = {c["draw_uid"]: c for c in commitments_of(dt.date.fromisoformat(doc["date"]))}
    problems = []
    for entry in doc["commitments"]:
        current = now.pop(entry["draw_uid"], None)
        if current is None:
            problems.append(f"{entry['draw_uid']}：数据库中已没有这条承诺（或承诺时间被改动）")
        elif current != entry:
            problems.append(f"{entry['draw_uid']}：数据库中的承诺与摘要不一致")
    for uid in now:
        problems.append(f"{uid}：摘要生成后才出现的同日承诺（承诺时间可能被倒签）")
    return problems
