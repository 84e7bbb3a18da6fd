"""HTTP for the upstream services: urllib3 with one explicit retry loop, a deadline and a body cap.

`HttpClient.request` owns the whole exchange of every try, top to bottom: connect, send, read
the headers, read the body. urllib3 only moves bytes (`retries=False`, no redirects); the loop
below decides what is retried, how long to wait and when to give up.

Transient (retried): HTTP 429, 500, 502, 503, 504, a rate-limited 403 (GitHub's secondary limits:
one that carries `Retry-After`, `x-ratelimit-remaining: 0` or `RateLimit: …;r=0`), connection
failures, timeouts, and a connection dropped or stalled while the body arrives. Everything else
is returned to the caller, which maps it to an error type.

The wait before a retry is what the server asked for, if it did: `Retry-After` (seconds or an
HTTP-date; an unparsable value counts as absent), GitHub's `x-ratelimit-reset` (when
`x-ratelimit-remaining` is 0), the IETF `RateLimit` header's `t=` (on a 429 or when `r=0`), or
60 s for a rate-limited 403 that names no time. Otherwise the backoff: 0 s after the first
failure, then `backoff_factor * 2**(n-1)` (0, 1, 2, 4 s by default), at most `backoff_max`. A
server asking for more than `max_server_wait` is not waited for: the call fails at once.

Deadline: every call ends within `HttpConfig.deadline` seconds of its start. Each socket wait
(connect, the request's write, the headers, every read of the body) is cut to the time left, the
body is read in chunks as they arrive with the deadline checked between them (so a server that
drips a byte every half second cannot hold a call), a watchdog shuts a connection still waiting
for its headers just past the deadline (a server dripping the headers), no retry whose wait would pass the deadline
is started, and past it the call fails with `UpstreamUnavailable` naming the deadline. Worst
case per call: see `HttpConfig.worst_case_seconds`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import http.client
import json
import logging
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import urllib3
import urllib3.connection
import urllib3.response
from urllib3 import BaseHTTPResponse
from urllib3.exceptions import ConnectTimeoutError, HTTPError, ProtocolError, ReadTimeoutError
from urllib3.util import Timeout

from .errors import AuthError, UpstreamInvalid, UpstreamUnavailable
from .redact import preview, short

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
#: GitHub: a secondary rate limit that names no time means "wait at least a minute".
GITHUB_SECONDARY_WAIT = 60.0
#: How long after a call's deadline the watchdog shuts a connection still waiting for headers.
WATCHDOG_GRACE = 0.25
#: Largest piece of the body read at once; a read returns as soon as any bytes arrive.
CHUNK_BYTES = 64 * 1024
# ASCII digits only: `\d` and str.isdigit also accept "²", "٣", "３", which int() / RFC 9110 do not.
_DIGITS = re.compile(r"[0-9]+")
_RATELIMIT_REMAINING = re.compile(r"(?:^|[;,\s])r=([0-9]+)(?![^;,\s])")
_RATELIMIT_RESET = re.compile(r"(?:^|[;,\s])t=([0-9]+)(?![^;,\s])")

log = logging.getLogger("hf_daily_papers.httpclient")
# The retry loop below logs each retry once; urllib3's own connection warnings ("Retrying…",
# "Connection pool is full…") would only repeat it in words a reader cannot act on.
logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)


@dataclass(frozen=True)
class HttpConfig:
    connect_timeout: float = 5.0  # longest wait to connect, and to hand the request over
    read_timeout: float = 20.0  # longest silence while waiting for the headers or the body
    retries: int = 4  # so at most 5 tries
    backoff_factor: float = 0.5  # waits 0, 1, 2, 4 s between tries
    backoff_max: float = 8.0
    max_server_wait: float = 20.0  # longest Retry-After / rate-limit reset we wait for; longer: fail now
    deadline: float = 45.0  # wall-clock limit of one call: every try, every wait, every body
    max_body_bytes: int = 16 * 1024 * 1024

    @property
    def worst_case_seconds(self) -> float:
        """The longest one call can take.

        Connecting, reading the headers and reading the body never wait past the deadline: each
        socket wait is cut to the time left. The one wait measured from its own start is handing
        the request body to a server that does not take it (at most `connect_timeout`), so a call
        ends at most that long after its deadline. (Name resolution is up to the system resolver.)
        """
        return self.deadline + self.connect_timeout


class Http(Protocol):
    """What the sources and publishers need of an HTTP client (`HttpClient`, `PacedHttp`)."""

    def request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Response: ...


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes  # decoded (gzip), at most max_body_bytes
    tries: int

    def json(self, service: str, what: str) -> Any:
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            kind = self.headers.get("content-type", "unknown content type")
            raise UpstreamInvalid(service, what, "JSON", f"{kind}: {preview(self.body)}") from None


class _TryFailed(Exception):
    """One try met a transient transport fault (connection, timeout, dropped body)."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class _OutOfTime(Exception):
    """The call's deadline passed while a try was under way."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class HttpClient:
    """One service's HTTP client. `service` names it in every error and retry log line."""

    def __init__(
        self,
        service: str,
        config: HttpConfig = HttpConfig(),
        *,
        user_agent: str,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.config = config
        self._sleep = sleep  # every wait before a retry (tests pass one that records the waits)
        self._clock = clock  # the deadline's clock, in seconds (monotonic)
        self._headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip"}
        self._pool = urllib3.PoolManager(num_pools=4, maxsize=8, retries=False)
        # Connections whose wait for the headers ends at the call's deadline (see _Watchdog).
        self._pool.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Response:
        """Send one request, retrying transient faults within the deadline.

        Returns every answer that is not transient (2xx, 3xx, 4xx other than a rate-limited
        403); raises `UpstreamUnavailable` when transient faults outlast the retries, the
        deadline or the server's patience, and `UpstreamInvalid` for a body over the cap.
        """
        c = self.config
        all_headers = {**self._headers, **(headers or {})}
        body = None
        if json_body is not None:
            body = json_bytes(json_body)
            all_headers["Content-Type"] = "application/json; charset=utf-8"
        _check_headers(self.service, all_headers)
        ends = self._clock() + c.deadline
        tries = 0
        while True:
            tries += 1
            try:
                response = self._try(method, url, body, all_headers, what, ends, tries)
            except _OutOfTime as exc:
                raise UpstreamUnavailable(self.service, what, self._too_late(exc.cause), tries) from None
            except _TryFailed as exc:
                cause, asked = exc.cause, None
            else:
                if not is_transient(response.status, response.headers):
                    return response
                cause = f"HTTP {response.status}"
                asked = server_wait(response.status, response.headers)
                if asked is None and response.status == 403:
                    asked = GITHUB_SECONDARY_WAIT

            if tries > c.retries:
                raise UpstreamUnavailable(self.service, what, cause, tries)
            if asked is not None and asked > c.max_server_wait:
                said = f"{asked:.0f} s" if asked < 86_400 else "over a day"
                too_long = f"the server asked to wait {said}, more than the {c.max_server_wait:g} s we wait"
                raise UpstreamUnavailable(self.service, what, f"{cause}; {too_long}", tries)
            wait = asked if asked is not None else self._backoff(tries)
            if self._clock() + wait >= ends:
                raise UpstreamUnavailable(self.service, what, self._too_late(cause), tries)
            log.warning(
                "%s: %s: try %d of %d failed (%s); retrying in %.1f s",
                self.service, what, tries, c.retries + 1, cause, wait,
            )
            self._sleep(wait)

    def _try(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str], what: str, ends: float, tries: int
    ) -> Response:
        """One exchange: connect, send, headers, body. Raises `_TryFailed` or `_OutOfTime`."""
        c = self.config
        left = ends - self._clock()
        if left <= 0:
            raise _OutOfTime("no time left for another try")
        # `total` cuts the connect and the headers' wait to the time left (urllib3 subtracts the
        # time spent connecting and sending from it before it waits for the headers).
        timeout = Timeout(connect=min(c.connect_timeout, left), read=c.read_timeout, total=left)
        try:
            # The watchdog runs in real time: the deadline as seconds left from now.
            with _Watchdog.until(time.monotonic() + left):  # a server dripping the headers cannot pass it
                raw = self._pool.urlopen(
                    method, url, body=body, headers=headers, retries=False, redirect=False,
                    preload_content=False, decode_content=False, timeout=timeout,
                )
        except (ConnectTimeoutError, ReadTimeoutError, ProtocolError) as exc:
            raise (_OutOfTime if self._clock() >= ends else _TryFailed)(_reason(exc)) from None
        except urllib3.exceptions.InvalidHeader as exc:  # e.g. two different Content-Lengths
            raise UpstreamInvalid(self.service, what, "valid response headers", short(str(exc), 120)) from None
        except HTTPError as exc:  # TLS, proxy, a malformed URL: not something a retry mends
            raise UpstreamUnavailable(self.service, what, _reason(exc), tries) from None
        except (ValueError, http.client.HTTPException) as exc:
            # The request could not be sent (http.client refused a header or the URL): ours to fix,
            # and the library's text may quote the value, so only its masked, cut form is shown.
            raise UpstreamUnavailable(
                self.service, what, f"the request could not be sent: {short(str(exc), 120)}", tries
            ) from None
        try:
            resp_headers = {k.lower(): v for k, v in raw.headers.items()}
            if is_transient(raw.status, resp_headers):
                data = b""  # not read: the connection is closed below and the try repeated
                raw.close()
            else:
                data = self._read_body(raw, resp_headers, what, ends)
        finally:
            raw.release_conn()
        return Response(raw.status, resp_headers, data, tries)

    def _read_body(self, raw: BaseHTTPResponse, headers: Mapping[str, str], what: str, ends: float) -> bytes:
        """The whole body, decoded, chunk by chunk as it arrives, within the cap and the deadline."""
        cap = self.config.max_body_bytes
        length = content_length(headers.get("content-length"))
        if length is _BAD_LENGTH:
            # Not retried: the same server sends the same header again; and without a length
            # nothing tells a whole body from one cut short.
            raw.close()
            shown = short(repr(headers["content-length"]), 40)
            raise UpstreamInvalid(self.service, what, "a Content-Length of ASCII digits", f"Content-Length {shown}")
        if isinstance(length, int) and length > cap:
            raw.close()
            raise UpstreamInvalid(self.service, what, f"at most {cap} bytes", f"Content-Length {length}")
        decoder = _decoder(headers.get("content-encoding", ""), self.service, what)
        out = bytearray()
        received = 0
        try:
            while True:
                left = ends - self._clock()
                if left <= 0:
                    raise _OutOfTime(f"the body was still arriving ({received} bytes so far)")
                try:
                    _limit_wait(raw, min(self.config.read_timeout, left))
                    chunk = raw.read1(CHUNK_BYTES, decode_content=False)
                except (ReadTimeoutError, ProtocolError, OSError) as exc:
                    if self._clock() >= ends:  # the wait was cut to the deadline
                        raise _OutOfTime(f"the body was still arriving ({received} bytes so far)") from None
                    raise _TryFailed(f"{_reason(exc)} after {received} bytes of the body") from None
                if not chunk:  # the end (urllib3 raises if it came before Content-Length said)
                    if received:  # (an empty body, as a 204 or 304 has, is complete whatever its encoding)
                        out += decoder(b"", 0)
                    return bytes(out)
                received += len(chunk)
                out += decoder(chunk, cap + 1 - len(out))
                if len(out) > cap:
                    raise UpstreamInvalid(self.service, what, f"at most {cap} bytes", "a larger body")
        except BaseException:
            raw.close()  # a half-read connection must not go back to the pool
            raise

    def _backoff(self, failed: int) -> float:
        if failed <= 1:
            return 0.0
        c = self.config
        return float(min(c.backoff_max, c.backoff_factor * 2 ** (failed - 1)))

    def _too_late(self, cause: str) -> str:
        return f"{cause}; gave up at the {self.config.deadline:g} s deadline"


