"""AWS plumbing: the botocore client settings, ONE classification of AWS errors, and secrets.

- `client_config(service)`: timeouts and retries of every boto3 client the function makes (S3,
  Secrets Manager, Bedrock), in the one table `CLIENTS`. botocore's retries (standard mode) are
  the only retry layer of an AWS call.
- `classify(exc)`: what an exception raised by a boto3 call means (`AwsFault`), for every adapter
  (the S3 archive, the token secret, Bedrock): `missing`, `auth`, `config`, `transient`,
  `rejected`; None for an exception that is not AWS's (a bug: let it surface).
- `SecretToken`: a token in Secrets Manager. Refused when it cannot be a token (whitespace,
  control characters, a JSON document); registered with the mask (`redact`) when read, so no
  error text or log line can show it. `hide_response_bodies` keeps botocore from logging a
  secret's value at DEBUG.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .errors import AuthError, NoCredentials, UpstreamRejected, UpstreamUnavailable
from .redact import register, register_refused, short, token_problem

if TYPE_CHECKING:
    from botocore.config import Config

# ---------------------------------------------------------------------------------------------
# Client settings: the one place an AWS call's timeouts and retries are set
# ---------------------------------------------------------------------------------------------

AwsService = Literal["s3", "secretsmanager", "bedrock-runtime"]

#: botocore standard mode: a retry waits a random time up to 2**(retry-1) s, at most 20 s.
BOTOCORE_MAX_BACKOFF = 20.0


@dataclass(frozen=True)
class ClientSettings:
    """One service's botocore settings: `tries` per call in all (botocore's `total_max_attempts`,
    standard retry mode), and the socket timeouts of each try."""

    tries: int
    connect_timeout: float
    read_timeout: float

    @property
    def worst_case_seconds(self) -> float:
        """The longest one call can take: every try times out, with the longest backoff between."""
        backoff = sum(min(2.0**n, BOTOCORE_MAX_BACKOFF) for n in range(self.tries - 1))
        return self.tries * (self.connect_timeout + self.read_timeout) + backoff


#: Per service. S3 and Secrets Manager answer in milliseconds: 3 tries of short timeouts (worst
#: case ~63 s a call). A Bedrock summary streams 400 output tokens in a few seconds; a stalled
#: answer is cut at 25 s, and throttling / a model still loading is retried by botocore (3 tries,
#: worst case ~87 s a call) -- the one retry layer of a summary.
CLIENTS: dict[AwsService, ClientSettings] = {
    "s3": ClientSettings(tries=3, connect_timeout=5.0, read_timeout=15.0),
    "secretsmanager": ClientSettings(tries=3, connect_timeout=5.0, read_timeout=15.0),
    "bedrock-runtime": ClientSettings(tries=3, connect_timeout=3.0, read_timeout=25.0),
}


def client_config(service: AwsService) -> Config:
    """The botocore `Config` of `service`'s client, from `CLIENTS`."""
    from botocore.config import Config

    settings = CLIENTS[service]
    return Config(
        retries={"mode": "standard", "total_max_attempts": settings.tries},
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
    )


def tries_per_call(client: Any) -> int:
    """How many tries `client` makes per call (botocore keeps `max_attempts`, the retries, as
    `total_max_attempts`, the tries); 1 if it cannot say."""
    try:
        retries = client.meta.config.retries
        return int(retries.get("total_max_attempts") or retries.get("max_attempts", 0) + 1)
    except (AttributeError, TypeError, ValueError):
        return 1


# ---------------------------------------------------------------------------------------------
# The classification
# ---------------------------------------------------------------------------------------------

FaultKind = Literal["missing", "auth", "config", "transient", "rejected"]


@dataclass(frozen=True)
class AwsFault:
    """What an AWS error means.

    kind:
      missing   -- the object asked for does not exist (S3 NoSuchKey, a 404, ResourceNotFoundException:
                   no such secret, no such model). Permanent; the caller decides (a missing archive
                   object is "never archived", a missing secret or model is a setting to fix).
      auth      -- no credentials, or they are refused / lack a permission (AccessDenied, expired,
                   a KMS key the role cannot use). Permanent until someone acts.
      config    -- the request cannot work as configured (no region, a bucket that does not exist,
                   an invalid parameter or model id, an account quota). Permanent until someone acts.
      transient -- throttling, 5xx, timeouts, a connection refused or dropped, a model still loading:
                   botocore has already retried it `tries` times in all; the service is unavailable.
      rejected  -- refused for good for this request only (any other 4xx, an answer botocore cannot
                   read, any other botocore error). Another request may well succeed.
    code:    the error code the service answered, else the exception's class name.
    status:  the HTTP status, 0 when there was no answer.
    message: the error text, passed through the mask (`redact.short`).
    tries:   tries made in all (botocore's RetryAttempts + 1, or the client's tries per call for
             a transient fault without an answer).
    """

    kind: FaultKind
    code: str
    status: int
    message: str
    tries: int


