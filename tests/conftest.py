"""Shared test fixtures: fake HF and GitHub on 127.0.0.1, moto for S3 and Secrets Manager.

Two guards hold for every test (tests/unit/conftest.py adds a stricter one, no sockets at all):
no connection to anything but loopback (`loopback_only`), and moto in place before any boto3
session exists (`moto_before_boto3`), so that a file passes alone, in any order and any subset.
The package and `tests/` (for `fakes`, `conftest`) are on sys.path through pyproject's
`[tool.pytest.ini_options] pythonpath`.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import gc
import io
import ipaddress
import json
import logging
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fakes.github import FakeGitHub
from fakes.hf import FakeHF
from openapi_contract import GitHubContract
from testdata import EVENTS, FIXTURES, ROOT, TESTS, expected_post, load_event, load_hf, make_item  # noqa: F401  (re-exported)

TOKEN = "ghp_TESTtoken_DoNotLeak_0123456789abcdef"
BUCKET = "hf-daily-papers-archive-test"
SECRET_NAME = "hf-daily-papers/github-token"
REGION = "ap-northeast-2"


# Days the fake HF serves by default: the two seed days rebuilt from the seed posts (the papers,
# upvotes, abstracts and organizations the seed posts were made from), and the newest real day.
DEFAULT_DAYS = {
    "2026-02-19": "seed-2026-02-19",
    "2026-02-25": "seed-2026-02-25",
    "2026-08-21": "2026-08-21",
}


def pytest_configure(config: pytest.Config) -> None:
    """The garbage collector less often, in the test processes only: moto, botocore and the fakes
    allocate millions of objects, and at Python's default thresholds (700, 10, 10) the collector
    took about a fifth of the suite's CPU (measured with gc.callbacks: 3.2 s of 16 s in four of
    the end-to-end files; 0.7 s at these thresholds). The function itself keeps the defaults."""
    gc.set_threshold(50_000, 20, 20)


class NonLoopbackConnection(RuntimeError):
    """A test tried to reach something other than this machine's loopback."""


def _is_loopback(host: object) -> bool:
    if host is None or host == "localhost" or (isinstance(host, str) and host.endswith(".localhost")):
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def _is_address(host: object) -> bool:
    try:
        ipaddress.ip_address((host.decode() if isinstance(host, bytes) else str(host)).split("%", 1)[0])
    except ValueError:
        return False
    return True


