"""The Hugging Face adapters (`PaperSource`s): the Daily Papers API, and a folder of saved answers.

Both hand their JSON to the parse stage (`parse.parse_day`), which turns items into `Paper`s and
the day's record; the record says where the list came from (`Day.source`: `live` or `saved`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import DailyPapersError, LocalFileError, UpstreamInvalid, UpstreamRejected
from .httpclient import Http, Response
from .models import LIVE, SAVED, Day
from .parse import SERVICE, loads, parse_day
from .redact import short

PAGE_SIZE = 100
MAX_PAGES = 50  # 5,000 papers; no real day comes close


class SavedAnswerUnavailable(DailyPapersError):
    """A saved answer (`--hf-dir DIR`: `DIR/YYYY-MM-DD.json`) is missing or cannot be read. A
    missing file is not an empty day: a day without papers is saved as `[]`."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(f"saved answer {path} {problem}")


class HfApiSource:
    """`GET {endpoint}/api/daily_papers?date=D&limit=100&p=N`, paging while pages come back full.

    The parse stage stops the paging at the first page that brings nothing new (an API that
    ignores `p` repeats its first page): `pages` is a generator, asked for one page at a time.
    """

    def __init__(
        self,
        http: Http,
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

    def page(self, date: dt.date, page: int) -> Response:
        """One page of the day's answer (status 200, else UpstreamRejected)."""
        what = f"daily papers of {date} (page {page})"
        headers = self._headers()
        response = self._http.request("GET", self.url(date, page), what=what, headers=headers)
        if response.status != 200:
            # An answer echoing the token back must not put it in an error or a log: masked
            # (this token, whatever the mask already knows) before the text is cut.
            token = headers.get("Authorization", "").partition(" ")[2]
            raise UpstreamRejected(SERVICE, what, response.status, _error_text(response.body, token))
        return response

    def fetch_day(self, date: dt.date, known: str = "") -> Day | None:
        """The day's list, paging while pages come back full; None when the answer is byte for
        byte the one `known` (the `answer_hash` the archive recorded): nothing changed."""
        fetched_at = self._clock()
        first = self.page(date, 0)
        answer_hash = hashlib.sha256(first.body).hexdigest()
        if known and answer_hash == known:  # recorded only for a one-page answer: this is all of it
            return None
        items = _items(first, f"daily papers of {date} (page 0)")

        def more() -> Iterator[list[Any]]:  # the next pages, asked only while parse_day wants them
            last, number = items, 0
            while len(last) >= PAGE_SIZE:
                number += 1
                if number >= MAX_PAGES:
                    raise UpstreamInvalid(SERVICE, f"daily papers of {date}", f"at most {MAX_PAGES} pages", "more")
                last = _items(self.page(date, number), f"daily papers of {date} (page {number})")
                yield last

        day = parse_day(date, itertools.chain([items], more()), fetched_at, source=LIVE)
        return replace(day, answer_hash=answer_hash if len(items) < PAGE_SIZE else "")

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token()}"
        return headers


class FolderSource:
    """Saved API answers: `<folder>/<YYYY-MM-DD>.json`, each a bare JSON array (`[]`: a day
    without papers). A missing file is an error naming it, never an empty day: an empty record
    is trusted by every later run, so only a real answer may make one.

    Errors name the file as what it is, `saved answer <path>`, not Hugging Face.
    """

    def __init__(self, folder: Path, clock: Callable[[], dt.datetime]) -> None:
        self._folder = Path(folder)
        self._clock = clock

    def url(self, date: dt.date) -> str:
        return str(self._folder / f"{date.isoformat()}.json")

    def fetch_day(self, date: dt.date, known: str = "") -> Day | None:
        """The day's saved answer; None when it is byte for byte the one `known`."""
        path = self._folder / f"{date.isoformat()}.json"
        source = f"saved answer {path}"
        what = f"daily papers of {date}"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise SavedAnswerUnavailable(
                str(path), f"does not exist: no answer for {date} was saved (a day without papers is saved as [])",
            ) from None
        except OSError as exc:  # a permission, a folder in its place, an I/O error: say which
            raise LocalFileError("saved answer", path, exc.strerror or type(exc).__name__) from None
        answer_hash = hashlib.sha256(data).hexdigest()
        if known and answer_hash == known:
            return None
        try:
            text = data.decode("utf-8-sig")  # a byte-order mark is harmless: dropped
        except UnicodeDecodeError as exc:
            got = f"a byte that is not UTF-8 at offset {exc.start}"
            raise UpstreamInvalid(source, what, "UTF-8 JSON", got) from None
        items = loads(text, source, what)
        if not isinstance(items, list):
            raise UpstreamInvalid(source, what, "a JSON array", type(items).__name__)
        day = parse_day(date, [items], self._clock(), service=source, source=SAVED)
        return replace(day, answer_hash=answer_hash)


def _items(response: Response, what: str) -> list[Any]:
    """A page's items: the JSON array it answers."""
    content_type = response.headers.get("content-type", "unknown content type")
    items = loads(response.body, SERVICE, what, content_type)
    if not isinstance(items, list):
        raise UpstreamInvalid(SERVICE, what, "a JSON array", type(items).__name__)
    return items



def _error_text(body: bytes, token: str) -> str:
    """What Hugging Face said (its JSON `error`, else the body's start): masked, then cut."""
    secrets = (token,) if token else ()
    try:
        data = json.loads(body)
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            return short(data["error"].encode("utf-8", "replace").decode("utf-8"), secrets=secrets)
    except (ValueError, UnicodeDecodeError, RecursionError):
        pass
    return short(body[:4096].decode("utf-8", "replace"), secrets=secrets) or "(empty body)"
