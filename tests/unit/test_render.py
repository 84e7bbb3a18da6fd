"""The post's source text with each option on, front matter as YAML, URLs and the escaper's
character classes. Fast: no sockets, no Jekyll (tests/test_jekyll_build.py builds the same
posts with the real Jekyll)."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

import pytest
import yaml

from hf_daily_papers import escape
from hf_daily_papers.escape import fold_whitespace, https_url, md_text, yaml_scalar
from hf_daily_papers.models import Paper, rank
from hf_daily_papers.parse import parse_day
from hf_daily_papers.render import PostStyle, render, render_daily

from .memory import load_hf

DATE = dt.date(2026, 8, 21)
A = Paper("2608.19880", "EnvHarness: Awakening Static Worlds", "Agents learn.", 163, "Google",
          thumbnail="https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2608.19880.png",
          github_repo="https://github.com/google-research/envharness", github_stars=8,
          project_page="https://envharness.com/")
B = Paper("2608.13120", "No links here", "Plain.", 20)
C = Paper("2608.19861", "Zero stars, no stars", "Abstract C.", 5,
          github_repo="https://github.com/erjui/PolicyGuide", github_stars=None,
          project_page="https://huggingface.co/papers/2608.19861")
SUMMARIES = {"2608.19880": "정적 환경을 플러그인으로 바꾼다.", "2608.19861": "요약 C."}



def front_matter(post: str) -> dict[str, Any]:
    assert post.startswith("---\n")
    block = post[4:].split("\n---\n", 1)[0]
    data = yaml.safe_load(block)  # PyYAML reads YAML 1.1, as Jekyll's Psych does
    assert isinstance(data, dict)
    return data


HEAD = """\
---
title: Hugging Face Daily Papers - 2026-08-21
permalink: /posts/daily-papers-2026-08-21/
date: 2026-08-21 09:15:00 +0900
categories: [Daily Papers, 일간]
tags: [huggingface, papers, daily, ai]
"""
SEED_HEAD = HEAD.replace("permalink: /posts/daily-papers-2026-08-21/\n", "")  # POST_PERMALINK=false
BODY_HEAD = """\
---

# Hugging Face Daily Papers - 2026-08-21

총 **3개**의 논문이 수집되었습니다.

## 📊 좋아요 순위

"""


def test_everything_off_is_the_seed_format():
    assert render_daily(DATE, [A, B, C], PostStyle(permalink=False), None) == SEED_HEAD + BODY_HEAD + """\
