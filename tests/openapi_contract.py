"""The GitHub REST contract: every request our code sends to the fake GitHub, checked against
GitHub's own OpenAPI description of the endpoints we may call.

`tests/fixtures/github/openapi-subset.json` is an exact copy of the subset of GitHub's official
description (github/rest-api-description, api.github.com.json, OpenAPI 3.0.3) for the five
operations the product calls: git/get-ref, git/get-tree, git/create-tree, git/create-commit,
git/update-ref (and the components they reference). Any other request is a violation.
openapi-core validates method, path, path and query parameters and the JSON body; unknown body
properties and unknown query parameters are violations too (the subset is exact).

GitHub marks `{ref}` and `{tree_sha}` `x-multi-segment: true`: they may hold `/`
(`git/ref/heads/feature/a`). openapi-core's stock matcher takes every template parameter as one
segment, so `GitHubPathFinder` matches those across segments.

Headers are not in the description (GitHub documents them in prose), so they are checked here
from GitHub's REST docs: `Accept: application/vnd.github+json`, `X-GitHub-Api-Version`, a
`User-Agent` (GitHub refuses requests without one), an `Authorization` token, and a JSON
`Content-Type` on requests with a body.

The fake's own answers (not scripted faults) are validated against the documented responses of
the operation too, so the fake stays faithful to what GitHub answers.

openapi-core (and werkzeug, jsonschema-path) are imported on first use, not at import: the
conftest imports this module, and most tests send nothing to GitHub.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema_path import SchemaPath
    from openapi_core import V30RequestValidator, V30ResponseValidator
    from openapi_core.templating.paths.datatypes import Path as OperationPath

SPEC_FILE = Path(__file__).resolve().parent / "fixtures" / "github" / "openapi-subset.json"
SERVER = "https://api.github.com"  # the description's server; the fake stands in for it
API_VERSION = "2022-11-28"
_METHODS = ("get", "put", "post", "patch", "delete", "head", "options")


@lru_cache(maxsize=1)
def spec_dict() -> dict[str, Any]:
    return json.loads(SPEC_FILE.read_text("utf-8"))


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not ref:
        return node
    target: Any = spec_dict()
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


def operation_parameters(pattern: str, method: str) -> list[dict[str, Any]]:
    item = spec_dict()["paths"][pattern]
    params = [_resolve(p) for p in item.get("parameters", [])]
    params += [_resolve(p) for p in item.get(method, {}).get("parameters", [])]
    return params


def multi_segment_names(pattern: str) -> set[str]:
    """Path parameters of this path that GitHub marks `x-multi-segment: true`."""
    item = spec_dict()["paths"][pattern]
    names = set()
    for method in _METHODS:
        if method in item:
            for param in operation_parameters(pattern, method):
                if param.get("in") == "path" and param.get("x-multi-segment"):
                    names.add(param["name"])
    return names


@cache
def path_regex(pattern: str) -> re.Pattern[str]:
    """A path template as a regex anchored at the end; multi-segment parameters may contain '/'."""
    multi = multi_segment_names(pattern)
    out, pos = [], 0
    for match in re.finditer(r"\{([^}]+)\}", pattern):
        out.append(re.escape(pattern[pos : match.start()]))
        name = match.group(1)
        out.append(f"(?P<{name}>.+)" if name in multi else f"(?P<{name}>[^/]+)")
        pos = match.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("".join(out) + "$")


class MultiSegmentPathsIterator:
    """openapi-core's `TemplatePathsIterator`, honouring GitHub's `x-multi-segment` extension."""

    def __init__(self, paths_part: str) -> None:
        self.paths_part = paths_part

    def __call__(self, name: str, spec: SchemaPath, base_url: str | None = None) -> Iterator[OperationPath]:
        from openapi_core.templating.datatypes import TemplateResult
        from openapi_core.templating.paths.datatypes import Path as OperationPath
        from openapi_core.templating.paths.exceptions import PathsNotFound

        paths = spec / self.paths_part
        if not paths.exists():
            raise PathsNotFound(paths.as_uri())
        found = []
        for pattern, path in list(paths.str_items()):
            match = path_regex(pattern).search(name)
            if match:
                found.append(OperationPath(path, TemplateResult(pattern, match.groupdict())))
        # Fewer variables: the more concrete path (as openapi-core orders them).
        yield from sorted(found, key=lambda p: len(p.path_result.variables or {}))


@cache
def path_finder_class() -> type:
    """openapi-core's path finder, with GitHub's multi-segment parameters."""
    from openapi_core.templating.paths.finders import APICallPathFinder

    return type("GitHubPathFinder", (APICallPathFinder,), {"paths_iterator": MultiSegmentPathsIterator("paths")})


class ContractRequest:
    """A request the fake received, in openapi-core's `Request` protocol, as if sent to api.github.com."""

    def __init__(self, request: Any) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self.host_url = SERVER
        self.path = request.path
        self.method = request.method.lower()
        self.body = request.body or None
        self.content_type = (request.headers.get("content-type") or "application/json").lower()
        self.parameters = RequestParameters(
            path={},
            query=ImmutableMultiDict([(k, v) for k, values in request.query.items() for v in values]),
            header=Headers(request.headers),
            cookie=ImmutableMultiDict(),
        )


class ContractResponse:
    def __init__(self, reply: Any) -> None:
        from werkzeug.datastructures import Headers

        data, content_type = reply.encoded()
        self.status_code = reply.status
        self.data = data
        self.content_type = (content_type or "application/json").lower()
        self.headers = Headers(reply.headers)


