"""hrs-v1 as a contract (PRODUCT.md §4; SECURITY.md DRW-01, DRW-03, DRW-04, DRW-05, FUZ-02). Pure: no database."""

import hashlib
import hmac
import importlib.util
import json
import math
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.inspections.draws import algorithm as hrs

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = json.loads((Path(__file__).parent / "golden_hrs_v1.json").read_text(encoding="utf-8"))


def _load_tool():
    spec = importlib.util.spec_from_file_location("verify_draw_tool", ROOT / "tools" / "verify_draw.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOL = _load_tool()


# ---------------------------------------------------------------------------- golden vectors (DRW-04)
@pytest.mark.parametrize("case", GOLDEN["cases"], ids=[c["name"] for c in GOLDEN["cases"]])
def test_golden_vector_reproduces_exactly(case):
    seed = bytes.fromhex(case["seed"])
    result = hrs.compute_draw(case["inputs"], seed)
    assert result == case["result"]
    assert hrs.result_hash(result) == case["result_hash"]
    assert hrs.seed_commitment(seed) == case["seed_commitment"]
    assert hrs.inputs_hash(case["inputs"]) == case["inputs_hash"]
    assert {s["key"]: s["pool_hash"] for s in hrs.strata_with_quota(case["inputs"])} == case["pool_hashes"]


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=[c["name"] for c in GOLDEN["cases"]])
def test_independent_verifier_agrees_with_golden_vectors(case):
    assert TOOL.recompute(case["inputs"], bytes.fromhex(case["seed"])) == case["result"]


def test_streamed_ranks_equal_the_one_shot_hmac():
    seed = bytes(range(32))
    assert hrs.select_stratum(seed, "U", "s", ["A1"], 1)[0][0] == hrs.enterprise_rank(seed, "U", "s", "A1")
    assert hrs.enterprise_rank(seed, "U", "s", "A1") == hmac.new(seed, b"U|s|A1", hashlib.sha256).hexdigest()


def test_golden_selection_matches_the_contract_written_out_by_hand():
    """The PRODUCT.md §4 formulas typed in directly, without draw.py: same codes, same inspectors."""
    case = GOLDEN["cases"][0]
    seed, uid = bytes.fromhex(case["seed"]), case["inputs"]["draw_uid"]
    stratum = case["inputs"]["strata"][0]
    codes = stratum["codes"]
    k = math.ceil(len(codes) * 0.1)
    ranked = sorted(
        (hmac.new(seed, f"{uid}|{stratum['key']}|{c}".encode(), hashlib.sha256).hexdigest(), c) for c in codes
    )
    assert [s["code"] for s in case["result"]["selections"]] == [c for _, c in ranked[:k]]
    assert case["pool_hashes"]["all"] == hashlib.sha256("\n".join(sorted(codes)).encode()).hexdigest()
    first = case["result"]["selections"][0]
    eligible = [i["badge"] for i in case["inputs"]["inspectors"] if i["certificate_valid_until"] >= "2026-06-01"]
    by_rank = sorted(
        (hmac.new(seed, f"{uid}|inspector|{first['code']}|{b}".encode(), hashlib.sha256).hexdigest(), b)
        for b in eligible
    )
    assert [i["badge"] for i in first["inspectors"]] == [b for _, b in by_rank[:2]]


def test_expired_certificate_is_never_drawn():
    case = GOLDEN["cases"][0]
    assert "B005" not in {i["badge"] for s in case["result"]["selections"] for i in s["inspectors"]}
    assert any(i["badge"] == "B005" for i in case["inputs"]["inspectors"])


# ---------------------------------------------------------------------------- quotas
@pytest.mark.parametrize(
    "n,proportion,count,expected",
    [
        (30, "0.1", None, 3),
        (30, "0.1000", None, 3),
        (31, "0.1", None, 4),
        (7, None, 10, 7),
        (200, "0.05", None, 10),
        (3, "0.3333", None, 1),
        (0, "0.5", None, 0),
        (9, "1", None, 9),
    ],
)
def test_quota_is_ceil_of_exact_decimal_product(n, proportion, count, expected):
    assert hrs.stratum_quota(n, proportion=proportion, count=count) == expected


