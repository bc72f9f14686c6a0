"""The verifiable draw, algorithm ``hrs-v1`` (PRODUCT.md §4) — pure functions, standard library only, no Django.

Everything here is a function of published inputs and the seed, computed with SHA-256 / HMAC-SHA256 and exact
integer/decimal arithmetic, so anyone can re-compute a draw (tools/verify_draw.py is an independent re-implementation).
Nothing here uses the ``random`` module: its ``sample``/``shuffle``/``choice`` may change between Python versions
(SECURITY.md §1.12); a test greps this file to keep it that way.

Contract (docs/draw.md has the full text):

* ``seed`` = 32 random bytes; ``seed_commitment = sha256(seed).hexdigest()`` is published before the draw.
* per stratum ``s``: ``pool_hash = sha256("\\n".join(sorted(codes)).encode()).hexdigest()``;
  ``k_s = ceil(len(pool_s) × proportion_s)`` (exact decimal arithmetic) or ``min(count_s, len(pool_s))``;
  ``rank(code) = hmac_sha256(key=seed, msg=f"{draw_uid}|{s}|{code}".encode("utf-8")).hexdigest()``;
  sort by ``(rank, code)`` and take the first ``k_s``.
* inspectors: the selected enterprises of all strata, in rank order — sorted by ``(rank, stratum key, code)`` — are
  served one after another. For each, the eligible inspectors are those with a certificate valid on the draw date
  (entries without ``certificate_valid_until`` were certified when the pool was frozen), not excluded for that
  enterprise (declared conflict / previous inspector: ``exclusions[code]``), not from the enterprise's own township
  when that rule is on, below the load cap (initial ``load`` + assignments so far) and below their own ``capacity``
  (assignments so far, when the entry gives one);
  they are ranked by ``hmac_sha256(seed, f"{draw_uid}|inspector|{code}|{badge}")`` (ties by badge) and the lowest
  ``inspectors_per_task`` are taken. If fewer are eligible the draw is ``infeasible`` at that enterprise and stops.
* result: a canonical JSON document (sorted keys, UTF-8, no insignificant whitespace); ``result_hash`` is its SHA-256.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import hmac
import json
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction

ALGORITHM = "hrs-v1"
ALGORITHM_V2 = "hrs-v2"
ALGORITHMS = (ALGORITHM, ALGORITHM_V2)
SEED_BYTES = 32
PUBLIC_VALUES_MAX = 20  # witnesses at one session (a lottery result is one value)
PUBLIC_VALUE_MAX_CHARS = 200
SEED_DOMAIN_V2 = "hrs-v2/seed"


class DrawInputError(ValueError):
    """The inputs do not form a valid hrs-v1 draw (bad key, duplicate code, bad proportion ...)."""


# ---------------------------------------------------------------------------- primitives
def canonical_json(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seed_commitment(seed: bytes) -> str:
    return sha256_hex(seed)


def seed_from_hex(seed_hex: str) -> bytes:
    try:
        seed = bytes.fromhex(seed_hex)
    except (TypeError, ValueError) as exc:
        raise DrawInputError("种子不是有效的十六进制串") from exc
    if len(seed) != SEED_BYTES:
        raise DrawInputError(f"种子必须是 {SEED_BYTES} 字节")
    return seed


def pool_hash(codes: Iterable[str]) -> str:
    return sha256_hex("\n".join(sorted(codes)).encode("utf-8"))


def hmac_hex(seed: bytes, message: str) -> str:
    return hmac.digest(seed, message.encode("utf-8"), "sha256").hex()


def enterprise_rank(seed: bytes, draw_uid: str, stratum_key: str, code: str) -> str:
    return hmac_hex(seed, f"{draw_uid}|{stratum_key}|{code}")


def validate_key(value: str, what: str) -> str:
    if not isinstance(value, str) or not value or "|" in value or "\n" in value or value != value.strip():
        raise DrawInputError(f"{what}不能为空，且不能包含“|”、换行或首尾空格：{value!r}")
    return value


def stratum_quota(pool_size: int, *, proportion: str | None = None, count: int | None = None) -> int:
    """``ceil(pool_size × proportion)`` in exact decimal arithmetic, or ``min(count, pool_size)``."""
    if (proportion is None) == (count is None):
        raise DrawInputError("每个分层必须且只能给出比例或户数之一")
    if count is not None:
        if int(count) != count or count < 0:
            raise DrawInputError(f"抽取户数无效：{count!r}")
        return min(int(count), pool_size)
    try:
        p = Fraction(Decimal(str(proportion)))
    except (InvalidOperation, ValueError) as exc:
        raise DrawInputError(f"抽取比例无效：{proportion!r}") from exc
    if not (0 < p <= 1):
        raise DrawInputError(f"抽取比例必须大于 0 且不超过 1：{proportion}")
    return min(math.ceil(pool_size * p), pool_size)


# ---------------------------------------------------------------------------- enterprise selection
_BLOCK = 64  # SHA-256 block size


@functools.lru_cache(maxsize=16)
def _pads(seed: bytes):
    """SHA-256 states after the HMAC inner and outer key pads (never mutated: callers copy them)."""
    key = hashlib.sha256(seed).digest() if len(seed) > _BLOCK else seed
    key = key.ljust(_BLOCK, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


def _ranker(seed: bytes, prefix: str):
    """rank(suffix) = hmac_sha256(seed, prefix + suffix).digest() — HMAC (RFC 2104) spelled out on hashlib objects
    with the keyed pads and the prefix absorbed once, so each rank costs two hash copies. Raw digests sort exactly
    like their hex strings; callers hex only what they keep (``test_streamed_ranks_equal_the_one_shot_hmac``)."""
    inner_pad, outer_pad = _pads(seed)
    inner = inner_pad.copy()
    inner.update(prefix.encode("utf-8"))
    outer_copy = outer_pad.copy
    inner_copy = inner.copy

    def rank(suffix: str) -> bytes:
        i = inner_copy()
        i.update(suffix.encode("utf-8"))
        o = outer_copy()
        o.update(i.digest())
        return o.digest()

    return rank


def select_stratum(seed: bytes, draw_uid: str, stratum_key: str, codes: Iterable[str], k: int) -> list[tuple[str, str]]:
    """The first ``k`` of the pool by ``(rank, code)``: [(rank, code), ...]. Independent of the pool's order."""
    rank = _ranker(seed, f"{draw_uid}|{stratum_key}|")
    ranked = sorted((rank(code), code) for code in codes)
    return [(r.hex(), code) for r, code in ranked[:k]]


