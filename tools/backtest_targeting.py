#!/usr/bin/env python3
"""Back-test the 靶向抽检 ranking on a past year, from the data in the database (issue 10 point 4).

For the year Y, every concluded sample of Y (not quick tests) is scored with the ranking as it stood on 31 December
of Y − 1 (history before Y only; the weights in force on 1 January of Y) and the samples are ordered by that score.
For each N, prints the share of Y's unqualified samples found in the first N against uniform random order (the exact
expectation N / total; with --trials also a seeded Monte Carlo), and the method used. Method and caveats:
docs/sampling-targeting.md §6.

    .venv/bin/python tools/backtest_targeting.py --year 2025 --n 100 500 1000
    .venv/bin/python tools/backtest_targeting.py --year 2025 --n 200 --trials 1000 --seed 7 --township xiashi
    .venv/bin/python tools/backtest_targeting.py --year 2025 --n 200 --without-grade --json
    .venv/bin/python tools/backtest_targeting.py --year 2025 --n 500 --weights 30,50,0,5,15   # try weights, unsaved

Runs against the database of the settings in DJANGO_SETTINGS_MODULE (default: haining_foodsafety.settings.base, i.e.
DATABASE_URL or the local SQLite file); reads only. Exit status 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haining_foodsafety.settings.base")


def parse(argv=None):
    parser = argparse.ArgumentParser(
        description="靶向抽检排名回测：按上一年底以前的数据排序，看前 N 批样品找到多少不合格"
    )
    parser.add_argument("--year", type=int, required=True, help="回放的年度（2001–2100）")
    parser.add_argument("--n", type=int, nargs="+", default=[100], help="前 N 批（可给多个，默认 100）")
    parser.add_argument("--township", default="", help="只看一个镇街（镇街代码，如 xiashi）")
    parser.add_argument("--trials", type=int, default=0, help="蒙特卡洛随机排序次数（0–100000，默认 0：只给期望值）")
    parser.add_argument("--seed", type=int, default=1, help="同分随机与蒙特卡洛的种子（默认 1）")
    parser.add_argument("--without-grade", action="store_true", help="不使用风险等级（当前等级可能含回放年度的信息）")
    parser.add_argument(
        "--weights",
        default="",
        help="试用一组权重而不保存：风险等级,既往不合格,投诉举报,距上次抽检,品类风险[,回溯年数]，如 30,50,0,5,15,3"
        "（默认用该年 1 月 1 日生效的权重）",
    )
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    args = parser.parse_args(argv)
    if not 2001 <= args.year <= 2100:
        parser.error("--year 应在 2001–2100 之间")
    if any(n < 1 or n > 10_000_000 for n in args.n):
        parser.error("--n 应为正整数")
    if not 0 <= args.trials <= 100_000:
        parser.error("--trials 应在 0–100000 之间")
    args.weight_values = None
    if args.weights:
        parts = args.weights.split(",")
        if len(parts) not in (5, 6) or not all(p.strip().isdigit() for p in parts):
            parser.error("--weights 应为 5 或 6 个用逗号分隔的整数，如 30,50,0,5,15,3")
        values = [int(p) for p in parts]
        if any(v > 100 for v in values[:5]) or sum(values[:5]) == 0 or (len(values) == 6 and not 1 <= values[5] <= 10):
            parser.error("--weights 的权重应为 0–100 且不全为 0，回溯年数应为 1–10")
        args.weight_values = values if len(values) == 6 else [*values, 3]
    return args


def main(argv=None) -> int:
    args = parse(argv)
    import django

    django.setup()
    from apps.accounts.models import Township
    from apps.sampling.targeting.backtest import backtest, report_lines
    from apps.sampling.targeting.ranking import Weights

    township_id = None
    if args.township:
        township = Township.objects.filter(code=args.township).first()
        if township is None:
            print(f"没有代码为 {args.township} 的镇街", file=sys.stderr)
            return 2
        township_id = township.pk
    result = backtest(
        year=args.year,
        ns=args.n,
        township_id=township_id,
        use_grade=not args.without_grade,
        trials=args.trials,
        seed=args.seed,
        weights=None
        if args.weight_values is None
        else Weights(*args.weight_values, effective_from=None, label="命令行试用的权重"),
    )
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(report_lines(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
