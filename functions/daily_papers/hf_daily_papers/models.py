"""The domain's values: a paper as the post needs it, and the one record of a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .summaries import Rejection, Summary

#: Where a day's list came from: the live Hugging Face API, or a saved answer file (`--hf-dir`).
LIVE, SAVED = "live", "saved"


@dataclass(frozen=True)
class Paper:
    id: str
    title: str
    summary: str  # the abstract
    upvotes: int
    organization: str | None = None
    keywords: tuple[str, ...] = ()
    thumbnail: str | None = None  # item.thumbnail (preview image URL), untrusted
    github_repo: str | None = None  # paper.githubRepo, untrusted
    github_stars: int | None = None  # paper.githubStars
    project_page: str | None = None  # paper.projectPage, untrusted


@dataclass(frozen=True)
class Day:
    """One day's Daily Papers list: as fetched, and as the archive keeps it (archive.py converts).

    `items` are the API items exactly as served (what the archive keeps), one per paper of
    `papers`, in API order. A day read back from the archive with `papers=False` has its items but
    no parsed `papers` (the daily run needs only its summaries and what it held). `summaries` and
    `rejections` are the model's kept answers, by paper id (summaries on). `answer_hash` lets
    the next run see that the source answers exactly the same (then nothing is parsed again).
    """

    date: dt.date
    fetched_at: str  # UTC, as `stamp` writes it: 2026-03-01T00:15:00Z
    papers: tuple[Paper, ...] = ()
    items: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    skipped: tuple[str, ...] = ()  # why items were left out (malformed, other day, unarchivable)
    source: str = LIVE  # LIVE | SAVED
    summaries: Mapping[str, Summary] = field(default_factory=dict, repr=False)
    rejections: Mapping[str, Rejection] = field(default_factory=dict, repr=False)
    answer_hash: str = ""  # sha256 of the source's answer when it was one page ("": unknown)

    @property
    def empty(self) -> bool:
        """No papers on the list."""
        return not self.items

    @property
    def settled_empty(self) -> bool:
        """Empty, as answered after the day had closed (a weekend, not a list still filling): no
        run asks for such a day again. An empty answer while the day was open is asked again."""
        if not self.empty:
            return False
        try:
            fetched = dt.datetime.fromisoformat(self.fetched_at.replace("Z", "+00:00"))
        except ValueError:
            return False
        if fetched.tzinfo is None:
            fetched = fetched.replace(tzinfo=dt.UTC)
        return fetched.astimezone(dt.UTC).date() > self.date


def stamp(moment: dt.datetime) -> str:
    """`2026-03-01T00:15:00Z`: how the archive writes a time (fetch times, summaries). A naive
    time is taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def rank(papers: tuple[Paper, ...] | list[Paper], top_n: int) -> list[Paper]:
    """Highest upvotes first; equal upvotes keep their given order. top_n=0 keeps all."""
    ranked = sorted(papers, key=lambda p: -p.upvotes)
    return ranked[:top_n] if top_n else ranked
