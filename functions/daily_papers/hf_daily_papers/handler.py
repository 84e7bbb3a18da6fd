"""AWS Lambda entry point: event → request → pipeline → JSON result.

Settings and clients are built once per execution environment (on the first invocation) and
reused; the GitHub token is read through Powertools Parameters when a run publishes.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from . import app
from .archive import archive_key
from .render import post_path
from .inputs import DailyRequest, parse_event
from .settings import Settings

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "hf-daily-papers"))
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "HfDailyPapers"))

_cached: tuple[Settings, app.Services] | None = None


def _environment() -> tuple[Settings, app.Services]:
    global _cached
    if _cached is None:
        settings = Settings.from_env(os.environ)
        _cached = (settings, app.lambda_services(settings))
    return _cached


@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path="execution_id", clear_state=True)
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    request: Any = None
    services: app.Services | None = None
    mark = (0, 0)
    try:
        request = parse_event(event, app.utc_now())
        logger.append_keys(request=type(request).__name__)
        settings, services = _environment()
        mark = _journal(services)
        result = app.handle(request, services, settings, logger=logger, metrics=metrics)
    except Exception as exc:
        # Raised on, so Lambda counts an error and async retries / the DLQ take over; this line
        # says what the run wrote before it failed and what it did not.
        message, fields = _failure(request, services, mark, exc)
        logger.exception(message, extra=fields)
        raise
    logger.info("run result", extra={"result": {k: v for k, v in result.items() if k != "post"}})
    return result


def _journal(services: app.Services) -> tuple[int, int]:
    """How many archive objects and commits the (reused) services have written so far."""
    return len(getattr(services.archive, "written", ())), len(getattr(services.publisher, "commits", ()))


def _failure(request: Any, services: app.Services | None, mark: tuple[int, int], exc: Exception) -> tuple[str, dict[str, Any]]:
    archived = list(getattr(services.archive, "written", [])[mark[0]:]) if services else []
    commits = list(getattr(services.publisher, "commits", [])[mark[1]:]) if services else []
    fields: dict[str, Any] = {
        "error_type": type(exc).__name__,
        "archived": archived,  # archive keys this run wrote
        "commits": commits,  # commits this run made
    }
    if isinstance(request, DailyRequest) and not request.dry_run:
        key, post = archive_key(request.date), post_path(request.date)
        fields.update(archive_key=key, archive_written=key in archived, post_path=post, post_published=bool(commits))
        where = f"archive {key} {'written' if key in archived else 'not written'} by this run; "
        where += f"post {post} " + (f"published in {commits[-1][:12]}" if commits else "not published")
        if not commits:
            where += "; re-running the date completes it once the cause is fixed"
    elif archived or commits:
        where = f"this run wrote {len(archived)} archive object(s) and {len(commits)} commit(s); re-run to complete"
    else:
        where = "nothing written"
    return f"run failed ({type(exc).__name__}): {where}", fields
