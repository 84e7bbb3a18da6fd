"""Per-paper summaries: the kept types, what a model is, and the fill policy (pure: no I/O, no
clock of its own, no sleeping; the model and the clock are given).

A day's record keeps, per paper id, its `Summary` or its `Rejection`, each keyed by what made it:
the model, the prompt version, the language and `source_hash` (the title and abstract). The fill
of a day's listed papers, in order:

1. A kept summary with the same key is reused (no call). A kept one with another key (another
   model, prompt, language, or a changed title or abstract) is not used: the paper is asked again.
   Until a new one is made (this fill does not ask, or the call fails), a kept summary of the same
   title and abstract by another model, prompt or language is still shown, and the paper is listed
   as missing; one of another title or abstract is never shown (it summarises another text).
2. A kept rejection with the same key: the paper is not asked again and stays without a summary;
   it counts as `rejected`, not `missing`. Another key: asked again.
3. Otherwise the model is asked and its answer checked (summary_check.check_summary). A rejected
   answer is asked for once more, at temperature 0, with feedback naming what was wrong ("Only
   state what the abstract states; these were not in it: CIFAR-10, 3 %."). If that one passes it is
   used; if not, a `Rejection` is recorded and one WARNING names the paper and the reasons (never
   the answer's text).
4. A call that fails (SummaryFailed) leaves the paper `missing`: the next run asks again.
   Asking stops (`stopped`; the rest is missing) when `should_stop()` turns true, after a permanent
   failure (no call in this run can succeed), or after GIVE_UP_AFTER failures in a row.

Summaries are untrusted text: kept as the model wrote them (invisible characters removed), and
escaped where every other text is, by the renderer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from .errors import DailyPapersError
from .models import Paper
from .models import stamp as utc_stamp

if TYPE_CHECKING:  # the check and the prompt are loaded when a model is first asked, not on a cold start
    from .summary_check import Verdict

#: Failed calls in a row after which a fill stops asking: Bedrock is down or throttling hard, and
#: each further paper would only wait for its own retries too.
GIVE_UP_AFTER = 3


class SummaryFailed(DailyPapersError):
    """The model gave no answer for a paper; `reason` says why (names the model, never a secret).

    `permanent`: no call in this run can succeed (access denied, unknown model id, no
    credentials); the fill stops asking."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        self.reason = reason
        self.permanent = permanent
        super().__init__(reason)


@dataclass(frozen=True)
class Summary:
    text: str
    model: str  # the model / inference profile id or ARN that wrote it (SUMMARY_MODEL)
    prompt_version: int
    language: str  # SUMMARY_LANGUAGE: ko, en, ja, zh
    source_hash: str  # source_hash(paper) of the title and abstract it summarises
    created_at: str  # ISO 8601 UTC, e.g. 2026-08-22T00:15:03Z


@dataclass(frozen=True)
class Rejection:
    reasons: tuple[str, ...]  # the check's reasons for the last answer ("unsupported name: CIFAR-10", …)
    model: str
    prompt_version: int
    language: str
    source_hash: str
    created_at: str


def source_hash(paper: Paper) -> str:
    """What a summary summarises: the first 16 hex digits of sha256(title + "\\n" + abstract)."""
    return text_hash(paper.title, paper.summary)


