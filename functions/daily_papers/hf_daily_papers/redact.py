"""The secret mask: every text that may be logged, returned or raised passes through `redact`.

Tokens register themselves when they are read (`register`: the Secrets Manager token, the token
settings), process-wide and thread-safe: a secret is a secret for every run of the process.
`redact` then replaces, with `***`:

- every run of 8 or more characters of a known secret -- the whole token, and any piece of it
  (a prefix a library or a server cut off, a token split across two lines); also the token as
  `repr` or JSON would escape it (a `\\n` inside, in an exception's text);
- what looks like a token even when it was never registered: GitHub tokens (`ghp_…`, `gho_…`,
  `github_pat_…`), Hugging Face tokens (`hf_…`), the credential after `Bearer` / `token` /
  `Basic`, and the password of a URL (`https://user:***@host`).

`short` masks FIRST and then cuts, so a token straddling the cut shows none of itself. `scrub`
masks an exception (its message, its notes, the exceptions chained to it) before it is logged
or raised on past a boundary (the Lambda handler, the CLI). `token_problem` says why a value
cannot be a token (whitespace, control characters, a JSON document), for the places that read
one. `MaskLogRecords` is a logging filter doing the same to every record of a logger.

This module imports nothing from the package, so everything can use it.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable

MASK = "***"
#: Pieces of a known secret shorter than this are not masked (they would mask ordinary words).
MIN_PIECE = 8
#: Secrets shorter than this are not registered: no real token is that short, and masking every
#: occurrence of three letters would garble the messages.
MIN_SECRET = 4
ELLIPSIS = "…"

_TOKEN_PATTERNS = (
    # GitHub: classic (ghp_), OAuth (gho_), user-to-server (ghu_), server-to-server (ghs_),
    # refresh (ghr_), fine-grained (github_pat_); Hugging Face (hf_). The prefix stays readable.
    re.compile(r"(?<![A-Za-z0-9])(gh[pousr]_|github_pat_|hf_)[A-Za-z0-9_]{16,}"),
    # The credential of an Authorization header (or a text quoting one): a word with a digit in it.
    re.compile(r"(?i)(?<![A-Za-z0-9])(bearer|token|basic)(\s+)(?=[A-Za-z._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{8,}"),
)
_URL_PASSWORD = re.compile(r"(://[^/\s:@]+:)[^/\s@]+@")
# Where any of the patterns above could match: most texts have none, and are not scanned again.
_MAYBE_TOKEN = re.compile(r"gh[pousr]_|github_pat_|hf_|(?i:bearer|token|basic)\s|://")


class _Known:
    """The registered secrets and the index of their 8-character pieces, replaced whole on
    every change (copy-on-write): readers take one reference and need no lock."""

    def __init__(self, secrets: frozenset[str]) -> None:
        self.secrets = secrets
        self.pieces = _pieces(secrets)


_lock = threading.Lock()
_known: _Known  # set below, once _pieces is defined


def register(secret: str) -> None:
    """Mask `secret` (and its escaped forms, and any piece of 8+ characters) in every text from now on."""
    global _known
    forms = _forms(secret)
    if not forms:
        return
    with _lock:
        if forms <= _known.secrets:
            return
        _known = _Known(_known.secrets | forms)


def forget() -> None:
    """Forget every registered secret: what a new execution environment starts with (a new
    process; `handler.reset_environment` and the tests between two tests)."""
    global _known
    with _lock:
        _known = _Known(frozenset())


def register_refused(value: str) -> None:
    """A value refused as a token (two tokens pasted, a JSON document): mask it, and each of its
    whitespace-separated parts, should any of it surface in a text anyway."""
    register(value)
    for part in value.split():
        register(part.strip("\"',{}[]"))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret (and `secrets`), any piece of 8+ characters of one, and
    anything that looks like a token replaced by `***`."""
    known = _known
    extra: frozenset[str] = frozenset().union(*(_forms(s) for s in secrets))
    pieces = known.pieces if not extra else known.pieces | _pieces(extra)
    secrets_all = known.secrets | extra
    if pieces or secrets_all:
        text = _mask_pieces(text, pieces, secrets_all)
    if not _MAYBE_TOKEN.search(text):
        return text
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(_keep_prefix, text)
    return _URL_PASSWORD.sub(rf"\1{MASK}@", text)


def short(text: str, limit: int = 200, secrets: Iterable[str] = ()) -> str:
    """`text` masked FIRST, its whitespace runs made single spaces, then cut to `limit` characters."""
    text = " ".join(redact(text, secrets).split())
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def preview(body: bytes, limit: int = 60) -> str:
    """The start of a body for an error message, quoted: masked FIRST (over a window longer than
    any token), then cut, so a token straddling the cut shows nothing of itself."""
    return repr(short(body[:4096].decode("utf-8", "replace"), limit))


def token_problem(value: str) -> str | None:
    """Why `value` (already stripped of outer whitespace) cannot be a token; None if it can be one.

    A token is one word of printable ASCII. Two tokens pasted, a token with a line break inside
    or a pretty-printed JSON secret would otherwise reach an HTTP header (where the HTTP library
    refuses it with the value in its error text) or be sent as a wrong credential. The reason
    names the kind of character, never the value."""
    if not value:
        return "it is empty"
    if value[0] in "{[\"'":
        return "it holds a JSON document or a quoted string, not a token: store the token alone, as plain text"
    for char in value:
        if char in "\r\n":
            kind = "a line break"
        elif char.isspace():
            kind = "a tab" if char == "\t" else "a space"
        elif unicodedata.category(char) == "Cc":
            kind = "a control character"
        elif unicodedata.category(char) == "Cf":
            kind = "an invisible (format) character"
        elif not (char.isascii() and char.isprintable()):
            kind = "a character that is not printable ASCII"
        else:
            continue
        hint = "two tokens pasted, or a document?" if char.isspace() else "copied from formatted text?"
        return f"it holds {kind} inside ({hint}): store the token alone, on one line"
    return None


