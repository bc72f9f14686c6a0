#!/usr/bin/env python3
"""Re-compute a 双随机 draw of the 海宁市食品安全监管平台 from its published record and say whether it is genuine.

Standard library only; an independent re-implementation of algorithm hrs-v1 (docs/draw.md). Usage:

    python3 tools/verify_draw.py draw.json
    python3 tools/verify_draw.py http://127.0.0.1:8000/public/draws/HN2026-00001-1/json/

Prints VERIFIED (exit 0) or the places where the record differs from the re-computation (exit 1).
"""

import hashlib
import hmac
import json
import math
import sys
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
                "algorithm": "hrs-v1",
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
    return {"algorithm": "hrs-v1", "draw_uid": uid, "status": "drawn", "selections": selections}


def verify(record):
    """Return a list of differences ([] = verified) and a note."""
    problems = []
    if record.get("algorithm") != "hrs-v1" or record["inputs"].get("algorithm") != "hrs-v1":
        return [f"未知算法：{record.get('algorithm')}（本脚本只校验 hrs-v1）"], ""
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
    published = record.get("result")
    if published is None:
        return problems + ["记录中没有抽取结果"], ""
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
    return problems, ""


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    record = load(argv[1])
    problems, note = verify(record)
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
