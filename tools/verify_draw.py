#!/usr/bin/env python3
"""Re-compute a 双随机 draw of the 海宁市食品安全监管平台 from its published record and say whether it is genuine.

An independent re-implementation of algorithms hrs-v1 and hrs-v2 (docs/draw.md). Usage:

    python3 tools/verify_draw.py draw.json
    python3 tools/verify_draw.py --public-key <平台公钥> http://127.0.0.1:8000/public/draws/HN2026-00001-1/json/

hrs-v1 needs the standard library only. hrs-v2 records are signed with the platform's Ed25519 key: checking the
signature needs the one extra package ``cryptography`` (pip install cryptography) and the platform's public key as
published on the portal's draw list (--public-key, base64 or hex, or a file holding it; or the environment variable
HN_DRAW_PUBLIC_KEY). Without a trusted key a record cannot be told from a forgery, so it does not verify.

Prints VERIFIED (exit 0) or the places where the record differs from the re-computation (exit 1).
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import math
import os
import sys
import unicodedata
import urllib.request
from decimal import Decimal
from fractions import Fraction
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def load(source):
    if source.startswith(("http://", "https://")):
        host = urlsplit(source).hostname or ""
        if host not in LOOPBACK:
            sys.exit(f"只允许从本机地址读取：{host}（请先下载 JSON 文件再校验）")
        with urllib.request.urlopen(source, timeout=30) as resp:  # noqa: S310 - loopback only, checked above
            return json.loads(resp.read().decode("utf-8"))
    with open(source, encoding="utf-8") as fh:
        return json.load(fh)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def canonical(obj):
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def rank(seed, message):
    return hmac.new(seed, message.encode("utf-8"), hashlib.sha256).hexdigest()


def quota(n, proportion, count):
    if count is not None:
        return min(int(count), n)
    return min(math.ceil(n * Fraction(Decimal(proportion))), n)


def recompute(inputs, seed):
    uid = inputs["draw_uid"]
    algorithm = inputs.get("algorithm") or "hrs-v1"
    chosen = []
    for s in inputs["strata"]:
        k = quota(len(s["codes"]), s.get("proportion"), s.get("count"))
        ranked = sorted((rank(seed, f"{uid}|{s['key']}|{code}"), code) for code in s["codes"])
        chosen += [{"rank": r, "stratum": s["key"], "code": c} for r, c in ranked[:k]]
    chosen.sort(key=lambda x: (x["rank"], x["stratum"], x["code"]))

    rules = inputs["rules"]
    per_task, cap = rules["inspectors_per_task"], rules.get("load_cap")
    own_rule = rules.get("avoid_own_township")
    # an entry without certificate_valid_until was certified when the pool was frozen (records since issue 8)
    people = [
        i
        for i in inputs["inspectors"]
        if "certificate_valid_until" not in i or (i["certificate_valid_until"] or "") >= inputs["draw_date"]
    ]
    load = {i["badge"]: i.get("load") or 0 for i in people}
    home = {i["badge"]: i.get("township") or "" for i in people}
    room = {i["badge"]: i["capacity"] for i in people if i.get("capacity") is not None}  # remaining assignments
    used = dict.fromkeys(load, 0)
    exclusions = inputs.get("exclusions") or {}
    townships = inputs.get("enterprise_townships") or {}
    selections = []
    for order, sel in enumerate(chosen, start=1):
        code = sel["code"]
        own = townships.get(code, "") if own_rule else ""
        ok = [
            b
            for b in load
            if b not in exclusions.get(code, [])
            and not (own and home[b] == own)
            and (cap is None or load[b] < cap)
            and (b not in room or used[b] < room[b])
        ]
        if len(ok) < per_task:
            return {
                "algorithm": algorithm,
                "draw_uid": uid,
                "status": "infeasible",
                "selections": [],
                "error": {
                    "code": code,
                    "order": order,
                    "eligible": len(ok),
                    "needed": per_task,
                    "message": f"对象 {code} 可抽检查人员仅 {len(ok)} 人，少于每户 {per_task} 人",
                },
            }
        picked = sorted((rank(seed, f"{uid}|inspector|{code}|{b}"), b) for b in ok)[:per_task]
        for _r, b in picked:
            load[b] += 1
            used[b] += 1
        selections.append(
            {
                "order": order,
                "stratum": sel["stratum"],
                "code": code,
                "rank": sel["rank"],
                "inspectors": [{"badge": b, "rank": r} for r, b in picked],
            }
        )
    return {"algorithm": algorithm, "draw_uid": uid, "status": "drawn", "selections": selections}


def verify(record, public_key=None):
    """Return a list of differences ([] = verified) and a note. ``public_key``: the platform's raw Ed25519 key."""
    problems = []
    algorithm = record.get("algorithm")
    if algorithm not in ("hrs-v1", "hrs-v2") or record["inputs"].get("algorithm") != algorithm:
        return [f"未知算法：{algorithm}（本脚本校验 hrs-v1 与 hrs-v2）"], ""
    if algorithm == "hrs-v2":
        return verify_v2(record, public_key)
    inputs = record["inputs"]
    problems += commitment_problems(record)
    if record.get("seed") is None:
        return problems, "尚未抽取：已核对承诺前公布的对象库哈希与输入哈希；种子公布后可完整校验"
    seed = bytes.fromhex(record["seed"])
    if sha256(seed) != record.get("seed_commitment"):
        problems.append("种子的 SHA-256 与事先公布的种子承诺值（seed_commitment）不符")
    expected = recompute(inputs, seed)
    if record.get("status") == "cancelled":
        if sha256(canonical(expected)) != record.get("result_hash"):
            problems.append("作废抽取公布的结果哈希与重新计算的不符")
        return problems, "计划已取消：种子已公开，结果哈希已核对"
    return problems + result_problems(record, expected), V1_NOTE


