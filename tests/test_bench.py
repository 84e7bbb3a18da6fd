"""The benchmark script runs, and the request counts it reports are the daily-run budget.

Only counts are checked here: timings live in bench/bench.py and BENCHMARKS.md, never in tests.
The script runs in this process (its servers are the tests' fakes, so the GitHub contract check
watches its requests too); the function runs in child processes, as in a real benchmark run.
"""

from __future__ import annotations

import importlib.util
import json
import sys

from conftest import ROOT


def load_bench(monkeypatch):
    spec = importlib.util.spec_from_file_location("bench", ROOT / "bench" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench", module)  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_bench_daily_runs_report_the_request_budget(tmp_path, capsys, monkeypatch):
    out = tmp_path / "figures.json"
    assert load_bench(monkeypatch).main(["--quick", "--only", "daily,render", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    counts = figures["daily"]["counts"]

    # The budget: 1 HF request, 1 S3 write, 5 GitHub requests (one create-tree) for a day's post.
    budget = {"hf": 1, "s3_reads": 1, "s3_writes": 1, "github_reads": 2, "github_writes": 3, "github_trees": 1,
              "secrets_reads": 0}
    assert counts["created_99"] == budget
    # A 100-paper day is a full page: the client must ask for page 1 to learn there is no more.
    assert counts["created"] == {**budget, "hf": 2}
    assert counts["unchanged"] == {**budget, "hf": 2, "s3_writes": 0, "github_writes": 0, "github_trees": 0}
    assert counts["cold"]["secrets_reads"] == 1  # the token, once per environment
    assert figures["render"]["bytes_100"] > 0
    table = capsys.readouterr().out
    assert "| 2. Daily run, 99-paper day (warm): requests | HF 1 · S3 1 read + 1 write · GitHub 2 read + 3 write" in table


def test_the_faithfulness_bench_reports_each_kind_against_the_issues_goals(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("faithfulness", ROOT / "bench" / "faithfulness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "faithfulness.json"

    assert module.main(["--repeat", "1", "--json", str(out)]) == 0  # 0: every goal met

    figures = json.loads(out.read_text())
    assert set(figures["kinds"]) == {"faithful", "invented_name", "changed_figure", "refusal", "wrong_language", "cut",
                                     "empty", "wrong_paraphrase"}
    assert figures["goals_met"] and figures["kinds"]["refusal"]["percent"] == 100.0
    assert "| faithful answers accepted | 65 |" in capsys.readouterr().out
