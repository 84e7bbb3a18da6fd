"""The daily use case (one day, refresh, backfill) through in-memory ports and a folder blog."""

from __future__ import annotations

import datetime as dt
import json  # noqa: F401
from dataclasses import replace
from pathlib import Path

import pytest

from hf_daily_papers import app
from hf_daily_papers.errors import UpstreamUnavailable
from hf_daily_papers.inputs import DailyRequest, RangeRequest
from hf_daily_papers.pipeline import DaysFailed, Ports
from hf_daily_papers.publish import FolderPublisher
from hf_daily_papers.results import RunRecord, to_json
from hf_daily_papers.settings import Settings

from .memory import FIXTURES, FakeSummarizer, MemoryArchive, MemorySource, item, load_hf

SEED = "2026-02-19"
SETTINGS = Settings(post_author="lim4349", top_n=10)


def ports(tmp_path: Path, source: MemorySource, archive: MemoryArchive, summarizer: object = None) -> Ports:
    return Ports(source, archive, FolderPublisher(tmp_path / "blog"), summarizer)  # type: ignore[arg-type]


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_daily_post_is_the_seed_post_and_a_rerun_writes_nothing(tmp_path: Path, archive: MemoryArchive) -> None:
    source = MemorySource({SEED: load_hf("seed-2026-02-19")})
    seed_format = replace(SETTINGS, post_permalink=False)  # POST_PERMALINK=false: the seed bytes
    result = to_json(app.handle(DailyRequest(day(SEED)), ports(tmp_path, source, archive), seed_format))
    post = tmp_path / "blog" / "_posts" / f"{SEED}-daily-papers.md"
    assert post.read_text("utf-8") == (FIXTURES / "posts" / f"{SEED}-daily-papers.md").read_text("utf-8")
    assert result == {"date": SEED, "status": "created", "papers": 8, "listed": 8,
                      "archive_key": "daily/2026/02/2026-02-19.json", "archived": True,
                      "post_path": f"_posts/{SEED}-daily-papers.md"}
    again = to_json(app.handle(DailyRequest(day(SEED)), ports(tmp_path, source, archive), seed_format))
    assert again["status"] == "unchanged" and again["archived"] is False
    assert archive.puts == ["daily/2026/02/2026-02-19.json"]


def test_by_default_the_daily_post_has_its_own_url(tmp_path: Path, archive: MemoryArchive) -> None:
    source = MemorySource({SEED: load_hf("seed-2026-02-19")})
    app.handle(DailyRequest(day(SEED)), ports(tmp_path, source, archive), SETTINGS)
    post = (tmp_path / "blog" / "_posts" / f"{SEED}-daily-papers.md").read_text("utf-8")
    seed = (FIXTURES / "posts" / f"{SEED}-daily-papers.md").read_text("utf-8")
    title = f"title: Hugging Face Daily Papers - {SEED}\n"
    assert post == seed.replace(title, f"{title}permalink: /posts/daily-papers-{SEED}/\n", 1)


def test_an_empty_day_is_recorded_and_not_asked_for_again(tmp_path: Path, archive: MemoryArchive) -> None:
    source = MemorySource({})  # fetched on 2026-03-01: the day had closed
    key = "daily/2026/02/2026-02-21.json"
    result = to_json(app.handle(DailyRequest(day("2026-02-21")), ports(tmp_path, source, archive), SETTINGS))
    assert result == {"date": "2026-02-21", "status": "empty", "papers": 0, "listed": 0,
                      "archive_key": key, "archived": True}
    document = archive.document(key)
    assert document["count"] == 0 and document["papers"] == [] and document["fetched_at"] == "2026-03-01T00:15:00Z"
    assert not (tmp_path / "blog").exists()
    # Seen empty after it closed: a re-run, a backfill or a digest does not ask again.
    source.asked.clear()
    again = to_json(app.handle(RangeRequest(day("2026-02-20"), day("2026-02-21")),
                               ports(tmp_path, source, archive), SETTINGS))
    assert source.asked == ["2026-02-20"] and again["days"][1] == {
        "date": "2026-02-21", "status": "empty", "papers": 0, "listed": 0, "archive_key": key, "archived": False}


