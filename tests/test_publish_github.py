"""The GitHub publisher's commit: a tree built in chunks (issue 9 §1), one commit, one ref move.

Real GitHub times out (502) on a create-tree request too large to process; the fake GitHub
refuses the same way above its limits (`tree_max_entries`, `tree_max_bytes`). These tests show
what the fake received: each request's entries and exact body size, each chunk's `base_tree`,
and the one commit on the branch.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import operator
from collections.abc import Iterator
from typing import Any

import pytest

from hf_daily_papers.errors import UpstreamUnavailable
from hf_daily_papers.httpclient import HttpClient, HttpConfig
from hf_daily_papers.publish import FixedToken, GitHubPublisher, Publication

from conftest import TOKEN, make_item
from fakes.github import FakeGitHub
from fakes.server import Request

# Content whose JSON form is longer than its UTF-8 form, or longer than its characters: Korean
# (3 bytes a character), emoji (4), quotes, backslashes, newlines, tabs and control characters
# (escaped as \n, \t, \u0001), so a size counted in characters or unescaped bytes would be wrong.
HOSTILE = '총 **10개** 🤗 "quoted" \\escaped\\ line\nbreak\ttab \x01\x1f end'


@pytest.fixture
def repo() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=TOKEN) as server:
        yield server


def publisher(github: FakeGitHub, http: HttpConfig, **limits: int) -> GitHubPublisher:
    return GitHubPublisher(
        HttpClient("GitHub", http, user_agent="hf-daily-papers-tests"),
        github.url, github.repository, "main", FixedToken(lambda: TOKEN), **limits,
    )


def tree_requests(github: FakeGitHub) -> list[Request]:
    return [r for r in github.requests if r.method == "POST" and r.path.endswith("/git/trees")]


def chunk_paths(github: FakeGitHub) -> list[list[str]]:
    return [[e["path"] for e in r.json()["tree"]] for r in tree_requests(github)]


def kinds(github: FakeGitHub) -> list[tuple[str, str]]:
    """Each request as (method, what): ref, trees, commits, refs."""
    return [(r.method, r.path.rsplit("/git/", 1)[-1].split("/")[0]) for r in github.requests]


def files_of(count: int, size: int = 40, folder: str = "_posts") -> dict[str, str]:
    return {f"{folder}/{i:03d}.md": (f"post {i} " + HOSTILE * (size // len(HOSTILE) + 1))[:size] for i in range(count)}


def assert_one_commit_chained(github: FakeGitHub, result: Publication, base_commit: str) -> None:
    """Chunk 1 builds on the branch's tree, each later chunk on the tree the previous one made,
    and the one commit (on the old head) points at the last tree."""
    trees = tree_requests(github)
    assert len(github.trees_created) == len(trees)
    assert [r.json()["base_tree"] for r in trees] == [github.commits[base_commit]["tree"], *github.trees_created[:-1]]
    history = github.history()
    assert result.commit_sha == history[0]["sha"] and history[0]["parents"] == [base_commit]
    assert history[0]["tree"] == github.trees_created[-1]


def assert_chunks_full(github: FakeGitHub, max_entries: int, max_bytes: int) -> None:
    """Every request within both limits, and every chunk but the last full: it has
    `max_entries` entries, or the next chunk's first entry would have taken it over `max_bytes`."""
    trees = tree_requests(github)
    for request in trees:
        assert len(request.json()["tree"]) <= max_entries and len(request.body) <= max_bytes
    for request, following in itertools.pairwise(trees):
        body = request.json()
        assert json.dumps(body, ensure_ascii=False).encode("utf-8") == request.body  # how it was sent
        if len(body["tree"]) == max_entries:
            continue
        body["tree"].append(following.json()["tree"][0])
        assert len(json.dumps(body, ensure_ascii=False).encode("utf-8")) > max_bytes


# ---- chunk boundaries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "count, max_entries, sizes",
    [
        (1, 1, [1]),
        (6, 6, [6]),  # exactly at the limit: one request
        (7, 6, [6, 1]),  # one over: a second request with the one left
        (7, 3, [3, 3, 1]),
        (9, 3, [3, 3, 3]),
    ],
)
def test_the_tree_is_built_in_chunks_of_at_most_max_entries(repo, fast_http, count, max_entries, sizes):
    files = files_of(count)
    base = github_head(repo)

    result = publisher(repo, fast_http, tree_max_entries=max_entries).publish(files, "many posts")

    assert [len(c) for c in chunk_paths(repo)] == sizes
    assert functools.reduce(operator.iadd, chunk_paths(repo), []) == list(files)  # every file once, in order
    assert kinds(repo) == [("GET", "ref"), ("GET", "trees")] + [("POST", "trees")] * len(sizes) + [
        ("POST", "commits"), ("PATCH", "refs")]
    assert result.statuses == {p: "created" for p in files}
    assert len(repo.history()) == 2  # still one commit
    assert_one_commit_chained(repo, result, base)
    assert {p: repo.files()[p] for p in files} == files


