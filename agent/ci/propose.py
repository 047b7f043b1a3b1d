"""Turning an accepted change into a proposal: a patch, a branch name, a commit message,
a pull-request body; then writing it (``--dry-run``) or opening it on GitHub.

One proposal per function: one branch ``perfforge/<function>-<hash>``, one commit, one
pull request, so a maintainer can take or leave each on its own.  The body comes from
``templates/pr_body.md.j2``; the model's explanation in it is scrubbed of secrets.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import shlex
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agent.ci.config import CiConfig
from agent.ci.discover import Candidate
from agent.ci.evidence import Evidence
from agent.redact import scrub

TEMPLATES = Path(__file__).with_name("templates")
MARKER = "<!-- perfforge-target: {target} -->"
TITLE_TAG = "[perfforge]"
EXPLANATION_CHARS = 2000
DIFF_LINES = 400
_REF_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_FILE_LINE = re.compile(r"^\s*[`*]*[\w./-]+\.[A-Za-z0-9]+[`*:]*\s*$")


class Proposal(BaseModel):
    path: str
    function: str
    original: str
    code: str
    branch: str
    title: str
    commit_message: str
    patch: str
    function_diff: str
    body: str = ""
    name: str = Field(description="file-safe name of the output files")

    target: str = Field(description="path::function, or the path of a whole program")


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters.update(duration=_duration, thousands=_thousands, quote=_quote)
    return env


def render_template(name: str, **variables: Any) -> str:
    return _environment().get_template(name).render(**variables)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _thousands(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _quote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.splitlines())


def slug(function: str) -> str:
    return _REF_UNSAFE.sub("-", function).strip("-.") or "function"


def branch_name(candidate: Candidate, code: str) -> str:
    digest = hashlib.sha256(f"{candidate.key}\0{code}".encode()).hexdigest()[:8]
    return f"perfforge/{slug(candidate.function)}-{digest}"


def unified_patch(path: str, before: str, after: str, context: int = 3) -> str:
    """A git-style diff of one file, which ``git apply`` takes (a missing final newline included)."""
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=f"a/{path}", tofile=f"b/{path}", n=context)
    out = [f"diff --git a/{path} b/{path}\n"]
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def function_diff(before: str, after: str, most_lines: int = DIFF_LINES) -> str:
    """The diff shown in the body: hunks only, no file headers, cut to ``most_lines`` (GitHub
    refuses a body over 65,536 characters; the commit holds the whole change)."""
    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=2))[2:]
    if len(lines) > most_lines:
        lines = lines[:most_lines] + [f"... {len(lines) - most_lines} more lines: see the commit"]
    return "\n".join(line[:300] for line in lines)


def explanation_of(reply: str) -> str:
    """The prose of a model's reply (code blocks and edit markers dropped), scrubbed and bounded."""
    from agent.codeblocks import code_blocks, normalize_newlines, strip_thinking

    lines = normalize_newlines(strip_thinking(reply)).split("\n")
    fenced: set[int] = set()
    for block in code_blocks(reply):
        fenced.update(range(block.start_line, block.start_line + block.code.count("\n") + 2))
    # a bare file name on its own line introduces an edit block: it is not prose
    kept = [line for i, line in enumerate(lines) if i not in fenced and not _FILE_LINE.match(line)]
    text = "\n".join(kept).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = scrub(text)
    return text if len(text) <= EXPLANATION_CHARS else text[: EXPLANATION_CHARS - 3].rstrip() + "..."


def make_proposal(candidate: Candidate, original: str, code: str, speedup: float) -> Proposal:
    title = f"{TITLE_TAG} Speed up `{candidate.function}` by {speedup:.2f}x ({candidate.path})"
    message = (f"{title}\n\nperfforge ci: `{candidate.function}` in {candidate.path} rewritten for speed;\n"
               "the evidence (interleaved timing with its 95% interval, the tests that guard it)\n"
               "is in the pull request.\n")
    patch_body = unified_patch(candidate.path, original, code)
    subject = title.replace("\n", " ")
    patch = (f"From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
             f"From: perfforge <perfforge@users.noreply.github.com>\n"
             f"Subject: [PATCH] {subject}\n\n{message.split(chr(10), 2)[2]}---\n{patch_body}")
    return Proposal(path=candidate.path, function=candidate.function, target=candidate.key, original=original, code=code,
                    branch=branch_name(candidate, code), title=title, commit_message=message, patch=patch,
                    function_diff=function_diff(original, code), name=f"{Path(candidate.path).stem}-{slug(candidate.function)}")


def reproduce_command(config: CiConfig, base: str | None, candidate: Candidate) -> str:
    """The command that runs the same search and measurement again (at the same commit)."""
    words = ["perfforge", "ci", "--dry-run", "--functions", candidate.found_by, "--max-functions", "1",
             "--threshold", f"{config.threshold:g}", "--iterations", str(config.budget.iterations)]
    if candidate.found_by == "changed" and base:
        words += ["--base", base]
    if config.model:
        words += ["--model", config.model]
    return " ".join(shlex.quote(w) for w in words)


def render_body(proposal: Proposal, evidence: Evidence, explanation: str, reproduce: str,
                run: dict[str, Any]) -> str:
    body = render_template("pr_body.md.j2", proposal=proposal, evidence=evidence, explanation=explanation,
                           reproduce=reproduce, run=run)
    return scrub(body)


# --- where proposals go ------------------------------------------------------------------------


def write_dry_run(proposal: Proposal, out: Path) -> dict[str, str]:
    """``<name>.patch`` and ``<name>-pr.md`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    patch, body = out / f"{proposal.name}.patch", out / f"{proposal.name}-pr.md"
    patch.write_text(proposal.patch)
    body.write_text(f"# {proposal.title}\n\n{proposal.body}")
    return {"patch": str(patch), "pr_body": str(body)}


def already_open(pulls: list[dict[str, Any]], candidate: Candidate) -> dict[str, Any] | None:
    """An open pull request for the same function (by its marker, or a perfforge branch for it)."""
    marker = MARKER.format(target=candidate.key)
    prefix = f"perfforge/{slug(candidate.function)}-"
    for pull in pulls:
        head = (pull.get("head") or {}).get("ref", "")
        if marker in (pull.get("body") or "") or head.startswith(prefix):
            return pull
    return None


def open_pull_request(github: Any, proposal: Proposal, *, head_commit: str, head_tree: str, file_mode: str,
                      base_branch: str) -> dict[str, Any]:
    """Blob, tree on HEAD's tree, commit on HEAD, branch, pull request."""
    blob = github.create_blob(proposal.code.encode())
    tree = github.create_tree(head_tree, {proposal.path: (file_mode, blob)})
    commit = github.create_commit(proposal.commit_message, tree, head_commit)
    github.create_branch(proposal.branch, commit)
    return github.create_pull(proposal.title, proposal.branch, base_branch, proposal.body)
