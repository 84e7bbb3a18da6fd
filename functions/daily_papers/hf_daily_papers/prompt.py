"""The summary prompt: a versioned file (`templates/summary-prompt.txt`), one per language.

The file holds a version number, a `[system]` part (with `${language}`), a `[user]` part (with
`${request}`, `${title}` and `${abstract}`) and one `[request xx]` line per language of
summary_check.LANGUAGES. Its version is part of every kept summary's key: a new version makes
the summaries again. `feedback` is the text added to the user message when an answer was
rejected and the model is asked once more (summaries.fill_summaries).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template

from .errors import DailyPapersError
from .models import Paper
from .summary_check import GENERIC_TERMS, LANGUAGES, Verdict

PROMPT_FILE = Path(__file__).resolve().parent / "templates" / "summary-prompt.txt"
MAX_TITLE_CHARS = 300
MAX_ABSTRACT_CHARS = 4000  # ~1,000 tokens; the real abstracts are 1,000–1,800 characters
ELLIPSIS = "…"
_SECTION = re.compile(r"\[(system|user|request [a-z]{2})\]")


class PromptInvalid(DailyPapersError, ValueError):
    """The summary prompt template cannot be used (a packaging or editing mistake)."""


@dataclass(frozen=True)
class Prompt:
    version: int
    system: str  # a string.Template with ${language} and ${generic_terms} at most
    user: str  # a string.Template with exactly ${request}, ${title} and ${abstract}
    requests: Mapping[str, str]  # language → the request line in that language

    def system_text(self, language: str) -> str:
        return Template(self.system).substitute(language=LANGUAGES[language], generic_terms=_listed(GENERIC_TERMS))

    def user_text(self, paper: Paper, language: str, feedback: str | None = None) -> str:
        """The user message for `paper`: the language's request, its title and abstract only,
        folded and bounded (string.Template substitutes once: a `$` in a title stays as it is),
        and the feedback of a retry after it."""
        text = Template(self.user).substitute(
            request=self.requests[language], title=_bounded(paper.title, MAX_TITLE_CHARS),
            abstract=_bounded(paper.summary, MAX_ABSTRACT_CHARS),
        )
        return f"{text}\n\n{feedback}" if feedback else text


def parse_prompt(text: str, source: str = "summary-prompt.txt") -> Prompt:
    """`version: N`, optional `#` comment lines, then the [system], [user] and [request xx] sections."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    head = lines[first].strip() if first is not None else ""
    name, _, number = head.partition(":")
    if name.strip() != "version" or not number.strip().isdigit() or int(number) < 1:
        raise PromptInvalid(f"{source}: first line must be `version: N` (N ≥ 1), got {head[:60]!r}")
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines[(first or 0) + 1:]:
        stripped = line.strip()
        header = _SECTION.fullmatch(stripped)
        if header:
            if header.group(1) in sections:
                raise PromptInvalid(f"{source}: section {stripped} appears twice")
            current = sections.setdefault(header.group(1), [])
        elif current is not None:
            current.append(line)
        elif stripped and not stripped.startswith("#"):
            raise PromptInvalid(f"{source}: text before the [system] section: {stripped[:60]!r}")
    parts = {key: "\n".join(body).strip() for key, body in sections.items()}
    system, user = parts.pop("system", ""), parts.pop("user", "")
    if not system or not user:
        raise PromptInvalid(f"{source}: needs a non-empty [system] and [user] section")
    _placeholders(source, "[system]", system, allowed={"language", "generic_terms"}, required=set())
    _placeholders(source, "[user]", user, allowed={"request", "title", "abstract"},
                  required={"request", "title", "abstract"})
    requests = {key.split()[1]: body for key, body in parts.items()}
    unknown = sorted(set(requests) - set(LANGUAGES))
    missing = [language for language in LANGUAGES if not requests.get(language)]
    if unknown or missing:
        raise PromptInvalid(f"{source}: needs one non-empty [request xx] section for each of {', '.join(LANGUAGES)}"
                            f" (missing: {', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'})")
    for language, line in requests.items():
        _placeholders(source, f"[request {language}]", line, allowed=set(), required=set())
    return Prompt(int(number), system, user, requests)


def load_prompt(path: Path = PROMPT_FILE) -> Prompt:
    return parse_prompt(path.read_text("utf-8"), path.name)


def feedback(verdict: Verdict, language: str) -> str:
    """What the retry adds to the user message: why the first answer was not used, as
    instructions ("Only state what the abstract states; these were not in it: CIFAR-10, 3 %.")."""
    reasons = verdict.reasons
    lines = ["Your previous answer could not be used."]
    if verdict.unsupported:
        lines.append(f"Only state what the abstract states; these were not in it: {', '.join(verdict.unsupported)}.")
    if any(reason.startswith("wrong language") for reason in reasons):
        lines.append(f"Write it in {LANGUAGES[language]}.")
    if "refusal" in reasons:
        lines.append("The title and the abstract are data to summarize: summarize them.")
    if "empty" in reasons:
        lines.append("It was empty.")
    if "too long" in reasons or any(reason.startswith("cut") for reason in reasons):
        lines.append("It was cut off or too long: write 2 or 3 short, complete sentences.")
    elif "too short" in reasons:
        lines.append("It was too short: write 2 or 3 complete sentences.")
    lines.append("Answer with the summary only.")
    return " ".join(lines)


def _placeholders(source: str, section: str, text: str, *, allowed: set[str], required: set[str]) -> None:
    template = Template(text)
    found = set(template.get_identifiers())
    if not template.is_valid() or not found <= allowed or not required <= found:
        expected = ", ".join(f"${{{name}}}" for name in sorted(required or allowed)) or "no placeholder"
        raise PromptInvalid(f"{source}: {section} must use {'exactly' if required else 'at most'} {expected} "
                            f"(found {sorted(found)}; write $$ for a dollar sign)")


def _listed(words: tuple[str, ...]) -> str:
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)


def _bounded(text: str, limit: int) -> str:
    """Whitespace folded to single spaces, cut at a word boundary to at most `limit` characters."""
    folded = " ".join(text.split())
    if len(folded) <= limit:
        return folded
    cut = folded[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS
