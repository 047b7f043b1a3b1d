"""The root command line.  It only assembles the groups each package owns and turns
:class:`~perfforge.errors.PerfforgeError` into one clear line and exit code 2."""

from __future__ import annotations

import importlib
import sys

import typer

from perfforge import __version__
from perfforge.errors import PerfforgeError

app = typer.Typer(
    name="perfforge",
    help=(
        "Make code faster with LLM agents, and judge models on how efficient their code is.\n\n"
        "Every candidate runs in a sandbox; the harness measures correctness, CPU instructions, "
        "time, memory and energy itself."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # a docstring's lines are re-flowed; blank lines separate paragraphs
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Each package owns its commands: a module listed here exposes ``register(app)``.
# The modules keep their heavy imports inside the command functions, so that
# ``perfforge --help`` stays fast.
COMMAND_MODULES: list[str] = [
    "sandbox.cli",
    "agent.model_cli",
    "benchmarks.cli",
    "evaluators.cli",
    "benchmarks.bench_cli",
    "agent.cli",
    "agent.ci.cli",
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"perfforge {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """perfforge: make code faster, with evidence."""


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main() -> None:
    try:
        app()
    except PerfforgeError as exc:
        typer.secho(f"error: {exc.message}", err=True, fg="red")
        if exc.hint:
            typer.echo(f"hint: {exc.hint}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted: everything measured so far is kept.", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
