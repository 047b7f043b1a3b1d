"""Evaluating pre-generated samples in the real sandbox: DPS levels from the references,
verdicts in the run store as they are produced, resume, bad samples as data."""

import json
import os
import shutil
from pathlib import Path

import pytest

from agent.store import RunStore
from benchmarks import suites
from benchmarks.evaluate import EvalTask, Evaluation, references_as_samples, result_key
from benchmarks.loaders.base import SampleSet
from benchmarks.summary import summarize
from benchmarks.task import Task
from perfforge.errors import ConfigError

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    old = os.environ.get("PERFFORGE_HOME")
    path = tmp_path_factory.mktemp("perfforge-home")
    os.environ["PERFFORGE_HOME"] = str(path)
    yield path
    if old is None:
        os.environ.pop("PERFFORGE_HOME", None)
    else:
        os.environ["PERFFORGE_HOME"] = old


@pytest.fixture(scope="module")
def box(home):
    from sandbox import get_sandbox

    sandbox = get_sandbox(pool_size=1)
    yield sandbox
    sandbox.close()


def evaluate(box, tasks, samples, *, store=None, run_id=None, **options):
    store = store or RunStore(Path(os.environ["PERFFORGE_HOME"]) / f"runs-{len(os.listdir(os.environ['PERFFORGE_HOME']))}.sqlite")
    run_id = run_id or store.create_run("evaluate", {"test": True}).id
    outcome = Evaluation(tasks=tasks, samples=samples, store=store, run_id=run_id, format="suite", model="m",
                         sandbox=box, **options).run()
    payloads = [row.payload for _, row in store.results([run_id])]
    return outcome, payloads, store


def by_sample(payloads):
    return {(p["task_id"], p["sample"]): p for p in payloads}


def test_references_as_samples_score_their_own_dps_levels(box):
    task = suites.resolve_task("examples/py-count-primes")
    items = [EvalTask(task, "examples")]
    outcome, payloads, _ = evaluate(box, items, references_as_samples(items))
    assert outcome.written == 3 and not outcome.failed_tasks
    rows = [by_sample(payloads)[(task.id, i)] for i in range(3)]
    assert [r["correct"] for r in rows] == [True] * 3
    levels = list(rows[0]["references"])
    assert [r["instructions"] for r in rows] == [rows[0]["references"][lv] for lv in levels]
    assert [round(r["dps_norm"], 4) for r in rows] == [33.3333, 66.6667, 100.0]  # slowest lowest, fastest 100
    assert [r["dps_level"] for r in rows] == [0, 1, 2]
    assert [r["efficient"] for r in rows] == [False] * 3  # as fast as the best is not faster than it
    scores = summarize(payloads)
    assert scores.pass_at_1 == 100.0 and scores.dps_norm == pytest.approx(200 / 3) and scores.efficient_at_1 == 0.0


def test_bundled_codegen_suite_references_rank_slowest_lowest_fastest_highest(box):
    tasks = [EvalTask(t, "codegen") for t in suites.suite_tasks("codegen")]
    assert len(tasks) >= 10
    outcome, payloads, _ = evaluate(box, tasks, references_as_samples(tasks))
    assert not outcome.failed_tasks, outcome.failed_tasks
    rows = by_sample(payloads)
    for item in tasks:
        n = len(item.task.spec.references)
        assert n >= 3
        norms = [rows[(item.task.id, i)]["dps_norm"] for i in range(n)]
        assert all(rows[(item.task.id, i)]["correct"] for i in range(n)), item.task.id
        assert norms[-1] == 100.0, (item.task.id, norms)
        assert norms[0] == min(norms) < 100.0, (item.task.id, norms)
        assert norms == sorted(norms), (item.task.id, norms)


def dedupe_task():
    return suites.resolve_task("examples/py-dedupe")


FAST = "def dedupe(items):\n    return list(dict.fromkeys(items))\n"
WRONG = "def dedupe(items):\n    return sorted(set(items))\n"


