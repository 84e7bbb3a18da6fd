"""Publishing posts: to a GitHub repository in one commit (Git Data API), or into a folder.

Both take a set of files and answer, per path, `created`, `updated` or `unchanged`. A file
whose content is already there is not written; when nothing changed, no commit is made.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from .errors import AuthError, Conflict, DailyPapersError, UpstreamInvalid, UpstreamRejected, UpstreamUnavailable
from .httpclient import Http, json_bytes
from .redact import redact

SERVICE = "GitHub"
log = logging.getLogger("hf_daily_papers.publish")
#: GitHub's words when a ruleset or a branch protection refuses a ref update (409 or 422).
_RULE_REFUSAL = re.compile(r"rule violations? found|protected branch update failed", re.IGNORECASE)


@dataclass(frozen=True)
class Publication:
    """What one publish wrote: each path's status, and the commit it made (None: no commit)."""

    statuses: dict[str, str]  # path -> created | updated | unchanged
    commit_sha: str | None = None


class Token(Protocol):
    """The publisher's credential: read when first needed, and read again past any cache after a 401
    (a rotated secret is picked up without waiting)."""

    def __call__(self) -> str: ...

    def refresh(self) -> str: ...


class FixedToken:
    """A token given as it is (BLOG_TOKEN): reading it again gives the same."""

    def __init__(self, value: Callable[[], str]) -> None:
        self._value = value

    def __call__(self) -> str:
        return self._value()

    def refresh(self) -> str:
        return self._value()


def git_blob_sha(content: bytes) -> str:
    """The sha Git gives a blob with this content (what GitHub shows in a tree)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


class FolderPublisher:
    """Writes posts under a local folder (a checkout of the blog, or any directory)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.where = str(self.root)

    def publish(self, files: Mapping[str, str], message: str) -> Publication:
        statuses: dict[str, str] = {}
        for path, text in files.items():
            target = self.root / path
            data = text.encode("utf-8")
            if target.exists():
                if target.read_bytes() == data:
                    statuses[path] = "unchanged"
                    continue
                statuses[path] = "updated"
            else:
                statuses[path] = "created"
            target.parent.mkdir(parents=True, exist_ok=True)
            write_whole(target, data)
        return Publication(statuses)


