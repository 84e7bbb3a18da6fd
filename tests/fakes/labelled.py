"""The labelled answers of the summary check (tests/fixtures/summaries/labelled.json).

Each case is a model answer for a real paper of the fixtures (tests/fixtures/hf/<fixture>.json):
its text, stopReason, the language it was asked in, and its kind: `faithful` (must be accepted),
`invented_name`, `changed_figure`, `refusal`, `wrong_language`, `cut`, `empty` (must be
rejected), or `wrong_paraphrase` (a claim changed with the abstract's own words only: the check
cannot see it; measured, not required). Used by tests/unit/test_summary_check.py and
bench/faithfulness.py.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LABELLED = FIXTURES / "summaries" / "labelled.json"
#: Kinds, and whether the check must accept them (None: measured only).
KINDS: dict[str, bool | None] = {
    "faithful": True, "invented_name": False, "changed_figure": False, "refusal": False,
    "wrong_language": False, "cut": False, "empty": False, "wrong_paraphrase": None,
}


@dataclass(frozen=True)
class Case:
    id: str  # <paper id>/<language>/<kind>
    paper_id: str
    title: str  # the paper's real title and abstract
    abstract: str
    upvotes: int
    language: str
    kind: str
    stop_reason: str
    text: str
    note: str  # what was changed, for the perturbed kinds


@functools.cache
def _papers(fixture: str) -> dict[str, dict[str, object]]:
    items = json.loads((FIXTURES / "hf" / f"{fixture}.json").read_text("utf-8"))
    return {item["paper"]["id"]: item["paper"] for item in items}


@functools.cache
def load_cases() -> tuple[Case, ...]:
    cases = []
    for raw in json.loads(LABELLED.read_text("utf-8"))["cases"]:
        paper = _papers(raw["fixture"])[raw["paper"]]
        cases.append(Case(raw["id"], raw["paper"], str(paper["title"]), str(paper["summary"]),
                          int(str(paper.get("upvotes") or 0)), raw["language"], raw["kind"], raw["stop_reason"],
                          raw["text"], raw.get("note", "")))
    return tuple(cases)


def faithful(paper_id: str, language: str = "ko") -> Case:
    """The faithful answer written for this paper in this language."""
    return next(c for c in load_cases() if (c.paper_id, c.language, c.kind) == (paper_id, language, "faithful"))


def case(paper_id: str, language: str, kind: str) -> Case:
    return next(c for c in load_cases() if (c.paper_id, c.language, c.kind) == (paper_id, language, kind))
