"""Posts from Jinja2 templates (files in `templates/`).

Escaping happens in exactly one place: the environment's `finalize`, which passes every
string a template prints through `escape.md_text`. Values that are not untrusted text (numbers,
dates, URL parts built by the `url` filter, numbers formatted by `thousands`) are not strings
or are `Markup`, and print as they are. Text shown as code goes through the `code` filter
instead, which writes a whole code span with `escape.md_code_span` (the same module's second
function: Markdown escapes do not work inside code spans).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Sequence
from urllib.parse import quote

from .escape import md_code_span, md_text
from .models import Paper


class Trusted(str):
    """Text we produced ourselves (formatted numbers, URL parts): printed without escaping."""


def _finalize(value: Any) -> Any:
    if isinstance(value, Trusted):
        return value
    if isinstance(value, str):
        return md_text(value)
    return value


def _url_part(value: str) -> Trusted:
    return Trusted(quote(value, safe="/.-_~"))


def _thousands(value: int) -> Trusted:
    return Trusted(f"{value:,}")


def _two_decimals(value: float) -> Trusted:
    return Trusted(f"{value:.2f}")


def _code(value: str) -> Trusted:
    """Untrusted text as a code span, fences included (escape.md_code_span does the escaping)."""
    return Trusted(md_code_span(value))


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2  # imported on first render: a run that fails early never pays for it

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("hf_daily_papers", "templates"),
        autoescape=False,  # HTML autoescaping is wrong for Markdown; md_text is our escaper
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(url=_url_part, thousands=_thousands, two_decimals=_two_decimals, code=_code)
    return env


def render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


def post_path(date: dt.date) -> str:
    return f"_posts/{date.isoformat()}-daily-papers.md"


def render_daily(date: dt.date, papers: Sequence[Paper], author: str | None) -> str:
    return render("daily.md.j2", date=date, papers=papers, author=author)
