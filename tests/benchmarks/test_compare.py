"""``bench compare``: per-task differences with significance, and refusal across machines."""

from __future__ import annotations

import json
import re

import pytest

from agent.store import RunStore
from benchmarks.compare import compare, render
from perfforge.errors import ConfigError
from tests.benchmarks.bench_run_support import invoke
from tests.benchmarks.report_fixtures import BASELINE, FINGERPRINT, PROVENANCE, REFS, add_bench_run, payload

N = 8


@pytest.fixture
def store(tmp_path):
    return RunStore(tmp_path / "runs.sqlite")


def run_with(store, model, edit_counts, gen_counts, **kw):
    rows = [payload("s/edit", "perf-edit", model, i, c) for i, c in enumerate(edit_counts)]
    rows += [payload("s/gen", "codegen", model, i, c) for i, c in enumerate(gen_counts)]
    return add_bench_run(store, rows, **kw)


def spread(center, n=N):
    """n distinct counts around ``center`` (samples of one model differ a little)."""
    return [center + 1000 * i for i in range(n)]


def test_a_clear_difference_is_significant_and_an_equal_task_is_not(store):
    a = run_with(store, "m", spread(BASELINE // 2), [REFS["middle"]] * N)
    b = run_with(store, "m", spread(BASELINE // 8), [REFS["middle"]] * N)
    result = compare(store, a, b)
    by_task = {t.task_id: t for t in result.tasks}
    edit, gen = by_task["s/edit"], by_task["s/gen"]
    assert edit.ratio == pytest.approx(4.0, rel=0.01) and edit.verdict == "B more efficient"
    assert edit.p_value < 0.001 and edit.q_value < 0.05  # 8 against 8, fully separated: p = 2/C(16,8)
    assert edit.p_value == pytest.approx(2 / 12870)
    assert gen.ratio == pytest.approx(1.0) and gen.p_value == 1.0 and gen.verdict.startswith("no significant")
    assert result.comparable and not result.reasons
    assert result.overall_tasks == 2 and result.overall_ratio == pytest.approx(2.0, rel=0.01)
    assert "Mann-Whitney" in result.tests and "B more efficient" in render(result)


def test_correctness_difference_is_tested_exactly(store):
    a = run_with(store, "m", spread(BASELINE // 2), [])
    b = run_with(store, "m", [None] * N, [])
    (task,) = compare(store, a, b).tasks
    assert task.a.correct == N and task.b.correct == 0
    assert task.p_correct == pytest.approx(2 / 12870)  # Fisher's exact test, 8/8 against 0/8
    assert task.verdict == "A more efficient" and task.b.speedup is None and task.ratio is None


def test_few_samples_give_no_verdict(store):
    a = run_with(store, "m", [BASELINE // 2], [])
    b = run_with(store, "m", [BASELINE // 8], [])
    (task,) = compare(store, a, b).tasks
    assert task.p_value == 1.0 and "too few samples" in task.verdict


def test_runs_from_different_machines_are_refused_unless_forced(store):
    a = run_with(store, "m", spread(BASELINE // 2), [])
    other = {**FINGERPRINT, "cpu_model": "Other CPU", "id": "0000ffff0000"}
    b = add_bench_run(store, [payload("s/edit", "perf-edit", "m", i, c, provenance={**PROVENANCE, "image": "sha256:new"})
                              for i, c in enumerate(spread(BASELINE // 8))], fingerprint=other)
    with pytest.raises(ConfigError, match="different conditions") as info:
        compare(store, a, b)
    assert "cpu_model differs" in info.value.message and "image differs" in info.value.message
    forced = compare(store, a, b, force=True)
    assert not forced.comparable and any("cpu_model" in r for r in forced.reasons)
    assert "warning: not comparable" in render(forced)


def test_a_run_of_several_models_needs_the_model_named(store):
    rows = [payload("s/edit", "perf-edit", m, i, c) for m in ("x", "y") for i, c in enumerate(spread(BASELINE // 2))]
    both = add_bench_run(store, rows)
    single = run_with(store, "x", spread(BASELINE // 2), [])
    with pytest.raises(ConfigError, match="2 models"):
        compare(store, both, single)
    with pytest.raises(ConfigError, match="two different runs"):
        compare(store, both, both)
    result = compare(store, both, both, model_a="x", model_b="y")
    assert result.model_a == "x" and result.model_b == "y" and result.tasks[0].p_value == 1.0
    with pytest.raises(ConfigError, match="no model 'z'"):
        compare(store, both, both, model_a="x", model_b="z")


def test_compare_command(store):
    a = run_with(store, "m", spread(BASELINE // 2), [])
    b = run_with(store, "m", spread(BASELINE // 8), [])
    result = invoke(["bench", "compare", a, b, "--store", str(store.path), "--json"])
    assert result.exit_code == 0, result.stdout
    data = json.loads(result.stdout)
    assert data["tasks"][0]["verdict"] == "B more efficient"
    text = invoke(["bench", "compare", a, b, "--store", str(store.path)])
    assert re.search(r"overall: B/A speedup 3\.99\dx \(geometric mean over 1 tasks\)", text.stdout), text.stdout
    missing = invoke(["bench", "compare", a, "nope", "--store", str(store.path)])
    assert isinstance(missing.exception, ConfigError) and "unknown run id" in missing.exception.message
