"""``perfforge bench ...``: the bundled suites, published benchmark formats, and the
evaluation of pre-generated samples.  ``bench_app`` is the Typer group; later commands
(``run``, ``report``, ``compare``) add themselves to it."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any, Iterator, Optional

import typer

bench_app = typer.Typer(
    help=(
        "Benchmarks: the bundled suites, published formats (EvalPerf, COFFE, PIE), and the evaluation of "
        "pre-generated solutions with the field's scores (pass@1, efficient@1, DPS, DPS_norm, speedup, %Opt)."
    ),
    no_args_is_help=True,
)

FORMAT_HELP = "Published format of --data: evalperf, coffe, pie, hpctranseval or kernelbench."
BACKEND_HELP = "Sandbox backend: docker or local (default: docker where an engine answers, else local)."


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def _warn(text: str) -> None:
    typer.secho(f"warning: {text}", err=True, fg="yellow")


# --- list / show -----------------------------------------------------------------------------------


@bench_app.command("list")
def list_command(
    suite: Optional[str] = typer.Argument(None, help="A suite: list its tasks instead of the suites."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the bundled suites with their task counts by kind, or the tasks of SUITE.

    Task ids printed here are the ids a samples file for `bench evaluate --suite` uses.
    """
    from benchmarks import suites

    if suite is None:
        infos = suites.all_suites()
        if as_json:
            _echo_json([{"suite": i.name, "tasks": i.size, "kinds": i.kinds, "languages": i.languages,
                         "path": str(i.path), "problems": list(i.problems)} for i in infos])
            return
        width = max((len(i.name) for i in infos), default=5)
        for info in infos:
            kinds = ", ".join(f"{kind} {n}" for kind, n in info.kinds.items())
            langs = ", ".join(info.languages)
            typer.echo(f"{info.name:<{width}}  {info.size:>3} tasks  ({kinds}; {langs})")
            for problem in info.problems:
                _warn(f"left out: {problem}")
        return
    tasks = suites.suite_tasks(suite, strict=False)
    rows = [_task_row(t) for t in tasks]
    if as_json:
        _echo_json(rows)
        return
    width = max((len(r["id"]) for r in rows), default=2)
    for r in rows:
        typer.echo(f"{r['id']:<{width}}  {r['kind']:<9} {r['language']:<6} {r['interface']:<15} {r['title']}")
    for problem in suites.suite_info(suite).problems:
        _warn(f"left out: {problem}")


def _task_row(task: Any) -> dict[str, Any]:
    s = task.spec
    return {"id": task.id, "kind": s.kind, "language": s.language, "interface": s.interface.type, "title": s.title,
            "references": len(s.references)}


def task_summary(task: Any) -> dict[str, Any]:
    """What ``bench show`` prints: the task at a glance."""
    s = task.spec
    iface: dict[str, Any] = {"type": s.interface.type}
    for key in ("function", "signature", "driver", "args"):
        if getattr(s.interface, key, None):
            iface[key] = getattr(s.interface, key)
    stress = s.stress.model_dump(exclude_none=True)
    stress = {k: v for k, v in stress.items() if k in s.stress.model_fields_set or k in ("generator", "file")}
    return {
        "id": task.id, "title": s.title, "kind": s.kind, "language": s.language, "path": str(task.root),
        "interface": iface, "candidate": s.candidate, "baseline": s.baseline,
        "references": [{"file": r.file, "level": r.level} for r in s.references],
        "oracle": task.oracle[0],
        "tests": {"inline": len(s.tests.cases), "file": s.tests.file,
                  "with_answers": sum(1 for c in s.tests.cases if c.has_answer)},
        "stress": stress, "compare": s.compare.model_dump(), "limits": s.limits.model_dump(),
        "build": s.build.model_dump() if task.is_compiled else None,
        "isa": {**s.isa.model_dump(), **s.isa.tools.model_dump(include={"qemu", "cpu"})} if s.isa else None,
        "measure": s.measure.model_dump(), "tags": s.tags, "description": s.description.strip(),
    }


