"""HTTP for the upstream services: urllib3 with bounded retries, timeouts and a body cap.

Transient faults (429, 5xx, connection errors, timeouts, rate-limit 403s) are retried with
exponential backoff that honours `Retry-After`, GitHub's `x-ratelimit-reset` and the IETF
`RateLimit` header's reset (`t=`). Each wait is capped so the whole call stays well inside a
Lambda timeout. Everything else is returned to the caller, which maps it to an error type.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, Mapping

import urllib3
from urllib3.util import Retry, Timeout

from .errors import UpstreamInvalid, UpstreamUnavailable

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
_RATELIMIT_RESET = re.compile(r"(?:^|[;,\s])t=(\d+)")


class UpstreamRetry(Retry):
    """`Retry` whose server-requested wait also reads `x-ratelimit-reset` and `RateLimit: t=`."""

    #: Longest single wait we accept from a server's reset header, in seconds.
    MAX_WAIT = 30.0

    def get_retry_after(self, response: Any) -> float | None:
        return server_wait(response.headers, super().get_retry_after(response), self.MAX_WAIT)


def server_wait(headers: Mapping[str, str], retry_after: float | None, cap: float) -> float | None:
    """Seconds the server asked us to wait, from whichever rate-limit header it sent, capped."""
    wait = retry_after
    if wait is None and headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset") or ""
        if reset.isdigit():
            wait = max(0.0, int(reset) - time.time())
    if wait is None and headers.get("ratelimit"):
        match = _RATELIMIT_RESET.search(headers["ratelimit"])
        if match:
            wait = float(match.group(1))
    return None if wait is None else min(wait, cap)


def has_rate_limit_headers(headers: Mapping[str, str]) -> bool:
    return bool(
        headers.get("retry-after")
        or headers.get("x-ratelimit-remaining") == "0"
        or headers.get("ratelimit")
    )


@dataclass(frozen=True)
class HttpConfig:
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 4
    backoff_factor: float = 0.5
    backoff_max: float = 10.0
    max_body_bytes: int = 16 * 1024 * 1024


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
            retries=self._retry(),
        )
        self.requests = 0  # requests sent, retries included (for logs and the benchmark)

    def _retry(self) -> UpstreamRetry:
        c = self.config
        return UpstreamRetry(
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
            body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            all_headers["Content-Type"] = "application/json; charset=utf-8"
        tries = 0
        while True:
            raw, sent = self._send(method, url, body, all_headers, what)
            tries += sent
            if raw.status != 403 or tries > self.config.retries or not has_rate_limit_headers(raw.headers):
                break
            # GitHub's secondary rate limit answers 403 (urllib3 only retries 403 never): wait, resend.
            wait = server_wait(raw.headers, _float(raw.headers.get("retry-after")), UpstreamRetry.MAX_WAIT)
            raw.drain_conn()
            raw.release_conn()
            time.sleep(wait if wait is not None else self.config.backoff_factor * 2**tries)
        try:
            data = raw.read(self.config.max_body_bytes + 1, decode_content=True)
        except urllib3.exceptions.HTTPError as exc:
            raise UpstreamUnavailable(self.service, what, _reason(exc), tries) from None
        finally:
            raw.release_conn()
        if len(data) > self.config.max_body_bytes:
            raise UpstreamInvalid(
                self.service, what, f"at most {self.config.max_body_bytes} bytes", "a larger body"
            )
        resp_headers = {k.lower(): v for k, v in raw.headers.items()}
        response = Response(raw.status, resp_headers, data, tries)
        if raw.status in TRANSIENT_STATUSES or (raw.status == 403 and has_rate_limit_headers(resp_headers)):
            raise UpstreamUnavailable(self.service, what, f"HTTP {raw.status}", tries)
        return response

    def _send(self, method: str, url: str, body: bytes | None, headers: dict, what: str) -> tuple[Any, int]:
        try:
            raw = self._pool.urlopen(
                method, url, body=body, headers=headers, preload_content=False, redirect=False
            )
        except urllib3.exceptions.MaxRetryError as exc:
            self.requests += self.config.retries + 1
            raise UpstreamUnavailable(self.service, what, _reason(exc.reason), self.config.retries + 1) from None
        except urllib3.exceptions.HTTPError as exc:
            self.requests += 1
            raise UpstreamUnavailable(self.service, what, _reason(exc), 1) from None
        sent = 1 + len(raw.retries.history) if raw.retries is not None else 1
        self.requests += sent
        return raw, sent


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
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return f"timed out ({name})"
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return f"connection dropped ({name})"
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return f"cannot connect ({name})"
    if isinstance(exc, urllib3.exceptions.ResponseError):
        return "too many error responses"
    return name


def _preview(body: bytes, limit: int = 60) -> str:
    text = body[:limit].decode("utf-8", "replace")
    text = " ".join(text.split())
    return repr(text + ("..." if len(body) > limit else ""))
