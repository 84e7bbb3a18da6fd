"""The run steps both use cases share: the run's context, reading and writing a day, the per-day
fan-out, publishing (then recording what was published), and the "first 10 … and N more" text.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import TypeVar

from .archive import ArchiveUnreadable, archive_key, decode_day, encode_day, same_record, with_papers
from .errors import DailyPapersError
from .models import Day
from .ports import Log, MetricSink, NoMetrics, Ports
from .publish import Publication
from .redact import short
from .results import RunRecord
from .summaries import Rejection, Summary

T = TypeVar("T")
Progress = Callable[[int, int, str], None]


class Cancelled(DailyPapersError):
    """The run was interrupted (Ctrl-C in the CLI): the days under way were finished, no other
    was started, nothing was published."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"interrupted: {done} of {total} day(s) were done, the rest not started")


class RunContext:
    """One run's journal, log, metrics, clocks, time budget and cancellation."""

    def __init__(
        self,
        record: RunRecord | None = None,
        *,
        log: Log | None = None,
        metrics: MetricSink | None = None,
        progress: Progress | None = None,
        time_left: Callable[[], float] | None = None,
        now: Callable[[], dt.datetime] | None = None,
        cancel: threading.Event | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.record = record or RunRecord()
        self.log: Log = log or logging.getLogger("hf_daily_papers")
        self.metrics = metrics or NoMetrics()
        self.progress = progress
        self.time_left = time_left  # seconds left in this invocation (Lambda); None: no limit
        self.now = now or (lambda: dt.datetime.now(dt.UTC))
        # seconds, for durations (the summary budget's pace): the invocation's own clock when it has one
        self.clock = clock or ((lambda: -time_left()) if time_left is not None else time.monotonic)
        self.cancel = cancel or threading.Event()
        self._lock = threading.Lock()  # days are prepared in worker threads

    def count(self, name: str, value: float) -> None:
        with self._lock:
            self.metrics.add_metric(name, "Count", value)


def error_text(exc: BaseException) -> str:
    """An exception as one failure line: our own errors say it all; others carry their type.
    Masked (any secret a library put in its text), then cut."""
    return short(str(exc) if isinstance(exc, DailyPapersError) else f"{type(exc).__name__}: {exc}", 500)


def listed(items: Sequence[str], shown: int = 10) -> str:
    """`a, b, c` — the first `shown`, then "and N more"."""
    text = ", ".join(items[:shown])
    return text + (f" and {len(items) - shown} more" if len(items) > shown else "")


# -- a day in the archive ----------------------------------------------------------------------
def read_day(ports: Ports, date: dt.date, ctx: RunContext, *, papers: bool, dry_run: bool) -> Day | None:
    """The day as archived; None if never archived.

    An unreadable object is treated as a day never archived: it is fetched again, and the bad
    object is kept aside (a file renamed beside it; in S3 the previous version) unless dry run."""
    key = archive_key(date)
    data = ports.archive.get(key)
    if data is None:
        return None
    try:
        return decode_day(date, key, data, papers=papers)
    except ArchiveUnreadable as exc:
        kept = "" if dry_run else f"; the object is kept as {ports.archive.set_aside(key)}"
        ctx.log.warning(f"archive object {key} unreadable; treated as missing{kept}",
                        extra={"key": key, "problem": str(exc)})
        ctx.count("ArchiveUnreadable", 1)
        return None


def fetch_day(ports: Ports, date: dt.date, ctx: RunContext, stored: Day | None = None) -> Day:
    """One day from the source; left-out items are logged and counted. When the source answers
    exactly what the archive holds (`stored`'s answer hash), the stored day is the day: nothing
    is parsed again (it is the same list)."""
    known = stored.answer_hash if stored is not None and stored.items else ""
    day = ports.source.fetch_day(date, known)
    if day is None:
        assert stored is not None
        return with_papers(stored, archive_key(date))
    _log_skipped(day.date, day.skipped, ctx)
    return day


def _log_skipped(date: dt.date, skipped: Sequence[str], ctx: RunContext) -> None:
    if skipped:
        ctx.log.warning(f"{date}: left out {len(skipped)} item(s)",
                        extra={"date": date.isoformat(), "skipped": list(skipped)})
        ctx.count("PapersSkipped", len(skipped))


def with_answers(day: Day, summaries: Mapping[str, Summary], rejections: Mapping[str, Rejection]) -> Day:
    """The day's record with the model's new answers added to the ones it keeps: a summary
    replaces a kept one, and the paper's rejection (it was answered since)."""
    return replace(
        day,
        summaries={**day.summaries, **summaries},
        rejections={pid: r for pid, r in {**day.rejections, **rejections}.items() if pid not in summaries},
    )


@dataclass(frozen=True)
class Record:
    """A day ready to archive: the day as it will be kept, and its document (None: the archive
    already holds the same record, nothing to write)."""

    day: Day
    data: bytes | None


def record_of(ports: Ports, day: Day, stored: Day | None, ctx: RunContext) -> Record:
    """The day's archive record; items the archive cannot keep are left out (and logged) here,
    before the post is rendered from the day."""
    if stored is not None and same_record(stored, day):
        return Record(day, None)
    kept, data = encode_day(day, ports.source.url(day.date))
    _log_skipped(day.date, kept.skipped[len(day.skipped):], ctx)
    if kept is not day and stored is not None and same_record(stored, kept):
        return Record(kept, None)  # the same items left out as when it was archived
    return Record(kept, data)


def write(ports: Ports, record: Record, ctx: RunContext) -> bool:
    """Write the record if there is anything to write; True if written."""
    if record.data is None:
        return False
    key = archive_key(record.day.date)
    ports.archive.put(key, record.data)
    ctx.record.wrote_archive(key)
    return True


def store_day(ports: Ports, day: Day, stored: Day | None, ctx: RunContext) -> bool:
    """Write the day unless the archive holds the same record; True if written."""
    return write(ports, record_of(ports, day, stored, ctx), ctx)


# -- many days ---------------------------------------------------------------------------------
def each_day(
    dates: Sequence[dt.date], step: Callable[[dt.date], T], ctx: RunContext, *, workers: int,
    failed: Callable[[dt.date, str], T], progress: bool = True,
) -> list[T]:
    """`step` for every date, `workers` at a time, in date order (`progress`: each finished day is
    reported to the run's progress). One failing day never takes the
    others down (`failed` makes its result); a single day fails as itself (its precise error).
    A cancelled run starts no more days: it raises `Cancelled` once the running ones finish."""
    if len(dates) == 1:
        result = step(dates[0])
        if progress:
            _tick(ctx, 1, 1, dates[0])
        return [result]
    if workers == 1:
        return _one_by_one(dates, step, ctx, failed=failed, progress=progress)
    done: dict[dt.date, T] = {}
    pending = iter(dates)
    running: dict[Future[T], dt.date] = {}

    def finish(future: Future[T]) -> None:
        date = running.pop(future)
        try:
            done[date] = future.result()
        except Exception as exc:  # noqa: BLE001 - one failing day is reported with the others
            done[date] = _failed_day(ctx, date, exc, failed)
        if progress:
            _tick(ctx, len(done), len(dates), date)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        def start() -> None:  # keep `workers` days under way, no more
            while len(running) < workers and (date := next(pending, None)) is not None:
                running[pool.submit(step, date)] = date
        start()
        try:
            while running:
                finished, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in finished:
                    finish(future)
                if not ctx.cancel.is_set():
                    start()
        except KeyboardInterrupt:  # Ctrl-C: no day is started any more; the ones under way finish
            if ctx.cancel.is_set():
                raise  # the second one: stop at once
            ctx.cancel.set()
            ctx.log.warning(f"interrupted: {len(dates) - len(done) - len(running)} day(s) not started; "
                            f"finishing the {len(running)} in progress")
        while running:  # (also after a cancel): every day under way ends as done or failed
            finished, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in finished:
                finish(future)
    if ctx.cancel.is_set():
        raise Cancelled(len(done), len(dates))
    return [done[d] for d in dates]


def _one_by_one(
    dates: Sequence[dt.date], step: Callable[[dt.date], T], ctx: RunContext, *,
    failed: Callable[[dt.date, str], T], progress: bool,
) -> list[T]:
    """`each_day` with one worker: in this thread, no pool."""
    done: dict[dt.date, T] = {}
    for date in dates:
        if ctx.cancel.is_set():
            raise Cancelled(len(done), len(dates))
        try:
            done[date] = step(date)
        except KeyboardInterrupt:  # Ctrl-C: this day is not done; no other starts
            ctx.cancel.set()
            raise Cancelled(len(done), len(dates)) from None
        except Exception as exc:  # noqa: BLE001 - one failing day is reported with the others
            done[date] = _failed_day(ctx, date, exc, failed)
        if progress:
            _tick(ctx, len(done), len(dates), date)
    return [done[d] for d in dates]


def _failed_day(ctx: RunContext, date: dt.date, exc: Exception, failed: Callable[[dt.date, str], T]) -> T:
    """A day that failed, logged once (with its traceback when it is not one of our errors)."""
    error = error_text(exc)
    ctx.log.warning(f"day failed: {date}: {error}", extra={"date": date.isoformat(), "error": error},
                    exc_info=not isinstance(exc, DailyPapersError))
    return failed(date, error)


def _tick(ctx: RunContext, done: int, total: int, date: dt.date) -> None:
    if ctx.progress:
        ctx.progress(done, total, date.isoformat())


# -- publishing --------------------------------------------------------------------------------
def publish(ports: Ports, files: dict[str, str], message: str, ctx: RunContext) -> Publication | None:
    """Every post in one commit, recorded in the run's journal; None when there is nothing."""
    if not files:
        return None
    try:
        publication = ports.publisher.publish(files, message)
    except Exception:
        ctx.record.unpublished(list(files))
        raise
    if publication.commit_sha:
        ctx.record.committed(publication.commit_sha)
    return publication
