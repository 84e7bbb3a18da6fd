"""The summary prompt file (prompt.py): versioned, one request line per language, the paper's title
and abstract only, and the retry's feedback."""

from __future__ import annotations

import pytest

from hf_daily_papers.models import Paper
from hf_daily_papers.prompt import (
    MAX_ABSTRACT_CHARS,
    PROMPT_FILE,
    PromptInvalid,
    feedback,
    load_prompt,
    parse_prompt,
)
from hf_daily_papers.summary_check import LANGUAGES, Verdict

REQUESTS = "\n".join(f"[request {language}]\nR {language}\n" for language in LANGUAGES)


def test_the_shipped_prompt_has_a_version_and_a_request_per_language() -> None:
    prompt = load_prompt()
    assert PROMPT_FILE.read_text("utf-8").startswith(f"version: {prompt.version}\n") and prompt.version >= 2
    assert set(prompt.requests) == set(LANGUAGES)
    assert "한국어" in prompt.requests["ko"] and "日本語" in prompt.requests["ja"]
    assert "简体中文" in prompt.requests["zh"] and "English" in prompt.requests["en"]


@pytest.mark.parametrize("language, name", list(LANGUAGES.items()))
def test_the_system_part_asks_for_the_language_and_names_the_allowed_english_words(language: str, name: str) -> None:
    system = load_prompt().system_text(language)
    assert f"short {name} summaries" in system and f"2 or 3 complete sentences in {name}" in system
    assert "except AI and LLM." in system  # summary_check.GENERIC_TERMS


def test_the_user_message_has_the_request_title_and_abstract_only_folded_and_bounded() -> None:
    tail = "TAIL-BEYOND-THE-BOUND"
    abstract = "We  propose\nGrounded   summaries. " + "word " * 2000 + tail
    paper = Paper("2608.00001", "A Title with $dollar and ${abstract}", abstract, 1, organization="ORG-MARKER",
                  keywords=("KEYWORD-MARKER",), github_repo="https://github.com/REPO-MARKER/x")
    prompt = load_prompt()

    text = prompt.user_text(paper, "ja")

    assert text.startswith(prompt.requests["ja"] + "\n\n<title>\nA Title with $dollar and ${abstract}\n</title>")
    sent = text.split("<abstract>\n", 1)[1].split("\n</abstract>", 1)[0]
    assert sent.startswith("We propose Grounded summaries. word word") and sent.endswith("…")
    assert len(sent) <= MAX_ABSTRACT_CHARS and tail not in text
    for marker in ("2608.00001", "ORG-MARKER", "KEYWORD-MARKER", "REPO-MARKER"):
        assert marker not in text


def test_the_retry_feedback_comes_after_the_abstract() -> None:
    paper = Paper("1", "T", "A.", 1)
    text = load_prompt().user_text(paper, "ko", "Fix it.")
    assert text.endswith("</abstract>\n\nFix it.")


def test_feedback_names_what_was_not_in_the_abstract_and_what_else_was_wrong() -> None:
    verdict = Verdict(False, ("unsupported name: CIFAR-10", "unsupported figure: 3 %", "wrong language: expected ko",
                              "cut: stopReason max_tokens"), ("CIFAR-10", "3 %"))
    assert feedback(verdict, "ko") == (
        "Your previous answer could not be used. Only state what the abstract states; these were not in it: "
        "CIFAR-10, 3 %. Write it in Korean. It was cut off or too long: write 2 or 3 short, complete sentences. "
        "Answer with the summary only."
    )


@pytest.mark.parametrize("text, problem", [
    ("[system]\nS\n[user]\n${request} ${title} ${abstract}\n" + REQUESTS, "version"),
    ("version: 0\n[system]\nS\n[user]\n${request} ${title} ${abstract}\n" + REQUESTS, "version"),
    ("version: 2\n[user]\n${request} ${title} ${abstract}\n" + REQUESTS, "[system]"),
    ("version: 2\n[system]\nS\n[user]\n${title} ${abstract}\n" + REQUESTS, "[user] must use exactly"),
    ("version: 2\n[system]\nS\n[user]\n${request} ${title} ${abstract} costs $5\n" + REQUESTS, "[user] must use"),
    ("version: 2\n[system]\nS ${title}\n[user]\n${request} ${title} ${abstract}\n" + REQUESTS, "[system] must use at most"),
    ("version: 2\n[system]\nS\n[user]\n${request} ${title} ${abstract}\n[request ko]\nR\n", "missing: en, ja, zh"),
    ("version: 2\n[system]\nS\n[user]\n${request} ${title} ${abstract}\n" + REQUESTS + "[request fr]\nR\n", "unknown: fr"),
    ("version: 2\n[system]\nS\n[user]\n${request} ${title} ${abstract}\n" + REQUESTS.replace("R ko", "R ${title}"),
     "[request ko] must use at most no placeholder"),
    ("version: 2\nstray text\n[system]\nS\n[user]\n${request} ${title} ${abstract}\n" + REQUESTS, "before the [system]"),
    ("version: 2\n[system]\nS\n[system]\nS\n[user]\n${request} ${title} ${abstract}\n" + REQUESTS, "twice"),
])
def test_a_broken_prompt_file_is_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(PromptInvalid) as refused:
        parse_prompt(text, "summary-prompt.txt")
    assert "summary-prompt.txt" in str(refused.value) and problem in str(refused.value)