def write_whole(target: Path, data: bytes) -> None:
    """`data` into `target`, whole or not at all: written to a temporary file beside it, then
    renamed over it. The temporary file's name starts with `.` (`.<name>.<random>.tmp`), which
    Jekyll never builds, and it is removed whatever fails (a full disk, a permission, Ctrl-C):
    no fragment of a post is ever left in `_posts/` to be published."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the usual mode: 0o666 less the umask
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@dataclass
class _Head:
    commit_sha: str
    tree_sha: str
    blobs: dict[str, str] = field(default_factory=dict)  # path -> blob sha, for the paths we care about


class GitHubPublisher:
    """One commit for any number of files: read ref → read tree → create tree(s) → commit → move ref.

    The commit's tree is built in chunks: real GitHub times out (502) on a create-tree request
    that is too large ("Consider building the tree incrementally"; reported from ~200 files), so
    each `POST /git/trees` carries at most `tree_max_entries` files and `tree_max_bytes` of JSON
    body, on top of the previous chunk's tree (`base_tree`). The commit points at the last one.
    For N changed files: 2 reads (+ one read per folder level when the recursive tree comes back
    truncated), ⌈chunks⌉ create-tree requests, 1 commit, 1 ref move. A daily post costs 2 reads
    when unchanged and 5 requests when it changes.

    The ref is moved with `force: false`; if another writer moved it first (409, or 422 "not a
    fast forward"), everything is re-read and every chunk rebuilt on the new head, up to
    `max_attempts` times, so concurrent runs end with one correct post. A 409/422 that says a
    repository rule refused the update ("Repository rule violations found": a ruleset, or
    "Protected branch update failed": branch protection) is permanent and fails at once. Trees and commits made
    by a lost race are unreferenced objects: nothing is published until the ref moves. Any other
    4xx fails at once: 401 (after one fresh read of the token, in case it was rotated) and 403 as
    `AuthError`, 404/422 as `UpstreamRejected`.
    """

    def __init__(
        self,
        http: Http,
        api_url: str,
        repository: str,
        branch: str,
        token: Token,
        *,
        max_attempts: int = 5,
        token_name: str = "BLOG_TOKEN",
        tree_max_entries: int = 100,
        tree_max_bytes: int = 1_000_000,
    ) -> None:
        if tree_max_entries < 1 or tree_max_bytes < 1:
            raise ValueError(f"tree limits must be positive, got {tree_max_entries} entries and {tree_max_bytes} bytes")
        self._http = http
        self._repo_url = f"{api_url.rstrip('/')}/repos/{repository}"
        self.repository = repository
        self.branch = branch
        self._token = token
        self._token_name = token_name
        self.max_attempts = max_attempts
        self.tree_max_entries = tree_max_entries
        self.tree_max_bytes = tree_max_bytes
        self.where = f"github.com/{repository}@{branch}"

    def publish(self, files: Mapping[str, str], message: str) -> Publication:
        headers = self._headers()
        try:
            return self._publish(files, message, headers)
        except DailyPapersError as exc:
            # Errors quote what GitHub answered; should an upstream (or a proxy) echo the token
            # back (or a piece of it), it must not reach a log or the Lambda's error output. A
            # token read from its secret is masked already; this one may come from anywhere.
            token = headers.get("Authorization", "").partition(" ")[2]
            if token:
                exc.args = tuple(redact(a, [token]) if isinstance(a, str) else a for a in exc.args)
            raise

    def _publish(self, files: Mapping[str, str], message: str, headers: dict[str, str]) -> Publication:
        # Only the blob shas are kept across attempts: a UTF-8 copy of every post, held for the
        # whole publish, would double what a year's backfill keeps in memory.
        wanted = {path: git_blob_sha(text.encode("utf-8")) for path, text in files.items()}
        for attempt in range(1, self.max_attempts + 1):
            head = self._read_head(headers, wanted.keys())
            statuses = {
                path: "unchanged" if head.blobs.get(path) == sha else ("updated" if path in head.blobs else "created")
                for path, sha in wanted.items()
            }
            changed = [path for path, status in statuses.items() if status != "unchanged"]
            if not changed:
                return Publication(statuses)
            tree_sha = self._build_tree(head.tree_sha, [_tree_entry(p, files[p]) for p in changed], headers)
            commit = self._call(
                "POST",
                "/git/commits",
                "create commit",
                headers,
                {"message": message, "tree": tree_sha, "parents": [head.commit_sha]},
                expect=201,
            )
            commit_sha = _sha(commit, "commit")
            moved = self._call(
                "PATCH",
                f"/git/refs/heads/{quote(self.branch, safe='/')}",
                f"move {self.branch}",
                headers,
                {"sha": commit_sha, "force": False},
                expect=200,
                races=(409, 422),
            )
            if moved is not None:
                return Publication(statuses, commit_sha)
            log.warning(
                "GitHub: %s@%s moved under us (another writer); re-reading, attempt %d of %d",
                self.repository, self.branch, attempt + 1, self.max_attempts,
            )
        raise Conflict(
            f"GitHub: {self.repository}@{self.branch} kept moving under us; "
            f"gave up after {self.max_attempts} attempts (nothing committed by this run)"
        )

    def _build_tree(self, base_tree: str, entries: list[dict[str, str]], headers: dict[str, str]) -> str:
        """Create the tree `base_tree` + `entries`, a chunk per request; the last tree's sha."""
        chunks = self._chunks(base_tree, entries)
        for number, chunk in enumerate(chunks, 1):
            what = "create tree" if len(chunks) == 1 else f"create tree (part {number} of {len(chunks)})"
            tree = self._call("POST", "/git/trees", what, headers, {"base_tree": base_tree, "tree": chunk}, expect=201)
            base_tree = _sha(tree, "tree")
        return base_tree

    def _chunks(self, base_tree: str, entries: list[dict[str, str]]) -> list[list[dict[str, str]]]:
        """Entries in order, cut so that no request exceeds the entry or byte limit.

        A request's body is `{"base_tree": "<sha>", "tree": [e1, e2, …]}`, sized exactly as the
        HTTP client encodes it (`json_bytes`): the empty body, each entry, and ", " between
        entries. Every chunk's `base_tree` has the same length (the repository's hash). A single
        entry larger than the byte limit on its own still goes, alone in its chunk: splitting a
        file is impossible, and GitHub's real limit is a timeout, not a hard size.
        """
        empty = len(json_bytes({"base_tree": base_tree, "tree": []}))
        chunks: list[list[dict[str, str]]] = []
        chunk: list[dict[str, str]] = []
        size = empty
        for entry in entries:
            entry_size = len(json_bytes(entry))  # transient: one post's bytes at a time
            grown = size + entry_size + (2 if chunk else 0)
            if chunk and (len(chunk) >= self.tree_max_entries or grown > self.tree_max_bytes):
                chunks.append(chunk)
                chunk, grown = [], empty + entry_size
            chunk.append(entry)
            size = grown
        if chunk:
            chunks.append(chunk)
        return chunks

    def _headers(self) -> dict[str, str]:
        return {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "Authorization": f"Bearer {self._token()}",
        }

    def _read_head(self, headers: dict[str, str], paths: Iterable[str]) -> _Head:
        ref = self._call("GET", f"/git/ref/heads/{quote(self.branch, safe='/')}", f"read branch {self.branch}", headers)
        obj = ref.get("object") if isinstance(ref, dict) else None
        commit_sha = _sha(obj, f"branch {self.branch}")
        tree = self._call(
            "GET", f"/git/trees/{commit_sha}?recursive=1", f"read tree of {commit_sha[:12]}", headers
        )
        head = _Head(commit_sha, _sha(tree, "tree"))
        entries = tree.get("tree")
        if not isinstance(entries, list):
            raise UpstreamInvalid(SERVICE, "read tree", "a tree list", type(entries).__name__)
        wanted = set(paths)
        for entry in entries:
            if isinstance(entry, dict) and entry.get("path") in wanted and entry.get("type") == "blob":
                head.blobs[entry["path"]] = _blob_sha(entry)
        if tree.get("truncated"):
            self._walk(head, headers, wanted - head.blobs.keys())
        return head

    def _walk(self, head: _Head, headers: dict[str, str], paths: set[str]) -> None:
        """A truncated recursive tree: look the wanted folders up one level at a time."""
        listings: dict[str, dict[str, dict[str, Any]]] = {}

        def listing(folder: str) -> dict[str, dict[str, Any]]:
            if folder not in listings:
                if not folder:
                    sha = head.tree_sha
                else:
                    parent, _, name = folder.rpartition("/")
                    entry = listing(parent).get(name)
                    if not entry or entry.get("type") != "tree":
                        listings[folder] = {}
                        return listings[folder]
                    sha = _sha(entry, f"tree {folder}")
                data = self._call("GET", f"/git/trees/{sha}", f"read tree {folder or '/'}", headers)
                found = data.get("tree") if isinstance(data, dict) else None
                if not isinstance(found, list):
                    raise UpstreamInvalid(SERVICE, f"read tree {folder or '/'}", "a tree list", type(found).__name__)
                listings[folder] = {
                    e["path"]: e for e in found if isinstance(e, dict) and isinstance(e.get("path"), str)
                }
            return listings[folder]

        for path in paths:
            folder, _, name = path.rpartition("/")
            entry = listing(folder).get(name)
            if entry and entry.get("type") == "blob":
                head.blobs[path] = _blob_sha(entry)

    def _call(
        self,
        method: str,
        path: str,
        what: str,
        headers: dict[str, str],
        body: Any = None,
        *,
        expect: int = 200,
        races: tuple[int, ...] = (),
    ) -> Any:
        response = self._http.request(method, self._repo_url + path, what=what, headers=headers, json_body=body)
        if response.status == 401 and self._fresh_token(headers):
            response = self._http.request(method, self._repo_url + path, what=what, headers=headers, json_body=body)
        if response.status == expect:
            return response.json(SERVICE, what)
        detail = _message(response.body)
        if response.status in (409, 422) and _RULE_REFUSAL.search(detail):
            # Permanent: re-reading the branch and trying again gets the same answer.
            raise UpstreamRejected(
                SERVICE, what, response.status,
                f"{detail} (a rule of {self.repository} refused the push to {self.branch}: nothing was "
                f"committed; let this token bypass the rule, or publish to a branch the rule does not cover)",
            )
        if response.status in races and (response.status == 409 or "fast forward" in detail.lower()):
            return None
        if response.status == 401:
            raise AuthError(SERVICE, self._token_name, f"{what}: HTTP 401 {detail}")
        if response.status == 403 and "rate limit" in detail.lower():
            # A secondary rate limit without retry-after/x-ratelimit-*: GitHub says wait a minute or more.
            detail = f"HTTP 403 {detail} (rate limited; wait at least a minute)"
            raise UpstreamUnavailable(SERVICE, what, detail, response.tries)
        if response.status == 403:
            raise AuthError(
                SERVICE, self._token_name,
                f"{what}: HTTP 403 {detail} (needs Contents: read and write on {self.repository})",
            )
        if response.status == 404:
            detail = f"{detail} (does {self.repository} exist, with branch {self.branch}, visible to the token?)"
        raise UpstreamRejected(SERVICE, what, response.status, detail)

    def _fresh_token(self, headers: dict[str, str]) -> bool:
        """After a 401: read the token again, past any cache; True if it changed (then retry once)."""
        token = self._token.refresh()
        if headers.get("Authorization") == f"Bearer {token}":
            return False
        log.warning(
            "GitHub: %s was refused (401) and has changed since it was read; retrying with the new one",
            self._token_name,
        )
        headers["Authorization"] = f"Bearer {token}"
        return True


def _tree_entry(path: str, content: str) -> dict[str, str]:
    """A file of a create-tree request, its content inline (GitHub stores the blob)."""
    return {"path": path, "mode": "100644", "type": "blob", "content": content}


def _blob_sha(entry: dict[str, Any]) -> str:
    """A tree entry's blob sha; "" (matching no content, so the file counts as existing and
    different) if GitHub left it out."""
    sha = entry.get("sha")
    return sha if isinstance(sha, str) else ""


def _sha(obj: Any, what: str) -> str:
    sha = obj.get("sha") if isinstance(obj, dict) else None
    if not isinstance(sha, str) or len(sha) not in (40, 64) or not all(c in "0123456789abcdef" for c in sha):
        raise UpstreamInvalid(SERVICE, what, "an object with a hex sha", repr(obj)[:80])
    return sha


def _message(body: bytes) -> str:
    """GitHub's error `message`, with its validation `errors` (resource.field code) if any."""
    # Masked FIRST, then cut: a token echoed back across the cut shows none of itself.
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return redact(" ".join(body[:4096].decode("utf-8", "replace").split()))[:120]
    if not isinstance(data, dict):
        return ""
    message = redact(" ".join(str(data.get("message", "")).split()))[:200]
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        parts = []
        for error in errors[:3]:
            if isinstance(error, dict):
                where = ".".join(str(error[k]) for k in ("resource", "field") if error.get(k))
                parts.append(" ".join(p for p in (where, str(error.get("code") or error.get("message") or "")) if p))
            elif isinstance(error, str):
                parts.append(error[:80])
        message += f" ({'; '.join(parts)})"
    return message
