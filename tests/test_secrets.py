"""The GitHub token: read once per invocation through Powertools Parameters, and never seen again.

It must not appear in anything a run prints (Powertools JSON logs, any logger even at DEBUG,
stdout/stderr, metrics), raises (message, repr, traceback), writes (S3 objects, posts, commits,
trees) or requests (URLs of both fakes; and it is never sent to Hugging Face at all), whether
the run succeeds or fails -- nor any piece of it (a token cut by an error text's length limit).
A secret that cannot be a token (two tokens pasted, a JSON document) is refused when read,
naming the secret (issue 17 §1).
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable
from typing import Any

import pytest

from hf_daily_papers.errors import AuthError, BadInput

from conftest import BUCKET, SECRET_NAME, TOKEN
from fakes.server import Fault, Reply

DATE = "2026-02-25"
REF_UPDATE = r"/git/refs/heads/main$"
FAST_FORWARD = {"message": "Update is not a fast forward", "documentation_url": "https://docs.github.com/rest/git/refs#update-a-reference"}


def _everything(run_log: Any, caplog: Any, capfd: Any, hf: Any, github: Any, aws: Any,
                outcomes: list[str]) -> dict[str, str]:
    """Every channel a token could leak through, as text, by name."""
    out, err = capfd.readouterr()
    s3 = []
    for version in aws.list_object_versions(Bucket=BUCKET).get("Versions", []):
        obj = aws.get_object(Bucket=BUCKET, Key=version["Key"], VersionId=version["VersionId"])
        s3.append(f"{version['Key']} {obj.get('Metadata')} {obj['Body'].read().decode('utf-8', 'replace')}")
    return {
        "powertools logs": run_log.text,
        "all loggers (DEBUG)": caplog.text,
        "stdout": out,
        "stderr": err,
        "results and errors": "\n".join(outcomes),
        "S3 objects (every version)": "\n".join(s3),
        "GitHub blobs": "\n".join(b.decode("utf-8", "replace") for b in github.blobs.values()),
        "GitHub commits and trees": json.dumps([github.commits, github.trees]),
        "GitHub request URLs": "\n".join(f"{r.path}?{r.query}" for r in github.requests),
        "GitHub request bodies": "\n".join(r.body.decode("utf-8", "replace") for r in github.requests),
        "HF requests (URLs and headers)": "\n".join(f"{r.path}?{r.query} {r.headers}" for r in hf.requests),
    }


def _shown(token: str, text: str) -> bool:
    """`text` shows `token`, or its first or last 8 characters (a token cut by a length limit)."""
    return any(piece in text for piece in (token, token[:8], token[-8:]))


def _attempt(invoke: Callable[[Any], Any], event: Any, outcomes: list[str]) -> None:
    try:
        outcomes.append(json.dumps(invoke(event)))
    except Exception as exc:  # noqa: BLE001 - every failure is scanned
        outcomes.append(f"{exc}\n{exc!r}\n" + "".join(traceback.format_exception(exc)))


def _rotate(github: Any) -> None:
    import boto3

    github.token = "ghp_rotated_TOKEN_also_secret_9876543210fedcba"
    boto3.client("secretsmanager").put_secret_value(SecretId=SECRET_NAME, SecretString=github.token)


ECHO = {"message": f"Bad request with header Authorization: Bearer {TOKEN}", "documentation_url": "https://docs.github.com/rest"}
# GitHub's message is cut at 200 characters, a body that is no JSON at 60: the token straddles the cut.
ECHO_AT_THE_CUT = {"message": "x" * 180 + f" Bearer {TOKEN} and more", "documentation_url": "https://docs.github.com/rest"}

SCENARIOS: dict[str, Callable[[Any, Any, Any], None]] = {
    "published": lambda hf, github, monkeypatch: None,
    "dry run": lambda hf, github, monkeypatch: None,
    "bad credentials": lambda hf, github, monkeypatch: setattr(github, "token", "ghp_not_the_one_in_the_secret"),
    "no permission": lambda hf, github, monkeypatch: github.inject(Fault("POST", r"/git/trees$", Reply(403, {"message": "Resource not accessible"}), times=9)),
    "github down": lambda hf, github, monkeypatch: github.inject(Fault("GET", r"/git/ref/", Reply(502, "<html>bad gateway</html>"), times=9)),
    "conflict": lambda hf, github, monkeypatch: github.inject(Fault("PATCH", REF_UPDATE, Reply(422, FAST_FORWARD), times=9)),
    "echoed in an error": lambda hf, github, monkeypatch: github.inject(Fault("POST", r"/git/commits$", Reply(422, ECHO))),
    "echoed in garbage": lambda hf, github, monkeypatch: github.inject(Fault("GET", r"/git/trees/", Reply(200, f"<html>{TOKEN}</html>"))),
    "echoed across the cut": lambda hf, github, monkeypatch: github.inject(Fault("POST", r"/git/commits$", Reply(422, ECHO_AT_THE_CUT))),
    "echoed in garbage across the cut": lambda hf, github, monkeypatch: github.inject(
        Fault("GET", r"/git/trees/", Reply(200, "<html>" + "y" * 40 + TOKEN + "</html>"))),
    "hf down": lambda hf, github, monkeypatch: hf.inject(Fault("GET", "/api/daily_papers", Reply(503, "busy"), times=9)),
    "missing secret": lambda hf, github, monkeypatch: monkeypatch.setenv("BLOG_TOKEN_SECRET", "hf-daily-papers/missing"),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_token_appears_nowhere(scenario, invoke, hf, github, aws, run_log, caplog, capfd, monkeypatch):
    caplog.set_level(logging.DEBUG)  # the strictest: every logger, every level
    SCENARIOS[scenario](hf, github, monkeypatch)
    outcomes: list[str] = []

    _attempt(invoke, {"date": DATE, "dry_run": scenario == "dry run"}, outcomes)
    _attempt(invoke, {"date": DATE}, outcomes)  # again: a re-run, warm, with the cached token

    channels = _everything(run_log, caplog, capfd, hf, github, aws, outcomes)
    leaks = [name for name, text in channels.items() if _shown(TOKEN, text)]
    assert leaks == [], f"the token leaked into: {leaks}"
    # Not vacuous: the runs did log, and (unless it could not be read) the token was really used.
    assert channels["powertools logs"] and channels["all loggers (DEBUG)"]
    if scenario not in ("hf down", "missing secret", "dry run"):
        assert any(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in github.requests)
    assert all("authorization" not in r.headers for r in hf.requests)  # never sent to HF


def test_the_scan_sees_every_channel(invoke, hf, github, aws, run_log, caplog, capfd):
    """The scan above cannot miss a channel: put the token into each one and it is found."""

    caplog.set_level(logging.DEBUG)
    invoke({"date": DATE})
    # (the run's own logger masks a careless line: see the next test; this one is written past it)
    run_log.stream.write(json.dumps({"message": f"a line past the mask {TOKEN}"}) + "\n")
    logging.getLogger("botocore.endpoint").debug("careless %s", TOKEN)
    print(TOKEN)
    aws.put_object(Bucket=BUCKET, Key="daily/careless.json", Body=TOKEN.encode())
    github.commit_file("_posts/careless.md", TOKEN)
    import urllib3

    urllib3.request("GET", f"{hf.url}/api/daily_papers?date=2026-02-25&t={TOKEN}")

    channels = _everything(run_log, caplog, capfd, hf, github, aws, [TOKEN])
    found = {name for name, text in channels.items() if TOKEN in text}
    assert found >= {"powertools logs", "all loggers (DEBUG)", "stdout", "results and errors",
                     "S3 objects (every version)", "GitHub blobs", "HF requests (URLs and headers)"}


def test_a_careless_log_line_of_the_run_is_masked(invoke, run_log):
    from hf_daily_papers import handler

    invoke({"date": DATE})  # the token is read: the mask knows it
    handler.logger.info(f"a careless line {TOKEN}", extra={"echo": {"header": f"Bearer {TOKEN[:20]}"}})

    line = run_log.find("a careless line")
    assert (line["message"], line["echo"]) == ("a careless line ***", {"header": "Bearer ***"})


def test_a_library_error_quoting_the_token_is_masked_in_the_log_and_in_what_lambda_returns(
    invoke, github, aws, run_log, fast_http
):
    from hf_daily_papers import app, handler

    invoke({"date": DATE})  # the token is read: the mask knows it

    def clock() -> Any:  # any library failing with the token in its text, as http.client does
        raise ValueError(f"Invalid header value b'Bearer {TOKEN}\\nX: 1'")

    # A new execution environment has read no token yet: what looks like one is masked all the same.
    handler.reset_environment(app.Wiring(clock=clock, http=fast_http))
    with pytest.raises(ValueError) as caught:  # the same type, for Lambda's errorType
        invoke({"date": DATE})

    assert str(caught.value) == "Invalid header value b'Bearer ghp_***\\nX: 1'"  # Lambda's errorMessage
    assert not _shown(TOKEN, "".join(traceback.format_exception(caught.value)))
    failed = run_log.find("run failed (ValueError)")
    assert "Invalid header value b'Bearer ghp_***" in failed["exception"]
    assert not _shown(TOKEN, run_log.text)


def test_the_token_is_read_once_per_invocation_and_a_rotated_one_is_picked_up(invoke, github, secret_reads):
    # Invocation 1 retries a lot (a 502, and a lost race that re-reads everything): one read.
    github.inject(Fault("POST", r"/git/trees$", Reply(502, "bad gateway")), Fault("PATCH", REF_UPDATE, Reply(422, FAST_FORWARD)))
    assert invoke({"date": DATE})["status"] == "created"
    assert len(github.answered(422, "PATCH")) == 1 and len(github.requests) == 11
    assert secret_reads == [SECRET_NAME]

    # Invocation 2, same (warm) environment minutes later: Powertools' cache answers.
    assert invoke({"date": DATE})["status"] == "unchanged"
    assert secret_reads == [SECRET_NAME]

    # The token is rotated: the cached one is refused (401), read again past the cache, retried.
    _rotate(github)
    assert invoke({"date": DATE})["status"] == "unchanged"
    assert len(github.answered(401)) == 1
    assert secret_reads == [SECRET_NAME, SECRET_NAME]


def test_a_cold_start_reads_the_token_again(invoke, github, secret_reads, monkeypatch):
    from hf_daily_papers import handler

    invoke({"date": DATE})
    handler.reset_environment()  # a new execution environment

    invoke({"date": DATE})

    assert secret_reads == [SECRET_NAME, SECRET_NAME]


def test_botocore_debug_logging_does_not_print_the_secret(invoke, caplog):
    caplog.set_level(logging.DEBUG)

    invoke({"date": DATE})

    assert "GetSecretValue" in caplog.text  # botocore did log the call at DEBUG
    assert TOKEN not in caplog.text


# ---------------------------------------------------------------------------------------------
# A secret that cannot be a token
# ---------------------------------------------------------------------------------------------

SECOND = "ghp_SECONDtokenPasted_0123456789abcdefAB"
LINE = "it holds a line break inside (two tokens pasted, or a document?): store the token alone, on one line"
JSON_DOC = "it holds a JSON document or a quoted string, not a token: store the token alone, as plain text"
NOT_TOKENS = {
    "two tokens on two lines": (f"{TOKEN}\n{SECOND}", LINE),
    "two tokens, Windows line end": (f"{TOKEN}\r\n{SECOND}\r\n", LINE),
    "two tokens on one line": (f"{TOKEN} {SECOND}", LINE.replace("a line break", "a space")),
    "a pretty-printed JSON secret": (json.dumps({"token": TOKEN}, indent=2), JSON_DOC),
    "a one-line JSON secret": (json.dumps({"token": TOKEN}), JSON_DOC),
    "a NUL inside": (f"{TOKEN}\x00", "it holds a control character inside (copied from formatted text?): "
                                      "store the token alone, on one line"),
}


@pytest.mark.parametrize("value, problem", NOT_TOKENS.values(), ids=NOT_TOKENS.keys())
def test_a_secret_that_cannot_be_a_token_is_refused_naming_the_secret(
    value, problem, invoke, hf, github, aws, run_log, caplog, capfd
):
    import boto3

    boto3.client("secretsmanager").put_secret_value(SecretId=SECRET_NAME, SecretString=value)
    caplog.set_level(logging.DEBUG)  # (after the test's own call, which botocore logs with the value)
    outcomes: list[str] = []

    with pytest.raises(AuthError) as caught:
        invoke({"date": DATE})
    _attempt(invoke, {"date": DATE}, outcomes)  # again, warm: the same answer, from the cache

    assert str(caught.value) == f"Secrets Manager refused credential secret {SECRET_NAME}: {problem}"
    assert outcomes[0].startswith(str(caught.value))
    assert github.writes == [] and all("authorization" not in r.headers for r in github.requests)
    channels = _everything(run_log, caplog, capfd, hf, github, aws, [str(caught.value), *outcomes])
    leaks = [name for name, text in channels.items() if _shown(TOKEN, text) or _shown(SECOND, text)]
    assert leaks == [], f"the secret leaked into: {leaks}"
    assert run_log.find("run failed")["message"].startswith("run failed (AuthError): archive daily/2026/02/")


def test_a_binary_secret_is_refused_naming_the_secret(invoke, github, aws):
    import boto3

    boto3.client("secretsmanager").put_secret_value(SecretId=SECRET_NAME, SecretBinary=b"\xff\xfe" + TOKEN.encode())

    with pytest.raises(AuthError, match=rf"^Secrets Manager refused credential secret {SECRET_NAME}: "
                                        r"it holds binary data, not a text token$"):
        invoke({"date": DATE})
    assert github.writes == []


@pytest.mark.parametrize("variable", ["BLOG_TOKEN", "HF_TOKEN"])
def test_a_token_setting_that_cannot_be_a_token_is_refused_naming_the_variable(
    variable, invoke, github, aws, run_log, monkeypatch
):
    monkeypatch.setenv(variable, f"{TOKEN}\n{SECOND}")

    with pytest.raises(AuthError) as caught:
        invoke({"date": DATE})

    assert str(caught.value) == f"settings refused credential {variable}: {LINE}"
    assert github.requests == []
    assert not _shown(TOKEN, run_log.text) and not _shown(SECOND, run_log.text)


def test_a_token_pasted_into_an_event_is_masked_in_the_error_and_the_log(invoke, github, aws, run_log):
    invoke({"date": DATE})  # the token is read (and known to the mask) in this warm environment

    with pytest.raises(BadInput) as caught:
        invoke({"date": TOKEN})

    assert str(caught.value) == "date='***': expected a date as YYYY-MM-DD"
    assert not _shown(TOKEN, run_log.text)
