"""Posts built by the real Jekyll show every title and abstract as the same visible text.

Real fixture days (every paper, TOP_N=0) and an adversarial day (Liquid, HTML, Markdown, math,
tables, kramdown extensions, newlines) are rendered, built with `jekyll build` under strict
Liquid, and read back: no tag beyond the post format's own, no Liquid error, each title,
abstract and organization present as text in its own list item.
"""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import load_hf
from hf_daily_papers.escape import fold_whitespace
from hf_daily_papers.hf import parse_day
from hf_daily_papers.models import rank
from hf_daily_papers.render import post_path, render_daily
from jekyll_site import Page, build, normalize

pytestmark = pytest.mark.jekyll

DAYS = {
    "2026-02-19": "2026-02-19",
    "2026-02-25": "2026-02-25",
    "2026-08-21": "2026-08-21",
    "2026-03-03": "adversarial-2026-03-03",
}
POST_TAGS = {"html", "body", "article", "h1", "h2", "p", "ol", "ul", "li", "strong", "a"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    days, posts = {}, {}
    for date, fixture in DAYS.items():
        day = parse_day(dt.date.fromisoformat(date), [load_hf(fixture)], dt.datetime.now(dt.timezone.utc))
        days[date] = rank(day.papers, 0)
        posts[post_path(day.date)] = render_daily(day.date, days[date], "lim4349")
    pages = build(tmp_path_factory.mktemp("site"), posts)
    return {date: (days[date], Page(pages[post_path(dt.date.fromisoformat(date))])) for date in DAYS}


@pytest.mark.parametrize("date", list(DAYS))
def test_every_title_abstract_and_organization_is_visible_text(built, date):
    papers, page = built[date]
    items = page.items
    assert len(items) == len(papers)
    for paper, item in zip(papers, items):
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
