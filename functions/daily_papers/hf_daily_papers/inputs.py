"""What a run is asked to do, parsed from a Lambda event or CLI arguments.

Every violation raises `BadInput` naming the field and the value, before anything is done: an
unknown field in any event shape, a wrong type, an impossible, future or out-of-range date. No
other exception escapes from here (dates near year 1 or 9999 are `BadInput`, not `OverflowError`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import BadInput

#: The Lambda's cap on a range (a year fits its 15 minutes); the CLI passes `max_days=None`.
MAX_RANGE_DAYS = 366
# ASCII digits only (`\d` would take other scripts' digits); fullmatch: no trailing newline.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")
_CLOCK_SKEW = dt.timedelta(minutes=5)
_TIMESTAMP = "expected an ISO 8601 timestamp such as 2026-02-20T00:15:00Z"

#: The keys of an EventBridge event (the envelope of a rule's "Scheduled Event"); nothing else.
EVENTBRIDGE_KEYS = frozenset(
    {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
)


@dataclass(frozen=True)
class DailyRequest:
    date: dt.date
    dry_run: bool = False
    scheduled: bool = False  # scheduled runs also refresh the REFRESH_DAYS before `date`


@dataclass(frozen=True)
class RangeRequest:
    start: dt.date
    end: dt.date
    dry_run: bool = False
    summarize: bool = False  # a backfill asks the model for summaries only when asked to

    @property
    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class DigestRequest:
    kind: str  # monthly | weekly
    start: dt.date  # first day of the month, or the ISO week's Monday
    end: dt.date  # last day (inclusive)
    dry_run: bool = False

    @property
    def label(self) -> str:
        if self.kind == "monthly":
            return f"{self.start.year:04d}-{self.start.month:02d}"  # %Y is not zero-padded below 1000
        year, week, _ = self.start.isocalendar()
        return f"{year:04d}-W{week:02d}"

    @property
    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


Request = DailyRequest | RangeRequest | DigestRequest


def last_closed_day(moment: dt.datetime) -> dt.date:
    """The UTC day before `moment`: the newest Daily Papers list that has stopped filling."""
    return moment.astimezone(dt.UTC).date() - dt.timedelta(days=1)


def parse_event(event: Any, now: dt.datetime) -> Request:
    """A Lambda event → a request. `now` is an aware UTC datetime."""
    if not isinstance(event, Mapping):
        raise BadInput("event", event, "expected a JSON object")
    today = now.astimezone(dt.UTC).date()
    if "detail-type" in event:  # an EventBridge rule's event
        return _eventbridge(event, now)
    if event.get("source") == "scheduler":  # EventBridge Scheduler (ScheduleV2) Input
        _only(event, {"source", "scheduled_time", "execution_id", "digest"})
        when = parse_time("scheduled_time", event.get("scheduled_time"), now)
        if "digest" in event:
            return _scheduled_digest(event["digest"], when)
        return DailyRequest(_closed_day("scheduled_time", event["scheduled_time"], when), scheduled=True)
    if "digest" in event:
        kind = event["digest"]
        if kind == "monthly":
            _only(event, {"digest", "month", "dry_run"})
            return monthly(event.get("month"), today, dry_run=_dry_run(event))
        if kind == "weekly":
            _only(event, {"digest", "week", "dry_run"})
            return weekly(event.get("week"), today, dry_run=_dry_run(event))
        raise BadInput("digest", kind, "expected 'monthly' or 'weekly'")
    if "start" in event or "end" in event:
        _only(event, {"start", "end", "dry_run", "summarize"})
        summarize = _bool("summarize", event.get("summarize", False))
        return date_range(event.get("start"), event.get("end"), today, dry_run=_dry_run(event), summarize=summarize)
    if "date" in event:
        _only(event, {"date", "dry_run"})
        return DailyRequest(parse_date("date", event["date"], today), dry_run=_dry_run(event))
    raise BadInput(
        "event",
        dict(event),
        "unknown shape: expected {'date'}, {'start','end'}, {'digest'}, a scheduler input or a Scheduled Event",
    )


def _eventbridge(event: Mapping[str, Any], now: dt.datetime) -> DailyRequest:
    """A rule's "Scheduled Event": the envelope only. Anything else (`dry_run`, `date`, a
    non-empty `detail`) would be ignored, so it is refused: a caller asking for a dry run must
    not get a real publish."""
    _only(event, EVENTBRIDGE_KEYS)
    if event["detail-type"] != "Scheduled Event":
        raise BadInput("detail-type", event["detail-type"], "expected 'Scheduled Event' (an EventBridge schedule rule)")
    if "source" in event and event["source"] != "aws.events":
        raise BadInput("source", event["source"], "expected 'aws.events' in a Scheduled Event")
    if event.get("detail", {}) != {}:
        raise BadInput("detail", event["detail"], "expected {} in a Scheduled Event (options are not read from it)")
    when = parse_time("time", event.get("time"), now)
    return DailyRequest(_closed_day("time", event["time"], when), scheduled=True)


def parse_date(field: str, value: Any, today: dt.date) -> dt.date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise BadInput(field, value, "expected a date as YYYY-MM-DD")
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:  # month 13, day 30 in February, year 0
        raise BadInput(field, value, "no such date") from None
    if date > today:
        raise BadInput(field, value, f"is in the future (today is {today} UTC)")
    return date


def parse_time(field: str, value: Any, now: dt.datetime) -> dt.datetime:
    """An aware timestamp, in UTC, not in the future (beyond a few minutes of clock skew)."""
    if not isinstance(value, str) or not value.isascii():
        raise BadInput(field, value, _TIMESTAMP)
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(field, value, _TIMESTAMP) from None
    if when.tzinfo is None:
        raise BadInput(field, value, "timestamp has no time zone")
    try:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        when = when.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise BadInput(field, value, "out of range (years 1..9999 in UTC)") from None
    if when - now > _CLOCK_SKEW:  # a difference never overflows; `now + skew` could
        raise BadInput(field, value, f"is in the future (now is {now:%Y-%m-%dT%H:%M:%SZ})")
    return when


def date_range(
    start: Any,
    end: Any,
    today: dt.date,
    *,
    dry_run: bool = False,
    summarize: bool = False,
    max_days: int | None = MAX_RANGE_DAYS,
    fields: tuple[str, str] = ("start", "end"),
) -> RangeRequest:
    """The inclusive range start..end. `max_days=None`: no cap (the CLI; the Lambda keeps 366).
    A range may start before the API's first day (2023-05-04): those days are just empty."""
    first = parse_date(fields[0], start, today)
    last = parse_date(fields[1], end, today)
    if last < first:
        raise BadInput(fields[1], end, f"is before {fields[0]} {start}")
    if max_days is not None and (last - first).days + 1 > max_days:
        raise BadInput(fields[1], end, f"range {start}..{end} is longer than {max_days} days")
    return RangeRequest(first, last, dry_run, summarize)


