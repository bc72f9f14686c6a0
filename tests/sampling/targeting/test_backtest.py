"""The back-test: on data with a known signal (risky enterprises fail more, year after year) the ranking made with
the data before the replayed year finds more of that year's unqualified samples in its first N than random order;
on data without a signal it does not; the tool prints N, the method and the counts."""

import datetime as dt
import json
import math

import pytest

from apps.sampling.models import Sample
from apps.sampling.targeting import backtest as bt
from apps.sampling.targeting.demo import synthetic_history
from tests.factories.enterprises import EnterpriseFactory
from tools import backtest_targeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(township_a, township_b, catalogue):
    for i in range(240):
        EnterpriseFactory(township=township_a if i % 2 else township_b)


def test_ranking_beats_random_on_data_with_a_signal(registry, today):
    year = today.year - 1
    history = synthetic_history(
        years=[year - 3, year - 2, year - 1, year], sample_rate=1.0, base_rate=0.03, risk_factor=8, seed=7
    )
    assert history.by_year[year][1] >= 10  # enough failures in the replayed year to measure
    result = bt.backtest(year=year, ns=[60], trials=200, seed=3)
    row = result.rows[0]
    assert result.total == history.by_year[year][0] and result.unqualified == history.by_year[year][1]
    assert row.random_share == pytest.approx(60 / result.total)
    assert row.share > 2 * row.random_share, bt.report_lines(result)
    assert row.mc_high < row.share  # beyond the 95th percentile of random orders
    assert row.mc_mean == pytest.approx(row.random_share, abs=0.06)
    assert result.data_until == dt.date(year - 1, 12, 31)


def test_no_signal_no_lift(registry, today):
    year = today.year - 1
    synthetic_history(years=[year - 2, year - 1, year], sample_rate=1.0, base_rate=0.1, risky_share=0, seed=11)
    result = bt.backtest(year=year, ns=[120], trials=200, seed=5)
    row, total, bad = result.rows[0], result.total, result.unqualified
    # the hypergeometric spread of the share found by a random order of the same size
    sd = math.sqrt(row.n * bad / total * (1 - bad / total) * (total - row.n) / (total - 1)) / bad
    assert abs(row.share - row.random_share) < 4 * sd, bt.report_lines(result)
    assert row.mc_mean == pytest.approx(row.random_share, abs=2 * sd)


def test_only_history_before_the_year_is_used(registry, today, monkeypatch):
    """Moving the replayed year's failures around does not change the scores (no look-ahead)."""
    year = today.year - 1
    synthetic_history(years=[year - 1, year], sample_rate=1.0, base_rate=0.05, risk_factor=6, seed=13)
    seen = {}
    real_rank = bt.rank

    def spy(enterprises, **kwargs):
        ranking = real_rank(enterprises, **kwargs)
        seen.setdefault("scores", []).append({(s.enterprise_id, s.category_id): s.total for s in ranking})
        return ranking

    monkeypatch.setattr(bt, "rank", spy)
    bt.backtest(year=year, ns=[10])
    Sample.objects.filter(sampled_on__year=year).update(conclusion="unqualified")
    bt.backtest(year=year, ns=[10])
    assert seen["scores"][0] == seen["scores"][1]


def test_tool_prints_n_method_and_counts(registry, today, capsys):
    year = today.year - 1
    synthetic_history(years=[year - 1, year], sample_rate=1.0, base_rate=0.05, risk_factor=6, seed=17)
    assert backtest_targeting.main(["--year", str(year), "--n", "20", "50", "--trials", "50", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert f"靶向抽检回测：{year} 年（全市）" in out
    assert "方法：按" in out and "均匀随机的期望值 N/总数" in out and "50 次蒙特卡洛" in out
    assert "N = 20：按排名前 20 批中不合格" in out and "N = 50：" in out
    assert backtest_targeting.main(["--year", str(year), "--n", "20", "--json", "--without-grade"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["use_grade"] is False and body["rows"][0]["n"] == 20 and "不使用风险等级" in body["method"]
    assert backtest_targeting.main(["--year", str(year), "--township", "nowhere"]) == 2
    assert backtest_targeting.main(["--year", str(year), "--n", "20", "--weights", "0,100,0,0,0,2"]) == 0
    out = capsys.readouterr().out
    assert "命令行试用的权重（风险等级 0、既往不合格 100、投诉举报 0、距上次抽检 0、品类风险 0，回溯 2 年）" in out


def test_tool_refuses_bad_arguments(capsys):
    for argv in (
        ["--year", "1999"],
        ["--year", "2025", "--n", "0"],
        ["--year", "2025", "--trials", "-1"],
        [],
        ["--year", "2025", "--weights", "1,2,3"],
        ["--year", "2025", "--weights", "0,0,0,0,0"],
        ["--year", "2025", "--weights", "101,0,0,0,0"],
        ["--year", "2025", "--weights", "1,1,1,1,1,11"],
    ):
        with pytest.raises(SystemExit) as exc:
            backtest_targeting.parse(argv)
        assert exc.value.code == 2
