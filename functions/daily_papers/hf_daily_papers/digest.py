"""Monthly and weekly digests, built from the day archive.

A digest covers the days of a month or an ISO week up to the last closed UTC day. Each day is
read from the archive; a day the archive does not have (or holds in an unreadable object) is
fetched from the source and archived first, empty days included (recorded with zero papers, so
the next digest does not ask again). The
papers of all days are deduplicated by id, each keeping its latest archived upvotes (the copy
with the newest `fetched_at`; on a tie, the later day's), then:

- statistics: papers (unique), total upvotes, average (total upvotes / papers, two decimals),
  days with papers;
- the top papers by upvotes (20 for a month, 10 for a week), written exactly like the daily
  post's items; equal upvotes keep the order the papers first appeared in (day, then rank);
- the 10 most frequent `paper.ai_keywords`, each counted once per paper. Keywords that differ
  only in case or spacing are one keyword, shown in its most common spelling; equal counts are
  ordered alphabetically (case-insensitively).

With summaries on, the listed papers' summaries come from their days' archive documents; a
listed paper without one is summarized now and its summary stored in its day's document.

The digest run publishes the digest post only, in one commit: days it had to fetch are
archived, but their daily posts are left to the daily run or a backfill, so a digest never
rewrites daily posts behind the owner's back. A day that cannot be fetched fails the digest
(nothing is published, an incomplete summary would be wrong) with an error naming the day; the
days that could be fetched stay archived and a re-run completes the digest.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .archive import ArchivedDay, day_document
from .errors import DailyPapersError
from .escape import fold_whitespace
from .inputs import DigestRequest
from .models import Paper, rank
from .pipeline import Options, Ports, RunContext, fetch, read_archived, store, summarize_papers
from .render import PostStyle, render
from .results import DigestResult, Status

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
    stored: ArchivedDay | None = None  # the day's archive document as it now stands (None: failed)


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


def digest_permalink(request: DigestRequest) -> str:
    """The post's URL (front matter `permalink:`): `/posts/weekly-papers-summary-2026-W02/`."""
    return f"/posts/{request.kind}-papers-summary-{request.label}/"


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


def render_digest(digest: Digest, style: PostStyle, summaries: Mapping[str, str] | None = None) -> str:
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
        permalink=digest_permalink(request),
        style=style,
        summaries=summaries,
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
def run_digest(
    request: DigestRequest, ports: Ports, options: Options, ctx: RunContext, *, last_closed: dt.date
) -> DigestResult:
    """Build the digest from the archive (filling it where needed) and publish it in one commit.

    `last_closed` is the newest day whose list has stopped filling (yesterday, UTC).
    """
    end = min(request.end, last_closed)
    dates = [d for d in request.dates if d <= end]
    loaded = _load_all(ports, ctx, dates, dry_run=request.dry_run, concurrency=options.concurrency)
    result = DigestResult(
        request.kind, request.label, request.start, end if dates else None,
        fetched=[d.date.isoformat() for d in loaded if d.fetched],
        archived=[d.date.isoformat() for d in loaded if d.archived],
    )
    ctx.count("DigestDaysFetched", len(result.fetched))
    failed = [d for d in loaded if d.error]
    if failed:
        raise DigestIncomplete(request, failed)

    digest = build_digest(request, [(d.date, d.fetched_at, d.papers) for d in loaded])
    result.papers, result.listed, result.days = len(digest.papers), min(len(digest.papers), digest.top), digest.days
    if not digest.papers:
        ctx.log.info("digest empty: no papers in the period", extra={"period": request.label})
        return result

    listed = digest.papers[: digest.top]
    fill = summarize_papers(listed, _all_summaries(loaded), ports.summarizer, ctx, options.summary_reserve)
    texts = None
    if fill is not None:
        texts = {pid: s.text for pid, s in fill.summaries.items()}
        result.summaries_made, result.summaries_missing = fill.made, len(fill.missing)
        if fill.made and not request.dry_run:
            result.archived += _store_new_summaries(ports, ctx, loaded, fill.summaries, listed)
    post = render_digest(digest, options.style, texts)
    result.post_path = digest_post_path(request)
    if request.dry_run:
        result.status, result.post = Status.DRY_RUN, post
        return result
    try:
        publication = ports.publisher.publish({result.post_path: post}, commit_message(request))
    except Exception:
        ctx.record.unpublished([result.post_path])
        raise
    result.status = Status(publication.statuses[result.post_path])
    if publication.commit_sha:
        result.commit_sha = publication.commit_sha
        ctx.record.committed(publication.commit_sha)
    ctx.log.info("digest finished", extra={"result": _log(result), "publisher": ports.publisher.where})
    return result


