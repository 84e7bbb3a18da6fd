"""Monthly and weekly digests, built from the day archive.

A digest covers the days of a month or an ISO week up to the last closed UTC day. Each day is
read from the archive; a day the archive does not have is fetched from the source and archived
first (a day that turns out empty stays empty and is not archived, as in a daily run). The
papers of all days are deduplicated by id, each keeping its latest archived upvotes (the copy
with the newest `fetched_at`; on a tie, the later day's), then:

- statistics: papers (unique), total upvotes, average (total upvotes / papers, two decimals),
  days with papers;
- the top papers by upvotes (20 for a month, 10 for a week), written exactly like the daily
  post's items; equal upvotes keep the order the papers first appeared in (day, then rank);
- the 10 most frequent `paper.ai_keywords`, each counted once per paper. Keywords that differ
  only in case or spacing are one keyword, shown in its most common spelling; equal counts are
  ordered alphabetically (case-insensitively).

The digest run publishes the digest post only, in one commit: days it had to fetch are
archived, but their daily posts are left to the daily run or a backfill, so a digest never
rewrites daily posts behind the owner's back. A day that cannot be fetched fails the digest
(nothing is published, an incomplete summary would be wrong) with an error naming the day; the
days that could be fetched stay archived and a re-run completes the digest.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Sequence

from .archive import archive_key
from .errors import DailyPapersError, UpstreamInvalid
from .escape import fold_whitespace
from .hf import parse_day
from .models import Paper, rank
from .render import render
from .inputs import DigestRequest

TOP_PAPERS = {"monthly": 20, "weekly": 10}
TOP_KEYWORDS = 10
POST_TIME = "09:00:00"


@dataclass(frozen=True)
class Keyword:
    text: str
    count: int


@dataclass
class Digest:
    """What a digest post shows."""

    request: DigestRequest
    papers: list[Paper]  # every unique paper, latest upvotes, highest first
    days: int  # days with papers
    keywords: list[Keyword]

    @property
    def total_upvotes(self) -> int:
        return sum(p.upvotes for p in self.papers)

    @property
    def average(self) -> float:
        return self.total_upvotes / len(self.papers) if self.papers else 0.0

    @property
    def top(self) -> int:
        return TOP_PAPERS[self.request.kind]


@dataclass
class _Loaded:
    """One day of the period: its papers and where they came from."""

    date: dt.date
    papers: tuple[Paper, ...] = ()
    fetched_at: str = ""
    fetched: bool = False  # not in the archive: fetched from the source
    archived: bool = False  # this run wrote it to the archive
    error: str | None = None


@dataclass
class _Copy:
    paper: Paper
    stamp: tuple[str, dt.date]  # (fetched_at, date): the greatest is the latest count
    first_seen: int = field(default=0)


class DigestIncomplete(DailyPapersError):
    """Days of the period could not be read from the archive or, missing there, fetched."""

    def __init__(self, request: DigestRequest, failed: list[_Loaded]) -> None:
        self.failed = [d.date.isoformat() for d in failed]
        names = ", ".join(f"{d.date} ({d.error})" for d in failed[:10])
        more = f" and {len(failed) - 10} more" if len(failed) > 10 else ""
        super().__init__(
            f"{request.kind} digest {request.label} not built: {len(failed)} day(s) could not be read from "
            f"the archive or fetched: {names}{more}. The other days are archived; re-run to complete."
        )


# -- naming ----------------------------------------------------------------------------------
def period_label(request: DigestRequest) -> str:
    """`2026년 2월`, or `2026년 8주차 (02.16 ~ 02.22)` for ISO week 2026-W08."""
    if request.kind == "monthly":
        return f"{request.start.year}년 {request.start.month}월"
    year, week, _ = request.start.isocalendar()
    sunday = request.start + dt.timedelta(days=6)
    return f"{year}년 {week}주차 ({request.start:%m.%d} ~ {sunday:%m.%d})"


def digest_post_path(request: DigestRequest) -> str:
    return f"_posts/{request.start.isoformat()}-{request.kind}-papers-summary.md"


def commit_message(request: DigestRequest) -> str:
    return f"{request.kind.capitalize()} Papers Summary {request.label}"


# -- building --------------------------------------------------------------------------------
def build_digest(request: DigestRequest, days: Sequence[tuple[dt.date, str, Sequence[Paper]]]) -> Digest:
    """Days as (date, fetched_at, papers in API order) → the digest's numbers and lists."""
    copies: dict[str, _Copy] = {}
    days_with_papers = 0
    order = 0
    for date, fetched_at, papers in sorted(days, key=lambda d: d[0]):
        if papers:
            days_with_papers += 1
        for paper in papers:
            stamp = (fetched_at, date)
            known = copies.get(paper.id)
            if known is None:
                copies[paper.id] = _Copy(paper, stamp, order)
                order += 1
            elif stamp >= known.stamp:
                known.paper, known.stamp = paper, stamp
    unique = [c.paper for c in sorted(copies.values(), key=lambda c: c.first_seen)]
    return Digest(request, rank(unique, 0), days_with_papers, top_keywords(unique, TOP_KEYWORDS))


