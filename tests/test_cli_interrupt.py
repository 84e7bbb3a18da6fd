"""Ctrl-C during a backfill: the CLI starts no more days, lets the days in progress finish, publishes
nothing, and says exactly which archive objects it wrote (the count matches the files on disk).

The CLI runs as a child process (a real SIGINT, as a terminal sends it) against a fake Hugging
Face that takes a while to answer each request. What is asserted does not depend on the
machine's speed: the requests that reached Hugging Face after the signal (at most one per day
in progress), the files on disk against the printed line, and no post.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT
from fakes.hf import FakeHF
from fakes.server import Reply, Request

SOURCE = ROOT / "functions" / "daily_papers"
CONCURRENCY = 2
DAYS = 60  # 2026-01-01 .. 2026-03-01: 15 s of answers at 2 a time; the test ends long before


class SlowHF(FakeHF):
    """Every answer takes `seconds` (a slow or distant API)."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    def handle(self, request: Request) -> Reply:
        self._stopping.wait(self.seconds)
        return super().handle(request)


@pytest.fixture
def slow_hf() -> Iterator[SlowHF]:
    with SlowHF(0.5) as server:
        yield server


def archive_files(out: Path) -> list[Path]:
    return sorted((out / "archive").rglob("*.json")) if (out / "archive").exists() else []


def test_ctrl_c_stops_a_backfill_starts_no_more_days_and_says_exactly_what_it_wrote(slow_hf, tmp_path):
    import os

    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "BLOG_", "BUCKET_", "AWS_", "HF_"))}
    env.update(PYTHONPATH=str(SOURCE), HF_ENDPOINT=slow_hf.url, HF_MAX_RPS="0", FETCH_CONCURRENCY=str(CONCURRENCY))
    proc = subprocess.Popen(
        [sys.executable, "-m", "hf_daily_papers", "backfill", "--start", "2026-01-01", "--end", "2026-03-01",
         "--out", str(out), "--no-progress"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(slow_hf.requests) < 6 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None and len(slow_hf.requests) >= 6, "the backfill did not get going"
        asked_before = len(slow_hf.requests)
        proc.send_signal(signal.SIGINT)
        signalled = time.monotonic()
        stdout, stderr = proc.communicate(timeout=30)
        stopped_after = time.monotonic() - signalled
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()

    assert proc.returncode == 130, stderr
    assert stdout == "" and "Traceback" not in stderr, stderr
    # Days not started were cancelled: only the days in progress asked Hugging Face afterwards.
    assert len(slow_hf.requests) - asked_before <= CONCURRENCY, (asked_before, len(slow_hf.requests))
    assert len(slow_hf.requests) < DAYS
    # The days in progress each needed one answer (half a second): a few seconds, not the queue's 15.
    assert stopped_after < 10, stopped_after
    # The printed count is exactly what is on disk; nothing was published.
    lines = stderr.splitlines()
    assert "hf-daily-papers: interrupted" in lines, stderr
    # Every day fetched before the signal (or finished after it) was archived, and said so.
    said = re.search(r"this run wrote (\d+) archive object\(s\)", stderr)
    assert said, stderr
    files = archive_files(out)
    assert int(said.group(1)) == len(files) >= 4, (stderr, files)
    assert not (out / "blog").exists() or not any((out / "blog").rglob("*.md"))
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
