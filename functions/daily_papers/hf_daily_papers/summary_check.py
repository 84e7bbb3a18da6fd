"""The grounding check of a model's summary (issue 16 §1): a pure function, no I/O.

An answer is accepted only when every rule holds; otherwise it is rejected with short named
reasons (`"unsupported figure: 3 %"`, `"unsupported name: CIFAR-10"`, `"wrong language:
expected ko"`, `"cut: stopReason max_tokens"`, `"empty"`, `"refusal"`, `"too long"`, …):

- **Grounded figures.** Every number in the answer (integers, decimals, percentages, multipliers
  `3.2×`/`3.2x`/`3.2배`, both ends of a range `1–3`) is in the title or the abstract, after
  normalising both: full-width digits and letters (NFKC), thousands separators, `%` / `percent` /
  `퍼센트` / `percentage points` / `%p`, `x` / `×` / `times` / `-fold` / `배` / `倍`, LaTeX `\\%`
  and `\\times`. A plain number is grounded by the same value anywhere in the paper's text; a
  percentage needs a percentage (or points) of that value, a multiplier a multiplier.
  Numbers that are part of a name (`GPT-4o`, `CIFAR-10`, `Llama-3.1-8B`, `7B`) are names.
- **Grounded names.** Every Latin-script term that names something is in the title or the
  abstract, ignoring case, hyphens, spaces and a plural `s` (`Chain-of-Experience` ~ `chain of
  experience`, `LLMs` ~ `LLM`); an acronym may also stand for words of the paper (`SOTA` for
  `state-of-the-art`, `RL` for `reinforcement learning`). In an answer in Korean, Japanese or Chinese every Latin-script
  word of two letters or more is such a term (the prose is in another script). In English the
  terms are the words with two capitals (`MMLU`, `EnvHarness`), a capital after a small letter
  (`iPhone`), letters and digits (`GPT-4o`, `3D`), a hyphen (`zero-shot`), or a capital inside a
  sentence (`Minecraft`). `GENERIC_TERMS` (also named in the prompt) are allowed anywhere.
- **The asked language.** Mostly in the script of the language: `ko` Hangul, `ja` kana (present)
  and Han, `zh` Han with no kana or Hangul, `en` Latin. Measured over the words outside names:
  Latin names (and numbers) do not count against a Korean answer, English prose does.
- **Complete.** `stopReason` is `end_turn`; some visible text is left once invisible characters
  (zero-width, format, filler characters) are set aside; its length is within bounds; it ends a
  sentence; it is not a refusal or an apology (in any of the four languages).

What it cannot see: a wrong statement made only of the abstract's own words and numbers (a
claim inverted, a figure attached to the wrong method, "improves" where the paper says
"matches"), and figures or names written out in words or in another script (`three`, `세 가지`,
`트랜스포머`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

#: The languages a summary can be asked in (SUMMARY_LANGUAGE), and their English names.
LANGUAGES: dict[str, str] = {"ko": "Korean", "en": "English", "ja": "Japanese", "zh": "Chinese"}
#: Latin-script terms an answer may use although the paper does not (the prompt names them too).
GENERIC_TERMS: tuple[str, ...] = ("AI", "LLM")
#: Visible characters (whitespace folded) an answer must have, per language, and may have.
MIN_CHARS: dict[str, int] = {"ko": 40, "ja": 40, "zh": 30, "en": 80}
MAX_CHARS = 1000
#: Share of an answer's words (outside names and numbers) that must be in the language's script.
MIN_SCRIPT_SHARE = 0.6
END_TURN = "end_turn"


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reasons: tuple[str, ...]  # empty when accepted
    unsupported: tuple[str, ...]  # the figures and names not found in the title or abstract


def check_summary(text: str, stop_reason: str, *, title: str, abstract: str, language: str) -> Verdict:
    """Whether `text` (the model's answer, with its `stopReason`) may be published as the summary
    of the paper with this title and abstract, in `language` (a key of LANGUAGES)."""
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: expected one of {', '.join(LANGUAGES)}")
    reasons: list[str] = []
    if stop_reason != END_TURN:
        reasons.append(f"cut: stopReason {stop_reason or 'missing'}")
    shown = visible(text)
    if not any(_is_alnum(c) for c in shown):
        return Verdict(False, (*reasons, "empty"), ())
    folded = " ".join(unicodedata.normalize("NFKC", shown).split())
    if len(folded) > MAX_CHARS:
        reasons.append("too long")
    elif len(folded) < MIN_CHARS[language]:
        reasons.append("too short")
    if not _ends_a_sentence(folded) and stop_reason == END_TURN:
        reasons.append("cut: ends mid-sentence")
    if _REFUSAL.search(folded):
        reasons.append("refusal")
    source = _source(f"{title}\n{abstract}")
    normal = _normalise(folded)
    terms = list(_terms(normal))
    names_in = language
    if not _in_language(normal, terms, language):
        reasons.append(f"wrong language: expected {language}")
        names_in = "en"  # its Latin words are not all names: look for names the English way
    unsupported: list[str] = []
    for figure in _figures(_masked(normal, terms)):
        if not source.has_figure(figure) and figure.shown not in unsupported:
            unsupported.append(figure.shown)
            reasons.append(f"unsupported figure: {figure.shown}")
    for term in terms:
        if _names_something(term, names_in) and not source.has_term(term.text) and term.text not in unsupported:
            unsupported.append(term.text)
            reasons.append(f"unsupported name: {term.text}")
    return Verdict(not reasons, tuple(reasons), tuple(unsupported))


# ---------------------------------------------------------------------------------------------
# Visible text

#: Characters that show nothing although Unicode calls them letters or symbols.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def visible(text: str) -> str:
    """`text` without invisible characters (format/zero-width, controls other than whitespace,
    private use, unassigned, Hangul fillers, the blank Braille pattern), ends stripped."""
    kept = []
    for char in text:
        if char in _FILLERS:
            continue
        category = unicodedata.category(char)
        if category in ("Cf", "Co", "Cs", "Cn") or (category == "Cc" and not char.isspace()):
            continue
        kept.append(char)
    return "".join(kept).strip()


def _is_alnum(char: str) -> bool:
    return unicodedata.category(char)[0] in ("L", "N")


_CLOSERS = "\"'”’»)]}」』）】〕>"
_ENDS = frozenset(".!?。！？")


def _ends_a_sentence(text: str) -> bool:
    """Ends with a full stop, question or exclamation mark (then maybe a quote or bracket); an
    ellipsis is where a text was cut, not a sentence's end."""
    end = text.rstrip(_CLOSERS + " ")
    return end[-1:] in _ENDS and not end.endswith(("...", "…."))


# ---------------------------------------------------------------------------------------------
# Refusals and apologies, in the four languages

_REFUSAL = re.compile(
    "|".join([
        # English
        r"\bI(?:'m| am) sorry\b", r"\bI apologi[sz]e\b", r"\bsorry, (?:but )?I\b",
        r"\bI (?:cannot|can't|can not|am unable to|'m unable to|am not able to|won't|will not)\b",
        r"\bAs an AI\b",
        # Korean
        r"죄송(?:합니다|하지만|하게도|해요)", r"유감스럽게도", r"사과드립니다",
        r"(?:요약|답변|제공|작성)(?:을|를)?\s*(?:해\s*)?드릴\s*수\s*(?:가\s*)?없", r"요약할\s*수\s*(?:가\s*)?없",
        r"도와\s*드릴\s*수\s*없", r"AI\s*(?:언어\s*)?모델(?:로서|로써|이기\s*때문에)",
        # Japanese
        r"申し訳(?:ありません|ございません|ない)", r"すみません", r"残念ながら",
        r"(?:要約|お手伝い|お答え)(?:すること)?(?:は|が)?(?:でき(?:ません|かねます))",
        r"AI(?:言語)?モデルとして",
        # Chinese
        r"抱歉", r"对不起", r"很遗憾", r"我(?:无法|不能)", r"作为(?:一个)?(?:AI|人工智能)",
    ]),
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------------------------
# Normalising figures


def _normalise(text: str) -> str:
    """NFKC (full-width digits, letters, `％`), LaTeX percent and times, thousands separators;
    units after a number as `%` or `×`; a range's unit given to both ends (`1–3 %` → `1%-3%`);
    scale words multiplied out (`4 million`, `400만` → 4000000)."""
    text = unicodedata.normalize("NFKC", text)
    text = _TIMES_NAME.sub("×", text)
    for pattern, replacement in _UNIT_RULES:
        text = pattern.sub(replacement, text)
    return _SCALED.sub(_scaled, text)


_NUMBER = r"\d+(?:\.\d+)?"
_RULES: tuple[tuple[str, str], ...] = (
    (r"\\%", "%"),
    (r"\$?\\times\$?", "×"),
    (r"(?<=\d)\s*times(?![a-z])|(?<=\d)times", "×"),  # `5.6times` (a LaTeX \times lost)
    (r"(?<=\d),(?=\d{3}(?!\d))", ""),  # 1,481 → 1481
    (r"(?<=\d)\s*(?:percentage[ -]points?|percent(?:age)?|per cent|pp(?![a-z])|p\.p\.|%p|"
     r"퍼센트\s*포인트|퍼센트|포인트|%\s*포인트|パーセント(?:ポイント)?|ポイント|个百分点|百分点)", "%"),
    (r"(?<=\d)\s*-?\s*points?(?![a-z])", "%"),  # `9.0-point improvement`
    (r"(?<=\d)\s*(?:[x×](?![a-z0-9])|-?fold(?![a-z])|배(?!치|포|열|경|율|우)|倍)", "×"),
    (rf"({_NUMBER})\s*(?:-{{1,3}}|[–—~〜]|\bto\b)\s*({_NUMBER})\s*([%×])", r"\1\3-\2\3"),
)
_UNIT_RULES = tuple((re.compile(pattern, re.IGNORECASE), replacement) for pattern, replacement in _RULES)
_TIMES_NAME = re.compile(r"(?<=\d)[x×](?=[A-Z])")  # 8xH100: eight of a name
#: Scale words after a number, in the four languages: `4 million` = `400만` = `400万`.
_SCALES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12, "천": 3, "만": 4, "십만": 5, "백만": 6,
           "천만": 7, "억": 8, "조": 12, "千": 3, "万": 4, "百万": 6, "千万": 7, "亿": 8, "億": 8, "兆": 12}
_SCALED = re.compile(
    rf"({_NUMBER})\s*(thousand|million|billion|trillion)(?![a-z])|({_NUMBER})(십만|백만|천만|천|만|억|조|百万|千万|千|万|亿|億|兆)",
    re.IGNORECASE,
)
#: Numbers written as English words in a title or abstract ground the same figure in digits.
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                 "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")
_WORDS = {word: n for n, word in enumerate(_NUMBER_WORDS)} | {"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100}
_WORD = re.compile(rf"\b({'|'.join(_WORDS)})\b", re.IGNORECASE)
#: …and multiplier words a multiplier: "doubles the speed" grounds 2× (2배).
_TIMES_WORDS = {"twice": 2, "double": 2, "doubles": 2, "doubled": 2, "doubling": 2, "triple": 3, "triples": 3,
                "tripled": 3, "tripling": 3, "threefold": 3, "fourfold": 4, "tenfold": 10}
_TIMES_WORD = re.compile(rf"\b({'|'.join(_TIMES_WORDS)})\b", re.IGNORECASE)


def _scaled(match: re.Match[str]) -> str:
    number = match.group(1) or match.group(3)
    scale = (match.group(2) or match.group(4)).lower()
    return format((Decimal(number) * Decimal(10) ** _SCALES[scale]).normalize(), "f")


@dataclass(frozen=True)
class _Figure:
    value: Decimal
    unit: str  # "", "%", "×"
    shown: str


def _figures(text: str) -> Iterator[_Figure]:
    for match in re.finditer(rf"(?<![\d.])({_NUMBER})(?!\d)\s*([%×]?)", text):
        value = _decimal(match.group(1))
        if value is not None:
            unit = match.group(2)
            yield _Figure(value, unit, f"{match.group(1)} %" if unit == "%" else match.group(1) + unit)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text).normalize()
    except InvalidOperation:
        return None


