"""Paper sources: the Hugging Face Daily Papers API, and a folder of saved API answers.

Both hand their JSON to `parse_day`, which turns items into `Paper`s. An item is untrusted: one
the code cannot turn into a paper, for whatever reason, is left out with its reason (the day's
`skipped`) and never stops the good ones; no exception but the project's own leaves parsing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from .errors import LocalFileError, UpstreamInvalid, UpstreamRejected
from .httpclient import HttpClient, Response
from .models import Day, Paper
from .pacing import PacedHttp

PAGE_SIZE = 100
MAX_PAGES = 50  # 5,000 papers; no real day comes close
# A plain paper id (arXiv's `2602.12675`, HF's own ids): letters, digits, `.`, `_`, `-`; never a
# path (`/`) or a parent (`..`): the id becomes part of URLs and of the post's links.
_PAPER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
SERVICE = "Hugging Face"
MAX_COUNT = 2**53  # counts (upvotes, stars) beyond what JSON carries exactly are nonsense
MAX_DEPTH = 32  # real items nest 4 deep; a deeper one is not an API item
# Invisible though not format/control characters: Hangul fillers, braille blank, CGJ.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


class PaperSource(Protocol):
    def fetch_day(self, date: dt.date) -> Day: ...

    def url(self, date: dt.date) -> str: ...


class HfApiSource:
    """`GET {endpoint}/api/daily_papers?date=D&limit=100&p=N`, paging while pages come back full."""

    def __init__(
        self,
        http: HttpClient | PacedHttp,
        endpoint: str,
        clock: Callable[[], dt.datetime],
        token: Callable[[], str] | None = None,
    ) -> None:
        self._http = http
        self._endpoint = endpoint.rstrip("/")
        self._clock = clock
        self._token = token  # HF_TOKEN / HF_TOKEN_SECRET: authenticated callers get twice the rate limit

    def url(self, date: dt.date, page: int = 0) -> str:
        return f"{self._endpoint}/api/daily_papers?date={date.isoformat()}&limit={PAGE_SIZE}&p={page}"

    def pages(self, date: dt.date) -> Iterator[list[Any]]:
        for page in range(MAX_PAGES):
            what = f"daily papers of {date} (page {page})"
            url = self.url(date, page)
            headers = self._headers()
            response = self._http.request("GET", url, what=what, headers=headers)
            if response.status != 200:
                detail = _error_text(response.body)
                token = headers.get("Authorization", "").partition(" ")[2]
                if token:  # an answer echoing the token back must not put it in an error or a log
                    detail = detail.replace(token, "***")
                raise UpstreamRejected(SERVICE, what, response.status, detail)
            items = _response_json(response, what)
            if not isinstance(items, list):
                raise UpstreamInvalid(SERVICE, what, "a JSON array", type(items).__name__)
            yield items
            if len(items) < PAGE_SIZE:
                return
        raise UpstreamInvalid(SERVICE, f"daily papers of {date}", f"at most {MAX_PAGES} pages", "more")

    def fetch_day(self, date: dt.date) -> Day:
        fetched_at = self._clock()
        return parse_day(date, self.pages(date), fetched_at)

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token()}"
        return headers


class FolderSource:
    """Saved API answers: `<folder>/<YYYY-MM-DD>.json`, each a bare JSON array. A missing file is an empty day.

    Errors name the file as what it is, `saved answer <path>`, not Hugging Face.
    """

    def __init__(self, folder: Path, clock: Callable[[], dt.datetime]) -> None:
        self._folder = Path(folder)
        self._clock = clock

    def url(self, date: dt.date) -> str:
        return str(self._folder / f"{date.isoformat()}.json")

    def fetch_day(self, date: dt.date) -> Day:
        path = self._folder / f"{date.isoformat()}.json"
        source = f"saved answer {path}"
        what = f"daily papers of {date}"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = b"[]"
        except OSError as exc:  # a permission, a folder in its place, an I/O error: say which
            raise LocalFileError("saved answer", path, exc.strerror or type(exc).__name__) from None
        try:
            text = data.decode("utf-8-sig")  # a byte-order mark is harmless: dropped
        except UnicodeDecodeError as exc:
            got = f"a byte that is not UTF-8 at offset {exc.start}"
            raise UpstreamInvalid(source, what, "UTF-8 JSON", got) from None
        items = loads(text, source, what)
        if not isinstance(items, list):
            raise UpstreamInvalid(source, what, "a JSON array", type(items).__name__)
        return parse_day(date, [items], self._clock(), source=source)


# -- JSON -------------------------------------------------------------------------------------
class LongInt:
    """A JSON integer too long for Python's `int()` (more than sys.get_int_max_str_digits()
    digits). Kept as its digit count so that one such number makes its item malformed rather
    than the whole answer unreadable."""

    __slots__ = ("digits",)

    def __init__(self, literal: str) -> None:
        self.digits = len(literal.lstrip("-"))


def _parse_int(digits: str) -> int | LongInt:
    try:
        return int(digits)
    except ValueError:
        return LongInt(digits)


def loads(text: str | bytes, source: str, what: str, content_type: str | None = None) -> Any:
    """JSON → Python, where a too-long integer in one item does not fail the whole answer."""
    try:
        return json.loads(text, parse_int=_parse_int)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raw = text.encode("utf-8", "replace") if isinstance(text, str) else text
        if content_type:  # an HTTP answer: its content type says most (an HTML error page...)
            raise UpstreamInvalid(source, what, "JSON", f"{content_type}: {_preview(raw)}") from None
        if isinstance(exc, json.JSONDecodeError):
            detail = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
        elif isinstance(exc, RecursionError):
            detail = "nested too deeply"
        else:
            detail = type(exc).__name__
        raise UpstreamInvalid(source, what, "JSON", f"text that is not JSON ({detail}): {_preview(raw)}") from None


def _response_json(response: Response, what: str) -> Any:
    content_type = response.headers.get("content-type", "unknown content type")
    return loads(response.body, SERVICE, what, content_type)


def _preview(body: bytes, limit: int = 60) -> str:
    text = " ".join(body[:limit].decode("utf-8", "replace").split())
    return repr(text + ("..." if len(body) > limit else ""))


# -- items → papers ---------------------------------------------------------------------------
class Malformed(Exception):
    """One item that cannot be a paper; the message is its reason (for `skipped`)."""


def parse_day(date: dt.date, pages: Iterable[list[Any]], fetched_at: dt.datetime, *, source: str = SERVICE) -> Day:
    """Validate and dedupe the items of a day's pages.

    An item that cannot be turned into a paper (see `_paper`) is left out and counted, as is
    a paper whose `submittedOnDailyAt` falls on another UTC day; the day is still published.
    If more than a quarter of the items are malformed, the answer as a whole is not sound and the
    day fails, naming the date and the first problem. If there are papers but none of the day,
    the API has changed (it used to answer only that day's): the day fails, naming the dates seen.
    """
    papers: list[Paper] = []
    items: list[dict[str, Any]] = []
    skipped: list[str] = []
    other_dates: set[dt.date] = set()
    malformed = 0
    seen: set[str] = set()
    total = 0
    for page in pages:
        new_on_page = 0
        for item in page:
            total += 1
            try:
                paper, on_date = _paper(item, date)
            except Malformed as exc:
                malformed += 1
                skipped.append(f"item {total - 1}: {exc}")
                continue
            except Exception as exc:  # noqa: BLE001 - last resort: one odd item never stops the day
                malformed += 1
                skipped.append(f"item {total - 1}: unreadable ({type(exc).__name__})")
                continue
            if paper.id in seen:
                continue
            seen.add(paper.id)
            new_on_page += 1
            if on_date != date:
                other_dates.add(on_date)
                skipped.append(f"{paper.id}: submittedOnDailyAt is {on_date}, not {date}")
                continue
            papers.append(paper)
            items.append(item)
        if page and not new_on_page and not malformed:
            break  # the API repeats itself (ignores p): nothing more to learn
    what = f"daily papers of {date}"
    if malformed and malformed * 4 > total:
        raise UpstreamInvalid(
            source, what, "items with paper.id, paper.title and integer paper.upvotes",
            f"{malformed} malformed of {total} ({skipped[0]})",
        )
    if other_dates and not papers:
        seen_dates = ", ".join(d.isoformat() for d in sorted(other_dates, reverse=True)[:10])
        raise UpstreamInvalid(source, what, f"papers of {date}", f"only papers of {seen_dates}")
    stamp = fetched_at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return Day(date, stamp, tuple(papers), tuple(items), tuple(skipped))


def _paper(item: Any, date: dt.date) -> tuple[Paper, dt.date]:
    """One API item → (paper, the UTC day it was submitted on), or `Malformed` with the reason.

    Required (else the item is left out): an object whose whole content can be archived as UTF-8
    JSON, `paper.id` a plain paper id, `paper.title` with a visible character, `paper.upvotes` a
    non-negative integer, `paper.summary` text or absent, `paper.submittedOnDailyAt` a valid
    timestamp or absent. Optional (a wrong type or value reads as absent): the organization's
    `fullname`, `ai_keywords` (non-text entries dropped), `thumbnail`, `githubRepo`,
    `githubStars`, `projectPage`.
    """
    if not isinstance(item, dict):
        raise Malformed(f"expected an object, got {type(item).__name__}")
    problem = _unarchivable(item)
    if problem:
        raise Malformed(problem)
    paper = item.get("paper")
    if not isinstance(paper, dict):
        raise Malformed(f"paper is {_short(paper)}, not an object")
    pid = paper.get("id")
    if not isinstance(pid, str) or not _PAPER_ID.fullmatch(pid) or ".." in pid:
        raise Malformed(f"paper.id is {_short(pid)}, not a plain paper id")
    title = paper.get("title")
    if not isinstance(title, str) or not _visible(title):
        raise Malformed(f"{pid}: paper.title is {_short(title)}, no visible text")
    upvotes = _count(paper.get("upvotes"))
    if upvotes is None:
        raise Malformed(f"{pid}: paper.upvotes is {_short(paper.get('upvotes'))}, not a count")
    summary = paper.get("summary")
    if summary is None:
        summary = ""
    if not isinstance(summary, str):
        raise Malformed(f"{pid}: paper.summary is {_short(summary)}, not text")
    submitted = paper.get("submittedOnDailyAt")
    on_date = _utc_date(submitted) if submitted is not None else date
    if on_date is None:
        raise Malformed(f"{pid}: paper.submittedOnDailyAt is {_short(submitted)}, not a timestamp")
    return (
        Paper(
            pid, title, summary, upvotes,
            organization=_organization(item.get("organization")) or _organization(paper.get("organization")),
            keywords=_keywords(paper.get("ai_keywords")),
            thumbnail=_text(item.get("thumbnail")),
            github_repo=_text(paper.get("githubRepo")),
            github_stars=_count(paper.get("githubStars")),
            project_page=_text(paper.get("projectPage")),
        ),
        on_date,
    )


def _unarchivable(item: dict[str, Any]) -> str | None:
    """Why the item could not be archived as UTF-8 JSON and read back the same, or None.

    Walks the whole item (iteratively: depth is untrusted too): text that UTF-8 cannot carry
    (a lone surrogate from a `\\ud800` escape, in a value or a key), an integer too long for
    Python, a non-finite number (`NaN`, `Infinity`), nesting deeper than any real item.
    """
    stack: list[tuple[Any, str, int]] = [(item, "item", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"{where} nests more than {MAX_DEPTH} levels deep"
        if isinstance(value, LongInt):
            return f"{where} is an integer of {value.digits} digits"
        if isinstance(value, str):
            if not _encodable(value):
                return f"{where} has text that is not valid Unicode (a lone surrogate)"
        elif isinstance(value, float):
            if not math.isfinite(value):
                return f"{where} is {value!r}, not a finite number"
        elif isinstance(value, dict):
            for key, child in value.items():
                if not isinstance(key, str) or not _encodable(key):
                    return f"{where} has a key that is not valid Unicode (a lone surrogate)"
                stack.append((child, f"{where}.{key}" if len(where) < 60 else where, depth + 1))
        elif isinstance(value, list):
            stack.extend(
                (child, f"{where}[{i}]" if len(where) < 60 else where, depth + 1) for i, child in enumerate(value)
            )
        elif value is not None and not isinstance(value, (bool, int)):
            return f"{where} is a {type(value).__name__}, not JSON"
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _visible(text: str) -> bool:
    """Some character a reader would see: not whitespace, control, format (ZWJ, soft hyphen,
    bidi marks), combining-only or one of the blank letters (Hangul filler, braille blank)."""
    return any(unicodedata.category(ch)[0] not in "CZM" and ch not in _INVISIBLE for ch in text)


def _count(value: Any) -> int | None:
    """A non-negative integer (not a boolean) JSON carries exactly, else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_COUNT else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _organization(value: Any) -> str | None:
    fullname = value.get("fullname") if isinstance(value, dict) else None
    return fullname.strip() if isinstance(fullname, str) and _visible(fullname) else None


def _keywords(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(k for k in value if isinstance(k, str) and _visible(k))


def _utc_date(value: Any) -> dt.date | None:
    """The UTC day of an ISO timestamp; None when it is not one or falls outside years 1-9999
    once converted to UTC (`0001-01-01T00:00:00+01:00` is in year 0)."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        return stamp.astimezone(dt.UTC).date()
    except (ValueError, OverflowError):
        return None


def _short(value: Any) -> str:
    """A value for a `skipped` reason: its repr, cut to 40 characters (always ASCII-safe)."""
    if isinstance(value, LongInt):
        return f"an integer of {value.digits} digits"
    try:
        text = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    except Exception:  # noqa: BLE001 - e.g. an int too long for repr
        text = type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _error_text(body: bytes) -> str:
    try:
        data = json.loads(body)
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            return " ".join(data["error"][:200].split()).encode("utf-8", "replace").decode("utf-8")
    except (ValueError, UnicodeDecodeError, RecursionError):
        pass
    return " ".join(body[:200].decode("utf-8", "replace").split()) or "(empty body)"
