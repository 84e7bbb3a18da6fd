"""Fake Hugging Face Daily Papers API: `GET /api/daily_papers?date=&limit=&p=`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .server import FakeServer, Reply, Request


class FakeHF(FakeServer):
    def __init__(self, days: dict[str, list[dict[str, Any]]] | None = None, *, ignore_page: bool = False) -> None:
        super().__init__()
        self.days: dict[str, list[dict[str, Any]]] = dict(days or {})
        self.ignore_page = ignore_page  # answer every `p` with the first page (an API that ignores it)

    def handle(self, request: Request) -> Reply:
        if request.path != "/api/daily_papers":
            return Reply(404, {"error": "Not Found"})
        date = request.query.get("date", [None])[0]
        try:
            dt.date.fromisoformat(date or "")
        except ValueError:
            return Reply(400, {"error": f'"date" must be a valid date, got {date!r}'})
        try:
            limit = int(request.query.get("limit", ["50"])[0])
            page = int(request.query.get("p", ["0"])[0])
        except ValueError:
            return Reply(400, {"error": "bad limit or p"})
        if not 1 <= limit <= 100 or page < 0:
            return Reply(400, {"error": "limit must be 1..100"})
        items = self.days.get(date, [])
        if self.ignore_page:
            page = 0
        return Reply(200, items[page * limit : (page + 1) * limit])

    @property
    def dates_requested(self) -> list[str]:
        return [r.query.get("date", [""])[0] for r in self.requests]
