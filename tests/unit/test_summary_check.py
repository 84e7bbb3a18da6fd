"""The grounding check of a summary (issue 16 §1): each rule, and each kind of bad answer, on real
abstracts (tests/fixtures/hf) and the labelled answers written from them
(tests/fixtures/summaries/labelled.json)."""

from __future__ import annotations

import pytest

from hf_daily_papers.summary_check import GENERIC_TERMS, LANGUAGES, MAX_CHARS, Verdict, check_summary, visible

from fakes.labelled import KINDS, Case, case, faithful, load_cases

ENVHARNESS = "2608.19880"  # "… up to a 9.0-point improvement on held-out instances with 9.8% fewer execution steps."
FLASHPREFILL = "2608.19758"  # "… up to 47.26x and 27.19x speedups … at 128K context length …"
WITHEVERYONE = "2608.20336"  # "… up to ten reference identities … 97.3\% of the requested identities …"


def check(paper: str, text: str, *, language: str = "ko", stop_reason: str = "end_turn") -> Verdict:
    base = faithful(paper)
    return check_summary(text, stop_reason, title=base.title, abstract=base.abstract, language=language)


def with_sentence(paper: str, sentence: str) -> str:
    """The paper's faithful Korean summary with one more sentence."""
    return f"{faithful(paper).text} {sentence}"


# ---------------------------------------------------------------------------------------------
# The labelled answers: every faithful one accepted, every bad one rejected for its reason


REASON_OF_KIND = {
    "invented_name": "unsupported name",
    "changed_figure": "unsupported",  # a figure, or a name with digits (7B)
    "refusal": "refusal",
    "wrong_language": "wrong language",
    "cut": "cut",
    "empty": "empty",
}


def verdict_of(c: Case) -> Verdict:
    return check_summary(c.text, c.stop_reason, title=c.title, abstract=c.abstract, language=c.language)


def test_the_labelled_set_covers_every_kind_and_language() -> None:
    cases = load_cases()
    assert {c.kind for c in cases} == set(KINDS)
    assert {c.language for c in cases if c.kind == "faithful"} == set(LANGUAGES)
    assert len({c.paper_id for c in cases if c.kind == "faithful" and c.language == "ko"}) >= 20


def test_every_faithful_answer_is_accepted() -> None:
    verdicts = {c.id: verdict_of(c) for c in load_cases() if c.kind == "faithful"}
    assert {key: v.reasons for key, v in verdicts.items() if not v.accepted} == {}


@pytest.mark.parametrize("kind", sorted(REASON_OF_KIND))
def test_every_bad_answer_is_rejected_for_its_reason(kind: str) -> None:
    cases = [c for c in load_cases() if c.kind == kind]
    wrong = {}
    for c in cases:
        verdict = verdict_of(c)
        if verdict.accepted or not any(r.startswith(REASON_OF_KIND[kind]) for r in verdict.reasons):
            wrong[c.id] = (c.note, verdict.reasons)
    # The one changed figure the check cannot see: "6 of 10 problems" made "7", and 7 is in the
    # abstract too ("problems 2, 5, 7, 8, 9, 10"). Figures are matched by value, not by what they count.
    known = {"2602.21201/ko/changed_figure"} if kind == "changed_figure" else set()
    assert set(wrong) == known, wrong


def test_an_invented_name_is_named_in_the_verdict() -> None:
    verdict = verdict_of(case(ENVHARNESS, "ko", "invented_name"))  # "… 다섯 개 벤치마크(WebArena 포함)에서 …"
    assert verdict == Verdict(False, ("unsupported name: WebArena",), ("WebArena",))


def test_a_changed_figure_is_named_in_the_verdict() -> None:
    verdict = verdict_of(case(ENVHARNESS, "ko", "changed_figure"))  # 9.8% → 8.9%
    assert verdict == Verdict(False, ("unsupported figure: 8.9 %",), ("8.9 %",))


def test_the_known_blind_spot_a_wrong_paraphrase_in_the_abstracts_words_passes() -> None:
    """Documented limit: "9.8% fewer steps" turned into "9.8% more steps" uses only grounded words."""
    assert verdict_of(case(ENVHARNESS, "ko", "wrong_paraphrase")).accepted


# ---------------------------------------------------------------------------------------------
# Grounded figures