def github_head(github: FakeGitHub) -> str:
    return github.history()[0]["sha"]


def body_size_of_one_request(files: dict[str, str], http: HttpConfig) -> int:
    """The create-tree body's size, in bytes, when all `files` go in one request (as sent)."""
    with FakeGitHub(token=TOKEN) as github:
        publisher(github, http).publish(files, "measure")
        (request,) = tree_requests(github)
        return len(request.body)


@pytest.mark.parametrize("count", [2, 5])
def test_a_body_of_exactly_max_bytes_goes_in_one_request_and_one_byte_less_splits_it(repo, fast_http, count):
    files = {f"_posts/{i}.md": f"{i}: " + HOSTILE * (i + 3) for i in range(count)}
    exact = body_size_of_one_request(files, fast_http)

    at_limit = publisher(repo, fast_http, tree_max_bytes=exact).publish(files, "at the limit")
    assert [len(r.body) for r in tree_requests(repo)] == [exact]
    assert at_limit.statuses == {p: "created" for p in files}

    with FakeGitHub(token=TOKEN) as other:
        publisher(other, fast_http, tree_max_bytes=exact - 1).publish(files, "one byte under")
        assert len(tree_requests(other)) == 2
        assert all(len(r.body) <= exact - 1 for r in tree_requests(other))
        assert other.files() == repo.files()


def test_chunks_are_filled_up_to_the_byte_limit_and_never_over_it(repo, fast_http):
    # posts of varied sizes, none alone over the limit
    files = {f"_posts/{i:02d}.md": f"{i} " + HOSTILE * (1 + (i * 7) % 23) for i in range(40)}
    limit = 4_000
    base = github_head(repo)

    result = publisher(repo, fast_http, tree_max_bytes=limit).publish(files, "by size")

    assert len(tree_requests(repo)) > 1
    assert_chunks_full(repo, 100, limit)
    assert functools.reduce(operator.iadd, chunk_paths(repo), []) == list(files)
    assert_one_commit_chained(repo, result, base)
    assert {p: repo.files()[p] for p in files} == files


def test_a_single_post_larger_than_the_byte_limit_goes_alone_in_its_own_request(repo, fast_http):
    files = {"_posts/a.md": "small a", "_posts/big.md": "big " + HOSTILE * 200, "_posts/c.md": "small c",
             "_posts/d.md": "small d"}
    limit = 2_000

    result = publisher(repo, fast_http, tree_max_bytes=limit).publish(files, "one big post")

    assert chunk_paths(repo) == [["_posts/a.md"], ["_posts/big.md"], ["_posts/c.md", "_posts/d.md"]]
    sizes = [len(r.body) for r in tree_requests(repo)]
    assert sizes[1] > limit and sizes[0] <= limit and sizes[2] <= limit
    assert result.statuses == {p: "created" for p in files}
    assert repo.files()["_posts/big.md"] == files["_posts/big.md"]
    assert len(repo.history()) == 2


def test_only_changed_posts_are_sent_and_chunked(repo, fast_http):
    files = files_of(10)
    publisher(repo, fast_http).publish(files, "first")
    repo.reset_log()
    changed = dict(files, **{"_posts/003.md": "new 3", "_posts/007.md": "new 7", "_posts/new.md": "new"})

    result = publisher(repo, fast_http, tree_max_entries=2).publish(changed, "second")

    assert chunk_paths(repo) == [["_posts/003.md", "_posts/007.md"], ["_posts/new.md"]]
    assert result.statuses == dict({p: "unchanged" for p in files}, **{
        "_posts/003.md": "updated", "_posts/007.md": "updated", "_posts/new.md": "created"})
    assert {p: repo.files()[p] for p in changed} == changed


# ---- the fake's limits are GitHub's failure ---------------------------------------------------