def test_an_empty_record_made_while_the_day_was_open_is_replaced_when_papers_come(
    tmp_path: Path, archive: MemoryArchive
) -> None:
    source = MemorySource({}, now=dt.datetime(2026, 2, 21, 23, 0, tzinfo=dt.UTC))  # still 2026-02-21
    key = "daily/2026/02/2026-02-21.json"
    app.handle(DailyRequest(day("2026-02-21")), ports(tmp_path, source, archive), SETTINGS)
    assert archive.document(key)["count"] == 0
    source.days["2026-02-21"] = [item("2602.00001", 5, "2026-02-21")]
    source.now = dt.datetime(2026, 2, 22, 0, 15, tzinfo=dt.UTC)
    later = to_json(app.handle(DailyRequest(day("2026-02-21")), ports(tmp_path, source, archive), SETTINGS))
    assert later["status"] == "created" and later["archived"] is True
    assert archive.document(key)["count"] == 1


@pytest.mark.parametrize("stored", [b"not json", b"[1, 2]", b'{"schema": 99}', b'{"schema": 1, "date": "2026-02-19"}',
                                    b"\xff\xfe", b'{"schema": 1, "date": "2026-02-19", "fetched_at": "x", "papers": "no"}'])
def test_an_unreadable_archive_object_is_refetched_and_replaced(
    tmp_path: Path, archive: MemoryArchive, stored: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    key = "daily/2026/02/2026-02-19.json"
    archive.objects[key] = stored
    source = MemorySource({SEED: load_hf("seed-2026-02-19")})
    result = to_json(app.handle(DailyRequest(day(SEED)), ports(tmp_path, source, archive), SETTINGS))
    assert result["status"] == "created" and result["archived"] is True
    assert archive.document(key)["schema"] == 1
    assert any(key in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


def test_a_failing_day_of_any_kind_does_not_take_the_others_down(tmp_path: Path, archive: MemoryArchive) -> None:
    source = MemorySource({
        "2026-02-16": [item("2602.00001", 1, "2026-02-16")],
        "2026-02-17": KeyError("paper"),  # a bug, not an upstream fault
        "2026-02-18": UpstreamUnavailable("Hugging Face", "daily papers of 2026-02-18", "HTTP 503", 5),
        "2026-02-19": [item("2602.00002", 2, "2026-02-19")],
    })
    record = RunRecord()
    with pytest.raises(DaysFailed) as failed:
        app.handle(RangeRequest(day("2026-02-16"), day("2026-02-19")), ports(tmp_path, source, archive), SETTINGS,
                   record=record)
    message = str(failed.value)
    assert "2 day(s) failed: 2026-02-17 (KeyError: 'paper'), 2026-02-18 (Hugging Face unavailable" in message
    assert sorted(p.name for p in (tmp_path / "blog" / "_posts").iterdir()) == [
        "2026-02-16-daily-papers.md", "2026-02-19-daily-papers.md"]
    assert sorted(record.archived) == ["daily/2026/02/2026-02-16.json", "daily/2026/02/2026-02-19.json"]


def test_a_range_of_one_day_has_the_range_shape(tmp_path: Path, archive: MemoryArchive) -> None:
    source = MemorySource({SEED: load_hf("seed-2026-02-19")})
    result = to_json(app.handle(RangeRequest(day(SEED), day(SEED)), ports(tmp_path, source, archive), SETTINGS))
    assert set(result) == {"start", "end", "counts", "days"}  # a folder blog makes no commit
    assert result["counts"] == {"created": 1} and result["days"][0]["date"] == SEED


def test_a_failed_publish_is_in_the_run_record(tmp_path: Path, archive: MemoryArchive) -> None:
    source = MemorySource({SEED: load_hf("seed-2026-02-19")})
    (tmp_path / "blog").write_text("a file where the blog folder belongs")
    record = RunRecord()
    with pytest.raises(OSError):
        app.handle(DailyRequest(day(SEED)), ports(tmp_path, source, archive), SETTINGS, record=record)
    assert record.archived == ["daily/2026/02/2026-02-19.json"]
    assert record.describe() == (
        "archive daily/2026/02/2026-02-19.json written by this run; post _posts/2026-02-19-daily-papers.md "
        "not published; re-running the same request completes it once the cause is fixed")
    # A range says the same by counts.
    ranged = RunRecord()
    with pytest.raises(OSError):
        app.handle(RangeRequest(day("2026-02-18"), day(SEED)), ports(tmp_path, source, archive), SETTINGS,
                   record=ranged)
    assert ranged.describe() == (
        "this run wrote 1 archive object(s) (daily/2026/02/2026-02-18.json) and 0 commit(s); "
        "1 post(s) (_posts/2026-02-19-daily-papers.md) not published; "
        "re-running the same request completes it once the cause is fixed")


def test_summaries_are_made_once_and_kept_in_the_archive(tmp_path: Path, archive: MemoryArchive) -> None:
    source = MemorySource({"2026-02-20": [item("2602.00001", 9, "2026-02-20"), item("2602.00002", 3, "2026-02-20")]})
    model = FakeSummarizer(failing={"2602.00002"})
    first = to_json(app.handle(DailyRequest(day("2026-02-20")), ports(tmp_path, source, archive, model), SETTINGS))
    assert first["summaries_made"] == 1 and first["summaries_missing"] == 1
    post = (tmp_path / "blog" / "_posts" / "2026-02-20-daily-papers.md").read_text("utf-8")
    assert "   - 요약: Paper 2602.00001 요약.\n   - Abstract: Abstract.\n" in post
    stored = archive.document("daily/2026/02/2026-02-20.json")["summaries"]
    assert set(stored) == {"2602.00001"} and stored["2602.00001"]["model"] == "test-model"
    # The next run asks only for the missing one, and fills it in.
    model.failing.clear()
    model.calls.clear()
    second = to_json(app.handle(DailyRequest(day("2026-02-20")), ports(tmp_path, source, archive, model), SETTINGS))
    assert model.calls == ["2602.00002"]
    assert second["status"] == "updated" and second["summaries_missing"] == 0
    model.calls.clear()
    third = to_json(app.handle(DailyRequest(day("2026-02-20")), ports(tmp_path, source, archive, model), SETTINGS))
    assert model.calls == [] and third["status"] == "unchanged"


def test_a_backfill_summarizes_only_when_asked_and_stops_before_time_runs_out(
    tmp_path: Path, archive: MemoryArchive
) -> None:
    days = {f"2026-02-{d:02d}": [item(f"2602.000{d:02d}", d, f"2026-02-{d:02d}")] for d in range(10, 14)}
    model = FakeSummarizer()
    unasked = to_json(app.handle(RangeRequest(day("2026-02-10"), day("2026-02-13")),
                                 ports(tmp_path, MemorySource(days), archive, model), SETTINGS))
    assert model.calls == [] and "summaries_left" not in unasked
    clock = iter([1000.0, 1000.0, 50.0] + [50.0] * 20)  # seconds left: plenty, then less than the reserve
    result = to_json(app.handle(
        RangeRequest(day("2026-02-10"), day("2026-02-13"), summarize=True),
        ports(tmp_path, MemorySource(days), archive, model), Settings(fetch_concurrency=1),
        time_left=lambda: next(clock),
    ))
    assert len(model.calls) == 2
    assert result["summaries_left"] == 2 and result["summaries_stopped"] is True


def test_archive_documents_without_summaries_are_unchanged(tmp_path: Path, archive: MemoryArchive) -> None:
    source = MemorySource({SEED: load_hf("seed-2026-02-19")})
    app.handle(DailyRequest(day(SEED)), ports(tmp_path, source, archive), SETTINGS)
    document = archive.document("daily/2026/02/2026-02-19.json")
    assert list(document) == ["schema", "date", "fetched_at", "source", "count", "ranking", "skipped", "papers"]
    assert len(document["papers"]) == document["count"] == len(document["ranking"]) > 0