def is_transient(status: int, headers: Mapping[str, str]) -> bool:
    """Worth another try: 429, 5xx from a proxy or an overloaded server, a rate-limited 403."""
    return status in TRANSIENT_STATUSES or (status == 403 and is_rate_limited(headers))


def is_rate_limited(headers: Mapping[str, str]) -> bool:
    """Headers that say "rate limit" (on a 403: GitHub's limits, not a permission problem)."""
    ratelimit = headers.get("ratelimit") or ""
    remaining = _RATELIMIT_REMAINING.search(ratelimit)
    return (
        retry_after(headers.get("retry-after")) is not None
        or headers.get("x-ratelimit-remaining") == "0"
        or (remaining is not None and remaining.group(1) == "0")
    )


def server_wait(status: int, headers: Mapping[str, str]) -> float | None:
    """Seconds the server asked us to wait, from whichever rate-limit header it sent; None if none."""
    asked = retry_after(headers.get("retry-after"))
    if asked is not None:
        return asked
    if headers.get("x-ratelimit-remaining") == "0":
        reset = (headers.get("x-ratelimit-reset") or "").strip()
        if _DIGITS.fullmatch(reset):
            return max(0.0, float(reset) - time.time())
    ratelimit = headers.get("ratelimit")
    if ratelimit:
        reset_match = _RATELIMIT_RESET.search(ratelimit)
        remaining = _RATELIMIT_REMAINING.search(ratelimit)
        if reset_match and (status == 429 or (remaining and remaining.group(1) == "0")):
            return float(reset_match.group(1))
    return None


def retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds: delay-seconds or an HTTP-date (past: 0); None if absent or unparsable."""
    value = (value or "").strip()
    if _DIGITS.fullmatch(value):
        return float(value)  # (float: a 5,000-digit value is inf, more than we wait; int() would raise)
    if not value or not value.isascii():  # "²", "٣", "３": digits to str.isdigit, not to RFC 9110
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000" or no zone: RFC 9110 dates are GMT
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


class _BadLength:
    """`content_length`'s answer for a header that is not a length."""


_BAD_LENGTH = _BadLength()


def content_length(value: str | None) -> int | _BadLength | None:
    """A `Content-Length` header: the length, None if absent, `_BAD_LENGTH` if not a length.

    RFC 9110: 1*DIGIT, ASCII; a list of identical values (a proxy folding duplicates) is that
    value. "¹", "-5", "1e3", "12, 13" are not lengths."""
    if value is None:
        return None
    values = {v.strip() for v in value.split(",")}
    if len(values) != 1:
        return _BAD_LENGTH
    (digits,) = values
    if not _DIGITS.fullmatch(digits):
        return _BAD_LENGTH
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else 10**18  # (int() refuses 4,300+ digits; any such is over the cap)


def _check_headers(service: str, headers: Mapping[str, str]) -> None:
    """Refuse a request header value HTTP cannot carry, before anything is sent, naming the
    header, never its value. http.client would refuse it too, but with the value (a token) in its
    error text."""
    for name, value in headers.items():
        bad = next((c for c in value if not (" " <= c <= "~" or "\xa0" <= c <= "\xff")), None)
        credential = value.partition(" ")[2]
        malformed = bad is not None or not credential or any(c.isspace() for c in credential)
        if name.lower() == "authorization" and malformed:
            raise AuthError(
                service, "the token in the Authorization header",
                "it holds whitespace or a control character (two tokens pasted, or a document?); nothing was sent",
            )
        if bad is not None:
            raise ValueError(f"{service}: request header {name} holds a character HTTP cannot carry (U+{ord(bad):04X})")


