"""Paper sources: the Hugging Face Daily Papers API, and a folder of saved API answers."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

from .errors import UpstreamInvalid, UpstreamRejected
from .httpclient import HttpClient
from .models import Day, Paper

PAGE_SIZE = 100
MAX_PAGES = 50  # 5,000 papers; no real day comes close
_PAPER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
SERVICE = "Hugging Face"


class PaperSource(Protocol):
    def fetch_day(self, date: dt.date) -> Day: ...

    def url(self, date: dt.date) -> str: ...


class HfApiSource:
    """`GET {endpoint}/api/daily_papers?date=D&limit=100&p=N`, paging while pages come back full."""

    def __init__(self, http: HttpClient, endpoint: str, clock: Callable[[], dt.datetime]) -> None:
        self._http = http
        self._endpoint = endpoint.rstrip("/")
        self._clock = clock

    def url(self, date: dt.date, page: int = 0) -> str:
        return f"{self._endpoint}/api/daily_papers?date={date.isoformat()}&limit={PAGE_SIZE}&p={page}"

    def pages(self, date: dt.date) -> Iterator[list[Any]]:
        for page in range(MAX_PAGES):
            what = f"daily papers of {date} (page {page})"
            url = self.url(date, page)
            response = self._http.request("GET", url, what=what, headers={"Accept": "application/json"})
            if response.status != 200:
                raise UpstreamRejected(SERVICE, what, response.status, _error_text(response.body))
            items = response.json(SERVICE, what)
            if not isinstance(items, list):
                raise UpstreamInvalid(SERVICE, what, "a JSON array", type(items).__name__)
            yield items
            if len(items) < PAGE_SIZE:
                return
        raise UpstreamInvalid(SERVICE, f"daily papers of {date}", f"at most {MAX_PAGES} pages", "more")

    def fetch_day(self, date: dt.date) -> Day:
        fetched_at = self._clock()
        return parse_day(date, self.pages(date), fetched_at)


class FolderSource:
    """Saved API answers: `<folder>/<YYYY-MM-DD>.json`, each a bare JSON array. A missing file is an empty day."""

    def __init__(self, folder: Path, clock: Callable[[], dt.datetime]) -> None:
        self._folder = Path(folder)
        self._clock = clock

    def url(self, date: dt.date) -> str:
        return str(self._folder / f"{date.isoformat()}.json")

    def fetch_day(self, date: dt.date) -> Day:
        path = self._folder / f"{date.isoformat()}.json"
        items: Any = json.loads(path.read_text("utf-8")) if path.exists() else []
        if not isinstance(items, list):
            raise UpstreamInvalid("paper folder", str(path), "a JSON array", type(items).__name__)
        return parse_day(date, [items], self._clock())


def parse_day(date: dt.date, pages: Any, fetched_at: dt.datetime) -> Day:
    """Validate and dedupe the items of a day's pages.

    A malformed item (missing id/title, non-integer upvotes, ...) is left out and counted, as is
    a paper whose `submittedOnDailyAt` falls on another UTC day; the day is still published. If
    more than a quarter of the items are malformed, the answer as a whole is not sound and the
    day fails, naming the date and the first problem.
    """
    papers: list[Paper] = []
    items: list[dict[str, Any]] = []
    skipped: list[str] = []
    malformed = 0
    seen: set[str] = set()
    total = 0
    for page in pages:
        new_on_page = 0
        for index, item in enumerate(page):
            total += 1
            try:
                paper, on_date = _paper(item, date)
            except ValueError as exc:
                malformed += 1
                skipped.append(f"item {total - 1}: {exc}")
                continue
            if paper.id in seen:
                continue
            seen.add(paper.id)
            new_on_page += 1
            if on_date != date:
                skipped.append(f"{paper.id}: submittedOnDailyAt is {on_date}, not {date}")
                continue
            papers.append(paper)
            items.append(item)
        if page and not new_on_page and not malformed:
            break  # the API repeats itself (ignores p): nothing more to learn
    if malformed and malformed * 4 > total:
        raise UpstreamInvalid(
            SERVICE,
            f"daily papers of {date}",
            "items with paper.id, paper.title and integer paper.upvotes",
            f"{malformed} malformed of {total} ({skipped[0]})",
        )
    stamp = fetched_at.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    return Day(date, stamp, tuple(papers), tuple(items), tuple(skipped))


def _paper(item: Any, date: dt.date) -> tuple[Paper, dt.date]:
    if not isinstance(item, dict):
        raise ValueError(f"expected an object, got {type(item).__name__}")
    paper = item.get("paper")
    if not isinstance(paper, dict):
        raise ValueError("no paper object")
    pid = paper.get("id")
    if not isinstance(pid, str) or not _PAPER_ID.match(pid):
        raise ValueError(f"paper.id is {_short(pid)}")
    title = paper.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"{pid}: paper.title is {_short(title)}")
    upvotes = paper.get("upvotes")
    if isinstance(upvotes, bool) or not isinstance(upvotes, int) or upvotes < 0:
        raise ValueError(f"{pid}: paper.upvotes is {_short(upvotes)}")
    summary = paper.get("summary")
    if summary is None:
        summary = ""
    if not isinstance(summary, str):
        raise ValueError(f"{pid}: paper.summary is {_short(summary)}")
    org = item.get("organization") or paper.get("organization") or {}
    fullname = org.get("fullname") if isinstance(org, dict) else None
    organization = fullname.strip() if isinstance(fullname, str) and fullname.strip() else None
    keywords = paper.get("ai_keywords") or []
    if not isinstance(keywords, list):
        keywords = []
    submitted = paper.get("submittedOnDailyAt")
    on_date = _utc_date(submitted) if submitted is not None else date
    if on_date is None:
        raise ValueError(f"{pid}: paper.submittedOnDailyAt is {_short(submitted)}")
    return (
        Paper(pid, title, summary, upvotes, organization, tuple(k for k in keywords if isinstance(k, str))),
        on_date,
    )


def _utc_date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return stamp.astimezone(dt.timezone.utc).date()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _error_text(body: bytes) -> str:
    try:
        data = json.loads(body)
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            return data["error"][:200]
    except (ValueError, UnicodeDecodeError):
        pass
    return " ".join(body[:200].decode("utf-8", "replace").split()) or "(empty body)"
