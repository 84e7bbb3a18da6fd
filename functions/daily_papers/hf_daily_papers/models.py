"""The domain's values: a paper as the post needs it, and a fetched day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Paper:
    id: str
    title: str
    summary: str
    upvotes: int
    organization: str | None = None
    keywords: tuple[str, ...] = ()
    thumbnail: str | None = None  # item.thumbnail (preview image URL), untrusted
    github_repo: str | None = None  # paper.githubRepo, untrusted
    github_stars: int | None = None  # paper.githubStars
    project_page: str | None = None  # paper.projectPage, untrusted


@dataclass(frozen=True)
class Day:
    """One Daily Papers list as fetched: papers in API order, the raw items kept for the archive."""

    date: dt.date
    fetched_at: str
    papers: tuple[Paper, ...]
    items: tuple[dict[str, Any], ...] = field(repr=False, default=())
    skipped: tuple[str, ...] = ()  # why items were left out (malformed, other day)

    @property
    def empty(self) -> bool:
        return not self.papers


def rank(papers: tuple[Paper, ...] | list[Paper], top_n: int) -> list[Paper]:
    """Highest upvotes first; equal upvotes keep their given order. top_n=0 keeps all."""
    ranked = sorted(papers, key=lambda p: -p.upvotes)
    return ranked[:top_n] if top_n else ranked