@pytest.mark.parametrize(
    "bad", [{"proportion": "0"}, {"proportion": "1.5"}, {"proportion": "x"}, {}, {"proportion": "0.1", "count": 2}]
)
def test_quota_rejects_bad_specs(bad):
    with pytest.raises(hrs.DrawInputError):
        hrs.stratum_quota(10, **bad)


def test_keys_with_separator_are_rejected():
    inputs = json.loads(json.dumps(GOLDEN["cases"][0]["inputs"]))
    inputs["strata"][0]["key"] = "a|b"
    with pytest.raises(hrs.DrawInputError):
        hrs.compute_draw(inputs, b"\0" * 32)


def test_a_code_in_two_strata_is_rejected():
    inputs = json.loads(json.dumps(GOLDEN["cases"][0]["inputs"]))
    inputs["strata"].append({**inputs["strata"][0], "key": "again"})
    with pytest.raises(hrs.DrawInputError):
        hrs.compute_draw(inputs, b"\0" * 32)


# ---------------------------------------------------------------------------- order independence (DRW-03)
def test_result_does_not_depend_on_pool_or_inspector_order():
    case = GOLDEN["cases"][1]
    rng = random.Random(7)
    for _ in range(5):
        shuffled = json.loads(json.dumps(case["inputs"]))
        for s in shuffled["strata"]:
            rng.shuffle(s["codes"])
        rng.shuffle(shuffled["inspectors"])
        assert hrs.compute_draw(shuffled, bytes.fromhex(case["seed"])) == case["result"]


@settings(max_examples=120, deadline=None)
@given(
    codes=st.sets(st.from_regex(r"[0-9A-Z]{4,18}", fullmatch=True), min_size=0, max_size=60),
    k=st.integers(min_value=0, max_value=70),
    seed=st.binary(min_size=32, max_size=32),
    perm_seed=st.integers(),
)
def test_selection_properties(codes, k, seed, perm_seed):
    """FUZ-02: k distinct codes (or the whole pool), a subset of the pool, independent of input order."""
    pool = sorted(codes)
    picked = hrs.select_stratum(seed, "HN2026-00009-1", "s", pool, k)
    assert len(picked) == min(k, len(pool))
    assert len({c for _, c in picked}) == len(picked)
    assert {c for _, c in picked} <= set(pool)
    shuffled = list(pool)
    random.Random(perm_seed).shuffle(shuffled)
    assert hrs.select_stratum(seed, "HN2026-00009-1", "s", shuffled, k) == picked


# ---------------------------------------------------------------------------- uniformity (DRW-03, reduced size)
def _chi2_critical(df: int, z: float) -> float:
    """Wilson–Hilferty approximation of the chi-square quantile (scipy is not a dependency)."""
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


def test_each_enterprise_is_drawn_equally_often():
    """1,500 draws of k=10 from n=200: per-entity frequency chi-square below the p=0.001 critical value."""
    n, k, draws = 200, 10, 1500
    pool = [f"91330481{i:010d}" for i in range(n)]
    counts = dict.fromkeys(pool, 0)
    for d in range(draws):
        seed = hashlib.sha256(f"uniformity-{d}".encode()).digest()
        for _rank, code in hrs.select_stratum(seed, f"HN2026-{d:05d}-1", "all", pool, k):
            counts[code] += 1
    expected = draws * k / n
    chi2 = sum((c - expected) ** 2 / expected for c in counts.values())
    critical = _chi2_critical(n - 1, 3.0902)  # z for upper tail p = 0.001
    assert 255 < critical < 285  # sanity of the approximation (exact value 267.5 for df=199)
    assert chi2 < critical, f"chi2={chi2:.1f} ≥ {critical:.1f}"
    assert sum(counts.values()) == draws * k


def test_inspectors_are_drawn_equally_often():
    badges = [
        {"badge": f"B{i:03d}", "township": "", "certificate_valid_until": "2099-12-31", "load": 0} for i in range(20)
    ]
    counts = {b["badge"]: 0 for b in badges}
    sels = [{"code": f"C{i:05d}"} for i in range(2000)]
    assignments, error = hrs.assign_inspectors(
        b"\x42" * 32,
        "HN2026-00010-1",
        sels,
        inspectors=badges,
        exclusions={},
        enterprise_townships={},
        rules={"inspectors_per_task": 2, "load_cap": None},
        draw_date="2026-06-01",
    )
    assert error is None
    for ranked in assignments:
        for _r, badge in ranked:
            counts[badge] += 1
    expected = 2000 * 2 / 20
    chi2 = sum((c - expected) ** 2 / expected for c in counts.values())
    assert chi2 < _chi2_critical(19, 3.0902)


