"""One frozen settings object, built once from the environment.

Only this module (and the adapters: handler, CLI) reads environment variables; domain code
receives the values it needs.

The blog's settings are `BLOG_*` (`BLOG_REPOSITORY`, `BLOG_BRANCH`, `BLOG_TOKEN`,
`BLOG_TOKEN_SECRET`, `BLOG_API_URL`), never `GITHUB_*`: GitHub Actions sets `GITHUB_REPOSITORY`,
`GITHUB_TOKEN` and `GITHUB_API_URL` in every job, to the workflow's own repository, job token and
API, so a run in a workflow would publish there. Those names are not read at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import AuthError, SettingsError
from .redact import register, register_refused, token_problem
from .render import LINK_KINDS

# GitHub's account names: 1-39 letters, digits or hyphens, no hyphen first or last.
_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?")
# GitHub's repository names: 1-100 letters, digits, `.`, `_`, `-` (`.` and `..` are not names).
_REPO_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
# What `git check-ref-format` refuses anywhere in a ref: control characters, space, ~ ^ : ? * [ \,
# and the sequences `..`, `@{`, `//`.
_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//")
# A Bedrock model id, inference-profile id or ARN (it becomes a path segment of the Converse URL).
_MODEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,2047}")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
#: The languages summaries can be written in (summary_check.LANGUAGES has their scripts).
SUMMARY_LANGUAGES = ("ko", "en", "ja", "zh")


class Secret:
    """A value that must never be printed: str() and repr() hide it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    hf_endpoint: str = "https://huggingface.co"
    github_api_url: str = "https://api.github.com"
    github_repository: str | None = None
    github_branch: str = "main"
    github_token_secret: str | None = None
    github_token: Secret | None = field(default=None, repr=False)
    bucket_name: str | None = None
    post_author: str | None = None
    top_n: int = 10
    refresh_days: int = 0
    fetch_concurrency: int = 4
    hf_max_rps: float = 1.0  # HF requests per second at most (anonymous quota: 500 per 5 min); 0 = unpaced
    hf_token: Secret | None = field(default=None, repr=False)  # HF_TOKEN (local use)
    hf_token_secret: str | None = None  # HF_TOKEN_SECRET: Secrets Manager secret id of the HF token
    github_tree_max_entries: int = 100  # entries per create-tree request (a commit's tree is built in chunks)
    github_tree_max_bytes: int = 1_000_000  # JSON body bytes per create-tree request
    summary_model: str | None = None  # SUMMARY_MODEL: Bedrock model / inference profile id or ARN; None = off
    summary_language: str = "ko"  # SUMMARY_LANGUAGE: the language of the summaries (SUMMARY_LANGUAGES)
    post_image: bool = False  # POST_IMAGE: front matter image: of the top paper
    post_links: tuple[str, ...] = ()  # POST_LINKS: subset of ("code", "project"), in that order
    post_permalink: bool = True  # POST_PERMALINK: front matter permalink: /posts/<slug>-<date>/ (off = seed format)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        def get(name: str) -> str | None:
            value = env.get(name)
            if value is None:
                return None
            value = value.strip()
            return value or None

        settings = cls(
            hf_endpoint=_url("HF_ENDPOINT", get("HF_ENDPOINT") or cls.hf_endpoint),
            github_api_url=_url("BLOG_API_URL", get("BLOG_API_URL") or cls.github_api_url),
            github_repository=get("BLOG_REPOSITORY"),
            github_branch=get("BLOG_BRANCH") or cls.github_branch,
            github_token_secret=get("BLOG_TOKEN_SECRET"),
            github_token=_secret("BLOG_TOKEN", get("BLOG_TOKEN")),
            bucket_name=get("BUCKET_NAME"),
            post_author=get("POST_AUTHOR"),
            top_n=_int("TOP_N", get("TOP_N"), cls.top_n, low=0, high=1000),
            refresh_days=_int("REFRESH_DAYS", get("REFRESH_DAYS"), cls.refresh_days, low=0, high=31),
            fetch_concurrency=_int(
                "FETCH_CONCURRENCY", get("FETCH_CONCURRENCY"), cls.fetch_concurrency, low=1, high=8
            ),
            hf_max_rps=_rate("HF_MAX_RPS", get("HF_MAX_RPS"), cls.hf_max_rps),
            hf_token=_secret("HF_TOKEN", get("HF_TOKEN")),
            hf_token_secret=get("HF_TOKEN_SECRET"),
            github_tree_max_entries=_int(
                "GITHUB_TREE_MAX_ENTRIES", get("GITHUB_TREE_MAX_ENTRIES"), cls.github_tree_max_entries,
                low=1, high=10_000,
            ),
            github_tree_max_bytes=_int(
                "GITHUB_TREE_MAX_BYTES", get("GITHUB_TREE_MAX_BYTES"), cls.github_tree_max_bytes,
                low=10_000, high=100_000_000,
            ),
            summary_model=get("SUMMARY_MODEL"),
            summary_language=get("SUMMARY_LANGUAGE") or cls.summary_language,
            post_image=_flag("POST_IMAGE", get("POST_IMAGE")),
            post_links=_links("POST_LINKS", get("POST_LINKS")),
            post_permalink=_flag("POST_PERMALINK", get("POST_PERMALINK"), default=cls.post_permalink),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.github_repository is not None:
            problem = repository_problem(self.github_repository)
            if problem:
                raise SettingsError("BLOG_REPOSITORY", self.github_repository, problem)
        problem = branch_problem(self.github_branch)
        if problem:
            raise SettingsError("BLOG_BRANCH", self.github_branch, f"not a valid branch name: {problem}")
        if self.summary_model is not None and not _MODEL.fullmatch(self.summary_model):
            raise SettingsError(
                "SUMMARY_MODEL", self.summary_model, "expected a Bedrock model id, inference profile id or ARN"
            )
        if self.summary_language not in SUMMARY_LANGUAGES:
            raise SettingsError("SUMMARY_LANGUAGE", self.summary_language,
                                f"expected one of {', '.join(SUMMARY_LANGUAGES)}")
        if self.bucket_name is not None and not _BUCKET.fullmatch(self.bucket_name):
            raise SettingsError("BUCKET_NAME", self.bucket_name, "not a valid S3 bucket name")
        if self.post_author is not None and not re.fullmatch(r"[A-Za-z0-9_.-]+", self.post_author):
            raise SettingsError(
                "POST_AUTHOR", self.post_author, "expected an author id (letters, digits, _ . -)"
            )

    def require_s3(self) -> str:
        if not self.bucket_name:
            raise SettingsError("BUCKET_NAME", None, "required to archive to S3")
        return self.bucket_name

    def require_github(self) -> str:
        if not self.github_repository:
            raise SettingsError("BLOG_REPOSITORY", None, "required to publish to GitHub (owner/name)")
        if not self.github_token_secret and not self.github_token:
            raise SettingsError(
                "BLOG_TOKEN_SECRET", None, "required to publish to GitHub (or BLOG_TOKEN locally)"
            )
        return self.github_repository


def repository_problem(value: str) -> str | None:
    """Why `value` is not a GitHub `owner/name` (None if it is one). Checked before any request:
    the name becomes part of every API path, so `..` or `.` must never reach a URL."""
    owner, slash, name = value.partition("/")
    if not slash or "/" in name:
        return "expected owner/name"
    if not _OWNER.fullmatch(owner):
        return f"owner {owner!r} is not a GitHub account name (1-39 letters, digits, hyphens; no hyphen first or last)"
    if name in (".", "..") or not _REPO_NAME.fullmatch(name):
        return f"name {name!r} is not a GitHub repository name (1-100 letters, digits, '.', '_', '-'; not '.' or '..')"
    return None


def branch_problem(value: str) -> str | None:
    """Why `value` is not a branch name by `git check-ref-format --branch` (None if it is one)."""
    if not value:
        return "empty"
    bad = _REF_FORBIDDEN.search(value)
    if bad:
        return f"contains {bad.group()!r}"
    if value in ("@", "HEAD"):
        return f"{value!r} is reserved"
    if value.startswith("-"):
        return "starts with '-'"
    if value.startswith("/") or value.endswith("/"):
        return "starts or ends with '/'"
    if value.endswith("."):
        return "ends with '.'"
    for part in value.split("/"):
        if part.startswith("."):
            return f"component {part!r} starts with '.'"
        if part.endswith(".lock"):
            return f"component {part!r} ends with '.lock'"
    return None


def _url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(name, value, "expected an http(s) URL without query")
    if parts.username or parts.password:
        raise SettingsError(name, f"{parts.scheme}://***@{parts.hostname}", "credentials in URLs are not allowed")
    return value.rstrip("/")


def _int(name: str, raw: str | None, default: int, *, low: int, high: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(name, raw, "expected a whole number") from None
    if not low <= value <= high:
        raise SettingsError(name, raw, f"expected {low}..{high}")
    return value


def _secret(name: str, raw: str | None) -> Secret | None:
    """A token setting: refused (naming the variable, never the value) if it cannot be a token,
    and registered with the mask, so no error text or log line can show it."""
    if not raw:
        return None
    problem = token_problem(raw)
    if problem:
        register_refused(raw)
        raise AuthError("settings", name, problem)
    register(raw)
    return Secret(raw)


def _flag(name: str, raw: str | None, *, default: bool = False) -> bool:
    """true/false (also 1/0, yes/no, on/off, any case); unset = `default`."""
    if raw is None:
        return default
    value = raw.lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise SettingsError(name, raw, "expected true or false")




def _links(name: str, raw: str | None) -> tuple[str, ...]:
    """A comma list of link kinds (code, project); returned in the post's order."""
    if raw is None:
        return ()
    kinds = {part.strip().lower() for part in raw.split(",") if part.strip()}
    unknown = kinds - set(LINK_KINDS)
    if unknown:
        raise SettingsError(name, raw, f"expected a comma list of {', '.join(LINK_KINDS)}")
    return tuple(kind for kind in LINK_KINDS if kind in kinds)


#: Requests per second a rate setting accepts, besides 0 (no limit): below 0.1 a request would
#: wait over 10 s for its slot (at 0.0001, 10,000 s: the Lambda is killed first; at 1e-300
#: `time.sleep` overflows); above 100 pacing no longer paces anything.
RATE_MIN, RATE_MAX = 0.1, 100.0
_RATE_RANGE = f"expected 0 (no limit) or {RATE_MIN:g}..{RATE_MAX:g} requests per second"


def _rate(name: str, raw: str | None, default: float) -> float:
    """Requests per second: 0 (no limit), or a number from RATE_MIN to RATE_MAX."""
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(name, raw, _RATE_RANGE) from None
    if value != 0 and not RATE_MIN <= value <= RATE_MAX:  # also refuses nan, inf, -0.5
        raise SettingsError(name, raw, _RATE_RANGE)
    return value
