"""``perfforge bench run | report | compare``: parse, build the objects, call the library, print.

:func:`add_commands` puts the three commands on the ``bench`` group (``benchmarks.bench_cli``).
Heavy imports stay inside the commands so that ``perfforge --help`` stays fast.
"""

from __future__ import annotations

import contextlib

import json
from pathlib import Path
from typing import Any, Optional

import typer

STORE_HELP = "Run store file (default: $PERFFORGE_HOME/runs.sqlite)."


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


# --- run -------------------------------------------------------------------------------------


def _new_config(suite: list[str], model: list[str], api_base: Optional[str], mode: Optional[str],
                samples: Optional[int], temperature: Optional[float], max_tokens: Optional[int],
                iterations: Optional[int], strategy: Optional[str], price: list[str], budget_usd: Optional[float],
                backend: Optional[str], model_timeout: Optional[float]) -> Any:
    from benchmarks.run.config import BenchRunConfig, parse_prices, resolve_tasks
    from evaluators.fingerprint import machine_fingerprint
    from perfforge.errors import ConfigError
    from sandbox.registry import check_name

    if not suite:
        raise ConfigError("--suite is required", hint="e.g. --suite codegen (`perfforge bench list` lists the suites)")
    if not model:
        raise ConfigError("--model is required", hint="e.g. --model openai/gpt-4o-mini (repeat for several models)")
    if len(set(model)) != len(model):
        raise ConfigError("a model is given twice: each --model must be different")
    if mode not in (None, "codegen", "optimize"):
        raise ConfigError(f"unknown --mode {mode!r}; modes: codegen, optimize")
    if backend is not None:
        check_name(backend)
    if mode == "optimize":
        from agent.strategies import get_strategy

        get_strategy(strategy or "refine")
    tasks, problems = resolve_tasks(suite)
    fields: dict[str, Any] = {"suites": suite, "models": model, "api_base": api_base, "mode": mode, "samples": samples,
                              "temperature": temperature, "max_tokens": max_tokens, "iterations": iterations,
                              "strategy": strategy, "budget_usd": budget_usd, "backend": backend,
                              "model_timeout_s": model_timeout}
    return BenchRunConfig(**{k: v for k, v in fields.items() if v is not None}, prices=parse_prices(price, model),
                          tasks=tasks, problems=problems,
                          fingerprint=machine_fingerprint(docker=False).model_dump(mode="json"))


def _stored_config(store: Any, run_id: str, given: dict[str, Any]) -> Any:
    from benchmarks.run.config import RUN_KIND, BenchRunConfig, check_resume, load_task
    from perfforge.errors import ConfigError

    record = store.get_run(run_id)
    if record.kind != RUN_KIND:
        hint = "resume it with `perfforge bench evaluate --resume`" if record.kind == "evaluate" else None
        raise ConfigError(f"run {run_id} is a {record.kind!r} run, not a bench run", hint=hint)
    config = BenchRunConfig.model_validate({k: v for k, v in record.config.items() if k in BenchRunConfig.model_fields})
    check_resume(config, given)
    for entry in config.tasks:
        load_task(entry)  # a task that changed since the run started is an error now, not half-way
    return config


