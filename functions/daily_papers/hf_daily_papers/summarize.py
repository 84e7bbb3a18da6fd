"""Korean summaries of the listed papers, by a model on Amazon Bedrock (Converse API).

One summary per paper: 2–3 Korean sentences made from the title and the abstract only, with the
prompt in `templates/summary-prompt.txt` (it carries a version number). Summaries are kept in the
day's archive document (`"summaries": {paper_id: Summary.to_json()}`); `fill_summaries` reuses
every kept summary made by the same model with the same prompt version and asks the model only
for the others, so a re-run, a refresh or a digest costs no model call for a paper that has one.

A summary never blocks a post: a paper whose summary fails (throttled past the deadline, a
refusal, an empty answer) is logged and listed in `SummaryFill.missing`, and the next run of the
date fills it in. Errors that no later call in this run can fix (access denied, an unknown model
id, no credentials) stop the asking at once.

Summaries are untrusted text (a model's output, possibly steered by an abstract): they are
returned as they are, and escaped where every other text is, by the renderer.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Protocol

from .errors import DailyPapersError, SettingsError
from .models import Paper

if TYPE_CHECKING:  # botocore is imported only when a summarizer is built
    from botocore.config import Config

#: The prompt template (version number, system part, user part).
PROMPT_FILE = Path(__file__).resolve().parent / "templates" / "summary-prompt.txt"
MAX_TITLE_CHARS = 300
MAX_ABSTRACT_CHARS = 4000  # ~1,000 tokens; the real abstracts are 1,300–1,800 characters
MAX_SUMMARY_CHARS = 1000  # 2–3 sentences are ~150–400 characters; more is a runaway answer
TEMPERATURE = 0.2  # low: a faithful summary, not a creative one
MAX_TOKENS = 400  # output tokens per summary (bounds the cost and the length)
ELLIPSIS = "…"

#: Answers that mean "this paper's summary cannot be had in this run", per Bedrock error code.
#: Throttling, 5xx, a model still loading and a model timeout are transient: retried within the
#: summary's deadline. These are permanent for the run: no call can succeed until someone acts.
PERMANENT_CODES = frozenset({
    "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
    "ExpiredTokenException", "ValidationException", "ResourceNotFoundException",
    "ServiceQuotaExceededException",
})
TRANSIENT_CODES = frozenset({
    "ThrottlingException", "ServiceUnavailableException", "InternalServerException",
    "ModelNotReadyException", "ModelTimeoutException", "RequestTimeout", "RequestTimeoutException",
})
#: Papers in a row whose summary failed transiently after which a fill stops asking (Bedrock is
#: down or throttling hard: each further paper would only spend its whole deadline too).
GIVE_UP_AFTER = 3
_ACCESS_CODES = frozenset({"AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
                           "ExpiredTokenException"})


class SummaryFailed(DailyPapersError):
    """The model gave no usable summary for a paper; `reason` says why.

    `permanent`: no call in this run can succeed (access denied, wrong model id, no
    credentials); callers stop asking."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        self.reason = reason
        self.permanent = permanent
        super().__init__(reason)


class PromptInvalid(DailyPapersError, ValueError):
    """The summary prompt template cannot be used (a packaging or editing mistake)."""


# ---------------------------------------------------------------------------------------------
# The stored summary


@dataclass(frozen=True)
class Summary:
    text: str
    model: str  # the model / inference profile id or ARN that wrote it (SUMMARY_MODEL)
    prompt_version: int
    created_at: str  # ISO 8601 UTC, e.g. 2026-08-22T00:15:03Z

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "model": self.model, "prompt_version": self.prompt_version,
                "created_at": self.created_at}

    @classmethod
    def from_json(cls, value: object) -> Summary | None:
        """The summary an archive document holds, or None for anything malformed (an archive
        is untrusted: a hand edit, an older or newer format). A None is simply regenerated."""
        if not isinstance(value, dict):
            return None
        text, model = value.get("text"), value.get("model")
        version, created = value.get("prompt_version"), value.get("created_at")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_SUMMARY_CHARS:
            return None
        if not isinstance(model, str) or not model.strip():
            return None
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            return None
        if not isinstance(created, str) or _parse_time(created) is None:
            return None
        return cls(text, model, version, created)


