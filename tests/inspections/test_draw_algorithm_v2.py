"""hrs-v2 as a contract (docs/draw.md "hrs-v2, exactly"; SECURITY.md DRW-01, DRW-04, FUZ-02). Pure: no database.

The seed of an hrs-v2 draw is derived from the sealed server seed and the public value(s); the record is signed with
Ed25519. Golden vectors (``golden_hrs_v2.json``) are frozen; the independent verifier must agree with them."""

import base64
import copy
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.inspections.draws import algorithm as hrs

from .test_draw_algorithm import TOOL

GOLDEN = json.loads((Path(__file__).parent / "golden_hrs_v2.json").read_text(encoding="utf-8"))
CASES = GOLDEN["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_vector_v2_reproduces_exactly(case):
    server = bytes.fromhex(case["server_seed"])
    derived, result = hrs.compute_draw_v2(case["inputs"], server, case["public_values"])
    assert derived.hex() == case["derived_seed"]
    assert result == case["result"] and result["algorithm"] == "hrs-v2"
    assert hrs.result_hash(result) == case["result_hash"]
    assert hrs.seed_commitment(server) == case["seed_commitment"]
    assert hrs.inputs_hash(case["inputs"]) == case["inputs_hash"]
    assert hrs.normalize_public_values(case["public_values"]) == case["normalized_values"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_independent_verifier_agrees_with_golden_vectors_v2(case):
    server = bytes.fromhex(case["server_seed"])
    derived = TOOL.derive_seed(server, case["inputs"]["draw_uid"], case["inputs_hash"], case["public_values"])
    assert derived.hex() == case["derived_seed"]
    assert TOOL.recompute(case["inputs"], derived) == case["result"]


def test_derivation_written_out_by_hand():
    case = CASES[1]
    values = ["4711", "0815", "黄 山"]  # "４７１１" (full width) and "  0815\t" normalise to these
    message = (
        b"hrs-v2/seed\n"
        + case["inputs"]["draw_uid"].encode()
        + b"\n"
        + case["inputs_hash"].encode()
        + b"\n"
        + json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    )
    expected = hmac.new(bytes.fromhex(case["server_seed"]), message, hashlib.sha256).hexdigest()
    assert expected == case["derived_seed"]


def test_the_derived_seed_is_neither_input_alone():
    case = CASES[0]
    server = bytes.fromhex(case["server_seed"])
    derived, result = hrs.compute_draw_v2(case["inputs"], server, case["public_values"])
    assert derived != server
    assert result != hrs.compute_draw(case["inputs"], server) | {"algorithm": "hrs-v2"}
    # another public value (one digit) gives another seed and, here, another selection
    _other, other_result = hrs.compute_draw_v2(case["inputs"], server, ["03 07 12 19 25 31 + 08"])
    assert [s["code"] for s in other_result["selections"]] != [s["code"] for s in result["selections"]]


@pytest.mark.parametrize(
    "bad", [[], [""], ["   "], "4711", ["x" * 201], ["1"] * 21], ids=["none", "empty", "blank", "str", "long", "many"]
)
def test_bad_public_values_are_refused(bad):
    with pytest.raises(hrs.DrawInputError):
        hrs.normalize_public_values(bad)


def test_compute_draw_v2_refuses_a_v1_input():
    v1 = copy.deepcopy(CASES[0]["inputs"]) | {"algorithm": "hrs-v1"}
    with pytest.raises(hrs.DrawInputError):
        hrs.compute_draw_v2(v1, bytes(32), ["1"])


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.text(min_size=1, max_size=12).filter(lambda t: t.split()), min_size=1, max_size=4),
    seed=st.binary(min_size=32, max_size=32),
)
def test_normalisation_is_idempotent_and_decides_the_seed(values, seed):
    kwargs = {"draw_uid": "HN2026-00001-1", "inputs_hash": "0" * 64}
    normal = hrs.normalize_public_values(values)
    assert hrs.normalize_public_values(normal) == normal
    assert hrs.derive_seed_v2(seed, public_values=values, **kwargs) == hrs.derive_seed_v2(
        seed, public_values=normal, **kwargs
    )
    changed = [*normal[:-1], normal[-1] + "1"]
    assert hrs.derive_seed_v2(seed, public_values=changed, **kwargs) != hrs.derive_seed_v2(
        seed, public_values=normal, **kwargs
    )


