"""The secret mask (issue 17 §1): what a person reading a log line, an error or a result sees
of a token is `***`, whether the token is whole, cut, escaped by a library, or never registered.

Each test registers its own made-up tokens (the registry is process-wide, as secrets are), and
the texts here share no 8 characters with the tokens other tests register.
"""

from __future__ import annotations

import http.client
import logging
import threading
import traceback
import uuid

import pytest

from hf_daily_papers import redact as mask
from hf_daily_papers.errors import BadInput, DailyPapersError, UpstreamInvalid


def new_token() -> str:
    """A token no other test has registered (40 characters, like a GitHub classic token)."""
    return "ghp_" + (uuid.uuid4().hex + uuid.uuid4().hex)[:36]


def registered() -> str:
    token = new_token()
    mask.register(token)
    return token


def pieces_shown(token: str, text: str, size: int = mask.MIN_PIECE) -> list[str]:
    """Every run of `size` characters of `token` that `text` still shows."""
    return [token[i : i + size] for i in range(len(token) - size + 1) if token[i : i + size] in text]


# -- whole, cut, pieces ------------------------------------------------------------------------

def test_a_registered_token_is_masked_wherever_it_is():
    token = registered()
    assert mask.redact(f"a {token} b {token}") == "a *** b ***"


@pytest.mark.parametrize("cut", [8, 9, 20, 39])
def test_a_prefix_of_8_or_more_characters_is_masked(cut):
    token = registered()
    # a text someone else cut (a library, a server) before it reached us
    assert mask.redact(f"header value {token[:cut]}") == "header value ***"


def test_a_prefix_shorter_than_8_is_left_alone():
    # (the documented limit: 7 characters of a 40-character token is not the token; masking
    # every 7-letter run of a registered value would garble ordinary text)
    token = registered()
    assert mask.redact(f"x {token[:7]} y") == f"x {token[:7]} y"


@pytest.mark.parametrize("start, end", [(20, 40), (5, 30), (32, 40)])
def test_any_other_piece_of_8_or_more_characters_is_masked(start, end):
    token = registered()
    assert mask.redact(f"…{token[start:end]}…") == "…***…"


def test_short_masks_first_then_cuts_so_a_token_on_the_cut_shows_none_of_itself():
    token = registered()
    for at in range(180, 200):  # the token starts anywhere up to the cut and straddles it
        text = "x" * at + token + " and more after it"
        shown = mask.short(text, 200)
        assert len(shown) <= 200
        assert pieces_shown(token, shown, 4) == [], shown
        assert shown[:at] == "x" * at and shown[at] in "*…"


def test_short_of_text_that_holds_an_unregistered_token_pattern():
    # never registered: masked because it looks like a token (GitHub's and HF's prefixes)
    shown = mask.short("y" * 190 + " ghp_" + "A" * 36, 200)
    assert "AAAAAAAA" not in shown and shown.startswith("y" * 190 + " ghp_***")


def test_the_secrets_argument_masks_an_unregistered_value():
    value = "not-registered-" + uuid.uuid4().hex
    assert mask.redact(f"echo {value} echo", [value]) == "echo *** echo"
    assert value[:20] not in mask.short("z" * 195 + value, 200, [value])


# -- escaped forms, and library texts -----------------------------------------------------------

def test_a_library_exception_text_holding_the_token_is_masked():
    token = registered()
    connection = http.client.HTTPConnection("127.0.0.1", 9)  # (never connects: putheader refuses first)
    connection.putrequest("GET", "/")
    with pytest.raises(ValueError) as caught:  # a line break after the token: http.client refuses the header
        connection.putheader("Authorization", f"Bearer {token}\nX-Injected: 1")
    text = str(caught.value)
    assert token in text  # what http.client says (the leak of issue 17 §1)

    assert token[:8] not in mask.redact(text)
    assert pieces_shown(token, mask.redact(repr(caught.value))) == []


def test_a_refused_value_is_masked_as_escaped_text_too():
    # two tokens pasted: refused when read, but masked should any library quote it, with its line
    # break as a real one, as repr's \n, or as JSON's \n
    first, second = new_token(), new_token()
    value = f"{first}\n{second}"
    mask.register_refused(value)
    for text in (value, repr(value), repr(value.encode()), f'{{"v": "{first}\\n{second}"}}'):
        shown = mask.redact(f"Invalid header value {text}")
        assert pieces_shown(first, shown) == [] and pieces_shown(second, shown) == [], shown


@pytest.mark.parametrize("text, expected", [
    ("Authorization: Bearer abc123def456ghi", "Authorization: Bearer ***"),
    ("header b'token 9f8e7d6c5b4a3z2y'", "header b'token ***'"),
    ("Basic dXNlcjpwYXNzd29yZDE=", "Basic ***"),
    ("github_pat_11QWERTY9Z8Y7X6W5V_qazwsxedcrfvtgbyhnujmikolp", "github_pat_***"),
    ("hf_" + "a1B2c3D4e5F6g7H8i9J0kLmN", "hf_***"),
    ("gho_" + "Z" * 36 + " and ghs_" + "Y" * 36, "gho_*** and ghs_***"),
    ("https://user:s3cret-pass@example.com/x", "https://user:***@example.com/x"),
])
def test_what_looks_like_a_token_is_masked_without_registering(text, expected):
    assert mask.redact(text) == expected


