"""The daily use case: fetch → rank → summarize → render → archive → publish, for one day or many.

A daily run, a refresh of recent days and a backfill are the same thing: a list of dates.

1. fetch: every day is read from the archive and fetched (a few at a time); a day the archive
   holds as settled-empty is not asked for again;
2. summarize (when a model is configured): the listed papers' kept summaries are reused; new
   ones are asked for only when the run summarizes, and only while the invocation has time left
   for everything after (`Budget`);
3. render and archive: each day's post is rendered with every kept summary, and its record
   written unless the archive holds the same;
4. publish: every changed post in one commit.

The archive is written before the post, so a failure never leaves a post without its data, and a
re-run completes whatever a failure left. What the run wrote goes into its `RunRecord`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .archive import archive_key
from .aws import CLIENTS
from .errors import DailyPapersError
from .inputs import DailyRequest, RangeRequest
from .models import Day, Paper, rank
from .ports import Ports
from .render import PostStyle, post_path, render_daily
from .results import DailyResult, DayResult, RangeResult, Status, SummaryCounts
from .run import Cancelled, RunContext, each_day, fetch_day, listed, publish, read_day, record_of, store_day, write
from .summaries import SummaryFill, fill_summaries


@dataclass(frozen=True)
class Options:
    top_n: int = 10
    style: PostStyle = field(default_factory=PostStyle)
    concurrency: int = 4


@dataclass(frozen=True)
class Budget:
    """How long the summary stage may ask the model: until the time left is what the rest of the
    run needs — one model call already under way, plus, per day still to write, its render and
    archive write, plus the commit — measured from the work left, not a constant."""

    model_call: float = field(default_factory=lambda: CLIENTS["bedrock-runtime"].worst_case_seconds)  # one call
    per_day: float = 0.5  # render + one archive write (measured ~0.05 s against S3; margin for retries)
    commit: float = 60.0  # the commit: reads, create-tree chunks, commit, ref (measured ~2 s)

    def reserve(self, days_to_write: int) -> float:
        return self.model_call + self.commit + self.per_day * days_to_write


class DaysFailed(DailyPapersError):
    """Some days of a multi-day run failed; the others were archived and published."""

    def __init__(self, failed: Sequence[DayResult], commit_sha: str | None) -> None:
        self.failed = list(failed)
        names = listed([f"{r.date} ({r.error})" for r in failed])
        done = f"; the other days were published in commit {commit_sha}" if commit_sha else ""
        super().__init__(f"{len(failed)} day(s) failed: {names}{done}. Re-run the same dates to complete.")


@dataclass(frozen=True)
class _Fetched:
    """A day after the fetch step: what the archive held, and what was fetched (None: not asked)."""

    date: dt.date
    stored: Day | None
    day: Day | None = None
    error: str | None = None


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
    try:
        fetched = each_day(dates, lambda d: _fetch(d, ports, ctx, dry_run=dry_run), ctx,
                           workers=options.concurrency, failed=lambda d, error: _Fetched(d, None, error=error))
    except Cancelled as cancelled:  # interrupted: what was fetched is archived (no post), then it stops
        if not dry_run:
            for item in cancelled.done.values():
                if isinstance(item, _Fetched) and item.day is not None:
                    store_day(ports, _with_summaries(item.day, item.stored, None), item.stored, ctx)
        raise
    fills, stopped = _summarize(fetched, ports, options, ctx, budget, ask=summarize)
    by_date = {f.date: f for f in fetched}
    results = each_day(
        dates, lambda d: _write(by_date[d], fills.get(d), ports, options, ctx, dry_run=dry_run),
        ctx, workers=options.concurrency, failed=lambda d, error: (DayResult(d, Status.FAILED, error=error), None),
        progress=False,
    )
    posts = {r.post_path: post for r, post in results if post is not None and r.post_path}
    commit_sha = None
    statuses: dict[str, str] = {}
    if not dry_run:
        publication = publish(ports, posts, message, ctx)
        if publication is not None:
            commit_sha, statuses = publication.commit_sha, publication.statuses
    days = [_published(r, post, statuses, commit_sha, dry_run=dry_run) for r, post in results]
    _count(days, ctx)
    ctx.log.info("run finished", extra={
        "dates": f"{dates[0]}..{dates[-1]}", "counts": {s.value: sum(d.status is s for d in days) for s in Status
                                                        if any(d.status is s for d in days)},
        "commit_sha": commit_sha, "publisher": ports.publisher.where,
    })
    failed = [d for d in days if d.status is Status.FAILED]
    if failed:
        raise DaysFailed(failed, commit_sha)
    return days, commit_sha, stopped


# -- the steps ---------------------------------------------------------------------------------
def _fetch(date: dt.date, ports: Ports, ctx: RunContext, *, dry_run: bool) -> _Fetched:
    stored, _ = read_day(ports, date, ctx, papers=False, dry_run=dry_run)
    if stored is not None and stored.settled_empty:  # a weekend, on record: nothing to ask
        return _Fetched(date, stored)
    return _Fetched(date, stored, fetch_day(ports, date, ctx, stored))


def _summarize(
    fetched: Sequence[_Fetched], ports: Ports, options: Options, ctx: RunContext, budget: Budget, *, ask: bool
) -> tuple[dict[dt.date, SummaryFill], bool]:
    """Every day's listed papers' summaries: kept ones always (whatever the run), new ones only
    when `ask` and while the budget allows. Days go newest first: the newest posts matter most."""
    if ports.model is None:
        return {}, False
    model = ports.model
    todo = [f for f in fetched if f.day is not None and not f.day.empty]
    fills: dict[dt.date, SummaryFill] = {}
    stopped = False
    for n, item in enumerate(sorted(todo, key=lambda f: f.date, reverse=True)):
        assert item.day is not None
        kept = item.stored.summaries if item.stored else {}
        rejected = item.stored.rejections if item.stored else {}
        left = len(todo) - n

        def out_of_time(left: int = left) -> bool:
            return not ask or (ctx.time_left is not None and ctx.time_left() < budget.reserve(left))

        fill = fill_summaries(rank(item.day.papers, options.top_n), kept, rejected, model,
                              now=ctx.now, should_stop=out_of_time, log=ctx.log)
        stopped = stopped or (ask and fill.stopped and out_of_time())
        fills[item.date] = fill
    return fills, stopped


def _write(
    item: _Fetched, fill: SummaryFill | None, ports: Ports, options: Options, ctx: RunContext, *, dry_run: bool
) -> tuple[DayResult, str | None]:
    """Render the day's post and archive the day: (its result so far, its post or None)."""
    if item.error is not None:
        return DayResult(item.date, Status.FAILED, error=item.error), None
    key = archive_key(item.date)
    day, stored = item.day, item.stored
    if day is None:  # settled-empty on record
        return DayResult(item.date, Status.EMPTY, archive_key=key), None
    if day.empty:
        return _empty(day, stored, ports, ctx, dry_run=dry_run), None
    record = record_of(ports, _with_summaries(day, stored, fill), stored, ctx)
    day = record.day  # without any item the archive cannot keep
    papers: list[Paper] = rank(day.papers, options.top_n)
    texts = None if fill is None else {p.id: fill.summaries[p.id].text for p in papers if p.id in fill.summaries}
    post = render_daily(item.date, papers, options.style, texts)
    archived = False if dry_run else write(ports, record, ctx)
    counts = None
    if fill is not None:
        counts = SummaryCounts(fill.made, fill.rejected, len(fill.missing))
    return DayResult(item.date, Status.DRY_RUN, papers=len(day.papers), listed=len(papers), archive_key=key,
                     archived=archived, post_path=post_path(item.date), summaries=counts), post


def _with_summaries(day: Day, stored: Day | None, fill: SummaryFill | None) -> Day:
    """The day's record keeps every summary and rejection kept before, updated with the new ones."""
    summaries = dict(stored.summaries) if stored else {}
    rejections = dict(stored.rejections) if stored else {}
    if fill is not None:
        summaries.update(fill.summaries)
        rejections.update(fill.rejections)
        for pid in fill.summaries:
            rejections.pop(pid, None)
    return replace(day, summaries=summaries, rejections=rejections)


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


def _published(result: DayResult, post: str | None, statuses: dict[str, str], commit_sha: str | None, *,
               dry_run: bool) -> DayResult:
    """The day's final result, once the commit says what happened to its post."""
    if post is None:
        return result
    if dry_run:
        return replace(result, post=post)
    status = Status(statuses[result.post_path or ""])
    return replace(result, status=status, commit_sha=commit_sha if status is not Status.UNCHANGED else None)


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
