"""The parse stage: the Daily Papers API's JSON → `Paper`s, for the sources (hf.py) and the archive.

An item is untrusted: one the code cannot turn into a paper, for whatever reason, is left out
with its reason (the day's `skipped`) and never stops the good ones; no exception but the
project's own leaves parsing.

What the archive can keep is not checked here item by item: the archive's one encode is the
check, and only when it fails does it ask `unarchivable` which items to leave out and why.
The text a `Paper` carries is checked here (the post is made of it).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from .errors import UpstreamInvalid
from .models import LIVE, Day, Paper, stamp
from .redact import preview

SERVICE = "Hugging Face"
# A plain paper id (arXiv's `2602.12675`, HF's own ids): letters, digits, `.`, `_`, `-`; never a
# path (`/`) or a parent (`..`): the id becomes part of URLs and of the post's links.
_PAPER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_COUNT = 2**53  # counts (upvotes, stars) beyond what JSON carries exactly are nonsense
# Invisible though not format/control characters: Hangul fillers, braille blank, CGJ.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
_PRINTABLE_ASCII = re.compile(r"[!-~]")


# -- JSON -------------------------------------------------------------------------------------
class LongInt:
    """A JSON integer too long for Python's `int()` (more than sys.get_int_max_str_digits()
    digits). Kept as its digit count so that one such number makes its item malformed rather
    than the whole answer unreadable. Not JSON: an item holding one cannot be archived."""

    __slots__ = ("_literal", "digits")

    def __init__(self, literal: str) -> None:
        self.digits = len(literal.lstrip("-"))
        self._literal = literal

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LongInt) and other._literal == self._literal

    def __hash__(self) -> int:
        return hash(self._literal)

    def __repr__(self) -> str:  # the same number reads the same on every page (see parse_day)
        return f"LongInt({self.digits} digits, #{hash(self._literal) & 0xFFFFFFFF:08x})"


def _parse_int(digits: str) -> int | LongInt:
    try:
        return int(digits)
    except ValueError:
        return LongInt(digits)


def loads(text: str | bytes, source: str, what: str, content_type: str | None = None) -> Any:
    """JSON → Python, where a too-long integer in one item does not fail the whole answer."""
    try:
        try:
            return json.loads(text)  # at C speed; only an integer too long for int() needs the hook
        except ValueError as exc:
            if "integer string conversion" not in str(exc) and "digits" not in str(exc):
                raise
        return json.loads(text, parse_int=_parse_int)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raw = text.encode("utf-8", "replace") if isinstance(text, str) else text
        if content_type:  # an HTTP answer: its content type says most (an HTML error page...)
            raise UpstreamInvalid(source, what, "JSON", f"{content_type}: {preview(raw)}") from None
        if isinstance(exc, json.JSONDecodeError):
            detail = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
        elif isinstance(exc, RecursionError):
            detail = "nested too deeply"
        else:
            detail = type(exc).__name__
        raise UpstreamInvalid(source, what, "JSON", f"text that is not JSON ({detail}): {preview(raw)}") from None


# -- items → papers ---------------------------------------------------------------------------
class Malformed(Exception):
    """One item that cannot be a paper; the message is its reason (for `skipped`)."""


def parse_day(
    date: dt.date,
    pages: Iterable[list[Any]],
    fetched_at: dt.datetime,
    *,
    service: str = SERVICE,
    source: str = LIVE,
) -> Day:
    """Validate and dedupe the items of a day's pages into the day's record.

    `service` names the answer's origin in errors (`Hugging Face`, `saved answer <path>`);
    `source` is the record's `Day.source` (`live` or `saved`).

    An item that cannot be turned into a paper (see `_paper`) is left out and counted once,
    however many pages repeat it, as is a paper whose `submittedOnDailyAt` falls on another
    UTC day; the day is still published. Pages are read until one brings nothing new (no new
    paper, no new bad item): an API that ignores the page number repeats itself, and the next
    page is not asked for. If more than a quarter of the distinct items are malformed, the
    answer as a whole is not sound and the day fails, naming the date and the first problem. If
    there are papers but none of the day, the API has changed (it used to answer only that
    day's): the day fails, naming the dates seen.
    """
    papers: list[Paper] = []
    items: list[dict[str, Any]] = []
    skipped: list[str] = []
    other_dates: set[dt.date] = set()
    seen: set[str] = set()
    bad_seen: set[tuple[str, int, str]] = set()
    position = 0  # of the item in the whole answer, for the reasons
    for page in pages:
        new_on_page = 0
        for index, item in enumerate(page):
            position += 1
            try:
                paper, on_date = _paper(item, date)
            except Exception as exc:  # noqa: BLE001 - Malformed, or any odd item: never stops the day
                reason = str(exc) if isinstance(exc, Malformed) else f"unreadable ({type(exc).__name__})"
                key = (reason, index, _fingerprint(item))
                if key not in bad_seen:  # a page repeated by the API repeats its bad items too
                    bad_seen.add(key)
                    new_on_page += 1
                    skipped.append(f"item {position - 1}: {reason}")
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
        if page and not new_on_page:
            break  # the API repeats itself (ignores p): nothing more to learn
    what = f"daily papers of {date}"
    malformed, total = len(bad_seen), len(bad_seen) + len(seen)
    if malformed and malformed * 4 > total:
        first = next(s for s in skipped if s.startswith("item "))
        raise UpstreamInvalid(
            service, what, "items with paper.id, paper.title and integer paper.upvotes",
            f"{malformed} malformed of {total} ({first})",
        )
    if other_dates and not papers:
        seen_dates = ", ".join(d.isoformat() for d in sorted(other_dates, reverse=True)[:10])
        raise UpstreamInvalid(service, what, f"papers of {date}", f"only papers of {seen_dates}")
    return Day(date, stamp(fetched_at), tuple(papers), tuple(items), tuple(skipped), source)


def _fingerprint(item: Any) -> str:
    """A bad item's content, to tell a page the API repeated from new items (only bad items pay).
    The same item at the same place of a page is the same item."""
    try:
        return repr(item)
    except Exception:  # noqa: BLE001 - too deep for repr, an int too long for it...
        return type(item).__name__


def _paper(item: Any, date: dt.date) -> tuple[Paper, dt.date]:
    """One API item → (paper, the UTC day it was submitted on), or `Malformed` with the reason.

    Required (else the item is left out): an object, `paper.id` a plain paper id, `paper.title`
    with a visible character, `paper.upvotes` a non-negative integer, `paper.summary` text or
    absent, `paper.submittedOnDailyAt` a valid timestamp or absent. Optional (a wrong type or
    value reads as absent): the organization's `fullname`, `ai_keywords` (non-text entries
    dropped), `thumbnail`, `githubRepo`, `githubStars`, `projectPage`. Any text the paper keeps
    must be valid Unicode (no lone surrogate from a `\\ud800` escape): the post is made of it.
    """
    if not isinstance(item, dict):
        raise Malformed(f"expected an object, got {type(item).__name__}")
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
    found = Paper(
        pid, title, summary, upvotes,
        organization=_organization(item.get("organization")) or _organization(paper.get("organization")),
        keywords=_keywords(paper.get("ai_keywords")),
        thumbnail=_text(item.get("thumbnail")),
        github_repo=_text(paper.get("githubRepo")),
        github_stars=_count(paper.get("githubStars")),
        project_page=_text(paper.get("projectPage")),
    )
    if not all(map(_encodable, _texts(found))):  # isascii() is constant-time: most fields cost nothing
        name = next(name for name, attr in _TEXT_FIELDS if not _encodable("".join(_texts(found, attr))))
        raise Malformed(f"{pid}: {name} has text that is not valid Unicode (a lone surrogate)")
    return found, on_date


# The text a paper keeps: (where the API has it, Paper attribute).
_TEXT_FIELDS = (
    ("paper.title", "title"), ("paper.summary", "summary"), ("organization.fullname", "organization"),
    ("paper.ai_keywords", "keywords"), ("thumbnail", "thumbnail"), ("paper.githubRepo", "github_repo"),
    ("paper.projectPage", "project_page"),
)


def _texts(paper: Paper, *attrs: str) -> list[str]:
    """The paper's text fields (all, or the named ones) as a list of strings."""
    texts: list[str] = []
    for attr in attrs or [a for _, a in _TEXT_FIELDS]:
        value = getattr(paper, attr)
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, tuple):
            texts.extend(value)
    return texts


