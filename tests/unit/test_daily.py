"""The daily use case (one day, refresh, backfill) through in-memory ports and a folder blog."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hf_daily_papers import app
from hf_daily_papers.archive import FolderArchive, archive_key
from hf_daily_papers.daily import Budget, DaysFailed
from hf_daily_papers.errors import UpstreamUnavailable
from hf_daily_papers.hf import FolderSource
from hf_daily_papers.inputs import DailyRequest, RangeRequest
from hf_daily_papers.ports import Ports
from hf_daily_papers.publish import FolderPublisher
from hf_daily_papers.results import RunRecord, to_json
from hf_daily_papers.settings import Settings

from .memory import FIXTURES, FakeModel, MemoryArchive, MemorySource, item, load_hf

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
    model = FakeModel(failing={"2602.00002"})
    first = to_json(app.handle(DailyRequest(day("2026-02-20")), ports(tmp_path, source, archive, model), SETTINGS))
    assert first["summaries_made"] == 1 and first["summaries_missing"] == 1
    post = (tmp_path / "blog" / "_posts" / "2026-02-20-daily-papers.md").read_text("utf-8")
    assert "   - 요약: 이 논문은 Paper 2602.00001에 관한 연구로, 그 방법과 결과를 간결하게 소개합니다.\n   - Abstract: Abstract.\n" in post
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


def test_a_backfill_summarizes_only_when_asked(tmp_path: Path, archive: MemoryArchive) -> None:
    days = {f"2026-02-{d:02d}": [item(f"2602.000{d:02d}", d, f"2026-02-{d:02d}")] for d in range(10, 14)}
    model = FakeModel()
    unasked = to_json(app.handle(RangeRequest(day("2026-02-10"), day("2026-02-13")),
                                 ports(tmp_path, MemorySource(days), archive, model), SETTINGS))
    assert model.calls == [] and "summaries_missing" not in unasked
    asked = to_json(app.handle(RangeRequest(day("2026-02-10"), day("2026-02-13"), summarize=True),
                               ports(tmp_path, MemorySource(days), archive, model), SETTINGS))
    assert len(model.calls) == 4 and asked["summaries_made"] == 4 and asked["summaries_missing"] == 0
    assert asked["counts"] == {"updated": 4} and "summaries_stopped" not in asked


def test_archive_documents_without_summaries_are_unchanged(tmp_path: Path, archive: MemoryArchive) -> None:
    source = MemorySource({SEED: load_hf("seed-2026-02-19")})
    app.handle(DailyRequest(day(SEED)), ports(tmp_path, source, archive), SETTINGS)
    document = archive.document("daily/2026/02/2026-02-19.json")
    assert list(document) == ["schema", "date", "fetched_at", "source", "origin", "count", "ranking", "skipped",
                              "papers"]
    assert document["origin"] == "live"
    assert len(document["papers"]) == document["count"] == len(document["ranking"]) > 0


def test_no_run_strips_kept_summaries(tmp_path: Path, archive: MemoryArchive) -> None:
    """A backfill without "summarize" (or any run) renders every kept summary it has."""
    source = MemorySource({"2026-02-20": [item("2602.00001", 9, "2026-02-20")]})
    model = FakeModel()
    app.handle(DailyRequest(day("2026-02-20")), ports(tmp_path, source, archive, model), SETTINGS)
    post = tmp_path / "blog" / "_posts" / "2026-02-20-daily-papers.md"
    assert "   - 요약: 이 논문은 Paper 2602.00001에 관한 연구로" in post.read_text("utf-8")
    model.calls.clear()
    result = to_json(app.handle(RangeRequest(day("2026-02-19"), day("2026-02-20")),
                                ports(tmp_path, source, archive, model), SETTINGS))
    assert model.calls == []  # not asked to summarize: no model call
    assert result["days"][1]["status"] == "unchanged"
    assert "   - 요약: 이 논문은 Paper 2602.00001에 관한 연구로" in post.read_text("utf-8")


def test_a_backfill_with_a_slow_model_stops_summarizing_in_time_to_publish(
    tmp_path: Path, archive: MemoryArchive
) -> None:
    """The summaries are asked only while the time left covers the rest of the run: the days still
    to fetch (at the pace measured so far), a model call under way and the commit."""
    days = {f"2026-01-{d:02d}": [item(f"2601.000{d:02d}", d, f"2026-01-{d:02d}")] for d in range(1, 31)}
    clock = {"left": 900.0}

    def spend(seconds: float) -> None:
        clock["left"] -= seconds

    model = FakeModel(on_call=lambda: spend(45.0))  # a slow model: 45 s an answer

    class PacedSource(MemorySource):  # Hugging Face at its pace: 20 s a day (pages, retries)
        def fetch_day(self, date: dt.date, known: str = "") -> Any:
            spend(20.0)
            return super().fetch_day(date, known)

    class Blog(FolderPublisher):
        def publish(self, files: Any, message: str) -> Any:
            clock["at_publish"] = clock["left"]
            return super().publish(files, message)

    result = to_json(app.handle(
        RangeRequest(day("2026-01-01"), day("2026-01-30"), summarize=True),
        Ports(PacedSource(days), archive, Blog(tmp_path / "blog"), model), Settings(fetch_concurrency=1),
        time_left=lambda: clock["left"],
    ))
    assert result["counts"] == {"created": 30} and result["summaries_stopped"] is True
    made, missing = result["summaries_made"], result["summaries_missing"]
    assert made + missing == 30 and 0 < made < 30 and len(model.calls) == made
    # Every day was fetched and the commit still had its time: the budget counted the days left.
    assert clock["at_publish"] >= Budget().commit
    # Without counting them (a fixed reserve of a model call and the commit), the run would have
    # summarized on until the fetches ate the commit's time.
    assert 900 - 30 * 20 - made * 45 >= Budget().commit


def test_a_rejected_answer_is_retried_once_then_kept_as_a_rejection_and_not_asked_again(
    tmp_path: Path, archive: MemoryArchive, caplog: pytest.LogCaptureFixture
) -> None:
    abstract = "We present Widget, a benchmark of 120 tasks."
    source = MemorySource({"2026-02-20": [item("2602.00001", 9, "2026-02-20", title="Widget", summary=abstract)]})
    invented = "이 논문은 CIFAR-10에서 3% 향상을 보인 CNN을 제안합니다."
    model = FakeModel(answers={"2602.00001": [invented, invented]})
    first = to_json(app.handle(DailyRequest(day("2026-02-20")), ports(tmp_path, source, archive, model), SETTINGS))
    assert model.calls == ["2602.00001", "2602.00001"] and model.feedback[0] is None
    assert model.feedback[1] is not None and "CIFAR-10" in model.feedback[1]
    assert first["summaries_made"] == 0 and first["summaries_rejected"] == 1
    post = (tmp_path / "blog" / "_posts" / "2026-02-20-daily-papers.md").read_text("utf-8")
    assert "요약" not in post and "CIFAR" not in post
    document = archive.document("daily/2026/02/2026-02-20.json")
    assert "summaries" not in document
    rejection = document["rejections"]["2602.00001"]
    assert rejection["model"] == "test-model" and rejection["prompt_version"] == 1
    assert any("CIFAR-10" in reason for reason in rejection["reasons"])
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("2602.00001" in w and "CIFAR-10" in w for w in warnings)
    assert not any(invented in w for w in warnings)  # the reasons, never the whole answer
    # Not asked again for the same model, prompt and text …
    model.calls.clear()
    again = to_json(app.handle(DailyRequest(day("2026-02-20")), ports(tmp_path, source, archive, model), SETTINGS))
    assert model.calls == [] and again["status"] == "unchanged"
    # … but a changed abstract asks again, and a faithful answer is published.
    source.days["2026-02-20"] = [item("2602.00001", 9, "2026-02-20", title="Widget",
                                      summary=abstract + " Widget is open source.")]
    model.answers["2602.00001"] = ["이 논문은 120개의 과제로 이루어진 새로운 벤치마크 Widget을 제시하며, 이를 오픈 소스로 공개합니다."]
    third = to_json(app.handle(DailyRequest(day("2026-02-20")), ports(tmp_path, source, archive, model), SETTINGS))
    assert model.calls == ["2602.00001"] and third["summaries_made"] == 1
    document = archive.document("daily/2026/02/2026-02-20.json")
    assert "rejections" not in document and set(document["summaries"]) == {"2602.00001"}


def test_a_changed_abstract_makes_a_kept_summary_again(tmp_path: Path, archive: MemoryArchive) -> None:
    source = MemorySource({"2026-02-20": [item("2602.00001", 9, "2026-02-20", summary="First abstract.")]})
    model = FakeModel()
    app.handle(DailyRequest(day("2026-02-20")), ports(tmp_path, source, archive, model), SETTINGS)
    model.calls.clear()
    app.handle(DailyRequest(day("2026-02-20")), ports(tmp_path, source, archive, model), SETTINGS)
    assert model.calls == []
    source.days["2026-02-20"] = [item("2602.00001", 9, "2026-02-20", summary="A corrected abstract.")]
    app.handle(DailyRequest(day("2026-02-20")), ports(tmp_path, source, archive, model), SETTINGS)
    assert model.calls == ["2602.00001"]


def test_archive_keys_are_zero_padded_whatever_the_year() -> None:
    assert archive_key(dt.date(999, 1, 5)) == "daily/0999/01/0999-01-05.json"
    assert archive_key(dt.date(1, 12, 31)) == "daily/0001/12/0001-12-31.json"


def test_the_folder_archive_keeps_an_unreadable_file_beside_its_replacement(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = FolderArchive(tmp_path / "archive", clock=lambda: dt.datetime(2026, 3, 1, 0, 15, tzinfo=dt.UTC))
    path = tmp_path / "archive" / "daily" / "2026" / "02" / "2026-02-19.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"{ a hand edit gone wrong")
    source = MemorySource({SEED: load_hf("seed-2026-02-19")})
    result = to_json(app.handle(DailyRequest(day(SEED)), Ports(source, folder, FolderPublisher(tmp_path / "blog")),
                                SETTINGS))
    assert result["archived"] is True and json.loads(path.read_bytes())["count"] == 8
    kept = path.with_name("2026-02-19.json.unreadable-20260301T001500Z")
    assert kept.read_bytes() == b"{ a hand edit gone wrong"
    assert any(str(kept) in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, kept.name]  # no temporary file left


def test_a_day_with_an_item_the_archive_cannot_keep_is_left_unchanged_by_a_rerun(
    tmp_path: Path, archive: MemoryArchive
) -> None:
    items = [item(f"2602.0000{n}", n, "2026-02-19") for n in range(5)]
    items[2]["numComments"] = float("nan")  # the paper is sound; its item cannot be archived as JSON
    source = MemorySource({"2026-02-19": items})
    first = to_json(app.handle(DailyRequest(day("2026-02-19")), ports(tmp_path, source, archive), SETTINGS))
    assert first["papers"] == 4 and "2602.00002" not in (tmp_path / "blog" / "_posts" / "2026-02-19-daily-papers.md"
                                                         ).read_text("utf-8")
    assert any("nan" in s for s in archive.document("daily/2026/02/2026-02-19.json")["skipped"])
    again = to_json(app.handle(DailyRequest(day("2026-02-19")), ports(tmp_path, source, archive), SETTINGS))
    assert again["status"] == "unchanged" and again["archived"] is False and len(archive.puts) == 1


def test_summaries_kept_before_they_were_keyed_still_show(tmp_path: Path, archive: MemoryArchive) -> None:
    """A summary archived by the first summaries release (no language, no source hash) still shows
    on a run that does not summarize: it summarised the paper it was kept beside."""
    source = MemorySource({"2026-02-20": [item("2602.00001", 9, "2026-02-20")]})
    app.handle(DailyRequest(day("2026-02-20")), ports(tmp_path, source, archive, FakeModel()), SETTINGS)
    key = "daily/2026/02/2026-02-20.json"
    document = archive.document(key)
    for kept in document["summaries"].values():
        del kept["language"], kept["source_hash"]
        kept["text"] = "이 논문은 예전 형식으로 보관된 요약이며 제목과 초록의 내용을 간단히 전합니다."
    archive.objects[key] = json.dumps(document).encode()
    result = to_json(app.handle(RangeRequest(day("2026-02-19"), day("2026-02-20")),
                                ports(tmp_path, source, archive, FakeModel()), SETTINGS))
    post = (tmp_path / "blog" / "_posts" / "2026-02-20-daily-papers.md").read_text("utf-8")
    assert "   - 요약: 이 논문은 예전 형식으로 보관된 요약이며" in post and result["days"][1]["status"] == "updated"


def test_an_answer_the_archive_already_holds_is_not_parsed_again(tmp_path: Path, archive: MemoryArchive) -> None:
    """The record keeps the answer's hash; when the source answers the same bytes, the day is the
    stored one (the source says so without parsing), and nothing is written."""
    saved = tmp_path / "hf"
    saved.mkdir()
    answer = (FIXTURES / "hf" / "seed-2026-02-19.json").read_bytes()
    (saved / f"{SEED}.json").write_bytes(answer)
    source = FolderSource(saved, lambda: dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    first = to_json(app.handle(DailyRequest(day(SEED)), Ports(source, archive, FolderPublisher(tmp_path / "blog")),
                               SETTINGS))
    key = "daily/2026/02/2026-02-19.json"
    assert first["status"] == "created"
    assert archive.document(key)["answer_sha256"] == hashlib.sha256(answer).hexdigest()
    assert source.fetch_day(day(SEED), hashlib.sha256(answer).hexdigest()) is None  # the same bytes: None
    again = to_json(app.handle(DailyRequest(day(SEED)), Ports(source, archive, FolderPublisher(tmp_path / "blog")),
                               SETTINGS))
    assert again["status"] == "unchanged" and again["archived"] is False and archive.puts == [key]
    # Upvotes grew: another answer, parsed, archived and published.
    items = json.loads(answer)
    items[0]["paper"]["upvotes"] += 100
    (saved / f"{SEED}.json").write_text(json.dumps(items))
    later = to_json(app.handle(DailyRequest(day(SEED)), Ports(source, archive, FolderPublisher(tmp_path / "blog")),
                               SETTINGS))
    assert later["status"] == "updated" and later["archived"] is True


def test_a_model_refused_for_good_is_not_asked_again_in_the_run_but_is_in_the_next(
    tmp_path: Path, archive: MemoryArchive, caplog: pytest.LogCaptureFixture
) -> None:
    days = {f"2026-02-{d:02d}": [item(f"2602.000{d:02d}", d, f"2026-02-{d:02d}")] for d in range(10, 17)}
    model = FakeModel(denied=True)
    request = RangeRequest(day("2026-02-10"), day("2026-02-16"), summarize=True)
    result = to_json(app.handle(request, ports(tmp_path, MemorySource(days), archive, model), Settings(
        fetch_concurrency=1)))
    assert len(model.calls) == 1  # one refusal stops the asking for the whole run, not one day
    assert result["counts"] == {"created": 7} and result["summaries_missing"] == 7
    assert sum("AccessDeniedException" in r.getMessage() for r in caplog.records) == 1
    model.calls.clear()
    app.handle(request, ports(tmp_path, MemorySource(days), archive, model), Settings(fetch_concurrency=1))
    assert len(model.calls) == 1  # the next run asks again (the access may have been granted since)
