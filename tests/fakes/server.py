"""A tiny threaded HTTP server with a request log and scripted faults, shared by the fakes."""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str  # without the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    status: int | None = None  # the status line sent (None: dropped, stalled or lost before it)
    faulted: bool = False  # answered (or not) by a scripted Fault, not by the fake itself

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def is_write(self) -> bool:
        return self.method not in ("GET", "HEAD")


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # bytes, str, or JSON-able
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if isinstance(self.body, str):
            return self.body.encode("utf-8"), self.headers.get("Content-Type", "text/html; charset=utf-8")
        if self.body is None and self.status in (204, 304):
            return b"", ""
        return json.dumps(self.body).encode("utf-8"), "application/json; charset=utf-8"


@dataclass
class Fault:
    """Answer matching requests with `reply` (or drop / stall / lose / a broken body), `times` times.

    Before any answer: `drop` closes the connection before the request is handled; `stall` waits
    `stall_seconds` then closes it (a timeout); `lose` handles the request (its effects happen)
    and closes the connection without an answer, as when a response is lost on the way back.

    While the body arrives (the status line and headers, with the full Content-Length, are sent
    first; the body is `reply`'s, else the fake's own answer): `drop_body` sends the first
    `after_bytes` bytes of the body, then closes the connection; `stall_body` sends them, waits
    `stall_seconds`, then closes it; `drip` sends the body one byte every `drip_seconds` (with
    a long body: for as long as the client listens); `drip_headers` does so from the status line
    on, so even the headers take that long.
    """

    method: str | None = None
    path: str | None = None  # a regex searched in the path
    reply: Reply | None = None
    action: str = "reply"  # reply | drop | stall | lose | drop_body | stall_body | drip | drip_headers
    stall_seconds: float = 2.0
    times: int = 1
    after_bytes: int = 0  # drop_body, stall_body: body bytes sent before the fault
    drip_seconds: float = 0.5  # drip: pause before each byte
    when: Callable[[Request], bool] | None = None

    def matches(self, request: Request) -> bool:
        return (
            self.times > 0
            and (self.method is None or self.method == request.method)
            and (self.path is None or re.search(self.path, request.path) is not None)
            and (self.when is None or self.when(request))
        )


IN_PROCESS_URL = "http://in-process.invalid"


def _wire(value: str) -> str:
    """A header value as it goes on the wire: Latin-1 (as http.server sends it); a value Latin-1
    cannot carry ("٣") goes as its UTF-8 bytes, as a careless server sends it."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8").decode("latin-1")
    return value


class _QuietServer(ThreadingHTTPServer):
    """A client hanging up on a kept-alive connection (the product closes a connection it will
    not reuse) is normal here: no traceback on stderr, where the CLI tests read the output."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


class FakeServer:
    """Subclasses implement `handle(request) -> Reply`."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.observers: list[Callable[[Request], None]] = []  # e.g. the OpenAPI contract check
        # Called with (request, reply) for every answer of the fake itself (not a Fault's).
        self.reply_observers: list[Callable[[Request, Reply], None]] = []
        self._lock = threading.RLock()
        self._stopping = threading.Event()  # ends stalls and drips when the server stops
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle's algorithm on, the body waits for
            # the client's delayed ACK of the headers (40 ms on Linux), for every request.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                fault = fake.admit(request)
                if fault and fault.action == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault and fault.action == "stall":
                    fake._stopping.wait(fault.stall_seconds)
                    self.close_connection = True
                    return
                if fault and fault.action == "lose":
                    fake.handle(request)
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault and fault.action == "drip_headers":
                    self._drip_everything(fault)
                    return
                if fault and fault.reply:
                    reply = fault.reply
                else:
                    reply = fake.handle(request)
                    for observe_reply in list(fake.reply_observers):
                        observe_reply(request, reply)
                request.status = reply.status
                data, content_type = reply.encoded()
                self.send_response(reply.status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for name, value in reply.headers.items():
                    if name.lower() != "content-type":
                        self.send_header(name, _wire(value))
                if not any(name.lower() == "content-length" for name in reply.headers):  # (a Reply may send a bad one)
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command == "HEAD":
                    return
                if fault and fault.action in ("drop_body", "stall_body", "drip"):
                    self._break_body(fault, data)
                    return
                self.wfile.write(data)

            def _drip_everything(self, fault: Fault) -> None:
                """Status line, headers and body, one byte every `drip_seconds`."""
                data, content_type = (fault.reply or Reply(200, b"")).encoded()
                head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(data)}\r\n\r\n"
                self.close_connection = True
                try:
                    for byte in head.encode("latin-1") + data:
                        if fake._stopping.wait(fault.drip_seconds):
                            break
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                except OSError:  # the client hung up first
                    pass

            def _break_body(self, fault: Fault, data: bytes) -> None:
                """Send part of the body (or all of it, slowly), then close the connection."""
                self.close_connection = True
                try:
                    if fault.action == "drip":
                        for i in range(len(data)):
                            if fake._stopping.wait(fault.drip_seconds):
                                break
                            self.wfile.write(data[i : i + 1])
                            self.wfile.flush()
                        return
                    self.wfile.write(data[: fault.after_bytes])
                    self.wfile.flush()
                    if fault.action == "stall_body":
                        fake._stopping.wait(fault.stall_seconds)
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:  # the client hung up first
                    pass

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        self._handler_class = Handler
        # Bound on first use (start or url): a fake used in process, through `exchange`, opens
        # no socket at all (the fast test layer runs with sockets switched off).
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.in_process = False  # used through `exchange` (no socket) rather than over HTTP

    def _bound(self) -> ThreadingHTTPServer:
        if self._server is None:
            self._server = _QuietServer(("127.0.0.1", 0), self._handler_class)
            self._server.daemon_threads = True
        return self._server

    @property
    def url(self) -> str:
        if self._server is None and self.in_process:
            return IN_PROCESS_URL  # links in the fake's answers; nothing listens there
        host, port = self._bound().socket.getsockname()[:2]  # (str, int): an AF_INET socket
        return f"http://{host}:{port}"

    def start(self) -> Self:
        server = self._bound()
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def admit(self, request: Request) -> Fault | None:
        """Log `request`, show it to the observers, and take the scripted fault it meets, if any."""
        with self._lock:
            self.requests.append(request)
            observers = list(self.observers)
            fault = next((f for f in self.faults if f.matches(request)), None)
            if fault:
                fault.times -= 1
        for observe in observers:
            observe(request)
        request.faulted = fault is not None
        return fault

    def exchange(self, request: Request) -> Reply:
        """Answer `request` in process, as the server would (log, observers, scripted replies):
        for the fast layer's in-process HTTP. Socket-level faults (drop, stall, drip) need the
        real server."""
        self.in_process = True
        fault = self.admit(request)
        if fault and fault.action != "reply":
            raise RuntimeError(f"fault {fault.action!r} needs the real server, not exchange()")
        reply = fault.reply if fault and fault.reply else self.handle(request)
        request.status = reply.status
        return reply

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def handle(self, request: Request) -> Reply:  # pragma: no cover - abstract
        raise NotImplementedError

    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    @property
    def reads(self) -> list[Request]:
        return [r for r in self.requests if not r.is_write]

    @property
    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.is_write]

    def answered(self, status: int, method: str | None = None) -> list[Request]:
        """Requests the server answered with `status` (optionally only this method)."""
        return [r for r in self.requests if r.status == status and (method is None or r.method == method)]
