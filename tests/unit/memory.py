"""In-memory ports and helpers for the fast layer (no sockets, no moto)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hf_daily_papers.httpclient import Response, json_bytes
from hf_daily_papers.models import Day, Paper
from hf_daily_papers.parse import parse_day

from fakes.server import FakeServer, Request
from testdata import FIXTURES, expected_post, load_hf  # noqa: F401  (re-exported for the fast layer)

STAMP = dt.datetime(2026, 3, 1, 0, 15, tzinfo=dt.UTC)


def item(pid: str, upvotes: int, date: str, *, title: str | None = None, summary: str = "Abstract.",
         keywords: list[str] | None = None) -> dict[str, Any]:
    """A minimal API item of `date`."""
    return {
        "paper": {"id": pid, "title": title or f"Paper {pid}", "summary": summary, "upvotes": upvotes,
                  "submittedOnDailyAt": f"{date}T08:00:00.000Z", "ai_keywords": keywords or []},
        "title": title or f"Paper {pid}",
    }


class MemorySource:
    """Saved answers in memory: date → items; a date mapped to an exception raises it."""

    def __init__(self, days: dict[str, Any] | None = None, *, now: dt.datetime = STAMP) -> None:
        self.days: dict[str, Any] = dict(days or {})
        self.asked: list[str] = []
        self.now = now  # the fetch time the source stamps on each day

    def url(self, date: dt.date) -> str:
        return f"memory://{date.isoformat()}"

    def fetch_day(self, date: dt.date, known: str = "") -> Day:
        self.asked.append(date.isoformat())
        answer = self.days.get(date.isoformat(), [])
        if isinstance(answer, BaseException):
            raise answer
        return parse_day(date, [answer], self.now)


class MemoryArchive:
    where = "memory"

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.puts: list[str] = []

    def get(self, key: str) -> bytes | None:
        return self.objects.get(key)

    def put(self, key: str, data: bytes) -> None:
        self.objects[key] = data
        self.puts.append(key)

    def set_aside(self, key: str) -> str:
        kept = f"{key}.unreadable"
        self.objects[kept] = self.objects.pop(key)
        return kept

    def document(self, key: str) -> dict[str, Any]:
        return dict(json.loads(self.objects[key]))


class FakeModel:
    """A model that answers a faithful Korean summary made of the title, fails for the ids in
    `failing` (or all), or answers what `answers` holds for a paper id (one answer per call)."""

    model = "test-model"
    prompt_version = 1
    language = "ko"

    def __init__(self, *, failing: set[str] | None = None, fail_all: bool = False,
                 answers: dict[str, list[str]] | None = None, on_call: Any = None, denied: bool = False) -> None:
        self.failing = failing or set()
        self.fail_all = fail_all
        self.answers = answers or {}
        self.calls: list[str] = []
        self.feedback: list[str | None] = []
        self.on_call = on_call  # called before each answer (a test's clock)
        self.denied = denied  # every call refused as Bedrock refuses a model without access

    def ask(self, paper: Paper, *, feedback: str | None = None) -> Any:
        from hf_daily_papers.summaries import Answer, SummaryFailed

        self.calls.append(paper.id)
        self.feedback.append(feedback)
        if self.on_call is not None:
            self.on_call()
        if self.denied:
            raise SummaryFailed("AccessDeniedException (fake)", permanent=True)
        if self.fail_all or paper.id in self.failing:
            raise SummaryFailed("ThrottlingException (fake)")
        if self.answers.get(paper.id):
            return Answer(self.answers[paper.id].pop(0), "end_turn")
        return Answer(f"이 논문은 {paper.title}에 관한 연구로, 그 방법과 결과를 간결하게 소개합니다.", "end_turn")


class InProcessHttp:
    """The HTTP client's interface, answered by a fake server's `exchange` in this process: the
    publisher's commit logic runs against FakeGitHub with no socket."""

    def __init__(self, fake: FakeServer) -> None:
        self.fake = fake
        fake.in_process = True

    def request(self, method: str, url: str, *, what: str, headers: Any = None, json_body: Any = None) -> Response:
        parts = urlsplit(url)
        body = json_bytes(json_body) if json_body is not None else b""
        lowered = {"user-agent": "hf-daily-papers/test", **{k.lower(): v for k, v in (headers or {}).items()}}
        if json_body is not None:  # as HttpClient sends it
            lowered["content-type"] = "application/json; charset=utf-8"
        reply = self.fake.exchange(Request(method, parts.path, parse_qs(parts.query), lowered, body))
        data, content_type = reply.encoded()
        answer = {k.lower(): v for k, v in reply.headers.items()}
        if content_type:
            answer["content-type"] = content_type
        return Response(reply.status, answer, data, 1)