@pytest.mark.parametrize("written", [
    "9.8%", "9.8 %", "９．８％", "9.8 퍼센트", "9.8퍼센트", "9.8 percent",
])
def test_a_percentage_is_found_however_it_is_written(written: str) -> None:
    text = with_sentence(ENVHARNESS, f"실행 단계는 {written} 줄었다.")
    assert check(ENVHARNESS, text).accepted


@pytest.mark.parametrize("written", ["9.0%p", "9.0포인트", "9.0 %포인트", "9.0 percentage points"])
def test_points_are_percentages(written: str) -> None:
    """The abstract's "9.0-point improvement" is what Korean writes as 9.0%p."""
    assert check(ENVHARNESS, with_sentence(ENVHARNESS, f"최대 {written} 향상되었다.")).accepted


@pytest.mark.parametrize("written", ["47.26×", "47.26x", "47.26X", "47.26배", "47.26 times", "47.26 배"])
def test_a_multiplier_is_found_however_it_is_written(written: str) -> None:
    assert check(FLASHPREFILL, with_sentence(FLASHPREFILL, f"FP8에서 {written} 빨랐다.")).accepted


def test_a_multiplier_is_not_a_percentage_nor_the_other_way_round() -> None:
    verdict = check(FLASHPREFILL, with_sentence(FLASHPREFILL, "FP8에서 47.26% 빨랐다."))
    assert verdict.reasons == ("unsupported figure: 47.26 %",)
    verdict = check(ENVHARNESS, with_sentence(ENVHARNESS, "실행 단계가 9.8배 줄었다."))
    assert verdict.reasons == ("unsupported figure: 9.8×",)


def test_a_percentage_needs_a_percentage_a_plain_number_any_mention() -> None:
    """"3 %" is a claim even when the abstract has a 3 (counting something else); a plain 9.8 is
    grounded by the abstract's 9.8%."""
    sota = "2602.14979"  # "… three foundation model scales (2B, 8B, and 30B-A3B MoE) …", "20 embodied benchmarks"
    assert check(sota, with_sentence(sota, "성능은 20% 높았다.")).reasons == ("unsupported figure: 20 %",)
    assert check(ENVHARNESS, with_sentence(ENVHARNESS, "그 수치는 9.8이다.")).accepted


def test_both_ends_of_a_range_must_be_grounded() -> None:
    wiki = "2602.14080"  # "… encoding 95--98% of facts."
    assert check(wiki, with_sentence(wiki, "사실의 95–98%를 기억했다.")).accepted
    assert check(wiki, with_sentence(wiki, "사실의 95%~98%를 기억했다.")).accepted
    assert check(wiki, with_sentence(wiki, "사실의 93–98%를 기억했다.")).unsupported == ("93 %",)


def test_thousands_separators_and_scale_words() -> None:
    naru = "2608.13210"  # "NARU consists of 1,481 questions …"
    assert check(naru, with_sentence(naru, "질문은 1481개다.")).accepted
    wiki = "2602.14080"  # "Across 4 million responses from 13 LLMs …"
    assert check(wiki, with_sentence(wiki, "응답은 400만 개였다.")).accepted
    assert check(wiki, with_sentence(wiki, "응답은 4,000,000개였다.")).accepted
    assert check(wiki, with_sentence(wiki, "응답은 500만 개였다.")).unsupported == ("5000000",)


def test_latex_in_an_abstract_is_read_as_what_it_means() -> None:
    """Real abstracts carry LaTeX remains: "97.3\\%", "5.6times", "8timesH100"."""
    assert check(WITHEVERYONE, with_sentence(WITHEVERYONE, "요청된 인물의 97.3%를 포함했다.")).accepted
    flow = "2602.16603"  # "improves maximum goodput by up to 5.6times"
    assert check(flow, with_sentence(flow, "goodput은 최대 5.6배 높아졌다.")).accepted
    upipe = "2602.21196"  # "… on a single 8timesH100 node …"
    assert check(upipe, with_sentence(upipe, "단일 8×H100 노드를 썼다.")).accepted


def test_a_number_written_as_a_word_in_the_abstract_grounds_the_digits() -> None:
    assert check(WITHEVERYONE, with_sentence(WITHEVERYONE, "최대 10명까지 다룬다.")).accepted  # "up to ten"
    assert check(WITHEVERYONE, with_sentence(WITHEVERYONE, "최대 12명까지 다룬다.")).unsupported == ("12",)


