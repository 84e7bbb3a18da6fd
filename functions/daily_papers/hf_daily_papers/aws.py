"""AWS adapters' plumbing: the botocore client settings, and secrets read from Secrets Manager.

`SecretToken` serves the publishers and sources that need a token (GitHub, optionally Hugging
Face); `hide_response_bodies` keeps botocore from logging a secret's value at DEBUG.
"""

from __future__ import annotations

import logging
from typing import Any

from .errors import AuthError, NoCredentials, UpstreamUnavailable

#: botocore settings of the S3 and Secrets Manager clients: 3 tries, short timeouts. Worst case
#: per call: 3 * (5 + 15) s + standard-mode backoff (under 2 s for two retries) ~ 62 s.
AWS_TRIES, AWS_CONNECT_TIMEOUT, AWS_READ_TIMEOUT = 3, 5, 15


def client_config() -> Any:
    from botocore.config import Config

    return Config(retries={"mode": "standard", "max_attempts": AWS_TRIES},
                  connect_timeout=AWS_CONNECT_TIMEOUT, read_timeout=AWS_READ_TIMEOUT)


class SecretToken:
    """The token in a Secrets Manager secret, read through Powertools Parameters.

    A run asks for it once (when it first needs it); Powertools caches it for `MAX_AGE`
    seconds, so warm invocations close together share one read. `refresh()` reads it again
    regardless of the cache: the GitHub publisher calls it once after a 401, so a rotated token
    is picked up without waiting for the cache to expire. Errors name the secret, never the value.
    """

    MAX_AGE = 300
    #: Secrets Manager / KMS / IAM error codes that no retry will fix.
    PERMANENT = frozenset({
        "ResourceNotFoundException", "AccessDeniedException", "AccessDenied", "InvalidRequestException",
        "DecryptionFailure", "UnrecognizedClientException", "InvalidSignatureException",
        "ExpiredTokenException", "NoCredentialsError", "PartialCredentialsError",
    })

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
                client = boto3.client("secretsmanager", config=client_config())
                self._provider = parameters.SecretsProvider(boto3_client=client)
            value = self._provider.get(self.secret_id, max_age=self.MAX_AGE, force_fetch=force)
        except parameters.exceptions.GetParameterError as exc:
            # Powertools raises GetParameterError inside `except`: the SDK's error is the context.
            cause = exc.__cause__ or exc.__context__
            response = getattr(cause, "response", None) or {}
            code = response.get("Error", {}).get("Code") or (type(cause).__name__ if cause else "GetParameterError")
            if code in ("NoCredentialsError", "PartialCredentialsError"):  # none to refuse: say so
                raise NoCredentials("Secrets Manager", f"read {name}", code) from None
            if code in self.PERMANENT:
                raise AuthError("Secrets Manager", name, f"cannot read it: {code}") from None
            tries = response.get("ResponseMetadata", {}).get("RetryAttempts", AWS_TRIES - 1) + 1
            raise UpstreamUnavailable("Secrets Manager", f"read {name}", code, tries) from None
        token = value.decode() if isinstance(value, bytes) else str(value or "")
        token = token.strip()
        if not token:
            raise AuthError("Secrets Manager", name, "it is empty")
        return token


def _drop_response_body(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("Response body")


def hide_response_bodies() -> None:
    """botocore logs every response body at DEBUG, GetSecretValue's (the token) included; a root
    logger at DEBUG (e.g. Lambda's log level setting) would print it. Drop those records."""
    parsers = logging.getLogger("botocore.parsers")
    if _drop_response_body not in parsers.filters:
        parsers.addFilter(_drop_response_body)