def read_summaries(value: object) -> dict[str, Summary]:
    """The archive document's `summaries` (`{paper_id: Summary.to_json()}`) as Summaries; a
    malformed entry (or a malformed whole) is left out, so those papers get a new summary."""
    if not isinstance(value, dict):
        return {}
    found: dict[str, Summary] = {}
    for paper_id, entry in value.items():
        summary = Summary.from_json(entry)
        if isinstance(paper_id, str) and paper_id and summary is not None:
            found[paper_id] = summary
    return found


def summaries_json(summaries: Mapping[str, Summary]) -> dict[str, object]:
    """`{paper_id: Summary.to_json()}` in paper-id order (stable archive bytes)."""
    return {paper_id: summaries[paper_id].to_json() for paper_id in sorted(summaries)}


def _parse_time(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _stamp(moment: dt.datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


# ---------------------------------------------------------------------------------------------
# The prompt


@dataclass(frozen=True)
class Prompt:
    version: int
    system: str
    user: str  # a string.Template with exactly ${title} and ${abstract}

    def render(self, paper: Paper) -> str:
        """The user message for `paper`: its title and abstract only, folded and bounded.
        (string.Template substitutes once: a `$` in a title or abstract stays as it is.)"""
        return Template(self.user).substitute(
            title=_bounded(paper.title, MAX_TITLE_CHARS), abstract=_bounded(paper.summary, MAX_ABSTRACT_CHARS)
        )


def parse_prompt(text: str, source: str = "summary-prompt.txt") -> Prompt:
    """`version: N`, optional `#` comment lines, then a `[system]` and a `[user]` section."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    head = lines[first].strip() if first is not None else ""
    name, _, number = head.partition(":")
    if name.strip() != "version" or not number.strip().isdigit() or int(number) < 1:
        raise PromptInvalid(f"{source}: first line must be `version: N` (N ≥ 1), got {head[:60]!r}")
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines[(first or 0) + 1:]:
        stripped = line.strip()
        if stripped in ("[system]", "[user]"):
            if stripped[1:-1] in sections:
                raise PromptInvalid(f"{source}: section {stripped} appears twice")
            current = sections.setdefault(stripped[1:-1], [])
        elif current is not None:
            current.append(line)
        elif stripped and not stripped.startswith("#"):
            raise PromptInvalid(f"{source}: text before the [system] section: {stripped[:60]!r}")
    system = "\n".join(sections.get("system", [])).strip()
    user = "\n".join(sections.get("user", [])).strip()
    if not system or not user:
        raise PromptInvalid(f"{source}: needs a non-empty [system] and [user] section")
    template = Template(user)
    if not template.is_valid() or set(template.get_identifiers()) != {"title", "abstract"}:
        raise PromptInvalid(
            f"{source}: the [user] section must use exactly ${{title}} and ${{abstract}} "
            f"(found {sorted(template.get_identifiers())}; write $$ for a dollar sign)"
        )
    return Prompt(int(number), system, user)


def load_prompt(path: Path = PROMPT_FILE) -> Prompt:
    return parse_prompt(path.read_text("utf-8"), path.name)


def _bounded(text: str, limit: int) -> str:
    """Whitespace folded to single spaces, cut at a word boundary to at most `limit` characters."""
    folded = " ".join(text.split())
    if len(folded) <= limit:
        return folded
    cut = folded[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


# ---------------------------------------------------------------------------------------------
# The model


class Summarizer(Protocol):
    model: str
    prompt_version: int

    def summarize(self, paper: Paper) -> str:
        """2–3 Korean sentences about `paper`; raises SummaryFailed when there are none."""
        ...


@dataclass(frozen=True)
class SummaryConfig:
    """Timeouts and retries of the summary calls.

    botocore retries each call (standard mode: throttling, 5xx, ModelNotReady, connection
    errors) `attempts` times in all; on top of that a summary whose call still failed
    transiently is asked again, after `pause` (doubling up to `pause_max`), until `deadline`
    seconds after its first call: no call starts later than that. Worst case for one summary:
    `worst_case_seconds` (defaults: 20 + 2 × (3 + 25) + 1 ≈ 77 s); a fill stops after
    GIVE_UP_AFTER such papers in a row."""

    attempts: int = 2  # botocore tries per call
    connect_timeout: float = 3.0
    read_timeout: float = 25.0  # 400 output tokens take a few seconds; a stalled stream is cut here
    deadline: float = 20.0
    pause: float = 1.0
    pause_max: float = 8.0
    #: After a permanent error no call is made for this long: longer than any invocation (900 s),
    #: short enough that a warm Lambda container tries again on the next day's run (after the
    #: access was granted or SUMMARY_MODEL fixed).
    stop_seconds: float = 900.0

    @property
    def worst_case_seconds(self) -> float:
        botocore_backoff = sum(min(2.0 ** n, 20.0) for n in range(self.attempts - 1))
        return self.deadline + self.attempts * (self.connect_timeout + self.read_timeout) + botocore_backoff

    def client_config(self) -> Config:
        from botocore.config import Config

        return Config(retries={"mode": "standard", "total_max_attempts": self.attempts},
                      connect_timeout=self.connect_timeout, read_timeout=self.read_timeout)


#: The config `bedrock_summarizer` uses by default (tests swap in a fast one).
SUMMARY_CONFIG = SummaryConfig()


class _Converse(Protocol):
    """The part of a boto3 `bedrock-runtime` client the summarizer uses."""

    def converse(self, **kwargs: object) -> Mapping[str, object]: ...


class BedrockSummarizer:
    """Summaries from one Bedrock model (or inference profile) through the Converse API."""

    def __init__(self, client: _Converse, model_id: str, *, prompt: Prompt | None = None,
                 config: SummaryConfig | None = None) -> None:
        if not model_id or not model_id.strip() or any(c.isspace() for c in model_id) or len(model_id) > 2048:
            raise SettingsError("SUMMARY_MODEL", model_id, "expected a Bedrock model id, inference profile id or ARN")
        self.client = client
        self.model = model_id
        self.prompt = prompt or load_prompt()
        self.prompt_version = self.prompt.version
        self.config = config or SUMMARY_CONFIG
        self._lock = threading.Lock()
        self._stopped: tuple[float, str] | None = None  # (until monotonic, reason) after a permanent error

    def summarize(self, paper: Paper) -> str:
        self._check_stopped()
        request: dict[str, object] = {
            "modelId": self.model,
            "system": [{"text": self.prompt.system}],
            "messages": [{"role": "user", "content": [{"text": self.prompt.render(paper)}]}],
            "inferenceConfig": {"maxTokens": MAX_TOKENS, "temperature": TEMPERATURE},
        }
        started = time.monotonic()
        pause, tries = self.config.pause, 0
        while True:
            try:
                response = self.client.converse(**request)
            except Exception as exc:  # noqa: BLE001 - botocore's errors, without importing botocore here
                tries += _tries(exc, self.config.attempts)
                permanent, transient, detail = self._classify(exc)
                if permanent:
                    self._stop(detail)
                    raise SummaryFailed(detail, permanent=True) from None
                elapsed = time.monotonic() - started
                if not transient or elapsed + pause > self.config.deadline:
                    plural = "try" if tries == 1 else "tries"
                    limit = f" (after {tries} {plural} in {elapsed:.1f} s)" if transient else ""
                    raise SummaryFailed(f"{detail}{limit}") from None
                time.sleep(pause)
                pause = min(pause * 2, self.config.pause_max)
                continue
            return _answer_text(response, self.model)

    def _check_stopped(self) -> None:
        with self._lock:
            if self._stopped is None:
                return
            until, reason = self._stopped
            if time.monotonic() < until:
                raise SummaryFailed(reason, permanent=True)
            self._stopped = None

    def _stop(self, reason: str) -> None:
        with self._lock:
            self._stopped = (time.monotonic() + self.config.stop_seconds, reason)

    def _classify(self, exc: Exception) -> tuple[bool, bool, str]:
        """(permanent, transient, reason naming the model and what to do)."""
        model = self.model
        response = getattr(exc, "response", None)
        if isinstance(response, dict):  # botocore ClientError: Bedrock answered with an error
            error = response.get("Error") or {}
            code = str(error.get("Code") or "")
            status = int((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
            said = f"Bedrock answered HTTP {status} {code}: {_short(str(error.get('Message') or ''))}".rstrip(": ")
            if code in TRANSIENT_CODES or status in (408, 429) or status >= 500:
                return False, True, f"{said} (model {model})"
            if code in _ACCESS_CODES or status in (401, 403):
                return True, False, (
                    f"{said} — model {model} cannot be used with these credentials: make the model available "
                    "to the account (Bedrock console → Model catalog; Anthropic models need the one-time "
                    "use-case form) and allow bedrock:InvokeModel on it (template parameter SummaryModel)"
                )
            if code in ("ValidationException", "ResourceNotFoundException") or status == 404:
                return True, False, (
                    f"{said} — check SUMMARY_MODEL={model!r}: a model id, inference profile id or ARN "
                    f"offered in {self._region()} (some models are invoked only through an inference "
                    "profile, e.g. apac.… or us.…)"
                )
            if code in PERMANENT_CODES:
                return True, False, f"{said} — no summary can be made with model {model} in this run"
            return False, False, f"{said} (model {model})"  # this paper only (e.g. ModelErrorException)
        name = type(exc).__name__
        if "Credentials" in name or name == "NoRegionError":
            return True, False, f"{name}: no AWS credentials or region for Bedrock (model {model}): {_short(str(exc))}"
        if name == "ParamValidationError":
            return True, False, f"{name}: {_short(str(exc))} — check SUMMARY_MODEL={model!r}"
        if name == "ResponseParserError":  # an answer botocore cannot read: asking again won't help
            return False, False, f"{name}: {_short(str(exc))} (model {model})"
        if _is_botocore(exc):  # connection refused/reset, timeouts
            return False, True, f"{name}: {_short(str(exc))} (model {model})"
        raise exc  # a bug, not a Bedrock fault: let it surface

    def _region(self) -> str:
        meta = getattr(self.client, "meta", None)
        return str(getattr(meta, "region_name", None) or "this region")


def bedrock_summarizer(model_id: str, *, config: SummaryConfig | None = None,
                       prompt: Prompt | None = None) -> BedrockSummarizer:
    """A summarizer on a boto3 `bedrock-runtime` client: credentials and region from the
    environment / default session (the function's role in Lambda; the user's profile with the
    CLI); boto3 itself honours AWS_ENDPOINT_URL_BEDROCK_RUNTIME (the tests' fake)."""
    import boto3
    from botocore.exceptions import NoRegionError

    config = config or SUMMARY_CONFIG
    try:
        client = boto3.client("bedrock-runtime", config=config.client_config())
    except NoRegionError:
        raise SettingsError(
            "AWS_DEFAULT_REGION", None,
            "a region (or one in the AWS profile) is required to call Bedrock for SUMMARY_MODEL",
        ) from None
    return BedrockSummarizer(client, model_id, prompt=prompt, config=config)


def _answer_text(response: Mapping[str, object], model: str) -> str:
    """The answer's text blocks, joined and stripped; capped at MAX_SUMMARY_CHARS."""
    stop = response.get("stopReason")
    if stop in ("guardrail_intervened", "content_filtered"):
        raise SummaryFailed(f"model {model} gave no summary: stopReason {stop}")
    output = response.get("output")
    message = output.get("message") if isinstance(output, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, list):
        raise SummaryFailed(f"model {model} answered without output.message.content (stopReason {stop!r})")
    texts = [block["text"] for block in content if isinstance(block, dict) and isinstance(block.get("text"), str)]
    return _capped("\n".join(texts).strip(), model)


def _capped(text: str, model: str) -> str:
    if not text:
        raise SummaryFailed(f"model {model} answered with an empty summary")
    if len(text) > MAX_SUMMARY_CHARS:
        return text[: MAX_SUMMARY_CHARS - len(ELLIPSIS)].rstrip() + ELLIPSIS
    return text


def _tries(exc: Exception, attempts: int) -> int:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        retried = (response.get("ResponseMetadata") or {}).get("RetryAttempts")
        if isinstance(retried, int):
            return retried + 1
    return attempts


def _is_botocore(exc: Exception) -> bool:
    return any(cls.__module__.startswith("botocore") for cls in type(exc).__mro__)


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


# ---------------------------------------------------------------------------------------------
# Filling a day's summaries


class Log(Protocol):
    """What fill_summaries logs to: a logging.Logger or a Powertools Logger."""

    def warning(self, msg: object, *args: object, extra: Mapping[str, object] | None = None) -> None: ...


@dataclass
class SummaryFill:
    summaries: dict[str, Summary] = field(default_factory=dict)  # for the given papers only
    made: int = 0  # model calls that gave a summary
    missing: list[str] = field(default_factory=list)  # paper ids still without a summary, in order
    stopped: bool = False  # should_stop() became true before every paper was asked

    @property
    def texts(self) -> dict[str, str]:
        """`{paper_id: text}`, what the renderer takes."""
        return {paper_id: summary.text for paper_id, summary in self.summaries.items()}


def fill_summaries(
    papers: Sequence[Paper],
    cached: Mapping[str, Summary],
    summarizer: Summarizer | None,
    *,
    now: Callable[[], dt.datetime],
    should_stop: Callable[[], bool] = lambda: False,
    log: Log | logging.Logger,
    give_up_after: int = GIVE_UP_AFTER,
    regenerate: bool = False,
) -> SummaryFill:
    """The summaries of `papers`: a cached one when it was made by `summarizer.model` with its
    prompt version, otherwise a new one. Failures are logged and listed in `missing`, never
    raised. With `summarizer` None (summaries off) the fill is empty, whatever the cache holds.

    Asking stops (the rest listed as missing) when `should_stop()` turns true before a call, after
    a permanent failure, or after `give_up_after` transient failures in a row. `regenerate`: ask
    for every paper, cached or not (a summary that then fails keeps its cached one)."""
    fill = SummaryFill()
    if summarizer is None:
        return fill
    halted: str | None = None  # why the remaining papers are not asked
    not_asked = 0
    failed_in_a_row = 0
    for paper in papers:
        if paper.id in fill.summaries or paper.id in fill.missing:
            continue  # a repeated id: one summary
        kept = cached.get(paper.id)
        if kept is not None and (kept.model, kept.prompt_version) != (summarizer.model, summarizer.prompt_version):
            kept = None  # another model or prompt: regenerated
        if kept is not None and not regenerate:
            fill.summaries[paper.id] = kept
            continue
        if halted is None and should_stop():
            fill.stopped = True
            halted = "out of time (should_stop)"
        if halted is not None:
            _keep_or_miss(fill, paper.id, kept)
            not_asked += 1
            continue
        try:
            text = _capped(summarizer.summarize(paper).strip(), summarizer.model)
        except SummaryFailed as failure:
            _keep_or_miss(fill, paper.id, kept)
            log.warning(
                f"summary {'not regenerated' if kept else 'missing'} for {paper.id}: {failure.reason}",
                extra={"paper_id": paper.id, "summary_model": summarizer.model, "reason": failure.reason},
            )
            failed_in_a_row += 1
            if failure.permanent:
                halted = f"model {summarizer.model} cannot be used (see the warning above)"
            elif failed_in_a_row >= give_up_after:
                halted = f"{failed_in_a_row} summaries in a row failed"
            continue
        failed_in_a_row = 0
        fill.summaries[paper.id] = Summary(text, summarizer.model, summarizer.prompt_version, _stamp(now()))
        fill.made += 1
    if not_asked:
        log.warning(
            f"summaries: {not_asked} more paper(s) not asked: {halted}; the next run fills them in",
            extra={"summary_model": summarizer.model, "not_asked": not_asked},
        )
    return fill


def _keep_or_miss(fill: SummaryFill, paper_id: str, kept: Summary | None) -> None:
    if kept is not None:  # only when regenerating: the current summary stays until a new one is made
        fill.summaries[paper_id] = kept
    else:
        fill.missing.append(paper_id)
