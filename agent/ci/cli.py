"""``perfforge ci`` and ``perfforge ci init``: parse, build options, call the library, print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

if TYPE_CHECKING:
    from agent.ci.gitrepo import Repo

ci_app = typer.Typer(
    no_args_is_help=False, add_completion=False, invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@ci_app.callback(invoke_without_command=True)
def ci_command(
    ctx: typer.Context,
    repo: Path = typer.Option(Path("."), "--repo", help="The git repository (default: the current folder)."),
    base: Optional[str] = typer.Option(None, "--base", help="Ref the changed functions are found against "
                                       "(default: \\[tool.perfforge] base, else origin/HEAD, origin/main, main...)."),
    functions: Optional[str] = typer.Option(None, "--functions", help="changed (touched by the diff against "
                                            "--base), hot (where the tests spend time) or auto (changed, else hot)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="litellm model string "
                                        "(default: \\[tool.perfforge] model, else the embedded offline model)."),
    api_base: Optional[str] = typer.Option(None, "--api-base", help="An OpenAI-compatible server's base URL."),
    max_functions: Optional[int] = typer.Option(None, "--max-functions", min=1, help="Most proposals (default 3)."),
    threshold: Optional[float] = typer.Option(None, "--threshold", min=0, help="The 95% interval of the time "
                                              "speedup must lie above 1 + X (default 0.05)."),
    iterations: Optional[int] = typer.Option(None, "--iterations", "-n", min=1,
                                             help="Model exchanges per function (default 3)."),
    budget_usd: Optional[float] = typer.Option(None, "--budget-usd", min=0, help="Most dollars per function."),
    backend: Optional[str] = typer.Option(None, "--backend", "-b", help="Sandbox backend: docker or local."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Write NAME.patch and NAME-pr.md into --out "
                                 "instead of opening pull requests."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default .perfforge/ci/ in the "
                                       "repository, which git is told to ignore)."),
    github_api: str = typer.Option("https://api.github.com", "--github-api", help="GitHub REST API base URL."),
    github_repo: Optional[str] = typer.Option(None, "--github-repo", help="OWNER/NAME (default: "
                                              "GITHUB_REPOSITORY, else the origin remote)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's summary as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
) -> None:
    """Propose pull requests that make a repository's code faster, with evidence.

    Finds functions worth speeding up, lets the agent optimize each against
    the repository's own tests and recorded calls, and proposes only what
    clears every gate: all tests pass in the sandbox, the change touches only
    that function, and the 95% interval of the time speedup (interleaved
    runs) lies above 1 + threshold.  Rejected functions come with reasons.

    Each proposal is one branch (perfforge/FUNCTION-HASH), one commit and
    one pull request, made through the GitHub REST API with the token in
    PERFFORGE_GITHUB_TOKEN or GITHUB_TOKEN (never printed, never put in git).
    No pull request is opened while one for the same function is open.

    Settings: pyproject.toml, \\[tool.perfforge]: roots, ignore, test-command,
    threshold, model, functions, max-functions, \\[tool.perfforge.budget]
    iterations/usd/tokens/wall-s.  Flags override them.

    Examples:

      perfforge ci --dry-run --base origin/main

      perfforge ci --functions hot --model openai/gpt-4o-mini

      perfforge ci init   (writes .github/workflows/perfforge.yml)
    """
    if ctx.invoked_subcommand is not None:
        return
    from agent.ci.pipeline import CiOptions, run_ci
    from agent.ci.report import render_text
    from agent.cli import progress_printer

    options = CiOptions(repo=repo, base=base, functions=functions, model=model, api_base=api_base,
                        max_functions=max_functions, threshold=threshold, iterations=iterations,
                        budget_usd=budget_usd, backend=backend, dry_run=dry_run, out=out,
                        github_api=github_api, github_repo=github_repo)
    report = run_ci(options, progress=progress_printer(quiet))
    typer.echo(json.dumps(report.model_dump(mode="json"), indent=2) if as_json else render_text(report))
    if any(o.status == "failed-to-open" for o in report.outcomes):
        raise typer.Exit(1)


@ci_app.command("init")
def init_command(
    repo: Path = typer.Option(Path("."), "--repo", help="The git repository."),
    branch: Optional[str] = typer.Option(None, "--branch", help="The default branch: pushes to it propose "
                                         "(default: origin's HEAD, else the current branch)."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="litellm model for proposals "
                                        "(default: the embedded offline model)."),
    model_secret: Optional[str] = typer.Option(None, "--model-secret", help="The repository secret holding the "
                                               "model's API key, e.g. OPENAI_API_KEY."),
    python: str = typer.Option("3.11", "--python", help="Python version of the runner."),
    max_functions: int = typer.Option(3, "--max-functions", min=1, help="Most pull requests per run."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing workflow."),
) -> None:
    """Write .github/workflows/perfforge.yml.

    Pull requests, forks included, get dry runs (artifacts only, no secrets,
    read-only token); pull requests are proposed only on pushes to the
    default branch, weekly, or by hand; its own branches and commits never
    trigger it.
    """
    from agent.ci.gitrepo import Repo
    from agent.ci.workflow import WorkflowOptions, write_workflow
    from perfforge.errors import ConfigError

    if model_secret and not model:
        raise ConfigError("--model-secret goes with --model (the embedded model needs no key)")
    root = Repo(repo)
    branch = branch or _default_branch(root)
    try:
        options = WorkflowOptions(branch=branch, model=model, model_secret=model_secret, python=python,
                                  max_functions=max_functions)
    except ValueError as exc:
        raise ConfigError(f"perfforge ci init: {exc.errors()[0]['msg'] if hasattr(exc, 'errors') else exc}") from None
    path = write_workflow(root.root, options, force=force)
    typer.echo(f"wrote {path}")
    typer.echo("commit it; pull requests get dry runs, pushes to "
               f"{branch} get proposals" + (f" (add the {model_secret} secret)" if model_secret else ""))


def _default_branch(repo: "Repo") -> str:
    from agent.ci.gitrepo import GitFailed

    try:
        head = repo.git("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD").strip()
        return head.split("/", 1)[1]
    except (GitFailed, IndexError):
        return repo.git("rev-parse", "--abbrev-ref", "HEAD").strip()


def register(app: typer.Typer) -> None:
    app.add_typer(ci_app, name="ci")