@pytest.mark.parametrize(
    "fake_limits, files",
    [
        ({"tree_max_entries": 150}, files_of(151)),
        ({"tree_max_bytes": 20_000}, {"_posts/big.md": HOSTILE * 500}),
    ],
    ids=["entries", "bytes"],
)
def test_a_create_tree_over_githubs_limits_fails_with_502_and_publishes_nothing(fast_http, fake_limits, files):
    """Why chunks: the fake refuses what GitHub refuses, and the client's retries cannot help."""
    with FakeGitHub(token=TOKEN, **fake_limits) as github:
        unlimited = publisher(github, fast_http, tree_max_entries=10_000, tree_max_bytes=100_000_000)

        with pytest.raises(UpstreamUnavailable, match=r"GitHub.*create tree.*HTTP 502"):
            unlimited.publish(files, "too large")

        assert github.answered(502, "POST")  # every try refused
        assert [r for r in github.requests if r.path.endswith("/git/commits")] == []
        assert len(github.history()) == 1  # nothing published


def test_publishing_within_the_fakes_limits_is_never_refused(fast_http):
    """The same files, chunked by the publisher's default limits (100 entries, 1 MB): accepted."""
    files = files_of(151)
    with FakeGitHub(token=TOKEN, tree_max_entries=150) as github:
        result = publisher(github, fast_http).publish(files, "many")

        assert github.answered(502) == []
        assert [len(c) for c in chunk_paths(github)] == [100, 51]
        assert result.statuses == {p: "created" for p in files}


# ---- a race rebuilds every chunk on the new head ---------------------------------------------


def test_when_the_branch_moves_during_a_chunked_publish_all_chunks_are_rebuilt_on_the_new_head(repo, fast_http):
    pushed: list[str] = []

    def push_once(request: Request) -> None:  # between our commit and our ref update
        if request.method == "POST" and request.path.endswith("/git/commits") and not pushed:
            pushed.append(repo.commit_file("about.md", "hello\n", "edit about"))

    repo.observers.append(push_once)
    files = files_of(5)

    result = publisher(repo, fast_http, tree_max_entries=2).publish(files, "five posts")

    trees = tree_requests(repo)
    assert [len(r.json()["tree"]) for r in trees] == [2, 2, 1, 2, 2, 1]  # every chunk twice
    assert trees[3].json()["base_tree"] == repo.commits[pushed[0]]["tree"]  # the retry starts on the new head
    assert len(repo.answered(422, "PATCH")) == 1
    history = repo.history()
    assert [c["message"] for c in history] == ["five posts", "edit about", "Initial commit"]
    assert result.commit_sha == history[0]["sha"] and history[0]["parents"] == [pushed[0]]
    assert repo.files() == dict({"README.md": "# blog\n", "_config.yml": "title: blog\n", "about.md": "hello\n"}, **files)


# ---- a truncated recursive tree: the walk ----------------------------------------------------


EXISTING = {
    "_posts/2026-02-19-daily-papers.md": "old 19\n",
    "_posts/2026-02-20-daily-papers.md": "old 20\n",
    "_posts/2026-02-21-daily-papers.md": "same 21\n",
    "notes/2026/02/deep.md": "same deep\n",
    "notes/other.md": "other\n",
}


def test_a_truncated_recursive_tree_is_walked_one_level_at_a_time(fast_http):
    files = {
        "_posts/2026-02-19-daily-papers.md": "new 19\n",  # updated
        "_posts/2026-02-21-daily-papers.md": "same 21\n",  # unchanged
        "_posts/2026-02-22-daily-papers.md": "new 22\n",  # created in an existing folder
        "notes/2026/02/deep.md": "same deep\n",  # unchanged, three levels down
        "_drafts/2026/x.md": "draft\n",  # created where no folder exists yet
    }
    # The recursive listing (depth first, sorted) stops after README.md, _config.yml, _posts:
    # none of the posts is in it, so every one must be found by walking.
    with FakeGitHub(token=TOKEN, files=EXISTING, truncate_over=3) as github:
        result = publisher(github, fast_http).publish(files, "walked")

        assert result.statuses == {
            "_posts/2026-02-19-daily-papers.md": "updated",
            "_posts/2026-02-21-daily-papers.md": "unchanged",
            "_posts/2026-02-22-daily-papers.md": "created",
            "notes/2026/02/deep.md": "unchanged",
            "_drafts/2026/x.md": "created",
        }
        reads = [r for r in github.requests if r.method == "GET" and "/git/trees/" in r.path]
        assert "recursive" in reads[0].query
        walked = reads[1:]
        assert all("recursive" not in r.query for r in walked)
        # root, _posts, notes, notes/2026, notes/2026/02: each folder read once; none for _drafts
        tree_of = folder_shas(github, github.history()[1]["tree"])
        assert sorted(r.path.rsplit("/", 1)[-1] for r in walked) == sorted(
            tree_of[f] for f in ("", "_posts", "notes", "notes/2026", "notes/2026/02"))
        assert chunk_paths(github) == [[
            "_posts/2026-02-19-daily-papers.md", "_posts/2026-02-22-daily-papers.md", "_drafts/2026/x.md"]]
        assert github.files() == {"README.md": "# blog\n", "_config.yml": "title: blog\n", **EXISTING, **files}


