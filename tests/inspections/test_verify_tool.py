"""tools/verify_draw.py run as a separate process on an exported record (DRW-01): VERIFIED, and DIFFERS when tampered."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from apps.inspections.draws.selectors import draw_record
from apps.inspections.draws.services import plan_commit
from tests.inspections.draw_helpers import draw_now

TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_draw.py"


def run_tool(path):
    # -I: isolated mode — no site-packages, no project on sys.path: the standard library only
    proc = subprocess.run([sys.executable, "-I", str(TOOL), str(path)], capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture
def exported(world, city_staff, tmp_path):
    plan = world.plan(
        city_staff,
        strata=[
            {"key": "shops", "filter": {"business_types": ["food_sales"]}, "count": 4},
            {"key": "rest", "proportion": "0.15"},
        ],
        avoid_own_township=True,
    )
    plan_commit(actor=city_staff, plan_id=plan.pk)
    draw = draw_now(actor=city_staff, plan_id=plan.pk)
    record = draw_record(draw)
    path = tmp_path / f"{draw.draw_uid}.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return path, record


def _write(tmp_path, record):
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_tool_verifies_an_exported_draw(exported):
    path, record = exported
    code, out = run_tool(path)
    assert code == 0, out
    assert "VERIFIED" in out and "DIFFERS" not in out
    assert len(record["result"]["selections"]) == 4 + 5  # count 4 + ceil(30 × 0.15)


@pytest.mark.django_db
def test_tool_reports_a_swapped_inspector(exported, tmp_path):
    _path, record = exported
    sel = record["result"]["selections"][2]
    spare = next(
        i["badge"] for i in record["inputs"]["inspectors"] if i["badge"] not in {x["badge"] for x in sel["inspectors"]}
    )
    sel["inspectors"][0]["badge"] = spare
    code, out = run_tool(_write(tmp_path, record))
    assert code == 1 and "DIFFERS" in out and "第 3 户" in out and "VERIFIED" not in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper,expected",
    [
        (lambda r: r["inputs"]["strata"][1]["codes"].pop(), "对象库哈希"),
        (lambda r: r.update(seed="00" * 32), "种子承诺"),
        (lambda r: r["result"]["selections"].pop(), "缺少"),
        (lambda r: r["inputs"]["rules"].update(inspectors_per_task=3), "输入哈希"),
    ],
    ids=["pool", "seed", "dropped-selection", "rules"],
)
def test_tool_reports_other_tampering(exported, tmp_path, tamper, expected):
    _path, record = exported
    tamper(record)
    code, out = run_tool(_write(tmp_path, record))
    assert code == 1 and expected in out, out
