"""What ``perfforge bench evaluate`` evaluates (tasks + samples + run config) and how it
prints the scores.  The command itself stays thin: parse, plan, run, print."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.evaluate import EvalTask, Outcome, references_as_samples
from benchmarks.loaders.base import ImportedTask, SampleSet, TaskIndex, read_jsonl_samples
from benchmarks.summary import Scores
from perfforge.errors import ConfigError

REFERENCES = "references"
# the scores printed for a bundled suite: all that apply
SUITE_HEADLINE = ("pass_at_1", "efficient_at_1", "dps", "dps_norm", "speedup", "pie_pct_opt")


@dataclass
class Plan:
    tasks: list[EvalTask]
    samples: SampleSet
    format: str
    suite: str
    model: str
    headline: tuple[str, ...]
    config: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def open_run(self, store: Any, resume: str | None, config: dict[str, Any]) -> Any:
        """A new ``evaluate`` run, or the one being resumed (which must be of the same input)."""
        if resume is None:
            return store.create_run("evaluate", config)
        run = store.get_run(resume)
        if run.kind != "evaluate":
            raise ConfigError(f"run {resume} is a {run.kind!r} run, not an evaluation")
        for key in ("suite", "format", "data_sha256", "samples_sha256", "model"):
            if run.config.get(key) != config.get(key):
                raise ConfigError(
                    f"run {resume} evaluated a different input ({key}: {run.config.get(key)!r}, now {config.get(key)!r})",
                    hint="resume with the same --suite/--data, --samples and --model the run began with",
                )
        store.set_status(resume, "running", note="resumed")
        return run


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plan(*, suite: str | None, data: Path | None, format_: str | None, samples: str, model: str | None) -> Plan:
    """Resolve the tasks and read the samples; bad sample lines become ``problems``."""
    if (suite is None) == (data is None):
        raise ConfigError("give either --suite NAME or --data PATH --format F", hint="`perfforge bench list` lists the suites")
    if data is not None and format_ is None:
        from benchmarks.loaders import LOADERS

        raise ConfigError(f"--data needs --format ({', '.join(LOADERS)})")
    if suite is not None and format_ is not None:
        raise ConfigError("--format goes with --data; a bundled suite has no format to give")
    use_refs = samples == REFERENCES and not Path(samples).exists()
    samples_path = None if use_refs else Path(samples).expanduser()
    if samples_path is not None and not samples_path.is_file():
        raise ConfigError(f"{samples}: no such samples file", hint=f"or `--samples {REFERENCES}` to evaluate the references")
    notes: list[str] = []
    if suite is not None:
        from benchmarks import suites

        info = suites.suite_info(suite)
        tasks = [EvalTask(t, suite) for t in suites.suite_tasks(suite, strict=False)]
        notes += [f"task left out: {p}" for p in info.problems]
        index = TaskIndex([ImportedTask(t.task.root.name, t.task) for t in tasks])  # "py-dedupe" works too
        read = (lambda path: read_jsonl_samples(path, index))
        fmt, headline, data_sha = "suite", SUITE_HEADLINE, None
    else:
        from benchmarks.loaders import convert_cached, get_loader, import_cache

        loader = get_loader(format_)
        conv = convert_cached(loader, data)
        notes += [f"record left out: {p}" for p in conv.problems] + conv.notes
        tasks = [EvalTask(it.task, loader.name, it.external_id) for it in conv.tasks]
        index = conv.index()
        read = (lambda path: loader.read_samples(path, index))
        fmt, headline, suite = loader.name, loader.headline, loader.name
        data_sha = import_cache(loader, data).name
    sampled = references_as_samples(tasks) if samples_path is None else read(samples_path)
    if not sampled.samples:
        raise ConfigError(f"{samples}: no usable samples" + (f" ({len(sampled.problems)} bad line(s))" if sampled.problems else ""),
                          hint=str(sampled.problems[0]) if sampled.problems else None)
    have = sampled.by_task()
    missing = [t.task.id for t in tasks if t.task.id not in have]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        notes.append(f"{len(missing)} task(s) have no samples and are not scored: {shown}")
    label = model or (REFERENCES if samples_path is None else samples_path.stem)
    config = {
        "command": "bench evaluate", "suite": suite, "format": fmt,
        "data": str(Path(data).resolve()) if data is not None else None, "data_sha256": data_sha,
        "samples": REFERENCES if samples_path is None else str(samples_path.resolve()),
        "samples_sha256": None if samples_path is None else _file_hash(samples_path),
        "model": label, "tasks": len(tasks), "sample_count": len(sampled.samples),
    }
    return Plan(tasks=tasks, samples=sampled, format=fmt, suite=suite, model=label, headline=headline, config=config,
                problems=[str(p) for p in sampled.problems], notes=notes + sampled.notes)


# --- printing ---------------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def score_lines(scores: Scores, headline: tuple[str, ...]) -> list[str]:
    """One line per headline score that applies (``None`` scores are left out)."""
    s = scores
    lines: list[str] = []
    for key in headline:
        if key == "pass_at_1" and s.pass_at_1 is not None:
            lines.append(f"pass@1          {_pct(s.pass_at_1):>8}   ({s.correct}/{s.samples} samples correct, mean over {s.tasks} tasks)")
        elif key == "efficient_at_1" and s.efficient_at_1 is not None:
            lines.append(f"efficient@1     {_pct(s.efficient_at_1):>8}   (correct and fewer instructions than the best reference; "
                         f"{s.efficient_tasks} tasks)")
        elif key == "dps" and s.dps is not None:
            lines.append(f"DPS             {s.dps:>8.1f}    (EvalPerf; {s.dps_tasks} codegen tasks)")
        elif key == "dps_norm" and s.dps_norm is not None:
            lines.append(f"DPS_norm        {s.dps_norm:>8.1f}")
        elif key == "speedup" and s.speedup is not None:
            measured = "time" if s.fast_p_tasks and s.fast_p_tasks == s.tasks else "instructions"
            lines.append(f"speedup         {s.speedup:>7.2f}x    (geometric mean over {s.speedup_samples} correct samples, "
                         f"vs baseline or fastest reference, {measured})")
        elif key == "coffe_speedup" and s.coffe_speedup is not None:
            lines.append(f"speedup (COFFE) {s.coffe_speedup:>7.3f}x    (sum of reference / sum of candidate instructions, "
                         "correct samples)")
        elif key == "pie_speedup" and s.pie_speedup is not None:
            lines.append(f"Speedup (PIE)   {s.pie_speedup:>7.3f}x    (mean of max(1, t_slow/t_best) over {s.pie_programs} programs; "
                         "t = instructions, standing in for gem5's time)")
        elif key in ("pie_pct_opt",) and s.pie_pct_opt:
            shown = ", ".join(f"{_pct(v)} at {k}x" for k, v in s.pie_pct_opt.items())
            lines.append(f"%Opt (PIE)      {shown}   ({s.pie_programs} perf-edit programs)")
        elif key == "fast_p" and s.fast_p:
            shown = ", ".join(f"fast_{k} {_pct(v)}" for k, v in s.fast_p.items())
            lines.append(f"fast_p          {shown}   (KernelBench: correct and faster than eager PyTorch by more "
                         f"than p, time; {s.fast_p_tasks} tasks)")
        elif key == "pie_pct_correct" and s.pie_pct_correct is not None:
            lines.append(f"%Correct (PIE)  {_pct(s.pie_pct_correct):>8}")
    return lines


def render_scores(plan: Plan, run_id: str, scores: Scores, outcome: Outcome) -> str:
    lines = [f"{plan.suite}: {scores.tasks} tasks, {scores.samples} samples of {plan.model!r} (run {run_id})"]
    lines += ["  " + line for line in score_lines(scores, plan.headline)]
    for t in scores.per_task:
        extra = []
        if t.best_speedup:
            extra.append(f"best {t.best_speedup:.2f}x")
        if t.dps_norm is not None:
            extra.append(f"DPS_norm {t.dps_norm:.1f}")
        if t.efficient_at_1 is not None:
            extra.append(f"efficient@1 {t.efficient_at_1:.0f}%")
        lines.append(f"    {t.task_id}: {t.correct}/{t.samples} correct" + (f", {', '.join(extra)}" if extra else ""))
    lines.append("  " + throughput_line(outcome))
    return "\n".join(lines)


def throughput_line(outcome: Outcome) -> str:
    if not outcome.written:
        return f"nothing new evaluated ({outcome.resumed} results were already in the run)"
    rate = outcome.written / outcome.wall_s * 60 if outcome.wall_s > 0 else 0.0
    share = 100.0 * (1 - outcome.candidate_s / outcome.wall_s) if outcome.wall_s > 0 else 0.0
    text = (f"evaluated {outcome.written} samples in {outcome.wall_s:.1f} s ({rate:.1f} samples/min); "
            f"{share:.1f}% of the time outside the candidates' own execution")
    return text + (f"; {outcome.resumed} resumed from the store" if outcome.resumed else "")


def summary_json(plan: Plan, run_id: str, store: Any, scores: Scores, outcome: Outcome) -> dict[str, Any]:
    return {
        "run_id": run_id, "store": str(store.path), "suite": plan.suite, "format": plan.format, "model": plan.model,
        "scores": scores.model_dump(mode="json"),
        "headline": list(plan.headline),
        "problems": plan.problems, "notes": plan.notes, "failed_tasks": outcome.failed_tasks,
        "evaluated": outcome.written, "resumed": outcome.resumed, "wall_s": outcome.wall_s,
        "candidate_s": outcome.candidate_s,
    }
