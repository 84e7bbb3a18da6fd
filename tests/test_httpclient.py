"""The upstream HTTP client against a fake server on 127.0.0.1 that breaks on purpose.

What a caller sees: the body it gets (whole, decoded), the error it gets (service, what, cause,
deadline, tries), and the log lines a person reads (one WARNING per retry, nothing from urllib3).
The retry waits are the ones the client decided, read from its own log line; no test measures time.
"""

from __future__ import annotations

import dataclasses
import email.utils
import gzip
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hf_daily_papers.errors import UpstreamInvalid, UpstreamUnavailable
from hf_daily_papers.httpclient import HttpClient, HttpConfig, Response

from fakes.server import FakeServer, Fault, Reply, Request

PATH = "/thing"
BODY = {"papers": [{"id": f"2602.{i:05d}", "title": "x" * 200} for i in range(300)]}  # ~70 KB of JSON
RETRY_LOG = "hf_daily_papers.httpclient"


class Thing(FakeServer):
    """Answers every request with BODY."""

    def handle(self, request: Request) -> Reply:
        return Reply(200, BODY)


@pytest.fixture
def server() -> Iterator[Thing]:
    with Thing() as fake:
        yield fake


@pytest.fixture
def config(fast_http: HttpConfig) -> HttpConfig:
    """conftest's fast settings, with a 1 s read timeout and 3 s of server-requested wait."""
    return dataclasses.replace(fast_http, read_timeout=1.0, max_server_wait=3.0)


def get(server: FakeServer, config: HttpConfig, service: str = "Test") -> Response:
    return HttpClient(service, config, user_agent="test").request("GET", server.url + PATH, what="the thing")


def retry_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == RETRY_LOG and r.levelno == logging.WARNING]


def urllib3_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("urllib3") and r.levelno >= logging.WARNING]


def finishes(call: Callable[[], Any], guard: float = 60.0) -> BaseException | Any:
    """Run `call` in a thread; fail the test if it is still running after `guard` seconds.

    Only a guard that the call ended at all (a hang would otherwise hold the suite), not a timing.
    """
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(guard)
    assert not thread.is_alive(), f"the call was still running after {guard:g} s"
    return outcome[0]


# ---------------------------------------------------------------------------------------------
# The body is part of the try
# ---------------------------------------------------------------------------------------------

BODY_FAULTS = {
    "dropped after the headers": dict(action="drop_body", after_bytes=0),
    "dropped after part of the body": dict(action="drop_body", after_bytes=100),
    "stalled during the body": dict(action="stall_body", after_bytes=100, stall_seconds=3.0),
}


@pytest.mark.parametrize("fault", BODY_FAULTS.values(), ids=BODY_FAULTS.keys())
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_a_body_broken_in_transfer_is_retried_and_the_whole_body_arrives(server, config, caplog, fault, compressed):
    if compressed:
        zipped = gzip.compress(Reply(200, BODY).encoded()[0])
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        server.handle = lambda request: Reply(200, zipped, headers)  # type: ignore[method-assign]
    server.inject(Fault("GET", PATH, **fault))

    response = get(server, config)

    assert response.status == 200 and response.json("Test", "the thing") == BODY
    assert response.tries == 2 and len(server.requests) == 2
    [line] = retry_lines(caplog)
    assert line.startswith("Test: the thing: try 1 of 5 failed (")
    assert "bytes of the body" in line
    assert urllib3_warnings(caplog) == []


@pytest.mark.parametrize(
    "fault, cause",
    [
        (dict(action="drop"), "connection dropped (ProtocolError)"),
        (dict(action="stall", stall_seconds=3.0), "timed out (ReadTimeoutError)"),
        (dict(action="lose"), "connection dropped (ProtocolError)"),
    ],
    ids=["dropped", "stalled", "lost"],
)
def test_a_connection_that_fails_before_the_answer_is_retried_and_logged_once(server, config, caplog, fault, cause):
    server.inject(Fault("GET", PATH, **fault))

    response = get(server, config)

    assert response.status == 200 and response.tries == 2
    assert retry_lines(caplog) == [f"Test: the thing: try 1 of 5 failed ({cause}); retrying in 0.0 s"]
    assert urllib3_warnings(caplog) == []  # urllib3's own "Retrying (...) after connection broken" is not repeated