# ---------------------------------------------------------------------------- inspector assignment
def assign_inspectors(
    seed: bytes,
    draw_uid: str,
    selections: Sequence[Mapping],
    *,
    inspectors: Sequence[Mapping],
    exclusions: Mapping[str, Sequence[str]],
    enterprise_townships: Mapping[str, str],
    rules: Mapping,
    draw_date: str,
) -> tuple[list[list[tuple[str, str]]], dict | None]:
    """Inspectors for each selection (already in rank order). Returns (per-selection [(rank, badge)], error or None).

    ``inspectors``: [{"badge", optional "township", "load", "certificate_valid_until" (ISO date), "capacity"}] —
    what the platform freezes since issue 8 is {"badge"} plus "township" (own-township rule on) and "capacity"
    (remaining assignments, only where the load cap can bind); docs/draw.md says why each field is published;
    ``rules``: {"inspectors_per_task", "load_cap" (int|None), "avoid_own_township" (bool)}.
    """
    per_task = int(rules["inspectors_per_task"])
    if per_task < 2:
        raise DrawInputError("每户检查人员数不得少于 2 人")
    cap = rules.get("load_cap")
    own_township_rule = bool(rules.get("avoid_own_township"))
    # certificate valid on the draw date (ISO dates compare as strings)
    pool = [
        i for i in inspectors if "certificate_valid_until" not in i or (i["certificate_valid_until"] or "") >= draw_date
    ]
    load = {i["badge"]: int(i.get("load") or 0) for i in pool}
    township_of = {i["badge"]: i.get("township") or "" for i in pool}
    capacity = {i["badge"]: int(i["capacity"]) for i in pool if i.get("capacity") is not None}
    used = dict.fromkeys(load, 0)
    out: list[list[tuple[str, str]]] = []
    for sel in selections:
        code = sel["code"]
        excluded = set(exclusions.get(code, ()))
        own = enterprise_townships.get(code, "") if own_township_rule else ""
        eligible = [
            badge
            for badge in load
            if badge not in excluded
            and not (own and township_of[badge] == own)
            and (cap is None or load[badge] < cap)
            and (badge not in capacity or used[badge] < capacity[badge])
        ]
        if len(eligible) < per_task:
            return out, {
                "code": code,
                "order": len(out) + 1,
                "eligible": len(eligible),
                "needed": per_task,
                "message": f"对象 {code} 可抽检查人员仅 {len(eligible)} 人，少于每户 {per_task} 人",
            }
        rank = _ranker(seed, f"{draw_uid}|inspector|{code}|")
        ranked = heapq.nsmallest(per_task, [(rank(badge), badge) for badge in eligible])  # == sorted(...)[:per_task]
        for _rank, badge in ranked:
            load[badge] += 1
            used[badge] += 1
        out.append([(r.hex(), badge) for r, badge in ranked])
    return out, None


