"""The GitHub publisher's commit logic against the fake GitHub, in process (no sockets)."""

from __future__ import annotations

from hf_daily_papers.publish import FixedToken, GitHubPublisher

from .memory import InProcessHttp
from fakes.github import FakeGitHub
from fakes.server import Fault, Reply

TOKEN = "ghp_unitTestToken0123456789abcdef"


def publisher(github: FakeGitHub, **limits: int) -> GitHubPublisher:
    return GitHubPublisher(InProcessHttp(github), "https://api.github.test", github.repository, "main",
                           FixedToken(lambda: TOKEN), **limits)


def posts(n: int, text: str = "post") -> dict[str, str]:
    return {f"_posts/2026-01-{d:02d}-daily-papers.md": f"{text} {d}\n" for d in range(1, n + 1)}


def test_new_changed_and_unchanged_posts_in_one_commit_and_nothing_when_all_is_there() -> None:
    github = FakeGitHub(token=TOKEN)
    first = publisher(github).publish(posts(3), "Daily Papers backfill")
    assert set(first.statuses.values()) == {"created"} and first.commit_sha == github.history()[0]["sha"]

    changed = {**posts(3), "_posts/2026-01-02-daily-papers.md": "post 2, more upvotes\n"}
    second = publisher(github).publish(changed, "Daily Papers refresh")
    assert second.statuses == {"_posts/2026-01-01-daily-papers.md": "unchanged",
                               "_posts/2026-01-02-daily-papers.md": "updated",
                               "_posts/2026-01-03-daily-papers.md": "unchanged"}
    assert github.files()["_posts/2026-01-02-daily-papers.md"] == "post 2, more upvotes\n"

    github.reset_log()
    third = publisher(github).publish(changed, "again")
    assert third.commit_sha is None and set(third.statuses.values()) == {"unchanged"}
    assert github.writes == [] and len(github.requests) == 2  # the two reads


def test_the_tree_is_built_in_chunks_each_on_the_previous_one() -> None:
    github = FakeGitHub(token=TOKEN)
    publisher(github, tree_max_entries=2).publish(posts(5), "backfill")
    trees = [r for r in github.requests if r.method == "POST" and r.path.endswith("/git/trees")]
    assert [len(r.json()["tree"]) for r in trees] == [2, 2, 1]
    assert [r.json()["base_tree"] for r in trees[1:]] == github.trees_created[:2]
    assert len(github.history()) == 2
    assert {path for path in github.files() if path.startswith("_posts/")} == set(posts(5))


def test_a_branch_moved_by_someone_else_is_re_read_and_the_commit_rebuilt() -> None:
    github = FakeGitHub(token=TOKEN)
    body = {"message": "Update is not a fast forward", "documentation_url": "https://docs.github.com/rest"}
    github.inject(Fault("PATCH", r"/git/refs/heads/main$", Reply(422, body), times=1))
    result = publisher(github).publish(posts(1), "Daily Papers 2026-01-01")
    assert result.statuses == {"_posts/2026-01-01-daily-papers.md": "created"}
    assert len([r for r in github.requests if r.method == "PATCH"]) == 2
    assert github.files()["_posts/2026-01-01-daily-papers.md"] == "post 1\n"
