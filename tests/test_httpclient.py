"""The upstream HTTP client against a fake server on 127.0.0.1 that breaks on purpose.

What a caller sees: the body it gets (whole, decoded), the error it gets (service, what, cause,
deadline, tries), and the log lines a person reads (one WARNING per retry, nothing from urllib3).
The retry waits are the ones the client decided, recorded by an injected `sleep` that does not
sleep (`Waits`), and read from its own log line; no test measures time or waits for a retry.
"""

from __future__ import annotations

import dataclasses
import email.utils
import gzip
import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hf_daily_papers.errors import AuthError, UpstreamInvalid, UpstreamUnavailable
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


class Waits:
    """The client's `sleep` and `clock`: each wait is recorded and moves the clock on, nobody sleeps."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    def clock(self) -> float:
        return time.monotonic() + sum(self.waits)


def get(server: FakeServer, config: HttpConfig, service: str = "Test", *, waits: Waits | None = None,
        headers: dict[str, str] | None = None) -> Response:
    waits = waits or Waits()
    client = HttpClient(service, config, user_agent="test", sleep=waits.sleep, clock=waits.clock)
    return client.request("GET", server.url + PATH, what="the thing", headers=headers)


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
    waits = Waits()

    assert get(server, config, waits=waits).status == 200

    assert waits.waits == [float(waited)]
    assert retry_lines(caplog) == [f"Test: the thing: try 1 of 5 failed (HTTP 429); retrying in {waited} s"]


def test_retry_after_as_a_future_http_date_is_waited_for(server, config, caplog):
    server.inject(Fault("GET", PATH, Reply(503, "down", {"Retry-After": http_date(2)})))
    waits = Waits()

    assert get(server, config, waits=waits).status == 200

    [waited] = waits.waits
    assert 0.5 <= waited <= 2.0  # what the date asked for (less the time it took to arrive), not the 0 s backoff
    assert retry_lines(caplog) == [f"Test: the thing: try 1 of 5 failed (HTTP 503); retrying in {waited:.1f} s"]


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


# Digits to str.isdigit but not to int() or RFC 9110: superscripts (sent as Latin-1, as they
# arrive), and Arabic-Indic and full-width digits (sent as UTF-8 by a careless server).
UNICODE_DIGITS = ["²", "³¹", "٣", "３"]


@pytest.mark.parametrize("garbage", ["soon", "Thu, 99 Foo 2026 25:61:00 GMT", "-5", "1.5e3", *UNICODE_DIGITS])
def test_an_unparsable_retry_after_counts_as_absent(server, config, caplog, garbage):
    config = dataclasses.replace(config, backoff_factor=0.5, backoff_max=8.0)
    # On a 429: retried with our own backoff (0 s, then 1 s), not a wait read from the garbage.
    server.inject(Fault("GET", PATH, Reply(429, {"error": "slow down"}, {"Retry-After": garbage}), times=2))
    waits = Waits()
    assert get(server, config, waits=waits).status == 200
    assert waits.waits == [0.0, 1.0]
    assert [line.rsplit(" ", 2)[1] for line in retry_lines(caplog)] == ["0.0", "1.0"]

    # On a 403 it is no rate limit at all: the 403 goes back to the caller (a permission problem).
    server.inject(Fault("GET", PATH, Reply(403, {"message": "Forbidden"}, {"Retry-After": garbage})))
    response = get(server, config, service="GitHub")
    assert response.status == 403 and response.tries == 1


RATE_LIMIT_RESETS = {
    **{f"x-ratelimit-reset {d}": {"x-ratelimit-remaining": "0", "x-ratelimit-reset": d} for d in UNICODE_DIGITS},
    **{f"RateLimit t={d}": {"RateLimit": f'"default";r=0;t={d}'} for d in UNICODE_DIGITS},
}


@pytest.mark.parametrize("headers", RATE_LIMIT_RESETS.values(), ids=RATE_LIMIT_RESETS.keys())
def test_a_rate_limit_reset_that_is_no_number_counts_as_absent(server, config, caplog, headers):
    # A 429 naming no usable time: our backoff (0 s), not a crash and not a wait read from it.
    server.inject(Fault("GET", PATH, Reply(429, {"error": "slow down"}, headers)))
    waits = Waits()

    assert get(server, config, waits=waits).status == 200

    assert waits.waits == [0.0] and len(server.requests) == 2


@pytest.mark.parametrize("headers", RATE_LIMIT_RESETS.values(), ids=RATE_LIMIT_RESETS.keys())
def test_a_rate_limited_403_whose_reset_is_no_number_waits_githubs_minute(server, config, headers):
    # Still a rate limit (remaining 0), with no usable time: GitHub's "at least a minute", which
    # is more than these tests wait for, so the call fails at once, saying so.
    server.inject(Fault("GET", PATH, Reply(403, {"message": "rate limited"}, headers), times=9))

    with pytest.raises(UpstreamUnavailable, match=r"^GitHub unavailable: the thing: HTTP 403; the server asked to "
                                                  r"wait 60 s, more than the 3 s we wait \(after 1 try\)$"):
        get(server, config, service="GitHub")


@pytest.mark.parametrize("headers", [{"Retry-After": "9" * 5000},
                                     {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "9" * 5000}],
                         ids=["Retry-After", "x-ratelimit-reset"])
def test_a_wait_of_thousands_of_digits_is_more_than_we_wait(server, config, headers):
    server.inject(Fault("GET", PATH, Reply(429, {"error": "slow down"}, headers), times=9))

    with pytest.raises(UpstreamUnavailable, match=r"^Test unavailable: the thing: HTTP 429; the server asked to wait "
                                                  r"over a day, more than the 3 s we wait \(after 1 try\)$"):
        get(server, config)


BAD_LENGTHS = {"superscript": "¹", "Arabic-Indic": "٣", "full-width": "３", "negative": "-5",
               "exponent": "1e3", "empty": ""}


@pytest.mark.parametrize("length", BAD_LENGTHS.values(), ids=BAD_LENGTHS.keys())
def test_a_content_length_that_is_no_length_is_an_invalid_answer_not_retried(server, config, length):
    # Not a length: nothing says where the body ends (a body cut short would look whole), and the
    # same server sends the same header again: refused at once, naming the header.
    server.inject(Fault("GET", PATH, Reply(200, b'{"a": 1}', {"Content-Length": length}), times=9))

    with pytest.raises(UpstreamInvalid, match=r"^Test answered nonsense for the thing: expected a Content-Length "
                                              r"of ASCII digits, got Content-Length '"):
        get(server, config)
    assert len(server.requests) == 1


def test_two_different_content_lengths_are_an_invalid_answer_not_retried(server, config):
    server.inject(Fault("GET", PATH, Reply(200, b'{"a": 1}', {"Content-Length": "8, 9"}), times=9))

    with pytest.raises(UpstreamInvalid, match=r"^Test answered nonsense for the thing: expected valid response "
                                              r"headers, got Content-Length contained multiple unmatching values"):
        get(server, config)
    assert len(server.requests) == 1


def test_a_content_length_of_thousands_of_digits_is_over_the_cap(server, config):
    server.inject(Fault("GET", PATH, Reply(200, b"{}", {"Content-Length": "9" * 5000})))

    with pytest.raises(UpstreamInvalid, match=r"expected at most \d+ bytes, got Content-Length 1000000000000000000$"):
        get(server, config)


# ---------------------------------------------------------------------------------------------
# A token in a request header
# ---------------------------------------------------------------------------------------------

SECOND = "ghp_SECONDtoken_pasted_after_1234567890ab"


@pytest.mark.parametrize("glue", ["\n", "\r\n", " ", "\t", "\x00", "\u2028"], ids=repr)
def test_a_token_that_cannot_be_a_header_is_refused_before_sending_and_never_shown(server, config, glue):
    token = f"ghp_FIRSTtoken_DoNotLeak_0123456789abcdef{glue}{SECOND}"

    with pytest.raises(AuthError) as caught:
        get(server, config, service="GitHub", headers={"Authorization": f"Bearer {token}"})

    assert str(caught.value) == (
        "GitHub refused credential the token in the Authorization header: it holds whitespace or a control "
        "character (two tokens pasted, or a document?); nothing was sent"
    )
    assert server.requests == []


def test_another_header_http_cannot_carry_is_refused_naming_the_header_only(server, config):
    with pytest.raises(ValueError, match=r"^Test: request header X-Note holds a character HTTP cannot carry \(U\+000A\)$"):
        get(server, config, headers={"X-Note": "one\ntwo"})
    assert server.requests == []


# ---------------------------------------------------------------------------------------------
# Body: decoding and the cap
# ---------------------------------------------------------------------------------------------

def test_a_gzip_body_is_decoded(server, config):
    data = Reply(200, BODY).encoded()[0]
    server.inject(Fault("GET", PATH, Reply(200, gzip.compress(data), {"Content-Encoding": "gzip"})))

    response = get(server, config)

    assert response.body == data and response.headers["content-encoding"] == "gzip"


GZIP_MEMBERS = {
    # several gzip files one after the other are one gzip body (RFC 1952); each must be decoded
    "two small members": [b'[{"a": 1}', b', {"b": 2}]'],
    "members larger than a read": [b"[" + b"1," * 60_000, b"2," * 60_000, b"3]"],
    "an empty member among them": [b"[1, ", b"", b"2]"],
}


@pytest.mark.parametrize("parts", GZIP_MEMBERS.values(), ids=GZIP_MEMBERS.keys())
@pytest.mark.parametrize("padding", [b"", b"\0" * 8], ids=["adjacent", "zero-padded"])
def test_a_gzip_body_of_several_members_is_decoded_whole(server, config, parts, padding):
    body = padding.join(gzip.compress(part) for part in parts) + padding
    server.inject(Fault("GET", PATH, Reply(200, body, {"Content-Encoding": "gzip"})))

    response = get(server, config)

    assert response.body == b"".join(parts)


BROKEN_GZIP = {
    "trailing garbage": gzip.compress(b"[1]") + b"garbage",
    "a second member cut short": gzip.compress(b"[1, ") + gzip.compress(b"2]")[:-4],
}


@pytest.mark.parametrize("body", BROKEN_GZIP.values(), ids=BROKEN_GZIP.keys())
def test_a_gzip_body_with_a_broken_member_is_invalid(server, config, body):
    server.inject(Fault("GET", PATH, Reply(200, body, {"Content-Encoding": "gzip"})))

    with pytest.raises(UpstreamInvalid, match=r"expected a gzip body, got one that does not decompress$"):
        get(server, config)


def test_the_cap_counts_every_gzip_member(server, config):
    config = dataclasses.replace(config, max_body_bytes=10_000)
    body = b"".join(gzip.compress(b"x" * 4_000) for _ in range(3))  # 3 x 4,000 bytes: each under, all over

    with pytest.raises(UpstreamInvalid, match=r"expected at most 10000 bytes, got a larger body"):
        server.inject(Fault("GET", PATH, Reply(200, body, {"Content-Encoding": "gzip"})))
        get(server, config)


def test_data_after_a_deflate_stream_is_invalid(server, config):
    body = zlib.compress(b"[1]") + zlib.compress(b"[2]")
    server.inject(Fault("GET", PATH, Reply(200, body, {"Content-Encoding": "deflate"})))

    with pytest.raises(UpstreamInvalid, match=r"expected a deflate body, got one that does not decompress$"):
        get(server, config)


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
