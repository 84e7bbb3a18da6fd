"""The daily use case: fetch → rank → summarize → render → archive → publish, for one day or many.

A daily run, a refresh of recent days and a backfill are the same thing: a list of dates. Each
day, a few at a time, is fetched (unless the archive holds it as settled-empty, or holds exactly
the answer the source gives), ranked, summarized (when a model is configured: the kept summaries
always; new ones only when the run summarizes, and only while the time left covers the rest of
the run, `Budget`), rendered and archived; then every changed post goes to the publisher in one
commit. The archive is written before the post, so a failure never leaves a post without its
data, and a re-run completes whatever a failure left. What the run wrote goes into its `RunRecord`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from .archive import archive_key
from .aws import CLIENTS
from .errors import DailyPapersError
from .inputs import DailyRequest, RangeRequest
from .models import Day, Paper, rank
from .ports import Ports
from .render import PostStyle, post_path, render_daily
from .results import DailyResult, DayResult, RangeResult, Status, SummaryCounts
from .run import (
    RunContext,
    each_day,
    fetch_day,
    listed,
    publish,
    read_day,
    record_of,
    store_day,
    with_answers,
    write,
)
from .summaries import Answer, SummaryFailed, SummaryFill, SummaryModel, fill_summaries


@dataclass(frozen=True)
class Options:
    top_n: int = 10
    style: PostStyle = field(default_factory=PostStyle)
    concurrency: int = 4


@dataclass(frozen=True)
class Budget:
    """How long the summary stage may ask the model: while the time left covers the rest of the
    run — one model call under way, the days still to fetch, summarize-free, render and archive
    (at the pace this run has measured so far), and the commit — so that the run publishes
    before the invocation ends. Measured from the work left, not a constant."""

    model_call: float = field(default_factory=lambda: CLIENTS["bedrock-runtime"].worst_case_seconds)  # one call
    commit: float = 60.0  # the commit: reads, create-tree chunks, commit, ref (measured ~2 s)
    per_day: float = 0.5  # a day's fetch, render and write until this run has measured its own

    def reserve(self, days_left: int, seconds_per_day: float | None) -> float:
        pace = self.per_day if seconds_per_day is None else seconds_per_day
        return self.model_call + self.commit + pace * days_left


class _Pace:
    """The run's measured time per day (fetch, render, archive; not the model's), for the budget."""

    def __init__(self, days: int, workers: int) -> None:
        self.left, self.workers = days, max(workers, 1)
        self.spent, self.done = 0.0, 0
        self._lock = threading.Lock()

    def finished(self, seconds: float) -> None:
        with self._lock:
            self.spent, self.done, self.left = self.spent + seconds, self.done + 1, self.left - 1

    def seconds_per_day(self) -> float | None:
        """Wall seconds per remaining day (days run `workers` at a time); None before any is done."""
        with self._lock:
            return self.spent / self.done / self.workers if self.done else None


class RunModel:
    """The model as one run sees it: after a permanent failure (no access, a wrong model id, no
    credentials) no call is made for the rest of this run — and only this run: the next invocation
    asks again (after the access was granted or SUMMARY_MODEL fixed)."""

    def __init__(self, model: SummaryModel) -> None:
        self._model = model
        self.model, self.prompt_version, self.language = model.model, model.prompt_version, model.language
        self.stopped: str | None = None

    def ask(self, paper: Paper, *, feedback: str | None = None) -> Answer:
        if self.stopped is not None:
            raise SummaryFailed(self.stopped, permanent=True)
        try:
            return self._model.ask(paper, feedback=feedback)
        except SummaryFailed as failure:
            if failure.permanent:
                self.stopped = failure.reason
            raise


class DaysFailed(DailyPapersError):
    """Some days of a multi-day run failed; the others were archived and published."""

    def __init__(self, failed: Sequence[DayResult], commit_sha: str | None) -> None:
        self.failed = list(failed)
        names = listed([f"{r.date} ({r.error})" for r in failed])
        done = f"; the other days were published in commit {commit_sha}" if commit_sha else ""
        super().__init__(f"{len(failed)} day(s) failed: {names}{done}. Re-run the same dates to complete.")


def daily(request: DailyRequest, refresh_days: int, ports: Ports, options: Options, ctx: RunContext,
          budget: Budget = Budget()) -> DailyResult:
    """The target day; a scheduled run also refreshes the `refresh_days` before it."""
    refresh = refresh_days if request.scheduled else 0
    dates = [request.date - dt.timedelta(days=i) for i in range(refresh, -1, -1)]
    if not request.dry_run:
        ctx.record.plan(archive_key(request.date), post_path(request.date))
    message = f"Daily Papers {request.date}"
    if refresh:
        message += f" (refresh {dates[0]}..{dates[-2]})"
    days, commit_sha, _ = run_days(dates, ports, options, ctx, budget, dry_run=request.dry_run, summarize=True,
                                   message=message)
    if not request.dry_run:
        ctx.count("DailyPostPublished", int(days[-1].status in (Status.CREATED, Status.UPDATED)))
    return DailyResult(days[-1], tuple(days[:-1]), commit_sha)


def backfill(request: RangeRequest, ports: Ports, options: Options, ctx: RunContext,
             budget: Budget = Budget()) -> RangeResult:
    message = f"Daily Papers backfill {request.start}..{request.end}"
    days, commit_sha, stopped = run_days(request.dates, ports, options, ctx, budget, dry_run=request.dry_run,
                                         summarize=request.summarize, message=message)
    totals = None
    if request.summarize and ports.model is not None:
        totals = sum((d.summaries for d in days if d.summaries), SummaryCounts())
    return RangeResult(request.start, request.end, tuple(days), commit_sha, totals, stopped)


def run_days(
    dates: Sequence[dt.date], ports: Ports, options: Options, ctx: RunContext, budget: Budget, *,
    dry_run: bool, summarize: bool, message: str,
) -> tuple[list[DayResult], str | None, bool]:
    """(a result per day, the commit, whether the summary stage stopped for time)."""
    dates = sorted(set(dates))
    model = RunModel(ports.model) if ports.model is not None else None
    pace = _Pace(len(dates), options.concurrency)
    stopped = threading.Event()

    def out_of_time() -> bool:
        if not summarize or (model is not None and model.stopped is not None):
            return True  # not asked to, or the model cannot be used in this run: kept summaries only
        if ctx.time_left is not None and ctx.time_left() < budget.reserve(pace.left, pace.seconds_per_day()):
            stopped.set()
            return True
        return False

    def one_day(date: dt.date) -> DayResult | _Prepared:
        return _prepare(date, ports, options, ctx, model, pace, out_of_time, dry_run=dry_run)

    results = each_day(dates, one_day, ctx, workers=options.concurrency,
                       failed=lambda d, error: DayResult(d, Status.FAILED, error=error))
    posts = {r.post_path: r.post for r in results if isinstance(r, _Prepared)}
    commit_sha = None
    statuses: dict[str, str] = {}
    if not dry_run:
        publication = publish(ports, posts, message, ctx)
        if publication is not None:
            commit_sha, statuses = publication.commit_sha, publication.statuses
    days = [_result(r, statuses, commit_sha, dry_run=dry_run) for r in results]
    _count(days, ctx)
    ctx.log.info("run finished", extra={
        "dates": f"{dates[0]}..{dates[-1]}", "counts": {s.value: sum(d.status is s for d in days) for s in Status
                                                        if any(d.status is s for d in days)},
        "commit_sha": commit_sha, "publisher": ports.publisher.where,
    })
    failed = [d for d in days if d.status is Status.FAILED]
    if failed:
        raise DaysFailed(failed, commit_sha)
    return days, commit_sha, stopped.is_set()


# -- one day -----------------------------------------------------------------------------------
def _prepare(
    date: dt.date, ports: Ports, options: Options, ctx: RunContext, model: RunModel | None, pace: _Pace,
    out_of_time: Callable[[], bool], *, dry_run: bool,
) -> DayResult | _Prepared:
    """fetch → rank → summarize → render → archive, for one day: its result, or its post ready to
    publish (then its result is made once the commit says what became of the post).
    The day is archived before its post is published (by the run's one commit); a day's memory is
    released once it is archived: a year's backfill holds its posts, not its papers."""
    started = ctx.clock()
    spent_on_model = 0.0
    key = archive_key(date)
    try:
        stored = read_day(ports, date, ctx, papers=False, dry_run=dry_run)
        if stored is not None and stored.settled_empty:  # a weekend, on record: nothing to ask
            return DayResult(date, Status.EMPTY, archive_key=key)
        day = fetch_day(ports, date, ctx, stored)
        if day.empty:
            return _empty(day, stored, ports, ctx, dry_run=dry_run)
        fill = None
        if model is not None:
            asked = ctx.clock()
            fill = fill_summaries(rank(day.papers, options.top_n), stored.summaries if stored else {},
                                  stored.rejections if stored else {}, model, now=ctx.now, should_stop=out_of_time,
                                  log=ctx.log)
            spent_on_model = ctx.clock() - asked
        record = record_of(ports, _with_summaries(day, stored, fill), stored, ctx)
        day = record.day  # without any item the archive cannot keep
        papers: list[Paper] = rank(day.papers, options.top_n)
        post = render_daily(date, papers, options.style, fill.texts if fill is not None else None)
        archived = False if dry_run else write(ports, record, ctx)
        counts = None if fill is None else SummaryCounts(fill.made, fill.rejected, len(fill.missing))
        return _Prepared(date, len(day.papers), len(papers), key, archived, post_path(date), counts, post)
    finally:
        pace.finished(ctx.clock() - started - spent_on_model)


def _with_summaries(day: Day, stored: Day | None, fill: SummaryFill | None) -> Day:
    """The day's record keeps every summary and rejection kept before, updated with the new ones."""
    if stored is not None:
        day = replace(day, summaries=stored.summaries, rejections=stored.rejections)
    return with_answers(day, fill.summaries, fill.rejections) if fill is not None else day


def _empty(day: Day, stored: Day | None, ports: Ports, ctx: RunContext, *, dry_run: bool) -> DayResult:
    """A day without papers: recorded in the archive (so that no run asks again once settled)."""
    key = archive_key(day.date)
    if stored is not None and not stored.empty:
        # Papers were seen for this day before: an empty answer now is a glitch, not news.
        ctx.log.warning(f"{day.date}: no papers now, but {len(stored.items)} archived; archive kept",
                        extra={"date": day.date.isoformat(), "key": key})
        return DayResult(day.date, Status.EMPTY, archive_key=key)
    archived = False if dry_run else store_day(ports, _with_summaries(day, stored, None), stored, ctx)
    return DayResult(day.date, Status.EMPTY, archive_key=key, archived=archived)


@dataclass(frozen=True)
class _Prepared:
    """A day whose post is ready: what its result will say, but for what the commit decides."""

    date: dt.date
    papers: int
    listed: int
    archive_key: str
    archived: bool
    post_path: str
    summaries: SummaryCounts | None
    post: str


def _result(day: DayResult | _Prepared, statuses: dict[str, str], commit_sha: str | None, *,
            dry_run: bool) -> DayResult:
    """The day's result, made once: a prepared day's status is what the commit did to its post."""
    if isinstance(day, DayResult):
        return day
    status = Status.DRY_RUN if dry_run else Status(statuses[day.post_path])
    return DayResult(
        day.date, status, papers=day.papers, listed=day.listed, archive_key=day.archive_key, archived=day.archived,
        post_path=day.post_path, commit_sha=commit_sha if status in (Status.CREATED, Status.UPDATED) else None,
        summaries=day.summaries, post=day.post if dry_run else None,
    )


def _count(days: Sequence[DayResult], ctx: RunContext) -> None:
    for name, value in (
        ("PapersFetched", sum(d.papers for d in days)),
        ("PostsPublished", sum(d.status in (Status.CREATED, Status.UPDATED) for d in days)),
        ("PostsUnchanged", sum(d.status is Status.UNCHANGED for d in days)),
        ("DaysEmpty", sum(d.status is Status.EMPTY for d in days)),
        ("DaysFailed", sum(d.status is Status.FAILED for d in days)),
    ):
        ctx.count(name, value)
    counts = [d.summaries for d in days if d.summaries]
    if counts:
        total = sum(counts, SummaryCounts())
        ctx.count("SummariesMade", total.made)
        ctx.count("SummariesMissing", total.missing)
        ctx.count("SummariesRejected", total.rejected)
