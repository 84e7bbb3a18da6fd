"""The optional Hugging Face token (HF_TOKEN locally, HF_TOKEN_SECRET in Secrets Manager): sent as
`Authorization: Bearer` to Hugging Face only, and never seen in a log, an error, S3 or a post."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from hf_daily_papers import handler
from hf_daily_papers.errors import UpstreamRejected

from conftest import REGION, TOKEN, load_event, s3_objects
from fakes.server import Fault, Reply

HF_TOKEN = "hf_TESTtokenDoNotLeak0123456789abcdefABCD"
HF_SECRET = "hf-daily-papers/hf-token"


def sent_authorization(server: Any) -> set[str]:
    return {r.headers.get("authorization", "") for r in server.requests}


def test_without_a_token_hugging_face_is_asked_anonymously(invoke: Any, hf: Any) -> None:
    invoke(load_event("manual-date.json"))
    assert sent_authorization(hf) == {""}


def test_the_secret_token_goes_to_hugging_face_only(
    invoke: Any, hf: Any, github: Any, aws: Any, monkeypatch: pytest.MonkeyPatch, run_log: Any
) -> None:
    boto3.client("secretsmanager", region_name=REGION).create_secret(Name=HF_SECRET, SecretString=HF_TOKEN)
    monkeypatch.setenv("HF_TOKEN_SECRET", HF_SECRET)
    handler.reset_environment()
    result = invoke(load_event("manual-date.json"))

    assert result["status"] == "created"
    assert sent_authorization(hf) == {f"Bearer {HF_TOKEN}"}
    assert all(HF_TOKEN not in r.headers.get("authorization", "") for r in github.requests)
    seen = run_log.text + json.dumps(result) + json.dumps(github.files()) + repr(s3_objects(aws))
    assert HF_TOKEN not in seen


def test_hf_token_wins_over_the_secret_and_an_echoed_token_is_masked(
    invoke: Any, hf: Any, aws: Any, monkeypatch: pytest.MonkeyPatch, run_log: Any
) -> None:
    monkeypatch.setenv("HF_TOKEN", HF_TOKEN)
    monkeypatch.setenv("HF_TOKEN_SECRET", "no-such-secret")  # never read: HF_TOKEN takes precedence
    handler.reset_environment()
    hf.inject(Fault("GET", "/api/daily_papers", Reply(401, {"error": f"Invalid token {HF_TOKEN}"})))

    with pytest.raises(UpstreamRejected) as caught:
        invoke(load_event("manual-date.json"))

    assert str(caught.value) == "Hugging Face rejected daily papers of 2026-02-25 (page 0): HTTP 401: Invalid token ***"
    assert sent_authorization(hf) == {f"Bearer {HF_TOKEN}"}
    assert HF_TOKEN not in run_log.text and TOKEN not in run_log.text
    assert s3_objects(aws) == {}
