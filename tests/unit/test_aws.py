"""One classification of AWS errors (issue 18 §5), and the one table of client settings.

`aws.classify` reads what botocore raised; the S3 archive, the token secret and the Bedrock
adapter each map its kinds to their own errors. Exceptions are botocore's own, built as botocore
builds them; no AWS call is made.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ReadTimeoutError,
    ResponseStreamingError,
)
from botocore.parsers import ResponseParserError

from hf_daily_papers import aws
from hf_daily_papers.archive import S3Archive
from hf_daily_papers.errors import AuthError, NoCredentials, UpstreamRejected, UpstreamUnavailable


def client_error(code: str | None, status: int, *, message: str = "", retried: int = 0,
                 operation: str = "GetObject") -> ClientError:
    error: dict[str, Any] = {"Message": message}
    if code is not None:
        error["Code"] = code
    response: Any = {"Error": error, "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": retried}}
    return ClientError(response, operation)


CODES = {
    # S3
    "NoSuchKey": (404, "missing"), "NoSuchBucket": (404, "config"), "AccessDenied": (403, "auth"),
    "InvalidAccessKeyId": (403, "auth"), "SignatureDoesNotMatch": (403, "auth"), "ExpiredToken": (400, "auth"),
    "SlowDown": (503, "transient"), "InternalError": (500, "transient"), "RequestTimeout": (400, "transient"),
    "PermanentRedirect": (301, "config"), "InvalidArgument": (400, "rejected"), "EntityTooLarge": (400, "rejected"),
    # Secrets Manager (and KMS behind it)
    "ResourceNotFoundException": (400, "missing"), "AccessDeniedException": (400, "auth"),
    "DecryptionFailure": (400, "auth"), "InvalidRequestException": (400, "config"),
    "InternalServiceError": (500, "transient"), "UnrecognizedClientException": (400, "auth"),
    "InvalidSignatureException": (400, "auth"), "ExpiredTokenException": (403, "auth"),
    # Bedrock runtime
    "ThrottlingException": (429, "transient"), "ModelNotReadyException": (429, "transient"),
    "ModelTimeoutException": (408, "transient"), "ServiceUnavailableException": (503, "transient"),
    "InternalServerException": (500, "transient"), "ModelStreamErrorException": (424, "transient"),
    "ValidationException": (400, "config"), "ServiceQuotaExceededException": (400, "config"),
    "ModelErrorException": (424, "rejected"),
}


@pytest.mark.parametrize("code", CODES, ids=CODES)
def test_an_answered_error_is_classified_by_its_code(code):
    status, kind = CODES[code]
    fault = aws.classify(client_error(code, status, message="details", retried=2))

    assert fault == aws.AwsFault(
        kind, code, status, f"An error occurred ({code}) when calling the GetObject operation: details", 3
    )


@pytest.mark.parametrize("status, kind", [(401, "auth"), (403, "auth"), (404, "missing"), (408, "transient"),
                                          (429, "transient"), (500, "transient"), (503, "transient"),
                                          (400, "rejected"), (409, "rejected"), (412, "rejected")])
def test_an_unknown_code_is_classified_by_its_status(status, kind):
    fault = aws.classify(client_error("SomethingNew", status))
    assert fault is not None and (fault.kind, fault.code, fault.status) == (kind, "SomethingNew", status)


def test_an_answer_without_a_code_is_named_by_its_status():
    fault = aws.classify(client_error(None, 404, operation="HeadObject"))  # S3's HEAD: no body, no code
    assert fault is not None and (fault.kind, fault.code) == ("missing", "404")


NO_ANSWER = {
    "no credentials": (NoCredentialsError(), "auth"),
    "partial credentials": (PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"), "auth"),
    "credentials not retrieved": (CredentialRetrievalError(provider="sso", error_msg="expired"), "auth"),
    "no region": (NoRegionError(), "config"),
    "bad parameter": (ParamValidationError(report="Invalid bucket name"), "config"),
    "cannot connect": (EndpointConnectionError(endpoint_url="https://s3.example"), "transient"),
    "connect timeout": (ConnectTimeoutError(endpoint_url="https://s3.example"), "transient"),
    "read timeout": (ReadTimeoutError(endpoint_url="https://s3.example"), "transient"),
    "body dropped": (ResponseStreamingError(error="Connection broken"), "transient"),
    "unreadable answer": (ResponseParserError("Unable to parse response"), "rejected"),
}


@pytest.mark.parametrize("exc, kind", NO_ANSWER.values(), ids=NO_ANSWER.keys())
def test_botocores_own_errors_are_classified_by_their_class(exc, kind):
    fault = aws.classify(exc, attempts=3)

    assert fault is not None
    assert (fault.kind, fault.code, fault.status) == (kind, type(exc).__name__, 0)
    assert fault.tries == (3 if kind == "transient" else 1)  # botocore retried only what is transient


@pytest.mark.parametrize("exc", [ValueError("x"), KeyError("Body"), TypeError("bug"), OSError("disk")])
def test_what_is_not_an_aws_error_is_not_classified(exc):
    assert aws.classify(exc) is None


def test_the_message_is_masked_first_and_cut():
    token = "ghp_" + "Q" * 36
    fault = aws.classify(client_error("ValidationException", 400, message="x" * 170 + f" echo {token} " + "y" * 400))
    assert fault is not None and len(fault.message) <= 200 and "QQQQ" not in fault.message


# -- the one table of client settings -----------------------------------------------------------

@pytest.mark.parametrize("service", ["s3", "secretsmanager", "bedrock-runtime"])
def test_each_client_gets_its_settings_from_the_one_table(service):
    settings = aws.CLIENTS[service]
    config = aws.client_config(service)

    assert config.retries == {"mode": "standard", "total_max_attempts": settings.tries}
    assert (config.connect_timeout, config.read_timeout) == (settings.connect_timeout, settings.read_timeout)
    assert aws.tries_per_call(SimpleNamespace(meta=SimpleNamespace(config=config))) == settings.tries


def test_the_worst_case_of_a_call_counts_every_try_and_botocores_longest_backoff():
    assert aws.ClientSettings(tries=3, connect_timeout=5, read_timeout=15).worst_case_seconds == 3 * 20 + 1 + 2
    assert aws.ClientSettings(tries=7, connect_timeout=1, read_timeout=1).worst_case_seconds == 14 + 1 + 2 + 4 + 8 + 16 + 20
    assert all(c.worst_case_seconds < 120 for c in aws.CLIENTS.values())  # a few inside a 900 s invocation


# -- the S3 archive's errors, through the classification ----------------------------------------

class StubS3:
    """A boto3 S3 client that raises `error` on every call (3 tries per call, as configured)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.meta = SimpleNamespace(config=aws.client_config("s3"))

    def get_object(self, **_: Any) -> Any:
        raise self.error

    def put_object(self, **_: Any) -> Any:
        raise self.error


