"""HTTP for the upstream services: urllib3 with bounded retries, timeouts and a body cap.

Transient faults (429, 5xx, connection errors, timeouts, rate-limited 403s) are retried with
exponential backoff that honours `Retry-After`, GitHub's `x-ratelimit-reset` (when
`x-ratelimit-remaining` is 0) and the IETF `RateLimit` header's reset (`t=`, on a 429 or when
`r=0`). Every call has a time budget (`HttpConfig.deadline`): no retry starts after it, and a
server that asks us to wait longer than `max_server_wait` (or past the deadline) is not waited
for; the call fails at once, saying how long the server asked for. Everything that is not
transient is returned to the caller, which maps it to an error type.

Worst case for one call: `deadline + connect_timeout + read_timeout` (defaults: 45 + 5 + 20 =
70 s): the last try starts before the deadline and may then time out.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Mapping

import urllib3
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util import Retry, Timeout

from .errors import UpstreamInvalid, UpstreamUnavailable

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
_RATELIMIT_REMAINING = re.compile(r"(?:^|[;,\s])r=(\d+)")
_RATELIMIT_RESET = re.compile(r"(?:^|[;,\s])t=(\d+)")
#: GitHub: a secondary rate limit without `retry-after` or a reset means "wait at least a minute".
GITHUB_SECONDARY_WAIT = 60.0

log = logging.getLogger("hf_daily_papers.httpclient")


@dataclass(frozen=True)
class HttpConfig:
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    retries: int = 4  # so at most 5 tries
    backoff_factor: float = 0.5  # waits 0, 1, 2, 4 s between tries (urllib3: factor * 2**(n-1))
    backoff_max: float = 8.0
    max_server_wait: float = 20.0  # longest Retry-After / rate-limit reset we wait for; longer: fail now
    deadline: float = 45.0  # seconds after the first try after which no retry starts
    max_body_bytes: int = 16 * 1024 * 1024

    @property
    def worst_case_seconds(self) -> float:
        """The longest one call can take: the last try starts before the deadline, then times out."""
        return self.deadline + self.connect_timeout + self.read_timeout


class _Budget:
    """One call's retry budget, shared by the `Retry` objects urllib3 derives for that call."""

    def __init__(self, config: HttpConfig, label: str) -> None:
        self.config = config
        self.label = label  # "<service>: <what>", for the retry log
        self.ends = time.monotonic() + config.deadline
        self.failed = 0  # tries that failed (each one is an `increment`)
        self.gave_up: str | None = None  # why we stopped before the retries ran out

    def refuse(self, wait: float, *, server_asked: bool) -> str | None:
        """Why not to wait `wait` seconds and try again, or None to go ahead."""
        if server_asked and wait > self.config.max_server_wait:
            return f"the server asked to wait {wait:.0f} s, more than the {self.config.max_server_wait:g} s we wait"
        if time.monotonic() + wait > self.ends:
            return f"out of time: retries stop {self.config.deadline:g} s after the first try"
        return None


class UpstreamRetry(Retry):
    """`Retry` that also honours `x-ratelimit-reset` and `RateLimit: t=`, within a call's budget."""

    budget: _Budget | None = None

    def new(self, **kw: Any) -> "UpstreamRetry":
        retry = super().new(**kw)
        retry.budget = self.budget
        return retry

    def get_retry_after(self, response: Any) -> float | None:
        return server_wait(response.status, response.headers, super().get_retry_after(response))

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> "UpstreamRetry":
        budget = self.budget
        if budget is not None:
            budget.failed += 1
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        if budget is not None:
            # The wait `sleep()` is about to take: the server's, else our backoff.
            wait = new.get_retry_after(response) if response is not None else None
            server_asked = bool(wait)
            if not wait:
                wait = new.get_backoff_time()
            cause = _reason(error) if error else f"HTTP {response.status if response is not None else '?'}"
            reason = budget.refuse(wait, server_asked=server_asked)
            if reason:
                budget.gave_up = reason
                raise MaxRetryError(_pool, url, error or ResponseError(f"{cause}: {reason}"))
            log.warning("%s: try %d failed (%s); retrying in %.1f s", budget.label, budget.failed, cause, wait)
        return new


def server_wait(status: int, headers: Mapping[str, str], retry_after: float | None) -> float | None:
    """Seconds the server asked us to wait, from whichever rate-limit header it sent; None if none."""
    if retry_after is not None:
        return retry_after
    if headers.get("x-ratelimit-remaining") == "0":
        reset = (headers.get("x-ratelimit-reset") or "").strip()
        if reset.isdigit():
            return max(0.0, int(reset) - time.time())
    ratelimit = headers.get("ratelimit")
    if ratelimit:
        reset_match = _RATELIMIT_RESET.search(ratelimit)
        remaining = _RATELIMIT_REMAINING.search(ratelimit)
        if reset_match and (status == 429 or (remaining and remaining.group(1) == "0")):
            return float(reset_match.group(1))
    return None


def has_rate_limit_headers(headers: Mapping[str, str]) -> bool:
    """A 403 that says it is a rate limit (GitHub), not a permission problem."""
    return bool(
        headers.get("retry-after")
        or headers.get("x-ratelimit-remaining") == "0"
        or headers.get("ratelimit")
    )


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    tries: int

    def json(self, service: str, what: str) -> Any:
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            kind = self.headers.get("content-type", "unknown content type")
            raise UpstreamInvalid(service, what, "JSON", f"{kind}: {_preview(self.body)}") from None


