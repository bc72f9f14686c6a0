"""tools/verify_draw.py run as a separate process on an exported record (DRW-01): VERIFIED, and DIFFERS when tampered
or forged. hrs-v2 records need the platform's public key (and ``cryptography``); hrs-v1 records still verify with the
standard library alone (``python -I``)."""

import base64
import hashlib
import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from apps.inspections.draws import algorithm as hrs
from apps.inspections.draws import signing
from apps.inspections.draws.selectors import draw_differences, draw_record
from apps.inspections.draws.services import draw_execute, plan_commit
from tests.inspections.draw_helpers import draw_now, make_v1_draw

TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_draw.py"


def run_tool(path, *, key="platform", isolated=False):
    args = [sys.executable]
    if isolated:
        args.append("-I")  # no site-packages, no project on sys.path: the standard library only
    args.append(str(TOOL))
    if key is not None:
        args += ["--public-key", signing.public_key_b64() if key == "platform" else key]
    proc = subprocess.run([*args, str(path)], capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin"})
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


def _write(tmp_path, record, name="tampered.json"):
    path = tmp_path / name
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_tool_verifies_an_exported_draw(exported):
    path, record = exported
    code, out = run_tool(path)
    assert code == 0, out
    assert "VERIFIED" in out and "DIFFERS" not in out
    assert record["algorithm"] == "hrs-v2" and record["signature"]["key_id"] == signing.key_id()
    assert record["public_value"]["values"] == ["4711", "0815"] and record["derived_seed"]
    assert record["committed_by"] and record["public_value"]["entered_by"] and record["drawn_by"]
    assert len(record["result"]["selections"]) == 4 + 5  # count 4 + ceil(30 × 0.15)


@pytest.mark.django_db
def test_tool_needs_the_platform_key_for_hrs_v2(exported):
    path, _record = exported
    code, out = run_tool(path, key=None)
    assert code == 1 and "未提供平台公钥" in out and "VERIFIED" not in out


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
    assert "结果哈希" in out  # the result is bound to the signature through the signed result_hash


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper,expected",
    [
        (lambda r: r["inputs"]["strata"][1]["codes"].pop(), "对象库哈希"),
        (lambda r: r.update(seed="00" * 32), "种子承诺"),
        (lambda r: r["result"]["selections"].pop(), "缺少"),
        (lambda r: r["inputs"]["rules"].update(inspectors_per_task=3), "输入哈希"),
        (lambda r: r["public_value"].update(values=["4711", "0816"]), "derived_seed"),
        (lambda r: r.update(drawn_by="别人"), "平台签名无效"),
    ],
    ids=["pool", "seed", "dropped-selection", "rules", "public-value", "name"],
)
def test_tool_reports_other_tampering(exported, tmp_path, tamper, expected):
    _path, record = exported
    tamper(record)
    code, out = run_tool(_write(tmp_path, record))
    assert code == 1 and expected in out, out


def _forge(record):
    """The probe's forgery: a fresh seed, its SHA-256 and the re-computed result — self-consistent in every hash."""
    forged = json.loads(json.dumps(record))
    seed = secrets.token_bytes(32)
    derived, result = hrs.compute_draw_v2(forged["inputs"], seed, forged["public_value"]["values"])
    forged.update(
        seed=seed.hex(),
        seed_commitment=hashlib.sha256(seed).hexdigest(),
        derived_seed=derived.hex(),
        result=result,
        result_hash=hrs.result_hash(result),
    )
    return forged


@pytest.mark.django_db
def test_a_forged_record_fails_unsigned_or_signed_with_another_key(exported, tmp_path):
    _path, record = exported
    forged = _forge(record)
    unsigned = {**forged, "signature": None}
    code, out = run_tool(_write(tmp_path, unsigned, "unsigned.json"))
    assert code == 1 and "没有平台签名" in out and "VERIFIED" not in out

    other = Ed25519PrivateKey.generate()
    other_raw = other.public_key().public_bytes_raw()
    resigned = {
        **forged,
        "signature": {
            "alg": "Ed25519",
            "key_id": hashlib.sha256(other_raw).hexdigest()[:16],
            "value": base64.b64encode(other.sign(hrs.signing_payload(forged))).decode(),
            "public_key": base64.b64encode(other_raw).decode(),
        },
    }
    path = _write(tmp_path, resigned, "resigned.json")
    code, out = run_tool(path)  # checked against the platform's published key
    assert code == 1 and "不是所给的平台公钥" in out and "VERIFIED" not in out
    # the forger's own key makes it verify — which is why the key must come from the portal, not the record
    code, out = run_tool(path, key=base64.b64encode(other_raw).decode())
    assert code == 0, out
    # re-using the platform's key id with another key's signature fails too
    resigned["signature"]["key_id"] = signing.key_id()
    code, out = run_tool(_write(tmp_path, resigned, "kid.json"))
    assert code == 1 and "平台签名无效" in out


@pytest.mark.django_db
def test_a_legacy_hrs_v1_draw_still_verifies_with_the_standard_library_alone(world, city_staff, tmp_path):
    plan = world.plan(city_staff)
    legacy = make_v1_draw(plan, actor=city_staff)
    drawn = draw_execute(actor=city_staff, plan_id=plan.pk)  # no public value needed for hrs-v1
    assert drawn.pk == legacy.pk and drawn.algorithm == "hrs-v1" and drawn.outcome.signature == {}
    assert draw_differences(drawn) == []
    record = draw_record(drawn)
    assert record["format"] == "hrs-v1/draw-record/1" and "signature" not in record
    code, out = run_tool(_write(tmp_path, record, "v1.json"), key=None, isolated=True)
    assert code == 0 and "VERIFIED" in out, out
    record["result"]["selections"].pop()
    code, out = run_tool(_write(tmp_path, record, "v1-bad.json"), key=None, isolated=True)
    assert code == 1 and "缺少" in out
