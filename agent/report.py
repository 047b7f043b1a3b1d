"""The run's report: what was tried, what was measured, what it cost.

Written into the output folder after every attempt and when the run ends:

- ``report.md``: the table of attempts; the original against the best with instruction
  counts, time with its confidence interval, memory, energy (and how each was taken);
  tokens and cost;
- ``summary.json``: the same as data (``perfforge optimize --json`` prints it);
- the best accepted candidate under the task's candidate file name, and a unified diff
  (``<name>.diff``) against the original, when there is one.

Figures come from the run store's journal (the verdicts as measured), never re-derived.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agent.attempts import Attempt


class RunSummary(BaseModel):
    run_id: str
    status: str
    stop_reason: str = ""
    task: str
    kind: str
    strategy: str
    models: list[str]
    baseline: dict[str, Any] | None = None
    best: dict[str, Any] | None = Field(None, description="the best accepted attempt (for codegen and translations, "
                                        "else the best correct one); None when there is none")
    attempts: list[dict[str, Any]] = Field(default_factory=list)
    spent: dict[str, Any] = Field(default_factory=dict)
    files: dict[str, str] = Field(default_factory=dict)
    resume: str | None = Field(None, description="the command that continues an interrupted run")


def _verdict(loop: Any, attempt: Attempt | None) -> dict[str, Any] | None:
    if attempt is None or not attempt.measured:
        return None
    key = "baseline/verdict" if attempt.n == 0 else f"cand/{(attempt.fingerprint or '')[:24]}/verdict"
    return loop.store.lookup(loop.run_id, key)


def summarize(loop: Any, strategy: str) -> RunSummary:
    spend = loop.store.spent(loop.run_id)
    start, best = loop.start_attempt, loop.result
    return RunSummary(
        run_id=loop.run_id, status=loop.status, stop_reason=loop.stop_reason, task=loop.task.id,
        kind=loop.task.spec.kind, strategy=strategy, models=[m.name for m in loop.models],
        baseline=start.summary() if start is not None and start.measured else None,
        best=best.summary() if best else None, attempts=[a.summary() for a in loop.attempts],
        spent={"calls": spend.calls, "prompt_tokens": spend.prompt_tokens, "completion_tokens": spend.completion_tokens,
               "tokens": spend.tokens, "cost_usd": spend.cost_usd if spend.cost_known else None,
               "cost_known": spend.cost_known},
        resume=f"perfforge optimize --resume {loop.run_id}" if loop.status == "interrupted" else None,
    )


def write_outputs(loop: Any, out: Path, strategy: str) -> RunSummary:
    """Write every output file for the run's current state; return the summary."""
    out.mkdir(parents=True, exist_ok=True)
    summary = summarize(loop, strategy)
    best, start, name = loop.result, loop.start_attempt, loop.task.spec.candidate
    if best is not None and best.code is not None:
        (out / name).write_text(best.code)
        summary.files["best"] = str(out / name)
        if start is not None and start.code is not None and loop.kind.measured_start:  # not for a translation
            original = loop.task.spec.baseline or name
            diff = difflib.unified_diff(start.code.splitlines(keepends=True), best.code.splitlines(keepends=True),
                                        fromfile=f"a/{original}", tofile=f"b/{original}")
            path = out / f"{Path(name).stem}.diff"
            path.write_text("".join(diff))
            summary.files["diff"] = str(path)
    summary.files["report"] = str(out / "report.md")
    summary.files["summary"] = str(out / "summary.json")
    (out / "report.md").write_text(render_markdown(loop, summary))
    (out / "summary.json").write_text(json.dumps(summary.model_dump(mode="json"), indent=2))
    return summary


# --- markdown --------------------------------------------------------------------------------


