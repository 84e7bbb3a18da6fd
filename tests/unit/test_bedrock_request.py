"""The Bedrock adapter (bedrock.BedrockModel) on a real boto3 client with botocore's Stubber: the
exact Converse parameters are validated against botocore's service model (a wrong field, type or
missing member is a ParamValidationError), and answers and errors come back as botocore parses
them. No socket: the Stubber answers before anything is sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from hf_daily_papers.bedrock import MAX_TOKENS, BedrockModel
from hf_daily_papers.errors import SettingsError
from hf_daily_papers.models import Paper
from hf_daily_papers.prompt import load_prompt
from hf_daily_papers.summaries import Answer, SummaryFailed

MODEL = "apac.amazon.nova-lite-v1:0"
PAPER = Paper("2608.19880", "EnvHarness: Awakening Static Worlds for Agent Learning", "LLM agents learn by ... steps.", 5)


@pytest.fixture(scope="module")
def client() -> Any:
    """A real client, of a Session of its own (boto3's default session is left to the tests that
    need it, e.g. with moto's hook)."""
    import boto3

    return boto3.session.Session().client("bedrock-runtime", region_name="ap-northeast-2", aws_access_key_id="x",
                                          aws_secret_access_key="y")


@pytest.fixture
def stub(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def reply(*texts: str, stop: str = "end_turn", content: Any = None) -> dict[str, Any]:
    blocks = content if content is not None else [{"text": t} for t in texts]
    return {"output": {"message": {"role": "assistant", "content": blocks}}, "stopReason": stop,
            "usage": {"inputTokens": 900, "outputTokens": 120, "totalTokens": 1020}, "metrics": {"latencyMs": 321}}


@pytest.mark.parametrize("language", ["ko", "en", "ja", "zh"])
def test_the_request_is_valid_converse_with_the_prompt_in_the_asked_language(client: Any, stub: Stubber,
                                                                            language: str) -> None:
    prompt = load_prompt()
    expected = {
        "modelId": MODEL,
        "system": [{"text": prompt.system_text(language)}],
        "messages": [{"role": "user", "content": [{"text": prompt.user_text(PAPER, language)}]}],
        "inferenceConfig": {"maxTokens": MAX_TOKENS, "temperature": 0.2},
    }
    stub.add_response("converse", reply("요약입니다."), expected)

    answer = BedrockModel(client, MODEL, language=language).ask(PAPER)

    assert answer == Answer("요약입니다.", "end_turn")


def test_the_retry_is_at_temperature_0_with_the_feedback_after_the_abstract(client: Any, stub: Stubber) -> None:
    model = BedrockModel(client, MODEL)
    expected = model.request(PAPER, feedback="Only state what the abstract states; these were not in it: CIFAR-10.")
    assert expected["inferenceConfig"] == {"maxTokens": MAX_TOKENS, "temperature": 0.0}
    user = expected["messages"][0]["content"][0]["text"]  # type: ignore[index]
    assert user.endswith("</abstract>\n\nOnly state what the abstract states; these were not in it: CIFAR-10.")
    stub.add_response("converse", reply("두 번째 요약."), expected)

    assert model.ask(PAPER, feedback="Only state what the abstract states; these were not in it: CIFAR-10.").text == "두 번째 요약."


def test_an_inference_profile_arn_is_a_valid_model_id(client: Any, stub: Stubber) -> None:
    arn = "arn:aws:bedrock:ap-northeast-2:123456789012:inference-profile/apac.amazon.nova-lite-v1:0"
    model = BedrockModel(client, arn)
    stub.add_response("converse", reply("요약."), model.request(PAPER))
    assert model.ask(PAPER).text == "요약."


@pytest.mark.parametrize("stop", ["end_turn", "max_tokens", "stop_sequence"])
def test_the_answer_and_its_stop_reason_come_back_as_they_are(client: Any, stub: Stubber, stop: str) -> None:
    stub.add_response("converse", reply("첫 문장입니다.", "두 번째 문장이", stop=stop))
    assert BedrockModel(client, MODEL).ask(PAPER) == Answer("첫 문장입니다.\n두 번째 문장이", stop)


def test_an_empty_text_is_an_answer_for_the_check_to_reject(client: Any, stub: Stubber) -> None:
    stub.add_response("converse", reply("  \u200b "))
    assert BedrockModel(client, MODEL).ask(PAPER) == Answer("\u200b", "end_turn")


@pytest.mark.parametrize("response, reason", [
    (reply("숨김", stop="guardrail_intervened"), "stopReason guardrail_intervened"),
    (reply("걸러짐", stop="content_filtered"), "stopReason content_filtered"),
    (reply(content=[]), "without a text block"),
    (reply(content=[{"reasoningContent": {"reasoningText": {"text": "생각"}}}]), "without a text block"),
])
def test_no_answer_to_judge_is_a_failure_for_this_paper_only(client: Any, stub: Stubber, response: dict[str, Any],
                                                              reason: str) -> None:
    stub.add_response("converse", response)
    with pytest.raises(SummaryFailed) as failed:
        BedrockModel(client, MODEL).ask(PAPER)
    assert reason in failed.value.reason and MODEL in failed.value.reason and not failed.value.permanent


@pytest.mark.parametrize("code, status, permanent, advice", [
    ("ThrottlingException", 429, False, "(after 1 try)"),
    ("ServiceUnavailableException", 503, False, "(after 1 try)"),
    ("ModelNotReadyException", 429, False, "(after 1 try)"),
    ("ModelTimeoutException", 408, False, "(after 1 try)"),
    ("ModelErrorException", 424, False, "The model returned an error"),
    ("AccessDeniedException", 403, True, "Model catalog"),
    ("ValidationException", 400, True, "check SUMMARY_MODEL='apac.amazon.nova-lite-v1:0'"),
    ("ResourceNotFoundException", 404, True, "offered in ap-northeast-2"),
    ("ServiceQuotaExceededException", 400, True, "quota"),
])
def test_errors_are_classified_once_transient_or_permanent_with_what_to_do(
    client: Any, stub: Stubber, code: str, status: int, permanent: bool, advice: str
) -> None:
    stub.add_client_error("converse", code, "The model returned an error.", status)
    with pytest.raises(SummaryFailed) as failed:
        BedrockModel(client, MODEL).ask(PAPER)
    assert failed.value.permanent is permanent
    assert failed.value.reason.startswith(f"Bedrock {code} (HTTP {status}) for model {MODEL}: ")
    assert advice in failed.value.reason


def test_the_adapter_keeps_no_stop_flag_a_permanent_error_does_not_block_the_next_call(client: Any,
                                                                                       stub: Stubber) -> None:
    model = BedrockModel(client, MODEL)
    stub.add_client_error("converse", "AccessDeniedException", "denied", 403)
    stub.add_response("converse", reply("요약."))
    with pytest.raises(SummaryFailed):
        model.ask(PAPER)
    assert model.ask(PAPER).text == "요약."  # access granted in between: the next call is made


class Raising:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def converse(self, **kwargs: object) -> dict[str, object]:
        raise self.exc


def test_no_credentials_is_permanent() -> None:
    from botocore.exceptions import NoCredentialsError

    with pytest.raises(SummaryFailed) as failed:
        BedrockModel(Raising(NoCredentialsError()), MODEL).ask(PAPER)
    assert failed.value.permanent and "NoCredentialsError" in failed.value.reason and "Model catalog" in failed.value.reason


def test_a_bug_is_not_a_bedrock_fault() -> None:
    with pytest.raises(KeyError):
        BedrockModel(Raising(KeyError("oops")), MODEL).ask(PAPER)


@pytest.mark.parametrize("model_id", ["", " ", "a b", "x" * 2049])
def test_a_bad_model_id_names_the_setting(client: Any, model_id: str) -> None:
    with pytest.raises(SettingsError, match="SUMMARY_MODEL"):
        BedrockModel(client, model_id)


def test_a_language_that_is_not_offered_names_the_setting(client: Any) -> None:
    with pytest.raises(SettingsError) as refused:
        BedrockModel(client, MODEL, language="fr")
    assert str(refused.value) == "SUMMARY_LANGUAGE='fr': expected one of ko, en, ja, zh"
