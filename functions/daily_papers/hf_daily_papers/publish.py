"""Publishing posts: to a GitHub repository in one commit (Git Data API), or into a folder.

Both take a set of files and answer, per path, `created`, `updated` or `unchanged`. A file
whose content is already there is not written; when nothing changed, no commit is made.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol
from urllib.parse import quote

from .errors import AuthError, Conflict, DailyPapersError, UpstreamInvalid, UpstreamRejected, UpstreamUnavailable
from .httpclient import HttpClient

SERVICE = "GitHub"
log = logging.getLogger("hf_daily_papers.publish")


@dataclass(frozen=True)
class Publication:
    statuses: dict[str, str]  # path -> created | updated | unchanged
    commit_sha: str | None = None
    attempts: int = 1

    @property
    def changed(self) -> list[str]:
        return [p for p, s in self.statuses.items() if s != "unchanged"]


class Publisher(Protocol):
    where: str

    def publish(self, files: Mapping[str, str], message: str) -> Publication: ...


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
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
        return Publication(statuses)


@dataclass
class _Head:
    commit_sha: str
    tree_sha: str
    blobs: dict[str, str] = field(default_factory=dict)  # path -> blob sha, for the paths we care about


class GitHubPublisher:
    """One commit for any number of files: read ref → read tree → create tree → commit → move ref.

    A daily post costs 2 reads when unchanged and 5 requests when it changes. The ref is moved
    with `force: false`; if another writer moved it first (409, or 422 "not a fast forward"),
    everything is re-read and retried, up to `max_attempts` times, so concurrent runs end with
    one correct post. Any other 4xx fails at once: 401 (after one fresh read of the token, in case
    it was rotated) and 403 as `AuthError`, 404/422 as `UpstreamRejected`.
    """

    def __init__(
        self,
        http: HttpClient,
        api_url: str,
        repository: str,
        branch: str,
        token: Callable[[], str],
        *,
        max_attempts: int = 5,
        token_name: str = "GITHUB_TOKEN",
    ) -> None:
        self._http = http
        self._repo_url = f"{api_url.rstrip('/')}/repos/{repository}"
        self.repository = repository
        self.branch = branch
        self._token = token
        self._token_name = token_name
        self.max_attempts = max_attempts
        self.where = f"github.com/{repository}@{branch}"
        self.commits: list[str] = []  # every commit this publisher moved the branch to (for failure logs)

    def publish(self, files: Mapping[str, str], message: str) -> Publication:
        headers = self._headers()
        try:
            return self._publish(files, message, headers)
        except DailyPapersError as exc:
            # Errors quote what GitHub answered; should an upstream (or a proxy) echo the token
            # back, it must not reach a log or the Lambda's error output.
            token = headers.get("Authorization", "").partition(" ")[2]
            if token and token in str(exc):
                exc.args = (str(exc).replace(token, "***"),)
            raise

    def _publish(self, files: Mapping[str, str], message: str, headers: dict[str, str]) -> Publication:
        wanted = {path: git_blob_sha(text.encode("utf-8")) for path, text in files.items()}
        for attempt in range(1, self.max_attempts + 1):
            head = self._read_head(headers, wanted.keys())
            statuses = {
                path: "unchanged" if head.blobs.get(path) == sha else ("updated" if path in head.blobs else "created")
                for path, sha in wanted.items()
            }
            changed = [path for path, status in statuses.items() if status != "unchanged"]
            if not changed:
                return Publication(statuses, None, attempt)
            tree = self._call(
                "POST",
                "/git/trees",
                "create tree",
                headers,
                {
                    "base_tree": head.tree_sha,
                    "tree": [
                        {"path": p, "mode": "100644", "type": "blob", "content": files[p]} for p in changed
                    ],
                },
                expect=201,
            )
            commit = self._call(
                "POST",
                "/git/commits",
                "create commit",
                headers,
                {"message": message, "tree": _sha(tree, "tree"), "parents": [head.commit_sha]},
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
                self.commits.append(commit_sha)
                return Publication(statuses, commit_sha, attempt)
            log.warning(
                "GitHub: %s@%s moved under us (another writer); re-reading, attempt %d of %d",
                self.repository, self.branch, attempt + 1, self.max_attempts,
            )
        raise Conflict(
            f"GitHub: {self.repository}@{self.branch} kept moving under us; "
            f"gave up after {self.max_attempts} attempts (nothing committed by this run)"
        )

    def _headers(self) -> dict[str, str]:
        return {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "Authorization": f"Bearer {self._token()}",
        }

    def _read_head(self, headers: dict[str, str], paths: Any) -> _Head:
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
                head.blobs[entry["path"]] = entry.get("sha")
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
                    sha = entry["sha"]
                data = self._call("GET", f"/git/trees/{sha}", f"read tree {folder or '/'}", headers)
                listings[folder] = {e["path"]: e for e in data.get("tree", []) if isinstance(e, dict)}
            return listings[folder]

        for path in paths:
            folder, _, name = path.rpartition("/")
            entry = listing(folder).get(name)
            if entry and entry.get("type") == "blob":
                head.blobs[path] = entry.get("sha")

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
        if response.status in races and (response.status == 409 or "fast forward" in detail.lower()):
            return None
        if response.status == 401:
            raise AuthError(SERVICE, self._token_name, f"{what}: HTTP 401 {detail}")
        if response.status == 403 and "rate limit" in detail.lower():
            # A secondary rate limit without retry-after/x-ratelimit-*: GitHub says wait a minute or more.
            raise UpstreamUnavailable(SERVICE, what, f"HTTP 403 {detail} (rate limited; wait at least a minute)", response.tries)
        if response.status == 403:
            raise AuthError(
                SERVICE, self._token_name, f"{what}: HTTP 403 {detail} (needs Contents: read and write on {self.repository})"
            )
        if response.status == 404:
            detail = f"{detail} (does {self.repository} exist, with branch {self.branch}, visible to the token?)"
        raise UpstreamRejected(SERVICE, what, response.status, detail)

    def _fresh_token(self, headers: dict[str, str]) -> bool:
        """After a 401: read the token again, past any cache; True if it changed (then retry once)."""
        refresh = getattr(self._token, "refresh", None)
        if refresh is None:
            return False
        token = refresh()
        if headers.get("Authorization") == f"Bearer {token}":
            return False
        log.warning("GitHub: %s was refused (401) and has changed since it was read; retrying with the new one", self._token_name)
        headers["Authorization"] = f"Bearer {token}"
        return True


def _sha(obj: Any, what: str) -> str:
    sha = obj.get("sha") if isinstance(obj, dict) else None
    if not isinstance(sha, str) or len(sha) not in (40, 64) or not all(c in "0123456789abcdef" for c in sha):
        raise UpstreamInvalid(SERVICE, what, "an object with a hex sha", repr(obj)[:80])
    return sha


def _message(body: bytes) -> str:
    """GitHub's error `message`, with its validation `errors` (resource.field code) if any."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return " ".join(body[:120].decode("utf-8", "replace").split())
    if not isinstance(data, dict):
        return ""
    message = " ".join(str(data.get("message", "")).split())[:200]
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
