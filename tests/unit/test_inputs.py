"""Request and settings parsing on their own (no sockets, no AWS): every event shape's fields, dates
at the edges of the calendar, and GitHub's naming rules for the repository and the branch."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import shutil
import subprocess

import pytest

from hf_daily_papers.errors import BadInput, SettingsError
from hf_daily_papers.inputs import (
    MAX_RANGE_DAYS,
    DailyRequest,
    DigestRequest,
    RangeRequest,
    date_range,
    monthly,
    parse_date,
    parse_event,
    parse_time,
    weekly,
)
from hf_daily_papers.settings import Settings

from testdata import load_event

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
TODAY = NOW.date()
ENVELOPE = {
    "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
    "source": "aws.events", "account": "123456789012", "time": "2026-02-26T00:15:00Z",
    "region": "ap-northeast-2", "resources": ["arn:aws:events:ap-northeast-2:123456789012:rule/x"], "detail": {},
}


# -- every event shape rejects what it does not read ---------------------------------------------

def test_the_eventbridge_envelope_alone_is_a_scheduled_daily_run():
    assert parse_event(ENVELOPE, NOW) == DailyRequest(dt.date(2026, 2, 25), scheduled=True)
    minimal = {"detail-type": "Scheduled Event", "time": "2026-02-26T00:15:00Z"}
    assert parse_event(minimal, NOW) == DailyRequest(dt.date(2026, 2, 25), scheduled=True)


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"dry_run": True}, "dry_run=True: unexpected field"),
        ({"date": "2026-02-01"}, "date='2026-02-01': unexpected field"),
        ({"start": "2026-02-01", "end": "2026-02-02"}, "start='2026-02-01': unexpected field"),
        ({"digest": "monthly"}, "digest='monthly': unexpected field"),
        ({"detail": {"dry_run": True}}, "detail={'dry_run': True}: expected {}"),
        ({"detail": None}, "detail is not set: expected {}"),
        ({"detail-type": "Object Created"}, "detail-type='Object Created': expected 'Scheduled Event'"),
        ({"source": "scheduler"}, "source='scheduler': expected 'aws.events'"),
    ],
)
def test_an_eventbridge_event_carrying_anything_else_is_refused(extra, message):
    with pytest.raises(BadInput) as caught:
        parse_event({**ENVELOPE, **extra}, NOW)
    assert message in str(caught.value)


SHAPES = {
    "scheduler": {"source": "scheduler", "scheduled_time": "2026-02-20T00:15:00Z", "execution_id": "x"},
    "scheduler digest": {"source": "scheduler", "digest": "monthly", "scheduled_time": "2026-02-01T00:00:00Z"},
    "manual date": {"date": "2026-02-25", "dry_run": True},
    "range": {"start": "2026-02-16", "end": "2026-02-25", "dry_run": False, "summarize": True},
    "monthly": {"digest": "monthly", "month": "2026-01", "dry_run": True},
    "weekly": {"digest": "weekly", "week": "2026-W02", "dry_run": True},
    "eventbridge": ENVELOPE,
}
# A field each shape does not read, and that a caller could plausibly send by mistake.
FOREIGN = ["dry_run", "date", "start", "end", "month", "week", "summarize", "force", "Date", "dry-run", "time",
           "scheduled_time", "detail", "resources"]


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_shape_accepts_its_own_fields_and_refuses_any_other(shape):
    event = SHAPES[shape]
    parse_event(event, NOW)  # as given: valid
    refused = 0
    for name in FOREIGN:
        if name in event:
            continue
        candidate = {**event, name: event.get(name, "2026-02-01")}
        try:
            request = parse_event(candidate, NOW)
        except BadInput as exc:
            refused += 1
            # Named: the added field, or (when it changes the shape, e.g. `start` beside `date`)
            # a field the new shape does not read.
            assert exc.field in candidate and "unexpected field" in str(exc), (shape, name, str(exc))
        else:  # pragma: no cover - the assertion is the point
            pytest.fail(f"{shape} + {name!r} was accepted as {request!r}")
    assert refused > 0


def test_a_range_event_takes_summarize_and_nothing_else_does():
    assert parse_event(SHAPES["range"], NOW) == RangeRequest(dt.date(2026, 2, 16), dt.date(2026, 2, 25), summarize=True)
    assert parse_event({"start": "2026-02-16", "end": "2026-02-25"}, NOW).summarize is False
    with pytest.raises(BadInput, match=r"^summarize='yes': expected true or false"):
        parse_event({"start": "2026-02-16", "end": "2026-02-25", "summarize": "yes"}, NOW)
    for shape in ("manual date", "monthly", "weekly", "scheduler"):
        with pytest.raises(BadInput, match=r"^summarize=True: unexpected field"):
            parse_event({**SHAPES[shape], "summarize": True}, NOW)


def test_the_lambda_range_is_capped_and_the_cli_range_is_not():
    assert len(date_range("2025-01-01", "2026-01-01", TODAY).dates) == MAX_RANGE_DAYS == 366
    with pytest.raises(BadInput, match="longer than 366 days"):
        date_range("2025-01-01", "2026-01-02", TODAY)
    # The whole history (the API starts on 2023-05-04) and earlier days (just empty) in one range.
    everything = date_range("2023-05-04", "2026-11-21", TODAY, max_days=None)
    assert everything.dates[0] == dt.date(2023, 5, 4) and len(everything.dates) == 1298
    earliest = date_range("0001-01-01", "2026-11-21", TODAY, max_days=None)
    assert (earliest.end - earliest.start).days + 1 == 739_941  # any range, down to year 1


def test_cli_field_names_appear_in_the_errors():
    with pytest.raises(BadInput, match=r"^--end='2026-02-01': is before --start 2026-02-10$"):
        date_range("2026-02-10", "2026-02-01", TODAY, fields=("--start", "--end"))
    with pytest.raises(BadInput, match=r"^--month='2026-13': month 13 is out of range \(01\.\.12\)$"):
        monthly("2026-13", TODAY, field="--month")
    with pytest.raises(BadInput, match=r"^--month='2026-00': month 00 is out of range \(01\.\.12\)$"):
        monthly("2026-00", TODAY, field="--month")
    with pytest.raises(BadInput, match=r"^--week='2026-W54': no such ISO week"):
        weekly("2026-W54", TODAY, field="--week")


# -- dates at the edges of the calendar ----------------------------------------------------------

@pytest.mark.parametrize(
    "event, message",
    [
        ({"source": "scheduler", "scheduled_time": "0001-01-01T00:00:00Z"},
         "scheduled_time='0001-01-01T00:00:00Z': out of range: no day before it"),
        ({"detail-type": "Scheduled Event", "time": "0001-01-01T00:00:00Z"},
         "time='0001-01-01T00:00:00Z': out of range: no day before it"),
        ({"source": "scheduler", "scheduled_time": "0001-01-01T00:00:00+01:00"},
         "scheduled_time='0001-01-01T00:00:00+01:00': out of range (years 1..9999 in UTC)"),
        ({"source": "scheduler", "scheduled_time": "9999-12-31T23:59:59-23:59"},
         "scheduled_time='9999-12-31T23:59:59-23:59': out of range (years 1..9999 in UTC)"),
        ({"source": "scheduler", "scheduled_time": "9999-12-31T23:59:59Z"},
         "scheduled_time='9999-12-31T23:59:59Z': is in the future"),
        ({"source": "scheduler", "scheduled_time": "10000-01-01T00:00:00Z"},
         "scheduled_time='10000-01-01T00:00:00Z': expected an ISO 8601 timestamp"),
        ({"source": "scheduler", "digest": "monthly", "scheduled_time": "0001-01-01T00:00:00Z"},
         "scheduled_time='0001-01-01T00:00:00+00:00': out of range: no day before it"),
        ({"digest": "monthly", "month": "0000-01"}, "month='0000-01': no such month"),
        ({"digest": "monthly", "month": "10000-01"}, "month='10000-01': expected a month as YYYY-MM"),
        ({"digest": "monthly", "month": "9999-12"}, "month='9999-12': is in the future"),
        ({"digest": "weekly", "week": "0000-W01"}, "week='0000-W01': no such ISO week"),
        ({"digest": "weekly", "week": "9999-W52"}, "week='9999-W52': no such ISO week"),
        ({"date": "0000-12-31"}, "date='0000-12-31': no such date"),
        ({"date": "10000-01-01"}, "date='10000-01-01': expected a date as YYYY-MM-DD"),
        ({"date": "2026-02-25\n"}, "date='2026-02-25\\n': expected a date as YYYY-MM-DD"),
        ({"date": "٢٠٢٦-٠٢-٢٥"}, "expected a date as YYYY-MM-DD"),
        ({"start": "0000-01-01", "end": "2026-01-01"}, "start='0000-01-01': no such date"),
    ],
)
def test_dates_past_the_calendar_are_bad_input_naming_the_field(event, message):
    with pytest.raises(BadInput) as caught:
        parse_event(event, NOW)
    assert message in str(caught.value)


def test_the_first_days_of_the_calendar_are_still_dates():
    # 0001-01-01 is a Monday (proleptic Gregorian): 0001-W01 starts on it, nothing before year 1.
    assert weekly("0001-W01", TODAY) == DigestRequest("weekly", dt.date(1, 1, 1), dt.date(1, 1, 7))
    assert monthly("0001-01", TODAY).label == "0001-01"
    assert weekly("0001-W01", TODAY).label == "0001-W01"
    assert parse_event({"source": "scheduler", "scheduled_time": "0001-01-02T00:00:00Z"}, NOW).date == dt.date(1, 1, 1)


EXTREMES: list[object] = [
    "0001-01-01", "0000-01-01", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+23:59", "0001-01-02T00:00:00+23:59",
    "9999-12-31", "9999-12-31T23:59:59-23:59", "9999-12-31T23:59:59.999999+00:00", "10000-01-01",
    "10000-01-01T00:00:00Z", "99999-12-31T00:00:00Z", "0000-01", "0001-01", "9999-12", "10000-01", "0001-W01",
    "0000-W01", "9999-W52", "9999-W53", "2026-W53", "2026-W00", "2020-W53", "2026-00", "2026-13", "2026-02-29",
    "2024-02-29", "2026-02-25T24:00:00Z", "2026-02-25T00:15:00+24:00", "2026-02-25T00:15:00-25:00", "+2026-02-25",
    "-0001-01-01", "2026-02-25 ", " 2026-02-25", "2026-02-25\n", "２０２６-02-25", "\ud800", "", "x" * 5000,
    None, True, 0, -1, 10**40, 1e308, float("nan"), [], {}, ["2026-02-25"], {"date": "2026-02-25"},
]
CLOCKS = [NOW, dt.datetime(1, 1, 2, tzinfo=UTC), dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)]


def _events(value: object) -> list[dict[str, object]]:
    return [
        {"date": value}, {"date": "2026-02-25", "dry_run": value}, {"start": value, "end": value},
        {"start": "2026-01-01", "end": value}, {"start": value, "end": "2026-01-01"},
        {"start": "2026-01-01", "end": "2026-01-02", "summarize": value},
        {"digest": "monthly", "month": value}, {"digest": "weekly", "week": value}, {"digest": value},
        {"source": "scheduler", "scheduled_time": value},
        {"source": "scheduler", "scheduled_time": value, "digest": "monthly"},
        {"source": "scheduler", "scheduled_time": value, "digest": "weekly"},
        {"source": "scheduler", "scheduled_time": "2026-02-20T00:15:00Z", "digest": value},
        {**ENVELOPE, "time": value}, {**ENVELOPE, "detail": value}, {**ENVELOPE, "detail-type": value},
    ]


def _only_bad_input(call: object, *args: object, **kwargs: object) -> None:
    try:
        call(*args, **kwargs)  # type: ignore[operator]
    except BadInput as exc:
        assert str(exc) and exc.field, exc  # a message naming a field
    # Any other exception (OverflowError, ValueError, TypeError, ...) fails the test.


def test_no_extreme_value_escapes_as_anything_but_bad_input():
    for now, value in itertools.product(CLOCKS, EXTREMES):
        today = now.date()
        for event in _events(value):
            _only_bad_input(parse_event, event, now)
        _only_bad_input(parse_date, "--date", value, today)
        _only_bad_input(parse_time, "time", value, now)
        _only_bad_input(monthly, value, today, field="--month")
        _only_bad_input(weekly, value, today, field="--week")
        _only_bad_input(date_range, value, "2026-01-01", today, max_days=None, fields=("--start", "--end"))
        _only_bad_input(date_range, "0001-01-01", value, today, max_days=None, fields=("--start", "--end"))


def test_random_date_like_strings_raise_only_bad_input():
    rng = random.Random(20261122)
    alphabet = "0123456789---::WTZ+.  \n"
    templates = ["{}-{}-{}", "{}-W{}", "{}-{}", "{}-{}-{}T{}:{}:{}Z", "{}-{}-{}T{}:{}:{}+{}:{}"]
    for _ in range(500):
        if rng.random() < 0.5:
            parts = [str(rng.choice([0, 1, 9, 10, 12, 13, 23, 24, 31, 52, 53, 59, 60, 99, 9999, 10000, 0o777]))
                     .zfill(rng.choice([1, 2, 4])) for _ in range(8)]
            value = rng.choice(templates).format(*parts)
        else:
            value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        now = rng.choice(CLOCKS)
        for event in _events(value):
            _only_bad_input(parse_event, event, now)
        _only_bad_input(monthly, value, now.date())
        _only_bad_input(weekly, value, now.date())


# -- GitHub's names ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "repository",
    ["../x", "owner/..", "owner/.", "a/.", "./x", "../..", "x", "/x", "x/", "a/b/c", "-owner/x", "owner-/x",
     "o_wner/x", "own.er/x", "own er/x", "a" * 40 + "/x", "o/" + "r" * 101, "owner/re po", "owner/répo",
     "owner/x\n", "owner/x%2F..", "owner/x?y", "owner/x#y", ""],
)
def test_a_repository_that_is_not_owner_slash_name_by_githubs_rules_is_refused(repository):
    with pytest.raises(SettingsError) as caught:
        Settings(github_repository=repository).validate()
    assert caught.value.field == "BLOG_REPOSITORY" and caught.value.value == repository
    assert str(caught.value).startswith(f"BLOG_REPOSITORY={repository!r}"[:60])


@pytest.mark.parametrize(
    "repository", ["lim4349/lim4349.github.io", "a/b", "a-b/c.d_e-f", "A" * 39 + "/" + "r" * 100, "o/.github", "o/..x"]
)
def test_real_repository_names_are_accepted(repository):
    Settings(github_repository=repository).validate()


BAD_BRANCHES = ["x.lock", "a/b.lock", "HEAD", "@", "-x", "--force", "main..x", "a/../b", "a/.", "a/.b", ".a",
                "a/", "/a", "a//b", "a.", "a@{1}", "a b", "a\tb", "a~1", "a^", "a:b", "a?", "a*", "a[b", "a\\b",
                "a\x7f", "a\x00b", ""]
GOOD_BRANCHES = ["main", "gh-pages", "feature/x", "a.b", "a@b", "v1.0", "release/2026-02", "ü", "a-", "x.lockx",
                 "a/b.c"]


@pytest.mark.parametrize("branch", BAD_BRANCHES)
def test_a_branch_git_would_refuse_is_refused(branch):
    with pytest.raises(SettingsError) as caught:
        Settings(github_branch=branch).validate()
    assert str(caught.value).startswith(f"BLOG_BRANCH={branch!r}: not a valid branch name")


@pytest.mark.parametrize("branch", GOOD_BRANCHES)
def test_a_branch_git_accepts_is_accepted(branch):
    Settings(github_branch=branch).validate()


def _git_accepts(branches: list[str]) -> dict[str, bool]:
    """`git check-ref-format` on refs/heads/<branch> for each (one shell, not one Python subprocess
    each), and what git refuses as a branch name."""
    asked = [b for b in branches if not (b.startswith("-") or b in ("HEAD", "@") or "\x00" in b)]  # @ is HEAD
    script = 'for b; do if git check-ref-format "refs/heads/$b"; then echo 1; else echo 0; fi; done'
    answers = subprocess.run(["sh", "-c", script, "sh", *asked], capture_output=True, text=True).stdout.split()
    accepted = dict(zip(asked, (a == "1" for a in answers), strict=True))
    return {b: accepted.get(b, False) for b in branches}


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_branch_rules_agree_with_git_check_ref_format():
    rng = random.Random(4349)
    alphabet = ["a", "b", ".", "/", "@", "{", "-", "~", "^", ":", "?", "*", "[", "\\", " ", "\x01", "\x7f", ".lock",
                "ü", "HEAD"]
    candidates = set(BAD_BRANCHES + GOOD_BRANCHES) - {""}
    while len(candidates) < 160:
        candidates.add("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))))
    git = _git_accepts(sorted(candidates))
    disagreements = []
    for branch in sorted(candidates):
        try:
            Settings(github_branch=branch).validate()
            ours = True
        except SettingsError:
            ours = False
        if ours != git[branch]:
            disagreements.append((branch, ours))
    assert disagreements == []


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("BLOG_REPOSITORY", "owner/..", "BLOG_REPOSITORY='owner/..': name '..' is not a GitHub repository name"),
        ("BLOG_REPOSITORY", "nope", "BLOG_REPOSITORY='nope': expected owner/name"),
        ("BLOG_BRANCH", "a..b", "BLOG_BRANCH='a..b': not a valid branch name: contains '..'"),
        ("BLOG_API_URL", "ftp://x", "BLOG_API_URL='ftp://x': expected an http(s) URL without query"),
        ("BLOG_REPOSITORY", "../x", "BLOG_REPOSITORY='../x': owner '..' is not a GitHub account name"),
        ("BLOG_BRANCH", "x.lock", "BLOG_BRANCH='x.lock': not a valid branch name: component 'x.lock' ends with '.lock'"),
        ("BLOG_BRANCH", "HEAD", "BLOG_BRANCH='HEAD': not a valid branch name: 'HEAD' is reserved"),
        ("BLOG_BRANCH", "-x", "BLOG_BRANCH='-x': not a valid branch name: starts with '-'"),
        ("SUMMARY_MODEL", "anthropic.claude v2", "SUMMARY_MODEL='anthropic.claude v2': expected a Bedrock model id"),
        ("SUMMARY_LANGUAGE", "fr", "SUMMARY_LANGUAGE='fr': expected one of ko, en, ja, zh"),
        ("SUMMARY_LANGUAGE", "KO", "SUMMARY_LANGUAGE='KO': expected one of ko, en, ja, zh"),
    ],
)
def test_settings_from_the_environment_name_the_variable(name, value, message):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({name: value})
    assert str(caught.value) == message or str(caught.value).startswith(message)


@pytest.mark.parametrize(
    "model",
    ["anthropic.claude-3-5-haiku-20241022-v1:0", "us.anthropic.claude-3-5-haiku-20241022-v1:0",
     "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
     "arn:aws:bedrock:ap-northeast-2::foundation-model/amazon.nova-lite-v1:0"],
)
def test_bedrock_model_ids_and_arns_are_accepted(model):
    assert Settings.from_env({"SUMMARY_MODEL": model}).summary_model == model


@pytest.mark.parametrize("language", ["ko", "en", "ja", "zh"])
def test_the_summary_language_is_one_of_four_and_korean_by_default(language):
    assert Settings.from_env({"SUMMARY_LANGUAGE": language}).summary_language == language
    assert Settings.from_env({}).summary_language == "ko"


def test_the_range_event_file_is_the_two_seed_days_and_the_days_between():
    request = parse_event(load_event("range.json"), dt.datetime(2026, 11, 22, tzinfo=dt.UTC))
    assert [d.isoformat() for d in request.dates] == [f"2026-02-{d}" for d in range(16, 26)]