def test_a_body_that_keeps_breaking_gives_up_after_five_tries(server, config, caplog):
    server.inject(Fault("GET", PATH, action="drop_body", after_bytes=100, times=99))

    with pytest.raises(UpstreamUnavailable) as caught:
        get(server, config)

    assert str(caught.value) == (
        "Test unavailable: the thing: connection dropped (ProtocolError) after 100 bytes of the body (after 5 tries)"
    )
    assert len(server.requests) == 5 and len(retry_lines(caplog)) == 4


# ---------------------------------------------------------------------------------------------
# The deadline covers the whole exchange
# ---------------------------------------------------------------------------------------------

def test_a_server_dripping_its_body_cannot_hold_the_call_past_the_deadline(server, config, caplog):
    # One byte every half second, for hours: each byte comes well within the read timeout, so only
    # the call's deadline can end it.
    config = dataclasses.replace(config, read_timeout=5.0, deadline=2.0)
    server.inject(Fault("GET", PATH, Reply(200, b"x" * 100_000), action="drip", drip_seconds=0.5, times=99))

    error = finishes(lambda: get(server, config, service="Hugging Face"))

    assert isinstance(error, UpstreamUnavailable)
    message = str(error)
    assert message.startswith("Hugging Face unavailable: the thing: the body was still arriving (")
    assert message.endswith("bytes so far); gave up at the 2 s deadline (after 1 try)")
    assert len(server.requests) == 1 and retry_lines(caplog) == []


def test_a_server_that_never_answers_fails_at_the_deadline_not_after_all_retries(server, config):
    config = dataclasses.replace(config, read_timeout=0.4, deadline=1.0)
    server.inject(Fault("GET", PATH, action="stall", stall_seconds=5.0, times=99))

    error = finishes(lambda: get(server, config))

    assert isinstance(error, UpstreamUnavailable)
    assert "timed out (ReadTimeoutError); gave up at the 1 s deadline" in str(error)
    assert len(server.requests) < 5  # the deadline, not the retries, ended it


# ---------------------------------------------------------------------------------------------
# Retry-After, rate limits, transient statuses
# ---------------------------------------------------------------------------------------------

def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried_then_succeed(server, config, caplog, status):
    server.inject(Fault("GET", PATH, Reply(status, "<html>busy</html>"), times=2))

    response = get(server, config)

    assert response.status == 200 and response.tries == 3
    assert retry_lines(caplog) == [
        f"Test: the thing: try 1 of 5 failed (HTTP {status}); retrying in 0.0 s",
        f"Test: the thing: try 2 of 5 failed (HTTP {status}); retrying in 0.0 s",
    ]
    assert urllib3_warnings(caplog) == []


@pytest.mark.parametrize("status", [503, 429])
def test_transient_statuses_that_persist_give_up_after_five_tries(server, config, caplog, status):
    server.inject(Fault("GET", PATH, Reply(status, "<html>busy</html>"), times=99))

    with pytest.raises(UpstreamUnavailable) as caught:
        get(server, config)

    assert str(caught.value) == f"Test unavailable: the thing: HTTP {status} (after 5 tries)"
    assert len(server.requests) == 5
    assert [line.split(" failed")[0] for line in retry_lines(caplog)] == [
        f"Test: the thing: try {n} of 5" for n in (1, 2, 3, 4)
    ]


def test_permanent_statuses_are_returned_after_one_try(server, config, caplog):
    server.inject(Fault("GET", PATH, Reply(404, {"message": "Not Found"})))

    response = get(server, config)

    assert (response.status, response.tries, response.body) == (404, 1, b'{"message": "Not Found"}')
    assert retry_lines(caplog) == []


@pytest.mark.parametrize(
    "retry_after, waited",
    [
        ("1", "1.0"),
        ("PAST", "0.0"),  # an HTTP-date already gone: try again now
    ],
    ids=["seconds", "http-date-past"],
)
def test_retry_after_is_the_wait_before_the_retry(server, config, caplog, retry_after, waited):
    value = http_date(-3600) if retry_after == "PAST" else retry_after
    server.inject(Fault("GET", PATH, Reply(429, {"error": "slow down"}, {"Retry-After": value})))

    assert get(server, config).status == 200

    assert retry_lines(caplog) == [f"Test: the thing: try 1 of 5 failed (HTTP 429); retrying in {waited} s"]


def test_retry_after_as_a_future_http_date_is_waited_for(server, config, caplog):
    server.inject(Fault("GET", PATH, Reply(503, "down", {"Retry-After": http_date(2)})))

    assert get(server, config).status == 200

    [line] = retry_lines(caplog)
    waited = float(line.rsplit("retrying in ", 1)[1].removesuffix(" s"))
    assert 0.5 <= waited <= 2.0  # what the date asked for (less the time it took to arrive), not the 0 s backoff


