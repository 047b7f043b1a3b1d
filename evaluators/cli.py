"""``perfforge measure``: judge one candidate on one task and print the verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import typer

BACKEND_HELP = "Sandbox backend: docker or local (default: docker where an engine answers, else local)."


def progress_reporter(enabled: bool) -> Any:
    """A context manager yielding a ``progress(message)`` callable: a rich status line on stderr."""
    import contextlib

    @contextlib.contextmanager
    def reporter() -> Iterator[Callable[[str], None]]:
        if not enabled:
            yield lambda _msg: None
            return
        from rich.console import Console

        console = Console(stderr=True)
        with console.status("starting the sandbox") as status:
            yield lambda msg: status.update(msg)

    return reporter()


def _num(n: int) -> str:
    return f"{n:,}"


def _size_kib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def _seconds(s: float) -> str:
    return f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.3f} s"


def render(verdict: Any) -> str:
    """A short human verdict, stating the fallbacks chosen."""
    v = verdict
    c = v.correctness
    lines = []
    where = f"{c.tests} tests + {c.stress} stress inputs (scale {c.scale})"
    if v.correct:
        lines.append(f"{v.task}: CORRECT on {where}")
    elif v.error:
        lines.append(f"{v.task}: NOT RUNNABLE: {v.error.splitlines()[0] if v.error else ''}")
        rest = v.error.splitlines()[1:]
        lines += [f"  {line}" for line in rest[-12:]]
    else:
        lines.append(f"{v.task}: WRONG: {len(v.failures)} failure(s) on {where}")
        lines += [f"  {f.input}: {f.reason}" for f in v.failures[:10]]
        if len(v.failures) > 10:
            lines.append(f"  ... and {len(v.failures) - 10} more")
    if v.instructions:
        i = v.instructions
        ratio = f"{i.speedup:.2f}x fewer" if i.speedup and i.speedup >= 1 else (
            f"{1 / i.speedup:.2f}x more" if i.speedup else "n/a")
        # a C process counts whole, a translation only in its own code: no empty run to speak of
        subtracted = "empty run subtracted, " if any(i.calibration.values()) else ""
        lines.append(f"instructions: {i.baseline_label} {_num(i.baseline)} -> candidate {_num(i.candidate)} "
                     f"({ratio}; {i.method}, {subtracted}summed over {i.inputs} stress inputs)")
        if i.references:
            lines.append("  references: " + ", ".join(f"{k} {_num(n)}" for k, n in i.references.items()))
    if v.time:
        t = v.time
        claim = "FASTER" if t.significant else ("SLOWER" if t.slower else "no significant difference")
        lines.append(f"time: {t.baseline_label} {_seconds(t.baseline_median_s)} -> candidate {_seconds(t.candidate_median_s)} "
                     f"(median of {t.runs}); speedup {t.speedup:.2f}x, ci95 [{t.ci95[0]:.2f}, {t.ci95[1]:.2f}], "
                     f"p={t.p_value:.2g}: {claim} (threshold {t.threshold:.0%})")
    if v.memory:
        m = v.memory
        text = f"memory: peak RSS {_size_kib(m.baseline.peak_rss_kib)} -> {_size_kib(m.candidate.peak_rss_kib)}"
        if m.baseline.python_peak_bytes is not None:
            text += f"; Python peak {m.baseline.python_peak_bytes / 1024:.1f} KiB -> {m.candidate.python_peak_bytes / 1024:.1f} KiB"
        lines.append(text)
    if v.energy:
        e = v.energy
        lines.append(f"energy: {e['baseline']['joules']:.3f} J -> {e['candidate']['joules']:.3f} J ({e['method']})")
    for note in v.notes:
        lines.append(f"note: {note}")
    if v.fallbacks:
        lines.append("fallbacks:")
        lines += [f"  - {f}" for f in v.fallbacks]
    sb = v.provenance.sandbox
    lines.append(f"measured in the {sb.get('backend')} sandbox ({sb.get('image_id') or sb.get('image')}), "
                 f"python {v.provenance.python}" + (f", {v.provenance.compiler}" if v.provenance.compiler else ""))
    return "\n".join(lines)


def measure_command(
    task: Path = typer.Option(..., "--task", "-t", help="The task folder (holding task.toml)."),
    candidate: Path = typer.Option(..., "--candidate", "-c", help="The candidate's source file."),
    metrics: str = typer.Option(
        "instructions,time,memory,energy", "--metrics", "-m",
        help="Comma-separated metrics to take once the candidate is correct: instructions, time, memory, "
        "energy; 'none' checks correctness only.",
    ),
    backend: str = typer.Option(None, "--backend", "-b", help=BACKEND_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the whole verdict as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress line."),
) -> None:
    """Judge CANDIDATE on TASK: correctness first, then the metrics, all in the sandbox.

    Correctness is differential: the candidate must match the task's oracle (and the stated answers) on every test and stress input, within per-input time limits derived from the oracle's times.

    Exit 0 whenever the measurement ran, whatever the verdict (read "correct"). Exit 2 with one line when it could not run (malformed task, missing file, valgrind missing in the sandbox, no sandbox), or when a metric failed for a reason of the infrastructure (the verdict is printed first).

    Example: perfforge measure --task benchmarks/suites/examples/py-dedupe --candidate fast.py
    """
    from evaluators.measure import measure, parse_metrics, verdict_json

    chosen = parse_metrics(metrics)
    with progress_reporter(not quiet) as progress:
        verdict = measure(task, candidate, metrics=chosen, backend=backend, progress=progress)
    typer.echo(verdict_json(verdict) if as_json else render(verdict))
    if verdict.metric_errors:  # what was measured is printed above; the missing part is an error
        metric, message = next(iter(verdict.metric_errors.items()))
        typer.secho(f"error: {metric} could not be measured: {message}", err=True, fg="red")
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.command("measure")(measure_command)
