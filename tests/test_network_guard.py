"""The suite's network guard (tests/conftest.py, `loopback_only`): no test reaches anything but
loopback. A connection elsewhere is refused before the socket connects (nothing is sent), with a
message that says what was refused; a refusal the code under test swallowed still fails the test
at teardown (these tests `take()` what they caused, so theirs pass)."""

from __future__ import annotations

import re
import socket
import urllib.request

import pytest

from conftest import NonLoopbackConnection
from fakes.hf import FakeHF

# TEST-NET addresses (RFC 5737, RFC 3849): never routed, so even a broken guard sends nothing anywhere.
ELSEWHERE = [("192.0.2.1", socket.AF_INET), ("2001:db8::1", socket.AF_INET6)]


@pytest.mark.parametrize("address, family", ELSEWHERE)
def test_a_connection_outside_loopback_is_refused_before_it_is_made(loopback_only, address, family):
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.01)
        with pytest.raises(NonLoopbackConnection, match=re.escape(f"connect to {address}:443: tests reach only 127.0.0.1")):
            sock.connect((address, 443))
        with pytest.raises(NonLoopbackConnection):
            sock.connect_ex((address, 443))
    with pytest.raises(NonLoopbackConnection):
        socket.create_connection((address, 443), timeout=0.01)
    assert len(loopback_only.take()) == 3


def test_a_datagram_outside_loopback_is_refused(loopback_only):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, pytest.raises(NonLoopbackConnection, match=re.escape("send to 192.0.2.1:53")):
        sock.sendto(b"x", ("192.0.2.1", 53))
    assert loopback_only.take()


def test_a_name_lookup_is_refused_before_any_dns_query(loopback_only):
    with pytest.raises(NonLoopbackConnection, match=re.escape("look up 'hf-daily-papers-archive-test.s3.ap-northeast-2.amazonaws.com'")):
        socket.getaddrinfo("hf-daily-papers-archive-test.s3.ap-northeast-2.amazonaws.com", 443)
    assert loopback_only.take()


def test_a_refusal_swallowed_by_the_code_under_test_is_still_reported(loopback_only):
    """Code that catches every error (as a retry loop or a credential probe may) cannot hide a
    refused connection: the guard kept it, and fails the test at teardown."""

    def careless_probe() -> bool:
        try:
            socket.create_connection(("192.0.2.1", 80), timeout=0.01).close()
        except Exception:  # noqa: BLE001 - the careless code this test stands for
            return False
        return True

    assert careless_probe() is False
    refused = loopback_only.take()
    assert [r.split(":", 2)[:2] for r in refused] == [["connect to 192.0.2.1", "80"]]


def test_loopback_and_unix_sockets_are_allowed(tmp_path, loopback_only):
    with FakeHF({}) as hf:
        port = hf.url.rsplit(":", 1)[1]
        for host in ("127.0.0.1", "localhost"):
            with urllib.request.urlopen(f"http://{host}:{port}/api/daily_papers?date=2026-02-25", timeout=5) as answer:
                assert answer.status == 200
        path = str(tmp_path / "s")
        with socket.socket(socket.AF_UNIX) as listener, socket.socket(socket.AF_UNIX) as client:
            listener.bind(path)
            listener.listen()
            client.connect(path)
    assert loopback_only.take() == []