def scrub(exc: BaseException) -> BaseException:
    """`exc` fit to be logged and raised on: every text it carries masked.

    Its message and notes, and those of every exception chained to it (cause, context, the
    members of a group), are masked in place, so the type, the attributes and the traceback
    stay. An exception whose text cannot be masked in place (its `str` does not come from its
    args) is replaced by a `DailyPapersError` naming its type and quoting its masked text."""
    return _scrub(exc, set())


class MaskLogRecords(logging.Filter):
    """A logging filter that masks a record's message, its string (and JSON-like) extras and
    its exception before any handler formats it. Add it to a logger (`logger.addFilter`)."""

    _STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            try:
                record.msg = redact(record.getMessage())
                record.args = None
            except (TypeError, ValueError):  # a message its args do not fit: masked as it is
                record.msg = redact(record.msg)
        else:
            record.msg = _mask_value(record.msg)
        for key, value in list(record.__dict__.items()):
            if key not in self._STANDARD:
                setattr(record, key, _mask_value(value))
        if record.exc_info and record.exc_info[1] is not None:
            masked = scrub(record.exc_info[1])
            record.exc_info = (type(masked), masked, masked.__traceback__)
            record.exc_text = None
        return True


# ---------------------------------------------------------------------------------------------

def _forms(secret: str) -> frozenset[str]:
    """`secret` as it may appear in a text: as is, stripped, and escaped as repr / JSON write it."""
    forms = set()
    for value in (secret, secret.strip()):
        if len(value) < MIN_SECRET:
            continue
        forms.add(value)
        forms.add(repr(value)[1:-1])
        forms.add(json.dumps(value)[1:-1])
        forms.add(json.dumps(value, ensure_ascii=False)[1:-1])
        forms.add(repr(value.encode("utf-8", "backslashreplace"))[2:-1])
    return frozenset(f for f in forms if len(f) >= MIN_SECRET)


def _pieces(secrets: frozenset[str]) -> frozenset[str]:
    return frozenset(s[i : i + MIN_PIECE] for s in secrets for i in range(len(s) - MIN_PIECE + 1))


def _mask_pieces(text: str, pieces: frozenset[str], secrets: frozenset[str]) -> str:
    """Mask every window of MIN_PIECE characters that is a piece of a secret (their union covers
    every run of 8+ characters of one), and every whole secret shorter than that."""
    spans: list[tuple[int, int]] = []
    if len(pieces) < len(text):  # few secrets: look for each piece (str.find runs in C)
        for piece in pieces:
            at = text.find(piece)
            while at != -1:
                spans.append((at, at + MIN_PIECE))
                at = text.find(piece, at + 1)
    else:  # a short text: look up each of its windows
        spans = [(i, i + MIN_PIECE) for i in range(len(text) - MIN_PIECE + 1) if text[i : i + MIN_PIECE] in pieces]
    for secret in secrets:
        if len(secret) < MIN_PIECE:
            at = text.find(secret)
            while at != -1:
                spans.append((at, at + len(secret)))
                at = text.find(secret, at + 1)
    if not spans:
        return text
    spans.sort()
    out, last = [], 0
    start, end = spans[0]
    for s, e in spans[1:]:
        if s <= end:
            end = max(end, e)
            continue
        out += [text[last:start], MASK]
        last, (start, end) = end, (s, e)
    out += [text[last:start], MASK, text[end:]]
    return "".join(out)


def _keep_prefix(match: re.Match[str]) -> str:
    groups = match.groups()
    return "".join(g for g in groups if g) + MASK


def _mask_value(value: object, depth: int = 0) -> object:
    if isinstance(value, str):
        return redact(value)
    if depth > 8:
        return value
    if isinstance(value, dict):
        return {k: _mask_value(v, depth + 1) for k, v in value.items()}
    if type(value) is list:
        return [_mask_value(v, depth + 1) for v in value]
    if type(value) is tuple:
        return tuple(_mask_value(v, depth + 1) for v in value)
    if isinstance(value, BaseException):
        return scrub(value)
    return value


def _text(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__: nothing to show
        return ""


def _scrub(exc: BaseException, seen: set[int]) -> BaseException:
    if id(exc) in seen:
        return exc
    seen.add(id(exc))
    text = _text(exc)
    if redact(text) != text:
        exc.args = tuple(redact(a) if isinstance(a, str) else a for a in exc.args)
        if redact(_text(exc)) != _text(exc):  # str() does not come from args (e.g. OSError's strerror)
            exc = _replacement(exc)
    notes = getattr(exc, "__notes__", None)
    if isinstance(notes, list):
        exc.__notes__ = [redact(n) if isinstance(n, str) else n for n in notes]
    if exc.__cause__ is not None:
        exc.__cause__ = _scrub(exc.__cause__, seen)
    if exc.__context__ is not None:
        exc.__context__ = _scrub(exc.__context__, seen)
    if isinstance(exc, BaseExceptionGroup):
        members = [_scrub(e, seen) for e in exc.exceptions]
        if any(m is not e for m, e in zip(members, exc.exceptions, strict=True)):
            exc = _replacement(exc)
    return exc


def _replacement(exc: BaseException) -> BaseException:
    from .errors import DailyPapersError  # (errors imports this module)

    masked = DailyPapersError(f"{type(exc).__name__}: {redact(_text(exc))}")
    masked.__traceback__ = exc.__traceback__
    masked.__suppress_context__ = True
    return masked


_known = _Known(frozenset())
