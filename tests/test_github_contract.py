"""The GitHub contract: what we send validates against GitHub's OpenAPI description, the check
itself catches what it should, and the client understands GitHub's recorded real answers.

Every test that uses a FakeGitHub is checked automatically (conftest's `github_contract`); the
tests here prove that check works and show the multi-segment matching it relies on.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import urllib3
from jsonschema_path import SchemaPath
from openapi_core import V30RequestValidator
from openapi_core.templating.paths.exceptions import PathNotFound
from urllib3.util import SKIP_HEADER

from hf_daily_papers.errors import UpstreamRejected

from conftest import FIXTURES, TOKEN
from fakes.server import Fault, Reply, Request
from openapi_contract import ContractRequest, GitHubContract, find_operation, spec_dict

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


@pytest.mark.parametrize(
    "method, path, pattern, params",
    [
        ("GET", "/repos/o/r/git/ref/heads/feature/a", "/repos/{owner}/{repo}/git/ref/{ref}",
         {"owner": "o", "repo": "r", "ref": "heads/feature/a"}),
        ("PATCH", "/repos/o/r/git/refs/heads/main", "/repos/{owner}/{repo}/git/refs/{ref}", {"owner": "o", "repo": "r", "ref": "heads/main"}),
        ("PATCH", "/repos/o/r/git/refs/heads/release/2026.1", "/repos/{owner}/{repo}/git/refs/{ref}",
         {"owner": "o", "repo": "r", "ref": "heads/release/2026.1"}),
        ("GET", f"/repos/o/r/git/trees/{SHA}", "/repos/{owner}/{repo}/git/trees/{tree_sha}", {"owner": "o", "repo": "r", "tree_sha": SHA}),
        ("POST", "/repos/o/r/git/trees", "/repos/{owner}/{repo}/git/trees", {"owner": "o", "repo": "r"}),
        ("POST", "/repos/o/r/git/commits", "/repos/{owner}/{repo}/git/commits", {"owner": "o", "repo": "r"}),
    ],
)
def test_multi_segment_parameters_match_across_slashes(method, path, pattern, params):
    assert find_operation(method, path) == (pattern, params)


def test_the_stock_matcher_would_not_find_a_branch_with_a_slash():
    """Why the custom matcher exists: openapi-core takes `{ref}` as one segment."""
    stock = V30RequestValidator(SchemaPath.from_dict(spec_dict()), spec_validator_cls=None)
    request = Request("GET", "/repos/o/r/git/ref/heads/feature/a", {}, {k.lower(): v for k, v in GOOD_HEADERS.items()}, b"")

    errors = list(stock.iter_errors(ContractRequest(request)))

    assert len(errors) == 1 and isinstance(errors[0], PathNotFound)
    assert GitHubContract().request_problems(request) == []


def test_every_request_of_a_daily_run_is_checked_and_valid(invoke, github, github_contract):
    invoke({"date": "2026-02-25"})
    invoke({"date": "2026-02-25"})  # unchanged: the two reads only

    assert github_contract.checked == len(github.requests) == 7
    assert [(r.method, r.status) for r in github.requests] == [
        ("GET", 200), ("GET", 200), ("POST", 201), ("POST", 201), ("PATCH", 200), ("GET", 200), ("GET", 200),
    ]
    assert github_contract.violations == []


@pytest.mark.parametrize(
    "method, path, body, headers, problem",
    [
        ("PATCH", "/git/refs/heads/main", {"force": False}, None, "'sha' is a required property"),
        ("PATCH", "/git/refs/heads/main", {"sha": SHA, "force": "no"}, None, "force: 'no' is not of type 'boolean'"),
        ("PATCH", "/git/refs/heads/main", {"sha": SHA, "forced": True}, None, "property 'forced' is not in the description"),
        ("POST", "/git/trees", {"base_tree": SHA, "tree": [{"path": "a", "mode": "100600", "type": "blob", "content": "x"}]},
         None, "tree/0/mode: '100600' is not one of"),
        ("POST", "/git/trees", {"tree": [{"path": "a", "mode": "100644", "type": "blob", "contents": "x"}]},
         None, "tree/0: property 'contents' is not in the description"),
        ("POST", "/git/commits", {"message": "m", "tree": SHA, "parents": SHA}, None, f"parents: '{SHA}' is not of type 'array'"),
        ("GET", f"/git/trees/{SHA}?recursive=1&per_page=100", None, None, "query parameter 'per_page' is not documented"),
        ("GET", "/git/ref/heads/main", None, dict(GOOD_HEADERS, Accept="application/json"), "Accept is 'application/json'"),
        ("GET", "/git/ref/heads/main", None, {k: v for k, v in GOOD_HEADERS.items() if k != "X-GitHub-Api-Version"},
         "X-GitHub-Api-Version is None"),
        ("GET", "/git/ref/heads/main", None, dict(GOOD_HEADERS, **{"User-Agent": SKIP_HEADER}), "no User-Agent"),
        ("DELETE", "/git/refs/heads/main", None, None, "OperationNotFound"),
        ("GET", "/git/matching-refs/heads", None, None, "PathNotFound"),
        # operations GitHub has, which the product never calls: not in the subset
        ("GET", f"/git/commits/{SHA}", None, None, "PathNotFound"),
        ("PUT", "/contents/_posts/x.md", {"message": "m", "content": "eA=="}, None, "PathNotFound"),
        ("POST", "/git/blobs", {"content": "x"}, None, "PathNotFound"),
    ],
)
def test_the_contract_check_catches_bad_requests(github, github_contract, method, path, body, headers, problem):
    send(github, method, f"/repos/{github.repository}{path}", body, headers)

    violations = github_contract.take()  # taken: this test sends them on purpose

    assert any(problem in v for v in violations), violations


def test_the_contract_check_catches_a_fake_answer_github_would_not_give(github, github_contract, monkeypatch):
    monkeypatch.setattr(type(github), "get_ref", lambda self, request, ref: Reply(200, {"ref": "refs/heads/main"}))

    send(github, "GET", f"/repos/{github.repository}/git/ref/heads/main")

    violations = github_contract.take()
    assert len(violations) == 1 and "→ 200" in violations[0] and "'object' is a required property" in violations[0]


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


def test_the_fakes_errors_have_githubs_recorded_shape(github, github_contract):
    real = recorded("errors.json")[0]["response"]
    answers = {}
    for path, body in (("/git/ref/heads/nope", None), ("/git/refs/heads/main", {"sha": "0" * 40, "force": False})):
        response = urllib3.request("PATCH" if body else "GET", f"{github.url}/repos/{github.repository}{path}",
                                   body=json.dumps(body).encode() if body else None,
                                   headers=dict(GOOD_HEADERS, **({"Content-Type": "application/json"} if body else {})))
        answers[response.status] = response.json()

    assert set(answers) == {404, 422}
    for body in answers.values():
        assert {"message", "documentation_url"} <= set(body) <= set(real) | {"status"}
        assert body["documentation_url"].startswith("https://docs.github.com/rest")
    assert github_contract.violations == []
