"""Composition: build the services from settings, and run a request through the pipeline.

The Lambda handler and the CLI both end here; they differ only in which services they build.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .archive import Archive, FolderArchive, S3Archive
from .errors import AuthError, UpstreamUnavailable
from .hf import FolderSource, HfApiSource, PaperSource
from .httpclient import HttpClient, HttpConfig
from .pacing import PacedHttp, RateLimiter
from .pipeline import Options, Pipeline, Progress, RunResult
from .publish import FolderPublisher, GitHubPublisher, Publisher
from .inputs import DailyRequest, DigestRequest, RangeRequest, Request, last_closed_day
from .settings import Settings

USER_AGENT = "hf-daily-papers/1.0 (+https://github.com/)"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class Services:
    source: PaperSource
    archive: Archive
    publisher: Publisher


#: Timeouts, retries and time budget of every upstream call (tests swap in a fast one).
HTTP_CONFIG = HttpConfig()
#: botocore settings of the S3 and Secrets Manager clients: 3 tries, short timeouts. Worst case
#: per call: 3 * (5 + 15) s + standard-mode backoff (under 2 s for two retries) ~ 62 s.
AWS_TRIES, AWS_CONNECT_TIMEOUT, AWS_READ_TIMEOUT = 3, 5, 15


def aws_client_config() -> Any:
    from botocore.config import Config

    return Config(retries={"mode": "standard", "max_attempts": AWS_TRIES},
                  connect_timeout=AWS_CONNECT_TIMEOUT, read_timeout=AWS_READ_TIMEOUT)


def hf_source(settings: Settings, http_config: HttpConfig | None = None) -> HfApiSource:
    http_config = http_config or HTTP_CONFIG
    http: Any = HttpClient("Hugging Face", http_config, user_agent=USER_AGENT)
    if settings.hf_max_rps:  # pace every request (HF_MAX_RPS); 0 = as fast as FETCH_CONCURRENCY allows
        http = PacedHttp(http, RateLimiter(settings.hf_max_rps))
    return HfApiSource(http, settings.hf_endpoint, utc_now)


def s3_archive(settings: Settings) -> S3Archive:
    import boto3

    return S3Archive(boto3.client("s3", config=aws_client_config()), settings.require_s3())


def github_publisher(settings: Settings, http_config: HttpConfig | None = None) -> GitHubPublisher:
    repository = settings.require_github()
    http_config = http_config or HTTP_CONFIG
    return GitHubPublisher(
        HttpClient("GitHub", http_config, user_agent=USER_AGENT),
        settings.github_api_url,
        repository,
        settings.github_branch,
        token_provider(settings),
        token_name=f"secret {settings.github_token_secret}" if settings.github_token_secret else "GITHUB_TOKEN",
    )


def token_provider(settings: Settings) -> Callable[[], str]:
    """The GitHub token, read when first needed: from GITHUB_TOKEN, else Secrets Manager (cached)."""
    if settings.github_token is not None:
        return settings.github_token.reveal
    return SecretToken(settings.github_token_secret or "")


class SecretToken:
    """The token in a Secrets Manager secret, read through Powertools Parameters.

    A run asks for it once (when it first publishes); Powertools caches it for `MAX_AGE`
    seconds, so warm invocations close together share one read. `refresh()` reads it again
    regardless of the cache: the publisher calls it once after a 401, so a rotated token is
    picked up without waiting for the cache to expire. Errors name the secret, never the value.
    """

    MAX_AGE = 300
    #: Secrets Manager / KMS / IAM error codes that no retry will fix.
    PERMANENT = frozenset({
        "ResourceNotFoundException", "AccessDeniedException", "AccessDenied", "InvalidRequestException",
        "DecryptionFailure", "UnrecognizedClientException", "InvalidSignatureException",
        "ExpiredTokenException", "NoCredentialsError", "PartialCredentialsError",
    })

    def __init__(self, secret_id: str) -> None:
        self.secret_id = secret_id
        self._provider: Any = None  # a Powertools SecretsProvider (its cache), made on first use

    def __call__(self) -> str:
        return self._read(force=False)

    def refresh(self) -> str:
        return self._read(force=True)

    def _read(self, *, force: bool) -> str:
        from aws_lambda_powertools.utilities import parameters

        name = f"secret {self.secret_id}"
        try:
            if self._provider is None:
                _hide_response_bodies()
                import boto3

                # A client of boto3's default session, which the S3 client already built: the
                # endpoint data is loaded once (a session of its own costs ~70 ms more per cold start).
                client = boto3.client("secretsmanager", config=aws_client_config())
                self._provider = parameters.SecretsProvider(boto3_client=client)
            value = self._provider.get(self.secret_id, max_age=self.MAX_AGE, force_fetch=force)
        except parameters.exceptions.GetParameterError as exc:
            # Powertools raises GetParameterError inside `except`: the SDK's error is the context.
            cause = exc.__cause__ or exc.__context__
            response = getattr(cause, "response", None) or {}
            code = response.get("Error", {}).get("Code") or (type(cause).__name__ if cause else "GetParameterError")
            if code in self.PERMANENT:
                raise AuthError("Secrets Manager", name, f"cannot read it: {code}") from None
            tries = response.get("ResponseMetadata", {}).get("RetryAttempts", AWS_TRIES - 1) + 1
            raise UpstreamUnavailable("Secrets Manager", f"read {name}", code, tries) from None
        token = value.decode() if isinstance(value, bytes) else str(value or "")
        token = token.strip()
        if not token:
            raise AuthError("Secrets Manager", name, "it is empty")
        return token


def _drop_response_body(record: Any) -> bool:
    return not str(record.msg).startswith("Response body")


def _hide_response_bodies() -> None:
    """botocore logs every response body at DEBUG, GetSecretValue's (the token) included; a root
    logger at DEBUG (e.g. Lambda's log level setting) would print it. Drop those records."""
    import logging

    parsers = logging.getLogger("botocore.parsers")
    if _drop_response_body not in parsers.filters:
        parsers.addFilter(_drop_response_body)


def lambda_services(settings: Settings) -> Services:
    return Services(hf_source(settings), s3_archive(settings), github_publisher(settings))


def folder_services(out: Path, settings: Settings, *, hf_dir: Path | None = None) -> Services:
    source = FolderSource(hf_dir, utc_now) if hf_dir else hf_source(settings)
    return Services(source, FolderArchive(out / "archive"), FolderPublisher(out / "blog"))


def options(settings: Settings) -> Options:
    return Options(top_n=settings.top_n, author=settings.post_author, concurrency=settings.fetch_concurrency)


def handle(
    request: Request,
    services: Services,
    settings: Settings,
    *,
    logger: Any = None,
    metrics: Any = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    pipeline = Pipeline(
        services.source, services.archive, services.publisher, options(settings),
        logger=logger, metrics=metrics, progress=progress,
    )
    if isinstance(request, DailyRequest):
        refresh = settings.refresh_days if request.scheduled else 0
        dates = [request.date - dt.timedelta(days=i) for i in range(refresh + 1)]
        message = f"Daily Papers {request.date}"
        if refresh:
            message += f" (refresh {dates[-1]}..{dates[1]})"
        run = pipeline.run(dates, dry_run=request.dry_run, message=message)
        return _daily_result(run, request.date)
    if isinstance(request, RangeRequest):
        message = f"Daily Papers backfill {request.start}..{request.end}"
        return pipeline.run(request.dates, dry_run=request.dry_run, message=message).to_dict()
    if isinstance(request, DigestRequest):
        from .digest import run_digest

        return run_digest(request, pipeline, last_closed=last_closed_day(utc_now()))
    raise TypeError(f"unknown request {request!r}")


def _daily_result(run: RunResult, date: dt.date) -> dict[str, Any]:
    """The target day's result; refreshed days (if any) listed under `refreshed`."""
    target = next(d for d in run.days if d.date == date.isoformat())
    result = target.to_dict()
    others = [d.to_dict() for d in run.days if d is not target]
    if others:
        result["refreshed"] = others
        if run.commit_sha:
            result["commit_sha"] = run.commit_sha
    return result