def _encodable(text: str) -> bool:
    """Text UTF-8 can carry. `isascii` is constant-time in CPython: most text costs nothing."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# -- what the archive cannot keep -------------------------------------------------------------
def unarchivable(items: Sequence[Any]) -> list[tuple[int, str]]:
    """(index, reason) of each item that cannot be stored as UTF-8 JSON, in index order.

    For the archive, and only after its one encode of the day failed: an item is unarchivable
    when its own encode (`json.dumps(..., ensure_ascii=False, allow_nan=False)` then UTF-8, as
    the archive does) fails. The reason names the paper (when the item has a plain id) and
    where in the item the problem is: text that is not valid Unicode (a lone surrogate from a
    `\\ud800` escape, in a value or a key), an integer too long for Python, a number that is
    not finite (`NaN`, `Infinity`), something that is not JSON, nesting too deep to encode.
    """
    found: list[tuple[int, str]] = []
    for index, item in enumerate(items):
        try:
            json.dumps({"papers": [item]}, ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (ValueError, TypeError, UnicodeEncodeError, RecursionError) as exc:
            problem = _problem(item) or (
                f"item nests too deeply to archive ({_depth(item)} levels)"
                if isinstance(exc, RecursionError) else f"item cannot be archived ({type(exc).__name__})"
            )
            found.append((index, f"{_paper_id(item)}{problem}"))
    return found


def _paper_id(item: Any) -> str:
    paper = item.get("paper") if isinstance(item, dict) else None
    pid = paper.get("id") if isinstance(paper, dict) else None
    return f"{pid}: " if isinstance(pid, str) and _PAPER_ID.fullmatch(pid) else ""


def _problem(item: Any) -> str | None:
    """The first thing in the item the archive cannot keep, and where, or None. Iterative:
    depth is untrusted too."""
    stack: list[tuple[Any, str]] = [(item, "item")]
    while stack:
        value, where = stack.pop()
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
                stack.append((child, f"{where}.{key}" if len(where) < 60 else where))
        elif isinstance(value, list):
            stack.extend((child, f"{where}[{i}]" if len(where) < 60 else where) for i, child in enumerate(value))
        elif value is not None and not isinstance(value, (bool, int)):
            return f"{where} is a {type(value).__name__}, not JSON"
    return None


def _depth(item: Any) -> int:
    deepest, stack = 0, [(item, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            deepest = max(deepest, depth)
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return deepest


# -- fields -----------------------------------------------------------------------------------
def _visible(text: str) -> bool:
    """Some character a reader would see: not whitespace, control, format (ZWJ, soft hyphen,
    bidi marks), combining-only or one of the blank letters (Hangul filler, braille blank)."""
    if text.isascii() and text.isprintable():  # most text, in constant time: not only spaces
        return bool(text) and not text.isspace()
    if _PRINTABLE_ASCII.search(text):  # at C speed
        return True
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
    if value.endswith("Z") and value[10:11] == "T":  # UTC already (every real item): its own date
        try:
            return dt.datetime.fromisoformat(value).date()
        except ValueError:
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
