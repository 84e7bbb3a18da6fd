"""The day archive: one UTF-8 JSON document per day, in S3 or in a local folder.

Key (a fixed function of the date): `daily/YYYY/MM/YYYY-MM-DD.json`, e.g.
`daily/2026/02/2026-02-25.json`. The document holds every paper exactly as the API served it,
the fetch time, the ranking (all paper ids, highest upvotes first), the items left out and why,
and, when summaries are on, the Korean summaries per paper id. A day seen empty is archived too
(zero papers), so a digest does not ask Hugging Face for it again.

The archives themselves (`FolderArchive`, `S3Archive`) store bytes under keys; this module also
owns the document format, both ways: `day_document` and `encode` write it, `decode_day` reads
it back and refuses anything that is not such a document (`ArchiveUnreadable`), which callers
treat as a day never archived.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .errors import AuthError, DailyPapersError, NoCredentials, UpstreamRejected, UpstreamUnavailable
from .models import Day, Paper, rank

PREFIX = "daily/"
SCHEMA = 1


def archive_key(date: dt.date) -> str:
    return f"{PREFIX}{date:%Y/%m}/{date.isoformat()}.json"


class ArchiveUnreadable(DailyPapersError):
    """An archive object that is not a day document (not JSON, not an object, wrong schema)."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        super().__init__(f"archive object {key} is not a day document: {problem}")


@dataclass(frozen=True)
class ArchivedDay:
    """A day as read back from the archive."""

    date: dt.date
    fetched_at: str
    papers: tuple[Paper, ...]
    document: dict[str, Any] = field(repr=False)
    summaries: dict[str, Any] = field(default_factory=dict, repr=False)  # paper id -> stored summary (JSON)

    @property
    def empty(self) -> bool:
        return not self.document["papers"]

    @property
    def settled_empty(self) -> bool:
        """Seen empty after the day had closed: a weekend, not a list still filling. Such a day
        is not asked for again; an empty record made while the day was open is."""
        stamp = self.fetched_at[:10]
        return self.empty and len(stamp) == 10 and stamp > self.date.isoformat()


def day_document(day: Day, source_url: str, summaries: Mapping[str, Any] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "date": day.date.isoformat(),
        "fetched_at": day.fetched_at,
        "source": source_url,
        "count": len(day.papers),
        "ranking": [p.id for p in rank(day.papers, 0)],
        "skipped": list(day.skipped),
        "papers": list(day.items),
    }
    if summaries:  # only with summaries on: documents stay as they were without them
        document["summaries"] = {pid: dict(summaries[pid]) for pid in sorted(summaries)}
    return document


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal but for the fetch time: re-archiving would only record that we looked again."""
    return {k: v for k, v in a.items() if k != "fetched_at"} == {
        k: v for k, v in b.items() if k != "fetched_at"
    }


def encode(document: dict[str, Any]) -> bytes:
    """UTF-8 JSON. Text that UTF-8 cannot carry (a lone surrogate from a `\\ud800` escape) is
    written as a JSON escape instead, so an odd record never turns into a storage error."""
    try:
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(document, ensure_ascii=True, indent=1).encode("ascii")


def decode_day(date: dt.date, key: str, data: bytes, *, papers: bool = True) -> ArchivedDay:
    """An archive object back into a day; `ArchiveUnreadable` if it is not a day document.

    `papers=False` skips turning the stored items into papers (the daily run only compares the
    document and reuses its summaries; the digest needs the papers)."""
    from .hf import parse_day  # the papers are stored as the API served them

    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ArchiveUnreadable(key, f"not JSON ({type(exc).__name__})") from None
    if not isinstance(document, dict):
        raise ArchiveUnreadable(key, f"a JSON {type(document).__name__}, not an object")
    if document.get("schema") != SCHEMA:
        raise ArchiveUnreadable(key, f"schema {document.get('schema')!r}, expected {SCHEMA}")
    items, fetched_at = document.get("papers"), document.get("fetched_at")
    if not isinstance(items, list) or not isinstance(fetched_at, str) or document.get("date") != date.isoformat():
        raise ArchiveUnreadable(key, "no papers list, fetched_at or matching date")
    summaries = document.get("summaries", {})
    if not isinstance(summaries, dict):
        summaries = {}
    try:
        day = parse_day(date, [items], dt.datetime.now(dt.UTC)) if items and papers else None
    except DailyPapersError as exc:
        raise ArchiveUnreadable(key, str(exc)) from None
    return ArchivedDay(date, fetched_at, day.papers if day else (), document, summaries)


class Archive(Protocol):
    """Bytes under keys. `get` answers None for a key never written."""

    where: str

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


class FolderArchive:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.where = str(self.root)

    def get(self, key: str) -> bytes | None:
        path = self.root / key
        return path.read_bytes() if path.exists() else None

    def put(self, key: str, data: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


class S3Archive:
    SERVICE = "S3"

    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self.bucket = bucket
        self.where = f"s3://{bucket}"

    def get(self, key: str) -> bytes | None:
        try:
            obj = self._s3.get_object(Bucket=self.bucket, Key=key)
        except Exception as exc:  # noqa: BLE001 - botocore's ClientError, without importing botocore eagerly
            code = _code(exc)
            if code in ("NoSuchKey", "404"):
                return None
            raise self._error(exc, f"read {key}") from None
        try:
            return bytes(obj["Body"].read())
        except Exception as exc:  # noqa: BLE001 - the connection dropped while the body arrived
            raise self._error(exc, f"read {key}") from None

    def put(self, key: str, data: bytes) -> None:
        try:
            self._s3.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType="application/json; charset=utf-8",
            )
        except Exception as exc:  # noqa: BLE001 - botocore's errors, mapped to ours by _error
            raise self._error(exc, f"write {key}") from None

    def _error(self, exc: Exception, what: str) -> Exception:
        code = _code(exc)
        if code is None:  # no answer: no credentials, or no connection (botocore retried it)
            name = type(exc).__name__
            if "Credentials" in name:  # none found (NoCredentialsError) or half of them: nobody refused anything
                return NoCredentials(self.SERVICE, f"{what} in {self.bucket}", name)
            return UpstreamUnavailable(self.SERVICE, f"{what} in {self.bucket}", name, _max_attempts(self._s3))
        if code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"):
            return AuthError(self.SERVICE, "the function's IAM role", f"{code} on {what} in {self.bucket}")
        if code.startswith("5") or code in ("SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout"):
            return UpstreamUnavailable(self.SERVICE, f"{what} in {self.bucket}", code, _tries(exc))
        if code == "NoSuchBucket":
            return UpstreamRejected(
                self.SERVICE, f"{what} in {self.bucket}", _status(exc),
                f"{code}: the bucket does not exist (check BUCKET_NAME)",
            )
        return UpstreamRejected(self.SERVICE, f"{what} in {self.bucket}", _status(exc), code)


def _code(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    return str(response.get("Error", {}).get("Code") or response.get("ResponseMetadata", {}).get("HTTPStatusCode"))


def _max_attempts(client: Any) -> int:
    try:  # botocore stores `max_attempts` (retries) as `total_max_attempts` (tries)
        retries = client.meta.config.retries
        return int(retries.get("total_max_attempts") or retries.get("max_attempts", 0) + 1)
    except (AttributeError, TypeError, ValueError):
        return 1


def _tries(exc: Exception) -> int:
    response = getattr(exc, "response", None) or {}
    return int(response.get("ResponseMetadata", {}).get("RetryAttempts") or 0) + 1


def _status(exc: Exception) -> int:
    response = getattr(exc, "response", None) or {}
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
