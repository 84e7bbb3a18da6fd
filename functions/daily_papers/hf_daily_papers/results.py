"""What a run returns, and what it wrote.

One result type per run kind: `DailyResult` (a day, with the days it refreshed), `RangeResult`
(a backfill, whatever its length) and `DigestResult`. `to_json` turns any of them into the JSON
the handler returns and the CLI prints: this is the one place that decides those shapes.

`RunRecord` is the per-run journal of writes (archive objects, commits). The use cases append to
it as they write; the entry points read it when a run fails, to say what was and wasn't written.
It belongs to one run: a warm Lambda environment makes a new one per invocation.
"""

from __future__ import annotations

import datetime as dt
import enum
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


class Status(str, enum.Enum):
    """A day's (or a digest's) outcome. The values are the JSON strings."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    EMPTY = "empty"
    DRY_RUN = "dry_run"
    FAILED = "failed"


@dataclass(frozen=True)
class SummaryCounts:
    """The summary stage's outcome for a day or a digest (summaries on).

    made: answers the model gave that passed the check; rejected: papers whose answers failed the
    check (twice) in this run; missing: listed papers left without a summary (not asked in time,
    or the model failed), filled in by a later run."""

    made: int = 0
    rejected: int = 0
    missing: int = 0

    def __add__(self, other: SummaryCounts) -> SummaryCounts:
        return SummaryCounts(self.made + other.made, self.rejected + other.rejected, self.missing + other.missing)

    def to_json(self) -> dict[str, int]:
        return {"summaries_made": self.made, "summaries_rejected": self.rejected, "summaries_missing": self.missing}


@dataclass(frozen=True)
class DayResult:
    date: dt.date
    status: Status
    papers: int = 0  # papers of the day (archived)
    listed: int = 0  # papers in the post
    archive_key: str | None = None
    archived: bool = False  # this run wrote the archive object
    post_path: str | None = None
    commit_sha: str | None = None
    error: str | None = None
    summaries: SummaryCounts | None = None  # summaries on
    post: str | None = field(default=None, repr=False)  # the rendered post, for dry runs

    def to_json(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "date": self.date.isoformat(),
            "status": self.status.value,
            "papers": self.papers,
            "listed": self.listed,
            "archive_key": self.archive_key,
            "archived": self.archived,
            "post_path": self.post_path,
            "commit_sha": self.commit_sha,
            "error": self.error,
            **(self.summaries.to_json() if self.summaries else {}),
            "post": self.post,
        }
        return {k: v for k, v in fields.items() if v is not None}


def _counts(days: Sequence[DayResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for day in days:
        counts[day.status.value] = counts.get(day.status.value, 0) + 1
    return counts


@dataclass(frozen=True)
class DailyResult:
    """A daily run: the target day, and the recent days a scheduled run refreshed with it."""

    day: DayResult
    refreshed: tuple[DayResult, ...] = ()
    commit_sha: str | None = None

    def to_json(self) -> dict[str, Any]:
        result = self.day.to_json()
        if self.refreshed:
            result["refreshed"] = [d.to_json() for d in self.refreshed]
            if self.commit_sha:
                result["commit_sha"] = self.commit_sha
        return result


@dataclass(frozen=True)
class RangeResult:
    """A backfill: every day of the range, one commit."""

    start: dt.date
    end: dt.date
    days: tuple[DayResult, ...]
    commit_sha: str | None = None
    summaries: SummaryCounts | None = None  # the range's totals (summarize on)
    summaries_stopped: bool = False  # stopped asking the model to leave time to publish

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "counts": _counts(self.days),
            "days": [d.to_json() for d in self.days],
        }
        if self.commit_sha:
            result["commit_sha"] = self.commit_sha
        if self.summaries is not None:
            result.update(self.summaries.to_json())
            if self.summaries_stopped:
                result["summaries_stopped"] = True
        return result


@dataclass(frozen=True)
class DigestResult:
    digest: str  # monthly | weekly
    period: str  # 2026-02 | 2026-W08
    start: dt.date
    end: dt.date | None  # the last day covered (None: the period has not started closing yet)
    status: Status = Status.EMPTY
    papers: int = 0
    listed: int = 0
    days: int = 0  # days with papers
    fetched: tuple[str, ...] = ()  # days not in the archive, fetched now
    archived: tuple[str, ...] = ()  # days this run wrote to the archive
    post_path: str | None = None
    commit_sha: str | None = None
    summaries: SummaryCounts | None = None
    post: str | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "digest": self.digest,
            "period": self.period,
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "status": self.status.value,
            "papers": self.papers,
            "listed": self.listed,
            "days": self.days,
            "fetched": list(self.fetched),
            "archived": list(self.archived),
            "post_path": self.post_path,
            "commit_sha": self.commit_sha,
            **(self.summaries.to_json() if self.summaries else {}),
            "post": self.post,
        }
        return {k: v for k, v in fields.items() if v is not None}


RunResult = DailyResult | RangeResult | DigestResult


def to_json(result: RunResult) -> dict[str, Any]:
    """The JSON a run returns (handler) or prints (CLI)."""
    return result.to_json()


class RunRecord:
    """What one run wrote, in order: archive keys and commits. Safe to append from worker threads.

    A run that knows its targets up front (a daily run: one archive key, one post) `plan`s them,
    so that a failure can say of each whether it was written.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.archived: list[str] = []  # archive keys this run wrote
        self.commits: list[str] = []  # commits this run moved a branch to
        self.not_published: list[str] = []  # post paths that were ready but not published
        self.planned_key: str | None = None  # the one archive key of a one-day run
        self.planned_post: str | None = None  # the one post of a one-day run

    def plan(self, key: str, post: str) -> None:
        self.planned_key, self.planned_post = key, post

    def wrote_archive(self, key: str) -> None:
        with self._lock:
            self.archived.append(key)

    def committed(self, sha: str) -> None:
        with self._lock:
            self.commits.append(sha)

    def unpublished(self, paths: list[str]) -> None:
        with self._lock:
            self.not_published = list(paths)

    def describe(self) -> str:
        """One sentence: what this run wrote and what it did not."""
        if self.planned_key and self.planned_post:
            key, post = self.planned_key, self.planned_post
            said = f"archive {key} {'written' if key in self.archived else 'not written'} by this run; post {post} "
            said += f"published in {self.commits[-1][:12]}" if self.commits else "not published"
            unfinished = not self.commits
        else:
            said = _described(self.archived, "archive object(s)") + " and " + _described(
                [c[:12] for c in self.commits], "commit(s)")
            said = "nothing written" if not self.archived and not self.commits else f"this run wrote {said}"
            if self.not_published:
                said += f"; {_described(self.not_published, 'post(s)')} not published"
            unfinished = bool(self.archived or self.not_published)
        if unfinished:
            said += "; re-running the same request completes it once the cause is fixed"
        return said

    def fields(self) -> dict[str, Any]:
        """For the failure log line."""
        return {
            "archived": list(self.archived), "commits": list(self.commits), "not_published": list(self.not_published)
        }


def _described(items: list[str], noun: str, shown: int = 3) -> str:
    text = f"{len(items)} {noun}"
    if items:
        text += " (" + ", ".join(items[:shown]) + (" …" if len(items) > shown else "") + ")"
    return text