#: Error codes, whatever the service. Looked up before the HTTP status (NoSuchBucket is a 404
#: but no "missing" object: the setting names a bucket that does not exist).
CODES: dict[str, FaultKind] = {
    **dict.fromkeys((
        "NoSuchKey", "NoSuchVersion", "NotFound", "404",  # S3 (a HEAD's 404 has no code but "404")
        "ResourceNotFoundException",  # Secrets Manager: no such secret; Bedrock: no such model / profile
    ), "missing"),
    **dict.fromkeys((
        "AccessDenied", "AccessDeniedException", "403", "AllAccessDisabled", "AccountProblem",
        "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken",
        "ExpiredTokenException", "TokenRefreshRequired", "RequestExpired", "InvalidClientTokenId",
        "UnrecognizedClientException", "InvalidSignatureException", "MissingAuthenticationToken",
        "MissingAuthenticationTokenException", "NotAuthorized", "AuthFailure", "UnauthorizedOperation",
        "DecryptionFailure",  # Secrets Manager: KMS would not decrypt the secret for this role
        "KMSAccessDeniedException", "KMSDisabledException", "KMSInvalidStateException",
    ), "auth"),
    **dict.fromkeys((
        "NoSuchBucket", "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException",
        "InvalidBucketName", "InvalidRequestException",  # Secrets Manager: e.g. a secret marked for deletion
        "InvalidParameterException", "ValidationException",  # Bedrock: model id, inference profile, request
        "ServiceQuotaExceededException",  # Bedrock: the account's quota; someone raises it
    ), "config"),
    **dict.fromkeys((
        # botocore's throttling and transient codes (standard retry mode), and the services' 5xx names
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", "RequestTimeout",
        "RequestTimeoutException", "InternalError", "InternalFailure", "InternalServerError",
        "InternalServerException", "InternalServiceError", "ServiceUnavailable", "ServiceUnavailableException",
        "ModelNotReadyException", "ModelTimeoutException", "ModelStreamErrorException",
    ), "transient"),
}

#: botocore's own exceptions (raised without an answer), by class name along the MRO, most
#: specific first. Anything else from botocore is `rejected`.
_CLASSES: tuple[tuple[str, FaultKind], ...] = (
    # no credentials, or credentials that cannot be obtained
    ("NoCredentialsError", "auth"), ("PartialCredentialsError", "auth"), ("CredentialRetrievalError", "auth"),
    ("NoAuthTokenError", "auth"), ("TokenRetrievalError", "auth"), ("SSOError", "auth"),
    ("UnknownCredentialError", "auth"), ("RefreshWithMFAUnsupportedError", "auth"), ("LoginError", "auth"),
    # settings: region, parameters, endpoints, profiles, config files
    ("NoRegionError", "config"), ("ParamValidationError", "config"), ("ValidationError", "config"),
    ("BaseEndpointResolverError", "config"), ("EndpointProviderError", "config"),
    ("InvalidEndpointConfigurationError", "config"), ("InvalidConfigError", "config"),
    ("InvalidRetryConfigurationError", "config"), ("ProfileNotFound", "config"), ("ConfigNotFound", "config"),
    ("ConfigParseError", "config"), ("DataNotFoundError", "config"), ("InvalidDNSNameError", "config"),
    ("InvalidS3AddressingStyleError", "config"), ("UnsupportedS3ArnError", "config"),
    ("UnknownSignatureVersionError", "config"), ("UnsupportedSignatureVersionError", "config"),
    ("InvalidProxiesConfigError", "config"), ("ServiceNotInRegionError", "config"),
    ("MissingParametersError", "config"), ("UnknownClientMethodError", "config"),
    # no answer, or an answer cut short: botocore retried it
    ("ConnectionError", "transient"), ("HTTPClientError", "transient"), ("IncompleteReadError", "transient"),
    ("ChecksumError", "transient"), ("FlexibleChecksumError", "transient"),
    ("CapacityNotAvailableError", "transient"),  # botocore's retry quota ran out: the service kept failing
)


