"""The benchmark script runs, and the request counts it reports are the daily-run budget.

Only counts are checked here: timings live in bench/bench.py and BENCHMARKS.md, never in tests.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_bench_daily_runs_report_the_request_budget(tmp_path):
    out = tmp_path / "figures.json"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench.py"), "--quick", "--only", "daily,render", "--json", str(out)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    figures = json.loads(out.read_text())

    created = figures["daily"]["counts"]["created"]
    # A 100-paper day is a full page: the client must ask for page 1 to learn there is no more.
    assert created == {"hf": 2, "s3_reads": 1, "s3_writes": 1, "github_reads": 2, "github_writes": 3, "secrets_reads": 0}
    assert figures["daily99"]["counts"]["created"]["hf"] == 1
    unchanged = figures["daily"]["counts"]["unchanged"]
    assert unchanged == {"hf": 2, "s3_reads": 1, "s3_writes": 0, "github_reads": 2, "github_writes": 0, "secrets_reads": 0}
    assert figures["daily"]["counts"]["cold"]["secrets_reads"] == 1  # the token, once per environment
    assert figures["render"]["bytes_100"] > 0