# ---------------------------------------------------------------------------------------------
# Latin-script terms

_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
#: A run of Latin letters and digits, parts joined by a hyphen or a dot (`Llama-3.1-8B`).
_CHUNK = re.compile(rf"[{_LATIN}0-9]+(?:[-‐‑.][{_LATIN}0-9]+)*")
_HAS_LETTER = re.compile(rf"[{_LATIN}]")
#: Where a sentence starts: a capital there is not a sign of a name.
_SENTENCE_START = re.compile(r"(?:^|[.!?:;。]\s*|[\"'“‘(\[]\s*)$")


@dataclass(frozen=True)
class _Term:
    text: str
    start: int
    end: int
    sentence_start: bool


def _terms(text: str) -> Iterator[_Term]:
    """The Latin-script words of `text` (runs with at least one Latin letter), in order."""
    for match in _CHUNK.finditer(text):
        word = match.group()
        if _HAS_LETTER.search(word):
            before = text[max(0, match.start() - 3): match.start()]
            yield _Term(word, match.start(), match.start() + len(word), bool(_SENTENCE_START.search(before)))


def _masked(text: str, terms: Iterable[_Term]) -> str:
    """`text` with every term blanked out: the digits of a name are not figures."""
    chars = list(text)
    for term in terms:
        chars[term.start:term.end] = " " * (term.end - term.start)
    return "".join(chars)


