"""Posts built by the real Jekyll show every title and abstract as the same visible text.

Real fixture days (every paper, TOP_N=0) and an adversarial day (Liquid, HTML, Markdown, math,
tables, kramdown extensions, newlines) are rendered, built with `jekyll build` under strict
Liquid, and read back: no tag beyond the post format's own, no Liquid error, each title,
abstract and organization present as text in its own list item. With them, in the same build:
200 random strings from a hostile alphabet in every text role (the escaper's property test),
a post with summaries, image and links on and hostile model output and URLs, and posts whose
configured author is a YAML trap, read back through Jekyll's own front-matter reader.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

import pytest

from hf_daily_papers.escape import fold_whitespace, html_text, https_url
from hf_daily_papers.hf import parse_day
from hf_daily_papers.models import Paper, rank
from hf_daily_papers.render import PostStyle, post_path, render_daily

from conftest import load_hf
from jekyll_site import Page, build, front_matter, normalize

pytestmark = pytest.mark.jekyll

DAYS = {
    "2026-02-19": "2026-02-19",
    "2026-02-25": "2026-02-25",
    "2026-08-21": "2026-08-21",
    "2026-03-03": "adversarial-2026-03-03",
}
POST_TAGS = {"html", "body", "article", "h1", "h2", "p", "ol", "ul", "li", "strong", "a"}


# -- what goes into the one build -----------------------------------------------------------
# The hostile alphabet: Markdown/kramdown/Liquid/HTML specials, escapes, typography, format
# characters, emoji sequences, bidi controls, whitespace and entities.
ALPHABET = [
    "*", "**", "_", "__", "`", "```", "[", "]", "](", "![", "[^1]", "(", ")", "|", "||", "$", "$$", "\\", "\\\\",
    "\\~", "\\*", "\\(", "\\[", "~", "~~", "<", "<<", ">", ">>", ">>>", "<!--", "-->", "<br>", "<a href='x'>",
    "</li>", "<script>", "&", "&&", "&amp;", "&lt;", "&#123;", "&#x41;", "&nbsp;", "&copy", "{", "}", "{{", "}}",
    "{%", "%}", "{:", "{::", "{#", "{{ site.title }}", "{% raw %}", "{% endraw %}", "#", "##", "!", ":", "::",
    "=", "==", "+", "-", "--", "---", "...", "^", "@", "%", "'", '"', "1.", "http://a.b/c", "www.x.y", "a@b.c",
    ":smile:", "\u200d", "\u00ad", "\u200b", "\u200f", "\u202e", "\u2066", "\ufeff", "\u2060",
    "👨\u200d👩\u200d👧", "🏳\ufe0f\u200d🌈", "e\u0301", "é", "가나", "word", "x", "7", "\n", "\t", "\r",
    "\u2028", "\x00", "\x0b", " ", "  ", "\u00a0",
]


def hostile_strings(n: int = 200, seed: int = 20260225) -> list[str]:
    """n strings of 1-12 tokens from ALPHABET, each with something visible (a title needs it)."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 12)))
        if fold_whitespace(text).strip("\u200d\u00ad\u200b\u200f\u202e\u2066\ufeff\u2060"):
            out.append(text)
    return out


def folded(text: str) -> str:
    """The spec, written independently of the escaper: controls (Cc), separators (Z*) and
    whitespace are one space; everything else, format characters included, stays."""
    return " ".join("".join(" " if unicodedata.category(ch) in ("Cc", "Zs", "Zl", "Zp") else ch for ch in text).split())


STRINGS = hostile_strings()
PROPERTY_POSTS = 4  # 50 papers each


