"""Fetching a day from the (fake) Daily Papers API: paging, duplicates, the day's papers only, bad answers."""

from __future__ import annotations

import json

import pytest

from hf_daily_papers.errors import UpstreamInvalid, UpstreamRejected

from conftest import make_item, s3_objects
from fakes.server import Fault, Reply


def test_more_than_100_papers_are_paged_deduplicated_and_ranked(invoke, hf, github, monkeypatch, aws):
    date = "2026-03-10"
    items = [make_item(f"2603.{i:05d}", 1000 - i, date) for i in range(230)]
    items.insert(150, make_item("2603.00003", 997, date))  # the API repeats a paper across pages
    hf.days[date] = items
    monkeypatch.setenv("TOP_N", "0")

    result = invoke({"date": date})

    assert [r.query["p"][0] for r in hf.requests] == ["0", "1", "2"]
    assert all(r.query["limit"] == ["100"] for r in hf.requests)
    assert result["papers"] == 230 and result["listed"] == 230
    post = github.files()[f"_posts/{date}-daily-papers.md"]
    assert post.count("/papers/2603.00003)") == 1
    assert "총 **230개**" in post
    assert "230. **Paper 2603.00229** - 👍 771\n" in post


def test_exactly_100_papers_cost_a_second_request_that_comes_back_empty(invoke, hf):
    date = "2026-03-11"
    hf.days[date] = [make_item(f"2603.{i:05d}", 500 - i, date) for i in range(100)]

    result = invoke({"date": date})

    assert [r.query["p"][0] for r in hf.requests] == ["0", "1"]
    assert result["papers"] == 100 and result["listed"] == 10


def test_equal_upvotes_keep_the_api_order(invoke, hf, github):
    date = "2026-03-12"
    hf.days[date] = [make_item("2603.00001", 5, date), make_item("2603.00002", 9, date),
                     make_item("2603.00003", 5, date), make_item("2603.00004", 9, date)]

    invoke({"date": date})

    post = github.files()[f"_posts/{date}-daily-papers.md"]
    order = [line.split("**")[1] for line in post.splitlines() if line[:1].isdigit()]
    assert order == ["Paper 2603.00002", "Paper 2603.00004", "Paper 2603.00001", "Paper 2603.00003"]


def test_papers_of_another_utc_day_are_left_out(invoke, hf, github):
    date = "2026-03-13"
    stray = make_item("2603.00009", 99, date)
    stray["paper"]["submittedOnDailyAt"] = "2026-03-12T23:59:00.000Z"
    hf.days[date] = [stray, make_item("2603.00001", 3, date)]

    result = invoke({"date": date})

    assert result["papers"] == 1
    assert "2603.00009" not in github.files()[f"_posts/{date}-daily-papers.md"]


def test_one_malformed_item_is_skipped_and_recorded_in_the_archive(invoke, hf, github, aws):
    date = "2026-03-14"
    bad = make_item("2603.00005", 7, date)
    bad["paper"]["upvotes"] = "7"
    hf.days[date] = [make_item(f"2603.{i:05d}", 10 - i, date) for i in range(4)] + [bad]

    result = invoke({"date": date})

    assert result["papers"] == 4
    archive = s3_objects(aws)[f"daily/2026/03/{date}.json"].decode()
    assert "2603.00005: paper.upvotes is '7'" in archive


@pytest.mark.parametrize(
    "body, message",
    [
        ("<html><body>Bad gateway</body></html>", "expected JSON, got text/html"),
        ({"error": "oops"}, "expected a JSON array, got dict"),
        ([{"paper": {"id": "x"}}, 5, {"nope": 1}], "malformed of 3"),
    ],
)
def test_malformed_answer_is_an_error_naming_the_date_and_the_problem(invoke, hf, github, aws, body, message):
    hf.inject(Fault("GET", "/api/daily_papers", Reply(200, body)))

    with pytest.raises(UpstreamInvalid) as caught:
        invoke({"date": "2026-02-25"})

    assert "daily papers of 2026-02-25" in str(caught.value) and message in str(caught.value)
    assert github.requests == [] and s3_objects(aws) == {}


def test_hf_400_is_permanent_and_not_retried(invoke, hf, github):
    hf.inject(Fault("GET", "/api/daily_papers", Reply(400, {"error": '"date" must be a valid date'})))

    with pytest.raises(UpstreamRejected, match=r"Hugging Face rejected daily papers of 2026-02-25 \(page 0\): HTTP 400"):
        invoke({"date": "2026-02-25"})

    assert len(hf.requests) == 1 and github.requests == []


def test_bad_records_of_any_kind_are_skipped_and_the_day_is_published(invoke, hf, github, aws, monkeypatch):
    """The answer as bytes: a 5,000-digit number, a lone surrogate (`\\ud800`), a path as id,
    an out-of-range date. Python's own JSON reader would fail the whole page on the number. And a
    sound paper whose item holds a `NaN` elsewhere: the archive cannot keep it (its encode fails),
    so it is left out of the archive and of the post alike, with its reason."""
    date = "2026-03-15"
    items = [make_item(f"2603.{i:05d}", 20 - i, date) for i in range(12)]  # 4 bad of 16: not > 25 %
    huge = make_item("2603.00090", 1, date)
    huge["paper"]["upvotes"] = "<HUGE>"
    surrogate = make_item("2603.00091", 1, date, title="A \ud800 title")
    path_id = make_item("../../etc/passwd", 1, date)
    overflow = make_item("2603.00092", 1, date)
    overflow["paper"]["submittedOnDailyAt"] = "9999-12-31T23:59:59-01:00"
    unkeepable = make_item("2603.00093", 99, date)
    unkeepable["numComments"] = float("nan")
    body = json.dumps([*items[:4], huge, surrogate, *items[4:], path_id, overflow, unkeepable])
    hf.inject(Fault("GET", "/api/daily_papers", Reply(200, body.replace('"<HUGE>"', "9" * 5000).encode(),
                                                      {"Content-Type": "application/json"})))
    monkeypatch.setenv("TOP_N", "0")

    result = invoke({"date": date})

    assert result["papers"] == 12
    post = github.files()[f"_posts/{date}-daily-papers.md"]
    assert "총 **12개**" in post and "passwd" not in post and "2603.00093" not in post
    archive = json.loads(s3_objects(aws)[f"daily/2026/03/{date}.json"])
    assert [p["paper"]["id"] for p in archive["papers"]] == [i["paper"]["id"] for i in items]
    skipped = archive["skipped"]
    assert len(skipped) == 5
    assert "5000 digits" in skipped[0] and "surrogate" in skipped[1]
    assert "paper.id is '../../etc/passwd'" in skipped[2] and "submittedOnDailyAt" in skipped[3]
    assert skipped[4] == "item 12: 2603.00093: item.numComments is nan, not a finite number"


def test_an_answer_with_only_other_days_papers_is_an_upstream_change_not_a_weekend(invoke, hf, github, aws):
    date = "2026-02-25"
    hf.days[date] = [make_item("2602.00001", 5, "2026-02-24"), make_item("2602.00002", 3, "2026-02-23")]

    with pytest.raises(UpstreamInvalid) as caught:
        invoke({"date": date})

    assert "expected papers of 2026-02-25, got only papers of 2026-02-24, 2026-02-23" in str(caught.value)
    assert github.requests == [] and s3_objects(aws) == {}
