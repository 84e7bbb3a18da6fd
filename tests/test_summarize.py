"""Korean summaries per paper (issue 11 §1): BedrockSummarizer through a real boto3 client against
a fake Bedrock Runtime on 127.0.0.1, and fill_summaries' caching, failure and stop rules."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from hf_daily_papers.hf import parse_day
from hf_daily_papers.models import Paper, rank
from hf_daily_papers.summarize import (
    MAX_ABSTRACT_CHARS,
    MAX_SUMMARY_CHARS,
    PROMPT_FILE,
    BedrockSummarizer,
    PromptInvalid,
    Summary,
    SummaryConfig,
    SummaryFailed,
    bedrock_summarizer,
    fill_summaries,
    load_prompt,
    parse_prompt,
    read_summaries,
    summaries_json,
)

from conftest import REGION, load_hf
from fakes.bedrock import FOREVER, FakeBedrock
from fakes.server import Reply

MODEL = "apac.amazon.nova-lite-v1:0"
NOW = dt.datetime(2026, 8, 22, 0, 15, 3, 123456, tzinfo=dt.UTC)
#: Fast enough for tests: one botocore try per call, tiny pauses, a half-second deadline.
FAST = SummaryConfig(attempts=1, connect_timeout=2.0, read_timeout=5.0, deadline=0.5, pause=0.01, pause_max=0.05)


@pytest.fixture
def bedrock(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[FakeBedrock]:
    """The fake, reached by boto3 through AWS_ENDPOINT_URL_BEDROCK_RUNTIME, with dummy credentials."""
    with FakeBedrock() as fake:
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


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> logging.Logger:
    caplog.set_level(logging.INFO, logger="test.summaries")
    return logging.getLogger("test.summaries")


def real_day() -> list[Paper]:
    """The top 10 papers of the real day 2026-08-21, as the pipeline lists them."""
    day = parse_day(dt.date(2026, 8, 21), [load_hf("2026-08-21")], NOW)
    return rank(day.papers, 10)


def paper(pid: str, title: str | None = None, abstract: str = "We study things.", **extra: Any) -> Paper:
    return Paper(pid, title or f"Paper {pid}", abstract, 1, **extra)


def fill(papers: list[Paper], summarizer: BedrockSummarizer | None, log: logging.Logger,
         cached: dict[str, Summary] | None = None, **kw: Any) -> Any:
    return fill_summaries(papers, cached or {}, summarizer, now=lambda: NOW, log=log, **kw)


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


# ---------------------------------------------------------------------------------------------
# Each paper gets its own summary, from its title and abstract only


def test_each_papers_summary_lands_under_its_own_id(bedrock: FakeBedrock, log: logging.Logger) -> None:
    papers = real_day()
    bedrock.answers = {p.title: f"{p.id}에 대한 요약입니다." for p in papers}

    result = fill(papers, bedrock_summarizer(MODEL, config=FAST), log)

    assert result.texts == {p.id: f"{p.id}에 대한 요약입니다." for p in papers}
    assert (result.made, result.missing, result.stopped) == (10, [], False)
    assert len(bedrock.calls) == 10
    version = load_prompt().version
    for summary in result.summaries.values():
        assert (summary.model, summary.prompt_version, summary.created_at) == (MODEL, version, "2026-08-22T00:15:03Z")


def test_the_request_has_the_title_and_abstract_only_with_bounded_output(bedrock: FakeBedrock, log: logging.Logger) -> None:
    tail = "TAIL-BEYOND-THE-BOUND"
    abstract = "We  propose\nGrounded   summaries. " + "word " * 2000 + tail  # 10,000+ characters
    listed = paper("2608.00001", "A Title with $dollar and {{ liquid }}", abstract, organization="ORG-MARKER",
                   keywords=("KEYWORD-MARKER",), thumbnail="https://example.com/THUMB-MARKER.png",
                   github_repo="https://github.com/REPO-MARKER/x", project_page="https://PROJECT-MARKER.example")

    fill([listed], bedrock_summarizer(MODEL, config=FAST), log)

    [call] = bedrock.calls
    assert call.model_id == MODEL
    prompt = load_prompt()
    assert call.system == prompt.system
    assert [m["role"] for m in call.body["messages"]] == ["user"]
    assert "<title>\nA Title with $dollar and {{ liquid }}\n</title>" in call.prompt
    assert "We propose Grounded summaries. word word" in call.prompt  # whitespace folded
    sent_abstract = call.prompt.split("<abstract>\n", 1)[1].split("\n</abstract>", 1)[0]
    assert len(sent_abstract) <= MAX_ABSTRACT_CHARS and sent_abstract.endswith("…")
    assert tail not in call.prompt
    assert call.inference == {"maxTokens": 400, "temperature": 0.2}
    assert set(call.body) == {"system", "messages", "inferenceConfig"}  # no tools, no extra fields
    sent = json.dumps(call.body)
    for marker in ("2608.00001", "ORG-MARKER", "KEYWORD-MARKER", "THUMB-MARKER", "REPO-MARKER", "PROJECT-MARKER"):
        assert marker not in sent


def test_an_inference_profile_arn_reaches_bedrock_intact(bedrock: FakeBedrock, log: logging.Logger) -> None:
    arn = "arn:aws:bedrock:ap-northeast-2:123456789012:inference-profile/apac.amazon.nova-lite-v1:0"

    result = fill([paper("1")], bedrock_summarizer(arn, config=FAST), log)

    assert "%2F" in bedrock.requests[0].path  # percent-encoded on the wire
    assert [c.model_id for c in bedrock.calls] == [arn]
    assert result.summaries["1"].model == arn


# ---------------------------------------------------------------------------------------------
# Kept summaries are reused; another model or prompt version is regenerated


def test_a_rerun_with_the_archived_summaries_makes_no_call(bedrock: FakeBedrock, log: logging.Logger) -> None:
    papers = real_day()
    summarizer = bedrock_summarizer(MODEL, config=FAST)
    first = fill(papers, summarizer, log)
    archived = json.loads(json.dumps({"summaries": summaries_json(first.summaries)}))  # through the archive
    bedrock.reset_log()

    again = fill(papers, summarizer, log, cached=read_summaries(archived["summaries"]))

    assert bedrock.requests == []
    assert (again.made, again.missing) == (0, [])
    assert again.summaries == first.summaries


@pytest.mark.parametrize("stale", [{"model": "anthropic.claude-3-haiku-20240307-v1:0"}, {"prompt_version": 0}],
                         ids=["other-model", "other-prompt-version"])
def test_a_summary_of_another_model_or_prompt_version_is_regenerated(
    bedrock: FakeBedrock, log: logging.Logger, stale: dict[str, Any]
) -> None:
    papers = [paper("1"), paper("2"), paper("3")]
    summarizer = bedrock_summarizer(MODEL, config=FAST)
    current = Summary("지금 것", MODEL, summarizer.prompt_version, "2026-08-21T00:00:00Z")
    old = Summary("옛 요약", **{"model": MODEL, "prompt_version": summarizer.prompt_version,
                               "created_at": "2026-01-01T00:00:00Z", **stale})
    bedrock.default = "새 요약"

    result = fill(papers, summarizer, log, cached={"1": current, "2": old})  # "3": newly in the top N

    assert [c.prompt for c in bedrock.calls] == [summarizer.prompt.render(papers[1]), summarizer.prompt.render(papers[2])]
    assert result.texts == {"1": "지금 것", "2": "새 요약", "3": "새 요약"}
    assert result.made == 2


def test_summaries_off_gives_an_empty_fill_whatever_the_cache(bedrock: FakeBedrock, log: logging.Logger) -> None:
    kept = {"1": Summary("요약", MODEL, 1, "2026-08-21T00:00:00Z")}

    result = fill([paper("1"), paper("2")], None, log, cached=kept)

    assert (result.summaries, result.made, result.missing, result.stopped) == ({}, 0, [], False)
    assert bedrock.requests == []


# ---------------------------------------------------------------------------------------------
# Transient faults: retried within the deadline; what still fails is missing, never raised


@pytest.mark.parametrize("code", ["ThrottlingException", "ServiceUnavailableException", "InternalServerException",
                                  "ModelNotReadyException", "ModelTimeoutException"])
def test_a_transient_fault_twice_then_ok_gives_the_summary(bedrock: FakeBedrock, log: logging.Logger, code: str) -> None:
    bedrock.fail(code, times=2)

    result = fill([paper("1")], bedrock_summarizer(MODEL, config=FAST), log)

    assert result.texts == {"1": bedrock.default}
    assert len(bedrock.requests) == 3


def test_botocore_retries_inside_one_call_count_towards_the_deadline(bedrock: FakeBedrock, log: logging.Logger) -> None:
    bedrock.throttle(times=2)
    config = SummaryConfig(attempts=2, connect_timeout=2.0, read_timeout=5.0, deadline=10.0, pause=0.01, pause_max=0.05)

    result = fill([paper("1")], bedrock_summarizer(MODEL, config=config), log)

    assert result.texts == {"1": bedrock.default}
    assert len(bedrock.requests) == 3


def test_throttled_throughout_leaves_every_summary_missing_then_the_next_run_fills_them(
    bedrock: FakeBedrock, log: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    papers = real_day()
    # Tries at 0, 0.1, 0.2 and 0.3 s at most: none starts when its pause would pass 0.35 s.
    config = SummaryConfig(attempts=1, connect_timeout=2.0, read_timeout=5.0, deadline=0.35, pause=0.1, pause_max=0.1)
    summarizer = bedrock_summarizer(MODEL, config=config)
    bedrock.throttle(times=FOREVER)

    result = fill(papers, summarizer, log)

    assert (result.summaries, result.made, result.stopped) == ({}, 0, False)
    assert result.missing == [p.id for p in papers]
    # Three papers in a row failed after their deadline: the other seven were not asked.
    asked = {json.loads(r.body)["messages"][0]["content"][0]["text"] for r in bedrock.requests}
    assert asked == {summarizer.prompt.render(p) for p in papers[:3]}
    tries = [r.body for r in bedrock.requests]
    assert all(2 <= tries.count(r.body) <= 4 for r in bedrock.requests)  # retried, within the deadline
    shown = warnings(caplog)
    for p in papers[:3]:
        assert any(m.startswith(f"summary missing for {p.id}: ") and "ThrottlingException" in m and MODEL in m
                   for m in shown)
    assert any("7 more paper(s) not asked" in m for m in shown)

    bedrock.heal()
    next_run = fill(papers, summarizer, log, cached=result.summaries)
    assert (next_run.made, next_run.missing) == (10, [])


def test_an_unreachable_endpoint_is_transient_and_bounded(bedrock: FakeBedrock, log: logging.Logger,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:9")  # nothing listens on port 9

    result = fill([paper("1"), paper("2"), paper("3"), paper("4")], bedrock_summarizer(MODEL, config=FAST), log)

    assert result.missing == ["1", "2", "3", "4"] and result.made == 0
    assert any(m.startswith("summary missing for 1: EndpointConnectionError") for m in warnings(caplog))


# ---------------------------------------------------------------------------------------------
# Permanent faults: one call, a reason that says what to do, no further calls


@pytest.mark.parametrize("code, advice", [
    ("AccessDeniedException", "bedrock:InvokeModel"),
    ("ValidationException", "check SUMMARY_MODEL"),
    ("ResourceNotFoundException", "check SUMMARY_MODEL"),
])
def test_a_permanent_error_stops_the_calls_after_the_first(
    bedrock: FakeBedrock, log: logging.Logger, caplog: pytest.LogCaptureFixture, code: str, advice: str
) -> None:
    bedrock.fail(code, times=FOREVER)
    summarizer = bedrock_summarizer(MODEL, config=FAST)
    papers = real_day()

    result = fill(papers, summarizer, log)
    next_day = fill([paper("2608.99999")], summarizer, log)  # the same run (a backfill's next day)

    assert len(bedrock.requests) == 1
    assert result.missing == [p.id for p in papers] and result.made == 0
    assert next_day.missing == ["2608.99999"]
    first = warnings(caplog)[0]
    assert first.startswith(f"summary missing for {papers[0].id}: Bedrock answered HTTP ")
    assert code in first and MODEL in first and advice in first
    assert any("9 more paper(s) not asked" in m for m in warnings(caplog))


def test_model_access_not_granted_is_reported_as_such(bedrock: FakeBedrock) -> None:
    bedrock.deny(MODEL)

    with pytest.raises(SummaryFailed) as failed:
        bedrock_summarizer(MODEL, config=FAST).summarize(paper("1"))

    assert failed.value.permanent
    assert "AccessDeniedException" in failed.value.reason and "Model catalog" in failed.value.reason


class NoCredentialsClient:
    """A client that cannot sign: what boto3 raises when no credentials are found anywhere."""

    def __init__(self) -> None:
        self.calls = 0

    def converse(self, **kwargs: object) -> dict[str, object]:
        from botocore.exceptions import NoCredentialsError

        self.calls += 1
        raise NoCredentialsError()


def test_no_credentials_is_permanent() -> None:
    client = NoCredentialsClient()
    summarizer = BedrockSummarizer(client, MODEL, config=FAST)

    with pytest.raises(SummaryFailed) as failed:
        summarizer.summarize(paper("1"))
    with pytest.raises(SummaryFailed):
        summarizer.summarize(paper("2"))

    assert failed.value.permanent and "NoCredentialsError" in failed.value.reason and MODEL in failed.value.reason
    assert client.calls == 1


def test_a_failure_of_one_paper_does_not_stop_the_others(bedrock: FakeBedrock, log: logging.Logger,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    bedrock.answers = {"Paper 2": Reply(424, {"message": "The model returned an error."},
                                        headers={"x-amzn-ErrorType": "ModelErrorException:http://internal.amazon.com/coral/com.amazon.bedrock/"})}

    result = fill([paper("1"), paper("2"), paper("3")], bedrock_summarizer(MODEL, config=FAST), log)

    assert sorted(result.summaries) == ["1", "3"] and result.missing == ["2"]
    assert len(bedrock.calls) == 3
    assert any(m.startswith("summary missing for 2: Bedrock answered HTTP 424 ModelErrorException") for m in warnings(caplog))


# ---------------------------------------------------------------------------------------------
# should_stop: a backfill stops asking when the invocation's time runs short


def test_should_stop_leaves_the_rest_missing(bedrock: FakeBedrock, log: logging.Logger,
                                            caplog: pytest.LogCaptureFixture) -> None:
    papers = real_day()
    kept = {papers[5].id: Summary("이미 있는 요약", MODEL, load_prompt().version, "2026-08-21T00:00:00Z")}

    result = fill(papers, bedrock_summarizer(MODEL, config=FAST), log, cached=kept,
                  should_stop=lambda: len(bedrock.calls) >= 2)

    assert result.stopped and result.made == 2
    assert len(bedrock.requests) == 2
    assert sorted(result.summaries) == sorted([papers[0].id, papers[1].id, papers[5].id])  # a kept one still counts
    assert result.missing == [p.id for i, p in enumerate(papers) if i not in (0, 1, 5)]
    assert any("7 more paper(s) not asked: out of time" in m for m in warnings(caplog))


# ---------------------------------------------------------------------------------------------
# The model's answer is untrusted text, returned as it is (escaping is the renderer's job)


@pytest.mark.parametrize("answer", [
    "{{ site.title }} {% raw %} 요약 <script>alert(1)</script> [링크](javascript:x) **굵게**",
    "첫 줄\n\n- 목록\n# 제목\n| 표 |",
    "  $$x^2$$ {: .class} <!-- 주석 -->  ",
])
def test_hostile_output_comes_back_as_text(bedrock: FakeBedrock, log: logging.Logger, answer: str) -> None:
    bedrock.default = answer

    result = fill([paper("1")], bedrock_summarizer(MODEL, config=FAST), log)

    assert result.texts == {"1": answer.strip()}


def test_a_very_long_answer_is_capped(bedrock: FakeBedrock, log: logging.Logger) -> None:
    bedrock.default = "가" * 50_000

    result = fill([paper("1")], bedrock_summarizer(MODEL, config=FAST), log)

    text = result.texts["1"]
    assert len(text) == MAX_SUMMARY_CHARS and text.endswith("…")
    assert Summary.from_json(result.summaries["1"].to_json()) == result.summaries["1"]  # still a valid archive entry


def test_several_text_blocks_are_joined(bedrock: FakeBedrock, log: logging.Logger) -> None:
    bedrock.default = ["첫 문장입니다.", "두 번째 문장입니다."]

    result = fill([paper("1")], bedrock_summarizer(MODEL, config=FAST), log)

    assert result.texts == {"1": "첫 문장입니다.\n두 번째 문장입니다."}


@pytest.mark.parametrize("answer, reason", [
    ("   \n ", "empty summary"),
    ([], "empty summary"),
    (Reply(200, {"output": {"message": {"role": "assistant", "content": [{"text": "숨김"}]}},
                 "stopReason": "guardrail_intervened", "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
                 "metrics": {"latencyMs": 1}}), "guardrail_intervened"),
    (Reply(200, {"output": {"message": {"role": "assistant"}}, "stopReason": "end_turn", "usage": {
        "inputTokens": 1, "outputTokens": 0, "totalTokens": 1}, "metrics": {"latencyMs": 1}}), "without output.message.content"),
    (Reply(200, {"output": {}, "stopReason": "end_turn", "usage": {"inputTokens": 1, "outputTokens": 0,
                 "totalTokens": 1}, "metrics": {"latencyMs": 1}}), "ResponseParserError"),
    (Reply(200, "<html>gateway</html>"), "without output.message.content"),
])
def test_an_unusable_answer_is_a_missing_summary(bedrock: FakeBedrock, log: logging.Logger,
                                                 caplog: pytest.LogCaptureFixture, answer: Any, reason: str) -> None:
    bedrock.default = answer

    result = fill([paper("1"), paper("2")], bedrock_summarizer(MODEL, config=FAST), log)

    assert result.missing == ["1", "2"] and result.summaries == {}
    assert len(bedrock.calls) == 2  # not permanent: the next paper is still asked
    assert any(m.startswith("summary missing for 1: ") and reason in m for m in warnings(caplog))


def test_a_powertools_logger_gets_the_warning_with_its_fields(bedrock: FakeBedrock) -> None:
    from aws_lambda_powertools import Logger

    stream = io.StringIO()
    logger = Logger(service="hf-daily-papers-test", logger_handler=logging.StreamHandler(stream))
    bedrock.throttle(times=FOREVER)

    fill_summaries([paper("1")], {}, bedrock_summarizer(MODEL, config=FAST), now=lambda: NOW, log=logger)

    [line] = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert line["level"] == "WARNING" and line["paper_id"] == "1" and line["summary_model"] == MODEL
    assert "ThrottlingException" in line["reason"]


# ---------------------------------------------------------------------------------------------
# Archive entries are untrusted: anything malformed is None (and so regenerated)


VALID = {"text": "요약", "model": MODEL, "prompt_version": 1, "created_at": "2026-08-22T00:15:03Z"}


def test_a_summary_round_trips_through_json() -> None:
    summary = Summary.from_json(VALID)
    assert summary == Summary("요약", MODEL, 1, "2026-08-22T00:15:03Z")
    assert summary is not None and summary.to_json() == VALID


@pytest.mark.parametrize("value", [
    None, "요약", 3, [], [VALID],
    {**VALID, "text": ""}, {**VALID, "text": "  \n"}, {**VALID, "text": 5}, {**VALID, "text": None},
    {**VALID, "text": "x" * (MAX_SUMMARY_CHARS + 1)},
    {**VALID, "model": ""}, {**VALID, "model": ["m"]},
    {**VALID, "prompt_version": "1"}, {**VALID, "prompt_version": 1.0}, {**VALID, "prompt_version": True},
    {**VALID, "prompt_version": 0}, {**VALID, "prompt_version": -2},
    {**VALID, "created_at": "yesterday"}, {**VALID, "created_at": 1755822903}, {**VALID, "created_at": ""},
    {k: v for k, v in VALID.items() if k != "text"}, {k: v for k, v in VALID.items() if k != "prompt_version"},
    {k: v for k, v in VALID.items() if k != "created_at"}, {k: v for k, v in VALID.items() if k != "model"},
])
def test_a_malformed_summary_is_none(value: object) -> None:
    assert Summary.from_json(value) is None


def test_read_summaries_keeps_the_valid_entries_only() -> None:
    document = {"1": VALID, "2": {**VALID, "text": ""}, "3": "요약", "": VALID}
    assert read_summaries(document) == {"1": Summary("요약", MODEL, 1, "2026-08-22T00:15:03Z")}
    wholes: list[object] = [None, [], "x", 1]
    for whole in wholes:
        assert read_summaries(whole) == {}


# ---------------------------------------------------------------------------------------------
# The prompt template


def test_the_shipped_prompt_has_a_version_and_both_parts() -> None:
    prompt = load_prompt()
    assert PROMPT_FILE.read_text("utf-8").startswith(f"version: {prompt.version}\n") and prompt.version >= 1
    assert "Korean" in prompt.system and "2 or 3 sentences" in prompt.system
    rendered = prompt.render(paper("1", "T$itle ${abstract}", "A $1 ${title}"))
    assert "T$itle ${abstract}" in rendered and "A $1 ${title}" in rendered  # substituted once, literally


@pytest.mark.parametrize("text, problem", [
    ("[system]\nS\n[user]\n${title} ${abstract}\n", "version"),
    ("version: 0\n[system]\nS\n[user]\n${title} ${abstract}\n", "version"),
    ("version: x\n[system]\nS\n[user]\n${title} ${abstract}\n", "version"),
    ("version: 2\n[user]\n${title} ${abstract}\n", "[system]"),
    ("version: 2\n[system]\nS\n[user]\n${title}\n", "${title} and ${abstract}"),
    ("version: 2\n[system]\nS\n[user]\n${title} ${abstract} ${organization}\n", "${title} and ${abstract}"),
    ("version: 2\n[system]\nS\n[user]\n${title} ${abstract} costs $5\n", "${title} and ${abstract}"),
    ("version: 2\nstray text\n[system]\nS\n[user]\n${title} ${abstract}\n", "before the [system]"),
    ("version: 2\n[system]\nS\n[system]\nS\n[user]\n${title} ${abstract}\n", "twice"),
])
def test_a_broken_prompt_template_is_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(PromptInvalid) as refused:
        parse_prompt(text, "summary-prompt.txt")
    assert "summary-prompt.txt" in str(refused.value) and problem in str(refused.value)


def test_a_new_prompt_version_regenerates(bedrock: FakeBedrock, log: logging.Logger) -> None:
    shipped = load_prompt()
    bumped = parse_prompt(PROMPT_FILE.read_text("utf-8").replace(f"version: {shipped.version}", f"version: {shipped.version + 1}", 1))
    first = fill([paper("1")], bedrock_summarizer(MODEL, config=FAST), log)

    again = fill([paper("1")], bedrock_summarizer(MODEL, config=FAST, prompt=bumped), log, cached=first.summaries)

    assert again.made == 1 and again.summaries["1"].prompt_version == shipped.version + 1
    assert len(bedrock.calls) == 2


def test_regenerate_asks_again_for_every_paper_and_keeps_a_kept_one_when_that_fails(
    bedrock: FakeBedrock, log: logging.Logger
) -> None:
    summarizer = bedrock_summarizer(MODEL, config=FAST)
    version = summarizer.prompt_version
    kept = {pid: Summary(f"옛 요약 {pid}", MODEL, version, "2026-08-21T00:00:00Z") for pid in ("1", "2")}
    bedrock.answers = {"Paper 2": Reply(424, {"message": "The model returned an error."},
                                        headers={"x-amzn-ErrorType": "ModelErrorException:x"})}
    bedrock.default = "새 요약"

    result = fill([paper("1"), paper("2"), paper("3")], summarizer, log, cached=kept, regenerate=True)

    assert len(bedrock.calls) == 3
    assert result.texts == {"1": "새 요약", "2": "옛 요약 2", "3": "새 요약"}
    assert (result.made, result.missing) == (2, [])