def classify(exc: BaseException, *, attempts: int = 1) -> AwsFault | None:
    """What `exc`, raised by a boto3 call, means; None if it is not an AWS / botocore error.

    `attempts`: the client's tries per call (`tries_per_call(client)`), reported as `tries` for
    a transient fault that carries no count of its own (no answer: botocore retried it)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and _from_botocore(exc):  # ClientError: the service answered
        error = response.get("Error") or {}
        meta = response.get("ResponseMetadata") or {}
        status = _int(meta.get("HTTPStatusCode"))
        code = str(error.get("Code") or status or type(exc).__name__)
        retried = meta.get("RetryAttempts")
        tries = retried + 1 if isinstance(retried, int) and retried >= 0 else 1
        return AwsFault(CODES.get(code) or _by_status(status), code, status, short(str(exc)), tries)
    if not _from_botocore(exc):
        return None
    names = [cls.__name__ for cls in type(exc).__mro__]
    kind: FaultKind = next((k for name, k in _CLASSES if name in names), "rejected")
    return AwsFault(kind, type(exc).__name__, 0, short(str(exc)), attempts if kind == "transient" else 1)


def _by_status(status: int) -> FaultKind:
    if status in (401, 403):
        return "auth"
    if status == 404:
        return "missing"
    if status in (408, 429) or status >= 500:
        return "transient"
    return "rejected"


def _from_botocore(exc: BaseException) -> bool:
    return any(cls.__module__.startswith("botocore") for cls in type(exc).__mro__)


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


# ---------------------------------------------------------------------------------------------
# Secrets
# ---------------------------------------------------------------------------------------------

class SecretToken:
    """The token in a Secrets Manager secret, read through Powertools Parameters.

    A run asks for it once (when it first needs it); Powertools caches it for `MAX_AGE`
    seconds, so warm invocations close together share one read. `refresh()` reads it again
    regardless of the cache: the GitHub publisher calls it once after a 401, so a rotated token
    is picked up without waiting for the cache to expire. Errors name the secret (its name or
    ARN), never the value; a value that cannot be a token (whitespace or control characters
    inside, a JSON document, binary) is refused before it is used anywhere.
    """

    MAX_AGE = 300
    SERVICE = "Secrets Manager"

    def __init__(self, secret_id: str) -> None:
        self.secret_id = secret_id
        self._provider: Any = None  # a Powertools SecretsProvider (its cache), made on first use

    def __call__(self) -> str:
        return self._read(force=False)

    def refresh(self) -> str:
        return self._read(force=True)

    def _read(self, *, force: bool) -> str:
        from aws_lambda_powertools.utilities import parameters

        name = f"secret {self.secret_id}"
        try:
            if self._provider is None:
                hide_response_bodies()
                import boto3

                # A client of boto3's default session, which the S3 client already built: the
                # endpoint data is loaded once (a session of its own costs ~70 ms more per cold start).
                client = boto3.client("secretsmanager", config=client_config("secretsmanager"))
                self._provider = parameters.SecretsProvider(boto3_client=client)
            value = self._provider.get(self.secret_id, max_age=self.MAX_AGE, force_fetch=force)
        except parameters.exceptions.GetParameterError as exc:
            # Powertools raises GetParameterError inside `except`: the SDK's error is the context.
            cause = exc.__cause__ or exc.__context__
            fault = classify(cause, attempts=CLIENTS["secretsmanager"].tries) if cause is not None else None
            if fault is None:
                raise  # not an AWS error: a bug, surfaced as it is (the handler masks its text)
            raise self._error(fault, name) from None
        return self._checked(value, name)

    def _error(self, fault: AwsFault, name: str) -> Exception:
        if fault.code in ("NoCredentialsError", "PartialCredentialsError"):  # none to refuse: say so
            return NoCredentials(self.SERVICE, f"read {name}", fault.code)
        if fault.kind == "transient":
            return UpstreamUnavailable(self.SERVICE, f"read {name}", fault.code, fault.tries)
        if fault.kind == "rejected":
            return UpstreamRejected(self.SERVICE, f"read {name}", fault.status, fault.code)
        return AuthError(self.SERVICE, name, f"cannot read it: {fault.code}")  # missing, auth, config

    def _checked(self, value: object, name: str) -> str:
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError:
                raise AuthError(self.SERVICE, name, "it holds binary data, not a text token") from None
        token = str(value or "").strip()  # a trailing line break (a secret made from a file) is no part of it
        if not token:
            raise AuthError(self.SERVICE, name, "it is empty")
        problem = token_problem(token)
        if problem:
            register_refused(token)
            raise AuthError(self.SERVICE, name, problem)
        register(token)
        return token


def _drop_response_body(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("Response body")


def hide_response_bodies() -> None:
    """botocore logs every response body at DEBUG, GetSecretValue's (the token) included; a root
    logger at DEBUG (e.g. Lambda's log level setting) would print it. Drop those records."""
    parsers = logging.getLogger("botocore.parsers")
    if _drop_response_body not in parsers.filters:
        parsers.addFilter(_drop_response_body)
