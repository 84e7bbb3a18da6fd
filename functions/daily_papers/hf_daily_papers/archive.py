"""The day archive: one UTF-8 JSON document per day, in S3 or in a local folder.

Key (a fixed function of the date): `daily/YYYY/MM/YYYY-MM-DD.json`, zero-padded whatever the
year (`daily/0999/01/0999-01-05.json`). This module is the archive's edge: `encode_day` and
`decode_day` are the one place where a `Day` becomes the stored document and back. The stores
(`FolderArchive`, `S3Archive`) move bytes under keys.

The document: every paper exactly as the API served it (`papers`), the fetch time, where the
list came from (`origin`: `live`, the Hugging Face API, or `saved`, a saved answer file), the
ranking (all paper ids, highest upvotes first), the items left out and why, and, with summaries
on, the kept summaries and rejected answers per paper id. A day seen empty is archived too (zero
papers), so that no run asks for a settled day again. `decode_day` refuses anything that is not
such a document (`ArchiveUnreadable`); callers treat it as a day never archived.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from .aws import AwsFault, classify, tries_per_call
from .errors import AuthError, DailyPapersError, NoCredentials, UpstreamRejected, UpstreamUnavailable
from .models import LIVE, SAVED, Day, rank
from .summaries import Rejection, Summary, text_hash

PREFIX = "daily/"
SCHEMA = 1


def archive_key(date: dt.date) -> str:
    return f"{PREFIX}{date.year:04d}/{date.month:02d}/{date.isoformat()}.json"


class ArchiveUnreadable(DailyPapersError):
    """An archive object that is not a day document (not JSON, not an object, wrong schema)."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        super().__init__(f"archive object {key} is not a day document: {problem}")


# -- Day -> bytes ------------------------------------------------------------------------------
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)  # the C encoder (no indent)
_CANNOT_KEEP = (ValueError, TypeError, UnicodeEncodeError, RecursionError)


def encode_day(day: Day, url: str) -> tuple[Day, bytes]:
    """(the day as archived, its archive document). `url` is where the list was read; the day's
    papers are parsed (the ranking is made from them: `with_papers` for a day read without).

    Every item is kept exactly as served, by the C encoder (`indent` would make Python fall
    back to its pure-Python encoder: half the time of a whole run). The check that
    an item can be kept (UTF-8 JSON that reads back the same) is this encode: only when it
    fails are the items walked (`parse.unarchivable`), and the ones that cannot be kept are left
    out of the day (its papers too) with their reasons in `skipped`."""
    try:
        return _encoded(day, url)
    except _CANNOT_KEEP:
        day = _admitted(day)
        return _encoded(day, url)


def _encoded(day: Day, url: str) -> tuple[Day, bytes]:
    head: dict[str, Any] = {
        "schema": SCHEMA,
        "date": day.date.isoformat(),
        "fetched_at": day.fetched_at,
        "source": url,
        "origin": day.source,
        "count": len(day.items),
        "ranking": [p.id for p in rank(day.papers, 0)],
        "skipped": list(day.skipped),
    }
    if day.answer_hash:
        head["answer_sha256"] = day.answer_hash
    if day.summaries:  # only with summaries on: documents stay as they were without them
        head["summaries"] = {pid: _summary_json(day.summaries[pid]) for pid in sorted(day.summaries)}
    if day.rejections:
        head["rejections"] = {pid: _rejection_json(day.rejections[pid]) for pid in sorted(day.rejections)}
    # A field a line, the papers on the last one. The papers (nearly all of it) are encoded
    # straight to bytes and joined as bytes: no second copy of the text. A lone surrogate (a
    # `\\ud800` escape) cannot be stored: UnicodeEncodeError.
    fields = "".join(f"\n {_ENCODER.encode(name)}: {_ENCODER.encode(value)}," for name, value in head.items())
    papers = _ENCODER.encode(day.items).encode("utf-8")
    return day, b"".join([b"{", fields.encode("utf-8"), b'\n "papers": ', papers, b"\n}\n"])


