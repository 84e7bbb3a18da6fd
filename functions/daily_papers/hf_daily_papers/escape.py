"""Every escaping function for untrusted (or configured) text that goes into a post.

A post is a YAML front matter block, then Liquid (Jekyll renders the body first), then kramdown
(GFM input) Markdown that may contain raw HTML. Four writers, one per place a value can land:

`md_text` — a paper's title, abstract, organization or summary in the body. It must come out in
the built page as the same visible text, on one line, and never become a tag, a link, emphasis,
a table, math, a kramdown extension, a typographic symbol or a Liquid tag. Plain prose is left
as it is in the source; only the characters that would start markup are escaped:

- whitespace (newlines, tabs, control characters, line/paragraph separators) folds to single
  spaces, so an item stays one list entry and no line can start a block; format characters
  (zero-width joiners, soft hyphens, bidi marks) are kept: they hold emoji sequences and words
  together;
- `\\` is doubled where kramdown (GFM) would read it as an escape (before punctuation, `~`
  included, or at the end);
- `* _ ` [ ] | $` get a backslash (emphasis, code, links/images/footnotes, tables, math);
- `<` becomes `&lt;` (raw HTML, autolinks, comments), `&` before an entity name becomes `&amp;`;
- `{` before `{`, `%` or `:` becomes `&#123;` (Liquid output/tags, kramdown IALs/extensions);
- a `~` next to another `~` becomes `&#126;` (GFM strikethrough);
- a `>` next to another `>` becomes `&gt;` (kramdown would set `>>` as »; `<<` is already
  `&lt;&lt;`).

`md_code_span` — text shown as code (the digests' keywords): inside a code span Markdown escapes
and entities are shown literally, so the rules above would put visible backslashes and `&#123;`
into the page. See its docstring.

`yaml_scalar` — a front-matter value: a YAML scalar that parses back (YAML 1.1, as Jekyll's Psych
reads it) to exactly the given string.

`https_url` — an untrusted URL used as a link target or image path: only `https://` with a plain
host, percent-encoded so that no character of it can end the link or start Markdown, HTML or
Liquid.

`html_text` — text that a theme prints into HTML without escaping (Chirpy's image caption).
"""

from __future__ import annotations

import re
import unicodedata

_KRAMDOWN_ESCAPABLE = r"\\.*_+\-`()\[\]{}#!:|\"'$=<>~"  # kramdown-parser-gfm's ESCAPED_CHARS
_REPLACEMENT = {"<": "&lt;", "&": "&amp;", "{": "&#123;", "~": "&#126;", ">": "&gt;"}
# The same rules split in two (character by character they are independent, so the result is
# the same): what depends on the neighbours (a regex, run only when such a character is there) ...
_CONTEXTUAL = re.compile(
    r"\\(?=[" + _KRAMDOWN_ESCAPABLE + r"]|$)"
    r"|&(?=#?[A-Za-z0-9]+;)"
    r"|\{(?=[{%:])"
    r"|~(?=~)|(?<=~)~"
    r"|>(?=>)|(?<=>)>"
)
_MAYBE_CONTEXTUAL = re.compile(r"[\\&{~>]")
# ... and what is escaped wherever it stands.
_ALWAYS = str.maketrans({**{ch: "\\" + ch for ch in "*_`[]|$"}, "<": "&lt;"})


def _folds(ch: str) -> bool:
    """Characters that end a line or act as a space: control (Cc), separators (Z*).

    Format characters (Cf: ZWJ, soft hyphen, bidi marks) are not among them: they are part of
    the text. A lone surrogate (Cs, from a `\\ud800` JSON escape) cannot be written as UTF-8 at
    all; it becomes U+FFFD, the replacement character, which is what a reader would see.
    """
    return unicodedata.category(ch) in ("Cc", "Zs", "Zl", "Zp")