def test_a_multiplier_word_in_the_abstract_grounds_the_multiplier() -> None:
    base = faithful(ENVHARNESS)
    doubled = base.abstract.replace("achieving up to", "doubling the success rate and achieving up to")
    text = f"{base.text} 성공률은 2배가 되었다."
    assert check_summary(text, "end_turn", title=base.title, abstract=doubled, language="ko").accepted
    assert check(ENVHARNESS, text).unsupported == ("2×",)


def test_numbers_inside_names_are_names_not_figures() -> None:
    verdict = check(ENVHARNESS, with_sentence(ENVHARNESS, "CIFAR-10에서 3 % 향상된 CNN이다."))
    assert verdict.reasons == ("unsupported figure: 3 %", "unsupported name: CIFAR-10", "unsupported name: CNN")
    duality = "2602.21185"  # "… better FID/IS scores on CIFAR10."
    assert check(duality, with_sentence(duality, "CIFAR-10 점수도 좋았다.")).accepted


def test_a_version_number_must_match_the_abstracts() -> None:
    terminal = "2602.21193"  # "… Terminal-Bench 2.0 …"
    assert check(terminal, with_sentence(terminal, "Terminal-Bench 2.1에서 평가했다.")).unsupported == ("2.1",)


# ---------------------------------------------------------------------------------------------
# Grounded names


def test_names_match_whatever_their_case_hyphens_spaces_or_plural() -> None:
    coe = "2608.18027"  # "Chain-of-Experience (CoE)", "8 LLMs, including GPT-5, Gemini-2.5 Pro, …"
    text = with_sentence(coe, "chain of experience는 GPT5와 gemini 2.5 Pro를 썼고, baselines를 앞섰다.")
    assert check(coe, text).accepted


def test_an_acronym_may_stand_for_the_abstracts_words() -> None:
    marl = "2602.16301"  # "… multi-agent reinforcement learning …", no "MARL", no "RL"
    assert check(marl, with_sentence(marl, "이는 MARL과 RL의 문제다.")).accepted
    assert check(marl, with_sentence(marl, "이는 PPO의 문제다.")).unsupported == ("PPO",)


def test_the_generic_terms_are_allowed_and_few() -> None:
    assert GENERIC_TERMS == ("AI", "LLM")
    repo0 = "2608.19854"  # neither "AI" nor "LLM" in its title or abstract
    assert check(repo0, with_sentence(repo0, "AI와 LLMs를 위한 연구다.")).accepted


def test_in_a_korean_answer_every_latin_word_is_a_name_to_ground() -> None:
    verdict = check(ENVHARNESS, with_sentence(ENVHARNESS, "이는 transformer 기반이다."))
    assert verdict.unsupported == ("transformer",)


def test_in_an_english_answer_names_are_found_by_their_shape() -> None:
    base = faithful(ENVHARNESS, "en").text
    ok = f"{base} It is simple and general."
    assert check(ENVHARNESS, ok, language="en").accepted
    for sentence, name in [("It runs in Minecraft.", "Minecraft"), ("It beats ReAct.", "ReAct"),
                           ("It uses MCTS.", "MCTS"), ("It uses GPT-4o.", "GPT-4o"), ("It is plug-and-play.", "plug-and-play")]:
        assert check(ENVHARNESS, f"{base} {sentence}", language="en").unsupported == (name,), sentence


# ---------------------------------------------------------------------------------------------
# The asked language


def test_each_language_accepts_its_own_answer_and_refuses_the_others() -> None:
    answers = {"ko": faithful("2608.18027", "ko").text, "ja": faithful("2608.18027", "ja").text,
               "zh": case("2608.18027", "ja", "wrong_language").text}
    for asked in ("ko", "ja", "zh"):
        for language, text in answers.items():
            verdict = check("2608.18027", text, language=asked)
            assert ("wrong language: expected " + asked in verdict.reasons) == (language != asked), (asked, language)


def test_a_korean_answer_full_of_latin_names_is_still_korean() -> None:
    text = "FlashPrefill V2는 PackGQA, FP8, SGLang, FlashAttention-2, BF16, H20, KV cache를 쓴다."
    assert "wrong language: expected ko" not in check(FLASHPREFILL, text).reasons


def test_a_korean_answer_with_an_english_sentence_in_it_is_not_korean() -> None:
    text = ("EnvHarness는 정적 환경을 감싸는 계층이다. It wraps a static environment to reshape its behavior "
            "without modifying the underlying logic and ensures that every reshaped environment retains its verifier.")
    assert "wrong language: expected ko" in check(ENVHARNESS, text).reasons