class HttpClient:
    """One service's HTTP client. `service` names it in every error."""

    def __init__(self, service: str, config: HttpConfig = HttpConfig(), *, user_agent: str) -> None:
        self.service = service
        self.config = config
        self._headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip"}
        self._pool = urllib3.PoolManager(
            num_pools=4,
            maxsize=8,
            timeout=Timeout(connect=config.connect_timeout, read=config.read_timeout),
        )
        self.requests = 0  # requests sent, retries included (for logs and the benchmark)

    def _retry(self, budget: _Budget) -> UpstreamRetry:
        c = self.config
        retry = UpstreamRetry(
            total=c.retries,
            connect=c.retries,
            read=c.retries,
            status=c.retries,
            other=0,
            backoff_factor=c.backoff_factor,
            backoff_max=c.backoff_max,
            status_forcelist=TRANSIENT_STATUSES,
            allowed_methods=None,  # our writes are idempotent (content-addressed objects, ref CAS)
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=True,
        )
        retry.budget = budget
        return retry

    def request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Response:
        all_headers = dict(self._headers)
        all_headers.update(headers or {})
        body = None
        if json_body is not None:
            body = json_bytes(json_body)
            all_headers["Content-Type"] = "application/json; charset=utf-8"
        budget = _Budget(self.config, f"{self.service}: {what}")
        tries = 0
        while True:
            raw, sent = self._send(method, url, body, all_headers, what, budget, tries)
            tries += sent
            if raw.status != 403 or not has_rate_limit_headers(raw.headers):
                break
            # A rate-limited 403 (GitHub's secondary limit; urllib3 never retries 403): wait, resend.
            wait = server_wait(403, raw.headers, _float(raw.headers.get("retry-after")))
            pause = GITHUB_SECONDARY_WAIT if wait is None else wait
            reason = budget.refuse(pause, server_asked=True)
            if reason is None and tries > self.config.retries:
                reason = f"still rate limited after {tries} tries"
            if reason:
                budget.gave_up = reason
                break
            log.warning("%s: try %d rate limited (HTTP 403); retrying in %.1f s", budget.label, tries, pause)
            raw.drain_conn()
            raw.release_conn()
            time.sleep(pause)
        resp_headers = {k.lower(): v for k, v in raw.headers.items()}
        try:
            length = int(resp_headers.get("content-length") or 0)
            if length > self.config.max_body_bytes:
                raise UpstreamInvalid(
                    self.service, what, f"at most {self.config.max_body_bytes} bytes", f"Content-Length {length}"
                )
            data = raw.read(self.config.max_body_bytes + 1, decode_content=True)
        except urllib3.exceptions.HTTPError as exc:
            raise UpstreamUnavailable(self.service, what, _reason(exc), tries) from None
        finally:
            raw.release_conn()
        if len(data) > self.config.max_body_bytes:
            raise UpstreamInvalid(
                self.service, what, f"at most {self.config.max_body_bytes} bytes", "a larger body"
            )
        response = Response(raw.status, resp_headers, data, tries)
        if raw.status in TRANSIENT_STATUSES or (raw.status == 403 and has_rate_limit_headers(resp_headers)):
            detail = f"HTTP {raw.status}" + (f"; {budget.gave_up}" if budget.gave_up else "")
            raise UpstreamUnavailable(self.service, what, detail, tries)
        return response

    def _send(
        self, method: str, url: str, body: bytes | None, headers: dict, what: str, budget: _Budget, before: int
    ) -> tuple[Any, int]:
        """One round of urllib3 tries; returns the last response and how many tries it took."""
        failed_before = budget.failed
        try:
            raw = self._pool.urlopen(
                method, url, body=body, headers=headers, retries=self._retry(budget),
                preload_content=False, redirect=False,
            )
        except MaxRetryError as exc:
            sent = budget.failed - failed_before
            self.requests += sent
            detail = _reason(exc.reason) + (f"; {budget.gave_up}" if budget.gave_up else "")
            raise UpstreamUnavailable(self.service, what, detail, before + sent) from None
        except urllib3.exceptions.HTTPError as exc:  # an error urllib3 does not retry
            sent = max(1, budget.failed - failed_before)
            self.requests += sent
            raise UpstreamUnavailable(self.service, what, _reason(exc), before + sent) from None
        sent = 1 + len(raw.retries.history) if raw.retries is not None else 1
        self.requests += sent
        return raw, sent


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


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _reason(exc: BaseException | None) -> str:
    """Describe a transport error without the URL (which may carry a query) or any header."""
    if exc is None:
        return "connection failed"
    name = type(exc).__name__
    if isinstance(exc, urllib3.exceptions.NewConnectionError):  # (a ConnectTimeoutError subclass)
        return f"cannot connect ({name})"
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return f"timed out ({name})"
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return f"connection dropped ({name})"
    if isinstance(exc, urllib3.exceptions.ResponseError):
        return str(exc)
    return name


def _preview(body: bytes, limit: int = 60) -> str:
    text = body[:limit].decode("utf-8", "replace")
    text = " ".join(text.split())
    return repr(text + ("..." if len(body) > limit else ""))
