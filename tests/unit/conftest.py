"""The fast layer: the use cases through in-memory and folder ports, with no sockets and no moto.

Every test here runs with sockets switched off (`no_sockets`): a test that would open one fails
with an error saying so. The end-to-end layer (tests/*.py) keeps what only real HTTP, moto,
Jekyll and SAM can show. Helpers live in `memory.py` (imported as `memory`).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from .memory import MemoryArchive


class SocketsOff(socket.socket):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the fast test layer opens no sockets (move this test to the end-to-end layer)")


@pytest.fixture(autouse=True, scope="package")
def no_sockets() -> Iterator[None]:
    """Sockets are off while the tests of this package run (set up once, not once a test; pytest
    undoes it before any test of another package, whatever the order)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "socket", SocketsOff)
        patch.setattr(socket, "create_connection", SocketsOff)
        yield


@pytest.fixture(autouse=True)
def loopback_only() -> None:
    """Not needed here (tests/conftest.py's version): `no_sockets` refuses every socket."""


@pytest.fixture(scope="session", autouse=True)
def moto_before_boto3() -> None:
    """The fast layer makes no AWS clients: no moto to import (tests/conftest.py's version)."""


@pytest.fixture(autouse=True)
def github_contract() -> None:
    """Not here (tests/conftest.py's version): the requests the publisher sends, and the fake's
    answers, are checked against GitHub's OpenAPI description in the end-to-end layer, where every
    test that publishes goes through FakeGitHub (and tests/test_github_contract.py); loading
    openapi-core and the description would cost this layer 0.6 s."""


@pytest.fixture(autouse=True)
def fresh_parameters_cache() -> None:
    """The fast layer reads no secret through Powertools Parameters: no cache to clear."""


@pytest.fixture
def archive() -> Iterator[MemoryArchive]:
    yield MemoryArchive()
