"""The daily use case: fetch → rank → summarize → render → archive → publish, for one day or many.

A daily run, a refresh of recent days and a backfill are the same thing: a list of dates. Each
day is fetched, ranked, summarized (when a model is configured), rendered and archived (a few
days at a time); then every changed post goes to the publisher in one commit. The archive is
always written before the post, so a failure never leaves a post without its data, and a re-run
completes whatever a failure left. What the run wrote goes into its `RunRecord` as it happens.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .archive import (
    Archive,
    ArchivedDay,
    ArchiveUnreadable,
    archive_key,
    day_document,
    decode_day,
    encode,
    same_content,
)
from .errors import DailyPapersError
from .hf import PaperSource
from .inputs import DailyRequest, RangeRequest
from .models import Day, Paper, rank
from .publish import Publisher
from .render import PostStyle, post_path, render_daily
from .results import DailyResult, DayResult, RangeResult, RunRecord, Status

if TYPE_CHECKING:
    from .summarize import Summarizer, SummaryFill


class Metrics(Protocol):
    def add_metric(self, name: str, unit: str, value: float) -> None: ...


class Log(Protocol):
    """A stdlib logger or a Powertools Logger (both take `extra=`)."""

    def info(self, msg: Any, *args: Any, **kwargs: Any) -> None: ...

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None: ...

    def error(self, msg: Any, *args: Any, **kwargs: Any) -> None: ...


class NullMetrics:
    def add_metric(self, name: str, unit: str, value: float) -> None:
        pass


Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Ports:
    """Where papers come from and where a run's output goes; each has a local and a real kind."""

    source: PaperSource
    archive: Archive
    publisher: Publisher
    summarizer: Summarizer | None = None  # None: summaries off


@dataclass(frozen=True)
class Options:
    top_n: int = 10
    style: PostStyle = field(default_factory=PostStyle)
    concurrency: int = 4
    #: Seconds of the invocation kept free: the summary stage stops asking the model once less
    #: than this is left (a re-run continues where it stopped). 180 s for the remaining archive
    #: writes, renders and the commit, plus one summary call's worst case (~77 s) that may have
    #: started just before the check.
    summary_reserve: float = 260.0


class RunContext:
    """One run's journal, log, metrics and clock."""

    def __init__(
        self,
        record: RunRecord | None = None,
        *,
        log: Log | None = None,
        metrics: Metrics | None = None,
        progress: Progress | None = None,
        time_left: Callable[[], float] | None = None,
    ) -> None:
        self.record = record or RunRecord()
        self.log: Log = log or logging.getLogger("hf_daily_papers")
        self.metrics = metrics or NullMetrics()
        self.progress = progress
        self.time_left = time_left  # seconds left in this invocation (Lambda); None: no limit
        #: Set when the run is interrupted (Ctrl-C): days not started yet are not started.
        self.cancel = threading.Event()
        self._lock = threading.Lock()  # days are prepared in worker threads

    def count(self, name: str, value: float) -> None:
        with self._lock:
            self.metrics.add_metric(name, "Count", value)

    def out_of_time(self, reserve: float) -> bool:
        return self.time_left is not None and self.time_left() < reserve


class DaysFailed(DailyPapersError):
    """Some days of a multi-day run failed; the others were archived and published."""

    def __init__(self, failed: list[DayResult], commit_sha: str | None) -> None:
        self.failed = failed
        names = ", ".join(f"{r.date} ({r.error})" for r in failed[:10])
        more = f" and {len(failed) - 10} more" if len(failed) > 10 else ""
        done = f"; the other days were published in commit {commit_sha}" if commit_sha else ""
        super().__init__(f"{len(failed)} day(s) failed: {names}{more}{done}. Re-run the same dates to complete.")


