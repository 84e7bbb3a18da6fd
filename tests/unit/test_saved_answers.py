"""Saved answers (`--hf-dir DIR`) through the daily use case: a missing file is not an empty day.

An empty record is trusted by every later run (a settled day is not asked for again), so only a
real answer may make one: a live answer, or a saved file holding `[]`. A file not saved is an
error naming it, and nothing is recorded for that day (#17 §2).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hf_daily_papers import app
from hf_daily_papers.daily import DaysFailed
from hf_daily_papers.hf import FolderSource
from hf_daily_papers.inputs import RangeRequest
from hf_daily_papers.ports import Ports
from hf_daily_papers.publish import FolderPublisher
from hf_daily_papers.results import RunRecord
from hf_daily_papers.settings import Settings

from .memory import FIXTURES, MemoryArchive

SETTINGS = Settings(post_author="lim4349", top_n=10)
STAMP = dt.datetime(2026, 3, 1, 0, 15, tzinfo=dt.UTC)  # every day below had closed


def saved(folder: Path, answers: dict[str, str]) -> FolderSource:
    folder.mkdir(parents=True, exist_ok=True)
    for date, text in answers.items():
        (folder / f"{date}.json").write_text(text, "utf-8")
    return FolderSource(folder, lambda: STAMP)


def run(tmp_path: Path, source: FolderSource, archive: MemoryArchive, start: str, end: str,
        record: RunRecord | None = None) -> object:
    ports = Ports(source, archive, FolderPublisher(tmp_path / "blog"))
    request = RangeRequest(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    return app.handle(request, ports, SETTINGS, record=record, clock=lambda: STAMP)


def test_a_backfill_over_a_folder_missing_a_weekday_fails_that_day_naming_the_file_and_records_nothing_for_it(
    tmp_path: Path, archive: MemoryArchive
) -> None:
    seed = (FIXTURES / "hf" / "seed-2026-02-19.json").read_text("utf-8")
    source = saved(tmp_path / "hf", {"2026-02-19": seed, "2026-02-21": "[]"})  # 2026-02-20 (a Friday) not saved
    record = RunRecord()

    with pytest.raises(DaysFailed) as failed:
        run(tmp_path, source, archive, "2026-02-19", "2026-02-21", record)

    missing = tmp_path / "hf" / "2026-02-20.json"
    assert f"2026-02-20 (saved answer {missing} does not exist: no answer for 2026-02-20 was saved" in str(failed.value)
    assert sorted(archive.objects) == ["daily/2026/02/2026-02-19.json", "daily/2026/02/2026-02-21.json"]
    assert "daily/2026/02/2026-02-20.json" not in record.archived


def test_a_saved_empty_array_is_a_settled_empty_day_on_record_as_saved(tmp_path: Path, archive: MemoryArchive) -> None:
    source = saved(tmp_path / "hf", {"2026-02-21": "[]"})

    run(tmp_path, source, archive, "2026-02-21", "2026-02-21")

    document = json.loads(archive.objects["daily/2026/02/2026-02-21.json"])
    assert (document["count"], document["papers"], document["origin"]) == (0, [], "saved")
    (tmp_path / "hf" / "2026-02-21.json").unlink()  # settled: not asked for again, so no error now
    run(tmp_path, source, archive, "2026-02-21", "2026-02-21")
    assert archive.puts == ["daily/2026/02/2026-02-21.json"]
