"""A stateful fake of the GitHub REST API subset we use, on 127.0.0.1.

The subset is what the product calls (the Git Data API): read a branch ref, read a tree
(recursive or one level), create a tree, create a commit, move a ref. It keeps real Git
semantics where the client can see them: blob shas are Git's, trees are hierarchical (subtrees
have their own shas), commits have parents, `PATCH .../git/refs` refuses a non-fast-forward
update (422). Tree and commit shas are deterministic but not Git's.

Like real GitHub, it refuses a create-tree request that is too large: above `tree_max_entries`
entries or `tree_max_bytes` bytes of body it answers 502 with GitHub's timeout message. GitHub
documents no number; it has been reported from about 200 files, so the defaults are 150 entries
and 2 MB. A recursive tree longer than `truncate_over` entries comes back `truncated`.

Error bodies have GitHub's shape (`message`, `documentation_url`, `status`), as recorded in
tests/fixtures/github/*.json; the OpenAPI contract check (tests/openapi_contract.py) validates
every request sent to it and every answer it gives.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import unquote

from .server import FakeServer, Reply, Request

EMPTY = "{}"


def git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _sha(kind: str, payload: Any) -> str:
    return hashlib.sha1(f"{kind}\0{json.dumps(payload, sort_keys=True)}".encode()).hexdigest()


DOCS = "https://docs.github.com/rest"
# What GitHub answers (HTTP 502) when a create-tree request is too large to process in time.
TREE_TOO_LARGE = (
    "Sorry, your request timed out. It's likely that your input was too large to process. Consider building "
    "the tree incrementally, or building the commits you need in a local clone of the repository and then "
    "pushing them to GitHub."
)


class FakeGitHub(FakeServer):
    #: Called with every new instance; conftest attaches the OpenAPI contract check here.
    on_create: ClassVar[list[Callable[[FakeGitHub], None]]] = []

    def __init__(
        self,
        owner: str = "lim4349",
        repo: str = "lim4349.github.io",
        *,
        token: str = "ghp_fakeTokenForTests0123456789abcdef",
        branch: str = "main",
        files: dict[str, str] | None = None,
        truncate_over: int | None = None,
        tree_max_entries: int = 150,
        tree_max_bytes: int = 2_000_000,
    ) -> None:
        super().__init__()
        self.owner, self.repo, self.token = owner, repo, token
        self.default_branch = branch
        self.truncate_over = truncate_over  # a recursive tree longer than this comes back truncated
        self.tree_max_entries = tree_max_entries  # a create-tree request above either limit: 502
        self.tree_max_bytes = tree_max_bytes
        self.trees_created: list[str] = []  # the sha of each tree a create-tree request made, in order
        self.blobs: dict[str, bytes] = {}
        self.trees: dict[str, list[dict[str, str]]] = {}
        self.commits: dict[str, dict[str, Any]] = {}
        self.refs: dict[str, str] = {}
        self.state_lock = threading.RLock()
        initial = {"README.md": "# blog\n", "_config.yml": "title: blog\n"}
        initial.update(files or {})
        tree = self._build_tree({p: self._blob(c.encode()) for p, c in initial.items()})
        self.refs[branch] = self._commit(tree, [], "Initial commit")
        for hook in list(FakeGitHub.on_create):
            hook(self)

    # ---- object store -------------------------------------------------------------------
    def _blob(self, data: bytes) -> str:
        sha = git_blob_sha(data)
        self.blobs[sha] = data
        return sha

    def _build_tree(self, files: dict[str, str]) -> str:
        """Flat {path: blob sha} → nested trees; returns the root tree sha."""
        here: dict[str, str] = {}
        folders: dict[str, dict[str, str]] = {}
        for path, sha in files.items():
            head, sep, rest = path.partition("/")
            if sep:
                folders.setdefault(head, {})[rest] = sha
            else:
                here[path] = sha
        entries = [{"path": n, "mode": "100644", "type": "blob", "sha": s} for n, s in here.items()]
        entries += [{"path": n, "mode": "040000", "type": "tree", "sha": self._build_tree(sub)} for n, sub in folders.items()]
        entries.sort(key=lambda e: e["path"])
        sha = _sha("tree", entries)
        self.trees[sha] = entries
        return sha

    def _flatten(self, tree_sha: str, prefix: str = "") -> dict[str, str]:
        files: dict[str, str] = {}
        for entry in self.trees[tree_sha]:
            path = prefix + entry["path"]
            if entry["type"] == "tree":
                files.update(self._flatten(entry["sha"], path + "/"))
            else:
                files[path] = entry["sha"]
        return files

    def _listing(self, tree_sha: str, prefix: str = "") -> list[dict[str, Any]]:
        out = []
        for entry in self.trees[tree_sha]:
            path = prefix + entry["path"]
            out.append(self._entry(dict(entry, path=path)))
            if entry["type"] == "tree":
                out.extend(self._listing(entry["sha"], path + "/"))
        return out

    def _entry(self, entry: dict[str, str]) -> dict[str, Any]:
        kind = "blobs" if entry["type"] == "blob" else "trees"
        out: dict[str, Any] = dict(entry, url=f"{self.api}/git/{kind}/{entry['sha']}")
        if entry["type"] == "blob":
            out["size"] = len(self.blobs[entry["sha"]])
        return out

    def _commit(self, tree: str, parents: list[str], message: str) -> str:
        body = {"tree": tree, "parents": parents, "message": message, "n": len(self.commits)}
        sha = _sha("commit", body)
        self.commits[sha] = body
        return sha

    def _is_ancestor(self, ancestor: str, sha: str) -> bool:
        stack, seen = [sha], set()
        while stack:
            current = stack.pop()
            if current == ancestor:
                return True
            if current in seen or current not in self.commits:
                continue
            seen.add(current)
            stack.extend(self.commits[current]["parents"])
        return False

    # ---- what tests look at ----------------------------------------------------------------
    @property
    def api(self) -> str:
        return f"{self.url}/repos/{self.owner}/{self.repo}"

    @property
    def repository(self) -> str:
        return f"{self.owner}/{self.repo}"

    def files(self, branch: str | None = None) -> dict[str, str]:
        with self.state_lock:
            head = self.refs[branch or self.default_branch]
            return {p: self.blobs[s].decode("utf-8") for p, s in self._flatten(self.commits[head]["tree"]).items()}

    def history(self, branch: str | None = None) -> list[dict[str, Any]]:
        """Commits on the branch, newest first (first-parent)."""
        with self.state_lock:
            out, sha = [], self.refs[branch or self.default_branch]
            while sha:
                commit = self.commits[sha]
                out.append(dict(commit, sha=sha))
                sha = commit["parents"][0] if commit["parents"] else None
            return out

    def commit_file(self, path: str, content: str, message: str = "manual edit") -> str:
        """Change the branch directly, as a person pushing would."""
        with self.state_lock:
            head = self.refs[self.default_branch]
            files = self._flatten(self.commits[head]["tree"])
            files[path] = self._blob(content.encode())
            self.refs[self.default_branch] = self._commit(self._build_tree(files), [head], message)
            return self.refs[self.default_branch]

    # ---- HTTP ----------------------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        auth = request.headers.get("authorization", "")
        if auth not in (f"Bearer {self.token}", f"token {self.token}"):
            return Reply(401, {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"})
        prefix = f"/repos/{self.owner}/{self.repo}"
        if not request.path.startswith(prefix):
            return _not_found()
        rest = unquote(request.path[len(prefix):])
        with self.state_lock:
            for method, pattern, name in self.ROUTES:
                if method == request.method:
                    match = re.fullmatch(pattern, rest)
                    if match:
                        return getattr(self, name)(request, *match.groups())
        return _not_found()

    ROUTES: ClassVar[list[tuple[str, str, str]]] = [
        ("GET", r"/git/ref/(.+)", "get_ref"),
        ("PATCH", r"/git/refs/(.+)", "update_ref"),
        ("POST", r"/git/commits", "create_commit"),
        ("GET", r"/git/trees/(.+)", "get_tree"),
        ("POST", r"/git/trees", "create_tree"),
    ]

    def _ref_body(self, branch: str) -> dict[str, Any]:
        sha = self.refs[branch]
        return {"ref": f"refs/heads/{branch}", "node_id": "REF_" + sha[:8], "url": f"{self.api}/git/refs/heads/{branch}",
                "object": {"type": "commit", "sha": sha, "url": f"{self.api}/git/commits/{sha}"}}

    def get_ref(self, request: Request, ref: str) -> Reply:
        branch = ref.removeprefix("heads/")
        if not ref.startswith("heads/") or branch not in self.refs:
            return _not_found()
        return Reply(200, self._ref_body(branch))

    def update_ref(self, request: Request, ref: str) -> Reply:
        branch = ref.removeprefix("heads/")
        body = request.json() or {}
        sha = body.get("sha")
        if branch not in self.refs:
            return _invalid("Reference does not exist", "git/refs#update-a-reference")
        if sha not in self.commits:
            return _invalid("Object does not exist", "git/refs#update-a-reference")
        if not body.get("force") and not self._is_ancestor(self.refs[branch], sha):
            return _invalid("Update is not a fast forward", "git/refs#update-a-reference")
        self.refs[branch] = sha
        return Reply(200, self._ref_body(branch))

    def _commit_body(self, sha: str) -> dict[str, Any]:
        c = self.commits[sha]
        person = {"name": "hf-daily-papers", "email": "bot@example.com", "date": "2026-02-26T00:15:00Z"}
        return {"sha": sha, "node_id": "C_" + sha[:8], "url": f"{self.api}/git/commits/{sha}", "html_url": f"https://github.com/{self.repository}/commit/{sha}",
                "author": person, "committer": person, "message": c["message"],
                "tree": {"sha": c["tree"], "url": f"{self.api}/git/trees/{c['tree']}"},
                "parents": [{"sha": p, "url": f"{self.api}/git/commits/{p}", "html_url": f"https://github.com/{self.repository}/commit/{p}"} for p in c["parents"]],
                "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None, "verified_at": None}}

    def create_commit(self, request: Request) -> Reply:
        body = request.json() or {}
        tree, parents = body.get("tree"), body.get("parents", [])
        if not isinstance(body.get("message"), str) or tree not in self.trees or any(p not in self.commits for p in parents):
            return _invalid("Invalid request", "git/commits#create-a-commit")
        return Reply(201, self._commit_body(self._commit(tree, parents, body["message"])))

    def _resolve_tree(self, ref: str) -> str | None:
        if ref in self.trees:
            return ref
        if ref in self.commits:
            return self.commits[ref]["tree"]
        if ref in self.refs:
            return self.commits[self.refs[ref]]["tree"]
        return None

    def get_tree(self, request: Request, ref: str) -> Reply:
        tree = self._resolve_tree(ref)
        if tree is None:
            return _not_found()
        recursive = "recursive" in request.query  # GitHub: any value, even 0 or false, means recursive
        entries = self._listing(tree) if recursive else [self._entry(e) for e in self.trees[tree]]
        truncated = bool(recursive and self.truncate_over is not None and len(entries) > self.truncate_over)
        if truncated:
            entries = entries[: self.truncate_over]
        return Reply(200, {"sha": tree, "url": f"{self.api}/git/trees/{tree}", "tree": entries, "truncated": truncated})

    def create_tree(self, request: Request) -> Reply:
        body = request.json() or {}
        if len(request.body) > self.tree_max_bytes or len(body.get("tree") or []) > self.tree_max_entries:
            return Reply(502, {"message": TREE_TOO_LARGE, "documentation_url": f"{DOCS}/git/trees#create-a-tree", "status": "502"})
        base = body.get("base_tree")
        if base and base not in self.trees:
            return _invalid("Invalid tree info", "git/trees#create-a-tree")
        files = self._flatten(base) if base else {}
        for entry in body.get("tree", []):
            path = entry.get("path")
            if not isinstance(path, str) or entry.get("type", "blob") != "blob" or entry.get("mode") not in ("100644", "100755"):
                return _invalid("Invalid tree info", "git/trees#create-a-tree")
            if "content" in entry:
                files[path] = self._blob(entry["content"].encode("utf-8"))
            elif entry.get("sha") is None:
                files.pop(path, None)
            elif entry["sha"] in self.blobs:
                files[path] = entry["sha"]
            else:
                return _invalid("Invalid tree info", "git/trees#create-a-tree")
        tree = self._build_tree(files)
        self.trees_created.append(tree)
        return Reply(201, {"sha": tree, "url": f"{self.api}/git/trees/{tree}", "tree": [self._entry(e) for e in self.trees[tree]], "truncated": False})


def _not_found() -> Reply:
    return Reply(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})


def _invalid(message: str, doc: str) -> Reply:
    """GitHub's 422 (validation-error schema: `message` and `documentation_url` required)."""
    return Reply(422, {"message": message, "documentation_url": f"{DOCS}/{doc}", "status": "422"})