class NetworkGuard:
    """Refuses, before any packet leaves, every connection (TCP connect, UDP sendto) to an address
    outside 127.0.0.0/8 and ::1, and every name lookup but `localhost`; Unix sockets are fine.
    What it refused is kept: a test that swallowed the error still fails, at teardown."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    def refuse(self, what: str) -> NonLoopbackConnection:
        message = (f"{what}: tests reach only 127.0.0.1/::1 (fake servers, moto); "
                   "point this client at a fake (tests/fakes) or moto")
        self.refused.append(message)
        return NonLoopbackConnection(message)

    def check_address(self, sock: socket.socket, address: Any, verb: str) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise self.refuse(f"{verb} {address[0]}:{address[1]}")

    def take(self) -> list[str]:
        """What was refused so far, forgetting it (for the guard's own tests)."""
        out, self.refused = self.refused, []
        return out


@pytest.fixture(autouse=True)
def loopback_only() -> Iterator[NetworkGuard]:
    """No test talks to anything but loopback (subprocesses such as sam, jekyll or the emulator are
    outside this guard; they are pointed at the fakes by their environment)."""
    guard = NetworkGuard()
    connect, connect_ex, sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
    getaddrinfo = socket.getaddrinfo

    def guarded_connect(sock: socket.socket, address: Any) -> None:
        guard.check_address(sock, address, "connect to")
        return connect(sock, address)

    def guarded_connect_ex(sock: socket.socket, address: Any) -> int:
        guard.check_address(sock, address, "connect to")
        return connect_ex(sock, address)

    def guarded_sendto(sock: socket.socket, data: Any, *args: Any) -> int:
        guard.check_address(sock, args[-1], "send to")
        return sendto(sock, data, *args)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host) and not _is_address(host):  # (an address is checked at connect)
            raise guard.refuse(f"look up {host!r}")
        return getaddrinfo(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", guarded_connect)
        patch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
        patch.setattr(socket.socket, "sendto", guarded_sendto)
        patch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
        yield guard
    if guard.refused:
        shown = "\n  ".join(guard.refused[:10])
        pytest.fail(f"{len(guard.refused)} connection(s) outside loopback refused:\n  {shown}", pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def moto_before_boto3() -> None:
    """moto hooks into botocore by adding a handler to botocore's BUILTIN_HANDLERS when it is first
    imported; a boto3 session created before that never sees moto, and as `aws` keeps boto3's
    default session across tests (for speed), such a session would send a later test's S3 calls
    to the real endpoint. So moto is imported before any test runs, and a default session made
    earlier (at collection) is dropped."""
    import boto3
    import moto.core.models  # noqa: F401  (registers moto's botocore handler)

    boto3.DEFAULT_SESSION = None


@pytest.fixture
def fast_http() -> Any:
    """Every upstream call in tests: short timeouts, near-zero backoff, a 10 s deadline per call, and at most
    1.5 s of server-requested wait (`Retry-After: 1` is honoured; longer asks fail at once). The handler
    (`invoke`) and the CLI (`cli.main(..., wiring=)`) get it through `app.Wiring`."""
    from hf_daily_papers.httpclient import HttpConfig

    return HttpConfig(connect_timeout=2.0, read_timeout=5.0, retries=4, backoff_factor=0.01,
                      backoff_max=0.05, max_server_wait=1.5, deadline=10.0)


@pytest.fixture(autouse=True)
def github_contract(monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubContract]:
    """Every request any test sends to a FakeGitHub (fixture or not) must match GitHub's OpenAPI
    description (tests/openapi_contract.py), and so must the fake's answers; a test that breaks
    the contract fails at teardown. Tests that send bad requests on purpose `take()` them."""
    contract = GitHubContract()
    monkeypatch.setattr(FakeGitHub, "on_create", [contract.watch])
    yield contract
    violations = contract.take()
    if violations:
        shown = "\n  ".join(violations[:20])
        pytest.fail(f"{len(violations)} GitHub contract violation(s):\n  {shown}", pytrace=False)


@pytest.fixture(autouse=True)
def fresh_parameters_cache() -> Iterator[None]:
    """Powertools Parameters caches secrets per process; each test starts (and ends) cold."""
    from aws_lambda_powertools.utilities.parameters.base import clear_caches

    clear_caches()
    yield
    clear_caches()


@pytest.fixture(autouse=True)
def no_secrets_known() -> Iterator[None]:
    """The secret mask's registry is per process (as in a Lambda execution environment): each test
    starts (and ends) with no secret known, so what one test registered never masks another's text."""
    from hf_daily_papers import redact

    redact.forget()
    yield
    redact.forget()


@pytest.fixture
def hf() -> Iterator[FakeHF]:
    with FakeHF({d: load_hf(n) for d, n in DEFAULT_DAYS.items()}) as server:
        yield server


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=TOKEN) as server:
        yield server


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto S3 + Secrets Manager with the archive bucket and the token secret."""
    from moto import mock_aws

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # moto would start every test with a new boto3 default session, whose cold service-model
    # loads cost ~0.3 s a test; the state (buckets, secrets) is still fresh for every test.
    # (`moto_before_boto3` makes sure that session sees moto.)
    with mock_aws(config={"core": {"reset_boto3_session": False}}):
        import boto3

        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        boto3.client("secretsmanager", region_name=REGION).create_secret(Name=SECRET_NAME, SecretString=TOKEN)
        yield s3


def s3_objects(s3: Any) -> dict[str, bytes]:
    listing = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listing}


def s3_versions(s3: Any, key: str) -> int:
    return len(s3.list_object_versions(Bucket=BUCKET, Prefix=key).get("Versions", []))


@dataclass
class LambdaContext:
    function_name: str = "hf-daily-papers"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:ap-northeast-2:123456789012:function:hf-daily-papers"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def lambda_env(monkeypatch: pytest.MonkeyPatch, hf: FakeHF, github: FakeGitHub, aws: Any) -> dict[str, str]:
    """The function's environment, pointed at the fakes (as events/env.json is for sam local)."""
    env = {
        "HF_ENDPOINT": hf.url,
        "BLOG_API_URL": github.url,
        "BLOG_REPOSITORY": github.repository,
        "BLOG_BRANCH": "main",
        "BLOG_TOKEN_SECRET": SECRET_NAME,
        "BUCKET_NAME": BUCKET,
        "POST_AUTHOR": "lim4349",
        "POST_PERMALINK": "false",  # the seed posts' bytes (tests/fixtures/posts); tests of the default unset it
        "TOP_N": "10",
        "HF_MAX_RPS": "0",  # the fake has no quota: no client-side pacing (tests of pacing set it)
        "POWERTOOLS_SERVICE_NAME": "hf-daily-papers",
        "POWERTOOLS_METRICS_NAMESPACE": "HfDailyPapersTest",
    }
    monkeypatch.delenv("BLOG_TOKEN", raising=False)
    monkeypatch.delenv("REFRESH_DAYS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


class RunLog:
    """What the handler's Powertools logger printed, line by line, exactly as formatted (JSON)."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def messages(self, level: str | None = None) -> list[str]:
        return [r["message"] for r in self.records if level is None or r["level"] == level]

    def find(self, prefix: str) -> dict[str, Any]:
        found = [r for r in self.records if str(r.get("message", "")).startswith(prefix)]
        assert found, f"no log line starting with {prefix!r} in {self.messages()}"
        return found[-1]


@pytest.fixture
def run_log() -> Iterator[RunLog]:
    from hf_daily_papers import handler

    log = RunLog()
    stream_handler = logging.StreamHandler(log.stream)
    stream_handler.setFormatter(handler.logger.registered_formatter)
    handler.logger.addHandler(stream_handler)
    try:
        yield log
    finally:
        logging.getLogger(handler.logger.service).removeHandler(stream_handler)


@pytest.fixture
def secret_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the secrets read from Secrets Manager (GetSecretValue calls), in order: counted
    with a botocore event hook on boto3's default session, which the function's clients use."""
    import boto3

    reads: list[str] = []

    def counting(params: dict[str, Any], **_: Any) -> None:
        reads.append(params.get("SecretId", ""))

    boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    boto3.DEFAULT_SESSION.events.register("provide-client-params.secrets-manager.GetSecretValue", counting)
    return reads


@pytest.fixture
def invoke(lambda_env: dict[str, str], fast_http: Any) -> Callable[[Any], dict[str, Any]]:
    """Call the Lambda handler as Lambda would, with a fresh execution environment per test."""
    from hf_daily_papers import app, handler

    handler.reset_environment(app.Wiring(http=fast_http))

    def call(event: Any) -> dict[str, Any]:
        return handler.lambda_handler(copy.deepcopy(event), LambdaContext())

    return call


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """moto in server mode on 127.0.0.1, for a function running in another process (the built
    artifact, the emulator): point it there with AWS_ENDPOINT_URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@contextlib.contextmanager
def made_once(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[Path, bool]]:
    """A folder shared by every xdist worker of this run (the run's temporary root), and whether it
    was already made: the first worker to get here makes it, holding a lock that the others wait
    on; a make that fails leaves it unmade, for the next one to try. For a session fixture whose
    work (a build) is costly: made once per run instead of once per worker."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the workers: each one's basetemp is a folder in it
    folder, done = base / name, base / f"{name}.made"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        folder.mkdir(exist_ok=True)
        yield folder, done.exists()
        done.touch()


def server_archive(endpoint: str, bucket: str) -> Any:
    """In the moto server at `endpoint`: a versioned `bucket` and the token secret (kept if there).
    Returns the S3 client, for the tests to look at the archive."""
    import boto3

    kwargs: dict[str, Any] = dict(region_name=REGION, endpoint_url=endpoint, aws_access_key_id="testing",
                                  aws_secret_access_key="testing", aws_session_token="testing")
    s3 = boto3.client("s3", **kwargs)
    secrets = boto3.client("secretsmanager", **kwargs)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    with contextlib.suppress(secrets.exceptions.ResourceExistsException):
        secrets.create_secret(Name=SECRET_NAME, SecretString=TOKEN)
    return s3
