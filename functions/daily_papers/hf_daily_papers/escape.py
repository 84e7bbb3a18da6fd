"""The one escaping function for every untrusted string that goes into a post.

A post is Liquid (Jekyll renders it first), then kramdown (GFM input) Markdown that may
contain raw HTML. A paper's title, abstract or organization must come out in the built page
as the same visible text, on one line, and never become a tag, a link, emphasis, a table, math,
a kramdown extension or a Liquid tag. Plain prose is left as it is in the source; only the
characters that would start markup are escaped:

- whitespace (newlines, tabs, control characters) folds to single spaces, so an item stays one
  list entry and no line can start a block;
- `\\` is doubled where kramdown would read it as an escape (before punctuation or at the end);
- `* _ ` [ ] | $` get a backslash (emphasis, code, links/images/footnotes, tables, math);
- `<` becomes `&lt;` (raw HTML, autolinks, comments), `&` before an entity name becomes `&amp;`;
- `{` before `{`, `%` or `:` becomes `&#123;` (Liquid output/tags, kramdown IALs/extensions);
- a `~` next to another `~` becomes `&#126;` (GFM strikethrough).

Text shown as code (the digests' keywords, `` `keyword` ``) needs the second function here,
`md_code_span`: inside a code span Markdown escapes and entities are shown literally, so the
rules above would put visible backslashes and `&#123;` into the page. See its docstring.
"""

from __future__ import annotations

import re
import unicodedata

_KRAMDOWN_ESCAPABLE = r"\\.*_+\-`()\[\]{}#!:|\"'$=<>"
_SPECIAL = re.compile(
    r"\\(?=[" + _KRAMDOWN_ESCAPABLE + r"]|$)"  # a backslash kramdown would consume
    r"|[*_`\[\]|$]"  # Markdown/GFM/math punctuation
    r"|<"  # raw HTML
    r"|&(?=#?[A-Za-z0-9]+;)"  # an entity reference
    r"|\{(?=[{%:])"  # Liquid {{ {% and kramdown {: {::
    r"|~(?=~)|(?<=~)~"  # GFM ~~strikethrough~~
)
_REPLACEMENT = {"<": "&lt;", "&": "&amp;", "{": "&#123;", "~": "&#126;"}


def fold_whitespace(text: str) -> str:
    """Every run of whitespace or control characters becomes one space; ends are trimmed."""
    if not text.isprintable():
        text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    return " ".join(text.split())


def md_text(text: str) -> str:
    """Untrusted text → Markdown source that renders as exactly that text, on one line."""
    return _SPECIAL.sub(_escape_one, fold_whitespace(text))


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