def run_command(
    suite: list[str] = typer.Option([], "--suite", "-s", help="Suites, bundled task ids (suite/task) or task folders; "
                                    "comma-separated or repeated."),
    model: list[str] = typer.Option([], "--model", "-m", help="litellm model string (repeat for several models)."),
    api_base: Optional[str] = typer.Option(None, "--api-base", help="An OpenAI-compatible server's base URL."),
    mode: Optional[str] = typer.Option(None, "--mode", help="codegen (default): N single answers per task; "
                                       "optimize: N agent runs per task, each one's best candidate is a sample."),
    samples: Optional[int] = typer.Option(None, "--samples", "-n", min=1, help="Samples per task and model (default 1)."),
    temperature: Optional[float] = typer.Option(None, "--temperature", "-t", min=0, max=2,
                                                help="Sampling temperature (default 0)."),
    max_tokens: Optional[int] = typer.Option(None, "--max-tokens", min=16, help="Most tokens per reply (default 2048)."),
    iterations: Optional[int] = typer.Option(None, "--iterations", min=1,
                                             help="optimize mode: model exchanges per agent run (default 3)."),
    strategy: Optional[str] = typer.Option(None, "--strategy", help="optimize mode: refine, best-of-n or evolve."),
    price: list[str] = typer.Option([], "--price", help="MODEL=IN,OUT: USD per million prompt/completion tokens, "
                                    "for a model litellm has no price for."),
    budget_usd: Optional[float] = typer.Option(None, "--budget-usd", min=0, help="Most dollars for the whole run."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, max=256, help="Evaluations at once (each worker its own sandbox)."),
    executor: str = typer.Option("local", "--executor", "-x", help="local (a process pool) or ray."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="A Ray cluster (HOST:PORT, ray://HOST:PORT, "
                                              "auto); default: a local Ray instance for the run."),
    backend: Optional[str] = typer.Option(None, "--backend", "-b", help="Sandbox backend: docker or local."),
    model_timeout: Optional[float] = typer.Option(None, "--model-timeout", min=1, help="Seconds to wait for one reply."),
    resume: Optional[str] = typer.Option(None, "--resume", help="Continue an interrupted run: its run id."),
    store_path: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome and leaderboard as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Evaluate models on suites: samples from each model (or agent runs), every one evaluated in the sandbox, and the leaderboard.

    codegen mode asks each model for --samples answers per task (codegen tasks from the description, perf-edit tasks with the program to make faster), extracts the code and evaluates it: correctness against the oracle on the tests and stress inputs, then the instruction count. optimize mode runs the agent (--iterations exchanges) per task and evaluates its best candidate.

    Every sample, its tokens, cost and time go to the run store as they are produced, and every reply is journaled: after a crash or Ctrl-C, --resume RUN_ID continues without redoing anything stored or repeating a model call.

    Exit 0 when every sample was evaluated, 1 when some tasks could not be (listed) or the budget stopped the run, 2 on bad input, 130 when interrupted.

    Examples:

      perfforge bench run --suite codegen --model openai/gpt-4o-mini --samples 5 --temperature 0.8

      perfforge bench run --suite python-perf,c-perf -m openai/a -m openai/b --api-base http://127.0.0.1:8000/v1 -w 2

      perfforge bench run --suite codegen -m openai/gpt-4o --executor ray --ray-address 10.0.0.5:6379 -w 32
    """

    from agent.store import RunStore
    from benchmarks.bench_cli import _progress
    from benchmarks.executors import get_executor
    from benchmarks.run.config import RUN_KIND
    from benchmarks.run.produce import open_models
    from benchmarks.run.runner import BenchRun, RunStopped

    store = RunStore(store_path)
    # a second --resume of a run that is being worked on is refused before anything else happens
    with store.lease(resume) if resume else contextlib.nullcontext():
        given = {"suites": suite, "models": model, "api_base": api_base, "mode": mode, "samples": samples,
                 "temperature": temperature, "max_tokens": max_tokens, "iterations": iterations, "strategy": strategy}
        if resume:
            config = _stored_config(store, resume, given)
        else:
            config = _new_config(suite, model, api_base, mode, samples, temperature, max_tokens, iterations, strategy,
                                 price, budget_usd, backend, model_timeout)
        for problem in config.problems:
            typer.secho(f"warning: task left out: {problem}", err=True, fg="yellow")
        # models and executor first: bad input (an unknown model, no Ray, an unreachable cluster) leaves no run behind
        open_models(config)
        pool = get_executor(executor, workers=workers, ray_address=ray_address)
        with contextlib.ExitStack() as held:
            held.callback(pool.close, cancel=True)
            if resume:
                store.set_status(resume, "running", note="resumed")
                run_id = resume
            else:
                record = store.create_run(RUN_KIND, {"command": "bench run", **config.model_dump(mode="json")})
                run_id = record.id
                held.enter_context(store.lease(run_id))
            typer.echo(f"run {run_id} ({'resumed' if resume else 'new'}; {len(config.tasks)} tasks x "
                       f"{len(config.models)} models x {config.samples} samples; {pool.name} executor, "
                       f"{workers} worker(s); store {store.path})", err=True)
            bench = BenchRun(config, store, run_id, pool)
            try:
                with _progress(not quiet and not as_json) as reporter:
                    bench.reporter = reporter
                    outcome = bench.run()
            except KeyboardInterrupt:
                store.set_status(run_id, "interrupted", note="interrupted by the user")
                typer.echo(f"interrupted: every verdict so far is kept; continue with: perfforge bench run --resume {run_id}",
                           err=True)
                raise typer.Exit(130) from None
            except RunStopped as stop:
                store.set_status(run_id, "interrupted", note=stop.message[:500])
                raise
            incomplete = bool(outcome.failed_tasks or outcome.budget_stop or outcome.not_generated)
            note = "; ".join(filter(None, [
                f"{len(outcome.failed_tasks)} task(s) not evaluated" if outcome.failed_tasks else "",
                f"budget: {outcome.budget_stop}" if outcome.budget_stop else ""]))
            store.set_status(run_id, "failed" if outcome.failed_tasks else "done", note=note)
        _print_outcome(store, run_id, outcome, as_json)
        raise typer.Exit(1 if incomplete else 0)


def _print_outcome(store: Any, run_id: str, outcome: Any, as_json: bool) -> None:
    import dataclasses

    from benchmarks.report import build
    from benchmarks.report.tables import render_text

    report = build(store, [run_id]) if store.results([run_id]) else None
    figures = throughput(outcome)
    if as_json:
        _echo_json({"run_id": run_id, "store": str(store.path), "outcome": dataclasses.asdict(outcome),
                    "throughput": figures, "report": report.model_dump(mode="json") if report else None})
        return
    for task_id, why in outcome.failed_tasks.items():
        typer.secho(f"not evaluated: {task_id}: {why}", err=True, fg="red")
    if outcome.budget_stop:
        typer.secho(f"budget reached: {outcome.budget_stop}; {outcome.not_generated} sample(s) not generated",
                    err=True, fg="yellow")
    if report is not None:
        typer.echo(render_text(report), nl=False)
    typer.echo(figures["line"])
    typer.echo(f"more: perfforge bench report {run_id} --format html --out report.html")


def throughput(outcome: Any) -> dict[str, Any]:
    """Samples per minute, and where the time went: the candidates' own execution against the
    harness (building, checking, counting, and everything around)."""
    wall = outcome.wall_s
    rate = outcome.written / wall * 60 if wall > 0 and outcome.written else 0.0
    candidate_share = outcome.candidate_s / outcome.eval_s if outcome.eval_s > 0 else 0.0
    line = (f"evaluated {outcome.written} samples in {wall:.1f} s ({rate:.1f} samples/min); "
            f"{100 * candidate_share:.1f}% of the evaluation time in the candidates' own execution, "
            f"{100 * (1 - candidate_share):.1f}% in the harness")
    if outcome.resumed:
        line += f"; {outcome.resumed} resumed from the store"
    return {"samples": outcome.written, "wall_s": wall, "samples_per_min": rate, "candidate_share": candidate_share,
            "line": line}


# --- report ----------------------------------------------------------------------------------


def report_command(
    run_ids: list[str] = typer.Argument(..., help="Run ids of `bench run` and `bench evaluate` runs."),
    format_: str = typer.Option("table", "--format", "-f", help="table, csv, parquet or html."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write here (needed for parquet and html)."),
    level: str = typer.Option("leaderboard", "--level", help="csv/parquet: leaderboard, tasks or samples (every "
                              "sample's verdict, flattened)."),
    store_path: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the report's figures as JSON."),
) -> None:
    """Leaderboards per suite and task kind, from bench runs and bench evaluations.

    Scores: pass@1, efficient@1, DPS, DPS_norm, speedup (geometric mean), %Opt and fast_p where they apply; and what each model's samples cost per task: tokens, dollars, wall time and energy (estimated).

    --format html writes one self-contained file (the tables, and plots of the speedup distribution per model, cost vs speedup and a per-task heatmap) that opens in a browser with no server.

    Examples:

      perfforge bench report RUN_A RUN_B

      perfforge bench report RUN_A --format html --out report.html

      perfforge bench report RUN_A --format parquet --level samples --out samples.parquet
    """

    from agent.store import RunStore
    from benchmarks.report import build, write
    from benchmarks.report.tables import LEVELS
    from perfforge.errors import ConfigError

    if level not in LEVELS:
        raise ConfigError(f"unknown --level {level!r}; levels: {', '.join(LEVELS)}")
    store = RunStore(store_path)
    report = build(store, run_ids)
    if as_json:
        _echo_json(report.model_dump(mode="json"))
        return
    text = write(report, format_, out, level=level, store=store, run_ids=run_ids)
    if text is not None:
        typer.echo(text, nl=False)
    else:
        typer.echo(f"wrote {out}", err=True)


# --- compare ---------------------------------------------------------------------------------


def compare_command(
    run_a: str = typer.Argument(..., help="The first run (A)."),
    run_b: str = typer.Argument(..., help="The second run (B)."),
    model_a: Optional[str] = typer.Option(None, "--model-a", help="A's model, when its run holds several."),
    model_b: Optional[str] = typer.Option(None, "--model-b", help="B's model, when its run holds several."),
    force: bool = typer.Option(False, "--force", help="Compare runs measured in different conditions (with a warning)."),
    store_path: Optional[Path] = typer.Option(None, "--store", help=STORE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Per-task differences between two runs, with significance.

    Tests: Mann-Whitney U on the per-sample speedups (a wrong sample ranks lowest), Benjamini-Hochberg adjusted over the tasks; Fisher's exact test on correctness; Wilcoxon signed-rank over the tasks.

    Runs measured on different machines, sandbox images, interpreters or compilers are refused (their instruction counts differ for reasons other than the code) unless --force, which prints the reasons with the result.
    """

    from agent.store import RunStore
    from benchmarks.compare import compare, render

    result = compare(RunStore(store_path), run_a, run_b, model_a=model_a, model_b=model_b, force=force)
    if as_json:
        _echo_json(result.model_dump(mode="json"))
        return
    for reason in result.reasons:
        typer.secho(f"warning: the runs are not comparable: {reason}", err=True, fg="yellow")
    typer.echo(render(result))


def add_commands(app: typer.Typer) -> None:
    """Put ``run``, ``report`` and ``compare`` on the ``bench`` group."""
    app.command("run")(run_command)
    app.command("report")(report_command)
    app.command("compare")(compare_command)


__all__ = ["add_commands", "throughput"]
