"""The SummaryModel on Amazon Bedrock: one Converse call per answer.

`BedrockModel.ask` sends the prompt (prompt.py) in the asked language: the system part, then the
user message with the paper's title and abstract only; temperature 0.2, or 0 for the retry that
carries feedback. It returns the answer's text and stopReason as they are: judging the answer is
the check's job (summary_check.py), not the adapter's. It raises SummaryFailed when there is no
answer to judge: a guardrail or content filter intervened, no text came back, or the call failed.

One retry layer: botocore's own (standard mode, `aws.client_config("bedrock-runtime")`); what a
failure means comes from `aws.classify`. A permanent failure (no access, unknown model, no
credentials) is reported as such; stopping the asking is the fill's decision, for that run only:
the adapter keeps no state between calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from . import aws
from .errors import SettingsError
from .models import Paper
from .prompt import Prompt, load_prompt
from .summaries import Answer, SummaryFailed
from .summary_check import LANGUAGES

if TYPE_CHECKING:
    from botocore.config import Config

TEMPERATURE = 0.2  # low: a faithful summary, not a creative one
RETRY_TEMPERATURE = 0.0  # the second answer, after feedback
#: Output tokens per answer: bounds the cost and the length. 2–3 sentences are 150–400 characters;
#: Korean, Japanese and Chinese take about a token per character.
MAX_TOKENS = 600
NO_ANSWER = ("guardrail_intervened", "content_filtered")


class Converse(Protocol):
    """The part of a boto3 `bedrock-runtime` client the model uses."""

    def converse(self, **kwargs: object) -> Mapping[str, object]: ...


class BedrockModel:
    """Summaries from one Bedrock model (or inference profile) through the Converse API."""

    def __init__(self, client: Converse, model_id: str, *, language: str = "ko", prompt: Prompt | None = None,
                 max_tokens: int = MAX_TOKENS) -> None:
        if not model_id or not model_id.strip() or any(c.isspace() for c in model_id) or len(model_id) > 2048:
            raise SettingsError("SUMMARY_MODEL", model_id, "expected a Bedrock model id, inference profile id or ARN")
        if language not in LANGUAGES:
            raise SettingsError("SUMMARY_LANGUAGE", language, f"expected one of {', '.join(LANGUAGES)}")
        self.client = client
        self.model = model_id
        self.language = language
        self.prompt = prompt or load_prompt()
        self.prompt_version = self.prompt.version
        self.max_tokens = max_tokens

    def request(self, paper: Paper, *, feedback: str | None = None) -> dict[str, object]:
        """The Converse parameters for `paper` (the retry's, with `feedback`)."""
        return {
            "modelId": self.model,
            "system": [{"text": self.prompt.system_text(self.language)}],
            "messages": [{"role": "user",
                          "content": [{"text": self.prompt.user_text(paper, self.language, feedback)}]}],
            "inferenceConfig": {"maxTokens": self.max_tokens,
                                "temperature": TEMPERATURE if feedback is None else RETRY_TEMPERATURE},
        }

    def ask(self, paper: Paper, *, feedback: str | None = None) -> Answer:
        try:
            response = self.client.converse(**self.request(paper, feedback=feedback))
        except Exception as exc:  # botocore's errors, classified in one place (aws.classify)
            fault = aws.classify(exc, attempts=aws.tries_per_call(self.client))
            if fault is None:
                raise  # a bug, not a Bedrock fault: let it surface
            raise SummaryFailed(self._reason(fault), permanent=fault.kind in ("auth", "missing", "config")) from None
        return _answer(response, self.model)

    def _reason(self, fault: aws.AwsFault) -> str:
        """What went wrong, naming the model, and what to do about it."""
        model = self.model
        said = f"{fault.code} (HTTP {fault.status})" if fault.status else fault.code
        head = f"Bedrock {said} for model {model}: {fault.message}".rstrip(": ")
        if fault.kind == "transient":
            return f"{head} (after {fault.tries} {'try' if fault.tries == 1 else 'tries'})"
        if fault.kind == "auth":
            return (f"{head} — model {model} cannot be used with these credentials: make the model available to "
                    "the account (Bedrock console → Model catalog; Anthropic models need the one-time use-case "
                    "form) and allow bedrock:InvokeModel on it (template parameter SummaryModel)")
        if fault.code == "NoRegionError":
            return f"{head} — set AWS_DEFAULT_REGION (or a region in the AWS profile) for SUMMARY_MODEL"
        if fault.code == "ServiceQuotaExceededException":
            return f"{head} — the account's Bedrock quota for model {model} is used up"
        if fault.kind in ("missing", "config"):
            return (f"{head} — check SUMMARY_MODEL={model!r}: a model id, inference profile id or ARN offered in "
                    f"{self._region()} (some models are invoked only through an inference profile, e.g. apac.… "
                    "or us.…)")
        return head  # rejected: this paper only (e.g. ModelErrorException, an unreadable answer)

    def _region(self) -> str:
        meta = getattr(self.client, "meta", None)
        return str(getattr(meta, "region_name", None) or "this region")


def bedrock_model(model_id: str, *, language: str = "ko", config: Config | None = None,
                  prompt: Prompt | None = None) -> BedrockModel:
    """A model on a boto3 `bedrock-runtime` client: credentials and region from the environment /
    default session (the function's role in Lambda; the user's profile with the CLI); boto3 itself
    honours AWS_ENDPOINT_URL_BEDROCK_RUNTIME (the tests' fake). `config`: botocore's client
    settings, by default `aws.client_config("bedrock-runtime")`."""
    import boto3
    from botocore.exceptions import NoRegionError

    try:
        client = boto3.client("bedrock-runtime", config=config or aws.client_config("bedrock-runtime"))
    except NoRegionError:
        problem = "a region (or one in the AWS profile) is required to call Bedrock for SUMMARY_MODEL"
        raise SettingsError("AWS_DEFAULT_REGION", None, problem) from None
    return BedrockModel(client, model_id, language=language, prompt=prompt)


def _answer(response: Mapping[str, object], model: str) -> Answer:
    """The answer's text blocks, joined, with its stopReason."""
    stop = str(response.get("stopReason") or "")
    if stop in NO_ANSWER:
        raise SummaryFailed(f"model {model} gave no summary: stopReason {stop}")
    output = response.get("output")
    message = output.get("message") if isinstance(output, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, list):
        raise SummaryFailed(f"model {model} answered without output.message.content (stopReason {stop or 'missing'})")
    texts = [block["text"] for block in content if isinstance(block, dict) and isinstance(block.get("text"), str)]
    if not texts:
        raise SummaryFailed(f"model {model} answered without a text block (stopReason {stop or 'missing'})")
    return Answer("\n".join(texts).strip(), stop)