# ---------------------------------------------------------------------------- the Ed25519 vector
def test_signature_golden_vector():
    vec = GOLDEN["signing"]
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vec["private_key_hex"]))
    payload = hrs.signing_payload(vec["record"])
    assert hashlib.sha256(payload).hexdigest() == vec["payload_sha256"]
    assert base64.b64encode(key.sign(payload)).decode() == vec["signature"]  # Ed25519 is deterministic
    public = base64.b64decode(vec["public_key_b64"])
    signed = {**vec["record"], "signature": {"alg": "Ed25519", "key_id": vec["key_id"], "value": vec["signature"]}}
    assert TOOL.signature_problems(signed, public) == []
    other = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key().public_bytes_raw()
    assert TOOL.signature_problems(signed, other)  # another key
    assert TOOL.signature_problems({**signed, "committed_by": "李四"}, public)  # a name changed after signing
    assert TOOL.signature_problems({**signed, "signature": None}, public)  # unsigned
    assert TOOL.signature_problems(signed, None)  # no trusted key given


# ---------------------------------------------------------------------------- the verifier on whole records
TEST_KEY = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(GOLDEN["signing"]["private_key_hex"]))
TEST_PUBLIC = TEST_KEY.public_key().public_bytes_raw()


def _signed(record, key=TEST_KEY):
    raw = key.public_key().public_bytes_raw()
    value = base64.b64encode(key.sign(hrs.signing_payload(record))).decode()
    return {**record, "signature": {"alg": "Ed25519", "key_id": hashlib.sha256(raw).hexdigest()[:16], "value": value}}


def _record(case, server: bytes):
    inputs = case["inputs"]
    derived, result = hrs.compute_draw_v2(inputs, server, case["public_values"])
    values = hrs.normalize_public_values(case["public_values"])
    strata = hrs.strata_with_quota(inputs)
    return {
        "format": "hrs-v2/draw-record/1",
        "algorithm": "hrs-v2",
        "draw_uid": inputs["draw_uid"],
        "status": result["status"],
        "committed_at": "2026-12-07T01:00:00+00:00",
        "seed_commitment": hrs.seed_commitment(server),
        "public_randomness": inputs["public_randomness"],
        "public_value": {
            "values": values,
            "canonical_sha256": hrs.sha256_hex(hrs.canonical_json(values)),
            "entered_at": "2026-12-10T13:30:00+00:00",
        },
        "seed": server.hex(),
        "derived_seed": derived.hex(),
        "inputs": inputs,
        "inputs_hash": hrs.inputs_hash(inputs),
        "pool_hashes": {s["key"]: s["pool_hash"] for s in strata},
        "quotas": {s["key"]: s["k"] for s in strata},
        "result": result,
        "result_hash": hrs.result_hash(result),
    }


def test_a_genuine_signed_record_verifies_in_process():
    record = _signed(_record(CASES[0], bytes.fromhex(CASES[0]["server_seed"])))
    assert TOOL.verify(record, TEST_PUBLIC)[0] == []
    early = _signed({**record, "public_value": {**record["public_value"], "entered_at": "2026-12-09T01:00:00+00:00"}})
    assert any("之前录入" in p for p in TOOL.verify(early, TEST_PUBLIC)[0])  # before the lottery date (Beijing)


@settings(max_examples=40, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), signer=st.binary(min_size=32, max_size=32))
def test_forged_records_never_verify(seed, signer):
    """FUZ-02 / the probe: a self-consistent record with any fresh seed, unsigned or signed by any other key, fails."""
    forged = _record(CASES[0], seed)
    assert TOOL.verify({**forged, "signature": None}, TEST_PUBLIC)[0]
    other = Ed25519PrivateKey.from_private_bytes(signer)
    if other.public_key().public_bytes_raw() != TEST_PUBLIC:
        assert TOOL.verify(_signed(forged, other), TEST_PUBLIC)[0]
