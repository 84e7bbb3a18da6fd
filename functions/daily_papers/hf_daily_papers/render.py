"""Posts from Jinja2 templates (files in `templates/`).

Escaping happens in one module, `escape.py`, and is applied in one place per kind of output:

- every string a template prints passes through the environment's `finalize`, i.e.
  `escape.md_text` (Markdown body text), unless it is `Trusted`;
- the filters below produce `Trusted` text with the other writers of `escape.py`: `yaml` (a
  front-matter scalar), `yaml_list` (a flow sequence of them), `https_url` (an untrusted link
  target or image path; None when not a usable https URL), `html` (text a theme prints as raw
  HTML), `code` (a code span), and our own numbers (`thousands`, `two_decimals`) and URL parts
  (`url`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .escape import fold_whitespace, html_text, https_url, md_code_span, md_text, yaml_scalar
from .models import Paper

if TYPE_CHECKING:
    import jinja2

LINK_KINDS = ("code", "project")


@dataclass(frozen=True)
class PostStyle:
    """How a post looks beyond the seed format; everything off (`permalink=False` too) gives
    the seed format.

    author: the front matter's `author:` (left out when None or empty).
    image:  Chirpy's `image:` (path = the top paper's https thumbnail, alt = its title).
    links:  which of `LINK_KINDS` each item shows: `[코드](githubRepo) ⭐ stars`,
            `[프로젝트 페이지](projectPage)` (https URLs only).
    permalink: a `permalink:` line after `title:` (`/posts/daily-papers-YYYY-MM-DD/`,
            `/posts/monthly-papers-summary-YYYY-MM/`, `/posts/weekly-papers-summary-YYYY-Www/`):
            each post its own URL under Chirpy's `permalink: /posts/:title/`. On by default.
    """

    author: str | None = None
    image: bool = False
    links: tuple[str, ...] = ()
    permalink: bool = True


class Trusted(str):
    """Text we produced ourselves or escaped for its place: printed as it is."""


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


def _yaml(value: str) -> Trusted:
    return Trusted(yaml_scalar(str(value)))


def _yaml_list(values: str | Iterable[str]) -> Trusted:
    """`[a, b]` of YAML scalars. A str is our own comma list (`"huggingface, papers"`)."""
    items = [v.strip() for v in values.split(",")] if isinstance(values, str) else list(values)
    return Trusted("[" + ", ".join(yaml_scalar(v) for v in items) + "]")


def _https_url(value: object) -> Trusted | None:
    url = https_url(value)
    return Trusted(url) if url is not None else None


def _html(value: str) -> Trusted:
    return Trusted(html_text(value))


def _blank(value: object) -> bool:
    """Nothing visible to print: None, or text that is empty once whitespace is folded."""
    return value is None or (isinstance(value, str) and not fold_whitespace(value))


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2  # imported on first render: a run that fails early never pays for it

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("hf_daily_papers", "templates"),
        autoescape=False,  # HTML autoescaping is wrong for Markdown; md_text is our escaper
        auto_reload=False,  # the templates ship with the code: no stat() of each file per render
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        url=_url_part, thousands=_thousands, two_decimals=_two_decimals, code=_code,
        yaml=_yaml, yaml_list=_yaml_list, https_url=_https_url, html=_html,
    )
    env.tests.update(blank=_blank)
    return env


def render(
    template: str, *, style: PostStyle = PostStyle(), summaries: Mapping[str, str] | None = None, **context: Any
) -> str:
    """Render a template with the post options of `style` (its `author` included) and the
    summaries (paper id → text; none: no summary lines)."""
    return _environment().get_template(template).render(
        style=style, author=style.author, summaries=summaries or {}, **context
    )


def post_path(date: dt.date) -> str:
    return f"_posts/{date.isoformat()}-daily-papers.md"


def render_daily(
    date: dt.date,
    papers: Sequence[Paper],
    style: PostStyle = PostStyle(),
    summaries: Mapping[str, str] | None = None,
) -> str:
    """The daily post."""
    return render("daily.md.j2", date=date, papers=papers, style=style, summaries=summaries)
