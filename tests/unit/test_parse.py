"""API items → papers: a bad record never blocks the good ones, whatever is wrong with it.

Pages are given as JSON text and read with the sources' own reader (`hf.loads`), so what a test
sends is what an answer could carry: lone surrogates (`\\ud800`), integers longer than Python
parses, `NaN`, deep nesting. Fast: no sockets.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hf_daily_papers.errors import DailyPapersError, UpstreamInvalid
from hf_daily_papers.hf import FolderSource, loads, parse_day

from .memory import load_hf

DATE = dt.date(2026, 2, 25)
STAMP = dt.datetime(2026, 2, 26, 0, 15, tzinfo=dt.UTC)
HUGE = "9" * 5000  # beyond Python's 4,300-digit int() limit


def good(pid: str, upvotes: int = 1, **paper: Any) -> dict[str, Any]:
    """A real-shaped item of DATE (the 2026-08-21 answer's fields)."""
    fields: dict[str, Any] = {
        "id": pid, "title": f"Paper {pid}", "summary": "Abstract.", "upvotes": upvotes,
        "submittedOnDailyAt": "2026-02-25T08:00:00.000Z", "publishedAt": "2026-02-24T00:00:00.000Z",
        "authors": [{"_id": "a", "name": "A. Author", "hidden": False}], "ai_keywords": ["LLM"],
        "githubRepo": "https://github.com/o/r", "githubStars": 8, "projectPage": "https://p.example/",
    }
    fields.update(paper)
    return {"paper": fields, "title": fields["title"], "thumbnail": f"https://cdn.example/{pid}.png",
            "numComments": 0, "organization": {"_id": "o", "name": "org", "fullname": "Org"}}


def as_json(items: list[Any]) -> str:
    """Items → JSON text; the string "<HUGE>" becomes a 5,000-digit number."""
    return json.dumps(items).replace('"<HUGE>"', HUGE)


def parse(items: list[Any], date: dt.date = DATE) -> Any:
    return parse_day(date, [loads(as_json(items), "test", "test")], STAMP)


def set_path(item: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    target = item
    *parents, last = path.split(".")
    for key in parents:
        target = target[key]
    target[last] = value
    return item


# Each: (what is wrong, how to break a good item, words the skip reason must contain).
BAD: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    ("not an object", lambda i: 5, "expected an object"),
    ("a string", lambda i: "x", "expected an object"),
    ("null", lambda i: None, "expected an object"),
    ("a list", lambda i: [i], "expected an object"),
    ("no paper", lambda i: {"title": "x"}, "paper is None"),
    ("paper a list", lambda i: set_path(i, "paper", [1]), "paper is list"),
    ("id missing", lambda i: set_path(i, "paper.id", None), "paper.id"),
    ("id a number", lambda i: set_path(i, "paper.id", 2602.1), "paper.id"),
    ("id a boolean", lambda i: set_path(i, "paper.id", True), "paper.id"),
    ("id empty", lambda i: set_path(i, "paper.id", ""), "paper.id"),
    ("id a path", lambda i: set_path(i, "paper.id", "2602.1/../../x"), "paper.id"),
    ("id with a slash", lambda i: set_path(i, "paper.id", "hep-th/9901001"), "paper.id"),
    ("id parent", lambda i: set_path(i, "paper.id", ".."), "paper.id"),
    ("id dots", lambda i: set_path(i, "paper.id", "2602..12675"), "paper.id"),
    ("id too long", lambda i: set_path(i, "paper.id", "1" * 70), "paper.id"),
    ("id with space", lambda i: set_path(i, "paper.id", "2602.1 x"), "paper.id"),
    ("id with newline", lambda i: set_path(i, "paper.id", "2602.1\n"), "paper.id"),
    ("id percent", lambda i: set_path(i, "paper.id", "a%2Fb"), "paper.id"),
    ("id non-ASCII digits", lambda i: set_path(i, "paper.id", "٢٦٠٢.١"), "paper.id"),
    ("title missing", lambda i: set_path(i, "paper.title", None), "paper.title"),
    ("title a number", lambda i: set_path(i, "paper.title", 5), "paper.title"),
    ("title a list", lambda i: set_path(i, "paper.title", ["x"]), "paper.title"),
    ("title empty", lambda i: set_path(i, "paper.title", ""), "paper.title"),
    ("title blank", lambda i: set_path(i, "paper.title", " \n\t "), "paper.title"),
    ("title invisible", lambda i: set_path(i, "paper.title", "\u200b\u200d\u00ad\u2060\ufeff\u200f"), "paper.title"),
    ("title fillers", lambda i: set_path(i, "paper.title", "\u3164\u115f \u2800\u034f"), "paper.title"),
    ("title controls", lambda i: set_path(i, "paper.title", "\x00\x1f\x7f\x85\u2028"), "paper.title"),
    ("title combining only", lambda i: set_path(i, "paper.title", "\u0301\u20dd"), "paper.title"),
    ("upvotes text", lambda i: set_path(i, "paper.upvotes", "7"), "paper.upvotes"),
    ("upvotes negative", lambda i: set_path(i, "paper.upvotes", -1), "paper.upvotes"),
    ("upvotes float", lambda i: set_path(i, "paper.upvotes", 1.5), "paper.upvotes"),
    ("upvotes boolean", lambda i: set_path(i, "paper.upvotes", True), "paper.upvotes"),
    ("upvotes missing", lambda i: set_path(i, "paper.upvotes", None), "paper.upvotes"),
    ("upvotes beyond JSON", lambda i: set_path(i, "paper.upvotes", 2**60), "paper.upvotes"),
    ("upvotes too long", lambda i: set_path(i, "paper.upvotes", "<HUGE>"), "5000 digits"),
    ("summary a number", lambda i: set_path(i, "paper.summary", 5), "paper.summary"),
    ("summary an object", lambda i: set_path(i, "paper.summary", {"x": 1}), "paper.summary"),
    ("date year 0", lambda i: set_path(i, "paper.submittedOnDailyAt", "0000-01-01T00:00:00Z"), "submittedOnDailyAt"),
    ("date year 10000", lambda i: set_path(i, "paper.submittedOnDailyAt", "10000-01-01T00:00:00Z"), "submittedOnDailyAt"),
    ("date underflows in UTC", lambda i: set_path(i, "paper.submittedOnDailyAt", "0001-01-01T00:00:00+01:00"), "submittedOnDailyAt"),
    ("date overflows in UTC", lambda i: set_path(i, "paper.submittedOnDailyAt", "9999-12-31T23:59:59-01:00"), "submittedOnDailyAt"),
    ("date month 13", lambda i: set_path(i, "paper.submittedOnDailyAt", "2026-13-01T00:00:00Z"), "submittedOnDailyAt"),
    ("date words", lambda i: set_path(i, "paper.submittedOnDailyAt", "yesterday"), "submittedOnDailyAt"),
    ("date a number", lambda i: set_path(i, "paper.submittedOnDailyAt", 1772006400), "submittedOnDailyAt"),
    ("date a list", lambda i: set_path(i, "paper.submittedOnDailyAt", ["2026-02-25"]), "submittedOnDailyAt"),
    ("surrogate in title", lambda i: set_path(i, "paper.title", "A \ud800 title"), "surrogate"),
    ("surrogate in summary", lambda i: set_path(i, "paper.summary", "x\udfffy"), "surrogate"),
    ("surrogate deep inside", lambda i: set_path(i, "paper.authors", [{"name": "\udc80"}]), "surrogate"),
    ("surrogate in a key", lambda i: set_path(i, "paper.\ud83d", 1), "surrogate"),
    ("surrogate in the thumbnail", lambda i: set_path(i, "thumbnail", "https://x/\ud800"), "surrogate"),
    ("too-long integer elsewhere", lambda i: set_path(i, "numComments", "<HUGE>"), "5000 digits"),
    ("NaN elsewhere", lambda i: set_path(i, "numComments", float("nan")), "not a finite number"),
    ("Infinity elsewhere", lambda i: set_path(i, "paper.githubStars", float("inf")), "not a finite number"),
    ("nested too deep", lambda i: set_path(i, "extra", json.loads("[" * 40 + "]" * 40)), "levels deep"),
]
# Harmless problems in optional fields: the paper is kept, the field reads as absent.
REPAIRED: list[tuple[str, Callable[[dict[str, Any]], Any], dict[str, Any]]] = [
    ("organization a list", lambda i: set_path(i, "organization", ["Org"]), {"organization": None}),
    ("organization text", lambda i: set_path(i, "organization", "Org"), {"organization": None}),
    ("organization fullname a number", lambda i: set_path(i, "organization.fullname", 5), {"organization": None}),
    ("organization fullname invisible", lambda i: set_path(i, "organization.fullname", "\u200b"), {"organization": None}),
    ("keywords not text", lambda i: set_path(i, "paper.ai_keywords", [1, None, True, {"a": 1}, "ok", ""]), {"keywords": ("ok",)}),
    ("keywords an object", lambda i: set_path(i, "paper.ai_keywords", {"a": "b"}), {"keywords": ()}),
    ("thumbnail a number", lambda i: set_path(i, "thumbnail", 5), {"thumbnail": None}),
    ("thumbnail empty", lambda i: set_path(i, "thumbnail", ""), {"thumbnail": None}),
    ("githubRepo a list", lambda i: set_path(i, "paper.githubRepo", []), {"github_repo": None}),
    ("githubStars text", lambda i: set_path(i, "paper.githubStars", "8"), {"github_stars": None}),
    ("githubStars negative", lambda i: set_path(i, "paper.githubStars", -1), {"github_stars": None}),
    ("githubStars boolean", lambda i: set_path(i, "paper.githubStars", True), {"github_stars": None}),
    ("githubStars float", lambda i: set_path(i, "paper.githubStars", 1.5), {"github_stars": None}),
    ("projectPage an object", lambda i: set_path(i, "paper.projectPage", {}), {"project_page": None}),
    ("summary null", lambda i: set_path(i, "paper.summary", None), {"summary": ""}),
    ("no submittedOnDailyAt", lambda i: i["paper"].pop("submittedOnDailyAt") and i, {}),
]


@pytest.mark.parametrize("what, breaks, reason", BAD, ids=[b[0] for b in BAD])
def test_each_bad_shape_is_skipped_with_its_reason_and_the_day_keeps_the_rest(what, breaks, reason):
    items = [good(f"2602.0000{n}", 10 - n) for n in range(4)] + [breaks(good("2602.00009"))]
    day = parse(items)
    assert [p.id for p in day.papers] == [f"2602.0000{n}" for n in range(4)]
    assert len(day.skipped) == 1 and day.skipped[0].startswith("item 4: ") and reason in day.skipped[0], day.skipped
    day.skipped[0].encode("utf-8")  # a reason is always writable (no surrogate copied into it)
    json.dumps([*day.items], ensure_ascii=False).encode("utf-8")  # what is archived encodes


@pytest.mark.parametrize("what, breaks, fields", REPAIRED, ids=[r[0] for r in REPAIRED])
def test_harmless_problems_in_optional_fields_are_repaired_not_skipped(what, breaks, fields):
    day = parse([breaks(good("2602.00001"))])
    assert day.skipped == () and len(day.papers) == 1
    for name, value in fields.items():
        assert getattr(day.papers[0], name) == value


def test_new_fields_come_from_the_real_answer():
    day = parse_day(dt.date(2026, 8, 21), [load_hf("2026-08-21")], STAMP)
    top = day.papers[0]
    assert (top.id, top.thumbnail, top.github_repo, top.github_stars, top.project_page) == (
        "2608.19880", "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2608.19880.png",
        "https://github.com/google-research/envharness", 8, "https://envharness.com/")
    assert {p.id: p.github_stars for p in day.papers}["2608.19861"] == 0
    assert sum(p.project_page is None for p in day.papers) == 8 and day.skipped == ()


def test_hostile_items_mixed_with_good_ones_property():
    """Random pages: good items (some with repaired fields) and up to a quarter bad ones in
    random places. Every good paper comes out, every bad one is listed, nothing else is raised."""
    rng = random.Random(9)
    for round_ in range(300):
        n_good = rng.randint(1, 12)
        goods = [good(f"2602.{round_:02d}{n:03d}", rng.randint(0, 500)) for n in range(n_good)]
        for item in goods:
            if rng.random() < 0.3:
                rng.choice(REPAIRED)[1](item)
        bads = [rng.choice(BAD)[1](good(f"2699.{round_:02d}{n:03d}")) for n in range(rng.randint(0, n_good // 3))]
        items = goods + bads
        rng.shuffle(items)
        day = parse(items)
        assert sorted(p.id for p in day.papers) == sorted(i["paper"]["id"] for i in goods), round_
        assert len(day.skipped) == len(bads), (round_, day.skipped)
        json.dumps([*day.items], ensure_ascii=False).encode("utf-8")


def test_more_than_a_quarter_bad_is_the_projects_own_error_whatever_the_shapes():
    rng = random.Random(25)
    for _ in range(100):
        bads = [rng.choice(BAD)[1](good(f"2699.{n:05d}")) for n in range(rng.randint(2, 6))]
        items = [*bads, good("2602.00001")]
        with pytest.raises(UpstreamInvalid, match=r"daily papers of 2026-02-25: .*malformed of"):
            parse(items)


def test_only_papers_of_other_days_is_an_upstream_change_naming_the_dates():
    items = [good("2602.00001", submittedOnDailyAt="2026-02-24T08:00:00Z"),
             good("2602.00002", submittedOnDailyAt="2026-02-23T23:00:00Z"),
             good("2602.00003", submittedOnDailyAt="2026-02-24T01:00:00Z")]
    with pytest.raises(UpstreamInvalid) as caught:
        parse(items)
    assert str(caught.value) == (
        "Hugging Face answered nonsense for daily papers of 2026-02-25: "
        "expected papers of 2026-02-25, got only papers of 2026-02-24, 2026-02-23"
    )


def test_some_papers_of_other_days_are_left_out_and_the_day_stands():
    day = parse([good("2602.00001", submittedOnDailyAt="2026-02-24T08:00:00Z"), good("2602.00002")])
    assert [p.id for p in day.papers] == ["2602.00002"]
    assert day.skipped == ("2602.00001: submittedOnDailyAt is 2026-02-24, not 2026-02-25",)


def test_an_empty_answer_is_an_empty_day():
    assert parse([]).papers == () and parse([]).skipped == ()


# -- saved answers (the CLI's --hf-dir) --------------------------------------------------------
@pytest.mark.parametrize("data, got", [
    (b"<html>Bad gateway</html>", "expected JSON"),
    (b'[{"paper": ', "expected JSON"),
    (b"\xff\xfe[]", "expected UTF-8 JSON, got a byte that is not UTF-8 at offset 0"),
    (b'["caf\xe9"]', "expected UTF-8 JSON, got a byte that is not UTF-8 at offset 5"),
    (b'{"papers": []}', "expected a JSON array, got dict"),
])
def test_a_saved_answer_that_cannot_be_read_names_the_file(tmp_path: Path, data: bytes, got: str):
    path = tmp_path / "2026-02-25.json"
    path.write_bytes(data)
    with pytest.raises(UpstreamInvalid) as caught:
        FolderSource(tmp_path, lambda: STAMP).fetch_day(DATE)
    message = str(caught.value)
    assert message.startswith(f"saved answer {path} answered nonsense for daily papers of 2026-02-25") and got in message
    assert "Hugging Face" not in message


def test_a_saved_answer_keeps_its_good_items_and_names_itself_when_mostly_bad(tmp_path: Path):
    path = tmp_path / "2026-02-25.json"
    path.write_text("\ufeff" + as_json([good("2602.00001"), good("2602.00002"), good("2602.00003"),
                                         set_path(good("2602.00004"), "paper.upvotes", "<HUGE>")]), "utf-8")
    day = FolderSource(tmp_path, lambda: STAMP).fetch_day(DATE)
    assert len(day.papers) == 3 and "5000 digits" in day.skipped[0]

    path.write_text(as_json([good("2602.00001"), 5, 6]), "utf-8")
    with pytest.raises(UpstreamInvalid, match=rf"^saved answer {path} answered nonsense .* 2 malformed of 3"):
        FolderSource(tmp_path, lambda: STAMP).fetch_day(DATE)


def test_a_saved_answer_that_is_a_folder_is_the_projects_error(tmp_path: Path):
    (tmp_path / "2026-02-25.json").mkdir()
    with pytest.raises(DailyPapersError, match=r"saved answer .*2026-02-25\.json"):
        FolderSource(tmp_path, lambda: STAMP).fetch_day(DATE)


def test_a_missing_saved_answer_is_an_empty_day(tmp_path: Path):
    assert FolderSource(tmp_path, lambda: STAMP).fetch_day(DATE).empty