def monthly(month: Any, today: dt.date, *, dry_run: bool = False, field: str = "month") -> DigestRequest:
    match = _MONTH.fullmatch(month) if isinstance(month, str) else None
    if not match:
        raise BadInput(field, month, "expected a month as YYYY-MM")
    year, number = int(match.group(1)), int(match.group(2))
    if not 1 <= number <= 12:
        raise BadInput(field, month, f"month {match.group(2)} is out of range (01..12)")
    if year < 1:
        raise BadInput(field, month, "no such month (years start at 0001)")
    start = dt.date(year, number, 1)
    if start > today:
        raise BadInput(field, month, f"is in the future (today is {today} UTC)")
    # The last day: the day before the next month's first (December: the 31st; no year 10000).
    end = dt.date(year, 12, 31) if number == 12 else dt.date(year, number + 1, 1) - dt.timedelta(days=1)
    return DigestRequest("monthly", start, end, dry_run)


def weekly(week: Any, today: dt.date, *, dry_run: bool = False, field: str = "week") -> DigestRequest:
    match = _WEEK.fullmatch(week) if isinstance(week, str) else None
    if match is None:
        raise BadInput(field, week, "expected an ISO week as YYYY-Www (e.g. 2026-W08)")
    try:
        start = dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        end = start + dt.timedelta(days=6)
    except (ValueError, OverflowError):  # week 54, year 0, or a week reaching past 9999-12-31
        raise BadInput(field, week, "no such ISO week (e.g. 2026-W08)") from None
    if start > today:
        raise BadInput(field, week, f"is in the future (today is {today} UTC)")
    return DigestRequest("weekly", start, end, dry_run)


def _closed_day(field: str, raw: Any, when: dt.datetime) -> dt.date:
    try:
        return last_closed_day(when)
    except OverflowError:  # the day before 0001-01-01
        raise BadInput(field, raw, "out of range: no day before it") from None


def _scheduled_digest(kind: Any, when: dt.datetime) -> DigestRequest:
    if kind not in ("monthly", "weekly"):
        raise BadInput("digest", kind, "expected 'monthly' or 'weekly'")
    day = _closed_day("scheduled_time", when.isoformat(), when)
    if kind == "monthly":  # run on the 1st: the month that just ended
        return monthly(f"{day.year:04d}-{day.month:02d}", day, field="scheduled_time")
    year, week, _ = day.isocalendar()  # run on Monday: the ISO week that just ended
    return weekly(f"{year:04d}-W{week:02d}", day, field="scheduled_time")


def _only(event: Mapping[str, Any], allowed: set[str] | frozenset[str]) -> None:
    for key in event:
        if key not in allowed:
            raise BadInput(key, event[key], f"unexpected field (allowed here: {', '.join(sorted(allowed))})")


def _dry_run(event: Mapping[str, Any]) -> bool:
    return _bool("dry_run", event.get("dry_run", False))


def _bool(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise BadInput(field, value, "expected true or false")
    return value