# ---------------------------------------------------------------------------- the whole draw
def validate_inputs(inputs: Mapping) -> None:
    """Structural checks on the frozen inputs (raised before anything is stored or computed)."""
    seen: set[str] = set()
    keys: set[str] = set()
    validate_key(inputs["draw_uid"], "抽取编号")
    for stratum in inputs["strata"]:
        key = validate_key(stratum["key"], "分层代码")
        if key in keys:
            raise DrawInputError(f"分层代码重复：{key}")
        keys.add(key)
        for code in stratum["codes"]:
            validate_key(code, "对象代码")
            if code in seen:
                raise DrawInputError(f"对象 {code} 出现在多个分层或重复出现")
            seen.add(code)
    badges = [i["badge"] for i in inputs["inspectors"]]
    for badge in badges:
        validate_key(badge, "执法证号")
    if len(set(badges)) != len(badges):
        raise DrawInputError("检查人员执法证号重复")
    for i in inputs["inspectors"]:
        room = i.get("capacity")
        if room is not None and (isinstance(room, bool) or not isinstance(room, int) or room < 0):
            raise DrawInputError(f"检查人员 {i['badge']} 的剩余任务容量无效：{room!r}")


def strata_with_quota(inputs: Mapping) -> list[dict]:
    """Each stratum with its ``pool_hash`` and ``k`` (what is published before the draw)."""
    out = []
    for stratum in inputs["strata"]:
        codes = sorted(stratum["codes"])
        out.append(
            {
                **stratum,
                "codes": codes,
                "pool_hash": pool_hash(codes),
                "k": stratum_quota(len(codes), proportion=stratum.get("proportion"), count=stratum.get("count")),
            }
        )
    return out


def inputs_hash(inputs: Mapping) -> str:
    """SHA-256 of the canonical JSON of the frozen inputs (published with the commitment)."""
    return sha256_hex(canonical_json(dict(inputs)))


def compute_draw(inputs: Mapping, seed: bytes) -> dict:
    """Run hrs-v1 on frozen ``inputs`` with ``seed``; return the canonical result document. For hrs-v2 ``seed`` is
    the *derived* seed (``derive_seed_v2``) and the result names ``hrs-v2``; the ranking is the same.

    ``inputs`` = {"draw_uid", "draw_date" (ISO), "strata": [{"key", "codes", "proportion"|"count"}],
    "inspectors": [...], "exclusions": {...}, "enterprise_townships": {...}, "rules": {...}}.
    """
    validate_inputs(inputs)
    if (inputs.get("algorithm") or ALGORITHM) not in ALGORITHMS:
        raise DrawInputError(f"未知算法：{inputs.get('algorithm')}")
    draw_uid = inputs["draw_uid"]
    chosen = []
    for stratum in strata_with_quota(inputs):
        for rank, code in select_stratum(seed, draw_uid, stratum["key"], stratum["codes"], stratum["k"]):
            chosen.append({"rank": rank, "stratum": stratum["key"], "code": code})
    chosen.sort(key=lambda s: (s["rank"], s["stratum"], s["code"]))
    assignments, error = assign_inspectors(
        seed,
        draw_uid,
        chosen,
        inspectors=inputs["inspectors"],
        exclusions=inputs.get("exclusions") or {},
        enterprise_townships=inputs.get("enterprise_townships") or {},
        rules=inputs["rules"],
        draw_date=inputs["draw_date"],
    )
    selections = []
    for order, (sel, ranked) in enumerate(zip(chosen, assignments, strict=False), start=1):
        selections.append(
            {
                "order": order,
                "stratum": sel["stratum"],
                "code": sel["code"],
                "rank": sel["rank"],
                "inspectors": [{"badge": badge, "rank": rank} for rank, badge in ranked],
            }
        )
    result = {
        "algorithm": inputs.get("algorithm") or ALGORITHM,
        "draw_uid": draw_uid,
        "status": "infeasible" if error else "drawn",
        "selections": [] if error else selections,
    }
    if error:
        result["error"] = error
    return result


