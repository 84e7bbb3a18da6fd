"""The day archive: one UTF-8 JSON document per day, in S3 or in a local folder.

Key (a fixed function of the date): `daily/YYYY/MM/YYYY-MM-DD.json`, e.g.
`daily/2026/02/2026-02-25.json`. The document holds every paper exactly as the API served it,
the fetch time and the ranking (all paper ids, highest upvotes first).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Protocol

from .errors import AuthError, UpstreamRejected, UpstreamUnavailable
from .models import Day, rank

PREFIX = "daily/"
SCHEMA = 1


def archive_key(date: dt.date) -> str:
    return f"{PREFIX}{date:%Y/%m}/{date.isoformat()}.json"


def archive_document(day: Day, source_url: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "date": day.date.isoformat(),
        "fetched_at": day.fetched_at,
        "source": source_url,
        "count": len(day.papers),
        "ranking": [p.id for p in rank(day.papers, 0)],
        "skipped": list(day.skipped),
        "papers": list(day.items),
    }


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal but for the fetch time: re-archiving would only record that we looked again."""
    return {k: v for k, v in a.items() if k != "fetched_at"} == {
        k: v for k, v in b.items() if k != "fetched_at"
    }


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


class Archive(Protocol):
    where: str

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, document: dict[str, Any]) -> None: ...


class FolderArchive:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.where = str(self.root)
        self.written: list[str] = []  # keys this archive wrote (for failure logs)

    def get(self, key: str) -> dict[str, Any] | None:
        path = self.root / key
        return json.loads(path.read_bytes()) if path.exists() else None

    def put(self, key: str, document: dict[str, Any]) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_bytes(encode(document))
        tmp.replace(path)
        self.written.append(key)


class S3Archive:
    SERVICE = "S3"

    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self.bucket = bucket
        self.where = f"s3://{bucket}"
        self.written: list[str] = []  # keys this archive wrote (for failure logs)

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            obj = self._s3.get_object(Bucket=self.bucket, Key=key)
        except Exception as exc:  # botocore's ClientError, without importing botocore eagerly
            code = _code(exc)
            if code in ("NoSuchKey", "404"):
                return None
            raise self._error(exc, f"read {key}") from None
        return json.loads(obj["Body"].read())

    def put(self, key: str, document: dict[str, Any]) -> None:
        try:
            self._s3.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=encode(document),
                ContentType="application/json; charset=utf-8",
            )
        except Exception as exc:
            raise self._error(exc, f"write {key}") from None
        self.written.append(key)

    def _error(self, exc: Exception, what: str) -> Exception:
        code = _code(exc)
        if code is None:  # no answer: no credentials, or no connection (botocore retried it)
            name = type(exc).__name__
            if "Credentials" in name:
                return AuthError(self.SERVICE, "the function's IAM role", f"{name} on {what} in {self.bucket}")
            return UpstreamUnavailable(self.SERVICE, f"{what} in {self.bucket}", name, _max_attempts(self._s3))
        if code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"):
            return AuthError(self.SERVICE, "the function's IAM role", f"{code} on {what} in {self.bucket}")
        if code.startswith("5") or code in ("SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout"):
            return UpstreamUnavailable(self.SERVICE, f"{what} in {self.bucket}", code, _tries(exc))
        if code == "NoSuchBucket":
            return UpstreamRejected(
                self.SERVICE, f"{what} in {self.bucket}", _status(exc), f"{code}: the bucket does not exist (check BUCKET_NAME)"
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
