"""Leaderboards from stored verdicts: figures, ranking, costs, labels, and every output format."""

from __future__ import annotations

import base64
import math

import pandas as pd
import pytest

from agent.store import RunStore
from benchmarks.report import build, write
from benchmarks.report.leaderboard import estimated_joules
from benchmarks.report.tables import cells
from perfforge.errors import ConfigError
from tests.benchmarks.bench_run_support import invoke
from tests.benchmarks.report_fixtures import REFS, add_bench_run, add_evaluate_run, payload, two_model_run


@pytest.fixture
def store(tmp_path):
    return RunStore(tmp_path / "runs.sqlite")


def entries(report, kind):
    board = next(b for b in report.boards if b.kind == kind)
    return {e.model: e for e in board.entries}, [e.model for e in board.entries]


def test_codegen_board_figures_and_order(store):
    report = build(store, [two_model_run(store)])
    by_model, order = entries(report, "codegen")
    assert order == ["good", "poor"]
    good, poor = by_model["good"], by_model["poor"]
    assert (good.rank, poor.rank) == (1, 2)
    assert good.dps_norm == pytest.approx(250 / 3 / 1) and good.dps == pytest.approx(250 / 3)  # levels 3/3 and 2/3
    assert good.speedup == pytest.approx(math.sqrt(0.5)) and good.pass_at_1 == 100.0
    assert good.fast_p == pytest.approx({"0": 100.0, "0.5": 50.0, "0.8": 50.0, "1": 0.0, "1.5": 0.0, "2": 0.0})
    assert good.efficient_at_1 == 0.0 and good.pct_opt is None  # %Opt is PIE's: perf-edit only
    assert poor.dps_norm == pytest.approx(100 / 6) and poor.pass_at_1 == 50.0 and poor.speedup == pytest.approx(0.25)


def test_perf_edit_board_counts_a_refused_sample_as_wrong(store):
    report = build(store, [two_model_run(store)])
    by_model, order = entries(report, "perf-edit")
    assert order == ["good", "poor"]
    good, poor = by_model["good"], by_model["poor"]
    assert good.speedup == pytest.approx(math.sqrt(50)) and good.pct_opt == 100.0 and good.fast_1 == 100.0
    # the refused sample carries no measurements: it takes the task's, and scores as a failure
    assert poor.pass_at_1 == 50.0 and poor.speedup == pytest.approx(1.0)
    assert poor.pct_opt == 0.0 and poor.fast_1 == 0.0 and poor.fast_p["0"] == 50.0 and poor.efficient_at_1 == 0.0


def test_costs_per_task(store):
    report = build(store, [two_model_run(store)])
    by_model, _ = entries(report, "codegen")
    good, poor = by_model["good"], by_model["poor"]
    assert good.tokens_per_task == 200 and good.cost_usd_per_task == pytest.approx(0.002)
    assert poor.tokens_per_task == 600 and poor.cost_usd_per_task == pytest.approx(0.006)
    assert good.wall_s_per_task == pytest.approx(6.0)  # two samples x (2 s evaluating + 1 s waiting for the model)
    assert good.energy_j_per_task == pytest.approx(estimated_joules(4.0)) == pytest.approx(40.0)  # 10 W per busy core
    assert "estimated" in report.energy_model


def test_unknown_price_leaves_the_dollars_blank(store):
    rid = add_bench_run(store, [payload("s/gen", "codegen", "m", 0, REFS["fast"], cost=None),
                                payload("s/gen", "codegen", "m", 1, REFS["fast"], cost=0.5),
                                payload("s/gen", "codegen", "priced", 0, REFS["middle"], cost=0.5)])
    report = build(store, [rid])
    by_model, _ = entries(report, "codegen")
    assert by_model["m"].cost_usd_per_task is None and by_model["m"].tokens_per_task == 200
    assert by_model["priced"].cost_usd_per_task == 0.5
    headers, rows = cells(report.boards[0])
    assert [row[headers.index("$")] for row in rows] == ["-", "$0.5000"]  # m ranks first (DPS_norm 100)


