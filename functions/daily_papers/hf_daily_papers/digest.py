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
from dataclasses import dataclass, field, replace

from .daily import Budget, Options, RunModel
from .errors import DailyPapersError
from .escape import fold_whitespace
from .inputs import DigestRequest
from .models import Day, Paper, rank
from .ports import Ports
from .render import PostStyle, render
from .results import DigestResult, Status, SummaryCounts
from .run import RunContext, each_day, error_text, fetch_day, listed, publish, read_day, store_day, with_answers
from .summaries import Rejection, Summary, SummaryFill, fill_summaries

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


@dataclass(frozen=True)
class _Loaded:
    """One day of the period: as the archive holds it, or fetched now (then written at the end)."""

    date: dt.date
    day: Day | None = None  # None: failed
    stored: Day | None = None  # what the archive held (None: nothing readable)
    fetched: bool = False
    error: str | None = None


@dataclass
class _Copy:
    paper: Paper
    stamp: tuple[str, dt.date]  # (fetched_at, date): the greatest is the latest count
    first_seen: int = field(default=0)


class DigestIncomplete(DailyPapersError):
    """Days of the period could not be read from the archive or, missing there, fetched."""

    def __init__(self, request: DigestRequest, failed: Sequence[_Loaded]) -> None:
        self.failed = [d.date.isoformat() for d in failed]
        names = listed([f"{d.date} ({d.error})" for d in failed])
        super().__init__(
            f"{request.kind} digest {request.label} not built: {len(failed)} day(s) could not be read from "
            f"the archive or fetched: {names}. The other days are archived; re-run to complete."
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

    `last_closed` is the newest day whose list has stopped filling (yesterday, UTC). Every day is
    written to the archive at most once per run: fetched days and new summaries together."""
    end = min(request.end, last_closed)
    dates = [d for d in request.dates if d <= end]
    loaded = each_day(dates, lambda d: _load(ports, ctx, d, dry_run=request.dry_run), ctx,
                      workers=options.concurrency, failed=lambda d, error: _Loaded(d, error=error)) if dates else []
    fetched = tuple(d.date.isoformat() for d in loaded if d.fetched)
    ctx.count("DigestDaysFetched", len(fetched))
    failed = [d for d in loaded if d.error]
    days = [d for d in loaded if d.day is not None]
    digest = build_digest(request, [(d.date, d.day.fetched_at, d.day.papers) for d in days if d.day])
    top = digest.papers[: digest.top]
    fill = None
    if ports.model is not None and top and not failed:
        kept_summaries: dict[str, Summary] = {}
        kept_rejections: dict[str, Rejection] = {}
        for one in sorted(days, key=lambda d: d.date):  # a later day's copy wins
            if one.day is not None:
                kept_summaries.update(one.day.summaries)
                kept_rejections.update(one.day.rejections)
        budget = Budget()  # only the commit is left after the summaries: ask while it has its time
        def out_of_time() -> bool:
            return ctx.time_left is not None and ctx.time_left() < budget.reserve(0, None)

        fill = fill_summaries(top, kept_summaries, kept_rejections, RunModel(ports.model), now=ctx.now, log=ctx.log,
                              should_stop=out_of_time)
    updated = _with_fill(days, fill)
    archived = () if request.dry_run else _store(ports, ctx, updated)
    if failed:
        raise DigestIncomplete(request, failed)
    counts = SummaryCounts(fill.made, fill.rejected, len(fill.missing)) if fill else None

    def result(status: Status = Status.EMPTY, path: str | None = None, commit_sha: str | None = None,
               post: str | None = None) -> DigestResult:  # made once, at the end
        return DigestResult(request.kind, request.label, request.start, end if dates else None, status,
                            papers=len(digest.papers), listed=len(top), days=digest.days, fetched=fetched,
                            archived=archived, post_path=path, commit_sha=commit_sha, summaries=counts, post=post)

    if not digest.papers:
        ctx.log.info("digest empty: no papers in the period", extra={"period": request.label})
        return result()
    post = render_digest(digest, options.style, fill.texts if fill else None)
    path = digest_post_path(request)
    if request.dry_run:
        return result(Status.DRY_RUN, path, post=post)
    publication = publish(ports, {path: post}, commit_message(request), ctx)
    assert publication is not None
    done = result(Status(publication.statuses[path]), path, publication.commit_sha)
    ctx.log.info("digest finished", extra={"result": done.to_json(), "publisher": ports.publisher.where})
    return done


def _load(ports: Ports, ctx: RunContext, date: dt.date, *, dry_run: bool) -> _Loaded:
    """The day from the archive; if it is not there (or unreadable), from the source. A day
    archived as empty after it closed is not asked for again."""
    try:
        stored = read_day(ports, date, ctx, papers=True, dry_run=dry_run)
        if stored is not None and (not stored.empty or stored.settled_empty):
            return _Loaded(date, stored, stored)
        return _Loaded(date, fetch_day(ports, date, ctx), stored, fetched=True)
    except Exception as exc:  # noqa: BLE001 - one failing day is reported with the others, not alone
        error = error_text(exc)
        ctx.log.warning(f"digest day failed: {date}: {error}", extra={"date": date.isoformat(), "error": error})
        return _Loaded(date, error=error)


def _with_fill(days: Sequence[_Loaded], fill: SummaryFill | None) -> list[_Loaded]:
    """Each new summary or rejection goes into the record of the latest day its paper is on."""
    if fill is None:
        return list(days)
    owner: dict[str, dt.date] = {}
    for loaded in sorted(days, key=lambda d: d.date):
        for paper in loaded.day.papers if loaded.day else ():
            owner[paper.id] = loaded.date
    new_summaries: dict[dt.date, dict[str, Summary]] = {}
    new_rejections: dict[dt.date, dict[str, Rejection]] = {}
    for pid, summary in fill.summaries.items():
        if pid in owner:
            new_summaries.setdefault(owner[pid], {})[pid] = summary
    for pid, rejection in fill.rejections.items():
        if pid in owner:
            new_rejections.setdefault(owner[pid], {})[pid] = rejection
    out = []
    for loaded in days:
        add_s, add_r = new_summaries.get(loaded.date, {}), new_rejections.get(loaded.date, {})
        if loaded.day is not None and (add_s or add_r):
            loaded = replace(loaded, day=with_answers(loaded.day, add_s, add_r))
        out.append(loaded)
    return out


def _store(ports: Ports, ctx: RunContext, days: Sequence[_Loaded]) -> tuple[str, ...]:
    """Write each day whose record changed (fetched now, or new summaries): once each."""
    written = []
    for loaded in sorted(days, key=lambda d: d.date):
        if loaded.day is not None and store_day(ports, loaded.day, loaded.stored, ctx):
            written.append(loaded.date.isoformat())
    return tuple(written)