# ---------------------------------------------------------------------------- inspector rules (DRW-05)
def test_ten_thousand_simulated_assignments_respect_every_rule():
    """0 tasks with < 2 certified inspectors, 0 conflicts (回避 / own township), load cap never exceeded."""
    rng = random.Random(2026)
    tasks_checked = 0
    infeasible = 0
    draw_no = 0
    while tasks_checked < 10_000:
        draw_no += 1
        townships = ["xiashi", "xucun", "chang_an", "zhouwangmiao"]
        inspectors = [
            {
                "badge": f"B{i:03d}",
                "township": rng.choice(townships),
                "certificate_valid_until": "2026-05-31" if rng.random() < 0.1 else "2027-05-31",
                "load": rng.randrange(0, 3),
            }
            for i in range(40)
        ]
        certified = {i["badge"] for i in inspectors if i["certificate_valid_until"] >= "2026-06-01"}
        home = {i["badge"]: i["township"] for i in inspectors}
        cap = rng.choice([None, 8, 12])
        own_rule = rng.random() < 0.5
        per_task = rng.choice([2, 2, 3])
        sels = [{"code": f"E{draw_no:04d}{j:04d}"} for j in range(100)]
        exclusions = {s["code"]: rng.sample(sorted(certified), rng.randrange(0, 4)) for s in sels}
        ent_township = {s["code"]: rng.choice(townships) for s in sels}
        seed = rng.randbytes(32)
        assignments, error = hrs.assign_inspectors(
            seed,
            f"HN2026-{draw_no:05d}-1",
            sels,
            inspectors=inspectors,
            exclusions=exclusions,
            enterprise_townships=ent_township,
            rules={"inspectors_per_task": per_task, "load_cap": cap, "avoid_own_township": own_rule},
            draw_date="2026-06-01",
        )
        load = {i["badge"]: i["load"] for i in inspectors}
        for sel, ranked in zip(sels, assignments, strict=False):
            badges = [b for _r, b in ranked]
            assert len(badges) == per_task >= 2 and len(set(badges)) == per_task
            assert set(badges) <= certified
            assert not set(badges) & set(exclusions[sel["code"]])
            if own_rule:
                assert all(home[b] != ent_township[sel["code"]] for b in badges)
            for b in badges:
                load[b] += 1
                assert cap is None or load[b] <= cap
            tasks_checked += 1
        if error is not None:
            infeasible += 1
            assert len(assignments) < len(sels) and error["eligible"] < per_task
    assert infeasible < draw_no  # most simulated draws complete


# ---------------------------------------------------------------------------- no version-dependent randomness (DRW-04)
FORBIDDEN = re.compile(
    r"\brandom\s*\.\s*(sample|shuffle|choice|choices|randrange|randint|random)\b|^\s*(import random|from random import)",
    re.M,
)


@pytest.mark.parametrize("path", ["apps/inspections/draws/algorithm.py", "tools/verify_draw.py"])
def test_draw_code_uses_no_random_module(path):
    source = (ROOT / path).read_text(encoding="utf-8")
    assert not FORBIDDEN.search(source), FORBIDDEN.search(source)


def test_forbidden_pattern_catches_what_it_should():
    assert FORBIDDEN.search("x = random.sample(pool, 3)")
    assert FORBIDDEN.search("import random\n")
    assert FORBIDDEN.search("random.shuffle(a)")
    assert not FORBIDDEN.search("secrets.token_bytes(32)")


def test_tool_uses_only_the_standard_library():
    source = (ROOT / "tools/verify_draw.py").read_text(encoding="utf-8")
    imported = set(re.findall(r"^(?:import|from) ([a-z_0-9]+)", source, re.M))
    stdlib = {"hashlib", "hmac", "json", "math", "sys", "urllib", "decimal", "fractions"}
    assert imported <= stdlib | {"base64", "datetime", "os", "unicodedata"}
    # the one documented dependency, imported only where an hrs-v2 signature is checked
    anywhere = set(re.findall(r"^\s*(?:import|from) ([a-z_0-9]+)", source, re.M))
    assert anywhere - imported == {"cryptography"}
