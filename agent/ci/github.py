"""A small client for the GitHub REST API: what a proposal needs, nothing more.

A proposal never pushes with git: the new file contents go up as blobs, then a tree on
top of HEAD's tree, a commit whose parent is HEAD, a branch ref pointing at it, and a
pull request (the git-data endpoints).  So the token never touches a git remote, a
``.git/config`` or a command line; it travels only in the ``Authorization`` header of
these requests, set as an unredirected header (a redirect never carries it elsewhere),
and redirects are not followed at all.  It is read from ``PERFFORGE_GITHUB_TOKEN`` or
``GITHUB_TOKEN``, never printed, and every message built from a response is scrubbed.

Errors raise :class:`GitHubError` (a ConfigError: the user fixes the token, its
permissions or the repository) with the status and what to do about it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from agent.redact import is_loopback, public_url, scrub
from perfforge import __version__
from perfforge.errors import ConfigError

DEFAULT_API = "https://api.github.com"
TOKEN_VARIABLES = ("PERFFORGE_GITHUB_TOKEN", "GITHUB_TOKEN")
TIMEOUT_S = 30.0
_SLUG = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_REMOTE = re.compile(r"github\.com[:/]+(?P<slug>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\.git)?/?$")


class GitHubError(ConfigError):
    def __init__(self, message: str, status: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


def token_from_env() -> str | None:
    for name in TOKEN_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def repo_slug(given: str | None, remote_url: str | None) -> str:
    """``owner/name``: given, else ``GITHUB_REPOSITORY`` (set in Actions), else the origin remote."""
    slug = given or os.environ.get("GITHUB_REPOSITORY", "").strip() or None
    if slug is None and remote_url:
        match = _REMOTE.search(remote_url)
        slug = match.group("slug") if match else None
    if slug is None:
        raise ConfigError("cannot tell which GitHub repository to propose to",
                          hint="give --github-repo OWNER/NAME (GITHUB_REPOSITORY is read in GitHub Actions)")
    if not _SLUG.match(slug):
        raise ConfigError(f"--github-repo {slug!r} is not OWNER/NAME")
    return slug


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx comes back as an HTTPError: the API does not move, a proxy might


def _blob_sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class GitHub:
    def __init__(self, repo: str, token: str, api: str = DEFAULT_API, timeout_s: float = TIMEOUT_S) -> None:
        url = urllib.parse.urlsplit(api)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConfigError(f"--github-api {public_url(api)!r} is not an http(s) URL")
        if url.scheme == "http" and not is_loopback(api):
            raise ConfigError(f"--github-api {public_url(api)}: refusing to send the token over plain http")
        if not token:
            raise ConfigError("no GitHub token: set PERFFORGE_GITHUB_TOKEN or GITHUB_TOKEN",
                              hint="or use --dry-run to write the patches and PR bodies instead")
        self.repo, self.api, self.timeout_s = repo, api.rstrip("/"), timeout_s
        self._token = token
        self._opener = urllib.request.build_opener(_NoRedirect)

    def __repr__(self) -> str:  # the token stays out of any repr a traceback might print
        return f"GitHub(repo={self.repo!r}, api={public_url(self.api)!r})"

    def _clean(self, text: str) -> str:
        return scrub(text.replace(self._token, "***"))

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.api}{path}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", f"perfforge/{__version__}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        req.add_unredirected_header("Authorization", f"Bearer {self._token}")
        try:
            with self._opener.open(req, timeout=self.timeout_s) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raise self._error(method, path, exc.code, exc.read()) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise ConfigError(f"cannot reach the GitHub API at {public_url(self.api)}: {self._clean(str(reason))}",
                              hint="check --github-api and the network") from None
        return json.loads(raw) if raw else None

    def _error(self, method: str, path: str, status: int, raw: bytes) -> GitHubError:
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = {}
        message = str(payload.get("message") or raw[:200].decode("utf-8", "replace") or "no message")
        details = [e.get("message") or e.get("code") for e in payload.get("errors", []) if isinstance(e, dict)]
        text = self._clean(message + (f" ({'; '.join(str(d) for d in details if d)})" if any(details) else ""))
        where = f"{method} {path}"
        if status == 401:
            return GitHubError(f"GitHub rejected the token (401: {text})", status,
                               hint="set PERFFORGE_GITHUB_TOKEN or GITHUB_TOKEN to a valid token")
        if status == 403:
            return GitHubError(f"GitHub refused {where} (403: {text})", status,
                               hint="the token needs contents: write and pull-requests: write on "
                                    f"{self.repo} (the workflow's permissions:)")
        if status == 404:
            return GitHubError(f"GitHub answered 404 for {where}: {self.repo} does not exist or the token cannot "
                               "see it", status, hint="check --github-repo and the token's access")
        if status == 422 and path.endswith("/git/refs") and "already exists" in text.lower():
            return GitHubError(f"GitHub refused to create the branch: it already exists (422: {text})", status,
                               hint="an earlier run proposed the same change; close or delete that branch first")
        return GitHubError(f"GitHub refused {where} ({status}: {text})", status)

    # -- the endpoints a proposal uses ------------------------------------------------------

    def default_branch(self) -> str:
        return str(self.request("GET", f"/repos/{self.repo}")["default_branch"])

    def open_pulls(self, limit_pages: int = 10) -> list[dict[str, Any]]:
        pulls: list[dict[str, Any]] = []
        for page in range(1, limit_pages + 1):
            batch = self.request("GET", f"/repos/{self.repo}/pulls?state=open&per_page=100&page={page}") or []
            pulls.extend(batch)
            if len(batch) < 100:
                break
        return pulls

    def create_blob(self, content: bytes) -> str:
        body = {"content": base64.b64encode(content).decode(), "encoding": "base64"}
        sha = str(self.request("POST", f"/repos/{self.repo}/git/blobs", body)["sha"])
        if sha != _blob_sha(content):
            raise GitHubError(f"GitHub stored a blob with an unexpected sha {sha}", 200)
        return sha

    def create_tree(self, base_tree: str, files: dict[str, tuple[str, str]]) -> str:
        """``files``: path -> (mode, blob sha)."""
        entries = [{"path": p, "mode": mode, "type": "blob", "sha": sha} for p, (mode, sha) in sorted(files.items())]
        return str(self.request("POST", f"/repos/{self.repo}/git/trees", {"base_tree": base_tree, "tree": entries})["sha"])

    def create_commit(self, message: str, tree: str, parent: str) -> str:
        body = {"message": message, "tree": tree, "parents": [parent]}
        return str(self.request("POST", f"/repos/{self.repo}/git/commits", body)["sha"])

    def create_branch(self, branch: str, sha: str) -> None:
        self.request("POST", f"/repos/{self.repo}/git/refs", {"ref": f"refs/heads/{branch}", "sha": sha})

    def create_pull(self, title: str, head: str, base: str, body: str) -> dict[str, Any]:
        payload = {"title": title, "head": head, "base": base, "body": body}
        return dict(self.request("POST", f"/repos/{self.repo}/pulls", payload))