# -- the archive, shared with the digest --------------------------------------------------------
def read_archived(archive: Archive, date: dt.date, ctx: RunContext, *, papers: bool = True) -> ArchivedDay | None:
    """The day as archived; None if never archived or unreadable (then it is fetched again)."""
    key = archive_key(date)
    data = archive.get(key)
    if data is None:
        return None
    try:
        return decode_day(date, key, data, papers=papers)
    except ArchiveUnreadable as exc:
        ctx.log.warning(f"archive object {key} unreadable; treated as missing", extra={"key": key, "problem": str(exc)})
        ctx.count("ArchiveUnreadable", 1)
        return None


def store(archive: Archive, document: dict[str, Any], previous: ArchivedDay | None, ctx: RunContext) -> bool:
    """Write a day document unless the archive holds the same content; True if written."""
    if previous is not None and same_content(previous.document, document):
        return False
    key = archive_key(dt.date.fromisoformat(document["date"]))
    archive.put(key, encode(document))
    ctx.record.wrote_archive(key)
    return True


def fetch(source: PaperSource, date: dt.date, ctx: RunContext) -> Day:
    """One day from the source; left-out items are logged and counted."""
    day = source.fetch_day(date)
    if day.skipped:
        ctx.log.warning(
            f"{date}: left out {len(day.skipped)} item(s)",
            extra={"date": date.isoformat(), "skipped": list(day.skipped)},
        )
        ctx.count("PapersSkipped", len(day.skipped))
    return day


def summarize_papers(
    papers: Sequence[Paper],
    stored: Mapping[str, Any],
    summarizer: Summarizer | None,
    ctx: RunContext,
    reserve: float,
) -> SummaryFill | None:
    """Summaries of `papers`: stored ones reused, missing ones asked of the model. None when off."""
    if summarizer is None:
        return None
    from .summarize import Summary, fill_summaries

    cached = {pid: s for pid, value in stored.items() if (s := Summary.from_json(value)) is not None}
    return fill_summaries(
        papers, cached, summarizer, now=lambda: dt.datetime.now(dt.UTC),
        should_stop=lambda: ctx.out_of_time(reserve), log=ctx.log,
    )


def stored_summaries(previous: ArchivedDay | None, fill: SummaryFill | None) -> dict[str, Any]:
    """What the day's document keeps: every summary stored before, updated with the new ones."""
    merged = dict(previous.summaries) if previous else {}
    if fill is not None:
        merged.update({pid: s.to_json() for pid, s in fill.summaries.items()})
    return merged


# -- one day, many days ------------------------------------------------------------------------
@dataclass
class _Prepared:
    """A day made ready to publish: its result so far and its post (None when empty)."""

    result: DayResult
    post: str | None = None
    missing: int = 0
    stopped: bool = False


