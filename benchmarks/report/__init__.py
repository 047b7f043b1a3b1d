"""``perfforge bench report``: leaderboards per suite and task kind over bench runs and bench
evaluations, as text tables, CSV, parquet, or one self-contained HTML file with plots.

    report = build(RunStore(), ["20260101-120000-abc123"])
    write(report, "html", Path("report.html"))

Modules: :mod:`~benchmarks.report.leaderboard` (the figures), :mod:`~benchmarks.report.tables`
(text and flat tables), :mod:`~benchmarks.report.plots` (matplotlib, Agg),
:mod:`~benchmarks.report.html` (the page).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.report.leaderboard import Report, build

FORMATS = ("table", "csv", "parquet", "html")


def write(report: Report, fmt: str, out: Path | None, *, level: str = "leaderboard", store: Any = None,
          run_ids: list[str] | None = None) -> str | None:
    """Write ``report`` as ``fmt`` to ``out``; with no ``out``, return the text (table, csv)."""
    from perfforge.errors import ConfigError

    if fmt not in FORMATS:
        raise ConfigError(f"unknown --format {fmt!r}; formats: {', '.join(FORMATS)}")
    if fmt in ("parquet", "html") and out is None:
        raise ConfigError(f"--format {fmt} writes a file: give --out PATH")
    if fmt == "table":
        from benchmarks.report.tables import render_text

        text = render_text(report)
    elif fmt == "html":
        from benchmarks.report.html import render_html

        text = render_html(report)
    else:
        from benchmarks.report.tables import frame

        table = frame(report, level, store, run_ids)
        if fmt == "parquet":
            try:
                import pyarrow  # noqa: F401  (pandas writes parquet through it)
            except ImportError:
                raise ConfigError("--format parquet needs pyarrow", hint="pip install pyarrow") from None
            out.parent.mkdir(parents=True, exist_ok=True)
            table.to_parquet(out, index=False)
            return None
        text = table.to_csv(index=False)
    if out is None:
        return text
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return None


__all__ = ["FORMATS", "Report", "build", "write"]
