"""A repository rule that refuses the push (issue 17 §3): permanent, said as what it is, at once.

GitHub answers a ref update that a ruleset blocks with 409 and a `repository-rule-violation-error`
body (its OpenAPI description: `message`, `documentation_url`, `status`); classic branch protection
answers 422 "Protected branch update failed". Neither is another writer moving the branch: no
re-read, no second attempt, not "kept moving under us".
"""

from __future__ import annotations

import pytest

from hf_daily_papers.errors import UpstreamRejected
from hf_daily_papers.publish import FixedToken, GitHubPublisher

from .memory import InProcessHttp
from fakes.github import FakeGitHub
from fakes.server import Fault, Reply

TOKEN = "ghp_unitTestToken0123456789abcdef"
POSTS = {"_posts/2026-01-01-daily-papers.md": "post 1\n"}
DOCS = "https://docs.github.com/rest/git/refs#update-a-reference"


def publisher(github: FakeGitHub) -> GitHubPublisher:
    return GitHubPublisher(InProcessHttp(github), "https://api.github.test", github.repository, "main", FixedToken(lambda: TOKEN))


@pytest.mark.parametrize(
    "status, body, said",
    [
        (409, {"message": "Repository rule violations found\n\nCannot update this protected ref.\n\n",
               "documentation_url": DOCS, "status": "409"},
         "Repository rule violations found Cannot update this protected ref."),
        (409, {"message": "Repository rule violations found\n\nChanges must be made through a pull request.\n\n",
               "documentation_url": DOCS, "status": "409"},
         "Repository rule violations found Changes must be made through a pull request."),
        (422, {"message": "Protected branch update failed for refs/heads/main.", "documentation_url": DOCS},
         "Protected branch update failed for refs/heads/main."),
    ],
    ids=["ruleset-protected-ref", "ruleset-pull-request", "branch-protection"],
)
def test_a_push_a_repository_rule_refuses_fails_at_once_saying_so(status, body, said):
    github = FakeGitHub(token=TOKEN)
    github.inject(Fault("PATCH", r"/git/refs/heads/main$", Reply(status, body), times=100))

    with pytest.raises(UpstreamRejected) as caught:
        publisher(github).publish(POSTS, "Daily Papers 2026-01-01")

    assert str(caught.value) == (
        f"GitHub rejected move main: HTTP {status}: {said} (a rule of {github.repository} refused the push to "
        "main: nothing was committed; let this token bypass the rule, or publish to a branch the rule does not cover)"
    )
    assert "kept moving" not in str(caught.value)
    assert [r.method for r in github.requests].count("PATCH") == 1  # no re-read, no second attempt
    assert "_posts/2026-01-01-daily-papers.md" not in github.files()


def test_a_409_without_a_rule_is_still_a_race_re_read_and_retried():
    github = FakeGitHub(token=TOKEN)
    github.inject(Fault("PATCH", r"/git/refs/heads/main$",
                        Reply(409, {"message": "Reference cannot be updated", "documentation_url": DOCS}), times=1))

    result = publisher(github).publish(POSTS, "Daily Papers 2026-01-01")

    assert result.statuses == {"_posts/2026-01-01-daily-papers.md": "created"}
    assert [r.method for r in github.requests].count("PATCH") == 2
