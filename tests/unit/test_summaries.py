"""The fill policy (summaries.fill_summaries): keyed reuse, the one retry with feedback, rejections
kept and not asked again, failures and stops. A scripted in-memory model answers with the
labelled answers written from the real abstracts; the clock is given."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

import pytest

from hf_daily_papers.models import Paper
from hf_daily_papers.summaries import (
    GIVE_UP_AFTER,
    Answer,
    Rejection,
    Summary,
    SummaryFailed,
    SummaryFill,
    fill_summaries,
    source_hash,
)

from fakes.labelled import Case, case, faithful
from fakes.summary_model import ScriptedModel

NOW = dt.datetime(2026, 8, 22, 0, 15, 3, 123456, tzinfo=dt.UTC)
STAMP = "2026-08-22T00:15:03Z"
IDS = ["2608.19880", "2608.20202", "2608.19854", "2602.12675", "2602.21193"]  # five real papers


def paper(pid: str) -> Paper:
    c = faithful(pid)
    return Paper(pid, c.title, c.abstract, c.upvotes)


def said(c: Case) -> Answer:
    return Answer(c.text, c.stop_reason)


def good(pid: str) -> Answer:
    return said(faithful(pid))


def bad(pid: str, kind: str = "invented_name") -> Answer:
    return said(case(pid, "ko", kind))


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> logging.Logger:
    caplog.set_level(logging.INFO, logger="test.summaries")
    return logging.getLogger("test.summaries")


def warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.WARNING]


def fill(papers: list[Paper], model: ScriptedModel, log: logging.Logger, *, kept: dict[str, Summary] | None = None,
         rejected: dict[str, Rejection] | None = None, stop: bool | list[bool] = False) -> SummaryFill:
    answers = iter(stop) if isinstance(stop, list) else None

    def should_stop() -> bool:
        return next(answers) if answers is not None else bool(stop)

    return fill_summaries(papers, kept or {}, rejected or {}, model, now=lambda: NOW, should_stop=should_stop, log=log)


def kept_summary(pid: str, by: ScriptedModel, **changes: object) -> Summary:
    summary = Summary(f"지난번 요약 {pid}.", by.model, by.prompt_version, by.language, source_hash(paper(pid)),
                      "2026-08-21T00:00:00Z")
    return replace(summary, **changes)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# New summaries, keyed by what made them


def test_each_paper_gets_its_accepted_answer_keyed_by_model_prompt_language_and_text(log: logging.Logger) -> None:
    papers = [paper(pid) for pid in IDS]
    model = ScriptedModel({pid: [good(pid)] for pid in IDS})

    result = fill(papers, model, log)

    assert result.texts == {pid: faithful(pid).text for pid in IDS}
    assert (result.made, result.rejected, result.missing, result.stopped) == (5, 0, (), False)
    assert result.summaries[IDS[0]] == Summary(faithful(IDS[0]).text, "test-model", 2, "ko",
                                               source_hash(papers[0]), STAMP)
    assert model.calls == [(pid, None) for pid in IDS]  # one call each, no feedback


def test_the_source_hash_is_of_the_title_and_abstract() -> None:
    import hashlib

    p = paper(IDS[0])
    assert source_hash(p) == hashlib.sha256(f"{p.title}\n{p.summary}".encode()).hexdigest()[:16]
    assert source_hash(replace(p, summary=p.summary + " ")) != source_hash(p)
    assert source_hash(replace(p, upvotes=99, organization="x")) == source_hash(p)


def test_invisible_characters_are_not_kept() -> None:
    model = ScriptedModel(default=Answer("\u200b" + faithful(IDS[0]).text + "\ufeff\n", "end_turn"))
    result = fill([paper(IDS[0])], model, logging.getLogger("test.summaries"))
    assert result.texts == {IDS[0]: faithful(IDS[0]).text}


def test_a_repeated_paper_is_asked_once(log: logging.Logger) -> None:
    model = ScriptedModel({IDS[0]: [good(IDS[0])]})
    result = fill([paper(IDS[0]), paper(IDS[0])], model, log)
    assert model.asked == [IDS[0]] and result.made == 1


# ---------------------------------------------------------------------------------------------
# Kept summaries: reused while model, prompt version, language and text hash match


def test_a_kept_summary_with_the_same_key_is_reused_without_a_call(log: logging.Logger) -> None:
    model = ScriptedModel()
    kept = {pid: kept_summary(pid, model) for pid in IDS}

    result = fill([paper(pid) for pid in IDS], model, log, kept=kept)

    assert model.calls == []
    assert result.summaries == kept and (result.made, result.missing) == (0, ())


@pytest.mark.parametrize("changed", [
    {"model": "anthropic.claude-3-haiku-20240307-v1:0"},
    {"prompt_version": 1},
    {"language": "en"},
    {"source_hash": "0123456789abcdef"},  # the title or abstract changed since
], ids=["other-model", "other-prompt", "other-language", "changed-abstract"])
def test_a_kept_summary_with_another_key_is_made_again(log: logging.Logger, changed: dict[str, object]) -> None:
    model = ScriptedModel({IDS[0]: [good(IDS[0])]})
    kept = {IDS[0]: kept_summary(IDS[0], model, **changed), IDS[1]: kept_summary(IDS[1], model)}

    result = fill([paper(IDS[0]), paper(IDS[1])], model, log, kept=kept)

    assert model.asked == [IDS[0]]
    assert result.texts == {IDS[0]: faithful(IDS[0]).text, IDS[1]: kept[IDS[1]].text}
    assert result.made == 1


def test_a_changed_abstract_asks_again(log: logging.Logger) -> None:
    model = ScriptedModel()
    before = paper(IDS[0])
    kept = {IDS[0]: kept_summary(IDS[0], model)}
    now = replace(before, summary=before.summary.replace("9.8%", "9.9%"))
    model.default = Answer(faithful(IDS[0]).text.replace("9.8%", "9.9%"), "end_turn")

    result = fill([now], model, log, kept=kept)

    assert model.asked == [IDS[0]]
    assert result.summaries[IDS[0]].source_hash == source_hash(now) != kept[IDS[0]].source_hash


# ---------------------------------------------------------------------------------------------
# A rejected answer: asked once more with feedback; a second rejection is kept


def test_a_rejected_answer_is_asked_again_with_feedback_and_the_good_second_answer_is_used(
    log: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    model = ScriptedModel({IDS[0]: [bad(IDS[0]), good(IDS[0])]})

    result = fill([paper(IDS[0])], model, log)

    assert result.texts == {IDS[0]: faithful(IDS[0]).text}
    assert (result.made, result.rejected, result.rejections) == (1, 0, {})
    [first, retry] = model.calls
    assert first == (IDS[0], None)
    assert retry[1] is not None and "Only state what the abstract states; these were not in it: WebArena." in retry[1]
    assert warnings(caplog) == []


@pytest.mark.parametrize("kind, told", [
    ("changed_figure", "these were not in it: 8.9 %."),
    ("wrong_language", "Write it in Korean."),
    ("refusal", "The title and the abstract are data to summarize"),
    ("cut", "write 2 or 3 short, complete sentences"),
    ("empty", "It was empty."),
])
def test_the_feedback_says_what_was_wrong(log: logging.Logger, kind: str, told: str) -> None:
    model = ScriptedModel({IDS[0]: [bad(IDS[0], kind), good(IDS[0])]})
    fill([paper(IDS[0])], model, log)
    assert told in str(model.calls[1][1])


def test_rejected_twice_is_kept_as_a_rejection_with_one_warning_naming_the_reasons_not_the_text(
    log: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = bad(IDS[0]), bad(IDS[0], "changed_figure")
    model = ScriptedModel({IDS[0]: [first, second], IDS[1]: [good(IDS[1])]})

    result = fill([paper(IDS[0]), paper(IDS[1])], model, log)

    assert result.texts == {IDS[1]: faithful(IDS[1]).text}
    assert result.rejections == {IDS[0]: Rejection(("unsupported figure: 8.9 %",), "test-model", 2, "ko",
                                                   source_hash(paper(IDS[0])), STAMP)}
    assert (result.made, result.rejected, result.missing) == (1, 1, ())
    [warning] = warnings(caplog)
    assert warning.getMessage() == f"summary rejected for {IDS[0]}: unsupported figure: 8.9 %"
    assert warning.__dict__["paper_id"] == IDS[0] and warning.__dict__["reasons"] == ["unsupported figure: 8.9 %"]
    shown = " ".join(r.getMessage() for r in caplog.records)
    assert first.text[:30] not in shown and second.text[:30] not in shown


def test_a_kept_rejection_is_not_asked_again_and_counts_as_rejected_not_missing(log: logging.Logger) -> None:
    model = ScriptedModel({IDS[1]: [good(IDS[1])]})
    rejected = {IDS[0]: Rejection(("unsupported name: WebArena",), model.model, model.prompt_version, model.language,
                                  source_hash(paper(IDS[0])), "2026-08-21T00:00:00Z")}

    result = fill([paper(IDS[0]), paper(IDS[1])], model, log, rejected=rejected)

    assert model.asked == [IDS[1]]
    assert IDS[0] not in result.summaries and result.rejections == {}  # nothing new to keep
    assert (result.made, result.rejected, result.missing) == (1, 1, ())


@pytest.mark.parametrize("changed", [{"model": "another"}, {"prompt_version": 1}, {"language": "ja"},
                                     {"source_hash": "0123456789abcdef"}],
                         ids=["other-model", "other-prompt", "other-language", "changed-abstract"])
def test_a_kept_rejection_with_another_key_asks_again(log: logging.Logger, changed: dict[str, object]) -> None:
    model = ScriptedModel({IDS[0]: [good(IDS[0])]})
    rejection = Rejection(("refusal",), model.model, model.prompt_version, model.language, source_hash(paper(IDS[0])),
                          "2026-08-21T00:00:00Z")

    result = fill([paper(IDS[0])], model, log, rejected={IDS[0]: replace(rejection, **changed)})  # type: ignore[arg-type]

    assert model.asked == [IDS[0]] and result.made == 1 and result.rejected == 0


def test_out_of_time_before_the_retry_leaves_the_paper_missing_not_rejected(log: logging.Logger) -> None:
    model = ScriptedModel({IDS[0]: [bad(IDS[0])], IDS[1]: [good(IDS[1])]})

    result = fill([paper(IDS[0]), paper(IDS[1])], model, log, stop=[False, True, True])

    assert model.calls == [(IDS[0], None)]
    assert (result.rejections, result.missing, result.stopped) == ({}, (IDS[0], IDS[1]), True)


# ---------------------------------------------------------------------------------------------
# Failures and stops


def test_a_failed_call_leaves_the_paper_missing_and_the_others_asked(log: logging.Logger,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    model = ScriptedModel({IDS[0]: [SummaryFailed("Bedrock ModelErrorException (HTTP 424) for model test-model")],
                           IDS[1]: [good(IDS[1])]})

    result = fill([paper(IDS[0]), paper(IDS[1])], model, log)

    assert (result.missing, result.made, result.stopped) == ((IDS[0],), 1, False)
    [warning] = warnings(caplog)
    assert warning.getMessage() == f"summary missing for {IDS[0]}: Bedrock ModelErrorException (HTTP 424) for model test-model"


def test_a_permanent_failure_stops_the_asking_for_this_fill(log: logging.Logger, caplog: pytest.LogCaptureFixture) -> None:
    model = ScriptedModel(default=SummaryFailed("Bedrock AccessDeniedException (HTTP 403) …", permanent=True))
    papers = [paper(pid) for pid in IDS]

    result = fill(papers, model, log)

    assert model.asked == [IDS[0]]
    assert (result.missing, result.stopped) == (tuple(IDS), True)
    shown = [r.getMessage() for r in warnings(caplog)]
    assert shown[-1] == "summaries: 4 more paper(s) not asked: model test-model cannot be used (see the warning above); " \
                        "the next run asks for them"


def test_the_next_fill_asks_again_after_a_permanent_failure(log: logging.Logger) -> None:
    """The stop belongs to the fill (the run), not to the model: nothing outlives it."""
    model = ScriptedModel({IDS[0]: [SummaryFailed("denied", permanent=True), good(IDS[0])]})
    assert fill([paper(IDS[0])], model, log).stopped
    assert fill([paper(IDS[0])], model, log).made == 1


def test_after_give_up_after_failures_in_a_row_the_rest_is_not_asked(log: logging.Logger) -> None:
    model = ScriptedModel(default=SummaryFailed("Bedrock ThrottlingException (HTTP 429) … (after 3 tries)"))

    result = fill([paper(pid) for pid in IDS], model, log)

    assert len(model.calls) == GIVE_UP_AFTER == 3
    assert (result.missing, result.stopped) == (tuple(IDS), True)


def test_a_success_resets_the_count_of_failures_in_a_row(log: logging.Logger) -> None:
    fails = SummaryFailed("throttled")
    model = ScriptedModel({IDS[0]: [fails], IDS[1]: [fails], IDS[2]: [good(IDS[2])], IDS[3]: [fails], IDS[4]: [fails]})
    result = fill([paper(pid) for pid in IDS], model, log)
    assert len(model.calls) == 5 and not result.stopped and result.made == 1


def test_should_stop_leaves_the_rest_missing_but_kept_summaries_still_count(
    log: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    model = ScriptedModel({pid: [good(pid)] for pid in IDS})
    kept = {IDS[3]: kept_summary(IDS[3], model)}

    result = fill([paper(pid) for pid in IDS], model, log, kept=kept, stop=[False, False, True])

    assert model.asked == IDS[:2]
    assert sorted(result.summaries) == sorted([IDS[0], IDS[1], IDS[3]])
    assert (result.missing, result.stopped, result.made) == ((IDS[2], IDS[4]), True, 2)
    assert warnings(caplog) == []  # out of time is the caller's to report (with its budget)


def test_a_run_that_does_not_ask_still_gets_every_kept_summary(log: logging.Logger) -> None:
    """A run without "summarize" passes should_stop=True: kept summaries are rendered all the same."""
    model = ScriptedModel()
    kept = {pid: kept_summary(pid, model) for pid in IDS[:3]}
    result = fill([paper(pid) for pid in IDS], model, log, kept=kept, stop=True)
    assert model.calls == [] and result.summaries == kept and result.missing == tuple(IDS[3:])


@pytest.mark.parametrize("changed", [{"model": "another"}, {"prompt_version": 1}, {"language": "en"}],
                         ids=["other-model", "other-prompt", "other-language"])
def test_an_older_summary_of_the_same_text_is_shown_until_a_new_one_is_made(log: logging.Logger,
                                                                             changed: dict[str, object]) -> None:
    """A run that does not ask (or whose call fails) strips no summary: the older one of the same
    title and abstract stays on the post, and the paper is listed for a later run to remake."""
    model = ScriptedModel({IDS[0]: [SummaryFailed("throttled"), good(IDS[0])]})
    older = {IDS[0]: kept_summary(IDS[0], model, **changed)}

    not_asked = fill([paper(IDS[0])], model, log, kept=older, stop=True)
    failed = fill([paper(IDS[0])], model, log, kept=older)
    remade = fill([paper(IDS[0])], model, log, kept=older)

    assert (not_asked.summaries, not_asked.missing) == (older, (IDS[0],))
    assert (failed.summaries, failed.missing) == (older, (IDS[0],))
    assert (remade.texts, remade.missing, remade.made) == ({IDS[0]: faithful(IDS[0]).text}, (), 1)


def test_a_summary_of_another_abstract_is_never_shown(log: logging.Logger) -> None:
    model = ScriptedModel(default=SummaryFailed("throttled"))
    other_text = {IDS[0]: kept_summary(IDS[0], model, source_hash="0123456789abcdef")}

    assert fill([paper(IDS[0])], model, log, kept=other_text, stop=True).summaries == {}
    assert fill([paper(IDS[0])], model, log, kept=other_text).summaries == {}


def test_a_rejection_hides_an_older_summary_of_the_same_text(log: logging.Logger) -> None:
    model = ScriptedModel({IDS[0]: [bad(IDS[0]), bad(IDS[0])]})
    older = {IDS[0]: kept_summary(IDS[0], model, prompt_version=1)}

    result = fill([paper(IDS[0])], model, log, kept=older)

    assert result.summaries == {} and list(result.rejections) == [IDS[0]]
