"""Korean summaries end to end: the handler with SUMMARY_MODEL set, against the fake Bedrock
Runtime (through boto3), the fake Hugging Face and GitHub, and moto's S3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.config import Config

from hf_daily_papers import app, handler

from conftest import LambdaContext, load_event, s3_objects
from fakes.bedrock import FOREVER, FakeBedrock

MODEL = "apac.amazon.nova-lite-v1:0"
DATE = "2026-02-25"
KEY = "daily/2026/02/2026-02-25.json"
POST = "_posts/2026-02-25-daily-papers.md"


@pytest.fixture
def bedrock(lambda_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, fast_http: Any) -> Iterator[FakeBedrock]:
    with FakeBedrock() as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.url)
        monkeypatch.setenv("SUMMARY_MODEL", MODEL)
        monkeypatch.setenv("HF_MAX_RPS", "0")  # the fake HF needs no pacing
        quick = Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=2, read_timeout=5)
        handler.reset_environment(app.Wiring(http=fast_http, bedrock=quick))
        yield fake


def summary_lines(post: str) -> list[str]:
    return [line for line in post.splitlines() if line.startswith("   - 요약: ")]


def test_each_listed_paper_gets_its_summary_once(invoke: Any, bedrock: FakeBedrock, github: Any, aws: Any) -> None:
    bedrock.answers = {"Reflective Test-Time Planning": "임베디드 LLM을 위한 *반성적* 계획 방법을 제안하며, {{ 설정 }} 같은 글자도 그대로 보여 주는 요약입니다."}
    result = invoke(load_event("manual-date.json"))

    assert result["status"] == "created" and result["summaries_made"] == result["listed"] == 10
    assert result["summaries_missing"] == 0
    post = github.files()[POST]
    lines = summary_lines(post)
    assert len(lines) == 10
    assert ("   - 요약: 임베디드 LLM을 위한 \\*반성적\\* 계획 방법을 제안하며, &#123;{ 설정 }} 같은 글자도 그대로 보여 주는 "
            "요약입니다.\n   - Abstract: ") in post
    stored = json.loads(s3_objects(aws)[KEY])["summaries"]
    assert len(stored) == 10 and {s["model"] for s in stored.values()} == {MODEL}
    assert {s["prompt_version"] for s in stored.values()} == {2} and {s["language"] for s in stored.values()} == {"ko"}

    bedrock.reset_log()
    bedrock.calls.clear()
    again = invoke(load_event("manual-date.json"))
    assert bedrock.calls == [] and again["status"] == "unchanged" and again["summaries_made"] == 0


def test_a_throttled_model_never_blocks_the_post_and_the_next_run_fills_in(
    invoke: Any, bedrock: FakeBedrock, github: Any, aws: Any
) -> None:
    bedrock.throttle(times=FOREVER)
    result = invoke(load_event("manual-date.json"))

    assert result["status"] == "created" and result["summaries_missing"] == 10
    assert summary_lines(github.files()[POST]) == []
    assert "summaries" not in json.loads(s3_objects(aws)[KEY])

    bedrock.heal()
    later = invoke(load_event("manual-date.json"))
    assert later["status"] == "updated" and later["summaries_made"] == 10 and later["summaries_missing"] == 0
    assert len(summary_lines(github.files()[POST])) == 10


@dataclass
class ShortOnTime(LambdaContext):
    millis_left: int = 100_000  # less than the time kept for publishing

    def get_remaining_time_in_millis(self) -> int:
        return self.millis_left


def test_a_backfill_summarizes_only_when_asked_and_leaves_time_to_publish(
    invoke: Any, bedrock: FakeBedrock, github: Any, aws: Any
) -> None:
    event = {"start": "2026-02-19", "end": "2026-02-25"}
    plain = invoke(event)
    assert bedrock.calls == [] and "summaries_missing" not in plain

    result = handler.lambda_handler({**event, "summarize": True}, ShortOnTime())
    assert bedrock.calls == []  # no time to spare: the model is not asked at all
    assert result["summaries_missing"] == 18 and result["summaries_stopped"] is True  # 8 + 10 listed papers
    assert result["counts"] == {"unchanged": 2, "empty": 5}

    roomy = handler.lambda_handler({**event, "summarize": True}, ShortOnTime(millis_left=900_000))
    assert len(bedrock.calls) == 18 and roomy["summaries_missing"] == 0 and "summaries_stopped" not in roomy
    assert roomy["counts"] == {"updated": 2, "empty": 5}


def test_the_dry_run_event_with_summaries_returns_them_and_writes_nothing(
    invoke: Any, bedrock: FakeBedrock, github: Any, aws: Any
) -> None:
    result = invoke(load_event("dry-run-summaries.json"))

    day = result["days"][0]
    assert (result["counts"], day["summaries_made"], result["summaries_missing"]) == ({"dry_run": 1}, 10, 0)
    assert len(summary_lines(day["post"])) == 10
    assert github.writes == [] and s3_objects(aws) == {}
