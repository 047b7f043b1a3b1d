"""The repository ``perfforge ci`` works on, through the ``git`` command.

Every call has a timeout that kills git's whole process group.  Nothing here writes to
the repository: proposals are patches (``--dry-run``) or objects made through the
GitHub API, so the work tree, the index and the remotes stay as the user left them.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

from perfforge.errors import ConfigError, ToolchainError

GIT_TIMEOUT_S = 60.0
HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
# refs tried, in order, when no --base is given
DEFAULT_BASES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")


class GitFailed(Exception):
    def __init__(self, argv: list[str], code: int, stderr: str) -> None:
        super().__init__(f"git {' '.join(argv)}: exit {code}: {stderr.strip()}")
        self.code, self.stderr = code, stderr


def run_git(cwd: Path, *argv: str, timeout_s: float = GIT_TIMEOUT_S, stdin: bytes | None = None) -> bytes:
    """git's stdout; :class:`GitFailed` on a non-zero exit.  The environment keeps git from
    asking anything (no prompt, no pager, no editor)."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "GIT_EDITOR": "true", "LC_ALL": "C"}
    try:
        proc = subprocess.Popen(["git", *argv], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, start_new_session=True)
    except FileNotFoundError:
        raise ToolchainError("git is not installed", hint="install git (apt-get install git)") from None
    try:
        out, err = proc.communicate(stdin, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ToolchainError(f"git {argv[0]} took more than {timeout_s:.0f} s in {cwd}") from None
    if proc.returncode != 0:
        raise GitFailed(list(argv), proc.returncode, err.decode("utf-8", "replace"))
    return out


class Repo:
    """A git work tree: its root, state, refs and diffs."""

    def __init__(self, path: Path) -> None:
        path = Path(path).expanduser().resolve()
        if not path.is_dir():
            raise ConfigError(f"{path}: no such folder")
        try:
            top = run_git(path, "rev-parse", "--show-toplevel").decode().strip()
        except GitFailed:
            raise ConfigError(f"{path} is not a git repository",
                              hint="run perfforge ci inside a clone, or give --repo PATH") from None
        self.root = Path(top)
        try:
            self.head = run_git(self.root, "rev-parse", "--verify", "HEAD^{commit}").decode().strip()
        except GitFailed:
            raise ConfigError(f"{self.root}: the repository has no commit yet") from None

    def git(self, *argv: str, timeout_s: float = GIT_TIMEOUT_S) -> str:
        return run_git(self.root, *argv, timeout_s=timeout_s).decode("utf-8", "replace")

    def dirty_paths(self, ignore_prefix: str | None = None) -> list[str]:
        """Modified, staged or untracked paths (``ignore_prefix``: perfforge's own output folder)."""
        lines = self.git("status", "--porcelain=v1", "-z", "--untracked-files=all").split("\0")
        paths = [line[3:] for line in lines if len(line) > 3]
        if ignore_prefix:
            paths = [p for p in paths if not (p == ignore_prefix or p.startswith(ignore_prefix.rstrip("/") + "/"))]
        return paths

    def require_clean(self, ignore_prefix: str | None = None) -> None:
        dirty = self.dirty_paths(ignore_prefix)
        if dirty:
            more = f" and {len(dirty) - 3} more" if len(dirty) > 3 else ""
            raise ConfigError(f"{self.root}: the work tree has uncommitted changes ({', '.join(dirty[:3])}{more})",
                              hint="commit or stash them first: proposals are made against HEAD")

    def resolve(self, ref: str) -> str:
        """The commit ``ref`` names; ConfigError when it names none."""
        if ref.startswith("-"):
            raise ConfigError(f"--base {ref!r} is not a ref")
        try:
            return self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
        except GitFailed:
            raise ConfigError(f"--base {ref!r}: no such branch, tag or commit in {self.root}",
                              hint="fetch it first (git fetch origin), or name an existing ref") from None

    def default_base(self) -> str | None:
        for ref in DEFAULT_BASES:
            try:
                self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
                return ref
            except GitFailed:
                continue
        return None

    def changed_lines(self, base: str) -> dict[str, list[tuple[int, int]]]:
        """Per file changed since the merge base of ``base`` and HEAD: the line ranges of HEAD's
        version that were added or modified (a pure deletion marks the line before it)."""
        base_commit = self.resolve(base)
        try:
            start = self.git("merge-base", base_commit, "HEAD").strip()
        except GitFailed:
            start = base_commit  # unrelated histories: compare the trees directly
        text = self.git("diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-renames", start, "HEAD")
        ranges: dict[str, list[tuple[int, int]]] = {}
        current: str | None = None
        for line in text.splitlines():
            if line.startswith("+++ "):
                target = line[4:]
                current = target[2:] if target.startswith("b/") else None
                if current is not None:
                    ranges.setdefault(current, [])
            elif current is not None and (m := HUNK.match(line)):
                first, count = int(m.group(1)), int(m.group(2) if m.group(2) is not None else 1)
                if count == 0:
                    if first > 0:
                        ranges[current].append((first, first))
                else:
                    ranges[current].append((first, first + count - 1))
        return ranges

    def tracked_files(self) -> list[str]:
        return [p for p in self.git("ls-files", "-z").split("\0") if p]

    def show(self, rev: str, path: str) -> bytes:
        return run_git(self.root, "show", f"{rev}:{path}")

    def tree_of(self, rev: str = "HEAD") -> str:
        return self.git("rev-parse", f"{rev}^{{tree}}").strip()

    def remote_url(self, name: str = "origin") -> str | None:
        try:
            return self.git("remote", "get-url", name).strip() or None
        except GitFailed:
            return None

    def apply_check(self, patch: bytes) -> str | None:
        """None when ``patch`` applies cleanly to the work tree, else git's reason."""
        try:
            run_git(self.root, "apply", "--check", "-", stdin=patch)
            return None
        except GitFailed as exc:
            return exc.stderr.strip()