1. **EnvHarness: Awakening Static Worlds** - 👍 163
   - 기관: Google
   - [HF 페이지](https://huggingface.co/papers/2608.19880)
   - [논문 링크](https://arxiv.org/abs/2608.19880)
   - Abstract: Agents learn.

2. **No links here** - 👍 20
   - [HF 페이지](https://huggingface.co/papers/2608.13120)
   - [논문 링크](https://arxiv.org/abs/2608.13120)
   - Abstract: Plain.

3. **Zero stars, no stars** - 👍 5
   - [HF 페이지](https://huggingface.co/papers/2608.19861)
   - [논문 링크](https://arxiv.org/abs/2608.19861)
   - Abstract: Abstract C.

"""


def test_the_default_post_has_its_own_url_right_after_the_title():
    """Chirpy's `permalink: /posts/:title/` would put every daily post at /posts/daily-papers/."""
    post = render_daily(DATE, [A, B, C])
    assert post.startswith("---\ntitle: Hugging Face Daily Papers - 2026-08-21\npermalink: /posts/daily-papers-2026-08-21/\n")
    assert post == render_daily(DATE, [A, B, C], PostStyle(permalink=False)).replace(SEED_HEAD, HEAD, 1)
    assert front_matter(post)["permalink"] == "/posts/daily-papers-2026-08-21/"
    assert list(front_matter(post)) == ["title", "permalink", "date", "categories", "tags"]


@pytest.mark.parametrize("date, url", [
    (dt.date(2026, 1, 1), "/posts/daily-papers-2026-01-01/"),
    (dt.date(2024, 2, 29), "/posts/daily-papers-2024-02-29/"),
    (dt.date(2026, 12, 31), "/posts/daily-papers-2026-12-31/"),
])
def test_each_day_has_its_own_permalink(date, url):
    assert front_matter(render_daily(date, [B], PostStyle(author="lim4349")))["permalink"] == url


def test_summaries_come_directly_before_each_abstract_and_only_where_there_is_one():
    post = render_daily(DATE, [A, B, C], PostStyle(), SUMMARIES)
    assert post == HEAD + BODY_HEAD + """\
1. **EnvHarness: Awakening Static Worlds** - 👍 163
   - 기관: Google
   - [HF 페이지](https://huggingface.co/papers/2608.19880)
   - [논문 링크](https://arxiv.org/abs/2608.19880)
   - 요약: 정적 환경을 플러그인으로 바꾼다.
   - Abstract: Agents learn.

2. **No links here** - 👍 20
   - [HF 페이지](https://huggingface.co/papers/2608.13120)
   - [논문 링크](https://arxiv.org/abs/2608.13120)
   - Abstract: Plain.

3. **Zero stars, no stars** - 👍 5
   - [HF 페이지](https://huggingface.co/papers/2608.19861)
   - [논문 링크](https://arxiv.org/abs/2608.19861)
   - 요약: 요약 C.
   - Abstract: Abstract C.

"""


def test_image_is_the_top_papers_thumbnail_with_its_title_as_alt():
    post = render_daily(DATE, [A, B], PostStyle(author="lim4349", image=True))
    assert post.startswith(HEAD + """\
author: lim4349
image:
  path: https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2608.19880.png
  alt: "EnvHarness: Awakening Static Worlds"
---

# Hugging Face Daily Papers - 2026-08-21
""")
    assert front_matter(post)["image"] == {"path": A.thumbnail, "alt": A.title}


@pytest.mark.parametrize("thumbnail", [None, "", "http://cdn/x.png", "javascript:alert(1)", "//cdn/x.png", "https://"])
def test_no_image_block_without_an_https_thumbnail(thumbnail):
    top = Paper("2608.00001", "T", "S", 9, thumbnail=thumbnail)
    post = render_daily(DATE, [top, A], PostStyle(image=True))
    assert "image" not in front_matter(post) and "\nimage:" not in post


def test_links_follow_the_paper_link_with_stars_when_known():
    post = render_daily(DATE, [A, B, C], PostStyle(links=("code", "project")))
    assert post == HEAD + BODY_HEAD + """\
1. **EnvHarness: Awakening Static Worlds** - 👍 163
   - 기관: Google
   - [HF 페이지](https://huggingface.co/papers/2608.19880)
   - [논문 링크](https://arxiv.org/abs/2608.19880)
   - [코드](https://github.com/google-research/envharness) ⭐ 8
   - [프로젝트 페이지](https://envharness.com/)
   - Abstract: Agents learn.

2. **No links here** - 👍 20
   - [HF 페이지](https://huggingface.co/papers/2608.13120)
   - [논문 링크](https://arxiv.org/abs/2608.13120)
   - Abstract: Plain.

3. **Zero stars, no stars** - 👍 5
   - [HF 페이지](https://huggingface.co/papers/2608.19861)
   - [논문 링크](https://arxiv.org/abs/2608.19861)
   - [코드](https://github.com/erjui/PolicyGuide)
   - [프로젝트 페이지](https://huggingface.co/papers/2608.19861)
   - Abstract: Abstract C.

"""


@pytest.mark.parametrize("kinds, shown, hidden", [
    (("code",), "[코드](", "[프로젝트 페이지]("),
    (("project",), "[프로젝트 페이지](", "[코드]("),
])
def test_each_link_kind_is_its_own_option(kinds, shown, hidden):
    post = render_daily(DATE, [A], PostStyle(links=kinds))
    assert shown in post and hidden not in post


def test_all_options_on_together_in_the_documented_order():
    post = render_daily(DATE, [A], PostStyle(author="lim4349", image=True, links=("code", "project")), SUMMARIES)
    item = post.split("## 📊 좋아요 순위\n\n", 1)[1]
    assert item == """\
1. **EnvHarness: Awakening Static Worlds** - 👍 163
   - 기관: Google
   - [HF 페이지](https://huggingface.co/papers/2608.19880)
   - [논문 링크](https://arxiv.org/abs/2608.19880)
   - [코드](https://github.com/google-research/envharness) ⭐ 8
   - [프로젝트 페이지](https://envharness.com/)
   - 요약: 정적 환경을 플러그인으로 바꾼다.
   - Abstract: Agents learn.

"""


def test_real_day_with_every_option_parses_and_renders():
    """The 2026-08-21 answer's own thumbnails, repos, stars and project pages come through."""
    day = parse_day(DATE, [load_hf("2026-08-21")], dt.datetime.now(dt.UTC))
    listed = rank(day.papers, 10)
    post = render_daily(DATE, listed, PostStyle(image=True, links=("code", "project")))
    top = listed[0]
    assert front_matter(post)["image"] == {"path": top.thumbnail, "alt": top.title}
    assert f"   - [코드]({top.github_repo}) ⭐ {top.github_stars}\n" in post
    assert post.count("[코드](") == sum(1 for p in listed if p.github_repo)
    assert post.count("[프로젝트 페이지](") == sum(1 for p in listed if p.project_page)


def test_summary_is_untrusted_text_escaped_like_an_abstract():
    hostile = "{{ site.title }} {% raw %} <script>x</script> **b** [a](b)\nnext line\t$x$ | ~~s~~"
    post = render_daily(DATE, [B], PostStyle(), {B.id: hostile})
    assert f"   - 요약: {md_text(hostile)}\n   - Abstract: Plain.\n" in post
    assert md_text(hostile) == (
        "&#123;{ site.title }} &#123;% raw %} &lt;script>x&lt;/script> \\*\\*b\\*\\* \\[a\\](b) next line"
        " \\$x\\$ \\| &#126;&#126;s&#126;&#126;"
    )


@pytest.mark.parametrize("summary", ["", "   ", "\n\t", None])
def test_blank_summary_has_no_line(summary):
    post = render_daily(DATE, [B], PostStyle(), {B.id: summary})
    assert "요약" not in post


def test_digest_template_takes_the_same_style_and_summaries():
    context = dict(
        title="Hugging Face Papers Weekly Summary - 2026년 34주차 (08.17 ~ 08.23)",
        heading="Hugging Face Papers 주간 요약 - 2026년 34주차 (08.17 ~ 08.23)",
        date=dt.date(2026, 8, 17), time="09:00:00", category="주간",
        tags="huggingface, papers, weekly, ai, summary",
        total_papers=3, total_upvotes=188, average=62.666, days=1, top=2, papers=[A, C],
        keyword_top=10, keywords=[], permalink="/posts/weekly-papers-summary-2026-W34/",
    )
    plain = render("digest.md.j2", style=PostStyle(author="lim4349"), **context)
    styled = render("digest.md.j2", style=PostStyle(author="lim4349", image=True, links=("code",)),
                    summaries=SUMMARIES, **context)
    assert "image" not in front_matter(plain) and "- 요약:" not in plain and "[코드]" not in plain
    assert front_matter(styled)["image"] == {"path": A.thumbnail, "alt": A.title}
    assert front_matter(styled)["title"] == context["title"]
    assert front_matter(styled)["permalink"] == front_matter(plain)["permalink"] == context["permalink"]
    assert "permalink" not in front_matter(render("digest.md.j2", style=PostStyle(permalink=False), **context))
    assert "   - [코드](https://github.com/google-research/envharness) ⭐ 8\n   - 요약: 정적 환경을 플러그인으로 바꾼다.\n" in styled
    assert "   - 요약: 요약 C.\n   - Abstract: Abstract C.\n" in styled


# -- front matter is YAML --------------------------------------------------------------------
YAML_HOSTILE = [
    "lim_4349", "lim4349", "1234", "0x1F", "1_000", "1,000", "0777", "1e3", ".5", "-1", "+1", "1:20", "190:20:30.15",
    "no", "No", "NO", "nO", "yes", "on", "off", "true", "False", "y", "n", "null", "Null", "~", "", " ", "-", "--",
    "---", "...", "?", ":", "2026-02-25", "2026-02-25 09:15:00", ": x", "x: y", "x:", "#x", "x #y", "x#y", "'a'",
    '"a"', "a'b", 'a"b', "\\", "a\\nb", "\\x41", "[a]", "{a: 1}", "a, b", "*ref", "&anchor", "!tag", "!!str x",
    "|", ">", "%YAML", "@x", "`x`", "<<", "=", ".inf", ".nan", "-.inf", " lead", "trail ", "tab\there",
    "line\nbreak", "cr\rx", "nel\x85x", "ls\u2028x", "ps\u2029x", "bom\ufeffx", "\ufeff", "nul\x00x", "del\x7fx",
    "zwj\u200dx", "shy\u00adx", "rlm\u200fx", "김철수", "👨\u200d👩\u200d👧", "é", "e\u0301", "\U0001F600",
    "private\ue000", "{{ site.title }}", "{% raw %}", "<script>x</script>", "a: b # c", "Hugging Face Papers Weekly Summary - 2026년 2주차 (01.05 ~ 01.11)",
]


@pytest.mark.parametrize("value", YAML_HOSTILE)
def test_yaml_scalar_reads_back_as_exactly_the_string(value):
    written = yaml_scalar(value)
    assert "\n" not in written
    assert yaml.safe_load(f"key: {written}\n") == {"key": value}
    assert yaml.safe_load(f"key: [{written}, x]\n") == {"key": [value, "x"]}  # also in a flow list


@pytest.mark.parametrize("value", ["lim4349", "lim_4349", "Hugging Face Daily Papers - 2026-02-25", "김철수",
                                   "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2608.19880.png",
                                   "Hugging Face Papers Monthly Summary - 2026년 1월"])
def test_ordinary_values_stay_plain(value):
    assert yaml_scalar(value) == value


def test_yaml_scalar_property_random_strings():
    rng = random.Random(20260225)
    alphabet = [*list("ab1 :#-?,[]{}'\"\\|>&*!%@`~=.+_\t\n"), "\x00", "\x85", "\u2028", "\ufeff", "\u200d", "김", "😀", "yes", "no", "null", "0x", "2026-02-25", "1e3"]
    for _ in range(1000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert yaml.safe_load(f"k: {yaml_scalar(value)}\n") == {"k": value}, repr(value)


@pytest.mark.parametrize("author", ["lim_4349", "1234", "no", "-", "~", ": x", "#x", "'a'", 'say "hi"', "a\\b", "2026-02-25"])
def test_author_in_the_post_reads_back_as_configured(author):
    post = render_daily(DATE, [B], PostStyle(author=author))
    assert front_matter(post)["author"] == author


def test_image_alt_reads_back_as_the_title_made_safe_for_html():
    hostile = Paper("2608.00002", 'A <b>bold</b> "quote": {{ x }} # no & that &amp; ~ yes\nnext', "S", 9,
                    thumbnail="https://cdn.example/x.png")
    image = front_matter(render_daily(DATE, [hostile], PostStyle(image=True)))["image"]
    # Chirpy prints image.alt raw in the caption: `<`, `>`, `"` and an entity-like `&` are references.
    assert image == {"path": "https://cdn.example/x.png",
                     "alt": 'A &lt;b&gt;bold&lt;/b&gt; &quot;quote&quot;: {{ x }} # no & that &amp;amp; ~ yes next'}


# -- URLs --------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, shown", [
    ("https://github.com/google-research/envharness", "https://github.com/google-research/envharness"),
    ("  https://envharness.com/  ", "https://envharness.com/"),
    ("HTTPS://Example.COM/Path", "https://example.com/Path"),
    ("https://x.org:8443/a?b=1&c=2#frag", "https://x.org:8443/a?b=1&c=2#frag"),
    ("https://x/a)b", "https://x/a%29b"),
    ("https://x/<script>", "https://x/%3Cscript%3E"),
    ("https://x/{{a}}", "https://x/%7B%7Ba%7D%7D"),
    ("https://x/{%raw%}", "https://x/%7B%25raw%25%7D"),
    ("https://x/a b", "https://x/a%20b"),
    ('https://x/"q\'', "https://x/%22q%27"),
    ("https://x/[a](b)*_`|$!\\", "https://x/%5Ba%5D%28b%29%2A_%60%7C%24%21%5C"),
    ("https://x/&lt;", "https://x/&lt%3B"),
    ("https://x/%20ok%zz%", "https://x/%20ok%25zz%25"),
    ("https://x/새", "https://x/%EC%83%88"),
    ("https://x/a\nb\tc", "https://x/a%0Ab%09c"),
    ("https://x", "https://x"),
    ("https://x?q", "https://x?q"),
])
def test_https_urls_are_kept_and_encoded_so_nothing_can_end_the_link(raw, shown):
    assert https_url(raw) == shown


@pytest.mark.parametrize("raw", [
    None, 5, "", "javascript:alert(1)", "http://x/", "ftp://x/", "//x/a", "https://", "https:///a", "https://user:pw@x/",
    "https://x y/", "https://[::1]/", "https://-x/", "https://x_/", "https://exa mple.com", "https://x\n.com/",
    "https://ex\u00e4mple.com/", "https://x/\ud800", " javascript:https://x", "data:text/html,https://x",
])
def test_other_urls_are_not_shown(raw):
    assert https_url(raw) is None


def test_hostile_urls_show_no_link_line_or_an_encoded_one():
    hostile = Paper("2608.00003", "T", "S", 1, github_repo="javascript:alert(1)", github_stars=3,
                    project_page="https://x/a)b<script>{{a}}")
    item = render_daily(DATE, [hostile], PostStyle(links=("code", "project"))).split("좋아요 순위\n\n", 1)[1]
    assert "[코드]" not in item
    assert "   - [프로젝트 페이지](https://x/a%29b%3Cscript%3E%7B%7Ba%7D%7D)\n" in item


# -- the escaper's character classes ------------------------------------------------------------
@pytest.mark.parametrize("text, source", [
    ("about \\~8B parameters", "about \\\\~8B parameters"),
    ("a <<b>> c >> d << e >>> f", "a &lt;&lt;b&gt;&gt; c &gt;&gt; d &lt;&lt; e &gt;&gt;&gt; f"),
    ("a > b", "a > b"),
    ("👨\u200d👩\u200d👧 fam\u00adily \u200fRTL\u200e zero\u200bwidth \u2060", "👨\u200d👩\u200d👧 fam\u00adily \u200fRTL\u200e zero\u200bwidth \u2060"),
    ("ctrl\x00\x1f\x7f\x85 ls\u2028ps\u2029nb\u00a0sp", "ctrl ls ps nb sp"),
    ("lone \ud800 surrogate", "lone \ufffd surrogate"),
])
def test_escaper_character_classes(text, source):
    assert md_text(text) == source


def test_format_characters_are_not_whitespace_but_controls_and_separators_are():
    # Every control, format and separator character: planes 0-1 and plane 14 (the tags); planes
    # 2-3 hold ideographs only, 4-13 are unassigned and 15-16 private use, so none is there.
    for code in [*range(0x20000), *range(0xE0000, 0xF0000)]:
        ch = chr(code)
        category = __import__("unicodedata").category(ch)
        if category == "Cf":
            assert fold_whitespace(f"a{ch}b") == f"a{ch}b", hex(code)
        elif category in ("Cc", "Zl", "Zp", "Zs"):
            assert fold_whitespace(f"a{ch}b") == "a b", hex(code)


@pytest.mark.parametrize("author, line", [
    ("lim_4349", "author: lim_4349"), ("1234", 'author: "1234"'), ("no", 'author: "no"'), ("-", 'author: "-"'),
    ("a\\b", 'author: "a\\\\b"'), ("line\nbreak", 'author: "line\\nbreak"'), ("", None), (None, None),
])
def test_author_line_as_written(author, line):
    post = render_daily(DATE, [B], PostStyle(author=author))
    head = post.split("\n---\n", 1)[0]
    if line is None:
        assert "author" not in head
    else:
        assert f"\n{line}\n" in head + "\n"


# The escaping rules of escape.md_text written as the one regex they are (the module splits them
# in two for speed): both must give the same text for any input.
_KRAMDOWN_ESCAPABLE = r"\\.*_+\-`()\[\]{}#!:|\"'$=<>~"
_SPEC = re.compile(
    r"\\(?=[" + _KRAMDOWN_ESCAPABLE + r"]|$)"
    r"|[*_`\[\]|$]"
    r"|<"
    r"|&(?=#?[A-Za-z0-9]+;)"
    r"|\{(?=[{%:])"
    r"|~(?=~)|(?<=~)~"
    r"|>(?=>)|(?<=>)>"
)
_SPEC_REPLACEMENT = {"<": "&lt;", "&": "&amp;", "{": "&#123;", "~": "&#126;", ">": "&gt;"}


def test_md_text_is_the_one_regex_specification_on_random_text() -> None:
    pieces = [*"\\*_`[]|$<&{~>%:#ab1;{} -.!'\"=()+\n\u200b", "&amp;", "&#12;", "~~", ">>", "{{", "{%", "\\\\"]
    rng = random.Random(20261203)
    for _ in range(8_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        folded = escape.fold_whitespace(text)
        expected = _SPEC.sub(lambda m: _SPEC_REPLACEMENT.get(m.group()) or "\\" + m.group(), folded)
        assert escape.md_text(text) == expected, text
