"""The Bedrock adapter over HTTP, against the fake Bedrock Runtime on 127.0.0.1: only what a real
boto3 client on the wire shows (the request's validity, answers and errors are in
tests/unit/test_bedrock_request.py, the fill policy in tests/unit/test_summaries.py):
botocore's retries are the one retry layer, a model id travels percent-encoded, stopReason and
malformed answers are parsed as botocore parses them, a refused connection is transient, and a
rejected answer is asked again at temperature 0.

The clients come from a boto3 Session of this module, not boto3's default session: a default
session made here, before moto is imported, would lack moto's hook, and a later test's "moto" S3
calls would go to AWS."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config

from hf_daily_papers.bedrock import BedrockModel
from hf_daily_papers.models import Paper
from hf_daily_papers.summaries import Answer, SummaryFailed, fill_summaries

from conftest import REGION
from fakes.bedrock import FakeBedrock, Said
from fakes.labelled import case, faithful
from fakes.server import Reply

MODEL = "apac.amazon.nova-lite-v1:0"
PAPER = faithful("2608.19880")  # EnvHarness, with its faithful Korean summary


def config(tries: int) -> Config:
    return Config(retries={"mode": "standard", "total_max_attempts": tries}, connect_timeout=2, read_timeout=5)


@pytest.fixture(scope="module")
def session() -> Any:
    import boto3

    return boto3.session.Session()  # its service models load once for the module


def bedrock_model(session: Any, model_id: str, *, tries: int) -> BedrockModel:
    """As bedrock.bedrock_model builds it (region, credentials and the endpoint from the environment)."""
    return BedrockModel(session.client("bedrock-runtime", config=config(tries)), model_id)


def paper() -> Paper:
    return Paper(PAPER.paper_id, PAPER.title, PAPER.abstract, PAPER.upvotes)


@pytest.fixture
def bedrock(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[FakeBedrock]:
    """The fake, reached by boto3 through AWS_ENDPOINT_URL_BEDROCK_RUNTIME, with dummy credentials."""
    with FakeBedrock(default=PAPER.text) as fake:
        for name, value in {
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": fake.url,
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
            "AWS_CONFIG_FILE": str(tmp_path / "no-config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-creds"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        yield fake


def test_botocore_retries_a_throttled_call_and_is_the_only_retry_layer(bedrock: FakeBedrock, session: Any) -> None:
    model = bedrock_model(session, MODEL, tries=2)
    bedrock.throttle(times=3)

    with pytest.raises(SummaryFailed) as failed:  # both tries of the first call throttled
        model.ask(paper())
    answer = model.ask(paper())  # throttled once more, then answered on botocore's retry

    assert not failed.value.permanent
    assert "ThrottlingException (HTTP 429)" in failed.value.reason and failed.value.reason.endswith("(after 2 tries)")
    assert answer == Answer(PAPER.text, "end_turn")
    assert len(bedrock.requests) == 4  # 2 + 2: nothing retried on top of botocore


def test_an_inference_profile_arn_reaches_bedrock_intact(bedrock: FakeBedrock, session: Any) -> None:
    arn = "arn:aws:bedrock:ap-northeast-2:123456789012:inference-profile/apac.amazon.nova-lite-v1:0"

    bedrock_model(session, arn, tries=1).ask(paper())

    assert "%2F" in bedrock.requests[0].path  # percent-encoded on the wire
    assert [c.model_id for c in bedrock.calls] == [arn]


def test_the_stop_reason_is_read_from_the_answer(bedrock: FakeBedrock, session: Any) -> None:
    bedrock.default = Said(["EnvHarness는 정적인 환경을", "감싸"], stop_reason="max_tokens")
    assert bedrock_model(session, MODEL, tries=1).ask(paper()) == Answer("EnvHarness는 정적인 환경을\n감싸", "max_tokens")


@pytest.mark.parametrize("reply, reason", [
    (Reply(200, {"output": {}, "stopReason": "end_turn", "usage": {"inputTokens": 1, "outputTokens": 0,
                                                                    "totalTokens": 1}, "metrics": {"latencyMs": 1}}),
     "ResponseParserError"),
    (Reply(200, "<html>gateway</html>"), "without output.message.content"),
])
def test_a_malformed_answer_is_a_failure_for_this_paper_only(bedrock: FakeBedrock, session: Any, reply: Reply,
                                                             reason: str) -> None:
    bedrock.default = reply
    with pytest.raises(SummaryFailed) as failed:
        bedrock_model(session, MODEL, tries=1).ask(paper())
    assert reason in failed.value.reason and not failed.value.permanent


def test_an_unreachable_endpoint_is_transient(bedrock: FakeBedrock, session: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:9")  # nothing listens on port 9

    with pytest.raises(SummaryFailed) as failed:
        bedrock_model(session, MODEL, tries=1).ask(paper())

    assert failed.value.reason.startswith(f"Bedrock EndpointConnectionError for model {MODEL}: ")
    assert not failed.value.permanent


def test_a_rejected_answer_is_asked_again_at_temperature_0_and_the_second_is_kept(bedrock: FakeBedrock,
                                                                                 session: Any) -> None:
    invented = case(PAPER.paper_id, "ko", "invented_name").text  # "… 다섯 개 벤치마크(WebArena 포함)에서 …"
    bedrock.answers = {PAPER.title: (invented, PAPER.text)}

    fill = fill_summaries([paper()], {}, {}, bedrock_model(session, MODEL, tries=1),
                          now=lambda: dt.datetime(2026, 8, 22, tzinfo=dt.UTC), should_stop=lambda: False,
                          log=logging.getLogger("test.bedrock"))

    assert fill.texts == {PAPER.paper_id: PAPER.text}
    first, retry = bedrock.calls
    assert (first.inference["temperature"], retry.inference["temperature"]) == (0.2, 0.0)
    assert "these were not in it: WebArena." in retry.prompt and "WebArena" not in first.prompt
