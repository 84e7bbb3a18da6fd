"""Fault injection through the Lambda handler: fakes on 127.0.0.1 answer with scripted failures.

Transient faults must be recovered from (the post is published, byte for byte), permanent ones
must fail at once with a typed error a person can act on, and nothing is ever half-published:
the archive is written before the post, and a re-run completes a run that failed in between.
The tests run with conftest's fast HTTP settings (10 ms backoff, 1.5 s longest server wait).
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import time
from typing import Any

import pytest

from hf_daily_papers import app, aws, handler
from hf_daily_papers.errors import AuthError, UpstreamInvalid, UpstreamRejected, UpstreamUnavailable

from conftest import SECRET_NAME, expected_post, make_item, s3_objects, s3_versions
from fakes.server import Fault, Reply

DATE = "2026-02-25"  # a seed day: 10 papers, the expected post is tests/fixtures/posts/
KEY = "daily/2026/02/2026-02-25.json"
POST = "_posts/2026-02-25-daily-papers.md"
HF_PATH = "/api/daily_papers"
GATEWAY_HTML = "<html><head><title>502 Bad Gateway</title></head><body>cloudfront</body></html>"


def published(github: Any) -> bool:
    return github.files().get(POST) == expected_post(DATE)


def nothing_written(github: Any, aws: Any) -> bool:
    return github.writes == [] and s3_objects(aws) == {}


def archived_not_published(github: Any, aws: Any) -> bool:
    return KEY in s3_objects(aws) and POST not in github.files() and len(github.history()) == 1


def with_http(monkeypatch: pytest.MonkeyPatch, fast_http: Any, **changes: Any) -> None:
    """The next invocation runs in a new execution environment with these HTTP settings."""
    handler.reset_environment(app.Wiring(http=dataclasses.replace(fast_http, **changes)))


# ---------------------------------------------------------------------------------------------
# Hugging Face: transient faults recover
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_hf_server_errors_are_retried_and_the_day_is_published(invoke, hf, github, status):
    hf.inject(Fault("GET", HF_PATH, Reply(status, GATEWAY_HTML), times=2))

    result = invoke({"date": DATE})

    assert result["status"] == "created"
    assert len(hf.requests) == 3 and len(hf.answered(status)) == 2
    assert published(github)


@pytest.fixture
def waits(invoke, fast_http) -> list[float]:
    """Every wait of the next invocation, recorded instead of slept (its own execution environment)."""
    recorded: list[float] = []  # (nothing is slept: the server may ask for a few seconds)
    handler.reset_environment(app.Wiring(http=dataclasses.replace(fast_http, max_server_wait=60.0, deadline=120.0),
                                         sleep=recorded.append))
    return recorded


def test_hf_429_honours_retry_after(invoke, hf, github, waits):
    hf.inject(Fault("GET", HF_PATH, Reply(429, {"error": "Too Many Requests"}, {"Retry-After": "1"})))

    result = invoke({"date": DATE})

    assert result["status"] == "created" and len(hf.requests) == 2 and published(github)
    assert waits == [1.0]  # what the server asked, not our own backoff


def test_hf_429_honours_the_ratelimit_header_reset(invoke, hf, github, waits):
    headers = {"RateLimit": '"api";r=0;t=1', "RateLimit-Policy": '"fixed window";"api";q=500;w=300'}
    hf.inject(Fault("GET", HF_PATH, Reply(429, {"error": "Too Many Requests"}, headers)))

    result = invoke({"date": DATE})

    assert result["status"] == "created" and len(hf.requests) == 2 and published(github)
    assert waits == [1.0]


@pytest.mark.parametrize(
    "headers, asked",
    [
        ({"Retry-After": "3600"}, "3600 s"),
        ({"RateLimit": '"api";r=0;t=240'}, "240 s"),
    ],
)
def test_hf_429_asking_for_a_longer_wait_than_we_have_fails_at_once(invoke, hf, github, aws, headers, asked):
    # Proof the header is read: with it ignored, the fast backoff would have retried and succeeded.
    hf.inject(Fault("GET", HF_PATH, Reply(429, {"error": "Too Many Requests"}, headers), times=1))

    with pytest.raises(UpstreamUnavailable) as caught:
        invoke({"date": DATE})

    assert str(caught.value) == (
        f"Hugging Face unavailable: daily papers of {DATE} (page 0): HTTP 429; the server asked to wait "
        f"{asked}, more than the 1.5 s we wait (after 1 try)"
    )
    assert len(hf.requests) == 1 and nothing_written(github, aws)


def test_hf_dropped_connections_are_retried(invoke, hf, github):
    hf.inject(Fault("GET", HF_PATH, action="drop", times=2))

    result = invoke({"date": DATE})

    assert result["status"] == "created" and len(hf.requests) == 3 and published(github)


def test_hf_timeout_is_retried(invoke, hf, github, monkeypatch, fast_http):
    # 1 s: the retry's answer must come within it, on a loaded machine too (0.5 s left little margin).
    with_http(monkeypatch, fast_http, read_timeout=1.0)
    hf.inject(Fault("GET", HF_PATH, action="stall", stall_seconds=3.0))

    result = invoke({"date": DATE})

    assert result["status"] == "created" and len(hf.requests) == 2 and published(github)


@pytest.mark.parametrize(
    "fault, detail",
    [
        (Fault("GET", HF_PATH, Reply(503, GATEWAY_HTML), times=99), "HTTP 503"),
        (Fault("GET", HF_PATH, action="drop", times=99), "connection dropped (ProtocolError)"),
    ],
    ids=["503", "dropped"],
)
def test_hf_that_keeps_failing_gives_up_after_five_tries_and_writes_nothing(invoke, hf, github, aws, run_log, fault, detail):
    hf.inject(fault)

    with pytest.raises(UpstreamUnavailable) as caught:
        invoke({"date": DATE})

    assert str(caught.value) == f"Hugging Face unavailable: daily papers of {DATE} (page 0): {detail} (after 5 tries)"
    assert len(hf.requests) == 5
    assert nothing_written(github, aws)
    failed = run_log.find("run failed")
    assert failed["message"].startswith(
        f"run failed (UpstreamUnavailable): archive {KEY} not written by this run; post {POST} not published"
    )
    assert failed["level"] == "ERROR" and "UpstreamUnavailable" in failed["exception"]


def test_hf_timeouts_stop_at_the_deadline(invoke, hf, github, aws, monkeypatch, fast_http):
    # Each try times out after 0.3 s; the deadline is 0.5 s: the second try's wait is cut to it.
    with_http(monkeypatch, fast_http, read_timeout=0.3, deadline=0.5)
    hf.inject(Fault("GET", HF_PATH, action="stall", stall_seconds=1.0, times=99))

    with pytest.raises(UpstreamUnavailable, match=r"timed out \(ReadTimeoutError\); gave up at the 0\.5 s deadline") as caught:
        invoke({"date": DATE})

    assert len(hf.requests) in (1, 2)  # each try takes >= 0.3 s: a third would start after 0.5 s
    assert f"(after {len(hf.requests)} tr" in str(caught.value)
    assert nothing_written(github, aws)


BODY_FAULTS = {
    "dropped after the headers": dict(action="drop_body", after_bytes=0),
    "dropped mid-body": dict(action="drop_body", after_bytes=1000),
    "stalled mid-body": dict(action="stall_body", after_bytes=1000, stall_seconds=3.0),
}


@pytest.mark.parametrize("fault", BODY_FAULTS.values(), ids=BODY_FAULTS.keys())
def test_hf_answer_broken_while_the_body_arrives_is_retried_and_the_day_is_published(
    invoke, hf, github, monkeypatch, fast_http, caplog, fault
):
    with_http(monkeypatch, fast_http, read_timeout=1.0)  # the retry's whole answer must come within it
    hf.inject(Fault("GET", HF_PATH, **fault))

    result = invoke({"date": DATE})

    assert result["status"] == "created" and len(hf.requests) == 2 and published(github)
    retries = [r.getMessage() for r in caplog.records if r.name == "hf_daily_papers.httpclient"]
    assert len(retries) == 1 and retries[0].startswith(f"Hugging Face: daily papers of {DATE} (page 0): try 1 of 5 failed")


@pytest.mark.parametrize("step", ["read tree", "create commit"])
def test_github_answer_broken_while_the_body_arrives_is_retried_without_duplicates(invoke, github, step):
    method, path = STEPS[step]
    github.inject(Fault(method, path, action="drop_body", after_bytes=20))

    result = invoke({"date": DATE})

    assert result["status"] == "created"
    assert published(github) and len(github.history()) == 2
    assert result["commit_sha"] == github.history()[0]["sha"]


def test_hf_dripping_its_answer_fails_at_the_deadline_and_writes_nothing(invoke, hf, github, aws, monkeypatch, fast_http):
    # A byte every half second: each comes well within the read timeout; only the deadline ends it.
    with_http(monkeypatch, fast_http, read_timeout=5.0, deadline=2.0)
    hf.inject(Fault("GET", HF_PATH, action="drip", drip_seconds=0.5, times=99))

    with pytest.raises(UpstreamUnavailable) as caught:
        invoke({"date": DATE})

    assert str(caught.value).startswith(f"Hugging Face unavailable: daily papers of {DATE} (page 0): the body was still arriving (")
    assert str(caught.value).endswith("bytes so far); gave up at the 2 s deadline (after 1 try)")
    assert len(hf.requests) == 1 and nothing_written(github, aws)


# ---------------------------------------------------------------------------------------------
# Hugging Face: permanent faults fail fast
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [400, 404, 401])
def test_hf_client_errors_are_not_retried(invoke, hf, github, aws, status):
    hf.inject(Fault("GET", HF_PATH, Reply(status, {"error": "nope"})))

    with pytest.raises(UpstreamRejected, match=rf"Hugging Face rejected daily papers of {DATE} \(page 0\): HTTP {status}: nope"):
        invoke({"date": DATE})

    assert len(hf.requests) == 1 and nothing_written(github, aws)


# ---------------------------------------------------------------------------------------------
# Hugging Face: garbage in
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "body, content_type, message",
    [
        (b"\xff\xfe\x00garbage", "application/json", "expected JSON, got application/json: "),
        (b'[{"paper": ', "application/json", "expected JSON, got application/json: '[{\"paper\":'"),
        (b"null", "application/json", "expected a JSON array, got NoneType"),
        (b'"2026-02-25"', "application/json", "expected a JSON array, got str"),
    ],
    ids=["binary", "truncated", "null", "string"],
)
def test_hf_answer_that_is_not_a_json_array_is_a_clear_error(invoke, hf, github, aws, body, content_type, message):
    hf.inject(Fault("GET", HF_PATH, Reply(200, body, {"Content-Type": content_type})))

    with pytest.raises(UpstreamInvalid) as caught:
        invoke({"date": DATE})

    assert str(caught.value).startswith(f"Hugging Face answered nonsense for daily papers of {DATE} (page 0): ")
    assert message in str(caught.value)
    assert len(hf.requests) == 1 and nothing_written(github, aws)


def _bad(kind: str, date: str) -> Any:
    item = make_item("2603.00009", 50, date)
    if kind == "not an object":
        return ["2603.00009"]
    if kind == "no paper":
        del item["paper"]
    elif kind == "no title":
        del item["paper"]["title"]
    elif kind == "blank title":
        item["paper"]["title"] = "  \n "
    elif kind == "bad id":
        item["paper"]["id"] = "<script>"
    elif kind == "float upvotes":
        item["paper"]["upvotes"] = 7.5
    elif kind == "bool upvotes":
        item["paper"]["upvotes"] = True
    elif kind == "negative upvotes":
        item["paper"]["upvotes"] = -1
    elif kind == "null upvotes":
        item["paper"]["upvotes"] = None
    elif kind == "bad date":
        item["paper"]["submittedOnDailyAt"] = "yesterday"
    return item


BAD_KINDS = ["not an object", "no paper", "no title", "blank title", "bad id", "float upvotes", "bool upvotes",
             "negative upvotes", "null upvotes", "bad date"]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_one_malformed_item_in_a_sound_day_is_skipped_counted_and_recorded(invoke, hf, github, aws, capsys, kind):
    date = "2026-03-16"
    hf.days[date] = [make_item(f"2603.{i:05d}", 10 - i, date) for i in range(4)]
    hf.days[date].insert(2, _bad(kind, date))

    result = invoke({"date": date})

    assert result["status"] == "created" and result["papers"] == 4 and result["listed"] == 4
    post = github.files()[f"_posts/{date}-daily-papers.md"]
    assert "2603.00009" not in post and "<script>" not in post
    document = json.loads(s3_objects(aws)[f"daily/2026/03/{date}.json"])
    assert document["count"] == 4 and len(document["papers"]) == 4
    assert len(document["skipped"]) == 1 and document["skipped"][0].startswith("item 2: ")
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert [m["PapersSkipped"] for m in emitted if "PapersSkipped" in m] == [[1.0]]  # EMF: one value, 1


@pytest.mark.parametrize("good, bad, fails", [(3, 1, False), (5, 2, True), (1, 1, True)])
def test_more_than_a_quarter_malformed_fails_the_day(invoke, hf, github, aws, good, bad, fails):
    date = "2026-03-17"
    hf.days[date] = [make_item(f"2603.{i:05d}", 10 - i, date) for i in range(good)]
    hf.days[date] += [_bad("no title", date) for _ in range(bad)]

    if not fails:
        assert invoke({"date": date})["papers"] == good
        return
    with pytest.raises(UpstreamInvalid) as caught:
        invoke({"date": date})
    assert f"{bad} malformed of {good + bad} (item {good}: 2603.00009: paper.title is None" in str(caught.value)
    assert nothing_written(github, aws)


def test_a_huge_answer_is_refused_before_it_is_read(invoke, hf, github, aws, monkeypatch, fast_http):
    with_http(monkeypatch, fast_http, max_body_bytes=64 * 1024)
    date = "2026-03-18"
    hf.days[date] = [make_item(f"2603.{i:05d}", i, date, summary="x" * 2000) for i in range(60)]

    with pytest.raises(UpstreamInvalid, match=r"expected at most 65536 bytes, got Content-Length \d{6}"):
        invoke({"date": date})

    assert nothing_written(github, aws)


def test_a_compressed_answer_is_capped_after_decompression(invoke, hf, github, aws, monkeypatch, fast_http):
    with_http(monkeypatch, fast_http, max_body_bytes=64 * 1024)
    bomb = gzip.compress(b"[" + b" " * (8 * 1024 * 1024) + b"]")  # 8 MiB of JSON in ~8 KiB
    hf.inject(Fault("GET", HF_PATH, Reply(200, bomb, {"Content-Type": "application/json", "Content-Encoding": "gzip"})))

    with pytest.raises(UpstreamInvalid, match=r"expected at most 65536 bytes, got a larger body"):
        invoke({"date": DATE})

    assert len(bomb) < 64 * 1024 and nothing_written(github, aws)


# ---------------------------------------------------------------------------------------------
# GitHub: transient faults recover
# ---------------------------------------------------------------------------------------------

STEPS = {
    "read branch": ("GET", r"/git/ref/heads/main$"),
    "read tree": ("GET", r"/git/trees/[0-9a-f]{40}$"),
    "create tree": ("POST", r"/git/trees$"),
    "create commit": ("POST", r"/git/commits$"),
    "move branch": ("PATCH", r"/git/refs/heads/main$"),
}


@pytest.mark.parametrize(
    "step, status",
    [("read branch", 500), ("read tree", 502), ("create tree", 503), ("create commit", 504), ("move branch", 502)],
)
def test_github_server_errors_at_any_step_are_retried(invoke, github, aws, step, status):
    method, path = STEPS[step]
    github.inject(Fault(method, path, Reply(status, GATEWAY_HTML), times=2))

    result = invoke({"date": DATE})

    assert result["status"] == "created"
    assert len(github.answered(status)) == 2
    assert published(github) and len(github.history()) == 2  # exactly one commit of ours


@pytest.mark.parametrize("step", ["create tree", "create commit", "move branch"])
def test_github_dropped_and_lost_writes_are_retried_without_duplicates(invoke, github, step):
    method, path = STEPS[step]
    # `lose`: GitHub did the write but the answer never came back; the retry must be harmless.
    github.inject(Fault(method, path, action="drop"), Fault(method, path, action="lose"))

    result = invoke({"date": DATE})

    assert result["status"] == "created"
    assert published(github) and len(github.history()) == 2
    assert result["commit_sha"] == github.history()[0]["sha"]


SECONDARY = {
    "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
    "status": "403",
}


@pytest.mark.parametrize(
    "status, headers",
    [
        (403, {"retry-after": "1"}),
        (429, {"retry-after": "1"}),
        (403, {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-used": "5000",
               "x-ratelimit-resource": "core", "x-ratelimit-reset": "NOW+30"}),
    ],
    ids=["403-retry-after", "429-retry-after", "403-ratelimit-reset"],
)
def test_github_rate_limits_are_waited_out(invoke, github, status, headers, waits):
    headers = {k: str(int(time.time()) + 30) if v == "NOW+30" else v for k, v in headers.items()}
    github.inject(Fault("POST", STEPS["create commit"][1], Reply(status, dict(SECONDARY, status=str(status)), headers)))

    result = invoke({"date": DATE})

    assert result["status"] == "created"
    assert len(github.answered(status)) == 1 and published(github) and len(github.history()) == 2
    # The wait the server named: a second, or until the reset (29-30 s away when sent; nothing is slept).
    assert len(waits) == 1 and (waits[0] == 1.0 if "retry-after" in headers else 20.0 <= waits[0] <= 30.0)


@pytest.mark.parametrize(
    "headers, asked",
    [({"retry-after": "900"}, r"900"), ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "NOW+3600"}, r"3[56]\d\d")],
    ids=["retry-after", "ratelimit-reset"],
)
def test_github_rate_limit_longer_than_we_wait_fails_at_once_archive_kept(invoke, github, aws, headers, asked):
    headers = {k: str(int(time.time()) + 3600) if v == "NOW+3600" else v for k, v in headers.items()}
    github.inject(Fault("GET", STEPS["read branch"][1], Reply(403, SECONDARY, headers), times=99))

    with pytest.raises(UpstreamUnavailable, match=rf"^GitHub unavailable: read branch main: HTTP 403; the server asked to "
                                                  rf"wait {asked} s, more than the 1.5 s we wait \(after 1 try\)$"):
        invoke({"date": DATE})

    assert len(github.requests) == 1 and archived_not_published(github, aws)


def test_github_secondary_rate_limit_without_headers_is_unavailable_not_auth(invoke, github, aws):
    github.inject(Fault("POST", STEPS["create tree"][1], Reply(403, SECONDARY)))

    with pytest.raises(UpstreamUnavailable, match=r"GitHub unavailable: create tree: HTTP 403 You have exceeded a "
                                                  r"secondary rate limit.* \(rate limited; wait at least a minute\) \(after 1 try\)"):
        invoke({"date": DATE})

    assert len(github.answered(403)) == 1 and archived_not_published(github, aws)


# ---------------------------------------------------------------------------------------------
# GitHub: permanent faults fail fast (the archive is kept, nothing is committed)
# ---------------------------------------------------------------------------------------------

def test_github_401_names_the_secret_not_the_token(invoke, github, aws, secret_reads):
    github.token = "ghp_a_different_token_the_secret_does_not_hold"

    with pytest.raises(AuthError) as caught:
        invoke({"date": DATE})

    assert str(caught.value) == (
        f"GitHub refused credential secret {SECRET_NAME}: read branch main: HTTP 401 Bad credentials"
    )
    assert len(github.requests) == 1  # re-read the secret (unchanged), so no second try
    assert secret_reads == [SECRET_NAME, SECRET_NAME]
    assert archived_not_published(github, aws)


def test_github_403_without_rate_limit_is_a_permission_error(invoke, github, aws):
    body = {"message": "Resource not accessible by personal access token",
            "documentation_url": "https://docs.github.com/rest/git/refs#get-a-reference", "status": "403"}
    github.inject(Fault("GET", STEPS["read branch"][1], Reply(403, body), times=99))

    with pytest.raises(AuthError, match=rf"GitHub refused credential secret {SECRET_NAME}: read branch main: HTTP 403 "
                                        r"Resource not accessible by personal access token \(needs Contents: read and "
                                        r"write on lim4349/lim4349.github.io\)"):
        invoke({"date": DATE})

    assert len(github.requests) == 1 and archived_not_published(github, aws)


@pytest.mark.parametrize("setting, value", [("BLOG_REPOSITORY", "lim4349/no-such-blog"), ("BLOG_BRANCH", "gh-pages")])
def test_github_404_repository_or_branch_fails_fast_with_a_hint(invoke, github, aws, monkeypatch, setting, value):
    monkeypatch.setenv(setting, value)
    repo = value if setting == "BLOG_REPOSITORY" else github.repository
    branch = value if setting == "BLOG_BRANCH" else "main"

    with pytest.raises(UpstreamRejected) as caught:
        invoke({"date": DATE})

    assert str(caught.value) == (
        f"GitHub rejected read branch {branch}: HTTP 404: Not Found "
        f"(does {repo} exist, with branch {branch}, visible to the token?)"
    )
    assert len(github.requests) == 1 and archived_not_published(github, aws)


def test_github_422_validation_failure_is_not_retried(invoke, github, aws):
    # The shape of a real 422 (tests/fixtures/github/errors.json).
    body = {"message": "Validation Failed", "errors": [{"resource": "Tree", "code": "invalid", "field": "path"}],
            "documentation_url": "https://docs.github.com/rest/git/trees#create-a-tree"}
    github.inject(Fault("POST", STEPS["create tree"][1], Reply(422, body), times=99))

    with pytest.raises(UpstreamRejected, match=r"^GitHub rejected create tree: HTTP 422: Validation Failed \(Tree.path invalid\)$"):
        invoke({"date": DATE})

    assert len(github.writes) == 1 and archived_not_published(github, aws)


def test_github_422_on_the_ref_that_is_not_a_race_is_not_retried(invoke, github, aws):
    body = {"message": "Object does not exist", "documentation_url": "https://docs.github.com/rest/git/refs#update-a-reference"}
    github.inject(Fault("PATCH", STEPS["move branch"][1], Reply(422, body), times=99))

    with pytest.raises(UpstreamRejected, match=r"^GitHub rejected move main: HTTP 422: Object does not exist$"):
        invoke({"date": DATE})

    assert len(github.answered(422, "PATCH")) == 1 and archived_not_published(github, aws)


@pytest.mark.parametrize(
    "step, reply, message",
    [
        ("read branch", Reply(200, "<html>Unicorn!</html>"), "GitHub answered nonsense for read branch main: expected JSON, got text/html"),
        ("read branch", Reply(200, {"ref": "refs/heads/main", "object": {"sha": "HEAD"}}), "GitHub answered nonsense for branch main: expected an object with a hex sha"),
        ("read tree", Reply(200, {"sha": "a" * 40, "tree": "all of it", "truncated": False}), "GitHub answered nonsense for read tree: expected a tree list, got str"),
        ("create commit", Reply(201, {"message": "ok"}), "GitHub answered nonsense for commit: expected an object with a hex sha"),
    ],
    ids=["html", "ref-without-sha", "tree-not-a-list", "commit-without-sha"],
)
def test_github_answering_nonsense_is_a_clear_error(invoke, github, aws, step, reply, message):
    method, path = STEPS[step]
    github.inject(Fault(method, path, reply))

    with pytest.raises(UpstreamInvalid) as caught:
        invoke({"date": DATE})

    assert str(caught.value).startswith(message)
    assert archived_not_published(github, aws)


# ---------------------------------------------------------------------------------------------
# Races: a stale head is re-read and retried a bounded number of times
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "status, message",
    [(422, "Update is not a fast forward"), (409, "Reference cannot be updated")],
)
def test_a_ref_update_that_lost_a_race_is_re_read_and_retried(invoke, github, status, message, caplog):
    body = {"message": message, "documentation_url": "https://docs.github.com/rest/git/refs#update-a-reference"}
    github.inject(Fault("PATCH", STEPS["move branch"][1], Reply(status, body)))

    result = invoke({"date": DATE})

    assert result["status"] == "created"
    assert [r.method for r in github.requests].count("PATCH") == 2
    assert published(github) and len(github.history()) == 2
    assert "moved under us (another writer); re-reading, attempt 2 of 5" in caplog.text


def test_a_branch_that_keeps_moving_gives_up_with_conflict_and_a_rerun_completes(invoke, github, aws, run_log):
    from hf_daily_papers.errors import Conflict

    body = {"message": "Update is not a fast forward", "documentation_url": "https://docs.github.com/rest/git/refs#update-a-reference"}
    github.inject(Fault("PATCH", STEPS["move branch"][1], Reply(422, body), times=5))

    with pytest.raises(Conflict, match=r"lim4349/lim4349.github.io@main kept moving under us; gave up after 5 "
                                       r"attempts \(nothing committed by this run\)"):
        invoke({"date": DATE})
    assert len(github.answered(422, "PATCH")) == 5 and archived_not_published(github, aws)
    assert run_log.find("run failed")["message"].startswith(f"run failed (Conflict): archive {KEY} written by this run")

    assert invoke({"date": DATE})["status"] == "created"
    assert published(github)


# ---------------------------------------------------------------------------------------------
# Nothing half-published: archive first; a failure between archive and post; the re-run
# ---------------------------------------------------------------------------------------------

def test_failure_between_archive_and_post_is_logged_and_a_rerun_completes_it(invoke, hf, github, aws, run_log):
    github.inject(Fault("POST", STEPS["create commit"][1], Reply(502, GATEWAY_HTML), times=5))

    with pytest.raises(UpstreamUnavailable, match=r"^GitHub unavailable: create commit: HTTP 502 \(after 5 tries\)$"):
        invoke({"date": DATE})

    assert archived_not_published(github, aws)
    failed = run_log.find("run failed")
    assert failed["message"] == (
        f"run failed (UpstreamUnavailable): archive {KEY} written by this run; post {POST} not published; "
        "re-running the same request completes it once the cause is fixed"
    )
    assert (failed["archived"], failed["commits"], failed["not_published"]) == ([KEY], [], [POST])
    assert [r["message"] for r in run_log.records if r["level"] == "ERROR"] == [failed["message"]]  # one line

    result = invoke({"date": DATE})  # the fault is used up: GitHub is back

    assert result["status"] == "created" and result["archived"] is False  # the archive was already right
    assert published(github) and len(github.history()) == 2
    assert s3_versions(aws, KEY) == 1


def test_missing_bucket_fails_before_anything_is_published(invoke, github, aws, monkeypatch, run_log):
    monkeypatch.setenv("BUCKET_NAME", "hf-daily-papers-no-such-bucket")

    with pytest.raises(UpstreamRejected) as caught:
        invoke({"date": DATE})

    assert str(caught.value) == (
        f"S3 rejected read {KEY} in hf-daily-papers-no-such-bucket: HTTP 404: "
        "NoSuchBucket: the bucket does not exist (check BUCKET_NAME)"
    )
    assert github.requests == [] and s3_objects(aws) == {}
    assert run_log.find("run failed")["message"].startswith(f"run failed (UpstreamRejected): archive {KEY} not written")


def test_missing_secret_names_the_secret_and_publishes_nothing(invoke, github, aws, monkeypatch):
    monkeypatch.setenv("BLOG_TOKEN_SECRET", "hf-daily-papers/no-such-secret")

    with pytest.raises(AuthError) as caught:
        invoke({"date": DATE})

    assert str(caught.value) == (
        "Secrets Manager refused credential secret hf-daily-papers/no-such-secret: cannot read it: ResourceNotFoundException"
    )
    assert github.requests == [] and KEY in s3_objects(aws)


def test_empty_secret_is_an_auth_error(invoke, github, aws):
    import boto3

    boto3.client("secretsmanager").put_secret_value(SecretId=SECRET_NAME, SecretString="  \n")

    with pytest.raises(AuthError, match=rf"^Secrets Manager refused credential secret {SECRET_NAME}: it is empty$"):
        invoke({"date": DATE})

    assert github.requests == []


def test_bad_event_is_logged_as_nothing_written(invoke, run_log, github, aws):
    from hf_daily_papers.errors import BadInput

    with pytest.raises(BadInput):
        invoke({"date": "2026-02-30"})

    assert run_log.find("run failed")["message"] == "run failed (BadInput): nothing written"
    assert nothing_written(github, aws)


def test_worst_case_of_one_call_is_well_inside_the_function_timeout():
    from hf_daily_papers.httpclient import HttpConfig

    config = HttpConfig()
    # One call: every wait is cut to its deadline, except handing over the request (connect timeout).
    assert config.worst_case_seconds == config.deadline + config.connect_timeout == 50
    assert config.max_server_wait < config.deadline
    # botocore calls (S3, Secrets Manager): every try timing out, plus botocore's longest backoff.
    aws_call = max(aws.CLIENTS["s3"].worst_case_seconds, aws.CLIENTS["secretsmanager"].worst_case_seconds)
    assert aws_call == 3 * (5 + 15) + 1 + 2
    # A daily run makes 9 calls in a row (HF page, S3 get + put, the secret, 5 GitHub). The first
    # call that runs out of budget ends the run; even if every call used its whole budget and
    # then succeeded, the run stays inside the 900 s function timeout.
    assert 6 * config.worst_case_seconds + 3 * aws_call < 900
