"""The pipeline: fetch → rank → render → archive → publish, for one day or many.

A daily run, a refresh of recent days and a backfill are the same thing: a list of dates. Each
day is fetched, ranked, rendered and archived (a few days at a time); then every changed post
goes to the publisher in one commit. The archive is always written before the post, so a
failure never leaves a post without its data, and a re-run completes whatever a failure left.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Protocol, Sequence

from .archive import Archive, archive_document, archive_key, same_content
from .errors import DailyPapersError
from .hf import PaperSource
from .models import Day, rank
from .publish import Publisher
from .render import post_path, render_daily


class Metrics(Protocol):
    def add_metric(self, name: str, unit: str, value: float) -> None: ...


class NullMetrics:
    def add_metric(self, name: str, unit: str, value: float) -> None:
        pass


@dataclass(frozen=True)
class Options:
    top_n: int = 10
    author: str | None = None
    concurrency: int = 4


@dataclass
class DayResult:
    date: str
    status: str  # created | updated | unchanged | empty | dry_run | failed
    papers: int = 0  # papers of the day (archived)
    listed: int = 0  # papers in the post
    archive_key: str | None = None
    archived: bool = False  # this run wrote the archive object
    post_path: str | None = None
    commit_sha: str | None = None
    error: str | None = None
    post: str | None = field(default=None, repr=False)  # the rendered post, for dry runs

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


class DaysFailed(DailyPapersError):
    """Some days of a multi-day run failed; the others were archived and published."""

    def __init__(self, failed: list[DayResult], commit_sha: str | None) -> None:
        self.failed = failed
        names = ", ".join(f"{r.date} ({r.error})" for r in failed[:10])
        more = f" and {len(failed) - 10} more" if len(failed) > 10 else ""
        done = f"; the other days were published in commit {commit_sha}" if commit_sha else ""
        super().__init__(f"{len(failed)} day(s) failed: {names}{more}{done}. Re-run the same dates to complete.")


@dataclass
class RunResult:
    days: list[DayResult]
    commit_sha: str | None = None

    def to_dict(self) -> dict[str, Any]:
        if len(self.days) == 1:
            return self.days[0].to_dict()
        counts: dict[str, int] = {}
        for day in self.days:
            counts[day.status] = counts.get(day.status, 0) + 1
        result: dict[str, Any] = {
            "start": self.days[0].date,
            "end": self.days[-1].date,
            "counts": counts,
            "days": [d.to_dict() for d in self.days],
        }
        if self.commit_sha:
            result["commit_sha"] = self.commit_sha
        return result


Progress = Callable[[int, int, str], None]


class Pipeline:
    def __init__(
        self,
        source: PaperSource,
        archive: Archive,
        publisher: Publisher,
        options: Options = Options(),
        *,
        logger: logging.Logger | Any = None,
        metrics: Metrics | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.source = source
        self.archive = archive
        self.publisher = publisher
        self.options = options
        self.log = logger or logging.getLogger("hf_daily_papers")
        self.metrics = metrics or NullMetrics()
        self.progress = progress
        self._metrics_lock = threading.Lock()  # days are fetched in worker threads

    def count(self, name: str, value: float) -> None:
        """Add to a Count metric; safe from the worker threads of a multi-day run."""
        with self._metrics_lock:
            self.metrics.add_metric(name, "Count", value)

    # -- one day: fetch → rank → render → archive --------------------------------------------
    def prepare(self, date: dt.date, *, dry_run: bool) -> DayResult:
        day = self.fetch(date)
        result = DayResult(date.isoformat(), "empty", papers=len(day.papers))
        if day.empty:
            return result
        listed = rank(day.papers, self.options.top_n)
        result.listed = len(listed)
        result.post_path = post_path(date)
        result.post = render_daily(date, listed, self.options.author)
        result.archive_key = archive_key(date)
        result.status = "dry_run"
        if not dry_run:
            result.archived = self.store(day)
            result.status = "pending"
        return result

    def fetch(self, date: dt.date) -> Day:
        """One day from the source; left-out items are logged and counted."""
        day = self.source.fetch_day(date)
        if day.skipped:
            self.log.warning("left out items", extra={"date": date.isoformat(), "skipped": list(day.skipped)})
            self.count("PapersSkipped", len(day.skipped))
        return day

    def store(self, day: Day) -> bool:
        """Archive a fetched day unless the archive already holds the same papers; True if written."""
        key = archive_key(day.date)
        document = archive_document(day, self.source.url(day.date))
        previous = self.archive.get(key)
        if previous is not None and same_content(previous, document):
            return False
        self.archive.put(key, document)
        return True

    # -- many days, one commit ---------------------------------------------------------------
    def run(self, dates: Sequence[dt.date], *, dry_run: bool = False, message: str) -> RunResult:
        dates = sorted(set(dates))
        results = self._prepare_all(dates, dry_run=dry_run)
        run = RunResult(results)
        for r in results:
            self.count("PapersFetched", r.papers)
        pending = {r.post_path: r for r in results if r.status == "pending" and r.post_path}
        if pending:
            files = {path: r.post or "" for path, r in pending.items()}
            try:
                publication = self.publisher.publish(files, message)
            except Exception:
                self.log.error(
                    "publish failed: posts not published, their archives are in place; a re-run completes it",
                    extra={
                        "archives_in_place": [r.archive_key for r in results if r.archive_key],
                        "archived_by_this_run": [r.archive_key for r in results if r.archived],
                        "not_published": list(pending),
                        "publisher": self.publisher.where,
                    },
                )
                raise
            run.commit_sha = publication.commit_sha
            for path, status in publication.statuses.items():
                pending[path].status = status
                if status != "unchanged":
                    pending[path].commit_sha = publication.commit_sha
        if not dry_run:
            for r in results:
                r.post = None  # the post went to the publisher; results stay small
        self._count(results)
        failed = [r for r in results if r.status == "failed"]
        self.log.info(
            "run finished",
            extra={
                "dates": f"{dates[0]}..{dates[-1]}" if dates else "",
                "counts": RunResult(results).to_dict().get("counts") if len(results) > 1 else results[0].status,
                "commit_sha": run.commit_sha,
                "publisher": self.publisher.where,
            },
        )
        if failed:
            raise DaysFailed(failed, run.commit_sha)
        return run

    def _prepare_all(self, dates: list[dt.date], *, dry_run: bool) -> list[DayResult]:
        if len(dates) == 1:
            # A single day fails as itself: the caller gets the precise error type.
            result = self.prepare(dates[0], dry_run=dry_run)
            self._tick(1, 1, dates[0])
            return [result]
        results: dict[dt.date, DayResult] = {}
        with ThreadPoolExecutor(max_workers=self.options.concurrency) as pool:
            futures = {pool.submit(self.prepare, d, dry_run=dry_run): d for d in dates}
            for done, future in enumerate(as_completed(futures), 1):
                date = futures[future]
                try:
                    results[date] = future.result()
                except DailyPapersError as exc:
                    self.log.error("day failed", extra={"date": date.isoformat(), "error": str(exc)})
                    results[date] = DayResult(date.isoformat(), "failed", error=str(exc))
                self._tick(done, len(dates), date)
        return [results[d] for d in dates]

    def _tick(self, done: int, total: int, date: dt.date) -> None:
        if self.progress:
            self.progress(done, total, date.isoformat())

    def _count(self, results: list[DayResult]) -> None:
        published = sum(r.status in ("created", "updated") for r in results)
        for name, value in (
            ("PostsPublished", published),
            ("PostsUnchanged", sum(r.status == "unchanged" for r in results)),
            ("DaysEmpty", sum(r.status == "empty" for r in results)),
            ("DaysFailed", sum(r.status == "failed" for r in results)),
        ):
            self.count(name, value)
