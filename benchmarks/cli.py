"""``perfforge task ...``: check task folders."""

from __future__ import annotations

import json
from pathlib import Path

import typer

task_app = typer.Typer(help="Check and inspect task folders (task.toml + files).", no_args_is_help=True)


@task_app.command("validate")
def validate_command(
    folder: Path = typer.Argument(..., help="The task folder (holding task.toml)."),
    backend: str = typer.Option(None, "--backend", "-b", help="Sandbox backend: docker or local."),
    count: bool = typer.Option(True, "--count/--no-count", help="Measure instruction counts (reference order and margin)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress line."),
) -> None:
    """Check a task end to end in the sandbox.

    It must build; its generator's inputs must satisfy the contracts at every scale; the baseline and references must agree with the oracle and with the tests' stated answers; the references must be ordered by instruction count as listed (slowest first), separated by the margin measure.separation in task.toml.

    Exit 0 when the task is sound, 1 with the reasons otherwise, 2 when it could not be checked (malformed task.toml, no sandbox, valgrind missing).
    """
    from evaluators.cli import progress_reporter
    from evaluators.measure import validate

    with progress_reporter(not quiet) as progress:
        report = validate(folder, backend=backend, count=count, progress=progress)
    if as_json:
        typer.echo(json.dumps(report.model_dump(mode="json"), indent=2))
    else:
        status = "OK" if report.ok else f"{len(report.problems)} problem(s)"
        typer.echo(f"{report.task}: {status}")
        if report.scale is not None:
            typer.echo(f"  inputs: {report.tests} tests, {report.stress_inputs} stress inputs at scale {report.scale}")
        for label, facts in report.programs.items():
            parts = []
            if facts.get("instructions") is not None:
                parts.append(f"{facts['instructions']:,} instructions")
            if facts.get("stress_seconds") is not None:
                parts.append(f"{facts['stress_seconds'] * 1e3:.1f} ms")
            typer.echo(f"  {label}: {', '.join(parts) or 'not measured'}")
        for problem in report.problems:
            typer.echo(f"  problem: {problem}")
    raise typer.Exit(0 if report.ok else 1)


@task_app.command("show")
def show_command(folder: Path = typer.Argument(..., help="The task folder.")) -> None:
    """Print a task's parsed fields as JSON (checks the format only; runs nothing)."""
    from benchmarks.task import Task

    task = Task.load(folder)
    typer.echo(json.dumps(task.spec.model_dump(mode="json", by_alias=True), indent=2))


def register(app: typer.Typer) -> None:
    app.add_typer(task_app, name="task")
