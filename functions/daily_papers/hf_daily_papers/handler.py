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

from . import app, redact
from .inputs import Request, parse_event
from .ports import Ports
from .redact import MaskLogRecords, scrub
from .results import RunRecord, to_json
from .settings import Settings

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "hf-daily-papers"))
logger.addFilter(MaskLogRecords())  # every line of the run's log passes through the secret mask
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "HfDailyPapers"))


class _Environment:
    """Settings and ports of this execution environment, built on first use."""

    def __init__(self, wiring: app.Wiring = app.DEFAULT_WIRING) -> None:
        self.wiring = wiring
        self.cached: tuple[Settings, Ports] | None = None

    def get(self) -> tuple[Settings, Ports]:
        if self.cached is None:
            settings = Settings.from_env(os.environ)
            self.cached = (settings, app.lambda_ports(settings, self.wiring))
        return self.cached


environment = _Environment()


def reset_environment(wiring: app.Wiring | None = None) -> None:
    """Forget the cached settings and ports: the next invocation reads the environment again
    (a new execution environment, as Lambda starts after a configuration change). `wiring`:
    the clock and HTTP timing of the new environment (tests; the default otherwise)."""
    environment.cached = None
    environment.wiring = wiring or app.DEFAULT_WIRING
    redact.forget()


@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path="execution_id", clear_state=True)
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    record = RunRecord()
    request: Request | None = None
    failure: BaseException | None = None
    try:
        request = parse_event(event, environment.wiring.clock())
        logger.append_keys(request=type(request).__name__)
        settings, ports = environment.get()
        result = app.handle(
            request, ports, settings, record=record, logger=logger, metrics=metrics, time_left=_time_left(context),
            clock=environment.wiring.clock,
        )
    except Exception as exc:
        # This is the failure's one log line: the error, and what this invocation wrote and did
        # not. Its text, from whatever library, is masked first (`scrub`): message, notes and the
        # chained exceptions, in the log line's traceback and in what Lambda returns (errorMessage).
        failure = scrub(exc)
        logger.exception(
            f"run failed ({type(exc).__name__}): {record.describe()}",
            exc_info=failure,
            extra={"error_type": type(exc).__name__, **record.fields()},
        )
    if failure is not None:
        # Raised on (outside the `except`, so nothing unmasked is chained to it), so Lambda counts
        # an error and async retries / the DLQ take over.
        raise failure
    output = to_json(result)
    logger.info("run result", extra={"result": {k: v for k, v in output.items() if k != "post"}})
    return output


def _time_left(context: Any) -> Callable[[], float] | None:
    """Seconds left in this invocation, from the Lambda context (None when it cannot say)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(remaining):
        return None
    return lambda: float(remaining()) / 1000.0
