"""A report as text tables (rich), and as flat tables for CSV and parquet export."""

from __future__ import annotations

from typing import Any, Callable

from benchmarks.report.leaderboard import Board, Entry, Report

LEVELS = ("leaderboard", "tasks", "samples")


def fmt_pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"


def fmt_x(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}x"


def fmt_num(v: float | None, digits: int = 1) -> str:
    if v is None:
        return "-"
    return f"{v:,.{digits}f}"


def fmt_usd(v: float | None) -> str:
    return "-" if v is None else (f"${v:.4f}" if v < 1 else f"${v:,.2f}")


# (header, value of an entry, formatter); a column every entry leaves blank is not shown
Column = tuple[str, Callable[[Entry], Any], Callable[[Any], str]]
COLUMNS: list[Column] = [
    ("#", lambda e: e.rank, str),
    ("model", lambda e: e.label, str),
    ("tasks", lambda e: e.tasks, str),
    ("n", lambda e: e.samples, str),
    ("pass@1", lambda e: e.pass_at_1, fmt_pct),
    ("eff@1", lambda e: e.efficient_at_1, fmt_pct),
    ("DPS", lambda e: e.dps, fmt_pct),
    ("DPS_norm", lambda e: e.dps_norm, fmt_pct),
    ("speedup", lambda e: e.speedup, fmt_x),
    ("%Opt", lambda e: e.pct_opt, fmt_pct),
    ("fast_1", lambda e: e.fast_1, fmt_pct),
    ("tokens", lambda e: e.tokens_per_task, lambda v: fmt_num(v, 0)),
    ("$", lambda e: e.cost_usd_per_task, fmt_usd),
    ("wall s", lambda e: e.wall_s_per_task, lambda v: fmt_num(v, 1)),
    ("J (est.)", lambda e: e.energy_j_per_task, lambda v: fmt_num(v, 1)),
]
LEGEND = ("n: samples.  pass@1, eff@1 (efficient@1), DPS, DPS_norm, %Opt, fast_1: percent.  speedup: baseline "
          "(perf-edit) or fastest reference (codegen) instructions over the sample's, geometric mean over correct "
          "samples; fast_1: share of samples correct and faster than that.  tokens, $, wall s and J (energy, "
          "estimated) are per task.")


def columns(board: Board) -> list[Column]:
    """The columns that apply to ``board`` (a score no entry has is left out)."""
    return [c for c in COLUMNS if any(c[1](e) is not None for e in board.entries)]


def cells(board: Board) -> tuple[list[str], list[list[str]]]:
    cols = columns(board)
    return [c[0] for c in cols], [[c[2](c[1](e)) for c in cols] for e in board.entries]


def board_title(board: Board) -> str:
    return f"{board.suite} - {board.kind}"


def render_text(report: Report, width: int = 160) -> str:
    """Every leaderboard as a text table, with the runs it reads and what the columns mean."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(width=width, record=True, file=_Null(), color_system=None)
    runs = ", ".join(f"{r.id} ({r.kind}, {r.status})" for r in report.runs)
    console.print(f"runs: {runs}")
    for board in report.boards:
        headers, rows = cells(board)
        table = Table(title=board_title(board), box=box.SIMPLE_HEAVY, title_justify="left")
        for i, header in enumerate(headers):
            table.add_column(header, justify="left" if i == 1 else "right", no_wrap=True)
        for row in rows:
            table.add_row(*row)
        console.print(table)
    console.print(LEGEND)
    console.print(f"energy: {report.energy_model}.")
    return console.export_text().rstrip() + "\n"


class _Null:
    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def frame(report: Report, level: str, store: Any = None, run_ids: list[str] | None = None) -> Any:
    """A pandas DataFrame of the report at ``level``: leaderboard, tasks or samples."""
    import pandas as pd

    from perfforge.errors import ConfigError

    if level == "leaderboard":
        records = []
        for board in report.boards:
            for e in board.entries:
                record = e.model_dump(exclude={"fast_p"})
                record.update({f"fast_{p}": v for p, v in e.fast_p.items()})
                record["energy_method"] = report.energy_method
                records.append(record)
        return pd.DataFrame.from_records(records)
    if level == "tasks":
        return pd.DataFrame.from_records([t.model_dump(exclude={"speedups"}) for t in report.tasks])
    if level == "samples":
        return store.results_frame(list(run_ids or []))
    raise ConfigError(f"unknown --level {level!r}; levels: {', '.join(LEVELS)}")


__all__ = ["COLUMNS", "LEGEND", "LEVELS", "board_title", "cells", "columns", "frame", "render_text"]