KEY = "daily/2026/02/2026-02-25.json"
S3_ERRORS = {
    "missing key": (client_error("NoSuchKey", 404), None),
    "access denied": (client_error("AccessDenied", 403),
                      AuthError("S3", "the function's IAM role", f"AccessDenied on read {KEY} in b")),
    "no credentials": (NoCredentialsError(),
                       NoCredentials("S3", f"read {KEY} in b", "NoCredentialsError")),
    "slow down": (client_error("SlowDown", 503, retried=2), UpstreamUnavailable("S3", f"read {KEY} in b", "SlowDown", 3)),
    "no connection": (EndpointConnectionError(endpoint_url="https://s3"),
                      UpstreamUnavailable("S3", f"read {KEY} in b", "EndpointConnectionError", 3)),
    "no bucket": (client_error("NoSuchBucket", 404), UpstreamRejected(
        "S3", f"read {KEY} in b", 404, "NoSuchBucket: the bucket does not exist (check BUCKET_NAME)")),
    "bad request": (client_error("InvalidArgument", 400), UpstreamRejected("S3", f"read {KEY} in b", 400, "InvalidArgument")),
    "no region": (NoRegionError(), UpstreamRejected("S3", f"read {KEY} in b", 0,
                                                    "NoRegionError: You must specify a region.")),
}


@pytest.mark.parametrize("error, expected", S3_ERRORS.values(), ids=S3_ERRORS.keys())
def test_the_s3_archive_says_what_went_wrong(error, expected):
    archive = S3Archive(StubS3(error), "b")

    if expected is None:
        assert archive.get(KEY) is None
        return
    with pytest.raises(type(expected)) as caught:
        archive.get(KEY)
    assert str(caught.value) == str(expected)


def test_the_s3_archive_lets_a_bug_surface():
    with pytest.raises(KeyError, match="Body"):
        S3Archive(StubS3(KeyError("Body")), "b").put(KEY, b"{}")
