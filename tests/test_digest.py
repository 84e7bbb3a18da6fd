"""Monthly and weekly digests from the S3 archive, end to end through the handler and the CLI.

January 2026 (ISO week 2026-W02 is 01-05..01-11): the 5th, 6th and 7th are in the archive, the
8th is only on Hugging Face (the archive is missing it), every other day is empty. Paper 2601.00001
is listed on the 5th and the 7th, 2601.00002 on the 5th, 6th and 7th, with different counts: the
digest keeps the copy fetched last.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from test_cli import run_cli

from hf_daily_papers import app, handler
from hf_daily_papers.archive import S3Archive, encode_day
from hf_daily_papers.digest import DigestIncomplete, build_digest, render_digest
from hf_daily_papers.errors import BadInput
from hf_daily_papers.escape import fold_whitespace
from hf_daily_papers.inputs import weekly
from hf_daily_papers.models import Paper
from hf_daily_papers.parse import parse_day
from hf_daily_papers.render import PostStyle

from conftest import BUCKET, FIXTURES, load_event, make_item, s3_objects, s3_versions
from fakes.server import Fault, Reply

MONTHLY_POST = "_posts/2026-01-01-monthly-papers-summary.md"
WEEKLY_POST = "_posts/2026-01-05-weekly-papers-summary.md"
ADVERSARIAL_KEYWORD = "<b>bold</b> `tick` {{ x }}"


def paper(pid: int, upvotes: int, date: str, keywords: list[str], *, org: str | None = None,
          title: str | None = None, summary: str | None = None) -> dict:
    return make_item(f"2601.{pid:05d}", upvotes, date, title=title or f"Paper {pid:02d}",
                     summary=f"Abstract of paper {pid:02d}." if summary is None else summary,
                     org=org, keywords=keywords)


# date → (fetched_at of the archived copy, or None: only on HF), items in API order
JANUARY: dict[str, tuple[str | None, list[dict]]] = {
    "2026-01-05": ("2026-01-06T00:15:00Z", [
        paper(1, 120, "2026-01-05", ["diffusion models", "video generation", "diffusion models"], org="NVIDIA",
              title="Scaling *Diffusion* Transformers"),
        paper(2, 45, "2026-01-05", ["benchmark", "reasoning"]),
        paper(3, 7, "2026-01-05", []),
        paper(4, 300, "2026-01-05", ["Diffusion  Models"], org="Seoul National University"),
        paper(5, 45, "2026-01-05", ["benchmark"]),
        paper(6, 12, "2026-01-05", [ADVERSARIAL_KEYWORD], title="Tokens <think> & | pipes {{ site.title }}",
              summary="Line one.\nLine two with $math$ and [a](link)."),
        paper(7, 0, "2026-01-05", [], summary=""),
        paper(8, 88, "2026-01-05", []),
    ]),
    "2026-01-06": ("2026-01-20T00:00:00Z", [  # refreshed two weeks later
        paper(9, 61, "2026-01-06", ["diffusion models"]),
        paper(10, 61, "2026-01-06", ["Large Language Models"], org="Upstage"),
        paper(11, 5, "2026-01-06", ["large language models"]),
        paper(12, 19, "2026-01-06", ["benchmark"]),
        paper(13, 240, "2026-01-06", ["reinforcement learning"], org="LG AI Research"),
        paper(14, 33, "2026-01-06", ["agents"]),
        paper(15, 2, "2026-01-06", ["alignment"]),
        paper(16, 74, "2026-01-06", ["zero-shot"]),
        paper(2, 60, "2026-01-06", ["benchmark"]),
    ]),
    "2026-01-07": ("2026-01-08T00:15:00Z", [
        paper(17, 150, "2026-01-07", ["large language models"]),
        paper(18, 9, "2026-01-07", ["reinforcement learning"]),
        paper(19, 45, "2026-01-07", ["Mixture of Experts"]),
        paper(20, 1, "2026-01-07", ["reasoning"]),
        paper(21, 3, "2026-01-07", ["robotics"]),
        paper(22, 27, "2026-01-07", []),
        paper(1, 130, "2026-01-07", ["diffusion models", "video generation"], org="NVIDIA",
              title="Scaling *Diffusion* Transformers"),
        paper(2, 50, "2026-01-07", ["benchmark"]),
    ]),
    "2026-01-08": (None, [
        paper(23, 500, "2026-01-08", ["video generation"], org="Google"),
        paper(24, 4, "2026-01-08", ["agents"]),
        paper(25, 45, "2026-01-08", []),
    ]),
}
ARCHIVED = [d for d, (stamp, _) in JANUARY.items() if stamp]
JANUARY_DATES = [f"2026-01-{d:02d}" for d in range(1, 32)]


def expected_digest(name: str) -> str:
    return (FIXTURES / "posts" / name).read_text("utf-8")


def archive_day(s3, date: str, fetched_at: str, items: list[dict]) -> None:
    stamp = dt.datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
    day = parse_day(dt.date.fromisoformat(date), [items], stamp)
    _, data = encode_day(day, f"https://huggingface.co/api/daily_papers?date={date}")
    S3Archive(s3, BUCKET).put(f"daily/2026/01/{date}.json", data)


@pytest.fixture
def january(hf, aws, monkeypatch):
    """The archive holds the 5th-7th; Hugging Face serves the 5th-8th (the 5th-7th with other counts)."""
    monkeypatch.setenv("HF_MAX_RPS", "0")
    for date, (fetched_at, items) in JANUARY.items():
        if fetched_at:
            archive_day(aws, date, fetched_at, items)
        served = json.loads(json.dumps(items))
        if fetched_at:
            for item in served:
                item["paper"]["upvotes"] += 1000  # what HF says now; the digest must use the archive
        hf.days[date] = served
    return JANUARY


# -- the monthly digest ----------------------------------------------------------------------
def test_monthly_digest_from_a_partly_archived_month_is_exactly_the_expected_post(invoke, january, hf, github, aws):
    result = invoke(load_event("monthly.json"))

    assert github.files()[MONTHLY_POST] == expected_digest("2026-01-01-monthly-papers-summary.md")
    missing = [d for d in JANUARY_DATES if d not in ARCHIVED]
    assert result == {
        "digest": "monthly", "period": "2026-01", "start": "2026-01-01", "end": "2026-01-31",
        "status": "created", "papers": 25, "listed": 20, "days": 4,
        "fetched": missing, "archived": missing,  # the empty days are recorded too
        "post_path": MONTHLY_POST, "commit_sha": github.history()[0]["sha"],
    }
    # only the days missing from the archive were asked for; each is now archived (empty or not)
    assert sorted(hf.dates_requested) == missing
    assert sorted(s3_objects(aws)) == [f"daily/2026/01/{d}.json" for d in JANUARY_DATES]
    assert json.loads(s3_objects(aws)["daily/2026/01/2026-01-01.json"])["count"] == 0
    archived = json.loads(s3_objects(aws)["daily/2026/01/2026-01-08.json"])
    assert archived["papers"] == hf.days["2026-01-08"]
    # one commit with the digest only: no daily posts from a digest run
    history = github.history()
    assert len(history) == 2 and history[0]["message"] == "Monthly Papers Summary 2026-01"
    assert [p for p in github.files() if p.startswith("_posts/")] == [MONTHLY_POST]
    assert len(github.requests) == 5


def test_monthly_digest_rerun_reads_the_archive_and_changes_nothing(invoke, january, hf, github, aws):
    invoke(load_event("monthly.json"))
    hf.reset_log()
    github.reset_log()

    result = invoke(load_event("monthly.json"))

    assert result["status"] == "unchanged" and "commit_sha" not in result
    assert result["archived"] == []
    assert hf.dates_requested == []  # every day was seen before: the empty ones are on record
    assert github.writes == [] and len(github.history()) == 2
    assert s3_versions(aws, "daily/2026/01/2026-01-08.json") == 1


def test_newer_archived_counts_update_the_digest(invoke, january, github, aws):
    invoke(load_event("monthly.json"))
    _fetched_at, items = JANUARY["2026-01-06"]
    items = json.loads(json.dumps(items))
    items[0]["paper"]["upvotes"] = 1234  # paper 09, refreshed again
    archive_day(aws, "2026-01-06", "2026-01-25T00:00:00Z", items)

    result = invoke(load_event("monthly.json"))

    assert result["status"] == "updated"
    post = github.files()[MONTHLY_POST]
    assert "## 🔥 가장 인기 있는 논문 Top 20\n\n1. **Paper 09** - 👍 1234\n" in post
    assert "- **총 좋아요 수**: 3,094\n- **평균 좋아요 수**: 123.76\n" in post
    assert len(github.history()) == 3


def test_monthly_schedule_builds_the_previous_month(invoke, january, github):
    result = invoke(load_event("scheduler-monthly.json"))  # 2026-02-01 00:00 UTC = 09:00 in Seoul

    assert (result["digest"], result["period"], result["status"]) == ("monthly", "2026-01", "created")
    assert github.files()[MONTHLY_POST] == expected_digest("2026-01-01-monthly-papers-summary.md")


def test_dry_run_digest_returns_the_post_and_writes_nothing(invoke, january, hf, github, aws):
    before = s3_objects(aws)

    result = invoke({"digest": "monthly", "month": "2026-01", "dry_run": True})

    assert result["status"] == "dry_run"
    assert result["post"] == expected_digest("2026-01-01-monthly-papers-summary.md")
    assert result["archived"] == [] and "2026-01-08" in result["fetched"]
    assert github.requests == []
    assert s3_objects(aws) == before


def test_a_day_that_cannot_be_fetched_fails_the_digest_naming_it(invoke, january, hf, github, aws):
    hf.inject(Fault("GET", "/api/daily_papers", Reply(200, {"error": "glitch"}), times=1,
                    when=lambda r: r.query.get("date") == ["2026-01-08"]))

    with pytest.raises(DigestIncomplete) as caught:
        invoke(load_event("monthly.json"))

    assert str(caught.value) == (
        "monthly digest 2026-01 not built: 1 day(s) could not be read from the archive or fetched: "
        "2026-01-08 (Hugging Face answered nonsense for daily papers of 2026-01-08 (page 0): expected a JSON "
        "array, got dict). The other days are archived; re-run to complete."
    )
    assert github.requests == []
    assert "daily/2026/01/2026-01-08.json" not in s3_objects(aws)

    result = invoke(load_event("monthly.json"))

    assert result["status"] == "created" and result["archived"] == ["2026-01-08"]
    assert github.files()[MONTHLY_POST] == expected_digest("2026-01-01-monthly-papers-summary.md")


def at(moment: dt.datetime, http: object) -> None:
    """The next invocation runs in a new execution environment whose clock says `moment`."""
    handler.reset_environment(app.Wiring(clock=lambda: moment, http=http))  # type: ignore[arg-type]


def test_current_month_stops_at_the_last_closed_day(invoke, january, hf, github, fast_http):
    at(dt.datetime(2026, 1, 7, 3, 0, tzinfo=dt.UTC), fast_http)

    result = invoke({"digest": "monthly", "month": "2026-01"})

    assert (result["start"], result["end"]) == ("2026-01-01", "2026-01-06")
    assert sorted(hf.dates_requested) == [f"2026-01-0{d}" for d in range(1, 5)]
    assert (result["papers"], result["days"]) == (16, 2)  # the 5th and 6th; the 7th is not over yet
    post = github.files()[MONTHLY_POST]
    assert "- **총 논문 수**: 16개\n" in post and "- **수집 일수**: 2일\n" in post
    assert "1. **Paper 04** - 👍 300\n" in post


def test_a_period_without_papers_is_empty_and_publishes_nothing(invoke, january, hf, github, aws):
    result = invoke({"digest": "monthly", "month": "2025-12"})

    assert result == {
        "digest": "monthly", "period": "2025-12", "start": "2025-12-01", "end": "2025-12-31", "status": "empty",
        "papers": 0, "listed": 0, "days": 0, "fetched": [f"2025-12-{d:02d}" for d in range(1, 32)],
        "archived": [f"2025-12-{d:02d}" for d in range(1, 32)],
    }
    assert github.requests == []


def test_a_month_with_no_closed_day_yet_is_empty(invoke, january, hf, github, fast_http):
    at(dt.datetime(2026, 1, 1, 3, 0, tzinfo=dt.UTC), fast_http)  # nothing closed

    result = invoke({"digest": "monthly", "month": "2026-01"})

    assert result == {"digest": "monthly", "period": "2026-01", "start": "2026-01-01", "status": "empty",
                      "papers": 0, "listed": 0, "days": 0, "fetched": [], "archived": []}
    assert hf.requests == [] and github.requests == []


# -- the weekly digest -----------------------------------------------------------------------
def test_weekly_digest_is_exactly_the_expected_post(invoke, january, hf, github):
    result = invoke(load_event("weekly.json"))

    assert github.files()[WEEKLY_POST] == expected_digest("2026-01-05-weekly-papers-summary.md")
    assert result == {
        "digest": "weekly", "period": "2026-W02", "start": "2026-01-05", "end": "2026-01-11",
        "status": "created", "papers": 25, "listed": 10, "days": 4,
        "fetched": ["2026-01-08", "2026-01-09", "2026-01-10", "2026-01-11"],
        "archived": ["2026-01-08", "2026-01-09", "2026-01-10", "2026-01-11"],
        "post_path": WEEKLY_POST, "commit_sha": github.history()[0]["sha"],
    }
    assert github.history()[0]["message"] == "Weekly Papers Summary 2026-W02"


@pytest.mark.parametrize("event, path, url", [
    ("monthly.json", MONTHLY_POST, "/posts/monthly-papers-summary-2026-01/"),
    ("weekly.json", WEEKLY_POST, "/posts/weekly-papers-summary-2026-W02/"),
])
def test_by_default_each_digest_has_its_own_url_after_the_title(invoke, january, github, monkeypatch, event, path, url):
    """POST_PERMALINK unset: the expected post with `permalink:` right after `title:`, nothing else."""
    monkeypatch.delenv("POST_PERMALINK")

    invoke(load_event(event))

    seed = expected_digest(path.removeprefix("_posts/"))
    title = seed.split("\n")[1] + "\n"
    assert title.startswith("title: ")
    assert github.files()[path] == seed.replace(title, f"{title}permalink: {url}\n", 1)


def test_weekly_schedule_on_monday_builds_the_week_that_ended(invoke, january, github):
    result = invoke({"source": "scheduler", "digest": "weekly", "scheduled_time": "2026-01-12T00:00:00Z"})

    assert (result["digest"], result["period"], result["status"]) == ("weekly", "2026-W02", "created")
    assert github.files()[WEEKLY_POST] == expected_digest("2026-01-05-weekly-papers-summary.md")


BAD_DIGESTS = [
    ({"digest": "yearly"}, "digest='yearly': expected 'monthly' or 'weekly'"),
    ({"digest": "monthly"}, "month is not set: expected a month as YYYY-MM"),
    ({"digest": "monthly", "month": "2026-13"}, "month='2026-13': month 13 is out of range (01..12)"),
    ({"digest": "monthly", "month": "2999-01"}, "month='2999-01': is in the future"),
    ({"digest": "monthly", "month": "2026-01", "week": "2026-W02"}, "week='2026-W02': unexpected field"),
    ({"digest": "weekly", "week": "2026-W54"}, "week='2026-W54': no such ISO week"),
    ({"digest": "weekly", "week": "2026-02"}, "week='2026-02': expected an ISO week as YYYY-Www"),
    ({"source": "scheduler", "digest": "daily", "scheduled_time": "2026-02-01T00:00:00Z"}, "digest='daily': expected"),
]


@pytest.mark.parametrize("event, message", BAD_DIGESTS, ids=[str(i) for i in range(len(BAD_DIGESTS))])
def test_bad_digest_event_is_a_clear_error_before_any_work(invoke, hf, github, aws, event, message):
    with pytest.raises(BadInput) as caught:
        invoke(event)

    assert message in str(caught.value)
    assert hf.requests == [] and github.requests == [] and s3_objects(aws) == {}


# -- CLI -------------------------------------------------------------------------------------
def test_cli_digest_writes_into_the_folder_from_saved_answers(tmp_path):
    hf_dir = tmp_path / "hf"
    hf_dir.mkdir()
    for date, (_, items) in JANUARY.items():
        unique = [i for i in items if i["paper"]["id"] not in ("2601.00001", "2601.00002") or date == "2026-01-05"]
        (hf_dir / f"{date}.json").write_text(json.dumps(unique), "utf-8")
    for day in ("2026-01-09", "2026-01-10", "2026-01-11"):  # saved empty answers (a missing file is an error)
        (hf_dir / f"{day}.json").write_text("[]", "utf-8")
    out = tmp_path / "out"

    proc = run_cli("digest", "--week", "2026-W02", "--hf-dir", str(hf_dir), "--out", str(out), "--author", "lim4349")

    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert (result["status"], result["papers"], result["days"]) == ("created", 25, 4)
    post = (out / "blog" / WEEKLY_POST).read_text("utf-8")
    assert post.startswith("---\ntitle: Hugging Face Papers Weekly Summary - 2026년 2주차 (01.05 ~ 01.11)\n")
    assert "1. **Paper 23** - 👍 500\n   - 기관: Google\n" in post
    assert sorted(p.name for p in (out / "archive" / "daily" / "2026" / "01").iterdir()) == [
        f"2026-01-{d:02d}.json" for d in range(5, 12)  # the empty weekend days are on record too
    ]
    assert not (out / "blog" / "_posts" / "2026-01-05-daily-papers.md").exists()


# -- keywords ---------------------------------------------------------------------------------
# -- Jekyll -----------------------------------------------------------------------------------
ADVERSARIAL_KEYWORDS = [
    "`", "a`b", "``x``", "`lead", "trail`", "{{ site.title }}", "{% raw %}", "{%endraw%}", "{{{", "}}",
    "<script>alert(1)</script>", "a|b", "| c |", "$$x$$", "\\(y\\)", "*em* _u_", "\\", "x\\", "[l](http://u)",
    "&amp;", "&#123;", "~~s~~", "{: .cls}", "{::comment}", "line\nbreak", "#hash", "1. list", "> quote", "<!-- c -->",
    "-- em --- dash...",
]


@pytest.mark.jekyll
def test_digests_build_with_jekyll_and_every_keyword_is_visible_text(tmp_path):
    from jekyll_site import Page, build, normalize

    posts = {
        MONTHLY_POST: expected_digest("2026-01-01-monthly-papers-summary.md"),
        WEEKLY_POST: expected_digest("2026-01-05-weekly-papers-summary.md"),
    }
    adversarial: dict[str, list[str]] = {}
    for n, start in enumerate(range(0, len(ADVERSARIAL_KEYWORDS), 10)):
        keywords = ADVERSARIAL_KEYWORDS[start:start + 10]
        request = weekly(f"2026-W{10 + n:02d}", dt.date(2026, 11, 22))
        papers = [Paper(f"2603.{i:05d}", f"Title {k}", f"Abstract {k}", 100 - i, keywords=tuple(keywords[: i + 1]))
                  for i, k in enumerate(keywords)]
        path = f"_posts/{request.start}-weekly-papers-summary.md"
        posts[path] = render_digest(build_digest(request, [(request.start, "t", papers)]), PostStyle(author="lim4349"))
        adversarial[path] = keywords
    pages = {path: Page(html) for path, html in build(tmp_path / "site", posts).items()}

    allowed = {"html", "body", "article", "h1", "h2", "p", "ol", "ul", "li", "strong", "a", "code"}
    for path, page in pages.items():
        assert set(page.tags) <= allowed, (path, set(page.tags) - allowed)
    for path, keywords in adversarial.items():
        page = pages[path]
        # keyword i is in papers i..9: keyword 0 in all ten, keyword 9 in one
        expected = [f"{normalize(fold_whitespace(k))} - {len(keywords) - i}회" for i, k in enumerate(keywords)]
        assert page.items[-len(keywords):] == expected, path
        assert page.tags.count("code") == len(keywords)
        for i, k in enumerate(keywords):
            assert page.items[4 + i].startswith(f"Title {normalize(fold_whitespace(k))} - 👍 {100 - i}")
    monthly = pages[MONTHLY_POST]
    assert monthly.text.startswith(
        "Hugging Face Papers 월간 요약 - 2026년 1월 📊 통계 총 논문 수: 25개 총 좋아요 수: 1,921 "
        "평균 좋아요 수: 76.84 수집 일수: 4일 🔥 가장 인기 있는 논문 Top 20"
    )
    assert monthly.items[4].startswith("Paper 23 - 👍 500 기관: Google")
    assert f"{ADVERSARIAL_KEYWORD} - 1회" in monthly.items
    assert pages[WEEKLY_POST].text.startswith("Hugging Face Papers 주간 요약 - 2026년 2주차 (01.05 ~ 01.11) 📊 통계")
