"""API items → papers: a bad record never blocks the good ones, whatever is wrong with it.

Pages are given as JSON text and read with the sources' own reader (`parse.loads`), so what a test
sends is what an answer could carry: lone surrogates (`\\ud800`), integers longer than Python
parses, `NaN`, deep nesting. What the archive cannot keep is found by `parse.unarchivable`, which
the archive asks only when its one encode fails. The sources (`hf.py`) run against the fake Hugging
Face answered in process. Fast: no sockets.
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
from hf_daily_papers.hf import MAX_PAGES, FolderSource, HfApiSource, SavedAnswerUnavailable
from hf_daily_papers.parse import loads, parse_day, unarchivable

from .memory import InProcessHttp, load_hf
from fakes.hf import FakeHF

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
    ("surrogate in the thumbnail", lambda i: set_path(i, "thumbnail", "https://x/\ud800"), "surrogate"),
    ("surrogate in the organization", lambda i: set_path(i, "organization.fullname", "Org \udc00"), "surrogate"),
    ("surrogate in githubRepo", lambda i: set_path(i, "paper.githubRepo", "https://github.com/\ud800"), "surrogate"),
    ("surrogate in projectPage", lambda i: set_path(i, "paper.projectPage", "https://p/\udfff"), "surrogate"),
]
# Sound papers whose item holds something elsewhere that the archive cannot keep: the parse keeps
# them (checking every string of every item cost 4 s a backfill); the archive's encode fails and
# `unarchivable` names them, to be left out of the day with the reason.
UNARCHIVABLE: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    ("surrogate deep inside", lambda i: set_path(i, "paper.authors", [{"name": "\udc80"}]),
     "item.paper.authors[0].name has text that is not valid Unicode (a lone surrogate)"),
    ("surrogate in a key", lambda i: set_path(i, "paper.\ud83d", 1),
     "item.paper has a key that is not valid Unicode (a lone surrogate)"),
    ("surrogate in a keyword (dropped from the paper)", lambda i: set_path(i, "paper.ai_keywords", ["ok", "\ud800"]),
     "item.paper.ai_keywords[1] has text that is not valid Unicode (a lone surrogate)"),
    ("too-long integer elsewhere", lambda i: set_path(i, "numComments", "<HUGE>"),
     "item.numComments is an integer of 5000 digits"),
    ("NaN elsewhere", lambda i: set_path(i, "numComments", float("nan")), "item.numComments is nan, not a finite number"),
    ("Infinity elsewhere", lambda i: set_path(i, "paper.githubStars", float("inf")),
     "item.paper.githubStars is inf, not a finite number"),
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
    archive_encode(day.items)  # what is archived encodes
    assert unarchivable(day.items) == []


def archive_encode(items: Any) -> bytes:
    """The archive's one encode of a day's items (archive.py: C encoder, no NaN, UTF-8)."""
    return json.dumps({"papers": list(items)}, ensure_ascii=False, allow_nan=False).encode("utf-8")


@pytest.mark.parametrize("what, breaks, reason", UNARCHIVABLE, ids=[u[0] for u in UNARCHIVABLE])
def test_what_the_archive_cannot_keep_fails_its_encode_and_unarchivable_names_the_item(what, breaks, reason):
    items = [good(f"2602.0000{n}", 10 - n) for n in range(4)] + [breaks(good("2602.00009"))]
    day = parse(items)
    assert len(day.papers) == len(day.items) == 5 and day.skipped == ()
    with pytest.raises((ValueError, TypeError)):  # UnicodeEncodeError is a ValueError
        archive_encode(day.items)
    found = unarchivable(day.items)
    assert found == [(4, f"2602.00009: {reason}")], found
    found[0][1].encode("utf-8")  # a reason is always writable
    archive_encode(item for n, item in enumerate(day.items) if n != 4)  # the rest is kept


def test_unarchivable_names_each_bad_item_and_what_has_no_paper_id():
    items = [good("2602.00001"), set_path(good("2602.00002"), "x", float("-inf")), good("2602.00003"),
             {"paper": {"id": "../x"}, "n": float("nan")}, set_path(good("2602.00005"), "paper.y", "\ud800")]
    assert unarchivable(items) == [
        (1, "2602.00002: item.x is -inf, not a finite number"),
        (3, "item.n is nan, not a finite number"),
        (4, "2602.00005: item.paper.y has text that is not valid Unicode (a lone surrogate)"),
    ]


def test_an_item_too_deep_to_encode_is_unarchivable_and_not_a_crash():
    deep: list[Any] = []  # 30,001 nested lists under the item: 30,002 levels
    for _ in range(30_000):  # beyond the encoder's recursion limit (~1,000 on 3.11, ~10,000 on 3.13)
        deep = [deep]
    items = [good("2602.00001"), set_path(good("2602.00002"), "extra", deep)]
    assert unarchivable(items) == [(1, "2602.00002: item nests too deeply to archive (30002 levels)")]


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
    for round_ in range(150):
        n_good = rng.randint(1, 12)
        goods = [good(f"2602.{round_:02d}{n:03d}", rng.randint(0, 500)) for n in range(n_good)]
        for item in goods:
            if rng.random() < 0.3:
                rng.choice(REPAIRED)[1](item)
        bads = [rng.choice(BAD)[1](good(f"2699.{round_:02d}{n:03d}")) for n in range(rng.randint(0, n_good // 3))]
        kept_bad = [rng.choice(UNARCHIVABLE)[1](good(f"2698.{round_:02d}{n:03d}")) for n in range(rng.randint(0, 2))]
        items = goods + bads + kept_bad
        rng.shuffle(items)
        day = parse(items)
        assert len(day.skipped) == len(bads), (round_, day.skipped)
        left_out = {n for n, _ in unarchivable(day.items)}
        kept = [item for n, item in enumerate(day.items) if n not in left_out]
        assert len(left_out) == len(kept_bad), round_
        assert sorted(i["paper"]["id"] for i in kept) == sorted(i["paper"]["id"] for i in goods), round_
        assert [p.id for p in day.papers] == [i["paper"]["id"] for i in day.items]  # one paper per item
        archive_encode(kept)


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


def test_a_missing_saved_answer_is_an_error_naming_the_file_not_an_empty_day(tmp_path: Path):
    """An empty record is trusted by every later run: a file not saved must not make one (#17)."""
    (tmp_path / "2026-02-24.json").write_text("[]", "utf-8")
    with pytest.raises(SavedAnswerUnavailable) as caught:
        FolderSource(tmp_path, lambda: STAMP).fetch_day(DATE)
    assert str(caught.value) == (
        f"saved answer {tmp_path / '2026-02-25.json'} does not exist: no answer for 2026-02-25 was saved "
        "(a day without papers is saved as [])"
    )


def test_a_saved_empty_array_is_a_real_empty_day_that_says_it_was_saved(tmp_path: Path):
    (tmp_path / "2026-02-25.json").write_text("[]", "utf-8")
    day = FolderSource(tmp_path, lambda: STAMP).fetch_day(DATE)
    assert (day.papers, day.items, day.skipped, day.source) == ((), (), (), "saved")
    assert day.settled_empty  # saved after the day had closed: a real answer, no run asks again


def test_a_saved_answer_with_papers_says_it_was_saved(tmp_path: Path):
    (tmp_path / "2026-02-25.json").write_text(as_json([good("2602.00001")]), "utf-8")
    day = FolderSource(tmp_path, lambda: STAMP).fetch_day(DATE)
    assert [p.id for p in day.papers] == ["2602.00001"] and day.source == "saved"


# -- the live API (HfApiSource, against the fake Hugging Face answered in process) ------------
def live(fake: FakeHF) -> HfApiSource:
    return HfApiSource(InProcessHttp(fake), "http://hf.test", lambda: STAMP)


def test_a_live_day_says_it_is_live_and_pages_while_pages_are_full():
    fake = FakeHF({"2026-02-25": [good(f"2602.{n:05d}", n) for n in range(150)]})
    day = live(fake).fetch_day(DATE)
    assert len(day.papers) == 150 and day.source == "live"
    assert [r.query["p"] for r in fake.requests] == [["0"], ["1"]]


def test_an_api_that_ignores_the_page_and_serves_a_bad_item_costs_two_requests_and_one_skip():
    """A full first page (100 items, one malformed) served for every `p`: the second page brings
    nothing new, so paging stops there; the bad item is counted once (#17 §3: it was counted on
    every page and the day failed after 50 requests)."""
    items = [good(f"2602.{n:05d}", n) for n in range(99)]
    items.insert(40, set_path(good("2602.99999"), "paper.upvotes", "7"))
    fake = FakeHF({"2026-02-25": items}, ignore_page=True)

    day = live(fake).fetch_day(DATE)

    assert len(fake.requests) == 2 and MAX_PAGES > 2
    assert len(day.papers) == 99
    assert day.skipped == ("item 40: 2602.99999: paper.upvotes is '7', not a count",)


@pytest.mark.parametrize("bad", [5, None, {"paper": "x"}, {"paper": {"id": "../x"}}], ids=repr)
def test_a_repeated_page_counts_each_bad_item_once_whatever_it_is(bad: Any):
    items = [good(f"2602.{n:05d}", n) for n in range(97)] + [bad, bad, {"paper": {"id": "2602.9", "n": "<HUGE>"}}]
    fake = FakeHF({"2026-02-25": json.loads(as_json(items).replace(HUGE, '"<HUGE>"'))}, ignore_page=True)

    day = live(fake).fetch_day(DATE)

    assert len(fake.requests) == 2 and len(day.papers) == 97
    assert [s.split(":")[0] for s in day.skipped] == ["item 97", "item 98", "item 99"]


def test_distinct_bad_items_on_real_pages_are_each_counted():
    """The same bad shape on two real pages is two bad items (told apart by place and content)."""
    items = [good(f"2602.{n:05d}", n) for n in range(150)]
    items[10], items[110] = set_path(good("2602.90001"), "paper.upvotes", -1), 5
    items[120] = 5  # the same value as item 110, elsewhere on the page: another item
    fake = FakeHF({"2026-02-25": items})

    day = live(fake).fetch_day(DATE)

    assert len(fake.requests) == 2 and len(day.papers) == 147
    assert [s.split(":")[0] for s in day.skipped] == ["item 10", "item 110", "item 120"]