V1_NOTE = "hrs-v1 记录没有平台签名：本校验证明记录自洽，请再与平台公示页（承诺时即公布）的种子承诺值与输入哈希核对"


def commitment_problems(record):
    """What was published before the draw: inputs hash, pool hashes and quotas."""
    problems = []
    inputs = record["inputs"]
    if inputs.get("draw_uid") != record.get("draw_uid"):
        problems.append("抽取编号与输入中的编号不一致")
    if sha256(canonical(inputs)) != record.get("inputs_hash"):
        problems.append("输入哈希（inputs_hash）与重新计算的不一致：对象库、人员库或规则被改动")
    for s in inputs["strata"]:
        codes = s["codes"]
        if codes != sorted(codes) or len(set(codes)) != len(codes):
            problems.append(f"分层 {s['key']} 的对象代码未排序或有重复")
        h = sha256("\n".join(sorted(codes)).encode("utf-8"))
        if record.get("pool_hashes", {}).get(s["key"]) != h:
            problems.append(f"分层 {s['key']} 的对象库哈希（pool_hash）不一致")
        k = quota(len(codes), s.get("proportion"), s.get("count"))
        if record.get("quotas", {}).get(s["key"]) != k:
            problems.append(f"分层 {s['key']} 的抽取户数应为 {k}，记录为 {record.get('quotas', {}).get(s['key'])}")
    return problems


def result_problems(record, expected):
    """The published result against the re-computed one."""
    problems = []
    published = record.get("result")
    if published is None:
        return ["记录中没有抽取结果"]
    if sha256(canonical(published)) != record.get("result_hash"):
        problems.append("公布的结果与结果哈希（result_hash）不符")
    if expected.get("status") != published.get("status"):
        problems.append(f"结果状态应为 {expected.get('status')}，记录为 {published.get('status')}")
    if expected.get("error") != published.get("error"):
        problems.append(f"无法完成的原因不同：应为 {expected.get('error')}，记录为 {published.get('error')}")
    exp = {s["order"]: s for s in expected["selections"]}
    got = {s["order"]: s for s in published.get("selections", [])}
    for order in sorted(set(exp) | set(got)):
        a, b = exp.get(order), got.get(order)
        if a == b:
            continue
        if a is None or b is None:
            problems.append(f"第 {order} 户：{'多出' if a is None else '缺少'}记录 {(b or a)['code']}")
        elif a["code"] != b["code"] or a["stratum"] != b["stratum"]:
            problems.append(f"第 {order} 户应为 {a['stratum']}/{a['code']}，记录为 {b['stratum']}/{b['code']}")
        elif a["inspectors"] != b["inspectors"]:
            problems.append(
                f"第 {order} 户（{a['code']}）检查人员应为 {[i['badge'] for i in a['inspectors']]}，"
                f"记录为 {[i['badge'] for i in b['inspectors']]}"
            )
        else:
            problems.append(f"第 {order} 户（{a['code']}）排序值不同")
    return problems


# ---------------------------------------------------------------------------- hrs-v2
SEED_DOMAIN_V2 = "hrs-v2/seed"
LOCAL_TIME = dt.timezone(dt.timedelta(hours=8))  # 北京时间: the date a commitment names is a local date


def normalize_value(value):
    """NFKC, every run of white space one space, no outer spaces (docs/draw.md)."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


def derive_seed(server_seed, uid, inputs_hash, values):
    message = f"{SEED_DOMAIN_V2}\n{uid}\n{inputs_hash}\n".encode() + canonical([normalize_value(v) for v in values])
    return hmac.new(server_seed, message, hashlib.sha256).digest()


def parse_public_key(text):
    """The platform's Ed25519 public key: base64 or hex of 32 bytes, or a file that holds it."""
    text = (text or "").strip()
    if text and os.path.isfile(text):
        with open(text, encoding="utf-8") as fh:
            text = fh.read().strip()
    for decode in (bytes.fromhex, lambda t: base64.b64decode(t, validate=True)):
        try:
            raw = decode(text)
        except ValueError:
            continue
        if len(raw) == 32:
            return raw
    sys.exit("平台公钥格式不正确：应为 32 字节的 base64 或十六进制（见公示页“平台签名公钥”）")


