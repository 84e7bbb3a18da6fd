"""Client-side pacing for the Hugging Face API.

HF allows anonymous clients 500 requests per 5 minutes (1.67/s) and answers 429 beyond it. A
backfill asks for hundreds of days, a few at a time, so without pacing it would burst through
the quota and lean on 429 retries. `RateLimiter` spaces requests evenly instead: with the
default `HF_MAX_RPS=1` a 366-day backfill sends about 300 requests per 5 minutes (60 % of the
quota, leaving room for a second caller on the same address) and takes about 6 minutes, well
inside the Lambda timeout of 15. `0` turns pacing off (local fakes, saved answers).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from .httpclient import Http, Response


class RateLimiter:
    """At most `rate` calls to `wait()` per second, evenly spaced, across threads.

    The first call passes at once; each later one is given the next free slot (`1/rate` after
    the previous slot) and sleeps until it, outside the lock, so the threads of a backfill queue
    up instead of bursting.
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive (use no limiter for unlimited)")
        self.interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: float | None = None

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            slot = now if self._next is None or self._next <= now else self._next
            self._next = slot + self.interval
            delay = slot - now
        if delay > 0:
            self._sleep(delay)


class PacedHttp:
    """An `Http` client whose requests each wait for a `RateLimiter` slot first.

    The slot is taken once per call, not per try: the client's retries wait for the server's
    `Retry-After` or their backoff instead.
    """

    def __init__(self, http: Http, limiter: RateLimiter) -> None:
        self._http = http
        self.limiter = limiter

    def request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Response:
        self.limiter.wait()
        return self._http.request(method, url, what=what, headers=headers, json_body=json_body)