def top_keywords(papers: Sequence[Paper], n: int) -> list[Keyword]:
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for paper in papers:
        seen: set[str] = set()
        for raw in paper.keywords:
            text = fold_whitespace(raw)
            key = text.casefold()
            if not text or key in seen:
                continue
            seen.add(key)
            counts[key] += 1
            spellings.setdefault(key, Counter())[text] += 1
    keywords = []
    for key, count in counts.items():
        spelling = min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0]
        keywords.append(Keyword(spelling, count))
    keywords.sort(key=lambda k: (-k.count, k.text.casefold(), k.text))
    return keywords[:n]


def render_digest(digest: Digest, author: str | None) -> str:
    request = digest.request
    label = period_label(request)
    if request.kind == "monthly":
        title, heading, category = "Monthly Summary", "월간 요약", "월간"
    else:
        title, heading, category = "Weekly Summary", "주간 요약", "주간"
    return render(
        "digest.md.j2",
        title=f"Hugging Face Papers {title} - {label}",
        heading=f"Hugging Face Papers {heading} - {label}",
        date=request.start,
        time=POST_TIME,
        category=category,
        tags=f"huggingface, papers, {request.kind}, ai, summary",
        author=author,
        total_papers=len(digest.papers),
        total_upvotes=digest.total_upvotes,
        average=digest.average,
        days=digest.days,
        top=digest.top,
        papers=digest.papers[: digest.top],
        keyword_top=TOP_KEYWORDS,
        keywords=digest.keywords,
    )


# -- running ---------------------------------------------------------------------------------
def run_digest(request: DigestRequest, pipeline: Any, *, last_closed: dt.date) -> dict[str, Any]:
    """Build the digest from the archive (filling it where needed) and publish it in one commit.

    `pipeline` gives the source, archive, publisher, options and logger (a `Pipeline`).
    `last_closed` is the newest day whose list has stopped filling (yesterday, UTC).
    """
    end = min(request.end, last_closed)
    dates = [d for d in request.dates if d <= end]
    loaded = _load_all(pipeline, dates, dry_run=request.dry_run)
    fetched = [d.date.isoformat() for d in loaded if d.fetched]
    archived = [d.date.isoformat() for d in loaded if d.archived]
    pipeline.count("DigestDaysFetched", len(fetched))
    failed = [d for d in loaded if d.error]
    result: dict[str, Any] = {
        "digest": request.kind,
        "period": request.label,
        "start": request.start.isoformat(),
        "end": end.isoformat() if dates else None,
        "status": "empty",
        "papers": 0,
        "listed": 0,
        "days": 0,
        "fetched": fetched,
        "archived": archived,
    }
    if failed:
        pipeline.log.error(
            "digest not built: days could not be fetched",
            extra={"period": request.label, "failed": [d.date.isoformat() for d in failed], "archived": archived},
        )
        raise DigestIncomplete(request, failed)

    digest = build_digest(request, [(d.date, d.fetched_at, d.papers) for d in loaded])
    result.update(papers=len(digest.papers), listed=min(len(digest.papers), digest.top), days=digest.days)
    if not digest.papers:
        pipeline.log.info("digest empty: no papers in the period", extra=_log(result))
        return {k: v for k, v in result.items() if v is not None}

    path = digest_post_path(request)
    post = render_digest(digest, pipeline.options.author)
    result["post_path"] = path
    if request.dry_run:
        result.update(status="dry_run", post=post)
        return result
    publication = pipeline.publisher.publish({path: post}, commit_message(request))
    result["status"] = publication.statuses[path]
    if publication.commit_sha:
        result["commit_sha"] = publication.commit_sha
    pipeline.log.info("digest finished", extra=dict(_log(result), publisher=pipeline.publisher.where))
    return result


def _log(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "post"}


def _load_all(pipeline: Any, dates: list[dt.date], *, dry_run: bool) -> list[_Loaded]:
    if not dates:
        return []
    with ThreadPoolExecutor(max_workers=pipeline.options.concurrency) as pool:
        return list(pool.map(lambda d: _load(pipeline, d, dry_run=dry_run), dates))


def _load(pipeline: Any, date: dt.date, *, dry_run: bool) -> _Loaded:
    """The day from the archive; if it is not there, from the source (archived unless dry run)."""
    key = archive_key(date)
    loaded = _Loaded(date)
    try:
        document = pipeline.archive.get(key)
        if document is not None:
            return _from_document(date, key, document)
        loaded.fetched = True
        day = pipeline.fetch(date)
        loaded.papers, loaded.fetched_at = day.papers, day.fetched_at
        if not day.empty and not dry_run:
            loaded.archived = pipeline.store(day)
        return loaded
    except DailyPapersError as exc:
        pipeline.log.error("digest day failed", extra={"date": date.isoformat(), "error": str(exc)})
        loaded.error = str(exc)
        return loaded


def _from_document(date: dt.date, key: str, document: Any) -> _Loaded:
    items = document.get("papers") if isinstance(document, dict) else None
    fetched_at = document.get("fetched_at") if isinstance(document, dict) else None
    if not isinstance(items, list) or not isinstance(fetched_at, str):
        raise UpstreamInvalid("archive", key, "a day document with papers and fetched_at", type(document).__name__)
    day = parse_day(date, [items], dt.datetime.now(dt.timezone.utc))
    return _Loaded(date, day.papers, fetched_at)