@bench_app.command("show")
def show_command(
    task: str = typer.Argument(..., help="A bundled task id (python-perf/dedupe) or a task folder."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Summarize a task: kind, interface, references, tests, stress settings, description."""
    from benchmarks.suites import resolve_task

    info = task_summary(resolve_task(task))
    if as_json:
        _echo_json(info)
        return
    iface = info["interface"]
    lines = [
        f"{info['id']}: {info['title']}",
        f"  kind        {info['kind']} ({info['language']}), candidate file {info['candidate']}",
        "  interface   " + ", ".join(f"{k} {v}" if k != "type" else v for k, v in iface.items()),
    ]
    if info["baseline"]:
        lines.append(f"  baseline    {info['baseline']}")
    refs = info["references"]
    lines.append(f"  references  {len(refs)}, slowest first: " + "; ".join(f"{r['level']} ({r['file']})" for r in refs)
                 if refs else "  references  none")
    lines.append(f"  oracle      {info['oracle']}")
    t = info["tests"]
    lines.append(f"  tests       {t['inline']} inline ({t['with_answers']} with stated answers)"
                 + (f" + the cases of {t['file']}" if t["file"] else ""))
    lines.append("  stress      " + ", ".join(f"{k} {v}" for k, v in info["stress"].items()))
    c = info["compare"]
    lines.append(f"  compare     {c['mode']}" + (f" (rel_tol {c['rel_tol']:g}, abs_tol {c['abs_tol']:g})" if c["mode"] == "float" else ""))
    lim = info["limits"]
    lines.append(f"  limits      {lim['time_factor']:g}x the oracle's time (at least {lim['time_floor_s']:g} s), {lim['memory_mib']} MiB")
    if info["build"]:
        b = info["build"]
        lines.append(f"  build       {b['compiler'] or 'default compiler'} -std={b['std'] or 'default'} {' '.join(b['flags'])}")
    if info["isa"]:
        i = info["isa"]
        lines.append(f"  isa         {i['source']} -> {i['target']}, run by {i['qemu']} -cpu {i['cpu']}, counted by "
                     f"{i['counter']}; {i['c_source']} covered >= {i['coverage']:.0%} by the tests")
    lines.append(f"  path        {info['path']}")
    if info["description"]:
        lines += ["", *("  " + line for line in info["description"].splitlines())]
    typer.echo("\n".join(lines))


# --- import ----------------------------------------------------------------------------------------


@bench_app.command("import")
def import_command(
    path: Path = typer.Argument(..., help="The published data: a file or folder (see --format)."),
    format_: str = typer.Option(..., "--format", "-f", help=FORMAT_HELP),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the task folders here (without it: check only)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Convert a published benchmark into perfforge task folders (one per record).

    evalperf: a .jsonl (or .json list) of EvalPerf records.  coffe: a COFFE dataset folder
    (best_solutions.json, testcases.json, stressful_testcases.json).  pie: a .jsonl of PIE
    pairs with tests/PROBLEM_ID/input.N.txt beside it.  hpctranseval: a .json/.jsonl of
    {op_name, cuda_code, c_code, op_args, input_shape, output_shape} records (cuda-to-cpu
    tasks).  kernelbench: a problem file or a folder of them (Model, get_inputs,
    get_init_inputs; PyTorch module tasks, judged on time).  A bad record is reported by file
    and record and the others are converted.  Each written folder passes
    `perfforge task validate` and works with every perfforge command.

    Exit 0 when every record converted, 1 when some were refused, 2 when the data could
    not be read at all.
    """
    import tempfile

    from benchmarks.loaders import get_loader

    loader = get_loader(format_)
    if not path.exists():
        from perfforge.errors import ConfigError

        raise ConfigError(f"{path}: no such file or folder")
    with tempfile.TemporaryDirectory(prefix="perfforge-import-") as scratch:
        conv = loader.convert(path, out if out is not None else Path(scratch))
        written = [{"id": it.task.id, "external_id": it.external_id,
                    "folder": str(it.task.root) if out is not None else None} for it in conv.tasks]
    if as_json:
        _echo_json({"format": conv.format, "source": conv.source, "out": str(out) if out else None, "tasks": written,
                    "problems": [str(p) for p in conv.problems], "notes": conv.notes})
    else:
        for problem in conv.problems:
            typer.secho(f"refused: {problem}", err=True, fg="yellow")
        for note in conv.notes:
            typer.echo(f"note: {note}")
        where = f"into {out}" if out is not None else "(checked only: nothing written; give --out DIR to write them)"
        typer.echo(f"{len(conv.tasks)} task(s) from {conv.source} {where}"
                   + (f"; {len(conv.problems)} record(s) refused" if conv.problems else ""))
        if out is not None and conv.tasks:
            typer.echo(f"check one: perfforge task validate {conv.tasks[0].task.root}")
    raise typer.Exit(1 if conv.problems else 0)


# --- evaluate --------------------------------------------------------------------------------------


class _Bar:
    """A rich progress bar with ETA on stderr (the ``Reporter`` of an evaluation)."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.bar = None

    def start(self, total: int) -> None:
        self.bar = self.progress.add_task("evaluating", total=total)

    def advance(self, n: int = 1) -> None:
        self.progress.advance(self.bar, n)

    def say(self, message: str) -> None:
        text = message if len(message) <= 60 else message[:57] + "..."
        self.progress.update(self.bar, description=text)


def _progress(enabled: bool) -> Any:
    from benchmarks.evaluate import QuietReporter

    @contextlib.contextmanager
    def bar() -> Iterator[Any]:
        if not enabled:
            yield QuietReporter()
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        columns = [TextColumn("{task.description}", justify="left"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn()]
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            yield _Bar(progress)

    return bar()


@bench_app.command("evaluate")
def evaluate_command(
    suite: Optional[str] = typer.Option(None, "--suite", "-s", help="A bundled suite (see `perfforge bench list`)."),
    data: Optional[Path] = typer.Option(None, "--data", "-d", help="Published data to evaluate on (with --format)."),
    format_: Optional[str] = typer.Option(None, "--format", "-f", help=FORMAT_HELP),
    samples: str = typer.Option(..., "--samples", help="The samples file, or `references` to evaluate the tasks' own references."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="The label reports show for these samples (default: the samples file's name)."),
    backend: Optional[str] = typer.Option(None, "--backend", "-b", help=BACKEND_HELP),
    workers: int = typer.Option(1, "--workers", "-w", min=1, max=64, help="Tasks evaluated at once (each in its own sandbox)."),
    resume: Optional[str] = typer.Option(None, "--resume", help="Continue an interrupted evaluation: its run id."),
    store_path: Optional[Path] = typer.Option(None, "--store", help="Run store file (default: $PERFFORGE_HOME/runs.sqlite)."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Evaluate pre-generated solutions (no model involved) and print the scores.

    Samples files: for --suite, JSONL {"task_id": ID, "solution": CODE} with the ids of
    `perfforge bench list SUITE` (or the task's folder name alone); for --format evalperf, JSONL {task_id, solution} (or
    {task_id, completion}); coffe, the predictions JSON mapping each prompt to (list of raw outputs, validity);
    pie, JSONL {task_id or problem_id, solution}; hpctranseval, JSONL {task_id or op_name,
    solution}; kernelbench, JSONL {task_id or problem, solution} defining ModelNew (scored by
    time against eager PyTorch, with fast_p).  A fenced reply is reduced to its code.
    Several lines for one task are several samples.  `--samples references` evaluates each
    task's references as its samples.

    Every sample runs in the sandbox: correctness against the oracle on the task's tests and
    stress inputs, then (when correct) its instruction count.  Each verdict is written to
    the run store as soon as it is known (the run id is printed; `--resume RUN_ID` finishes
    an interrupted evaluation).  Bad lines of the samples file and samples for unknown
    tasks are reported one by one and the rest is evaluated.

    Exit 0 when everything was evaluated, 1 when some lines or tasks were left out (listed),
    2 when nothing could be evaluated.

    Example: perfforge bench evaluate --suite examples --samples references
    """
    from agent.store import RunStore
    from benchmarks.bench_eval import plan, render_scores, summary_json
    from benchmarks.evaluate import Evaluation
    from benchmarks.summary import summarize

    job = plan(suite=suite, data=data, format_=format_, samples=samples, model=model)
    for line in job.problems:
        _warn(line)
    for line in job.notes:
        typer.echo(f"note: {line}", err=True)
    store = RunStore(store_path)
    config = {**job.config, "backend": backend, "workers": workers}
    with contextlib.ExitStack() as held:  # a second --resume of this run is refused meanwhile
        if resume:
            held.enter_context(store.lease(resume))
        run = job.open_run(store, resume, config)
        if not resume:
            held.enter_context(store.lease(run.id))
        typer.echo(f"run {run.id} ({'resumed' if resume else 'new'}; store {store.path})", err=True)
        evaluation = Evaluation(tasks=job.tasks, samples=job.samples, store=store, run_id=run.id, format=job.format,
                                model=job.model, backend=backend, workers=workers)
        try:
            with _progress(not quiet) as reporter:
                evaluation.reporter = reporter
                outcome = evaluation.run()
        except KeyboardInterrupt:
            store.set_status(run.id, "interrupted", note="interrupted by the user")
            typer.echo(f"interrupted: every verdict measured so far is kept in run {run.id}; "
                       f"finish it with the same command and --resume {run.id}", err=True)
            raise typer.Exit(130) from None
        for task_id, why in outcome.failed_tasks.items():
            typer.secho(f"not evaluated: {task_id}: {why}", err=True, fg="red")
        payloads = [row.payload for _, row in store.results([run.id])]
        scores = summarize(payloads)
        store.set_status(run.id, "failed" if outcome.failed_tasks else "done",
                         note=f"{len(outcome.failed_tasks)} task(s) not evaluated" if outcome.failed_tasks else "")
    if as_json:
        _echo_json(summary_json(job, run.id, store, scores, outcome))
    else:
        typer.echo(render_scores(job, run.id, scores, outcome))
    if not payloads:
        raise typer.Exit(2)
    raise typer.Exit(1 if outcome.failed_tasks or job.problems else 0)


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")


from benchmarks.run.cli import add_commands as _add_run_commands  # noqa: E402  (run, report, compare)

_add_run_commands(bench_app)
