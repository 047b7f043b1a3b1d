"""``perfforge ci``: find functions, optimize each with the repository's own oracle, keep only
what a maintainer should merge, and propose it.

    check the repository (a clean git work tree, the base ref)  ->  the GitHub side first
    (token, repository, open pull requests) unless --dry-run  ->  the unchanged suite in the
    sandbox (it must find tests and pass)  ->  candidates (changed / hot)  ->  per function:
    task from recorded calls -> agent run -> gates -> proposal  ->  patches or pull requests

A function is proposed only when every gate holds (:mod:`agent.ci.gates`); otherwise its
outcome carries the reasons.  Infrastructure failures (model provider, sandbox) raise after
the report so far is written: they are never a rejected candidate.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict

from agent.ci import gates, oracle
from agent.ci.config import CiConfig, load_config, merge
from agent.ci.discover import Candidate, Discovery, changed_functions
from agent.ci.gitrepo import Repo
from agent.ci.propose import Proposal, already_open, open_pull_request, write_dry_run
from agent.ci.report import CiReport, Outcome
from perfforge.errors import ConfigError

DEFAULT_OUT = ".perfforge/ci"
Progress = Callable[[str], None]


class CiOptions(BaseModel):
    """What the command line gives (None: take it from [tool.perfforge] or the default)."""

    model_config = ConfigDict(extra="forbid")

    repo: Path = Path(".")
    base: str | None = None
    functions: str | None = None
    model: str | None = None
    api_base: str | None = None
    max_functions: int | None = None
    threshold: float | None = None
    iterations: int | None = None
    budget_usd: float | None = None
    backend: str | None = None
    dry_run: bool = False
    out: Path | None = None
    github_api: str = "https://api.github.com"
    github_repo: str | None = None


class GitHubSide:
    """Everything about the GitHub repository, checked before any costly work."""

    def __init__(self, options: CiOptions, repo: Repo) -> None:
        from agent.ci.github import GitHub, repo_slug, token_from_env

        slug = repo_slug(options.github_repo, repo.remote_url())
        self.client = GitHub(slug, token_from_env() or "", api=options.github_api)
        self.base_branch = self.client.default_branch()  # a bad token or repository fails here, early
        self.pulls = self.client.open_pulls()


def _out_dir(options: CiOptions, repo: Repo) -> tuple[Path, str | None]:
    out = (options.out if options.out is not None else repo.root / DEFAULT_OUT).expanduser().resolve()
    if out == repo.root or out in repo.root.parents:
        raise ConfigError(f"--out {out}: give a folder of its own, not the repository or a folder above it")
    try:
        prefix = out.relative_to(repo.root).as_posix()
    except ValueError:
        prefix = None
    return out, prefix


def _self_ignoring(out: Path, repo: Repo) -> None:
    """Keep perfforge's outputs inside the repository out of git's sight (and so out of the files
    shipped to the sandbox and of the clean-tree check): a ``.gitignore`` of ``*`` in the first
    folder of ``out`` that perfforge creates, or in ``out`` itself."""
    if repo.root not in out.parents:
        return
    top = repo.root / out.relative_to(repo.root).parts[0]
    folder = top if (not top.exists() or top.name == ".perfforge") else out
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# written by perfforge ci: its outputs are not part of the repository\n*\n")


def discover(repo: Repo, files: dict[str, bytes], config: CiConfig, base: str | None, sandbox: Any,
             out_prefix: str | None, say: Progress) -> Discovery:
    if config.functions in ("changed", "auto") and base is not None:
        say(f"finding the functions changed since {base}")
        found = changed_functions(repo, base, config, out_prefix)
        if found.candidates or config.functions == "changed":
            return found
        notes = found.notes + [f"the diff against {base} touches no function: profiling the test suite instead"]
    else:
        notes = [] if config.functions == "hot" else ["no base ref: profiling the test suite instead"]
    from agent.ci.hot import hot_functions

    say("profiling the test suite in the sandbox to find the hot functions")
    found = hot_functions(repo, files, config, sandbox, out_prefix)
    found.notes = notes + found.notes
    return found


def run_ci(options: CiOptions, progress: Progress | None = None, sandbox: Any = None) -> CiReport:
    say = progress or (lambda _m: None)
    started = time.monotonic()
    repo = Repo(options.repo)
    config = merge(load_config(repo.root), functions=options.functions, model=options.model,
                   api_base=options.api_base, max_functions=options.max_functions, threshold=options.threshold,
                   backend=options.backend, budget_iterations=options.iterations, budget_usd=options.budget_usd)
    out, out_prefix = _out_dir(options, repo)
    repo.require_clean(ignore_prefix=out_prefix)
    base_name = options.base or config.base
    if base_name is None and config.functions != "hot":
        base_name = repo.default_base()
        if base_name is None and config.functions == "changed":
            raise ConfigError("--functions changed needs a base ref, and none was found",
                              hint="give --base REF (e.g. origin/main)")
    if base_name is not None:
        repo.resolve(base_name)  # a base that does not exist is an error before anything runs
    github = None if options.dry_run else GitHubSide(options, repo)
    _self_ignoring(out, repo)
    out.mkdir(parents=True, exist_ok=True)
    report = CiReport(repo=str(repo.root), head=repo.head, base=base_name, mode=config.functions,
                      dry_run=options.dry_run, threshold=config.threshold, out=str(out))
    with contextlib.ExitStack() as stack:
        if sandbox is None:
            from sandbox import get_sandbox

            sandbox = stack.enter_context(contextlib.closing(get_sandbox(config.backend)))
        try:
            _run(repo, config, base_name, sandbox, out, out_prefix, github, report, say)
        finally:
            report.seconds = round(time.monotonic() - started, 1)
            (out / "summary.json").write_text(report.model_dump_json(indent=2))
    return report


def _run(repo: Repo, config: CiConfig, base: str | None, sandbox: Any, out: Path, out_prefix: str | None,
         github: GitHubSide | None, report: CiReport, say: Progress) -> None:
    from agent.repo_tests import repo_files

    files = repo_files(repo.root)
    say(f"running the repository's tests unchanged in the sandbox (`{config.test_command}`)")
    suite = oracle.run_suite(repo.root, config, sandbox)
    report.suite = suite.counts()
    if suite.total == 0:
        raise ConfigError(f"{repo.root}: no tests found by `{config.test_command}`",
                          hint="perfforge ci checks every change with the repository's tests: "
                               "set [tool.perfforge] test-command")
    if not suite.passed_all:
        raise ConfigError(f"{repo.root}: the tests fail without any change ({suite.describe_failures()})",
                          hint="perfforge ci proposes only against a passing suite: fix the tests first")
    found = discover(repo, files, config, base, sandbox, out_prefix, say)
    report.mode = found.mode
    report.notes.extend(found.notes)
    proposals = 0
    for candidate in found.candidates[: config.max_candidates]:
        if proposals >= config.max_functions:
            report.outcomes.append(Outcome(target=candidate.key, found_by=candidate.found_by, status="not-tried",
                                           reasons=[f"--max-functions {config.max_functions} reached"]))
            continue
        open_pull = already_open(github.pulls, candidate) if github else None
        if open_pull is not None:
            report.outcomes.append(Outcome(
                target=candidate.key, found_by=candidate.found_by, status="duplicate",
                reasons=[f"pull request #{open_pull.get('number')} for it is still open"]))
            continue
        say(f"optimizing {candidate.key}")
        outcome, proposal = gates.evaluate(repo, files, candidate, config, base, sandbox, suite, out, say)
        report.outcomes.append(outcome)
        if proposal is None:
            continue
        proposals += 1
        if github is None:
            outcome.files = write_dry_run(proposal, out)
            outcome.status = "proposed"
        else:
            _open(github, repo, proposal, outcome, say)
    require_some_opened(report)


def require_some_opened(report: CiReport) -> None:
    """Every accepted change failed to reach GitHub: that is an error (exit 2), not a quiet run."""
    failed = [o for o in report.outcomes if o.status == "failed-to-open"]
    if failed and not report.proposed:
        raise ConfigError(f"no pull request could be opened: {failed[0].reasons[-1]}")


def _open(github: GitHubSide, repo: Repo, proposal: Proposal, outcome: Outcome, say: Progress) -> None:
    from agent.ci.github import GitHubError

    say(f"opening a pull request for {proposal.target} on {github.client.repo}")
    listed = repo.git("ls-tree", "HEAD", "--", proposal.path)  # "<mode> <type> <sha>\t<path>"
    mode = listed.split(" ", 1)[0] if listed else "100644"
    try:
        pull = open_pull_request(github.client, proposal, head_commit=repo.head, head_tree=repo.tree_of("HEAD"),
                                 file_mode=mode, base_branch=github.base_branch)
    except GitHubError as exc:
        outcome.status = "failed-to-open"
        outcome.reasons.append(exc.message + (f" ({exc.hint})" if exc.hint else ""))
        return
    outcome.status = "proposed"
    outcome.pull_request = {"number": pull.get("number"), "url": pull.get("html_url")}
    github.pulls.append(pull)
