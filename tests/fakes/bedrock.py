"""Fake Amazon Bedrock Runtime: `POST /model/{modelId}/converse`, as botocore sends and parses it.

boto3 reaches it through `AWS_ENDPOINT_URL_BEDROCK_RUNTIME=<fake.url>` (with dummy credentials and
a region in the environment). The model id arrives percent-encoded in the path (inference profile
ARNs contain `:` and `/`). Errors are answered as Bedrock answers them: the status, an
`x-amzn-ErrorType: <Code>:http://internal.amazon.com/coral/com.amazon.bedrock/` header and a
`{"message": ...}` body, which botocore turns into a ClientError with that code.

Scriptable: `answers` maps a piece of the prompt (say, a paper's title) to its answer, `default`
answers the rest (an answer is a text, several text blocks, `Said(text, stop_reason)` for another
stopReason than `end_turn`, or a whole Reply); a list of answers under one key is answered in turn; `deny(model)` / `unknown(model)` make a model refused (403) or invalid (400);
`fail(code, status, times)` (e.g. `throttle(times=FOREVER)`) answers the next calls with an error.
Every request is recorded (`requests`), and every converse call it understood in `calls`.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .server import FakeServer, Fault, Reply, Request

FOREVER = 10**9
ERROR_NAMESPACE = "http://internal.amazon.com/coral/com.amazon.bedrock/"
#: Bedrock's status for each error code of Converse.
STATUS = {
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "ThrottlingException": 429,
    "ModelNotReadyException": 429,
    "ModelTimeoutException": 408,
    "ModelErrorException": 424,
    "ValidationException": 400,
    "ServiceQuotaExceededException": 400,
    "InternalServerException": 500,
    "ServiceUnavailableException": 503,
}
MESSAGES = {
    "AccessDeniedException": "You don't have access to the model with the specified model ID.",
    "ResourceNotFoundException": "Model not found.",
    "ThrottlingException": "Too many requests, please wait before trying again.",
    "ModelNotReadyException": "Model is not ready for inference. Wait and try your request again.",
    "ModelTimeoutException": "Model has timed out in processing the request.",
    "ModelErrorException": "The model returned an error.",
    "ValidationException": "The provided model identifier is invalid.",
    "InternalServerException": "The server encountered an internal error.",
    "ServiceUnavailableException": "Bedrock is unable to process your request.",
}

@dataclass(frozen=True)
class Said:
    """An answer with its stopReason (`max_tokens`: cut by the token limit)."""

    text: str | list[str]
    stop_reason: str = "end_turn"


#: An answer: one text block, several text blocks, one with its stopReason, or a whole Reply.
Answer = str | list[str] | Said | Reply


@dataclass
class Converse:
    """One converse call the fake understood."""

    model_id: str  # decoded from the path
    body: dict[str, Any]

    @property
    def system(self) -> str:
        return "\n".join(block.get("text", "") for block in self.body.get("system", []))

    @property
    def prompt(self) -> str:
        """The text of every message (the user's prompt)."""
        return "\n".join(
            block.get("text", "") for message in self.body.get("messages", []) for block in message.get("content", [])
        )

    @property
    def inference(self) -> dict[str, Any]:
        return dict(self.body.get("inferenceConfig") or {})


def bedrock_error(code: str, message: str | None = None, status: int | None = None) -> Reply:
    return Reply(
        status or STATUS.get(code, 400),
        {"message": message or MESSAGES.get(code, code)},
        headers={"x-amzn-ErrorType": f"{code}:{ERROR_NAMESPACE}", "x-amzn-RequestId": str(uuid.uuid4())},
    )


class FakeBedrock(FakeServer):
    def __init__(self, *, default: Answer = "이 논문은 새로운 방법을 제안하고 여러 실험으로 그 효과를 보여 줍니다. 저자들은 기존 접근의 한계도 함께 분석합니다.",
                 answers: Mapping[str, Answer | tuple[Answer, ...]] | None = None) -> None:
        super().__init__()
        self.default: Answer = default
        self.answers: dict[str, Answer | tuple[Answer, ...]] = dict(answers or {})
        self.denied: set[str] = set()
        self.unknown_models: set[str] = set()
        self.calls: list[Converse] = []

    def __enter__(self) -> FakeBedrock:
        self.start()
        return self

    # -- scripting ---------------------------------------------------------------------------

    def deny(self, model_id: str) -> None:
        """Calls to this model are refused: 403 AccessDeniedException (model access not granted)."""
        self.denied.add(model_id)

    def unknown(self, model_id: str) -> None:
        """This model id does not exist: 400 ValidationException, as Bedrock says for a bad id."""
        self.unknown_models.add(model_id)

    def fail(self, code: str, *, times: int = 1, status: int | None = None, message: str | None = None) -> None:
        """The next `times` converse calls are answered with this error (FOREVER: all of them)."""
        self.inject(Fault(method="POST", path=r"/converse$", reply=bedrock_error(code, message, status), times=times))

    def throttle(self, times: int = 1) -> None:
        self.fail("ThrottlingException", times=times)

    def heal(self) -> None:
        """Drop every scripted fault still pending."""
        with self._lock:
            self.faults.clear()

    @property
    def prompts(self) -> list[str]:
        return [call.prompt for call in self.calls]

    # -- the API -----------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        parts = request.path.split("/")
        if request.method != "POST" or len(parts) != 4 or parts[1] != "model" or parts[3] != "converse":
            return bedrock_error("UnknownOperationException", "Unknown operation", 404)
        if not request.headers.get("authorization", "").startswith("AWS4-HMAC-SHA256 "):
            return bedrock_error("UnrecognizedClientException", "The security token included in the request is invalid.", 403)
        model_id = unquote(parts[2])
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return bedrock_error("SerializationException", "Malformed JSON", 400)
        problem = _invalid(body)
        if problem:
            return bedrock_error("ValidationException", problem)
        if model_id in self.unknown_models:
            return bedrock_error("ValidationException", "The provided model identifier is invalid.")
        if model_id in self.denied:
            return bedrock_error("AccessDeniedException")
        call = Converse(model_id, body)
        with self._lock:
            self.calls.append(call)
        with self._lock:
            answer = self._next(call.prompt)
        if isinstance(answer, Reply):
            return answer
        stop_reason = answer.stop_reason if isinstance(answer, Said) else "end_turn"
        said = answer.text if isinstance(answer, Said) else answer
        texts = [said] if isinstance(said, str) else list(said)
        input_tokens = math.ceil((len(call.system) + len(call.prompt)) / 4)
        output_tokens = math.ceil(sum(len(t) for t in texts) / 2)
        return Reply(200, {
            "output": {"message": {"role": "assistant", "content": [{"text": t} for t in texts]}},
            "stopReason": stop_reason,
            "usage": {"inputTokens": input_tokens, "outputTokens": output_tokens,
                      "totalTokens": input_tokens + output_tokens},
            "metrics": {"latencyMs": 321},
        }, headers={"x-amzn-RequestId": str(uuid.uuid4())})


    def _next(self, prompt: str) -> Answer:
        """The answer to this prompt: the first key found in it (a tuple of answers: the next one,
        the last repeating), else the default."""
        for key, answer in self.answers.items():
            if key in prompt:
                if not isinstance(answer, tuple):
                    return answer
                if len(answer) > 1:
                    self.answers[key] = answer[1:]
                return answer[0]
        return self.default


def _invalid(body: Any) -> str | None:
    """What Bedrock would reject in a converse body (the checks this project's requests need)."""
    if not isinstance(body, dict):
        return "body must be an object"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            return "messages: each message needs role user or assistant"
        content = message.get("content")
        if not isinstance(content, list) or not content or not all(isinstance(b, dict) for b in content):
            return "messages: each message needs content blocks"
    if messages[0].get("role") != "user":
        return "A conversation must start with a user message."
    config = body.get("inferenceConfig") or {}
    max_tokens = config.get("maxTokens")
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        return "inferenceConfig.maxTokens must be at least 1"
    temperature = config.get("temperature")
    if temperature is not None and not (isinstance(temperature, (int, float)) and 0 <= temperature <= 1):
        return "inferenceConfig.temperature must be within 0..1"
    return None