def signature_problems(record, public_key):
    signature = record.get("signature")
    if not isinstance(signature, dict):
        return ["记录没有平台签名：无法确认出自平台（伪造的记录同样能自洽）"]
    if public_key is None:
        return ["未提供平台公钥（--public-key），无法确认签名出自平台"]
    key_id = hashlib.sha256(public_key).hexdigest()[:16]
    if signature.get("alg") != "Ed25519" or signature.get("key_id") != key_id:
        return [f"签名密钥 {signature.get('key_id')} 不是所给的平台公钥 {key_id}"]
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return ["校验 hrs-v2 签名需要安装 cryptography（pip install cryptography）"]
    # inputs and result are bound through the signed inputs_hash and result_hash (re-hashed below)
    payload = canonical({k: v for k, v in record.items() if k not in ("signature", "inputs", "result")})
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(base64.b64decode(signature.get("value") or ""), payload)
    except (InvalidSignature, ValueError):
        return ["平台签名无效：记录在签名后被改动，或不是平台签发的"]
    return []


def _local_date(iso):
    return dt.datetime.fromisoformat(iso).astimezone(LOCAL_TIME).date().isoformat()


def verify_v2(record, public_key):
    inputs = record["inputs"]
    problems = commitment_problems(record)
    source = inputs.get("public_randomness") or {}
    if record.get("public_randomness") != source or not source.get("source") or not source.get("date"):
        problems.append("承诺中没有写明公开随机数的来源与日期，或与输入不一致")
    if record.get("seed") is None:
        if record.get("signature") is not None:
            problems += signature_problems(record, public_key)
        return problems, "尚未抽取：已核对承诺前公布的对象库哈希、输入哈希与公开随机数来源；抽取后可完整校验"
    problems += signature_problems(record, public_key)
    seed = bytes.fromhex(record["seed"])
    if sha256(seed) != record.get("seed_commitment"):
        problems.append("种子的 SHA-256 与事先公布的种子承诺值（seed_commitment）不符")
    public = record.get("public_value")
    if public is None:
        if record.get("status") != "cancelled":
            problems.append("记录中没有公开随机数")
        return problems, "计划已取消：种子已公开；公开随机数尚未录入，没有结果可算"
    values = public.get("values") or []
    if [normalize_value(v) for v in values] != values or not values:
        problems.append("公开随机数未按规则规范化")
    if sha256(canonical(values)) != public.get("canonical_sha256"):
        problems.append("公开随机数的哈希不一致")
    committed, entered = record.get("committed_at") or "", public.get("entered_at") or ""
    if not (committed and entered and dt.datetime.fromisoformat(committed) < dt.datetime.fromisoformat(entered)):
        problems.append("公开随机数不是在承诺之后录入的")
    elif _local_date(entered) < source.get("date", ""):
        problems.append(f"公开随机数在承诺写明的日期 {source.get('date')} 之前录入")
    derived = derive_seed(seed, record["draw_uid"], record["inputs_hash"], values)
    if record.get("derived_seed") != derived.hex():
        problems.append("抽取种子（derived_seed）不是由封存种子与公开随机数按 hrs-v2 导出的")
    expected = recompute(inputs, derived)
    if record.get("status") == "cancelled":
        if sha256(canonical(expected)) != record.get("result_hash"):
            problems.append("作废抽取公布的结果哈希与重新计算的不符")
        return problems, "计划已取消：种子与公开随机数已公开，结果哈希已核对"
    return problems + result_problems(record, expected), ""


def main(argv):
    args = list(argv[1:])
    key_text = os.environ.get("HN_DRAW_PUBLIC_KEY")
    if "--public-key" in args:
        i = args.index("--public-key")
        if i + 1 >= len(args):
            print(__doc__)
            return 2
        key_text = args[i + 1]
        del args[i : i + 2]
    if len(args) != 1:
        print(__doc__)
        return 2
    public_key = parse_public_key(key_text) if key_text else None
    record = load(args[0])
    problems, note = verify(record, public_key)
    print(f"抽取编号 {record.get('draw_uid')}，算法 {record.get('algorithm')}")
    if problems:
        print("DIFFERS — 与重新计算的结果不一致：")
        for p in problems:
            print(f"  - {p}")
        return 1
    if note:
        print(note)
    selections = (record.get("result") or {}).get("selections") or []
    print(
        f"VERIFIED — 种子与承诺一致，{len(record['inputs']['strata'])} 个分层的对象库哈希一致，{len(selections)} 户抽取结果与重新计算完全相同"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
