"""Composition: build the ports from settings, and run a request as its use case.

The Lambda handler and the CLI both end here; they differ only in which ports they build
(`lambda_ports`: Hugging Face, S3, GitHub, Bedrock; `folder_ports`: a folder for the archive
and the posts, and optionally saved API answers instead of Hugging Face).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .archive import FolderArchive, S3Archive
from .aws import SecretToken, client_config
from .daily import Options, backfill, daily
from .digest import run_digest
from .errors import SettingsError
from .hf import FolderSource, HfApiSource
from .httpclient import Http, HttpClient, HttpConfig
from .inputs import DailyRequest, RangeRequest, Request, last_closed_day
from .pacing import PacedHttp, RateLimiter
from .ports import Log, MetricSink, Ports
from .publish import FixedToken, FolderPublisher, GitHubPublisher, Token
from .render import PostStyle
from .results import RunRecord, RunResult
from .run import Progress, RunContext
from .settings import Settings

if TYPE_CHECKING:
    from .summaries import SummaryModel

USER_AGENT = f"hf-daily-papers/{__version__} (+https://github.com/)"

def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Wiring:
    """What the composition fixes besides the settings: the clock, the timeouts, retries and time
    budget of every HTTP call, and how a wait is waited (tests pass a fast timing, a fixed clock,
    a sleep that records the waits)."""

    clock: Callable[[], dt.datetime] = utc_now
    http: HttpConfig = field(default_factory=HttpConfig)
    sleep: Callable[[float], None] = time.sleep  # every wait: retries, Retry-After, HF pacing
    bedrock: Any = None  # a botocore Config for the Bedrock client; None: aws.client_config("bedrock-runtime")


DEFAULT_WIRING = Wiring()


# -- the ports -------------------------------------------------------------------------------
def hf_source(settings: Settings, wiring: Wiring = DEFAULT_WIRING) -> HfApiSource:
    http: Http = HttpClient("Hugging Face", wiring.http, user_agent=USER_AGENT, sleep=wiring.sleep)
    if settings.hf_max_rps:  # pace every request (HF_MAX_RPS); 0 = as fast as FETCH_CONCURRENCY allows
        http = PacedHttp(http, RateLimiter(settings.hf_max_rps, sleep=wiring.sleep))
    return HfApiSource(http, settings.hf_endpoint, wiring.clock, hf_token(settings))


def hf_token(settings: Settings) -> Callable[[], str] | None:
    """The optional Hugging Face token: HF_TOKEN, else the HF_TOKEN_SECRET secret; None: anonymous."""
    if settings.hf_token is not None:
        return settings.hf_token.reveal
    if settings.hf_token_secret:
        return SecretToken(settings.hf_token_secret)
    return None


def s3_archive(settings: Settings) -> S3Archive:
    import boto3

    return S3Archive(boto3.client("s3", config=client_config("s3")), settings.require_s3())


def github_publisher(settings: Settings, wiring: Wiring = DEFAULT_WIRING) -> GitHubPublisher:
    repository = settings.require_github()
    return GitHubPublisher(
        HttpClient("GitHub", wiring.http, user_agent=USER_AGENT, sleep=wiring.sleep),
        settings.github_api_url,
        repository,
        settings.github_branch,
        github_token(settings),
        token_name=f"secret {settings.github_token_secret}" if settings.github_token_secret else "BLOG_TOKEN",
        tree_max_entries=settings.github_tree_max_entries,
        tree_max_bytes=settings.github_tree_max_bytes,
    )


def github_token(settings: Settings) -> Token:
    """The GitHub token, read when first needed: from BLOG_TOKEN, else Secrets Manager (cached)."""
    if settings.github_token is not None:
        return FixedToken(settings.github_token.reveal)
    return SecretToken(settings.github_token_secret or "")


def summary_model(settings: Settings, wiring: Wiring = DEFAULT_WIRING) -> SummaryModel | None:
    """Bedrock when SUMMARY_MODEL is set; otherwise summaries are off."""
    if not settings.summary_model:
        return None
    from .bedrock import bedrock_model

    return bedrock_model(settings.summary_model, language=settings.summary_language, config=wiring.bedrock)


def lambda_ports(settings: Settings, wiring: Wiring = DEFAULT_WIRING) -> Ports:
    return Ports(hf_source(settings, wiring), s3_archive(settings), github_publisher(settings, wiring),
                 summary_model(settings, wiring))


def folder_ports(out: Path, settings: Settings, *, hf_dir: Path | None = None,
                 wiring: Wiring = DEFAULT_WIRING) -> Ports:
    """The CLI's defaults: archive and posts in `out`; S3 / GitHub when their settings are given."""
    source = FolderSource(hf_dir, wiring.clock) if hf_dir else hf_source(settings, wiring)
    archive = s3_archive(settings) if settings.bucket_name else FolderArchive(out / "archive", wiring.clock)
    publisher = github_publisher(settings, wiring) if settings.github_repository else FolderPublisher(out / "blog")
    return Ports(source, archive, publisher, summary_model(settings, wiring))


def run_options(settings: Settings) -> Options:
    style = PostStyle(author=settings.post_author, image=settings.post_image, links=settings.post_links,
                      permalink=settings.post_permalink)
    return Options(top_n=settings.top_n, style=style, concurrency=settings.fetch_concurrency)


# -- running ---------------------------------------------------------------------------------
def handle(
    request: Request,
    ports: Ports,
    settings: Settings,
    *,
    record: RunRecord | None = None,
    logger: Log | None = None,
    metrics: MetricSink | None = None,
    progress: Progress | None = None,
    time_left: Callable[[], float] | None = None,
    clock: Callable[[], dt.datetime] = utc_now,
    cancel: threading.Event | None = None,
) -> RunResult:
    """Run `request` as its use case. What it writes goes into `record` as it happens."""
    ctx = RunContext(record, log=logger, metrics=metrics, progress=progress, time_left=time_left, now=clock,
                     cancel=cancel)
    if isinstance(request, DailyRequest):
        return daily(request, settings.refresh_days, ports, run_options(settings), ctx)
    if isinstance(request, RangeRequest):
        if request.summarize and ports.model is None:
            raise SettingsError("SUMMARY_MODEL", None, 'required for a range with "summarize": true')
        return backfill(request, ports, run_options(settings), ctx)
    return run_digest(request, ports, run_options(settings), ctx, last_closed=last_closed_day(clock()))