class Pipeline:
    def __init__(self, ports: Ports, options: Options, ctx: RunContext) -> None:
        self.ports = ports
        self.options = options
        self.ctx = ctx

    # -- the run kinds ---------------------------------------------------------------------
    def daily(self, request: DailyRequest, refresh_days: int = 0) -> DailyResult:
        """The target day; a scheduled run also refreshes the `refresh_days` before it."""
        refresh = refresh_days if request.scheduled else 0
        dates = [request.date - dt.timedelta(days=i) for i in range(refresh, -1, -1)]
        if not request.dry_run:
            self.ctx.record.plan(archive_key(request.date), post_path(request.date))
        message = f"Daily Papers {request.date}"
        if refresh:
            message += f" (refresh {dates[0]}..{dates[-2]})"
        days, commit_sha, _ = self.run(dates, dry_run=request.dry_run, summarize=True, message=message)
        target = days[-1]
        if not request.dry_run:
            self.ctx.count("DailyPostPublished", int(target.status in (Status.CREATED, Status.UPDATED)))
        return DailyResult(target, days[:-1], commit_sha)

    def backfill(self, request: RangeRequest) -> RangeResult:
        message = f"Daily Papers backfill {request.start}..{request.end}"
        days, commit_sha, prepared = self.run(
            request.dates, dry_run=request.dry_run, summarize=request.summarize, message=message
        )
        result = RangeResult(request.start, request.end, days, commit_sha)
        if request.summarize and self.ports.summarizer is not None:
            result.summaries_left = sum(p.missing for p in prepared)
            result.summaries_stopped = any(p.stopped for p in prepared)
        return result

    # -- the steps -------------------------------------------------------------------------
    def prepare(self, date: dt.date, *, dry_run: bool, summarize: bool) -> _Prepared:
        """fetch → rank → summarize → render → archive, for one day."""
        ports, ctx = self.ports, self.ctx
        previous = read_archived(ports.archive, date, ctx, papers=False)
        key = archive_key(date)
        if previous is not None and previous.settled_empty:  # a weekend, on record: nothing to ask
            return _Prepared(DayResult(date, Status.EMPTY, archive_key=key))
        day = fetch(ports.source, date, ctx)
        if day.empty:
            return self._empty(day, previous, dry_run=dry_run)
        listed = rank(day.papers, self.options.top_n)
        stored = previous.summaries if previous else {}
        summarizer = self.ports.summarizer if summarize else None
        fill = summarize_papers(listed, stored, summarizer, ctx, self.options.summary_reserve)
        texts = {pid: s.text for pid, s in fill.summaries.items()} if fill else None
        result = DayResult(date, Status.DRY_RUN, papers=len(day.papers), listed=len(listed),
                           archive_key=key, post_path=post_path(date))
        if fill is not None:
            result.summaries_made, result.summaries_missing = fill.made, len(fill.missing)
        post = render_daily(date, listed, self.options.style, texts)
        if not dry_run:
            document = day_document(day, ports.source.url(date), stored_summaries(previous, fill))
            result.archived = store(ports.archive, document, previous, ctx)
        return _Prepared(result, post, len(fill.missing) if fill else 0, bool(fill and fill.stopped))

    def _empty(self, day: Day, previous: ArchivedDay | None, *, dry_run: bool) -> _Prepared:
        """A day without papers: recorded in the archive (so digests need not ask again)."""
        key = archive_key(day.date)
        result = DayResult(day.date, Status.EMPTY, archive_key=key)
        if previous is not None and not previous.empty:
            # Papers were seen for this day before: an empty answer now is a glitch, not news.
            seen = len(previous.document["papers"])
            self.ctx.log.warning(f"{day.date}: no papers now, but {seen} archived; archive kept",
                                 extra={"date": day.date.isoformat(), "key": key})
            return _Prepared(result)
        if not dry_run:
            document = day_document(day, self.ports.source.url(day.date), stored_summaries(previous, None))
            result.archived = store(self.ports.archive, document, previous, self.ctx)
        return _Prepared(result)

    def run(
        self, dates: Sequence[dt.date], *, dry_run: bool, summarize: bool, message: str
    ) -> tuple[list[DayResult], str | None, list[_Prepared]]:
        """Prepare every day, then publish every post in one commit."""
        dates = sorted(set(dates))
        prepared = self._prepare_all(dates, dry_run=dry_run, summarize=summarize)
        results = [p.result for p in prepared]
        for r in results:
            self.ctx.count("PapersFetched", r.papers)
        commit_sha = None
        if dry_run:
            for p in prepared:
                p.result.post = p.post
        else:
            commit_sha = self._publish([p for p in prepared if p.post is not None], message)
        self._count(results, prepared)
        self.ctx.log.info(
            "run finished",
            extra={
                "dates": f"{dates[0]}..{dates[-1]}",
                "counts": {s: sum(r.status.value == s for r in results) for s in {r.status.value for r in results}},
                "commit_sha": commit_sha,
                "publisher": self.ports.publisher.where,
            },
        )
        failed = [r for r in results if r.status is Status.FAILED]
        if failed:
            raise DaysFailed(failed, commit_sha)
        return results, commit_sha, prepared

    def _publish(self, ready: list[_Prepared], message: str) -> str | None:
        if not ready:
            return None
        files = {p.result.post_path or "": p.post or "" for p in ready}
        try:
            publication = self.ports.publisher.publish(files, message)
        except Exception:
            self.ctx.record.unpublished(list(files))
            raise
        if publication.commit_sha:
            self.ctx.record.committed(publication.commit_sha)
        for p in ready:
            status = Status(publication.statuses[p.result.post_path or ""])
            p.result.status = status
            if status is not Status.UNCHANGED:
                p.result.commit_sha = publication.commit_sha
        return publication.commit_sha

    def _prepare_all(self, dates: list[dt.date], *, dry_run: bool, summarize: bool) -> list[_Prepared]:
        if len(dates) == 1:
            # A single day fails as itself: the caller gets the precise error type.
            prepared = self.prepare(dates[0], dry_run=dry_run, summarize=summarize)
            self._tick(1, 1, dates[0])
            return [prepared]
        done: dict[dt.date, _Prepared] = {}
        with ThreadPoolExecutor(max_workers=self.options.concurrency) as pool:
            futures = {pool.submit(self._prepare_unless_cancelled, d, dry_run=dry_run, summarize=summarize): d
                       for d in dates}
            try:
                for n, future in enumerate(as_completed(futures), 1):
                    date = futures[future]
                    try:
                        done[date] = future.result()
                    except Exception as exc:
                        error = str(exc) if isinstance(exc, DailyPapersError) else f"{type(exc).__name__}: {exc}"
                        self.ctx.log.warning(f"day failed: {date}: {error}",
                                             extra={"date": date.isoformat(), "error": error},
                                             exc_info=not isinstance(exc, DailyPapersError))
                        done[date] = _Prepared(DayResult(date, Status.FAILED, error=error))
                    self._tick(n, len(dates), date)
            except BaseException:  # Ctrl-C (KeyboardInterrupt) while waiting: nothing is published
                self._stop(pool, list(futures))
                raise
        return [done[d] for d in dates]

    def _prepare_unless_cancelled(self, date: dt.date, *, dry_run: bool, summarize: bool) -> _Prepared:
        if self.ctx.cancel.is_set():  # taken off the queue just as the run was interrupted
            return _Prepared(DayResult(date, Status.FAILED, error="not started: the run was interrupted"))
        return self.prepare(date, dry_run=dry_run, summarize=summarize)

    def _stop(self, pool: ThreadPoolExecutor, futures: list[Future[_Prepared]]) -> None:
        """Start no more days and wait for the days in progress, so that when the caller reports
        the run's record, it holds every archive object this run wrote (no worker writes later)."""
        self.ctx.cancel.set()
        pool.shutdown(wait=False, cancel_futures=True)
        running = [f for f in futures if not f.done()]
        cancelled = sum(f.cancelled() for f in futures)
        self.ctx.log.warning(f"interrupted: {cancelled} day(s) not started; finishing the {len(running)} in progress",
                             extra={"not_started": cancelled, "in_progress": len(running)})
        while True:
            try:
                wait(running)  # each day in progress ends within its upstream calls' deadlines
                return
            except KeyboardInterrupt:  # Ctrl-C again: the count printed afterwards must still be exact
                continue

    def _tick(self, done: int, total: int, date: dt.date) -> None:
        if self.ctx.progress:
            self.ctx.progress(done, total, date.isoformat())

    def _count(self, results: list[DayResult], prepared: list[_Prepared]) -> None:
        published = sum(r.status in (Status.CREATED, Status.UPDATED) for r in results)
        for name, value in (
            ("PostsPublished", published),
            ("PostsUnchanged", sum(r.status is Status.UNCHANGED for r in results)),
            ("DaysEmpty", sum(r.status is Status.EMPTY for r in results)),
            ("DaysFailed", sum(r.status is Status.FAILED for r in results)),
        ):
            self.ctx.count(name, value)
        if any(r.summaries_made is not None for r in results):
            self.ctx.count("SummariesMade", sum(r.summaries_made or 0 for r in results))
            self.ctx.count("SummariesMissing", sum(p.missing for p in prepared))