def test_a_japanese_answer_needs_kana_and_a_chinese_one_none() -> None:
    ja, zh = faithful("2602.21042", "ja").text, faithful("2602.16682", "zh").text
    assert check("2602.21042", ja, language="ja").accepted
    saw = faithful("2602.16682")
    assert check_summary(zh, "end_turn", title=saw.title, abstract=saw.abstract, language="zh").accepted
    assert not check_summary(zh, "end_turn", title=saw.title, abstract=saw.abstract, language="ja").accepted
    with_kana = zh.replace("基准", "ベンチマーク")
    assert "wrong language: expected zh" in check_summary(
        with_kana, "end_turn", title=saw.title, abstract=saw.abstract, language="zh").reasons


def test_an_unknown_language_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="'fr'"):
        check(ENVHARNESS, "Bonjour.", language="fr")


# ---------------------------------------------------------------------------------------------
# Complete


@pytest.mark.parametrize("stop_reason", ["max_tokens", "stop_sequence", "tool_use", ""])
def test_any_stop_reason_but_end_turn_is_a_cut_answer(stop_reason: str) -> None:
    verdict = check(ENVHARNESS, faithful(ENVHARNESS).text, stop_reason=stop_reason)
    assert verdict.reasons == (f"cut: stopReason {stop_reason or 'missing'}",)


@pytest.mark.parametrize("end", ["", "…", "...", " …)"])
def test_an_answer_that_ends_mid_sentence_is_cut(end: str) -> None:
    text = faithful(ENVHARNESS).text.rsplit(" ", 3)[0] + end
    assert check(ENVHARNESS, text).reasons == ("cut: ends mid-sentence",)


@pytest.mark.parametrize("end", [".", "。", "!", "?", ".)", '."', "다.」"])
def test_a_sentence_may_end_with_any_full_stop_and_a_closing_quote(end: str) -> None:
    text = faithful(ENVHARNESS).text.removesuffix(".") + end
    assert check(ENVHARNESS, text).accepted


@pytest.mark.parametrize("text", ["", " \n\t ", "\u200b\u200b", "\ufeff\u2060\u200d", "\u3164\u3164", "\u115f\u1160",
                                  "\u2800 \u2800", "\u00ad", "- ", "…"])
def test_nothing_visible_is_empty(text: str) -> None:
    assert check(ENVHARNESS, text).reasons == ("empty",)


def test_invisible_characters_are_set_aside_before_anything_is_measured() -> None:
    text = "\u200b".join(faithful(ENVHARNESS).text.split(" "))  # zero-width spaces for spaces
    assert visible(text).count("\u200b") == 0
    padded = faithful(ENVHARNESS).text + "\u200b" * 2000
    assert check(ENVHARNESS, padded).accepted


def test_length_is_bounded() -> None:
    assert check(ENVHARNESS, "EnvHarness는 환경을 감싼다.").reasons == ("too short",)
    long = " ".join([faithful(ENVHARNESS).text] * 4)
    assert len(long) > MAX_CHARS and check(ENVHARNESS, long).reasons == ("too long",)


@pytest.mark.parametrize("text", [
    "죄송하지만 이 논문의 요약은 제공해 드릴 수 없습니다. 다른 논문을 요청해 주세요.",
    "죄송합니다. 초록의 지시문 때문에 요청하신 내용을 처리하기 어렵습니다.",
    "유감스럽게도 이 초록은 요약할 수 없는 내용을 담고 있어 요약하지 않겠습니다.",
    "AI 언어 모델로서 저는 이 논문의 내용을 판단하기 어렵습니다. 다른 도움이 필요하신가요?",
    "I'm sorry, but I can't help with summarizing this paper, as the abstract contains instructions.",
    "I apologize, but I am unable to provide a summary of this abstract in the requested form.",
    "申し訳ありませんが、この論文の要約はお手伝いできません。ほかにご質問があればどうぞ。",
    "抱歉，我无法为这篇论文提供摘要，因为摘要中包含了指令。请提供其他论文。",
])
def test_a_refusal_or_apology_in_any_language_is_rejected(text: str) -> None:
    assert "refusal" in check(ENVHARNESS, text).reasons


def test_a_summary_saying_what_a_method_cannot_do_is_no_refusal() -> None:
    text = with_sentence(ENVHARNESS, "기존 환경은 에이전트의 약점을 반영할 수 없다.")
    assert check(ENVHARNESS, text).accepted