def test_verdicts_are_data_and_each_is_stored_with_its_figures(box):
    task = dedupe_task()
    samples = SampleSet()
    samples.add(task.id, FAST, "t line 1")
    samples.add(task.id, WRONG, "t line 2")
    samples.add(task.id, "def dedupe(items:\n", "t line 3")
    samples.add(task.id, FAST, "t line 4", invalid="marked invalid in the predictions")
    samples.add(task.id, FAST, "t line 5")
    outcome, payloads, store = evaluate(box, [EvalTask(task, "examples")], samples)
    assert outcome.written == 5
    rows = by_sample(payloads)
    fast, wrong, broken, invalid, again = (rows[(task.id, i)] for i in range(5))
    assert fast["correct"] and fast["instructions"] > 0 and fast["speedup"] > 10
    assert fast["baseline_label"] == "baseline" and fast["baseline_instructions"] > fast["instructions"]
    assert fast["method"] == "valgrind-cachegrind" and fast["timing"]["count"] > 0
    assert fast["provenance"]["stress_key"] and fast["provenance"]["sandbox"] in ("docker", "local")
    assert not wrong["correct"] and wrong["failures"][0]["reason"].startswith("wrong result")
    assert wrong["instructions"] is None and wrong["speedup"] is None
    assert not broken["correct"] and broken["error"].startswith("does not import")
    assert not invalid["correct"] and invalid["error"] == "marked invalid in the predictions" and not invalid["timing"]
    assert again["count_cached"] and again["instructions"] == fast["instructions"]
    scores = summarize(payloads)
    assert scores.pass_at_1 == pytest.approx(40.0) and scores.pie_pct_correct == 100.0
    assert [key for _, key in sorted((p["sample"], result_key(p["task_id"], p["sample"])) for p in payloads)] == [
        f"{task.id}#{i}" for i in range(5)]


class InterruptAfter:
    """A reporter that presses Ctrl-C after ``n`` samples were written."""

    def __init__(self, n):
        self.n = n
        self.done = 0

    def start(self, total):
        pass

    def say(self, message):
        pass

    def advance(self, n=1):
        self.done += n
        if self.done >= self.n:
            raise KeyboardInterrupt


def test_an_interrupted_evaluation_keeps_what_it_measured_and_resumes(box, tmp_path):
    task = dedupe_task()
    samples = SampleSet()
    for source in (FAST, WRONG, FAST.replace("items", "xs")):
        samples.add(task.id, source, "t")
    store = RunStore(tmp_path / "runs.sqlite")
    run = store.create_run("evaluate", {})
    with pytest.raises(KeyboardInterrupt):
        Evaluation(tasks=[EvalTask(task, "examples")], samples=samples, store=store, run_id=run.id, format="suite",
                   model="m", sandbox=box, reporter=InterruptAfter(1)).run()
    assert [row.key for _, row in store.results([run.id])] == [f"{task.id}#0"]
    outcome, payloads, _ = evaluate(box, [EvalTask(task, "examples")], samples, store=store, run_id=run.id)
    assert outcome.resumed == 1 and outcome.written == 2
    assert sorted(p["sample"] for p in payloads) == [0, 1, 2]
    changed = SampleSet()
    changed.add(task.id, WRONG, "t")
    with pytest.raises(ConfigError, match=r"#0: the stored result is of a different sample"):
        evaluate(box, [EvalTask(task, "examples")], changed, store=store, run_id=run.id)


def test_a_task_that_cannot_be_evaluated_is_named_and_the_others_go_on(box, tmp_path):
    good = dedupe_task()
    folder = tmp_path / "broken"
    shutil.copytree(good.root, folder)
    # the oracle itself fails on the stress inputs: a broken task, not a failing sample
    (folder / "baseline.py").write_text("import os\n\ndef dedupe(items):\n    if len(items) > 100:\n        os._exit(3)\n"
                                        "    return list(dict.fromkeys(items))\n")
    toml = folder / "task.toml"
    toml.write_text(toml.read_text().replace('id = "examples/py-dedupe"', 'id = "scratch/broken"'))
    broken = Task.load(folder)
    samples = SampleSet()
    samples.add(broken.id, FAST, "t")
    samples.add(good.id, FAST, "t")
    outcome, payloads, _ = evaluate(box, [EvalTask(broken, "scratch"), EvalTask(good, "examples")], samples, workers=2)
    assert list(outcome.failed_tasks) == ["scratch/broken"]
    assert "the oracle (baseline) failed on stress scale=2000 #0" in outcome.failed_tasks["scratch/broken"]
    assert [p["task_id"] for p in payloads] == [good.id]


def test_payloads_are_plain_json_for_reports(box):
    task = dedupe_task()
    samples = SampleSet()
    samples.add(task.id, FAST, "t")
    _, payloads, store = evaluate(box, [EvalTask(task, "examples")], samples)
    frame = store.results_frame([store.list_runs(kind="evaluate")[0].id])
    assert {"task_id", "model", "correct", "instructions", "speedup", "timing.wall", "provenance.stress_key"} <= set(frame.columns)
    assert json.loads(json.dumps(payloads)) == payloads
