"""The digest use case through in-memory ports: what it reads, fetches, archives and publishes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hf_daily_papers import app
from hf_daily_papers.digest import DigestIncomplete, build_digest, render_digest, top_keywords
from hf_daily_papers.escape import md_code_span
from hf_daily_papers.inputs import DigestRequest, RangeRequest, parse_event, weekly
from hf_daily_papers.models import Paper
from hf_daily_papers.ports import Ports
from hf_daily_papers.publish import FolderPublisher
from hf_daily_papers.render import PostStyle
from hf_daily_papers.results import to_json
from hf_daily_papers.settings import Settings

from .memory import FakeModel, MemoryArchive, MemorySource, item
from testdata import load_event

WEEK = DigestRequest("weekly", dt.date(2026, 1, 5), dt.date(2026, 1, 11))
WEEK_POST = "_posts/2026-01-05-weekly-papers-summary.md"


def week_days() -> dict[str, object]:
    """Papers on Monday to Wednesday; Thursday to Sunday empty."""
    return {f"2026-01-0{d}": [item(f"2601.0{d}001", 10 * d, f"2026-01-0{d}"), item(f"2601.0{d}002", d, f"2026-01-0{d}")]
            for d in (5, 6, 7)}


def ports(tmp_path: Path, source: MemorySource, archive: MemoryArchive, summarizer: object = None) -> Ports:
    return Ports(source, archive, FolderPublisher(tmp_path / "blog"), summarizer)  # type: ignore[arg-type]


def test_the_digest_fills_the_archive_once_and_then_asks_for_nothing(tmp_path: Path, archive: MemoryArchive) -> None:
    source = MemorySource(week_days())
    first = to_json(app.handle(WEEK, ports(tmp_path, source, archive), Settings()))
    dates = [f"2026-01-{d:02d}" for d in range(5, 12)]
    assert first["status"] == "created" and first["fetched"] == dates and first["archived"] == dates
    assert (first["papers"], first["listed"], first["days"]) == (6, 6, 3)
    assert (tmp_path / "blog" / WEEK_POST).read_text("utf-8").count("👍") == 6
    source.asked.clear()
    again = to_json(app.handle(WEEK, ports(tmp_path, source, archive), Settings()))
    assert source.asked == []  # the empty days are on record: nothing to ask Hugging Face
    assert again["status"] == "unchanged" and again["fetched"] == [] and again["archived"] == []


@pytest.mark.parametrize("request_, url", [
    (WEEK, "/posts/weekly-papers-summary-2026-W02/"),
    (DigestRequest("weekly", dt.date(2020, 12, 28), dt.date(2021, 1, 3)), "/posts/weekly-papers-summary-2020-W53/"),
    (DigestRequest("weekly", dt.date(2024, 12, 30), dt.date(2025, 1, 5)), "/posts/weekly-papers-summary-2025-W01/"),
    (DigestRequest("monthly", dt.date(2026, 1, 1), dt.date(2026, 1, 31)), "/posts/monthly-papers-summary-2026-01/"),
])
def test_each_digest_has_its_own_url_unless_permalink_is_off(
    tmp_path: Path, archive: MemoryArchive, request_: DigestRequest, url: str
) -> None:
    """The ISO week (its year can differ from the Monday's: 2024-12-30 is 2025-W01) or the month."""
    days = {d.isoformat(): [item(f"2601.0{i}001", 10, d.isoformat())] for i, d in enumerate(request_.dates[:3])}
    app.handle(request_, ports(tmp_path, MemorySource(days), archive), Settings())
    path = tmp_path / "blog" / "_posts" / f"{request_.start.isoformat()}-{request_.kind}-papers-summary.md"
    head = path.read_text("utf-8").split("\n")
    assert head[1].startswith("title: Hugging Face Papers ") and head[2] == f"permalink: {url}"
    app.handle(request_, ports(tmp_path, MemorySource(days), archive), Settings(post_permalink=False))
    assert "permalink" not in path.read_text("utf-8")


def test_an_unreadable_archive_object_is_fetched_again(tmp_path: Path, archive: MemoryArchive) -> None:
    source = MemorySource(week_days())
    app.handle(WEEK, ports(tmp_path, source, archive), Settings())
    archive.objects["daily/2026/01/2026-01-06.json"] = b'{"schema": 1, "date": "2026-01-06"'
    source.asked.clear()
    result = to_json(app.handle(WEEK, ports(tmp_path, source, archive), Settings()))
    assert source.asked == ["2026-01-06"] and result["archived"] == ["2026-01-06"]
    assert archive.document("daily/2026/01/2026-01-06.json")["count"] == 2


def test_a_day_that_cannot_be_fetched_names_itself_and_the_others_stay_archived(
    tmp_path: Path, archive: MemoryArchive
) -> None:
    days = week_days()
    days["2026-01-06"] = ValueError("not a project error")
    with pytest.raises(DigestIncomplete, match=r"2026-01-06 \(ValueError: not a project error\)"):
        app.handle(WEEK, ports(tmp_path, MemorySource(days), archive), Settings())
    assert "daily/2026/01/2026-01-05.json" in archive.objects and "daily/2026/01/2026-01-06.json" not in archive.objects
    assert not (tmp_path / "blog").exists()


def test_digest_summaries_reuse_the_daily_ones_and_store_the_new_ones(tmp_path: Path, archive: MemoryArchive) -> None:
    source = MemorySource(week_days())
    model = FakeModel()
    settings = Settings(top_n=1)  # the daily posts list (and summarize) only each day's top paper
    app.handle(RangeRequest(dt.date(2026, 1, 5), dt.date(2026, 1, 11), summarize=True),
               ports(tmp_path, source, archive, model), settings)
    assert sorted(model.calls) == ["2601.05001", "2601.06001", "2601.07001"]
    model.calls.clear()
    result = to_json(app.handle(WEEK, ports(tmp_path, source, archive, model), settings))
    assert sorted(model.calls) == ["2601.05002", "2601.06002", "2601.07002"]  # only the ones never summarized
    assert result["summaries_made"] == 3 and result["summaries_missing"] == 0
    assert sorted(result["archived"]) == ["2026-01-05", "2026-01-06", "2026-01-07"]  # the new summaries stored
    assert set(archive.document("daily/2026/01/2026-01-06.json")["summaries"]) == {"2601.06001", "2601.06002"}
    post = (tmp_path / "blog" / WEEK_POST).read_text("utf-8")
    assert post.count("   - 요약: ") == 6
    model.calls.clear()
    app.handle(WEEK, ports(tmp_path, source, archive, model), settings)
    assert model.calls == []


def test_a_digest_writes_each_day_once_even_when_it_fetches_and_summarizes_it(
    tmp_path: Path, archive: MemoryArchive
) -> None:
    """A day fetched by the digest and given new summaries is one archive write, listed once."""
    source = MemorySource(week_days())
    result = to_json(app.handle(WEEK, ports(tmp_path, source, archive, FakeModel()), Settings()))
    assert result["summaries_made"] == 6
    assert sorted(archive.puts) == sorted(set(archive.puts)) and len(archive.puts) == 7
    assert result["archived"] == [f"2026-01-{d:02d}" for d in range(5, 12)]
    assert set(archive.document("daily/2026/01/2026-01-05.json")["summaries"]) == {"2601.05001", "2601.05002"}


# -- naming, keywords, events (moved from the end-to-end layer: no server needed) -----------------
def test_weekly_title_names_the_iso_week_and_its_days():
    request = weekly("2026-W01", dt.date(2026, 11, 22))  # Monday 2025-12-29
    post = render_digest(build_digest(request, [(dt.date(2025, 12, 30), "t", [Paper("2512.00001", "T", "S", 3)])]), PostStyle())

    assert post.startswith(
        "---\ntitle: Hugging Face Papers Weekly Summary - 2026년 1주차 (12.29 ~ 01.04)\n"
        "permalink: /posts/weekly-papers-summary-2026-W01/\n"  # the ISO week's year, not the Monday's
        "date: 2025-12-29 09:00:00 +0900\ncategories: [Daily Papers, 주간]\n"
        "tags: [huggingface, papers, weekly, ai, summary]\n---\n\n"
        "# Hugging Face Papers 주간 요약 - 2026년 1주차 (12.29 ~ 01.04)\n\n"
    )
    assert post.endswith("## 🔥 가장 인기 있는 논문 Top 10\n\n1. **T** - 👍 3\n"
                         "   - [HF 페이지](https://huggingface.co/papers/2512.00001)\n"
                         "   - [논문 링크](https://arxiv.org/abs/2512.00001)\n   - Abstract: S\n\n")  # no keywords: no tag section


# -- bad digest events -----------------------------------------------------------------------


def test_digest_event_files_parse():
    now = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)
    assert parse_event(load_event("monthly.json"), now) == DigestRequest("monthly", dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert parse_event(load_event("weekly.json"), now) == DigestRequest("weekly", dt.date(2026, 1, 5), dt.date(2026, 1, 11))
    assert parse_event(load_event("scheduler-monthly.json"), now) == parse_event(load_event("monthly.json"), now)


def test_keywords_count_once_per_paper_merge_case_and_tie_alphabetically():
    papers = [
        Paper("1", "t", "", 1, keywords=("LLM", "llm", "agents", " Agents ")),
        Paper("2", "t", "", 1, keywords=("LLM", "Zebra")),
        Paper("3", "t", "", 1, keywords=("llm", "apple", "", "   ")),
    ]
    assert [(k.text, k.count) for k in top_keywords(papers, 10)] == [
        ("LLM", 3), ("agents", 1), ("apple", 1), ("Zebra", 1)
    ]
    assert [k.text for k in top_keywords(papers, 2)] == ["LLM", "agents"]


@pytest.mark.parametrize(
    "text, span",
    [
        ("plain words", "`plain words`"),
        ("a`b", "``a`b``"),
        ("x `` y", "```x `` y```"),
        ("`lead", "`` `lead ``"),
        ("trail`", "`` trail` ``"),
        ("{{ site.title }}", '`{{ "{" }}{ site.title }}`'),
        ("{% raw %}", '`{{ "{" }}% raw %}`'),
        ("{{{", '`{{ "{" }}{{ "{" }}{`'),
        ("<b>*x*</b> | $y$ \\ &amp; [l](u)", "`<b>*x*</b> | $y$ \\ &amp; [l](u)`"),
        ("two\nlines\tand  spaces", "`two lines and spaces`"),
        (" \n ", ""),
    ],
)
def test_keyword_code_span_source(text, span):
    assert md_code_span(text) == span
