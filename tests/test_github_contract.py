"""The GitHub contract: what we send validates against GitHub's OpenAPI description, and the
client understands GitHub's recorded real answers.

Every test that uses a FakeGitHub is checked automatically (conftest's `github_contract`); the
daily-run test here shows the check is active (it counts what it checked). Tests of the check
itself (its matcher, what it catches) were removed: they tested the test tool, not the product.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import urllib3

from hf_daily_papers.errors import UpstreamRejected

from conftest import FIXTURES, TOKEN
from fakes.server import Fault, Reply, Request
from openapi_contract import GitHubContract, find_operation, spec_dict

RECORDED = FIXTURES / "github"
SHA = "3f3f005b29247e51a4f4d6b8ce07b67646cd6074"
GOOD_HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "Authorization": f"Bearer {TOKEN}",
    "User-Agent": "contract-test",
}


def recorded(name: str) -> list[dict[str, Any]]:
    return json.loads((RECORDED / name).read_text("utf-8"))


def send(github: Any, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> int:
    all_headers = dict(GOOD_HEADERS if headers is None else headers)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    return urllib3.request(method, github.url + path, body=data, headers=all_headers, retries=False).status


def test_the_copied_description_is_valid_openapi_with_exactly_the_operations_we_call():
    from openapi_spec_validator import validate

    spec = spec_dict()
    validate(spec)
    assert spec["openapi"] == "3.0.3"
    operations = sorted(op["operationId"] for item in spec["paths"].values() for op in item.values())
    assert operations == ["git/create-commit", "git/create-tree", "git/get-ref", "git/get-tree", "git/update-ref"]


def test_every_request_of_a_daily_run_is_checked_and_valid(invoke, github, github_contract):
    invoke({"date": "2026-02-25"})
    invoke({"date": "2026-02-25"})  # unchanged: the two reads only

    assert github_contract.checked == len(github.requests) == 7
    assert [(r.method, r.status) for r in github.requests] == [
        ("GET", 200), ("GET", 200), ("POST", 201), ("POST", 201), ("PATCH", 200), ("GET", 200), ("GET", 200),
    ]
    assert github_contract.violations == []


def test_recorded_real_answers_match_the_description():
    contract = GitHubContract()
    checked = 0
    for exchange in recorded("git-refs.json"):
        found = find_operation(exchange["method"], exchange["path"])
        if found is None:  # (listing, creating and deleting refs are in the recording, not in our subset)
            continue
        request = Request(exchange["method"].upper(), exchange["path"], {}, {}, json.dumps(exchange["body"]).encode())
        assert contract.reply_problems(request, Reply(exchange["status"], exchange["response"])) == [], exchange["path"]
        checked += 1
    assert checked == 1  # the ref update


def test_the_client_accepts_githubs_recorded_ref_update_answer(invoke, github):
    patch = next(e for e in recorded("git-refs.json") if e["method"] == "patch")
    github.inject(Fault("PATCH", r"/git/refs/heads/main$", Reply(patch["status"], patch["response"], {
        k: str(v) for k, v in patch["headers"].items() if k in ("content-type", "x-ratelimit-remaining", "x-ratelimit-reset")
    })))

    result = invoke({"date": "2026-02-25"})

    assert result["status"] == "created"
    assert result["commit_sha"] in github.commits  # the commit we made, accepted as moved


def test_the_client_explains_githubs_recorded_validation_error(invoke, github, aws):
    error = recorded("errors.json")[0]
    github.inject(Fault("POST", r"/git/trees$", Reply(error["status"], error["response"])))

    with pytest.raises(UpstreamRejected, match=r"^GitHub rejected create tree: HTTP 422: Validation Failed \(Label.color invalid\)$"):
        invoke({"date": "2026-02-25"})