def _names_something(term: _Term, language: str) -> bool:
    word = term.text
    letters = [c for c in word if c.isalpha()]
    if len(word) < 2 or _compact(word) in _GENERIC:
        return False
    if language != "en":
        return len(letters) >= 2 or any(c.isdigit() for c in word)  # Latin words in other scripts' prose
    if any(c.isdigit() for c in word) or "-" in word or sum(c.isupper() for c in word) >= 2:
        return True
    if re.search(r"[a-z][A-Z]", word):
        return True
    return word[0].isupper() and not term.sentence_start


def _parts(text: str) -> list[str]:
    """Lower-case letter runs and digit runs: `GPT-4o` → gpt, 4, o."""
    return re.findall(rf"[{_LATIN}]+|[0-9]+", text.lower())


def _compact(text: str) -> str:
    return "".join(_parts(text))


_GENERIC = frozenset(_compact(term) for term in GENERIC_TERMS) | frozenset(
    _compact(term) + "s" for term in GENERIC_TERMS
)


@functools.lru_cache(maxsize=64)  # a retry checks the same paper again; the bench checks each paper often
def _source(text: str) -> _Source:
    return _Source(text)


class _Source:
    """The title and abstract, indexed for the two grounding rules."""

    def __init__(self, text: str) -> None:
        text = _normalise(" ".join(text.split()))
        terms = list(_terms(text))
        self.figures: set[tuple[Decimal, str]] = {(f.value, f.unit) for f in _figures(_masked(text, terms))}
        for term in terms:  # the digits inside names ground plain numbers (CIFAR-10 → 10)
            for number in re.findall(_NUMBER, term.text):
                value = _decimal(number)
                if value is not None:
                    self.figures.add((value, ""))
        self.figures.update((Decimal(_WORDS[w.lower()]), "") for w in _WORD.findall(text))  # "ten identities"
        self.figures.update((Decimal(_TIMES_WORDS[w.lower()]), "×") for w in _TIMES_WORD.findall(text))
        self.parts = _parts(text)
        self.starts: dict[str, list[int]] = {}
        for i, part in enumerate(self.parts):
            self.starts.setdefault(part[0], []).append(i)
        self.words = re.findall(rf"[{_LATIN}]+", text.lower())
        self.initials = "".join(w[0] for w in self.words)

    def has_figure(self, figure: _Figure) -> bool:
        if not figure.unit:
            return any(value == figure.value for value, _ in self.figures)
        return (figure.value, figure.unit) in self.figures

    def has_term(self, word: str) -> bool:
        compact = _compact(word)
        forms = {compact, compact + "s", compact + "es"}  # a plural of the paper's word, or its singular
        if compact.endswith("s"):
            forms |= {compact[:-1], compact[:-2]}
        if compact.endswith("y"):
            forms.add(compact[:-1] + "ies")
        if compact.endswith("ies"):
            forms.add(compact[:-3] + "y")
        if any(self._consecutive(form) for form in forms if form):
            return True
        acronym = re.fullmatch(r"([A-Z]{2,6})s?", word)  # the initials of the paper's own words
        return acronym is not None and self._abbreviates(acronym.group(1).lower())

    def _consecutive(self, compact: str) -> bool:
        """`compact` is the concatenation of consecutive parts of the paper's text."""
        for i in self.starts.get(compact[0], ()):
            joined = ""
            for part in self.parts[i:]:
                joined += part
                if not compact.startswith(joined):
                    break
                if joined == compact:
                    return True
        return False

    def _abbreviates(self, acronym: str) -> bool:
        """SOTA ← state-of-the-art, RL ← reinforcement learning (two letters: words of 4+ letters)."""
        at = self.initials.find(acronym)
        while at >= 0:
            if len(acronym) > 2 or min(len(w) for w in self.words[at:at + 2]) >= 4:
                return True
            at = self.initials.find(acronym, at + 1)
        return False