@pytest.mark.parametrize("text", [
    "hf_daily_papers.httpclient", "a token rotation happened", "needs a Bearer token",
    "run failed (UpstreamUnavailable): archive daily/2026/02/2026-02-25.json written",
    "https://huggingface.co/api/daily_papers?date=2026-02-25",
])
def test_ordinary_text_is_left_alone(text):
    assert mask.redact(text) == text


# -- errors and exceptions ----------------------------------------------------------------------

def test_every_error_of_ours_is_masked_when_made():
    token = registered()
    error = UpstreamInvalid("GitHub", "read branch main", "JSON", f"'<html>{token[:30]}'")
    assert pieces_shown(token, str(error)) == [] and str(error).endswith("got '<html>***'")
    bad = BadInput("date", "x" * 280 + token, "not a date")  # shown value cut at 300: masked first
    assert pieces_shown(token, str(bad), 4) == []


def test_scrub_masks_a_foreign_exception_in_place_keeping_its_type():
    token = registered()
    exc = ValueError(f"Invalid header value b'Bearer {token}'")
    exc.add_note(f"while sending {token}")

    scrubbed = mask.scrub(exc)

    assert scrubbed is exc and type(scrubbed) is ValueError
    assert str(scrubbed) == "Invalid header value b'Bearer ***'"
    assert token[:8] not in "".join(traceback.format_exception(scrubbed))


def test_scrub_masks_the_exceptions_chained_to_it():
    token = registered()
    try:
        try:
            raise KeyError(f"no key {token}")
        except KeyError as inner:
            raise RuntimeError("while reading") from inner
    except RuntimeError as outer:
        scrubbed = mask.scrub(outer)
    text = "".join(traceback.format_exception(scrubbed))
    assert "KeyError" in text and "while reading" in text  # the chain is still there to read
    assert token[:8] not in text


def test_scrub_replaces_an_exception_whose_text_does_not_come_from_its_args():
    token = registered()
    exc = FileNotFoundError(2, "No such file", f"/tmp/{token}")  # str() reads .filename, not args

    scrubbed = mask.scrub(exc)

    assert isinstance(scrubbed, DailyPapersError)
    assert str(scrubbed) == "FileNotFoundError: [Errno 2] No such file: '/tmp/***'"


def test_scrub_leaves_an_exception_without_secrets_as_it_is():
    exc = ValueError("plain")
    assert mask.scrub(exc) is exc and exc.args == ("plain",)


def test_the_log_filter_masks_message_args_extras_and_exception(caplog):
    token = registered()
    logger = logging.getLogger("test_redact.filtered")
    logger.addFilter(mask.MaskLogRecords())
    try:
        try:
            raise ValueError(f"bad {token}")
        except ValueError:
            logger.exception("failed with %s", token, extra={"detail": {"echo": [token]}})
    finally:
        logger.filters.clear()

    [record] = [r for r in caplog.records if r.name == "test_redact.filtered"]
    assert record.getMessage() == "failed with ***"
    assert record.__dict__["detail"] == {"echo": ["***"]}
    assert token[:8] not in caplog.text


# -- tokens read from a setting or a secret -----------------------------------------------------

@pytest.mark.parametrize("value, kind", [
    ("ghp_one\nghp_two", "a line break"),
    ("ghp_one\r\nghp_two", "a line break"),
    ("ghp_one ghp_two", "a space"),
    ("ghp_one\tghp_two", "a tab"),
    ("ghp_one\u00a0two", "a space"),
    ("ghp_one\x00two", "a control character"),
    ("ghp_one\x7ftwo", "a control character"),
    ("ghp_one\u200btwo", "an invisible (format) character"),
    ("ghp_one\u2019two", "a character that is not printable ASCII"),
])
def test_a_value_with_whitespace_or_control_characters_cannot_be_a_token(value, kind):
    problem = mask.token_problem(value)
    assert problem is not None and problem.startswith(f"it holds {kind} inside")
    assert "ghp_" not in problem


@pytest.mark.parametrize("value", ['{"token": "ghp_x"}', '[ "ghp_x" ]', '"ghp_x"'])
def test_a_json_document_cannot_be_a_token(value):
    assert mask.token_problem(value) == (
        "it holds a JSON document or a quoted string, not a token: store the token alone, as plain text"
    )


def test_a_real_looking_token_can_be_one():
    assert mask.token_problem(new_token()) is None
    assert mask.token_problem("github_pat_11ABC_def-ghi.jkl~mno+/=") is None


def test_registering_from_many_threads_loses_no_token():
    tokens = [new_token() for _ in range(16)]
    threads = [threading.Thread(target=mask.register, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    text = " ".join(tokens)
    assert mask.redact(text) == " ".join(["***"] * len(tokens))