def json_bytes(value: Any) -> bytes:
    """`value` as UTF-8 JSON, encoded piece by piece.

    A create-tree request of a year-long backfill carries ~6 MB of posts. `json.dumps` would
    first build the whole body as one str (4 bytes per character once an emoji is in it) beside
    its pieces; this keeps only the UTF-8 bytes, which keeps a 365-day backfill under 128 MB.
    """
    out = bytearray()
    for chunk in json.JSONEncoder(ensure_ascii=False).iterencode(value):
        out += chunk.encode("utf-8")
    return bytes(out)


class _Watchdog:
    """Ends a connection's wait for the response headers at the call's deadline.

    urllib3 cuts each socket read of the status line and headers to the time left, but a server
    sending them a byte at a time makes every read short and the whole unbounded. The connection
    classes below start a timer when they wait for the headers; at the deadline it shuts the
    socket down, the read fails, and the call ends as out of time. The deadline travels in a
    thread-local, since a request runs on its caller's thread.
    """

    _local = threading.local()

    @classmethod
    @contextlib.contextmanager
    def until(cls, ends: float) -> Iterator[None]:
        cls._local.ends = ends
        try:
            yield
        finally:
            cls._local.ends = None

    @classmethod
    def ends(cls) -> float | None:
        ends: float | None = getattr(cls._local, "ends", None)
        return ends