def property_papers(post: int) -> list[tuple[Paper, str]]:
    """(paper, its summary): string i is a title, and (shifted) an abstract, organization, summary."""
    n = len(STRINGS)
    out = []
    for i in range(post * n // PROPERTY_POSTS, (post + 1) * n // PROPERTY_POSTS):
        paper = Paper(f"2604.{i:05d}", STRINGS[i], STRINGS[(i + 1) % n], 1000 - i, STRINGS[(i + 2) % n])
        out.append((paper, STRINGS[(i + 3) % n]))
    return out


# Model output a summary could be (untrusted like an abstract) and URLs an API item could carry.
HOSTILE_SUMMARIES = [
    "{{ site }} and {% raw %} and {{ site.title | upcase }} and {%- include x.html -%}",
    "<script>alert('x')</script> <img src=x onerror=alert(1)> <!-- c -->",
    "**bold** _em_ [a](b) ![i](j) `code` # not a heading\n- not a list\n1. nor this\n\n> nor a quote",
    "요약 첫 줄입니다.\n\n둘째 줄\r\n셋째\t줄 | a | b |\n|---|---|",
    ("긴 답변 " * 900)[:5000],
]
HOSTILE_URLS = [
    ("https://github.com/o/r", "https://x/a)b"),
    ("javascript:alert(1)", "https://x/<script>"),
    ("https://x/{{a}}", "https://x/a b \"q' `c`"),
    ("https://x/%zz%41[1](2)*_|$!", "http://x/plain-http"),
    ("https://x/{% raw %}", " https://x/ok "),
]
OPTIONS_DATE = dt.date(2026, 8, 22)
OPTIONS_STYLE = PostStyle(author="lim_4349", image=True, links=("code", "project"))


def options_papers() -> list[Paper]:
    return [
        Paper(f"2608.{i:05d}", title, f"Abstract {i}.", 100 - i, "Org",
              thumbnail="https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2608.00000.png" if i == 0 else None,
              github_repo=code, github_stars=[8, None, 0, 12345, 1][i], project_page=project)
        for i, (title, (code, project)) in enumerate(zip(
            ['A <b>title</b> & "quotes" {{ x }} **y** <<z>>', "T1", "T2", "T3", "T4"], HOSTILE_URLS, strict=False))
    ]


YAML_AUTHORS = ["lim_4349", "1234", "no", "yes", "on", "null", "~", "-", "2026-02-25", ": x", "#x", "'a'",
                'say "hi"', "a\\b", "김철수", "x: y # z", "[a]", "{{ site.title }}", "0x1F", ".inf"]


def author_path(n: int) -> str:
    return post_path(dt.date(2026, 5, 1) + dt.timedelta(days=n))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Every post of this module, built once."""
    days, posts = {}, {}
    for date, fixture in DAYS.items():
        day = parse_day(dt.date.fromisoformat(date), [load_hf(fixture)], dt.datetime.now(dt.UTC))
        days[date] = rank(day.papers, 0)
        posts[post_path(day.date)] = render_daily(day.date, days[date], PostStyle(author="lim4349"))
    for post in range(PROPERTY_POSTS):
        pairs = property_papers(post)
        posts[post_path(dt.date(2026, 4, 1 + post))] = render_daily(
            dt.date(2026, 4, 1 + post), [p for p, _ in pairs], PostStyle(), {p.id: s for p, s in pairs})
    papers = options_papers()
    summaries = {p.id: s for p, s in zip(papers, HOSTILE_SUMMARIES, strict=False)}
    posts[post_path(OPTIONS_DATE)] = render_daily(OPTIONS_DATE, papers, OPTIONS_STYLE, summaries)
    for n, author in enumerate(YAML_AUTHORS):
        posts[author_path(n)] = render_daily(dt.date(2026, 5, 1) + dt.timedelta(days=n), papers[1:2], PostStyle(author=author))
    return {"days": days, "pages": build(tmp_path_factory.mktemp("site"), posts)}


@pytest.fixture(scope="module")
def built(site):
    return {date: (site["days"][date], Page(site["pages"][post_path(dt.date.fromisoformat(date))])) for date in DAYS}


@pytest.mark.parametrize("date", list(DAYS))
def test_every_title_abstract_and_organization_is_visible_text(built, date):
    papers, page = built[date]
    items = page.items
    assert len(items) == len(papers)
    for paper, item in zip(papers, items, strict=False):
        title = normalize(fold_whitespace(paper.title))
        assert item.startswith(f"{title} - 👍 {paper.upvotes}"), (title, item[:200])
        if paper.organization:
            assert f"기관: {normalize(paper.organization)}" in item
        assert f"Abstract: {normalize(fold_whitespace(paper.summary))}" in item, item


@pytest.mark.parametrize("date", list(DAYS))
def test_nothing_from_a_paper_becomes_markup(built, date):
    papers, page = built[date]
    assert set(page.tags) <= POST_TAGS, set(page.tags) - POST_TAGS
    assert page.tags.count("strong") == len(papers) + 1  # each title, and the count line
    expected = [u for p in papers for u in (f"https://huggingface.co/papers/{p.id}", f"https://arxiv.org/abs/{p.id}")]
    assert page.links == expected
    assert page.text.startswith(f"Hugging Face Daily Papers - {date} 총 {len(papers)}개의 논문이 수집되었습니다. 📊 좋아요 순위")


def test_adversarial_day_really_is_adversarial(built):
    """Guard against a fixture that stopped exercising the escaper."""
    papers, page = built["2026-03-03"]
    text = " ".join(p.title + p.summary for p in papers)
    for needle in ("{{", "{%", "<think>", "<script>", "**", "`", "](", "$$", "|", "~~", "{::", "\\(", "&amp;", "\n"):
        assert needle in text, needle
    assert "{{ site.title }} and {% include footer.html %} in a Title" in page.text
    assert "<script>alert('x')</script>" in page.text


def test_hostile_alphabet_property_every_string_is_the_same_visible_text_in_every_role(site):
    """The escaper's property test: 200 random strings, each as a title, an abstract, an
    organization and a summary, through render → Jekyll → the page's text: each list item reads
    exactly as the inputs with whitespace folded (kramdown's smart quotes and dashes read back)."""
    assert any("<<" in s for s in STRINGS) and any("\u200d" in s for s in STRINGS) and any("{{" in s for s in STRINGS)
    for post in range(PROPERTY_POSTS):
        pairs = property_papers(post)
        page = Page(site["pages"][post_path(dt.date(2026, 4, 1 + post))])
        assert set(page.tags) <= POST_TAGS, set(page.tags) - POST_TAGS
        assert page.tags.count("strong") == len(pairs) + 1
        assert page.links == [u for p, _ in pairs for u in (f"https://huggingface.co/papers/{p.id}", f"https://arxiv.org/abs/{p.id}")]
        assert len(page.items) == len(pairs)
        for (paper, summary), item in zip(pairs, page.items, strict=False):
            expected = normalize(" ".join([
                f"{folded(paper.title)} - 👍 {paper.upvotes}", f"기관: {folded(paper.organization or '')}",
                "HF 페이지", "논문 링크", f"요약: {folded(summary)}", f"Abstract: {folded(paper.summary)}",
            ]))
            assert item == expected, (paper.title, paper.summary, paper.organization, summary)


def test_summaries_image_and_links_with_hostile_model_output_and_urls(site):
    html = site["pages"][post_path(OPTIONS_DATE)]
    page = Page(html)
    papers = options_papers()
    allowed = POST_TAGS | {"header", "img", "figcaption"}
    assert set(page.tags) <= allowed, set(page.tags) - allowed
    assert page.tags.count("strong") == len(papers) + 1  # nothing from a summary became bold
    expected_links = []
    for p in papers:
        expected_links += [f"https://huggingface.co/papers/{p.id}", f"https://arxiv.org/abs/{p.id}"]
        expected_links += [u for u in (https_url(p.github_repo), https_url(p.project_page)) if u]
    assert page.links == expected_links
    assert "https://x/a%29b" in page.links and "https://x/%3Cscript%3E" in page.links
    assert not any(link.startswith(("javascript:", "http:")) for link in page.links)
    for p, summary, item in zip(papers, HOSTILE_SUMMARIES, page.items, strict=False):
        assert item.startswith(f"{normalize(fold_whitespace(p.title))} - 👍 {p.upvotes}"), item[:200]
        assert f"요약: {normalize(fold_whitespace(summary))} Abstract: {p.summary}" in item
    assert "⭐ 8" in page.items[0] and "⭐" not in page.items[1]  # stars shown only with a code link
    assert "코드 ⭐ 0" in page.items[2].replace("  ", " ") and "⭐ 12345" in page.items[3]
    # The image as Chirpy prints it: path in src, title in alt and (raw) in the caption.
    top = papers[0]
    fm = front_matter(html)
    assert fm["author"] == "lim_4349"
    assert fm["image"] == {"path": top.thumbnail, "alt": html_text(top.title)}
    assert page.images == [(top.thumbnail, html_text(top.title))]
    assert page.caption == normalize(fold_whitespace(top.title))


@pytest.mark.parametrize("n", range(len(YAML_AUTHORS)), ids=YAML_AUTHORS)
def test_front_matter_reads_back_in_jekyll_as_written(site, n):
    fm = front_matter(site["pages"][author_path(n)])
    date = dt.date(2026, 5, 1) + dt.timedelta(days=n)
    assert fm["author"] == YAML_AUTHORS[n]
    assert fm["title"] == f"Hugging Face Daily Papers - {date}"
    assert fm["categories"] == ["Daily Papers", "일간"] and fm["tags"] == ["huggingface", "papers", "daily", "ai"]
    assert fm["date"] == f"{date} 00:15:00 +0000"  # still a timestamp: 09:15 KST
