#!/usr/bin/env python3
"""The summary check measured on the labelled answers (issue 16 §5).

    python3 bench/faithfulness.py [--json FILE] [--repeat N] [--misses]

Runs `summary_check.check_summary` over tests/fixtures/summaries/labelled.json: answers written
from the real abstracts of tests/fixtures/hf (faithful ones, and copies of each with an invented
name, a changed figure, a refusal, another language, a cut and an empty text). Prints, per
kind, the share the check got right (faithful: accepted; the others: rejected) against the
issue's goal, per language for the faithful ones, and the time one check takes (median of
`--repeat` passes over the whole set). `wrong_paraphrase` (a claim changed with the abstract's
own words only) is reported but has no goal: the check cannot see it. No network, no model.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions" / "daily_papers"), str(ROOT / "tests")]

from hf_daily_papers.summary_check import LANGUAGES, Verdict, check_summary  # noqa: E402

from fakes.labelled import KINDS, Case, load_cases  # noqa: E402

#: Issue 16 §5: the share of each kind the check must get right.
GOALS = {"faithful": 95.0, "invented_name": 95.0, "changed_figure": 95.0, "refusal": 100.0,
         "wrong_language": 100.0, "cut": 100.0, "empty": 100.0, "wrong_paraphrase": None}
LABELS = {"faithful": "faithful answers accepted", "invented_name": "invented names rejected",
          "changed_figure": "changed figures rejected", "refusal": "refusals rejected",
          "wrong_language": "wrong-language answers rejected", "cut": "cut answers rejected",
          "empty": "empty / invisible answers rejected",
          "wrong_paraphrase": "wrong paraphrases (abstract's own words) rejected"}


def verdict(case: Case) -> Verdict:
    return check_summary(case.text, case.stop_reason, title=case.title, abstract=case.abstract,
                         language=case.language)


def right(case: Case, result: Verdict) -> bool:
    must_accept = KINDS[case.kind]
    return result.accepted if must_accept else not result.accepted


def measure(repeat: int) -> dict[str, Any]:
    cases = load_cases()
    verdicts = {case.id: verdict(case) for case in cases}
    figures: dict[str, Any] = {"cases": len(cases), "kinds": {}, "faithful_by_language": {}, "misses": []}
    for kind in KINDS:
        of_kind = [c for c in cases if c.kind == kind]
        ok = sum(right(c, verdicts[c.id]) for c in of_kind)
        figures["kinds"][kind] = {"cases": len(of_kind), "right": ok, "percent": 100.0 * ok / len(of_kind),
                                  "goal": GOALS[kind]}
    for language in LANGUAGES:
        of_language = [c for c in cases if c.kind == "faithful" and c.language == language]
        ok = sum(verdicts[c.id].accepted for c in of_language)
        figures["faithful_by_language"][language] = {"cases": len(of_language), "accepted": ok}
    figures["misses"] = [{"id": c.id, "note": c.note, "reasons": list(verdicts[c.id].reasons)}
                         for c in cases if not right(c, verdicts[c.id])]
    passes = []
    for _ in range(repeat):
        started = time.perf_counter()
        for case in cases:
            verdict(case)
        passes.append(time.perf_counter() - started)
    figures["seconds_per_check"] = statistics.median(passes) / len(cases)
    figures["goals_met"] = all(k["goal"] is None or k["percent"] >= k["goal"] for k in figures["kinds"].values())
    return figures


def table(figures: dict[str, Any]) -> str:
    rows = ["| Kind | Answers | Right | Goal |", "|---|---|---|---|"]
    for kind, k in figures["kinds"].items():
        goal = "—" if k["goal"] is None else f"≥ {k['goal']:.0f} %"
        if k["goal"] is not None:
            goal += " ✓" if k["percent"] >= k["goal"] else " ✗"
        rows.append(f"| {LABELS[kind]} | {k['cases']} | **{k['percent']:.1f} %** ({k['right']}/{k['cases']}) | {goal} |")
    by_language = ", ".join(f"{lang} {v['accepted']}/{v['cases']}" for lang, v in figures["faithful_by_language"].items())
    rows.append(f"| faithful accepted, by language | | {by_language} | |")
    rows.append(f"| one check (median of the passes) | | {figures['seconds_per_check'] * 1e6:.0f} µs | |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed passes over the set (default 20)")
    parser.add_argument("--misses", action="store_true", help="also list every answer the check got wrong")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args(argv)
    figures = measure(max(1, args.repeat))
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip() or "?"
    print(f"# Summary check on the labelled answers — {figures['cases']} answers, commit {commit}, "
          f"Python {platform.python_version()}\n")
    print(table(figures))
    if args.misses or figures["misses"]:
        print("\nGot wrong:" if figures["misses"] else "")
        for miss in figures["misses"]:
            print(f"- {miss['id']} ({miss['note']}): {'; '.join(miss['reasons']) or 'accepted'}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n")
    return 0 if figures["goals_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
