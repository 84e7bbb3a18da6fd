"""Synthetic Hugging Face days for FakeHF: real items with new ids and dates, made when asked for.

    hf.days = SyntheticDays(lambda date: 100)   # every date: 100 papers

Each day's items are copies of the 17 real items of 2026-08-21 (their authors, ~1,500-character
abstracts, keywords, organizations: ~5.9 KB of JSON an item), with ids `YYMM.DDNNN` unique per
date (e.g. 2502.02042), distinct titles and upvotes, and the date's timestamps. Days are built
on request and only the last few are kept, so a year of 100-paper days (~215 MB of items) is
never held at once.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

REAL_DAY = Path(__file__).resolve().parent.parent / "fixtures" / "hf" / "2026-08-21.json"

Items = list[dict[str, Any]]


@functools.cache
def _template(count: int) -> str:
    """`count` items as JSON with placeholders for the date and the id's YYMM and DD."""
    real = json.loads(REAL_DAY.read_text("utf-8"))
    items = []
    for i in range(count):
        item = copy.deepcopy(real[i % len(real)])
        paper = item["paper"]
        paper["id"] = pid = f"@@YYMM@@.@@DD@@{i:03d}"
        paper["title"] = item["title"] = f"{paper['title']} ({i})"
        paper["upvotes"] = (i * 37) % 211
        paper["publishedAt"] = item["publishedAt"] = "@@DATE@@T00:00:00.000Z"
        paper["submittedOnDailyAt"] = "@@DATE@@T08:00:00.000Z"
        item["thumbnail"] = f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{pid}.png"
        items.append(item)
    return json.dumps(items)


@functools.lru_cache(maxsize=16)  # a day's pages are asked for one after the other
def synthetic_day(date: str, count: int) -> Items:
    """The `count` items of `date` (YYYY-MM-DD). Shared: do not modify them."""
    day = dt.date.fromisoformat(date)
    text = _template(count).replace("@@DATE@@", date)
    items: Items = json.loads(text.replace("@@YYMM@@", f"{day:%y%m}").replace("@@DD@@", f"{day:%d}"))
    return items


class SyntheticDays(dict[str, Items]):
    """FakeHF's `days` for every date: `papers_per_day(date)` synthetic items (replaceable)."""

    def __init__(self, papers_per_day: Callable[[dt.date], int]) -> None:
        super().__init__()
        self.papers_per_day = papers_per_day

    def __missing__(self, date: str) -> Items:
        return synthetic_day(date, self.papers_per_day(dt.date.fromisoformat(date)))

    def get(self, date: str, default: Any = None) -> Any:
        try:
            return self[date]
        except ValueError:  # not a date: as absent
            return default
