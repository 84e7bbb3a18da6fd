"""The HTTP client's reading of the headers that steer it: Retry-After, the rate-limit headers,
Content-Length (issue 17 §3).

`str.isdigit` (and a regex's `\\d`, and `int()` in part) take more than ASCII digits: superscripts
("²", which `int` refuses: a bare ValueError), Arabic-Indic ("٣") and full-width ("３") digits,
which `int` and `float` read as 3. RFC 9110 numbers are ASCII digits: anything else is no number.
"""

from __future__ import annotations

import time

import pytest

from hf_daily_papers.httpclient import content_length, is_rate_limited, retry_after, server_wait

NOT_ASCII_DIGITS = {"superscript two": "²", "superscripts": "³¹", "Arabic-Indic three": "٣",
                    "full-width three": "３", "mixed": "1٣", "Devanagari three": "३"}


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS.values(), ids=NOT_ASCII_DIGITS.keys())
def test_retry_after_in_other_digits_is_absent(value):
    assert retry_after(value) is None
    assert not is_rate_limited({"retry-after": value})  # so a 403 carrying it is no rate limit


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS.values(), ids=NOT_ASCII_DIGITS.keys())
def test_rate_limit_resets_in_other_digits_are_absent(value):
    assert server_wait(429, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": value}) is None
    assert server_wait(429, {"ratelimit": f'"default";r=0;t={value}'}) is None
    assert server_wait(429, {"ratelimit": f'"default";r=0;t=5{value}'}) is None  # not "5"


@pytest.mark.parametrize("value", ["²", "³¹", "x", ".5"])
def test_a_rate_limit_remaining_with_more_after_its_digits_is_no_count(value):
    # "r=0²" is not "r=0": the number ends at a delimiter or it is no number.
    assert not is_rate_limited({"ratelimit": f'"default";r=0{value};t=5'})
    assert server_wait(403, {"ratelimit": f'"default";r=0{value};t=5'}) is None


def test_ascii_numbers_are_still_read():
    assert retry_after(" 7 ") == 7.0
    assert retry_after("9" * 5000) == float("inf")  # more than any wait we accept; int() would raise
    assert server_wait(429, {"ratelimit": '"default";r=0;t=12'}) == 12.0
    reset = server_wait(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 30)})
    assert reset is not None and 25 <= reset <= 30
    assert server_wait(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "9" * 5000}) == float("inf")


BAD_LENGTHS = {**NOT_ASCII_DIGITS, "negative": "-5", "exponent": "1e3", "decimal": "1.0", "empty": "",
               "two different": "12, 13", "sign": "+5"}


@pytest.mark.parametrize("value", BAD_LENGTHS.values(), ids=BAD_LENGTHS.keys())
def test_a_content_length_that_is_no_length_is_told_apart(value):
    assert not isinstance(content_length(value), int)
    assert content_length(value) is not None  # bad, not absent


def test_content_lengths():
    assert content_length(None) is None
    assert content_length(" 42 ") == 42
    assert content_length("42, 42") == 42  # a proxy's folded duplicates (RFC 9110 §8.6)
    assert content_length("0007") == 7
    assert content_length("9" * 5000) == 10**18  # over any cap; int() would refuse 4,300+ digits