def fold_whitespace(text: str) -> str:
    """Every run of whitespace or control characters becomes one space; ends are trimmed."""
    if not text.isprintable():
        text = "".join(" " if _folds(ch) else "\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return " ".join(text.split())


def md_text(text: str) -> str:
    """Untrusted text → Markdown source that renders as exactly that text, on one line."""
    text = fold_whitespace(text)
    if _MAYBE_CONTEXTUAL.search(text):  # the few characters whose escape depends on their neighbours
        text = _CONTEXTUAL.sub(_escape_one, text)
    return text.translate(_ALWAYS)  # the others, in one pass at C speed


def _escape_one(match: re.Match[str]) -> str:
    ch = match.group()
    return _REPLACEMENT.get(ch) or "\\" + ch


_BACKTICKS = re.compile(r"`+")
_LIQUID_OPENER = re.compile(r"\{(?=[{%])")


def md_code_span(text: str) -> str:
    """Untrusted text → a complete Markdown code span (fences included) showing exactly that text.

    Inside a code span kramdown prints everything literally: `*`, `_`, `[`, `|`, `$`, `\\`, `<`
    and `&` need nothing (kramdown HTML-escapes the span's content itself), and backslash escapes
    or entities would show up as written. That is why this is not `md_text`. What is left:

    - whitespace folds to single spaces, as in `md_text` (one line, one list item);
    - a backtick run inside the text would close the span: the fence is one backtick longer than
      the longest run in the text (the CommonMark/kramdown rule), and a text that starts or ends
      with a backtick is padded with one space on each side, which kramdown strips;
    - Liquid runs on the whole file before Markdown, code spans included: each `{` that would
      open `{{` or `{%` is written as the Liquid expression `{{ "{" }}`, which Liquid turns back
      into `{`, so kramdown, and the reader, see the original text.

    Empty (or all-whitespace) text has no code span; it gives "".
    """
    text = fold_whitespace(text)
    if not text:
        return ""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    body = _LIQUID_OPENER.sub('{{ "{" }}', text)
    if text.startswith("`") or text.endswith("`"):
        body = f" {body} "
    return f"{fence}{body}{fence}"


# -- YAML ---------------------------------------------------------------------------------------
# Words YAML 1.1 resolves to a boolean or null (Psych compares them case-insensitively, PyYAML
# only in three spellings; the stricter reading wins), and the merge/value keys.
_YAML_RESERVED = frozenset(
    ["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "=", "<<"]
)
# A first character that is an indicator, starts a number, date or time (YAML 1.1 reads
# `1_000`, `0x1F`, `1:20`, `2026-02-25`, `.5`, `-1`, `+1` as numbers or dates) or a Ruby symbol
# (`:x`), or is a space.
_YAML_BAD_START = frozenset("-?:,[]{}#&*!|>'\"%@`0123456789+. \t=<~\\")
# Characters never left in a plain scalar: flow indicators (the same writer serves flow
# sequences such as `categories: [a, b]`) and the quote/escape characters.
_YAML_BAD_ANYWHERE = frozenset(",[]{}\"'\\")


def _yaml_plain_char(ch: str) -> bool:
    """Printable in every YAML 1.1 reader and never a line break: ASCII 0x20-0x7E, or a
    non-ASCII letter, mark, number, punctuation or symbol (not a control, format, separator,
    surrogate, private-use or unassigned character, and not the BOM)."""
    if " " <= ch <= "~":
        return True
    return ch > "\x7f" and unicodedata.category(ch)[0] in "LMNPS"


def yaml_plain_safe(value: str) -> bool:
    """True when `value` written as a plain scalar reads back as exactly this string."""
    return bool(
        value
        and value[0] not in _YAML_BAD_START
        and value[-1] not in " :"
        and value.lower() not in _YAML_RESERVED
        and ": " not in value
        and " #" not in value
        and not any(ch in _YAML_BAD_ANYWHERE for ch in value)
        and all(_yaml_plain_char(ch) for ch in value)
    )


_YAML_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


def _yaml_escape_one(ch: str) -> str:
    if ch in _YAML_ESCAPES:
        return _YAML_ESCAPES[ch]
    if _yaml_plain_char(ch):
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"


def yaml_scalar(value: str) -> str:
    """A string → a YAML scalar (one line) that parses back to exactly that string.

    Plain when that is safe under YAML 1.1 (Jekyll reads front matter with Ruby's Psych, a YAML
    1.1 parser: `yes`/`no`/`on` are booleans, `1234` an integer, `2026-02-25` a date), so
    ordinary values such as `lim4349` or `Hugging Face Daily Papers - 2026-02-25` look as
    written; otherwise double-quoted, with `\\` and `"` escaped and every character that is not
    plainly printable (controls, line breaks, format characters, surrogates) as a `\\x`/`\\u`
    escape.
    """
    if yaml_plain_safe(value):
        return value
    return '"' + "".join(_yaml_escape_one(ch) for ch in value) + '"'


# -- URLs ---------------------------------------------------------------------------------------
_URL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/:?=&+,@#")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}(?::[0-9]{{1,5}})?")


def https_url(value: object) -> str | None:
    """An untrusted URL → a link target safe in Markdown, HTML and Liquid, or None.

    Only `https://` URLs (scheme in any case) whose host is a plain DNS name or IPv4 address
    (optionally with a port) are kept: no `javascript:`, no `http:`, no user:password@, no
    IPv6 or internationalized host. Surrounding whitespace is trimmed. In the rest, every
    character outside a conservative safe set (letters, digits and `-._~/:?=&+,@#`) is
    percent-encoded as UTF-8, a `%` included unless it already starts a valid `%XX` escape.
    What is left cannot close the link (`)`, space, `>`), open markup (`<`, `[`, `*`, `` ` ``,
    `{`, `|`, `$`, `\\`, `!`), form an entity (`;` is encoded) or leave an HTML attribute
    (`"`, `'`).
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text[:8].lower() != "https://":
        return None
    rest = text[8:]
    cut = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    host, tail = rest[:cut], rest[cut:]
    if not _HOST.fullmatch(host):
        return None
    try:
        encoded = "".join(_url_piece(piece) for piece in _split_percent(tail))
    except UnicodeEncodeError:  # a lone surrogate: not a URL anyone can visit
        return None
    return f"https://{host.lower()}{encoded}"


def _split_percent(text: str) -> list[str]:
    """Pieces of `text`: valid `%XX` escapes alone, everything else one character at a time."""
    pieces: list[str] = []
    i = 0
    while i < len(text):
        if _PERCENT.match(text, i):
            pieces.append(text[i : i + 3])
            i += 3
        else:
            pieces.append(text[i])
            i += 1
    return pieces


def _url_piece(piece: str) -> str:
    if len(piece) == 3 or piece in _URL_SAFE:
        return piece
    return "".join(f"%{byte:02X}" for byte in piece.encode("utf-8"))


# -- HTML ---------------------------------------------------------------------------------------
_HTML_SPECIAL = re.compile(r'<|>|"|&(?=#?[A-Za-z0-9]+;)')
_HTML_REPLACEMENT = {"<": "&lt;", ">": "&gt;", '"': "&quot;", "&": "&amp;"}


def html_text(text: str) -> str:
    """Untrusted text → one line that shows as that text when printed raw into HTML content
    or a double-quoted attribute: whitespace folded, `<`, `>`, `"` and an `&` that would start a
    character reference written as references. (Chirpy prints `image.alt` unescaped as the
    image's caption, and Chirpy 5 also as the `alt` attribute, whose tag its
    `refactor-content.html` cuts at the first `>`.)"""
    return _HTML_SPECIAL.sub(lambda m: _HTML_REPLACEMENT[m.group()], fold_whitespace(text))