def result_hash(result: Mapping) -> str:
    return sha256_hex(canonical_json(dict(result)))


# ---------------------------------------------------------------------------- hrs-v2: the public randomness
def normalize_public_value(value: str) -> str:
    """One public value as it enters the seed: Unicode NFKC (full-width digits and spaces become ASCII), every run of
    white space one ASCII space, no outer spaces. "０３　07  12" and "03 07 12" are the same value."""
    if not isinstance(value, str):
        raise DrawInputError("公开随机数必须是文字")
    text = " ".join(unicodedata.normalize("NFKC", value).split())
    if not text:
        raise DrawInputError("公开随机数不能为空")
    if len(text) > PUBLIC_VALUE_MAX_CHARS:
        raise DrawInputError(f"每个公开随机数不超过 {PUBLIC_VALUE_MAX_CHARS} 个字符")
    return text


def normalize_public_values(values: Sequence[str]) -> list[str]:
    """The public values in the order they were entered (a lottery: one; witnesses: one each), normalised."""
    if isinstance(values, str) or not values:
        raise DrawInputError("至少需要一个公开随机数")
    if len(values) > PUBLIC_VALUES_MAX:
        raise DrawInputError(f"公开随机数最多 {PUBLIC_VALUES_MAX} 个")
    return [normalize_public_value(v) for v in values]


def canonical_public_values(values: Sequence[str]) -> bytes:
    """``canonical_json(normalized values)`` — the bytes the seed derivation reads."""
    return canonical_json(normalize_public_values(values))


def derive_seed_v2(server_seed: bytes, *, draw_uid: str, inputs_hash: str, public_values: Sequence[str]) -> bytes:
    """hrs-v2 draw seed = HMAC-SHA256(key=server_seed, msg="hrs-v2/seed" LF draw_uid LF inputs_hash LF
    canonical_json(normalized public values)). The server seed is committed (sha256) before anyone knows the public
    values, and the public values are fixed by a source nobody controls after the commitment: neither side alone can
    choose the seed. Domain-separated from every rank message (which starts with the draw uid)."""
    if len(server_seed) != SEED_BYTES:
        raise DrawInputError(f"种子必须是 {SEED_BYTES} 字节")
    message = f"{SEED_DOMAIN_V2}\n{draw_uid}\n{inputs_hash}\n".encode() + canonical_public_values(public_values)
    return hmac.digest(server_seed, message, "sha256")


def compute_draw_v2(inputs: Mapping, server_seed: bytes, public_values: Sequence[str]) -> tuple[bytes, dict]:
    """Derive the seed and run the draw: (derived seed, result)."""
    if inputs.get("algorithm") != ALGORITHM_V2:
        raise DrawInputError("不是 hrs-v2 抽取")
    derived = derive_seed_v2(
        server_seed, draw_uid=inputs["draw_uid"], inputs_hash=inputs_hash(inputs), public_values=public_values
    )
    return derived, compute_draw(inputs, derived)


UNSIGNED_MEMBERS = ("signature", "inputs", "result")


def signing_payload(record: Mapping) -> bytes:
    """The bytes an hrs-v2 record's Ed25519 signature covers: the canonical JSON of the record without ``signature``,
    ``inputs`` and ``result``. Those two are bound through ``inputs_hash`` and ``result_hash``, which are signed (a
    verifier re-hashes them), so the signed document stays small whatever the pool; everything else — plan, pool
    hashes, quotas, commitment, public source and value, seeds, exclusions, names, timestamps — is signed as is."""
    return canonical_json({k: v for k, v in record.items() if k not in UNSIGNED_MEMBERS})
