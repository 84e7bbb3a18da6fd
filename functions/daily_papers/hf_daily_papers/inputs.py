"""What a run is asked to do, parsed from a Lambda event or CLI arguments.

Every violation raises `BadInput` naming the field and the value, before anything is done.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Mapping

from .errors import BadInput

MAX_RANGE_DAYS = 366
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_CLOCK_SKEW = dt.timedelta(minutes=5)


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
            return f"{self.start:%Y-%m}"
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


Request = DailyRequest | RangeRequest | DigestRequest


def last_closed_day(moment: dt.datetime) -> dt.date:
    """The UTC day before `moment`: the newest Daily Papers list that has stopped filling."""
    return moment.astimezone(dt.timezone.utc).date() - dt.timedelta(days=1)


def parse_event(event: Any, now: dt.datetime) -> Request:
    """A Lambda event → a request. `now` is an aware UTC datetime."""
    if not isinstance(event, Mapping):
        raise BadInput("event", event, "expected a JSON object")
    today = now.astimezone(dt.timezone.utc).date()
    if event.get("detail-type") == "Scheduled Event":  # EventBridge rule
        when = parse_time("time", event.get("time"), now)
        return DailyRequest(last_closed_day(when), scheduled=True)
    if event.get("source") == "scheduler":  # EventBridge Scheduler (ScheduleV2) Input
        _only(event, {"source", "scheduled_time", "execution_id", "digest"})
        when = parse_time("scheduled_time", event.get("scheduled_time"), now)
        if "digest" in event:
            return _scheduled_digest(event["digest"], when)
        return DailyRequest(last_closed_day(when), scheduled=True)
    dry_run = _bool("dry_run", event.get("dry_run", False))
    if "digest" in event:
        kind = event["digest"]
        if kind == "monthly":
            _only(event, {"digest", "month", "dry_run"})
            return monthly(event.get("month"), today, dry_run=dry_run)
        if kind == "weekly":
            _only(event, {"digest", "week", "dry_run"})
            return weekly(event.get("week"), today, dry_run=dry_run)
        raise BadInput("digest", kind, "expected 'monthly' or 'weekly'")
    if "start" in event or "end" in event:
        _only(event, {"start", "end", "dry_run"})
        return date_range(event.get("start"), event.get("end"), today, dry_run=dry_run)
    if "date" in event:
        _only(event, {"date", "dry_run"})
        return DailyRequest(parse_date("date", event["date"], today), dry_run=dry_run)
    raise BadInput(
        "event",
        dict(event),
        "unknown shape: expected {'date'}, {'start','end'}, {'digest'}, a scheduler input or a Scheduled Event",
    )


def parse_date(field: str, value: Any, today: dt.date) -> dt.date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise BadInput(field, value, "expected a date as YYYY-MM-DD")
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(field, value, "no such date") from None
    if date > today:
        raise BadInput(field, value, f"is in the future (today is {today} UTC)")
    return date


def parse_time(field: str, value: Any, now: dt.datetime) -> dt.datetime:
    if not isinstance(value, str):
        raise BadInput(field, value, "expected an ISO 8601 timestamp such as 2026-02-20T00:15:00Z")
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(field, value, "expected an ISO 8601 timestamp such as 2026-02-20T00:15:00Z") from None
    if when.tzinfo is None:
        raise BadInput(field, value, "timestamp has no time zone")
    if when > now + _CLOCK_SKEW:
        raise BadInput(field, value, f"is in the future (now is {now:%Y-%m-%dT%H:%M:%SZ})")
    return when


def date_range(start: Any, end: Any, today: dt.date, *, dry_run: bool = False) -> RangeRequest:
    first = parse_date("start", start, today)
    last = parse_date("end", end, today)
    if last < first:
        raise BadInput("end", end, f"is before start {start}")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise BadInput("end", end, f"range {start}..{end} is longer than {MAX_RANGE_DAYS} days")
    return RangeRequest(first, last, dry_run)


def monthly(month: Any, today: dt.date, *, dry_run: bool = False) -> DigestRequest:
    match = _MONTH.match(month) if isinstance(month, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise BadInput("month", month, "expected a month as YYYY-MM")
    start = dt.date(int(match.group(1)), int(match.group(2)), 1)
    if start > today:
        raise BadInput("month", month, f"is in the future (today is {today} UTC)")
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return DigestRequest("monthly", start, end, dry_run)


def weekly(week: Any, today: dt.date, *, dry_run: bool = False) -> DigestRequest:
    match = _WEEK.match(week) if isinstance(week, str) else None
    try:
        start = dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1) if match else None
    except ValueError:
        start = None
    if start is None:
        raise BadInput("week", week, "expected an ISO week as YYYY-Www (e.g. 2026-W08)")
    if start > today:
        raise BadInput("week", week, f"is in the future (today is {today} UTC)")
    return DigestRequest("weekly", start, start + dt.timedelta(days=6), dry_run)


def _scheduled_digest(kind: Any, when: dt.datetime) -> DigestRequest:
    day = last_closed_day(when)
    if kind == "monthly":  # run on the 1st: the month that just ended
        return monthly(f"{day:%Y-%m}", day)
    if kind == "weekly":  # run on Monday: the ISO week that just ended
        year, week, _ = day.isocalendar()
        return weekly(f"{year}-W{week:02d}", day)
    raise BadInput("digest", kind, "expected 'monthly' or 'weekly'")


def _only(event: Mapping[str, Any], allowed: set[str]) -> None:
    for key in event:
        if key not in allowed:
            raise BadInput(key, event[key], f"unexpected field (allowed here: {', '.join(sorted(allowed))})")


def _bool(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise BadInput(field, value, "expected true or false")
    return value
