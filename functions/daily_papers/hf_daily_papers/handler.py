"""AWS Lambda entry point: event → request → pipeline → JSON result.

Settings and clients are built once per execution environment (on the first invocation) and
reused; the GitHub token is read through Powertools Parameters when a run publishes.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from . import app
from .requests import parse_event
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
    request = parse_event(event, app.utc_now())
    logger.append_keys(request=type(request).__name__)
    settings, services = _environment()
    try:
        result = app.handle(request, services, settings, logger=logger, metrics=metrics)
    except Exception:
        logger.exception("run failed")
        raise
    logger.info("run result", extra={"result": {k: v for k, v in result.items() if k != "post"}})
    return result
