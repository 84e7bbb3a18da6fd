"""The ports: what the use cases need from the world, each with a local and a real adapter.

| port           | local (CLI default)                 | real (Lambda)                     |
|----------------|-------------------------------------|-----------------------------------|
| PaperSource    | hf.FolderSource (saved answers)      | hf.HfApiSource (Hugging Face API) |
| Archive        | archive.FolderArchive               | archive.S3Archive                 |
| Publisher      | publish.FolderPublisher             | publish.GitHubPublisher           |
| SummaryModel   | none (summaries off)                | bedrock.BedrockModel              |

`Log` and `MetricSink` are the two things a run reports to (a stdlib or Powertools logger, and
Powertools' metrics or nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .models import Day
from .publish import Publication
from .summaries import SummaryModel


class PaperSource(Protocol):
    def fetch_day(self, date: dt.date, known: str = "") -> Day | None:
        """The day's list; None when the answer is byte for byte the one whose `answer_hash` is
        `known` (a conditional fetch, like an ETag)."""
        ...

    def url(self, date: dt.date) -> str: ...


class Archive(Protocol):
    """Bytes under keys. `get` answers None for a key never written."""

    where: str

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...

    def set_aside(self, key: str) -> str:
        """Keep an unreadable object before it is replaced; says where it is kept."""
        ...


class Publisher(Protocol):
    where: str

    def publish(self, files: Mapping[str, str], message: str) -> Publication: ...


class MetricSink(Protocol):
    def add_metric(self, name: str, unit: str, value: float) -> None: ...


class Log(Protocol):
    """A stdlib logger or a Powertools Logger (both take `extra=`)."""

    def info(self, msg: Any, *args: Any, **kwargs: Any) -> None: ...

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None: ...

    def error(self, msg: Any, *args: Any, **kwargs: Any) -> None: ...


class NoMetrics:
    def add_metric(self, name: str, unit: str, value: float) -> None:
        pass


@dataclass(frozen=True)
class Ports:
    """Where papers come from and where a run's output goes."""

    source: PaperSource
    archive: Archive
    publisher: Publisher
    model: SummaryModel | None = None  # None: summaries off
