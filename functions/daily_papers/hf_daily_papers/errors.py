"""The project's error taxonomy.

Every failure the pipeline raises is one of these, with a message a person can act on.
Messages never contain a credential's value: a credential is named, never shown, and every
message passes through the mask (`redact`) when the error is made, so a token quoted by an
upstream answer, or a piece of one, cannot reach a log line or the Lambda's error output.
"""

from __future__ import annotations

from .redact import redact


class DailyPapersError(Exception):
    """Base class of every error this project raises on purpose. Its text arguments are masked."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(a) if isinstance(a, str) else a for a in args))


class BadInput(DailyPapersError, ValueError):
    """An event, CLI argument or setting is invalid. Nothing was written."""

    def __init__(self, field: str, value: object, problem: str) -> None:
        self.field = field
        self.value = value
        # A missing value is said in words: never `FIELD=None` (a user never typed "None").
        shown = f"{field} is not set" if value is None else f"{field}={_show(value)}"
        super().__init__(f"{shown}: {problem}")


class SettingsError(BadInput):
    """A setting (environment variable) is missing or invalid."""


class UpstreamUnavailable(DailyPapersError):
    """An upstream service kept failing (5xx, 429, timeouts) after bounded retries."""

    def __init__(self, service: str, what: str, detail: str, tries: int) -> None:
        self.service, self.tries = service, tries
        super().__init__(f"{service} unavailable: {what}: {detail} (after {tries} {'try' if tries == 1 else 'tries'})")


class UpstreamInvalid(DailyPapersError):
    """An upstream service answered something we cannot use."""

    def __init__(self, service: str, what: str, expected: str, got: str) -> None:
        self.service = service
        super().__init__(f"{service} answered nonsense for {what}: expected {expected}, got {got}")


class LocalFileError(DailyPapersError):
    """A local file could not be read (a permission, a folder in its place, an I/O error): the
    message says which file and what the system said, not that anyone "answered nonsense"."""

    def __init__(self, what: str, path: object, reason: str) -> None:
        self.path = path
        super().__init__(f"cannot read {what} {path}: {reason}")


class UpstreamRejected(DailyPapersError):
    """An upstream service refused the request permanently (4xx other than auth); no retry."""

    def __init__(self, service: str, what: str, status: int, detail: str) -> None:
        self.service, self.status = service, status
        super().__init__(f"{service} rejected {what}: HTTP {status}: {detail}")


class AuthError(DailyPapersError):
    """A credential was refused or lacks a permission. Names the credential, never its value."""

    def __init__(self, service: str, credential: str, detail: str) -> None:
        self.service, self.credential = service, credential
        super().__init__(f"{service} refused credential {credential}: {detail}")


class NoCredentials(AuthError):
    """No AWS credentials were found at all (not refused: there were none to refuse)."""

    def __init__(self, service: str, what: str, detail: str) -> None:
        self.service, self.credential = service, "AWS credentials"
        DailyPapersError.__init__(
            self,
            f"{service}: no AWS credentials for {what} ({detail}): in Lambda the function's role provides them; "
            "elsewhere set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)",
        )


class Conflict(DailyPapersError):
    """A concurrent writer kept winning the race after bounded re-reads. Nothing was committed
    by this run; running it again (when the other writer is done) completes it."""


def _show(value: object, limit: int = 300) -> str:  # long enough for a full path
    text = redact(repr(value))  # masked first, then cut: a token straddling the cut shows none of itself
    return text if len(text) <= limit else text[: limit - 3] + "..."