class _DeadlineConnection(urllib3.connection.HTTPConnection):
    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]
        ends = _Watchdog.ends()
        if ends is None:
            return super().getresponse()
        # A moment past the deadline: a plain silent server is ended by urllib3's read timeout
        # (cut to the time left) first, and says so; this is the backstop for a dripping one.
        timer = threading.Timer(max(0.0, ends - time.monotonic()) + WATCHDOG_GRACE, _shut, (self.sock,))
        timer.daemon = True
        timer.start()
        try:
            return super().getresponse()
        finally:
            timer.cancel()


class _DeadlineHTTPSConnection(_DeadlineConnection, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _DeadlineConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


def _shut(sock: socket.socket | None) -> None:
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


def _limit_wait(raw: BaseHTTPResponse, seconds: float) -> None:
    """Cut the socket's wait for the next bytes of `raw`'s body to `seconds`."""
    sock = getattr(raw.connection, "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))


def _decoder(encoding: str, service: str, what: str) -> Callable[[bytes, int], bytes]:
    """A function (chunk, at most n bytes out) -> decoded bytes, for the body's Content-Encoding.

    Decoded here rather than by urllib3 so the cap applies to what a chunk decodes to (a few KB
    of gzip can hold gigabytes) and the deadline is checked between chunks, not inside a decoder.
    `chunk == b""` (the end) checks that the compressed stream was complete.
    """
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return lambda chunk, _limit: chunk
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise UpstreamInvalid(service, what, "a gzip or plain body", f"Content-Encoding {encoding!r}")
    return _Inflater(encoding, service, what).decode


class _Inflater:
    """A gzip or deflate body, decoded chunk by chunk, `limit` bytes out at most per chunk.

    gzip: every member (a body may be several gzip files one after the other, RFC 1952), zero
    bytes between members ignored as `gzip -d` does. deflate: one zlib-wrapped stream (RFC 9110,
    what `MAX_WBITS` reads); anything after it is nonsense. The end (`chunk == b""`) checks that
    the last stream was complete.
    """

    def __init__(self, encoding: str, service: str, what: str) -> None:
        self.encoding, self.service, self.what = encoding, service, what
        self.gzip = "gzip" in encoding
        self.wbits = 16 + zlib.MAX_WBITS if self.gzip else zlib.MAX_WBITS
        self.state = zlib.decompressobj(self.wbits)

    def decode(self, chunk: bytes, limit: int) -> bytes:
        try:
            if not chunk:
                if not self.state.eof:
                    raise zlib.error("truncated stream")
                return b""
            return self._inflate(chunk, limit)
        except zlib.error:
            raise UpstreamInvalid(
                self.service, self.what, f"a {self.encoding} body", "one that does not decompress"
            ) from None

    def _inflate(self, data: bytes, limit: int) -> bytes:
        out = bytearray()
        while data:
            if self.state.eof:  # the stream ended and more follows: the next gzip member
                data = data.lstrip(b"\0") if self.gzip else data
                if not data:
                    break
                if not self.gzip:
                    raise zlib.error("data after the end of the deflate stream")
                self.state = zlib.decompressobj(self.wbits)
            out += self.state.decompress(data, max(limit - len(out), 1))
            if self.state.unconsumed_tail or len(out) > limit:
                # More output than `limit` is waiting: one byte more, so the caller sees "over the cap".
                return bytes(out) + b"\0"
            data = self.state.unused_data if self.state.eof else b""
        return bytes(out)


def _reason(exc: BaseException) -> str:
    """Describe a transport error without the URL (which may carry a query) or any header."""
    name = type(exc).__name__
    if isinstance(exc, urllib3.exceptions.NewConnectionError):  # (a ConnectTimeoutError subclass)
        return f"cannot connect ({name})"
    if isinstance(exc, (urllib3.exceptions.TimeoutError, TimeoutError)):
        return f"timed out ({name})"
    if isinstance(exc, (ProtocolError, ConnectionError)):
        return f"connection dropped ({name})"
    return name