@pytest.mark.parametrize("service", ["Hugging Face", "GitHub"])
def test_retry_after_as_an_http_date_beyond_our_patience_fails_at_once(server, config, service):
    server.inject(Fault("GET", PATH, Reply(429, {"error": "slow down"}, {"Retry-After": http_date(3600)}), times=99))

    with pytest.raises(UpstreamUnavailable, match=rf"^{service} unavailable: the thing: HTTP 429; the server asked "
                                                  r"to wait 3[56]\d\d s, more than the 3 s we wait \(after 1 try\)$"):
        get(server, config, service=service)
    assert len(server.requests) == 1


def test_github_rate_limited_403_with_an_http_date_is_waited_out(server, config, caplog):
    body = {"message": "You have exceeded a secondary rate limit."}
    server.inject(Fault("GET", PATH, Reply(403, body, {"retry-after": http_date(-1)})))

    response = get(server, config, service="GitHub")

    assert response.status == 200 and response.tries == 2
    assert retry_lines(caplog) == ["GitHub: the thing: try 1 of 5 failed (HTTP 403); retrying in 0.0 s"]


@pytest.mark.parametrize("garbage", ["soon", "Thu, 99 Foo 2026 25:61:00 GMT", "-5", "1.5e3"])
def test_an_unparsable_retry_after_counts_as_absent(server, config, caplog, garbage):
    config = dataclasses.replace(config, backoff_factor=0.05)
    # On a 429: retried with our own backoff (0 s, then 0.1 s), not a wait read from the garbage.
    server.inject(Fault("GET", PATH, Reply(429, {"error": "slow down"}, {"Retry-After": garbage}), times=2))
    assert get(server, config).status == 200
    assert [line.rsplit(" ", 2)[1] for line in retry_lines(caplog)] == ["0.0", "0.1"]

    # On a 403 it is no rate limit at all: the 403 goes back to the caller (a permission problem).
    server.inject(Fault("GET", PATH, Reply(403, {"message": "Forbidden"}, {"Retry-After": garbage})))
    response = get(server, config, service="GitHub")
    assert response.status == 403 and response.tries == 1


# ---------------------------------------------------------------------------------------------
# Body: decoding and the cap
# ---------------------------------------------------------------------------------------------

def test_a_gzip_body_is_decoded(server, config):
    data = Reply(200, BODY).encoded()[0]
    server.inject(Fault("GET", PATH, Reply(200, gzip.compress(data), {"Content-Encoding": "gzip"})))

    response = get(server, config)

    assert response.body == data and response.headers["content-encoding"] == "gzip"


def test_a_corrupt_gzip_body_is_invalid_not_retried(server, config):
    server.inject(Fault("GET", PATH, Reply(200, b"\x1f\x8b\x08\x00garbage", {"Content-Encoding": "gzip"})))

    with pytest.raises(UpstreamInvalid, match=r"^Test answered nonsense for the thing: expected a gzip body, "
                                              r"got one that does not decompress$"):
        get(server, config)
    assert len(server.requests) == 1


def test_a_body_over_the_cap_without_content_length_is_refused(server, config):
    # gzip hides the size until it is decoded; the cap applies to what it decodes to.
    config = dataclasses.replace(config, max_body_bytes=10_000)
    bomb = gzip.compress(b"[" + b"0," * 50_000 + b"0]")
    server.inject(Fault("GET", PATH, Reply(200, bomb, {"Content-Encoding": "gzip"})))

    with pytest.raises(UpstreamInvalid, match=r"expected at most 10000 bytes, got a larger body"):
        get(server, config)


def test_a_server_dripping_its_headers_cannot_hold_the_call_past_the_deadline(server, config):
    # Status line and headers one byte every 0.2 s: every read is short, only the deadline ends it.
    config = dataclasses.replace(config, read_timeout=5.0, deadline=1.5)
    server.inject(Fault("GET", PATH, Reply(200, b"{}"), action="drip_headers", drip_seconds=0.2, times=99))

    started = time.monotonic()
    error = finishes(lambda: get(server, config, service="GitHub"))

    assert isinstance(error, UpstreamUnavailable), error
    assert str(error).startswith("GitHub unavailable: the thing: ")
    assert "gave up at the 1.5 s deadline" in str(error)
    assert time.monotonic() - started < 30  # a guard that it ended, not a timing target
