"""``perfforge sandbox ...``: build the image, run one command, diagnose the backends."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

sandbox_app = typer.Typer(
    help="Run untrusted commands in the sandbox; build its image; diagnose backends.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app, name="sandbox")


@sandbox_app.command("exec", context_settings={"allow_interspersed_args": False})
def exec_command(
    command: list[str] = typer.Argument(..., metavar="-- CMD [ARGS]...", help="The command to run inside the sandbox."),
    backend: Optional[str] = typer.Option(None, "--backend", "-b", help="docker or local (default: docker where an engine answers, else local)."),
    timeout: float = typer.Option(10.0, "--timeout", "-t", help="Wall-clock seconds before the whole process tree is killed."),
    memory: int = typer.Option(1024, "--memory", "-m", help="Memory limit in MiB (no swap)."),
    pids: int = typer.Option(64, "--pids", help="Processes/threads the command may have at once."),
    files: list[str] = typer.Option([], "--file", "-f", metavar="LOCAL[:DEST]", help="Copy a local file into the work dir (repeatable)."),
    env: list[str] = typer.Option([], "--env", "-e", metavar="KEY=VALUE", help="Set a variable (the host's environment is never passed)."),
    stdin_file: Optional[Path] = typer.Option(None, "--stdin", help="File to feed on the command's stdin."),
    as_json: bool = typer.Option(False, "--json", help="Print the ExecResult as JSON."),
) -> None:
    """Run one command in the sandbox and print what happened.

    The command runs in /work with only the files you pass, no network and no host
    environment.  The exit status is 0 whenever the sandbox worked, whatever the
    command did (its own exit code is in the output).

    Example: perfforge sandbox exec --file prog.py -- python3 prog.py
    """
    from sandbox.cli_exec import build_spec, print_result
    from sandbox.registry import get_sandbox

    spec = build_spec(command, timeout=timeout, memory=memory, pids=pids, files=files, env=env, stdin_file=stdin_file)
    sandbox = get_sandbox(backend, pool_size=1)
    try:
        result = sandbox.run(spec)
    finally:
        sandbox.close()
    print_result(result, as_json=as_json)


@sandbox_app.command("build")
def build_command(
    force: bool = typer.Option(False, "--force", help="Rebuild even if an image with the current recipe exists."),
    method: str = typer.Option("auto", "--method", help="auto, debootstrap (no registry needed) or dockerfile."),
    tag: Optional[str] = typer.Option(None, "--tag", help="Image tag (default: perfforge-sandbox:VERSION)."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Build the sandbox image (python3 + numpy, gcc/g++ with OpenMP and gcov, make, valgrind,
    qemu-user, aarch64 and riscv64 cross toolchains).

    auto uses sandbox/Dockerfile when the base image is present or can be pulled quickly,
    otherwise a debootstrap root filesystem (needs root and deb.debian.org).  An image with
    the current recipe is reused unless --force.
    """
    import json

    from rich.console import Console

    from sandbox.build import build_image

    console = Console(stderr=True)
    with console.status("building the sandbox image...") as status:
        outcome = build_image(tag, force=force, method=method, progress=lambda line: status.update(line[:120]))
    if as_json:
        typer.echo(json.dumps(outcome.as_dict()))
    elif outcome.reused:
        typer.echo(f"{outcome.tag} is up to date ({outcome.image_id[:19]}); --force rebuilds it")
    else:
        typer.echo(f"built {outcome.tag} ({outcome.image_id[:19]}) with {outcome.method} in {outcome.seconds:.0f} s")


@sandbox_app.command("doctor")
def doctor_command(as_json: bool = typer.Option(False, "--json", help="Print the diagnosis as JSON.")) -> None:
    """Say which sandbox backends work here and, for each that does not, why and how to fix it.

    Each backend is tried for real (one `true` execution).  Exits 1 when none is usable.
    """
    import json

    from sandbox.doctor import diagnose, render

    diagnosis = diagnose()
    typer.echo(json.dumps(diagnosis, indent=2) if as_json else render(diagnosis))
    if not diagnosis["usable"]:
        raise typer.Exit(1)