def _admitted(day: Day) -> Day:
    from .parse import unarchivable

    bad = dict(unarchivable(list(day.items)))
    ids = {(item.get("paper") or {}).get("id") for i, item in enumerate(day.items) if i in bad}
    return replace(
        day,
        items=tuple(item for i, item in enumerate(day.items) if i not in bad),
        papers=tuple(p for p in day.papers if p.id not in ids),
        skipped=(*day.skipped, *(f"item {i}: {reason}" for i, reason in sorted(bad.items()))),
    )


def same_record(stored: Day, new: Day) -> bool:
    """Equal but for the fetch time: re-archiving would only record that we looked again."""
    return (
        stored.items == new.items
        and stored.skipped == new.skipped
        and stored.source == new.source
        and stored.answer_hash == new.answer_hash
        and dict(stored.summaries) == dict(new.summaries)
        and dict(stored.rejections) == dict(new.rejections)
    )


def _summary_json(summary: Summary) -> dict[str, Any]:
    return {"text": summary.text, "model": summary.model, "prompt_version": summary.prompt_version,
            "language": summary.language, "source_hash": summary.source_hash, "created_at": summary.created_at}


def _rejection_json(rejection: Rejection) -> dict[str, Any]:
    return {"reasons": list(rejection.reasons), "model": rejection.model, "prompt_version": rejection.prompt_version,
            "language": rejection.language, "source_hash": rejection.source_hash, "created_at": rejection.created_at}


# -- bytes -> Day ------------------------------------------------------------------------------
def decode_day(date: dt.date, key: str, data: bytes, *, papers: bool = True) -> Day:
    """An archive object back into the day; `ArchiveUnreadable` if it is not a day document.

    `papers=False` leaves the stored items unparsed (`papers` empty): the daily run compares
    what is stored and reuses the kept summaries; the digest needs the papers."""
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
    if not all(isinstance(item, dict) for item in items):
        raise ArchiveUnreadable(key, "a paper that is not an object")
    skipped = document.get("skipped")
    day = Day(
        date, fetched_at, (), tuple(items),
        tuple(s for s in skipped if isinstance(s, str)) if isinstance(skipped, list) else (),
        SAVED if document.get("origin") == SAVED else LIVE,
        _unkeyed_to_items(_read_all(document.get("summaries"), _summary), items),
        _read_all(document.get("rejections"), _rejection),
        answer if isinstance(answer := document.get("answer_sha256"), str) else "",
    )
    return with_papers(day, key) if papers else day


def with_papers(day: Day, key: str) -> Day:
    """A day read back without its papers, with them (the items parsed as the API's would be)."""
    if day.papers or not day.items:
        return day
    from .parse import parse_day  # the papers are stored as the API served them

    try:
        parsed = parse_day(day.date, [list(day.items)], dt.datetime.now(dt.UTC))
    except DailyPapersError as exc:
        raise ArchiveUnreadable(key, str(exc)) from None
    return replace(day, papers=parsed.papers)


def _read_all(value: object, read: Any) -> dict[str, Any]:
    """`{paper_id: entry}` as typed values; a malformed entry (an archive is untrusted: a hand
    edit, an older format) is left out, so that paper is simply asked again."""
    if not isinstance(value, dict):
        return {}
    found = {}
    for paper_id, entry in value.items():
        typed = read(entry) if isinstance(entry, dict) else None
        if isinstance(paper_id, str) and paper_id and typed is not None:
            found[paper_id] = typed
    return found


def _unkeyed_to_items(summaries: dict[str, Summary], items: list[Any]) -> dict[str, Summary]:
    """Summaries kept before they were keyed (no `source_hash`) summarised the item they were kept
    beside: they get that item's title+abstract hash, so a run that does not summarize keeps
    showing them (a new model or prompt version still makes them again when asked)."""
    unkeyed = [pid for pid, s in summaries.items() if not s.source_hash]
    if not unkeyed:
        return summaries
    found = dict(summaries)
    for item in items:
        paper = item.get("paper") if isinstance(item, dict) else None
        pid = paper.get("id") if isinstance(paper, dict) else None
        if pid in unkeyed and isinstance(paper.get("title"), str):  # type: ignore[union-attr]
            abstract = paper.get("summary") or ""  # type: ignore[union-attr]
            if isinstance(abstract, str):
                found[pid] = replace(found[pid], source_hash=text_hash(paper["title"], abstract))  # type: ignore[index]
    return found


