"""A SummaryModel in memory (no boto3, no socket): scripted answers per paper id.

    model = ScriptedModel({"2608.19880": [Answer("…", "end_turn")]}, default=Answer("…", "end_turn"))

Each `ask` takes the next scripted item of the paper (an Answer to return, or a SummaryFailed to
raise); once a paper's list is used up, its last item repeats; a paper without a list gets
`default`. Every call is recorded in `calls` as (paper id, feedback).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hf_daily_papers.models import Paper
from hf_daily_papers.summaries import Answer, SummaryFailed

Scripted = Answer | SummaryFailed


class ScriptedModel:
    def __init__(self, answers: Mapping[str, Sequence[Scripted]] | None = None, *,
                 default: Scripted | None = None, model: str = "test-model", prompt_version: int = 2,
                 language: str = "ko") -> None:
        self.answers = {pid: list(items) for pid, items in (answers or {}).items()}
        self.default = default
        self.model, self.prompt_version, self.language = model, prompt_version, language
        self.calls: list[tuple[str, str | None]] = []

    def ask(self, paper: Paper, *, feedback: str | None = None) -> Answer:
        self.calls.append((paper.id, feedback))
        items = self.answers.get(paper.id)
        item = (items.pop(0) if len(items) > 1 else items[0]) if items else self.default
        if item is None:
            raise AssertionError(f"ScriptedModel: nothing scripted for {paper.id}")
        if isinstance(item, SummaryFailed):
            raise item
        return item

    @property
    def asked(self) -> list[str]:
        return [pid for pid, _ in self.calls]
