"""Every event shape the function accepts, and every kind of bad event: a clear error, nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from hf_daily_papers.errors import BadInput
from hf_daily_papers.inputs import DailyRequest, RangeRequest, parse_event

from conftest import load_event, s3_objects

NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "file, date, dry_run, scheduled",
    [
        ("manual-date.json", "2026-02-25", False, False),
        ("dry-run.json", "2026-08-21", True, False),
        ("scheduler.json", "2026-02-19", False, True),
        ("eventbridge-rule.json", "2026-02-25", False, True),
    ],
)
def test_event_files_parse_to_a_daily_request(file, date, dry_run, scheduled):
    request = parse_event(load_event(file), NOW)
    assert request == DailyRequest(dt.date.fromisoformat(date), dry_run=dry_run, scheduled=scheduled)


def test_scheduler_at_0015_utc_means_the_previous_utc_day():
    event = {"source": "scheduler", "scheduled_time": "2026-11-22T00:15:00Z"}
    assert parse_event(event, NOW).date == dt.date(2026, 11, 21)
    # 09:15 in Seoul written with its offset is the same instant
    event = {"source": "scheduler", "scheduled_time": "2026-11-22T09:15:00+09:00"}
    assert parse_event(event, NOW).date == dt.date(2026, 11, 21)


RULE_EVENT = load_event("eventbridge-rule.json")

BAD_EVENTS = [
    (["2026-02-25"], "event=['2026-02-25']: expected a JSON object"),
    ("2026-02-25", "event='2026-02-25': expected a JSON object"),
    ({}, "event={}: unknown shape"),
    ({"foo": 1}, "event={'foo': 1}: unknown shape"),
    ({"date": 20260225}, "date=20260225: expected a date as YYYY-MM-DD"),
    ({"date": None}, "date is not set: expected a date as YYYY-MM-DD"),
    ({"date": "2026-2-25"}, "date='2026-2-25': expected a date as YYYY-MM-DD"),
    ({"date": "25/02/2026"}, "date='25/02/2026': expected a date as YYYY-MM-DD"),
    ({"date": "2026-02-30"}, "date='2026-02-30': no such date"),
    ({"date": "2026-13-01"}, "date='2026-13-01': no such date"),
    ({"date": "2999-01-01"}, "date='2999-01-01': is in the future"),
    ({"date": "2026-02-25", "dry_run": "yes"}, "dry_run='yes': expected true or false"),
    ({"date": "2026-02-25", "dry_run": 1}, "dry_run=1: expected true or false"),
    ({"date": "2026-02-25", "force": True}, "force=True: unexpected field"),
    ({"source": "scheduler"}, "scheduled_time is not set: expected an ISO 8601 timestamp"),
    ({"source": "scheduler", "scheduled_time": "yesterday"}, "scheduled_time='yesterday': expected an ISO 8601"),
    ({"source": "scheduler", "scheduled_time": "2026-02-20T00:15:00"}, "scheduled_time='2026-02-20T00:15:00': timestamp has no time zone"),
    ({"source": "scheduler", "scheduled_time": "2999-01-01T00:15:00Z"}, "scheduled_time='2999-01-01T00:15:00Z': is in the future"),
    ({"source": "scheduler", "scheduled_time": "2026-02-20T00:15:00Z", "date": "2026-02-01"}, "date='2026-02-01': unexpected field"),
    ({"detail-type": "Scheduled Event", "time": 5}, "time=5: expected an ISO 8601 timestamp"),
    ({"detail-type": "Scheduled Event"}, "time is not set: expected an ISO 8601 timestamp"),
    # Every shape refuses what it does not read: a dry run asked of a rule event must not publish.
    ({**RULE_EVENT, "dry_run": True}, "dry_run=True: unexpected field"),
    ({**RULE_EVENT, "date": "2026-02-01"}, "date='2026-02-01': unexpected field"),
    ({**RULE_EVENT, "detail": {"dry_run": True}}, "detail={'dry_run': True}: expected {} in a Scheduled Event"),
    ({**RULE_EVENT, "detail-type": "Object Created"}, "detail-type='Object Created': expected 'Scheduled Event'"),
    ({"source": "scheduler", "scheduled_time": "2026-02-20T00:15:00Z", "dry_run": True}, "dry_run=True: unexpected field"),
    ({"source": "scheduler", "digest": "monthly", "scheduled_time": "2026-02-01T00:00:00Z", "month": "2026-01"},
     "month='2026-01': unexpected field"),
    ({"start": "2026-02-16", "end": "2026-02-25", "date": "2026-02-01"}, "date='2026-02-01': unexpected field"),
    ({"start": "2026-02-16", "end": "2026-02-25", "summarize": "yes"}, "summarize='yes': expected true or false"),
    ({"date": "2026-02-25", "summarize": True}, "summarize=True: unexpected field"),
    ({"digest": "monthly", "month": "2026-01", "week": "2026-W02"}, "week='2026-W02': unexpected field"),
    ({"digest": "weekly", "week": "2026-W02", "summarize": True}, "summarize=True: unexpected field"),
    # Dates past the calendar's edges are bad input naming the field, not an OverflowError.
    ({"source": "scheduler", "scheduled_time": "0001-01-01T00:00:00Z"}, "scheduled_time='0001-01-01T00:00:00Z': out of range"),
    ({**RULE_EVENT, "time": "9999-12-31T23:59:59-23:59"}, "time='9999-12-31T23:59:59-23:59': out of range"),
    ({"digest": "monthly", "month": "0000-01"}, "month='0000-01': no such month"),
    ({"digest": "weekly", "week": "9999-W52"}, "week='9999-W52': no such ISO week"),
    ({"start": "2025-01-01", "end": "2026-01-02"}, "end='2026-01-02': range 2025-01-01..2026-01-02 is longer than 366 days"),
]


@pytest.mark.parametrize("event, message", BAD_EVENTS, ids=[str(i) for i in range(len(BAD_EVENTS))])
def test_bad_event_raises_a_clear_error_and_writes_nothing(invoke, github, hf, aws, event, message):
    with pytest.raises(BadInput) as caught:
        invoke(event)

    assert message in str(caught.value)
    assert hf.requests == [] and github.requests == []
    assert s3_objects(aws) == {}


def test_bad_settings_fail_fast_naming_the_setting(invoke, github, hf, aws, monkeypatch):
    monkeypatch.setenv("BLOG_REPOSITORY", "not-a-repo")
    with pytest.raises(BadInput, match=r"BLOG_REPOSITORY='not-a-repo': expected owner/name"):
        invoke({"date": "2026-02-25"})
    assert hf.requests == [] and github.requests == [] and s3_objects(aws) == {}


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("BLOG_REPOSITORY", "../x", "BLOG_REPOSITORY='../x': owner '..' is not a GitHub account name"),
        ("BLOG_REPOSITORY", "owner/..", "BLOG_REPOSITORY='owner/..': name '..' is not a GitHub repository name"),
        ("BLOG_REPOSITORY", "a/.", "BLOG_REPOSITORY='a/.': name '.' is not a GitHub repository name"),
        ("BLOG_BRANCH", "x.lock", "BLOG_BRANCH='x.lock': not a valid branch name"),
        ("BLOG_BRANCH", "HEAD", "BLOG_BRANCH='HEAD': not a valid branch name"),
        ("BLOG_BRANCH", "-x", "BLOG_BRANCH='-x': not a valid branch name"),
        ("BLOG_BRANCH", "a/.hidden", "BLOG_BRANCH='a/.hidden': not a valid branch name"),
        ("TOP_N", "ten", "TOP_N='ten': expected a whole number"),
        ("TOP_N", "-1", "TOP_N='-1': expected 0..1000"),
        ("HF_ENDPOINT", "ftp://x", "HF_ENDPOINT='ftp://x': expected an http(s) URL"),
        ("BUCKET_NAME", "Bad_Bucket", "BUCKET_NAME='Bad_Bucket': not a valid S3 bucket name"),
        ("BLOG_BRANCH", "main..x", "BLOG_BRANCH='main..x': not a valid branch name"),
        ("REFRESH_DAYS", "99", "REFRESH_DAYS='99': expected 0..31"),
    ],
)
def test_invalid_setting_names_itself(invoke, hf, github, aws, monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(BadInput) as caught:
        invoke({"date": "2026-02-25"})
    assert message in str(caught.value)
    assert hf.requests == [] and github.requests == [] and s3_objects(aws) == {}


def test_a_range_event_may_ask_for_summaries():
    event = {"start": "2026-02-16", "end": "2026-02-25", "summarize": True}
    assert parse_event(event, NOW) == RangeRequest(dt.date(2026, 2, 16), dt.date(2026, 2, 25), summarize=True)
    assert parse_event(load_event("range.json"), NOW).summarize is False


@pytest.mark.parametrize("missing", ["BUCKET_NAME", "BLOG_REPOSITORY", "BLOG_TOKEN_SECRET"])
def test_missing_required_setting_names_itself(invoke, hf, monkeypatch, missing):
    monkeypatch.delenv(missing)
    with pytest.raises(BadInput, match=f"^{missing} is not set: required"):
        invoke({"date": "2026-02-25"})
    assert hf.requests == []