def test_a_truncated_tree_with_nothing_changed_makes_no_commit(fast_http):
    files = {"_posts/2026-02-21-daily-papers.md": "same 21\n", "notes/other.md": "other\n"}
    with FakeGitHub(token=TOKEN, files=EXISTING, truncate_over=4) as github:
        result = publisher(github, fast_http).publish(files, "nothing")

        assert result == Publication({p: "unchanged" for p in files}, None)
        assert github.writes == [] and len(github.history()) == 1


def folder_shas(github: FakeGitHub, tree: str, prefix: str = "") -> dict[str, str]:
    """Every folder of a tree, by path ("" is the root), and its tree sha."""
    out = {prefix.rstrip("/"): tree}
    for entry in github.trees[tree]:
        if entry["type"] == "tree":
            out.update(folder_shas(github, entry["sha"], prefix + entry["path"] + "/"))
    return out


# ---- a year's backfill through the handler -------------------------------------------------


ABSTRACT = (
    "We study large language models under distribution shift and propose a method that adapts "
    "the model's *attention* to unseen domains with <b>few</b> examples; the approach uses $x_i$ "
    "and \\alpha as parameters. "
)


def hundred_paper_day(date: str) -> list[dict[str, Any]]:
    """100 papers; the ten that make the post have abstracts of real length (~1,500 characters)."""
    stem = date.replace("-", "")[2:6] + "." + date[-2:]
    return [
        make_item(f"{stem}{i:03d}", 1000 - i, date, title=f"Paper {i} of {date}: a study",
                  summary=ABSTRACT * 7 if i < 10 else "Short abstract.", org="Lab" if i % 2 else None)
        for i in range(100)
    ]


def test_a_backfill_across_chunk_boundaries_is_one_commit_within_githubs_limits(invoke, hf, github, monkeypatch):
    """Through the handler: posts that need several create-tree requests still make one commit,
    each request within the limits. A year of 100-paper days (365 posts, 6.6 MB: 7 create-tree
    requests at the defaults) is the benchmark's (`bench/bench.py --only backfill`, BENCHMARKS.md);
    here 7 such days with at most 3 files a request, and a fake that refuses more than 3."""
    monkeypatch.setenv("HF_MAX_RPS", "0")  # the fake HF has no quota
    monkeypatch.setenv("GITHUB_TREE_MAX_ENTRIES", "3")
    github.tree_max_entries = 3  # above it, the fake answers 502 as GitHub does to a tree too large
    first = dt.date(2025, 1, 1)
    dates = [(first + dt.timedelta(days=i)).isoformat() for i in range(7)]
    for date in dates:
        hf.days[date] = hundred_paper_day(date)
    before = github_head(github)

    result = invoke({"start": dates[0], "end": dates[-1]})

    assert result["counts"] == {"created": 7}
    # one commit on the branch holding every post
    history = github.history()
    assert len(history) == 2 and history[0]["parents"] == [before]
    assert result["commit_sha"] == history[0]["sha"]
    posts = {p: t for p, t in github.files().items() if p.startswith("_posts/")}
    assert sorted(posts) == [f"_posts/{d}-daily-papers.md" for d in dates]
    for date in dates:
        assert posts[f"_posts/{date}-daily-papers.md"].startswith(f"---\ntitle: Hugging Face Daily Papers - {date}\n")
    # no request was refused: every create-tree within the publisher's limits (and so the fake's)
    assert github.answered(502) == []
    assert_chunks_full(github, 3, 1_000_000)
    assert chunk_paths(github) == [sorted(posts)[i : i + 3] for i in range(0, 7, 3)]
    assert_one_commit_chained(github, Publication({}, result["commit_sha"]), before)
    # requests: 2 reads + ⌈7 / 3⌉ create-tree + 1 commit + 1 ref move
    assert kinds(github) == [("GET", "ref"), ("GET", "trees")] + [("POST", "trees")] * 3 + [
        ("POST", "commits"), ("PATCH", "refs")]
