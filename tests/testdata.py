"""Where the test data is, and the helpers that read it or make it: one module for both test
layers (tests/conftest.py re-exports them for the end-to-end layer; tests/unit/memory.py uses them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
FIXTURES = TESTS / "fixtures"
EVENTS = ROOT / "events"


def load_hf(name: str) -> list[dict[str, Any]]:
    """A day's saved API answer from tests/fixtures/hf/<name>.json (a fresh copy)."""
    return json.loads((FIXTURES / "hf" / f"{name}.json").read_text("utf-8"))


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text("utf-8"))


def expected_post(date: str, *, permalink: bool = False) -> str:
    """The seed post of `date` (tests/fixtures/posts; POST_PERMALINK=false). `permalink`: as the
    default writes it, with `permalink: /posts/daily-papers-<date>/` right after the title."""
    post = (FIXTURES / "posts" / f"{date}-daily-papers.md").read_text("utf-8")
    if permalink:
        title = f"title: Hugging Face Daily Papers - {date}\n"
        assert title in post
        post = post.replace(title, f"{title}permalink: /posts/daily-papers-{date}/\n", 1)
    return post


def make_item(pid: str, upvotes: int, date: str, *, title: str | None = None, summary: str = "Abstract.",
              org: str | None = None, keywords: list[str] | None = None) -> dict[str, Any]:
    """A synthetic API item with the real items' shape."""
    item: dict[str, Any] = {
        "paper": {
            "id": pid, "authors": [{"_id": "a", "name": "A. Author", "hidden": False}],
            "publishedAt": f"{date}T00:00:00.000Z", "submittedOnDailyAt": f"{date}T00:00:00.000Z",
            "title": title or f"Paper {pid}", "summary": summary, "upvotes": upvotes,
            "discussionId": "d" + pid, "ai_keywords": keywords or [],
        },
        "publishedAt": f"{date}T00:00:00.000Z", "title": title or f"Paper {pid}", "summary": summary,
        "thumbnail": "", "numComments": 0, "isAuthorParticipating": False,
    }
    if org:
        item["organization"] = {"_id": "o", "name": org.lower(), "fullname": org}
    return item
