"""Backfill: any range of days in one commit, through the Lambda handler and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from test_cli import run_cli

from hf_daily_papers.daily import DaysFailed
from hf_daily_papers.errors import BadInput
from hf_daily_papers.hf import parse_day
from hf_daily_papers.models import rank
from hf_daily_papers.render import PostStyle, render_daily

from conftest import expected_post, load_event, make_item, s3_objects, s3_versions
from fakes.server import Fault, Reply

FEBRUARY = [f"2026-02-{d}" for d in range(16, 26)]  # events/range.json: the two seed days and 8 empty days
SEED_DAYS = ["2026-02-19", "2026-02-25"]


@pytest.fixture(autouse=True)
def unpaced(monkeypatch):
    """The fakes have no quota: no client-side pacing (HF_MAX_RPS=0) in these tests."""
    monkeypatch.setenv("HF_MAX_RPS", "0")


def post_path(date: str) -> str:
    return f"_posts/{date}-daily-papers.md"


def days(start: str, count: int) -> list[str]:
    first = dt.date.fromisoformat(start)
    return [(first + dt.timedelta(days=i)).isoformat() for i in range(count)]


def synthetic_day(date: str, n: int = 12) -> list[dict]:
    """n papers with distinct upvotes and an organization on every other one."""
    stem = date.replace("-", "")[2:6] + "." + date[-2:]
    return [
        make_item(f"{stem}{i:03d}", (i * 37) % 101, date, title=f"Paper {i} of {date}",
                  summary=f"Abstract {i} of {date}: *not* emphasis, <b>not</b> bold.", org="Lab" if i % 2 else None)
        for i in range(n)
    ]


def expected_daily(date: str, items: list[dict]) -> str:
    day = parse_day(dt.date.fromisoformat(date), [items], dt.datetime.now(dt.UTC))
    return render_daily(day.date, rank(day.papers, 10), PostStyle(author="lim4349", permalink=False))  # as lambda_env


def test_range_event_backfills_real_and_empty_days_in_one_commit(invoke, hf, github, aws):
    result = invoke(load_event("range.json"))

    assert [d["date"] for d in result["days"]] == FEBRUARY
    assert {d["date"]: d["status"] for d in result["days"]} == {
        d: "created" if d in SEED_DAYS else "empty" for d in FEBRUARY
    }
    assert result["counts"] == {"created": 2, "empty": 8}
    assert (result["start"], result["end"]) == ("2026-02-16", "2026-02-25")
    # one commit holding both posts, byte-identical to the seed posts
    history = github.history()
    assert len(history) == 2
    assert history[0]["message"] == "Daily Papers backfill 2026-02-16..2026-02-25"
    assert result["commit_sha"] == history[0]["sha"]
    files = github.files()
    for date in SEED_DAYS:
        assert files[post_path(date)] == expected_post(date)
    assert sorted(p for p in files if p.startswith("_posts/")) == [post_path(d) for d in SEED_DAYS]
    # every day asked for once, and archived: the empty ones as zero-paper records
    assert sorted(hf.dates_requested) == FEBRUARY
    objects = s3_objects(aws)
    assert sorted(objects) == [f"daily/2026/02/{d}.json" for d in FEBRUARY]
    assert [d for d in FEBRUARY if json.loads(objects[f"daily/2026/02/{d}.json"])["count"]] == SEED_DAYS
    # 5 GitHub requests: read ref, read tree, create tree, create commit, move ref
    assert [(r.method, r.path.rsplit("/git/", 1)[-1]) for r in github.requests] == [
        ("GET", "ref/heads/main"), ("GET", f"trees/{history[1]['sha']}"),
        ("POST", "trees"), ("POST", "commits"), ("PATCH", "refs/heads/main"),
    ]
    # the result stays small: no post text in it
    assert all("post" not in d for d in result["days"])


def test_github_request_count_does_not_grow_with_the_number_of_days(invoke, hf, github, aws):
    three, twelve = days("2026-01-01", 3), days("2026-01-04", 12)
    for date in three + twelve:
        hf.days[date] = synthetic_day(date)

    first = invoke({"start": three[0], "end": three[-1]})
    requests_for_three = [(r.method, r.path.rsplit("/git/", 1)[-1].split("/")[0]) for r in github.requests]
    github.reset_log()
    second = invoke({"start": twelve[0], "end": twelve[-1]})
    requests_for_twelve = [(r.method, r.path.rsplit("/git/", 1)[-1].split("/")[0]) for r in github.requests]

    assert first["counts"] == {"created": 3} and second["counts"] == {"created": 12}
    assert requests_for_three == requests_for_twelve == [
        ("GET", "ref"), ("GET", "trees"), ("POST", "trees"), ("POST", "commits"), ("PATCH", "refs")
    ]
    assert len(github.history()) == 3  # initial + one commit per backfill
    files = github.files()
    for date in three + twelve:
        assert files[post_path(date)] == expected_daily(date, hf.days[date])
    assert len(s3_objects(aws)) == 15


def test_rerun_of_the_same_range_makes_no_commit_and_writes_nothing(invoke, github, aws):
    invoke(load_event("range.json"))
    github.reset_log()

    again = invoke(load_event("range.json"))

    assert again["counts"] == {"unchanged": 2, "empty": 8}
    assert "commit_sha" not in again
    assert github.writes == []
    assert len(github.requests) == 2  # read ref, read tree
    assert len(github.history()) == 2
    for date in SEED_DAYS:
        assert s3_versions(aws, f"daily/2026/02/{date}.json") == 1


def test_unchanged_posts_are_not_rewritten(invoke, github):
    invoke({"date": "2026-02-19"})
    github.reset_log()

    result = invoke(load_event("range.json"))

    statuses = {d["date"]: d["status"] for d in result["days"]}
    assert statuses["2026-02-19"] == "unchanged" and statuses["2026-02-25"] == "created"
    tree = next(r for r in github.requests if r.method == "POST" and r.path.endswith("/git/trees")).json()
    assert [entry["path"] for entry in tree["tree"]] == [post_path("2026-02-25")]
    assert github.files()[post_path("2026-02-19")] == expected_post("2026-02-19")


def test_a_failing_day_keeps_the_others_names_itself_and_a_rerun_completes(invoke, hf, github, aws):
    hf.inject(Fault("GET", "/api/daily_papers", Reply(200, {"error": "upstream glitch"}), times=1,
                    when=lambda r: r.query.get("date") == ["2026-02-25"]))

    with pytest.raises(DaysFailed) as caught:
        invoke(load_event("range.json"))

    message = str(caught.value)
    assert message.startswith(
        "1 day(s) failed: 2026-02-25 (Hugging Face answered nonsense for daily papers of 2026-02-25 (page 0): "
        "expected a JSON array, got dict); the other days were published in commit "
    )
    assert message.endswith("Re-run the same dates to complete.")
    assert caught.value.failed[0].date.isoformat() == "2026-02-25"
    # the other days are archived (the empty ones as records) and the one with papers published
    assert sorted(s3_objects(aws)) == [f"daily/2026/02/{d}.json" for d in FEBRUARY if d != "2026-02-25"]
    files = github.files()
    assert files[post_path("2026-02-19")] == expected_post("2026-02-19")
    assert post_path("2026-02-25") not in files
    assert github.history()[0]["sha"] in message

    again = invoke(load_event("range.json"))

    assert again["counts"] == {"created": 1, "unchanged": 1, "empty": 8}
    assert github.files()[post_path("2026-02-25")] == expected_post("2026-02-25")
    assert len(github.history()) == 3
    assert s3_versions(aws, "daily/2026/02/2026-02-19.json") == 1  # not rewritten
    assert sorted(s3_objects(aws)) == [f"daily/2026/02/{d}.json" for d in FEBRUARY]


def test_dry_run_range_returns_the_posts_and_writes_nothing(invoke, github, aws):
    result = invoke({"start": "2026-02-19", "end": "2026-02-21", "dry_run": True})

    assert [(d["date"], d["status"]) for d in result["days"]] == [
        ("2026-02-19", "dry_run"), ("2026-02-20", "empty"), ("2026-02-21", "empty")
    ]
    assert result["days"][0]["post"] == expected_post("2026-02-19")
    assert github.requests == [] and s3_objects(aws) == {}


BAD_RANGES = [
    ({"start": "2026-02-10", "end": "2026-02-01"}, "end='2026-02-01': is before start 2026-02-10"),
    ({"start": "2025-01-01", "end": "2026-01-02"}, "end='2026-01-02': range 2025-01-01..2026-01-02 is longer than 366 days"),
    ({"start": "2026-02-01", "end": "2999-01-01"}, "end='2999-01-01': is in the future"),
    ({"start": "2999-01-01", "end": "2999-01-02"}, "start='2999-01-01': is in the future"),
    ({"start": "2026-02-01"}, "end is not set: expected a date as YYYY-MM-DD"),
    ({"end": "2026-02-01"}, "start is not set: expected a date as YYYY-MM-DD"),
    ({"start": "2026-02-30", "end": "2026-03-01"}, "start='2026-02-30': no such date"),
    ({"start": "2026-02-01", "end": "2026-02-02", "date": "2026-02-01"}, "date='2026-02-01': unexpected field"),
    ({"start": "2026-02-01", "end": "2026-02-02", "dry_run": "no"}, "dry_run='no': expected true or false"),
]


@pytest.mark.parametrize("event, message", BAD_RANGES, ids=[str(i) for i in range(len(BAD_RANGES))])
def test_bad_range_is_a_clear_error_before_any_work(invoke, hf, github, aws, event, message):
    with pytest.raises(BadInput) as caught:
        invoke(event)

    assert message in str(caught.value)
    assert hf.requests == [] and github.requests == [] and s3_objects(aws) == {}


def test_cli_backfill_shows_progress_on_stderr_and_writes_the_folder(tmp_path, hf):
    out = tmp_path / "out"
    proc = run_cli("backfill", "--start", "2026-02-16", "--end", "2026-02-25", "--author", "lim4349",
                   "--out", str(out), env={"HF_ENDPOINT": hf.url, "HF_MAX_RPS": "0"})

    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert re.fullmatch(r"\[###-{27}\]    1/10 2026-02-\d\d", lines[0]), lines
    assert re.fullmatch(r"\[#{30}\]   10/10 2026-02-\d\d", lines[-1]), lines
    assert len(lines) == 2  # not a terminal: first, every tenth and last day only
    result = json.loads(proc.stdout)
    assert result["counts"] == {"created": 2, "empty": 8}
    assert sorted(p.name for p in (out / "blog" / "_posts").iterdir()) == [
        "2026-02-19-daily-papers.md", "2026-02-25-daily-papers.md"
    ]
    for date in SEED_DAYS:
        assert (out / "blog" / post_path(date)).read_text("utf-8") == expected_post(date, permalink=True)  # the default
        assert json.loads((out / "archive" / "daily" / "2026" / "02" / f"{date}.json").read_text("utf-8"))["date"] == date


def test_cli_backfill_progress_can_be_turned_off(tmp_path, hf):
    proc = run_cli("backfill", "--start", "2026-02-18", "--end", "2026-02-19", "--no-progress",
                   "--out", str(tmp_path / "out"), env={"HF_ENDPOINT": hf.url, "HF_MAX_RPS": "0"})

    assert proc.returncode == 0 and proc.stderr == ""
    assert json.loads(proc.stdout)["counts"] == {"created": 1, "empty": 1}


def test_cli_backfill_failure_exits_1_naming_the_day(tmp_path, hf):
    hf.inject(Fault("GET", "/api/daily_papers", Reply(200, "<html>busy</html>"), times=1,
                    when=lambda r: r.query.get("date") == ["2026-02-19"]))

    proc = run_cli("backfill", "--start", "2026-02-18", "--end", "2026-02-20", "--no-progress",
                   "--out", str(tmp_path / "out"), env={"HF_ENDPOINT": hf.url, "HF_MAX_RPS": "0"})

    assert proc.returncode == 1
    assert "hf-daily-papers: failed: 1 day(s) failed: 2026-02-19 (Hugging Face answered nonsense" in proc.stderr


# -- pacing (HF_MAX_RPS) -------------------------------------------------------------------
@pytest.mark.parametrize("value, message", [
    ("fast", "HF_MAX_RPS='fast': expected 0 (no limit) or 0.1..100 requests per second"),
    ("-1", "HF_MAX_RPS='-1': expected 0 (no limit) or 0.1..100 requests per second"),
    ("nan", "HF_MAX_RPS='nan': expected 0 (no limit) or 0.1..100 requests per second"),
    ("0.0001", "HF_MAX_RPS='0.0001': expected 0 (no limit) or 0.1..100 requests per second"),
    ("1e-300", "HF_MAX_RPS='1e-300': expected 0 (no limit) or 0.1..100 requests per second"),
])
def test_invalid_hf_max_rps_names_itself(invoke, hf, monkeypatch, value, message):
    monkeypatch.setenv("HF_MAX_RPS", value)
    with pytest.raises(BadInput) as caught:
        invoke({"start": "2026-02-18", "end": "2026-02-19"})
    assert message in str(caught.value)
    assert hf.requests == []