def _int(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else "-"


def _ratio(value: float | None, suffix: str = "x") -> str:
    return f"{value:.2f}{suffix}" if value is not None else "-"


def _time_cell(a: dict[str, Any]) -> str:
    speed = a["speedup"]["time"]
    if speed is None:
        return "-"
    lo, hi = a["time_ci95"] or (float("nan"), float("nan"))
    return f"{speed:.2f}x [{lo:.2f}, {hi:.2f}]"


def _cell(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _comparison(loop: Any, summary: RunSummary) -> list[str]:
    best = loop.result
    verdict = _verdict(loop, best)
    if best is None or verdict is None:
        return ["No candidate was accepted: none was both correct and faster with evidence "
                "(an instruction-count drop, or a time interval above the threshold)."]
    compared = "original" if loop.kind.measured_start else "reference"
    lines = [f"Best: attempt {best.n} ({best.model}), {best.reason}.", "",
             f"| measure | {compared} | best | how it was measured |", "|---|---|---|---|"]
    ins, tm, mem, en = (verdict.get(k) for k in ("instructions", "time", "memory", "energy"))
    if ins:
        lines.append(f"| CPU instructions | {_int(ins['baseline'])} | {_int(ins['candidate'])} "
                     f"({_ratio(ins['speedup'])} fewer) | {ins['method']}, summed over {ins['inputs']} stress "
                     "inputs, calibrated empty run subtracted |")
    if tm:
        lo, hi = tm["ci95"]
        lines.append(f"| time (median) | {tm['baseline_median_s']:.4f} s | {tm['candidate_median_s']:.4f} s "
                     f"({tm['speedup']:.2f}x, 95% CI {lo:.2f}-{hi:.2f}, p={tm['p_value']:.2g}) | "
                     f"{_cell(tm['method'], 200)}, {tm['runs']} rounds |")
    if mem:
        lines.append(f"| peak memory | {_int(mem['baseline']['peak_rss_kib'])} KiB | "
                     f"{_int(mem['candidate']['peak_rss_kib'])} KiB | {_cell(mem['method'], 200)} |")
    if en:
        lines.append(f"| energy | {en['baseline']['joules']:.3f} J | {en['candidate']['joules']:.3f} J | "
                     f"{en['method']}: {_cell(en['baseline'].get('source', ''), 200)} |")
    notes = verdict.get("fallbacks", [])
    return lines + ([""] + [f"- {note}" for note in notes] if notes else [])


def render_markdown(loop: Any, summary: RunSummary) -> str:
    task = loop.task
    lines = [f"# perfforge optimize: {task.spec.title}", "",
             f"Task `{task.id}` ({task.spec.kind}, {task.spec.language}); run `{summary.run_id}`; strategy "
             f"`{summary.strategy}`; model(s) {', '.join(f'`{m}`' for m in summary.models)}.", "",
             f"Status: **{summary.status}**{' - ' + summary.stop_reason if summary.stop_reason else ''}."]
    if summary.resume:
        lines += ["", f"Continue with `{summary.resume}`."]
    lines += ["", "## Outcome", "", *_comparison(loop, summary), "", "## Attempts", ""]
    if summary.attempts:
        lines += ["| # | model | from | status | instructions | time [95% CI] | tokens | cost | outcome |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for a in summary.attempts:
            parent = "original" if a["parent"] == 0 else ("scratch" if a["parent"] is None else f"#{a['parent']}")
            cost = f"${a['cost_usd']:.4f}" if a["cost_usd"] is not None else "unknown"
            lines.append(f"| {a['n']} | {a['model']} | {parent} | {a['status']} | "
                         f"{_ratio(a['speedup']['instructions'])} | {_time_cell(a)} | {a['tokens']:,} | {cost} | "
                         f"{_cell(a['reason'])} |")
    else:
        lines.append("No attempt was made.")
    spent = summary.spent
    cost = f"${spent['cost_usd']:.4f}" if spent.get("cost_known") else \
        f"unknown (some calls had no price; ${spent.get('cost_usd') or 0:.4f} known)"
    lines += ["", "## Spending", "",
              f"{spent.get('calls', 0)} model calls, {spent.get('tokens', 0):,} tokens "
              f"({spent.get('prompt_tokens', 0):,} prompt + {spent.get('completion_tokens', 0):,} completion), "
              f"cost {cost}. Calls replayed from the response cache cost nothing and are not counted."]
    return "\n".join(lines) + "\n"
