"""The report's plots, drawn with matplotlib's Agg canvas (no display, no pyplot state) and
returned as base64 PNG for embedding in one self-contained HTML file."""

from __future__ import annotations

import base64
import io
import math
from typing import Any

from benchmarks.report.leaderboard import Report

DPI = 110
FAILED = "#d9d9d9"


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def speedup_distributions(report: Report) -> list[tuple[str, str]]:
    """Per leaderboard: each model's per-sample speedups (correct samples), box and points, log scale."""
    out = []
    for board in report.boards:
        series = []
        for entry in board.entries:
            values = [s for t in report.tasks if (t.run_id, t.model, t.suite, t.kind) ==
                      (entry.run_id, entry.model, board.suite, board.kind) for s in t.speedups]
            series.append((entry.label, values))
        if not any(values for _, values in series):
            continue
        fig = _figure(1.6 + 1.3 * len(series), 3.6)
        ax = fig.add_subplot()
        positions = list(range(1, len(series) + 1))
        shown = [(p, v) for p, (_, v) in zip(positions, series) if v]
        ax.boxplot([v for _, v in shown], positions=[p for p, _ in shown], widths=0.5, showfliers=False)
        for p, values in shown:
            jitter = [p + 0.18 * math.sin(i * 2.399) for i in range(len(values))]  # golden-angle spread, reproducible
            ax.scatter(jitter, values, s=14, alpha=0.7, zorder=3)
        for p, (_, values) in zip(positions, series):
            if not values:
                ax.text(p, 1.0, "no correct\nsample", ha="center", va="center", fontsize=8, color="#888")
        ax.axhline(1.0, color="#888", linewidth=0.8, linestyle="--")
        ax.set_yscale("log")
        ax.set_xticks(positions, [label for label, _ in series], rotation=20, ha="right", fontsize=8)
        ax.set_ylabel("speedup (instructions, log)")
        ax.set_title(f"{board.suite} - {board.kind}: speedup per correct sample", fontsize=10)
        out.append((f"{board.suite} - {board.kind}", _png(fig)))
    return out


def cost_vs_speedup(report: Report) -> tuple[str, str] | None:
    """One point per model and leaderboard: what a task cost (dollars, else tokens, else wall
    seconds) against the speedup reached (geometric mean)."""
    entries = [e for b in report.boards for e in b.entries if e.speedup]
    if not entries:
        return None
    if all(e.cost_usd_per_task is not None for e in entries):
        axis, cost = "dollars per task", (lambda e: e.cost_usd_per_task)
    elif all(e.tokens_per_task is not None for e in entries):
        axis, cost = "tokens per task", (lambda e: e.tokens_per_task)
    else:
        axis, cost = "wall seconds per task", (lambda e: e.wall_s_per_task)
    fig = _figure(6.4, 4.0)
    ax = fig.add_subplot()
    markers = "osD^v<>p*h"
    for i, board in enumerate(report.boards):
        points = [e for e in board.entries if e.speedup]
        if not points:
            continue
        ax.scatter([cost(e) for e in points], [e.speedup for e in points], s=40, marker=markers[i % len(markers)],
                   label=f"{board.suite} - {board.kind}", zorder=3)
        for e in points:
            ax.annotate(e.label, (cost(e), e.speedup), textcoords="offset points", xytext=(5, 4), fontsize=7)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.set_yscale("log")
    ax.set_xlabel(axis)
    ax.set_ylabel("speedup (geometric mean, log)")
    ax.axhline(1.0, color="#888", linewidth=0.8, linestyle="--")
    ax.legend(fontsize=7, loc="best")
    ax.set_title("what it cost to find the speedup", fontsize=10)
    return axis, _png(fig)


def _times(value: float) -> str:
    return f"{value:.0f}x" if value >= 10 else f"{value:.2f}x" if value < 0.1 else f"{value:.1f}x"


def task_heatmap(report: Report) -> str | None:
    """Tasks x models: the task's speedup (geometric mean over correct samples); grey where no
    sample was correct."""
    import numpy as np
    from matplotlib.colors import TwoSlopeNorm

    columns = list(dict.fromkeys(t.label for t in report.tasks))
    rows = list(dict.fromkeys(t.task_id for t in report.tasks))
    if not rows or not columns:
        return None
    grid = np.full((len(rows), len(columns)), np.nan)
    for t in report.tasks:
        if t.speedup:
            grid[rows.index(t.task_id), columns.index(t.label)] = math.log2(t.speedup)
    fig = _figure(max(5.0, 2.6 + 1.1 * len(columns)), 1.4 + 0.32 * len(rows))
    ax = fig.add_subplot()
    ax.set_facecolor(FAILED)
    finite = grid[np.isfinite(grid)]
    span = max(1.0, float(np.abs(finite).max())) if finite.size else 1.0
    image = ax.imshow(np.ma.masked_invalid(grid), cmap="RdYlGn", norm=TwoSlopeNorm(0.0, -span, span), aspect="auto")
    for (r, c), value in np.ndenumerate(grid):
        text = "fail" if math.isnan(value) else _times(2 ** value)
        ax.text(c, r, text, ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(columns)), columns, rotation=25, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=7)
    fig.colorbar(image, ax=ax, label="log2 speedup")
    ax.set_title("speedup per task (correct samples, geometric mean)\nfail: no correct sample", fontsize=9)
    return _png(fig)


__all__ = ["cost_vs_speedup", "speedup_distributions", "task_heatmap"]
