"""The HTML report: one self-contained file (inline CSS, a few lines of inline script to sort
tables, plots as inline base64 PNG) that opens in any browser with no server."""

from __future__ import annotations

import datetime
from pathlib import Path

from benchmarks.report.leaderboard import Report, TaskLine
from benchmarks.report.tables import fmt_num, fmt_pct, fmt_usd, fmt_x, board_title, cells

TEMPLATE = Path(__file__).with_name("report.html.j2")

TASK_HEADERS = ["task", "model", "kind", "samples", "correct", "pass@1 %", "speedup (geo)", "best", "DPS_norm",
                "efficient@1 %", "tokens", "$", "wall s", "energy J (est.)"]


def _task_row(t: TaskLine) -> list[str]:
    return [t.task_id, t.label, t.kind, str(t.samples), str(t.correct), fmt_pct(t.pass_at_1), fmt_x(t.speedup),
            fmt_x(t.best_speedup), fmt_pct(t.dps_norm), fmt_pct(t.efficient_at_1), fmt_num(t.tokens, 0), fmt_usd(t.cost_usd),
            fmt_num(t.wall_s, 1), fmt_num(t.energy_j, 1)]


def render_html(report: Report) -> str:
    import jinja2

    from benchmarks.report import plots
    from perfforge import __version__

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    boards = []
    for board in report.boards:
        headers, rows = cells(board)
        boards.append({"title": board_title(board), "headers": headers, "rows": rows})
    tasks = sorted(report.tasks, key=lambda t: (t.task_id, t.label))
    return template.render(
        report=report, boards=boards, version=__version__,
        generated=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        distributions=plots.speedup_distributions(report), cost=plots.cost_vs_speedup(report),
        heatmap=plots.task_heatmap(report), task_headers=TASK_HEADERS, task_rows=[_task_row(t) for t in tasks],
    )


__all__ = ["render_html"]
