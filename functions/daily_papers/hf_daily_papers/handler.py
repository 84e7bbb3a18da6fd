"""AWS Lambda entry point: event → request → use case → JSON result.

Settings and ports are built once per execution environment (on the first invocation) and
reused; the GitHub token is read through Powertools Parameters when a run publishes. What a run
wrote is recorded per invocation (`RunRecord`), so a failure's one log line says exactly what
this invocation left behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from . import app
from .inputs import Request, parse_event
from .pipeline import Ports
from .results import RunRecord, to_json
from .settings import Settings

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "hf-daily-papers"))
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "HfDailyPapers"))


class _Environment:
    """Settings and ports of this execution environment, built on first use."""

    def __init__(self) -> None:
        self.cached: tuple[Settings, Ports] | None = None

    def get(self) -> tuple[Settings, Ports]:
        if self.cached is None:
            settings = Settings.from_env(os.environ)
            self.cached = (settings, app.lambda_ports(settings))
        return self.cached


environment = _Environment()


def reset_environment() -> None:
    """Forget the cached settings and ports: the next invocation reads the environment again
    (a new execution environment, as Lambda starts after a configuration change)."""
    environment.cached = None


@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path="execution_id", clear_state=True)
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    record = RunRecord()
    request: Request | None = None
    try:
        request = parse_event(event, app.utc_now())
        logger.append_keys(request=type(request).__name__)
        settings, ports = environment.get()
        result = app.handle(
            request, ports, settings, record=record, logger=logger, metrics=metrics, time_left=_time_left(context)
        )
    except Exception as exc:
        # Raised on, so Lambda counts an error and async retries / the DLQ take over. This is the
        # failure's one log line: the error, and what this invocation wrote and did not.
        logger.exception(
            f"run failed ({type(exc).__name__}): {record.describe()}",
            extra={"error_type": type(exc).__name__, **record.fields()},
        )
        raise
    output = to_json(result)
    logger.info("run result", extra={"result": {k: v for k, v in output.items() if k != "post"}})
    return output


def _time_left(context: Any) -> Callable[[], float] | None:
    """Seconds left in this invocation, from the Lambda context (None when it cannot say)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(remaining):
        return None
    return lambda: float(remaining()) / 1000.0
