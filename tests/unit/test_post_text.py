"""The post's Markdown source: seed format byte for byte, and how untrusted text is written."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from hf_daily_papers.hf import parse_day
from hf_daily_papers.models import Paper, rank
from hf_daily_papers.render import PostStyle, render_daily

from .memory import expected_post, load_hf


@pytest.mark.parametrize("date", ["2026-02-19", "2026-02-25"])
def test_seed_days_render_byte_identical_to_the_seed_posts_with_the_organization_fix(date):
    day = parse_day(dt.date.fromisoformat(date), [load_hf(f"seed-{date}")], dt.datetime.now(dt.UTC))
    assert render_daily(day.date, rank(day.papers, 10), PostStyle(author="lim4349", permalink=False)) == expected_post(date)


@pytest.mark.parametrize("date", ["2026-02-19", "2026-02-25"])
def test_by_default_the_seed_post_gains_only_its_permalink_line_after_the_title(date):
    """The seed blog's own fix: `permalink:` right after `title:`, the rest byte for byte."""
    day = parse_day(dt.date.fromisoformat(date), [load_hf(f"seed-{date}")], dt.datetime.now(dt.UTC))
    post = render_daily(day.date, rank(day.papers, 10), PostStyle(author="lim4349"))
    title = f"title: Hugging Face Daily Papers - {date}\n"
    assert post == expected_post(date).replace(title, f"{title}permalink: /posts/daily-papers-{date}/\n", 1)
    front_matter = yaml.safe_load(post.split("---\n")[1])  # PyYAML reads YAML 1.1, as Jekyll's Psych does
    assert front_matter["permalink"] == f"/posts/daily-papers-{date}/"
    assert front_matter["title"] == f"Hugging Face Daily Papers - {date}" and front_matter["author"] == "lim4349"


def item(title: str, summary: str = "S.", org: str | None = None) -> str:
    post = render_daily(dt.date(2026, 3, 3), [Paper("2603.00001", title, summary, 1, org)])
    return post.split("## 📊 좋아요 순위\n\n", 1)[1]


@pytest.mark.parametrize(
    "text, source",
    [
        ("Plain title: (with) \"quotes\", 50% and it's fine; a+b", "Plain title: (with) \"quotes\", 50% and it's fine; a+b"),
        ("LaTeX \\textit{x} and 97.3\\%", "LaTeX \\textit{x} and 97.3\\%"),
        ("Two\nlines\t and   spaces ", "Two lines and spaces"),
        ("<think> tokens </think>", "&lt;think> tokens &lt;/think>"),
        ("**b** _i_ `c` [l](u)", "\\*\\*b\\*\\* \\_i\\_ \\`c\\` \\[l\\](u)"),
        ("$x$ and a | b", "\\$x\\$ and a \\| b"),
        ("{{ site.title }} {% raw %}", "&#123;{ site.title }} &#123;% raw %}"),
        ("{: .x} {::comment}", "&#123;: .x} &#123;::comment}"),
        ("~~s~~ ~t", "&#126;&#126;s&#126;&#126; ~t"),
        ("&amp; &#36; AT&T", "&amp;amp; &amp;#36; AT&T"),
        ("\\(x\\) ends with \\", "\\\\(x\\\\) ends with \\\\"),
        ("about \\~8B and ~~x", "about \\\\~8B and &#126;&#126;x"),
        ("<<a>> and b >> c", "&lt;&lt;a&gt;&gt; and b &gt;&gt; c"),
        ("👩\u200d💻 co\u00adop \u200fx", "👩\u200d💻 co\u00adop \u200fx"),
    ],
)
def test_untrusted_text_is_escaped_once_and_only_where_needed(text, source):
    assert item(text).startswith(f"1. **{source}** - 👍 1\n")
    assert f"   - Abstract: {source}\n" in item("t", text)
    assert f"   - 기관: {source}\n" in item("t", "s", text)


def test_paper_without_abstract_has_no_abstract_line():
    assert item("T", "  \n ") == (
        "1. **T** - 👍 1\n"
        "   - [HF 페이지](https://huggingface.co/papers/2603.00001)\n"
        "   - [논문 링크](https://arxiv.org/abs/2603.00001)\n\n"
    )