def find_operation(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """The path template (and its parameters) of a documented operation, or None."""
    for pattern, item in spec_dict()["paths"].items():
        match = path_regex(pattern).fullmatch(path)
        if match and method.lower() in item:
            return pattern, match.groupdict()
    return None


@lru_cache(maxsize=1)
def validators() -> tuple[V30RequestValidator, V30ResponseValidator]:
    """Built once per session. The description itself is checked once, by test_github_contract."""
    from jsonschema_path import SchemaPath
    from openapi_core import V30RequestValidator, V30ResponseValidator

    spec = SchemaPath.from_dict(spec_dict())
    finder = path_finder_class()
    return (
        V30RequestValidator(spec, path_finder_cls=finder, spec_validator_cls=None),
        V30ResponseValidator(spec, path_finder_cls=finder, spec_validator_cls=None),
    )


class GitHubContract:
    """Validates requests (and the fake's replies); collects violations, one readable line each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.violations: list[str] = []
        self.checked = 0  # requests validated

    # -- hooks for a FakeServer -------------------------------------------------------------
    def watch(self, server: Any) -> None:
        server.observers.append(self.observe)
        server.reply_observers.append(self.observe_reply)

    def observe(self, request: Any) -> None:
        problems = self.request_problems(request)
        with self._lock:
            self.checked += 1
            self.violations.extend(f"{request.method} {request.path}: {p}" for p in problems)

    def observe_reply(self, request: Any, reply: Any) -> None:
        problems = self.reply_problems(request, reply)
        with self._lock:
            self.violations.extend(f"{request.method} {request.path} → {reply.status}: {p}" for p in problems)

    def take(self) -> list[str]:
        """The violations so far, forgetting them (for tests that send bad requests on purpose)."""
        with self._lock:
            out, self.violations = self.violations, []
            return out

    # -- the checks --------------------------------------------------------------------------
    def request_problems(self, request: Any) -> list[str]:
        problems = [_describe(e) for e in validators()[0].iter_errors(ContractRequest(request))]
        found = find_operation(request.method, request.path)
        if found is None:
            return problems or ["not an operation of the GitHub subset we may call"]
        pattern, _ = found
        method = request.method.lower()
        declared = {p["name"] for p in operation_parameters(pattern, method) if p.get("in") == "query"}
        for name in sorted(set(request.query) - declared):
            problems.append(f"query parameter {name!r} is not documented for this operation")
        schema = spec_dict()["paths"][pattern][method].get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if schema and request.body:
            with contextlib.suppress(ValueError):  # reported by header_problems
                problems += unknown_properties(json.loads(request.body), schema)
        problems += header_problems(request)
        return problems

    def reply_problems(self, request: Any, reply: Any) -> list[str]:
        found = find_operation(request.method, request.path)
        if found is None:
            return []
        pattern, _ = found
        documented = spec_dict()["paths"][pattern][request.method.lower()]["responses"]
        if str(reply.status) not in documented:
            # GitHub answers 401 (bad credentials), rate-limit 403/429 and 502 (a request that
            # timed out, e.g. a create-tree too large to process) on every operation, and the
            # description does not list them; anything else undocumented is a fake bug.
            return [] if reply.status in (401, 403, 429, 502) else [f"status {reply.status} is not documented"]
        return [_describe(e) for e in validators()[1].iter_errors(ContractRequest(request), ContractResponse(reply))]


def unknown_properties(value: Any, schema: dict[str, Any], where: str = "") -> list[str]:
    """Body properties the description does not define (GitHub ignores or rejects them; either
    way, sending one is a bug). openapi-core can check this too, but rebuilds a validator class
    per call (~15 ms), so it is done here."""
    schema = _resolve(schema)
    problems = []
    if isinstance(value, dict) and schema.get("type") == "object" and "properties" in schema:
        props = schema["properties"]
        if schema.get("additionalProperties") in (None, False):
            problems += [f"{where or '(body)'}: property {k!r} is not in the description" for k in value if k not in props]
        for key, item in value.items():
            if key in props:
                problems += unknown_properties(item, props[key], f"{where}/{key}".lstrip("/"))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            problems += unknown_properties(item, schema["items"], f"{where}/{index}".lstrip("/"))
    return problems


def header_problems(request: Any) -> list[str]:
    h = request.headers
    problems = []
    if h.get("accept") != "application/vnd.github+json":
        problems.append(f"Accept is {h.get('accept')!r}, expected 'application/vnd.github+json'")
    if h.get("x-github-api-version") != API_VERSION:
        problems.append(f"X-GitHub-Api-Version is {h.get('x-github-api-version')!r}, expected {API_VERSION!r}")
    if not h.get("user-agent"):
        problems.append("no User-Agent (GitHub refuses requests without one)")
    if not re.fullmatch(r"(Bearer|token) \S+", h.get("authorization") or ""):
        problems.append("no 'Authorization: Bearer <token>'")
    if request.body:
        if not (h.get("content-type") or "").startswith("application/json"):
            problems.append(f"body sent as {h.get('content-type')!r}, expected application/json")
        try:
            json.loads(request.body)
        except ValueError:
            problems.append("body is not JSON")
    return problems


def _describe(exc: BaseException) -> str:
    """openapi-core's error with its schema errors (what field, what was wrong)."""
    parts = [f"{type(exc).__name__}: {exc}"]
    seen = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for schema_error in getattr(current, "schema_errors", None) or []:
            where = "/".join(str(p) for p in schema_error.absolute_path) or "(body)"
            parts.append(f"{where}: {schema_error.message}")
        for nested in (getattr(current, "errors", None) or []):
            if isinstance(nested, BaseException):
                stack.append(nested)
        if current.__cause__ is not None:
            stack.append(current.__cause__)
    return "; ".join(parts)
