"""REFRESH_DAYS: the scheduled run re-fetches the N days before the target day, same commit."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hf_daily_papers.hf import parse_day
from hf_daily_papers.models import rank
from hf_daily_papers.render import PostStyle, render_daily

from conftest import BUCKET, expected_post, make_item, s3_objects, s3_versions

SCHEDULED_0226 = {"source": "scheduler", "scheduled_time": "2026-02-26T00:15:00Z", "execution_id": "x"}  # → 02-25


@pytest.fixture(autouse=True)
def refresh_two_days(monkeypatch, hf, lambda_env):  # after lambda_env, which clears REFRESH_DAYS
    monkeypatch.setenv("REFRESH_DAYS", "2")
    monkeypatch.setenv("HF_MAX_RPS", "0")
    for date, base in (("2026-02-23", 230), ("2026-02-24", 240)):
        hf.days[date] = [make_item(f"2602.{date[-2:]}{i}", base - i * 10, date, title=f"Paper {i} of {date}",
                                   org="KAIST" if i == 0 else None) for i in range(4)]


def path(date: str) -> str:
    return f"_posts/{date}-daily-papers.md"


def key(date: str) -> str:
    return f"daily/2026/02/{date}.json"


def expected(date: str, items: list[dict]) -> str:
    day = parse_day(dt.date.fromisoformat(date), [items], dt.datetime.now(dt.UTC))
    return render_daily(day.date, rank(day.papers, 10), PostStyle(author="lim4349", permalink=False))  # as lambda_env


def test_first_scheduled_run_publishes_the_day_and_the_refreshed_days_in_one_commit(invoke, hf, github, aws):
    result = invoke(SCHEDULED_0226)

    assert result["date"] == "2026-02-25" and result["status"] == "created"
    assert [(d["date"], d["status"]) for d in result["refreshed"]] == [("2026-02-23", "created"), ("2026-02-24", "created")]
    history = github.history()
    assert len(history) == 2
    assert history[0]["message"] == "Daily Papers 2026-02-25 (refresh 2026-02-23..2026-02-24)"
    assert result["commit_sha"] == history[0]["sha"]
    files = github.files()
    assert files[path("2026-02-25")] == expected_post("2026-02-25")
    for date in ("2026-02-23", "2026-02-24"):
        assert files[path(date)] == expected(date, hf.days[date])
    assert sorted(hf.dates_requested) == ["2026-02-23", "2026-02-24", "2026-02-25"]
    assert sorted(s3_objects(aws)) == [key("2026-02-23"), key("2026-02-24"), key("2026-02-25")]


def test_grown_upvotes_are_re_archived_and_the_posts_updated_in_the_new_days_commit(invoke, hf, github, aws):
    invoke({"date": "2026-02-23"})
    invoke({"date": "2026-02-24"})
    assert len(github.history()) == 3
    hf.days["2026-02-23"][3]["paper"]["upvotes"] = 999  # the last paper of the 23rd took off
    github.reset_log()

    result = invoke(SCHEDULED_0226)

    assert result["status"] == "created"
    assert [(d["date"], d["status"], d["archived"]) for d in result["refreshed"]] == [
        ("2026-02-23", "updated", True), ("2026-02-24", "unchanged", False)
    ]
    history = github.history()
    assert len(history) == 4  # exactly one new commit
    assert history[0]["message"] == "Daily Papers 2026-02-25 (refresh 2026-02-23..2026-02-24)"
    tree = next(r for r in github.requests if r.method == "POST" and r.path.endswith("/git/trees")).json()
    assert sorted(entry["path"] for entry in tree["tree"]) == [path("2026-02-23"), path("2026-02-25")]
    assert len(github.writes) == 3
    post = github.files()[path("2026-02-23")]
    assert post == expected("2026-02-23", hf.days["2026-02-23"])
    assert "1. **Paper 3 of 2026-02-23** - 👍 999\n" in post
    # the versioned bucket keeps the older counts
    assert s3_versions(aws, key("2026-02-23")) == 2
    assert s3_versions(aws, key("2026-02-24")) == 1
    versions = aws.list_object_versions(Bucket=BUCKET, Prefix=key("2026-02-23"))["Versions"]
    upvotes = sorted(
        json.loads(aws.get_object(Bucket=BUCKET, Key=key("2026-02-23"), VersionId=v["VersionId"])["Body"].read())
        ["papers"][3]["paper"]["upvotes"] for v in versions
    )
    assert upvotes == [200, 999]


def test_nothing_changed_means_no_commit(invoke, github, aws):
    invoke(SCHEDULED_0226)
    github.reset_log()

    result = invoke(SCHEDULED_0226)

    assert result["status"] == "unchanged"
    assert [d["status"] for d in result["refreshed"]] == ["unchanged", "unchanged"]
    assert "commit_sha" not in result
    assert github.writes == [] and len(github.history()) == 2
    assert all(s3_versions(aws, key(d)) == 1 for d in ("2026-02-23", "2026-02-24", "2026-02-25"))


def test_manual_date_runs_do_not_refresh(invoke, hf, github):
    result = invoke({"date": "2026-02-25"})

    assert "refreshed" not in result
    assert hf.dates_requested == ["2026-02-25"]
    assert [p for p in github.files() if p.startswith("_posts/")] == [path("2026-02-25")]


def test_eventbridge_rule_refreshes_too_and_empty_days_are_fine(invoke, hf, github):
    event = {"detail-type": "Scheduled Event", "source": "aws.events", "time": "2026-02-24T00:15:00Z"}  # → 02-23

    result = invoke(event)  # refreshes the weekend 21st and 22nd: empty

    assert result["date"] == "2026-02-23" and result["status"] == "created"
    assert [(d["date"], d["status"]) for d in result["refreshed"]] == [("2026-02-21", "empty"), ("2026-02-22", "empty")]
    assert sorted(hf.dates_requested) == ["2026-02-21", "2026-02-22", "2026-02-23"]
    assert github.history()[0]["message"] == "Daily Papers 2026-02-23 (refresh 2026-02-21..2026-02-22)"


def test_refresh_days_zero_fetches_only_the_target_day(invoke, hf, monkeypatch):
    monkeypatch.setenv("REFRESH_DAYS", "0")

    result = invoke(SCHEDULED_0226)

    assert "refreshed" not in result
    assert hf.dates_requested == ["2026-02-25"]