def _text(entry: Mapping[str, Any], name: str, default: str | None = None) -> str | None:
    value = entry.get(name, default)
    return value if isinstance(value, str) and value.strip() else None


def _version(entry: Mapping[str, Any]) -> int | None:
    value = entry.get("prompt_version")
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def _summary(entry: Mapping[str, Any]) -> Summary | None:
    # Summaries kept before languages and source hashes existed were Korean and keyed by nothing:
    # an empty hash never matches, so they are made again once.
    text, model, version = _text(entry, "text"), _text(entry, "model"), _version(entry)
    language, created = _text(entry, "language", "ko"), _text(entry, "created_at")
    source_hash = entry.get("source_hash", "")
    if None in (text, model, version, language, created) or not isinstance(source_hash, str):
        return None
    return Summary(text, model, version, language, source_hash, created)  # type: ignore[arg-type]


def _rejection(entry: Mapping[str, Any]) -> Rejection | None:
    model, version, language = _text(entry, "model"), _version(entry), _text(entry, "language")
    created, source_hash, reasons = _text(entry, "created_at"), _text(entry, "source_hash"), entry.get("reasons")
    if None in (model, version, language, created, source_hash) or not isinstance(reasons, list):
        return None
    return Rejection(tuple(str(r) for r in reasons), model, version, language, source_hash, created)  # type: ignore[arg-type]


# -- the stores --------------------------------------------------------------------------------
class FolderArchive:
    """Objects as files under `root`; an unreadable one is kept beside its replacement."""

    def __init__(self, root: Path, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.root = Path(root)
        self.where = str(self.root)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def get(self, key: str) -> bytes | None:
        path = self.root / key
        return path.read_bytes() if path.exists() else None

    def put(self, key: str, data: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            tmp.write_bytes(data)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)

    def set_aside(self, key: str) -> str:
        """Keep an unreadable object before it is replaced: renamed `<key>.unreadable-<time>`."""
        path = self.root / key
        kept = path.with_name(f"{path.name}.unreadable-{self._clock():%Y%m%dT%H%M%SZ}")
        path.replace(kept)
        return str(kept)


class S3Archive:
    SERVICE = "S3"

    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self.bucket = bucket
        self.where = f"s3://{bucket}"

    def set_aside(self, key: str) -> str:
        """The bucket is versioned: the unreadable object stays as the previous version."""
        return f"s3://{self.bucket}/{key} (kept as the previous version of the object)"

    def get(self, key: str) -> bytes | None:
        try:
            obj = self._s3.get_object(Bucket=self.bucket, Key=key)
        except Exception as exc:  # noqa: BLE001 - botocore's ClientError, without importing botocore eagerly
            if self._fault(exc).kind == "missing":  # NoSuchKey: never written
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

    def _fault(self, exc: Exception) -> AwsFault:
        """botocore's `exc` classified (`aws.classify`); anything else is a bug: raised as it is."""
        fault = classify(exc, attempts=tries_per_call(self._s3))
        if fault is None:
            raise exc
        return fault

    def _error(self, exc: Exception, what: str) -> Exception:
        """Our error for botocore's `exc`."""
        fault = self._fault(exc)
        where = f"{what} in {self.bucket}"
        if fault.kind == "auth" and fault.code in ("NoCredentialsError", "PartialCredentialsError"):
            return NoCredentials(self.SERVICE, where, fault.code)  # none found: nobody refused anything
        if fault.kind == "auth":
            return AuthError(self.SERVICE, "the function's IAM role", f"{fault.code} on {where}")
        if fault.kind == "transient":
            return UpstreamUnavailable(self.SERVICE, where, fault.code, fault.tries)
        if fault.code == "NoSuchBucket":
            return UpstreamRejected(
                self.SERVICE, where, fault.status, f"{fault.code}: the bucket does not exist (check BUCKET_NAME)"
            )
        detail = fault.code if fault.status else f"{fault.code}: {fault.message}"  # no answer: say what botocore said
        return UpstreamRejected(self.SERVICE, where, fault.status, detail)