# ---------------------------------------------------------------------------------------------
# The asked language

_HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3131-\u318e\ua960-\ua97f\ud7b0-\ud7ff"
_KANA = "\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
_HAN = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\u3005\U00020000-\U0002ffff"
_RUNS = re.compile(rf"(?P<hangul>[{_HANGUL}]+)|(?P<kana>[{_KANA}]+)|(?P<han>[{_HAN}]+)")


def _in_language(text: str, terms: list[_Term], language: str) -> bool:
    """Mostly in the language's script: of the words outside Latin names and numbers, at least
    MIN_SCRIPT_SHARE are in its script (ja: with kana; zh: no kana, no Hangul)."""
    runs = {"hangul": 0, "kana": 0, "han": 0}
    for match in _RUNS.finditer(text):
        runs[str(match.lastgroup)] += 1
    latin = sum(1 for term in terms if not _names_something(term, "en") and sum(c.isalpha() for c in term.text) > 1)
    if language == "en":
        other = sum(runs.values())
        return other == 0 or latin / (latin + other) >= 0.9
    if language == "ko":
        ours = runs["hangul"]
    elif language == "ja":
        if runs["kana"] == 0:
            return False
        ours = runs["kana"] + runs["han"]
    else:  # zh
        if runs["kana"] or runs["hangul"]:
            return False
        ours = runs["han"]
    total = sum(runs.values()) + latin
    return total > 0 and ours / total >= MIN_SCRIPT_SHARE