def _log(result: DigestResult) -> dict[str, Any]:
    return {k: v for k, v in result.to_json().items() if k != "post"}


def _all_summaries(loaded: list[_Loaded]) -> dict[str, Any]:
    """Every stored summary of the period, by paper id (a later day's copy wins)."""
    merged: dict[str, Any] = {}
    for day in sorted(loaded, key=lambda d: d.date):
        if day.stored is not None:
            merged.update(day.stored.summaries)
    return merged


def _store_new_summaries(
    ports: Ports, ctx: RunContext, loaded: list[_Loaded], summaries: Mapping[str, Any], listed: Sequence[Paper]
) -> list[str]:
    """Write each new summary into the document of the latest day its paper appears on."""
    from .summarize import Summary

    by_paper: dict[str, _Loaded] = {}
    for day in sorted(loaded, key=lambda d: d.date):
        for paper in day.papers:
            by_paper[paper.id] = day
    changed: dict[dt.date, _Loaded] = {}
    for paper in listed:
        summary = summaries.get(paper.id)
        owner = by_paper.get(paper.id)
        if not isinstance(summary, Summary) or owner is None or owner.stored is None:
            continue
        if Summary.from_json(owner.stored.summaries.get(paper.id)) == summary:
            continue
        owner.stored.summaries[paper.id] = summary.to_json()
        changed[owner.date] = owner
    written = []
    for date, day in sorted(changed.items()):
        assert day.stored is not None
        document = dict(day.stored.document)
        document["summaries"] = {pid: day.stored.summaries[pid] for pid in sorted(day.stored.summaries)}
        if store(ports.archive, document, None, ctx):
            written.append(date.isoformat())
    return written


def _load_all(ports: Ports, ctx: RunContext, dates: list[dt.date], *, dry_run: bool, concurrency: int) -> list[_Loaded]:
    if not dates:
        return []
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(lambda d: _load(ports, ctx, d, dry_run=dry_run), dates))


def _load(ports: Ports, ctx: RunContext, date: dt.date, *, dry_run: bool) -> _Loaded:
    """The day from the archive; if it is not there (or unreadable), from the source (archived
    unless dry run). A day archived as empty after it closed is not asked for again."""
    loaded = _Loaded(date)
    try:
        archived = read_archived(ports.archive, date, ctx)
        if archived is not None and (not archived.empty or archived.settled_empty):
            return _Loaded(date, archived.papers, archived.fetched_at, stored=archived)
        loaded.fetched = True
        day = fetch(ports.source, date, ctx)
        loaded.papers, loaded.fetched_at = day.papers, day.fetched_at
        document = day_document(day, ports.source.url(date))
        if not dry_run:
            loaded.archived = store(ports.archive, document, None, ctx)
        loaded.stored = ArchivedDay(date, day.fetched_at, day.papers, document, {})
        return loaded
    except Exception as exc:  # noqa: BLE001 - one failing day is reported with the others, not alone
        error = str(exc) if isinstance(exc, DailyPapersError) else f"{type(exc).__name__}: {exc}"
        ctx.log.warning(f"digest day failed: {date}: {error}", extra={"date": date.isoformat(), "error": error})
        loaded.error = error
        return loaded