def test_bench_evaluate_runs_and_repeated_models_are_labelled_by_run(store):
    first = two_model_run(store)
    second = add_bench_run(store, [payload("s/gen", "codegen", "good", 0, REFS["slow"])])
    evaluation = add_evaluate_run(store, [payload("s/gen", "codegen", "refs", i, c, tokens=None)
                                          for i, c in enumerate(REFS.values())])
    report = build(store, [first, second, evaluation])
    labels = [e.label for e in next(b for b in report.boards if b.kind == "codegen").entries]
    assert labels == [f"good ({first})", "refs", f"good ({second})", "poor"]  # DPS_norm 83, 67, 33, 17
    refs = next(e for b in report.boards for e in b.entries if e.model == "refs")
    assert refs.dps_norm == pytest.approx(200 / 3) and refs.tokens_per_task is None and refs.cost_usd_per_task is None
    assert {r.kind for r in report.runs} == {"bench", "evaluate"}


def test_unknown_or_foreign_runs_are_errors(store):
    with pytest.raises(ConfigError, match="unknown run id"):
        build(store, ["nope"])
    optimize = store.create_run("optimize", {})
    with pytest.raises(ConfigError, match="optimize run"):
        build(store, [optimize.id])
    with pytest.raises(ConfigError, match="no run id"):
        build(store, [])


def test_formats(store, tmp_path):
    rid = two_model_run(store)
    report = build(store, [rid])
    text = write(report, "table", None)
    assert "s - codegen" in text and "DPS_norm" in text and "good" in text and "J (est.)" in text
    csv = write(report, "csv", None)
    table = pd.read_csv(__import__("io").StringIO(csv))
    assert list(table["model"]) == ["good", "poor", "good", "poor"]
    assert {"fast_1", "fast_0.5", "energy_j_per_task", "energy_method"} <= set(table.columns)
    write(report, "parquet", tmp_path / "tasks.parquet", level="tasks")
    tasks = pd.read_parquet(tmp_path / "tasks.parquet")
    assert len(tasks) == 4 and set(tasks["task_id"]) == {"s/gen", "s/edit"}
    samples = write(report, "csv", None, level="samples", store=store, run_ids=[rid])
    assert len(pd.read_csv(__import__("io").StringIO(samples))) == 8
    with pytest.raises(ConfigError, match="--out"):
        write(report, "html", None)
    with pytest.raises(ConfigError, match="formats"):
        write(report, "pdf", tmp_path / "x.pdf")


def test_html_is_one_self_contained_file(store, tmp_path):
    report = build(store, [two_model_run(store)])
    out = tmp_path / "report.html"
    write(report, "html", out)
    html = out.read_text()
    assert html.count("<table") == 3  # two leaderboards and the task table
    images = [part.split('"', 1)[0] for part in html.split('src="data:image/png;base64,')[1:]]
    assert len(images) == 4  # a distribution per board, cost vs speedup, the heatmap
    for data in images:
        assert base64.b64decode(data).startswith(b"\x89PNG")
    assert "http://" not in html and "https://" not in html and "<link" not in html  # nothing fetched
    assert "estimated" in html


def test_report_command(store, tmp_path):
    rid = two_model_run(store)
    result = invoke(["bench", "report", rid, "--store", str(store.path), "--format", "html", "--out",
                     str(tmp_path / "r.html")])
    assert result.exit_code == 0 and (tmp_path / "r.html").is_file()
    result = invoke(["bench", "report", rid, "--store", str(store.path)])
    assert result.exit_code == 0 and "s - perf-edit" in result.stdout
    result = invoke(["bench", "report", rid, "--store", str(store.path), "--level", "nope", "--format", "csv"])
    assert isinstance(result.exception, ConfigError)
