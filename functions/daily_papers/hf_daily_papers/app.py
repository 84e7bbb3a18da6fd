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
from .http import HttpClient, HttpConfig
from .pacing import PacedHttp, RateLimiter
from .pipeline import Options, Pipeline, Progress, RunResult
from .publish import FolderPublisher, GitHubPublisher, Publisher
from .requests import DailyRequest, DigestRequest, RangeRequest, Request, last_closed_day
from .settings import Settings

USER_AGENT = "hf-daily-papers/1.0 (+https://github.com/)"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class Services:
    source: PaperSource
    archive: Archive
    publisher: Publisher


def hf_source(settings: Settings, http_config: HttpConfig = HttpConfig()) -> HfApiSource:
    http: Any = HttpClient("Hugging Face", http_config, user_agent=USER_AGENT)
    if settings.hf_max_rps:  # pace every request (HF_MAX_RPS); 0 = as fast as FETCH_CONCURRENCY allows
        http = PacedHttp(http, RateLimiter(settings.hf_max_rps))
    return HfApiSource(http, settings.hf_endpoint, utc_now)


def s3_archive(settings: Settings) -> S3Archive:
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=30)
    return S3Archive(boto3.client("s3", config=config), settings.require_s3())


def github_publisher(settings: Settings, http_config: HttpConfig = HttpConfig()) -> GitHubPublisher:
    repository = settings.require_github()
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
    secret_id = settings.github_token_secret

    def from_secrets_manager() -> str:
        from aws_lambda_powertools.utilities import parameters

        try:
            value = parameters.get_secret(secret_id, max_age=300)
        except parameters.exceptions.GetParameterError as exc:
            cause = type(exc.__cause__).__name__ if exc.__cause__ else "GetParameterError"
            code = getattr(exc.__cause__, "response", {}).get("Error", {}).get("Code", cause)
            if code in ("ResourceNotFoundException", "AccessDeniedException", "InvalidRequestException"):
                raise AuthError("Secrets Manager", f"secret {secret_id}", f"cannot read it: {code}") from None
            raise UpstreamUnavailable("Secrets Manager", f"read secret {secret_id}", code, 1) from None
        token = value.decode() if isinstance(value, bytes) else str(value)
        token = token.strip()
        if not token:
            raise AuthError("Secrets Manager", f"secret {secret_id}", "it is empty")
        return token

    return from_secrets_manager


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
