"""A fake GitHub REST API on 127.0.0.1: the git-data and pull-request endpoints a
proposal uses, with state, request recording and scripted failures.

    with FakeGitHub(token="ghp_test", repo="octo/lib") as gh:
        client = GitHub("octo/lib", "ghp_test", api=gh.url)
        ...
        gh.pulls[0]["body"], gh.branch_files("perfforge/f-1234abcd")

It checks what GitHub checks for these calls: the bearer token (401 otherwise), that a
tree's blobs, a commit's tree and a ref's commit exist (422), that a branch does not
exist yet (422 "Reference already exists"), and that a pull request's head is a branch
(422).  ``fail`` maps ``"METHOD /path-regex"`` to a status answered instead (403 for a
token without write access, 500, ...).  Every request is recorded, headers included.
The server binds an ephemeral port and stops on leaving the ``with`` block, and in any
case after ``lifetime_s``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler
from typing import Any

from pydantic import BaseModel

from agent.testing.loopback import LoopbackServer

_MESSAGES = {401: "Bad credentials", 403: "Resource not accessible by integration", 404: "Not Found",
             422: "Validation Failed", 500: "Server Error"}


class GitHubRequest(BaseModel):
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    raw: str
    body: Any = None
    received: float


class FakeGitHub:
    def __init__(self, *, token: str, repo: str = "octo/lib", default_branch: str = "main",
                 branches: dict[str, str] | None = None, pulls: list[dict[str, Any]] | None = None,
                 fail: dict[str, int] | None = None, lifetime_s: float = 300.0) -> None:
        self.token, self.repo, self.default_branch = token, repo, default_branch
        # branch -> commit sha; base commits (HEAD of the local clone) are unknown to the fake: any parent is fine
        self.refs: dict[str, str] = dict(branches or {default_branch: "0" * 40})
        self.blobs: dict[str, bytes] = {}
        self.trees: dict[str, dict[str, Any]] = {}
        self.commits: dict[str, dict[str, Any]] = {}
        self.pulls: list[dict[str, Any]] = [dict(p) for p in pulls or []]
        self.fail = {tuple(k.split(" ", 1)): v for k, v in (fail or {}).items()}
        self.requests: list[GitHubRequest] = []
        self._lock = threading.Lock()
        self._lifetime_s = lifetime_s
        self._server: LoopbackServer | None = None

    # -- lifecycle ----------------------------------------------------------------------
    def __enter__(self) -> "FakeGitHub":
        handler = type("_Handler", (_Handler,), {"fake": self})
        self._server = LoopbackServer(handler, lifetime_s=self._lifetime_s, name="fake-github")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

    @property
    def url(self) -> str:
        assert self._server is not None and self._server.httpd is not None, "the fake is not running"
        return f"http://127.0.0.1:{self._server.port}"

    # -- what tests look at ---------------------------------------------------------------
    def calls(self, method: str | None = None, pattern: str = "") -> list[GitHubRequest]:
        with self._lock:
            return [r for r in self.requests if (method is None or r.method == method) and re.search(pattern, r.path)]

    def branch_files(self, branch: str) -> dict[str, bytes]:
        """The files the branch's commit sets in its tree (path -> content)."""
        commit = self.commits[self.refs[branch]]
        tree = self.trees[commit["tree"]]
        return {e["path"]: self.blobs[e["sha"]] for e in tree["tree"]}

    # -- the API ----------------------------------------------------------------------------
    def handle(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        prefix = f"/repos/{self.repo}"
        if not path.startswith(prefix):
            return 404, None
        rest = path[len(prefix):]
        with self._lock:
            if method == "GET" and rest == "":
                return 200, {"full_name": self.repo, "default_branch": self.default_branch}
            if method == "GET" and rest == "/pulls":
                return 200, [p for p in self.pulls if p.get("state", "open") == "open"]
            if method == "POST" and rest == "/git/blobs":
                data = base64.b64decode(body["content"]) if body.get("encoding") == "base64" else body["content"].encode()
                sha = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
                self.blobs[sha] = data
                return 201, {"sha": sha}
            if method == "POST" and rest == "/git/trees":
                missing = [e["path"] for e in body["tree"] if e.get("sha") not in self.blobs]
                if missing:
                    return 422, {"message": f"tree entries name unknown blobs: {missing}"}
                sha = hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest()
                self.trees[sha] = body
                return 201, {"sha": sha}
            if method == "POST" and rest == "/git/commits":
                if body.get("tree") not in self.trees:
                    return 422, {"message": "Tree SHA does not exist"}
                sha = hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest()
                self.commits[sha] = body
                return 201, {"sha": sha, "tree": {"sha": body["tree"]}}
            if method == "POST" and rest == "/git/refs":
                ref = str(body.get("ref", ""))
                if not ref.startswith("refs/heads/"):
                    return 422, {"message": "Reference name must start with refs/heads/"}
                if body.get("sha") not in self.commits:
                    return 422, {"message": "Object does not exist"}
                name = ref.removeprefix("refs/heads/")
                if name in self.refs:
                    return 422, {"message": "Reference already exists"}
                self.refs[name] = body["sha"]
                return 201, {"ref": ref, "object": {"sha": body["sha"]}}
            if method == "POST" and rest == "/pulls":
                head, base = body.get("head"), body.get("base")
                if head not in self.refs or base not in self.refs:
                    return 422, {"message": "Validation Failed", "errors": [{"resource": "PullRequest",
                                                                            "field": "head", "code": "invalid"}]}
                number = len(self.pulls) + 1
                pull = {"number": number, "state": "open", "title": body.get("title"), "body": body.get("body"),
                        "head": {"ref": head}, "base": {"ref": base},
                        "html_url": f"https://github.com/{self.repo}/pull/{number}"}
                self.pulls.append(pull)
                return 201, pull
        return 404, None


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGitHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        split = urllib.parse.urlsplit(self.path)
        record = GitHubRequest(method=self.command, path=split.path,
                               query=dict(urllib.parse.parse_qsl(split.query)),
                               headers={k.lower(): v for k, v in self.headers.items()},
                               raw=raw, body=body, received=time.time())
        fake = self.fake
        with fake._lock:
            fake.requests.append(record)
        forced = next((status for (method, pattern), status in fake.fail.items()
                       if method == self.command and re.search(pattern, split.path)), None)
        if self.headers.get("Authorization") != f"Bearer {fake.token}":
            status, payload = 401, None
        elif forced is not None:
            status, payload = forced, None
        elif self.command == "POST" and not isinstance(body, dict):
            status, payload = 400, {"message": "Problems parsing JSON"}
        else:
            status, payload = fake.handle(self.command, split.path, body)
        if payload is None and status >= 400:
            payload = {"message": _MESSAGES.get(status, f"HTTP {status}"),
                       "documentation_url": "https://docs.github.com/rest"}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _serve