def text_hash(title: str, abstract: str) -> str:
    """`source_hash` of a title and an abstract (the archive keys old summaries with it)."""
    return hashlib.sha256(f"{title}\n{abstract}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True)
class Answer:
    """What a model call returns: its text and its stopReason (`end_turn`, `max_tokens`, …)."""

    text: str
    stop_reason: str


class SummaryModel(Protocol):
    model: str
    prompt_version: int
    language: str

    def ask(self, paper: Paper, *, feedback: str | None = None) -> Answer:
        """One summary of `paper`. `feedback` None: the normal call; given: the retry after a
        rejected answer (temperature 0, the feedback appended to the request). Raises
        SummaryFailed(reason, permanent=…) when there is no answer."""
        ...


class Log(Protocol):
    """What the fill logs to: a logging.Logger or a Powertools Logger."""

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None: ...


@dataclass(frozen=True)
class SummaryFill:
    summaries: Mapping[str, Summary]  # what to show: kept (current, or older until remade) and new ones
    rejections: Mapping[str, Rejection]  # the rejections made by this fill (kept ones are not repeated)
    made: int  # new summaries
    rejected: int  # listed papers without a summary because of a rejection: new ones + kept ones that still apply
    missing: tuple[str, ...]  # paper ids a later run should ask for, in order (some show an older summary)
    stopped: bool  # asking stopped early: should_stop(), a permanent failure, or GIVE_UP_AFTER failures

    @property
    def texts(self) -> dict[str, str]:
        """`{paper_id: text}`, what the renderer takes."""
        return {paper_id: summary.text for paper_id, summary in self.summaries.items()}


def fill_summaries(
    papers: Sequence[Paper],
    kept: Mapping[str, Summary],
    rejected: Mapping[str, Rejection],
    model: SummaryModel,
    *,
    now: Callable[[], dt.datetime],
    should_stop: Callable[[], bool],
    log: Log,
) -> SummaryFill:
    """The summaries of `papers` (see the module's docstring for the rules). Never raises for a
    model's failure: failures are logged and listed in `missing`."""
    key = (model.model, model.prompt_version, model.language)
    summaries: dict[str, Summary] = {}
    rejections: dict[str, Rejection] = {}
    missing: list[str] = []
    seen: set[str] = set()
    made = 0
    still_rejected = 0  # kept rejections with the current key
    halted: str | None = None  # why the papers left are not asked
    not_asked = 0
    failed_in_a_row = 0
    stopped = False
    for paper in papers:
        if paper.id in seen:
            continue  # a repeated id: one summary
        seen.add(paper.id)
        hashed = source_hash(paper)
        summary = kept.get(paper.id)
        if summary is not None and summary.source_hash != hashed:
            summary = None  # it summarises another title or abstract: never shown again
        if summary is not None and (summary.model, summary.prompt_version, summary.language) == key:
            summaries[paper.id] = summary
            continue
        rejection = rejected.get(paper.id)
        if rejection is not None and (rejection.model, rejection.prompt_version, rejection.language) == key \
                and rejection.source_hash == hashed:
            still_rejected += 1
            continue  # rejected before for the same model, prompt, language and text: not asked again
        if halted is None and should_stop():
            stopped, halted = True, ""
        if halted is not None:
            _shown_until_made(paper.id, summary, summaries, missing)
            not_asked += 1
            continue
        try:
            outcome = _ask(paper, model, should_stop)
        except SummaryFailed as failure:
            _shown_until_made(paper.id, summary, summaries, missing)
            log.warning(f"summary missing for {paper.id}: {failure.reason}",
                        extra={"paper_id": paper.id, "summary_model": model.model, "reason": failure.reason})
            failed_in_a_row += 1
            if failure.permanent:
                stopped, halted = True, f"model {model.model} cannot be used (see the warning above)"
            elif failed_in_a_row >= GIVE_UP_AFTER:
                stopped, halted = True, f"{failed_in_a_row} summaries in a row failed"
            continue
        failed_in_a_row = 0
        stamp = utc_stamp(now())
        if isinstance(outcome, str):
            summaries[paper.id] = Summary(outcome, *key, hashed, stamp)
            made += 1
        elif outcome is None:  # time ran out before the retry: the next run asks again
            _shown_until_made(paper.id, summary, summaries, missing)
            stopped, halted = True, ""
        else:
            rejections[paper.id] = Rejection(outcome.reasons, *key, hashed, stamp)
            log.warning(f"summary rejected for {paper.id}: {'; '.join(outcome.reasons)}",
                        extra={"paper_id": paper.id, "summary_model": model.model, "reasons": list(outcome.reasons)})
    if not_asked and halted:  # out of time (halted "") is the caller's to report, with its budget
        log.warning(f"summaries: {not_asked} more paper(s) not asked: {halted}; the next run asks for them",
                    extra={"summary_model": model.model, "not_asked": not_asked})
    return SummaryFill(MappingProxyType(summaries), MappingProxyType(rejections), made,
                       len(rejections) + still_rejected, tuple(missing), stopped)


def _shown_until_made(paper_id: str, stale: Summary | None, summaries: dict[str, Summary], missing: list[str]) -> None:
    """Not asked (or no answer) this time: missing, with the same text's older summary shown meanwhile."""
    missing.append(paper_id)
    if stale is not None:
        summaries[paper_id] = stale


def _ask(paper: Paper, model: SummaryModel, should_stop: Callable[[], bool]) -> str | Verdict | None:
    """The accepted text, or the verdict on the second answer when both were rejected, or None
    when time ran out between the two."""
    from .prompt import feedback
    from .summary_check import visible

    answer = model.ask(paper)
    verdict = _check(answer, paper, model.language)
    if verdict.accepted:
        return visible(answer.text)
    if should_stop():
        return None
    again = model.ask(paper, feedback=feedback(verdict, model.language))
    verdict = _check(again, paper, model.language)
    return visible(again.text) if verdict.accepted else verdict


def _check(answer: Answer, paper: Paper, language: str) -> Verdict:
    from .summary_check import check_summary

    return check_summary(answer.text, answer.stop_reason, title=paper.title, abstract=paper.summary,
                         language=language)

