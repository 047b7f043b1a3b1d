"""The bundled suites: every task loads, is named after its folder, meets its suite's shape,
and its generator honours its own contract at the declared scale.

These are the fast structural checks; ``perfforge task validate`` (run on every bundled task
in CI) does the real work: oracle agreement and instruction-count separation.
"""

from __future__ import annotations

import ast
import random
import runpy
from pathlib import Path

import pytest

from benchmarks.task import Task

SUITES = Path(__file__).resolve().parents[2] / "benchmarks" / "suites"
OURS = ("python-perf", "c-perf", "codegen")
MINIMUM = {"python-perf": 15, "c-perf": 8, "codegen": 10}
SOURCE_SUFFIX = {"python": ".py", "c": ".c", "cpp": ".cpp"}


def task_dirs(suite: str) -> list[Path]:
    return sorted(p for p in (SUITES / suite).iterdir() if (p / "task.toml").is_file())


ALL_DIRS = [d for suite in OURS for d in task_dirs(suite)]


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.fixture(scope="module")
def tasks() -> dict[str, list[Task]]:
    return {suite: [Task.load(d) for d in task_dirs(suite)] for suite in OURS}


def test_suites_meet_their_minimum_size(tasks):
    for suite, minimum in MINIMUM.items():
        assert len(tasks[suite]) >= minimum, f"{suite}: {len(tasks[suite])} tasks, need {minimum}"


def test_ids_match_folders_and_are_unique(tasks):
    ids = []
    for suite, loaded in tasks.items():
        for task in loaded:
            assert task.id == f"{suite}/{task.root.name}"
            ids.append(task.id)
    assert len(ids) == len(set(ids))


def test_no_stray_folders():
    # a folder without task.toml is a task someone forgot to finish
    for suite in OURS:
        for entry in (SUITES / suite).iterdir():
            if entry.is_dir() and not entry.name.startswith((".", "__")):
                assert (entry / "task.toml").is_file(), f"{entry}: folder without task.toml"


def test_perf_edit_suites(tasks):
    for suite in ("python-perf", "c-perf"):
        for task in tasks[suite]:
            spec = task.spec
            assert spec.kind == "perf-edit", task.id
            assert spec.baseline and spec.references, task.id
    assert all(t.spec.interface.type == "python-function" for t in tasks["python-perf"])
    languages = [t.spec.language for t in tasks["c-perf"]]
    assert set(languages) <= {"c", "cpp"} and languages.count("cpp") >= 2


def test_codegen_suite_has_three_levels(tasks):
    for task in tasks["codegen"]:
        spec = task.spec
        assert spec.kind == "codegen" and spec.baseline is None, task.id
        levels = [r.level for r in spec.references]
        assert len(levels) >= 3, f"{task.id}: {len(levels)} references"
        assert len(set(levels)) == len(levels), f"{task.id}: repeated level labels"
        assert len(spec.description) > 200, f"{task.id}: the description is the whole specification"


@pytest.mark.parametrize("task_dir", ALL_DIRS, ids=_id)
def test_task_is_complete(task_dir):
    task = Task.load(task_dir)
    spec = task.spec
    assert spec.description.strip() and spec.title.strip()
    suffix = SOURCE_SUFFIX[spec.language]
    assert spec.candidate.endswith(suffix)
    for name in [spec.baseline, *(r.file for r in spec.references)]:
        if name:
            assert name.endswith(suffix), f"{name}: a {spec.language} program"
    cases = spec.tests.cases
    assert len(cases) >= 4, "explicit tests, edge cases included"
    assert sum(c.has_answer for c in cases) >= 2, "at least two tests state their answer"
    # validation in CI must stay cheap: a fixed scale, a handful of inputs
    assert spec.stress.scale is not None and spec.stress.inputs <= 3
    assert spec.measure.separation >= 0.1


@pytest.mark.parametrize("task_dir", ALL_DIRS, ids=_id)
def test_generator_defines_generate_and_contract(task_dir):
    task = Task.load(task_dir)
    tree = ast.parse(task.read(task.spec.stress.generator))
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert {"generate", "contract"} <= functions


def generated(task: Task) -> tuple[dict, object]:
    """The generator's namespace and its first stress input at the declared scale."""
    stress = task.spec.stress
    namespace = runpy.run_path(str(task.root / stress.generator))
    return namespace, namespace["generate"](stress.scale, random.Random(f"{stress.seed}/{stress.scale}/0"))


@pytest.mark.parametrize("task_dir", ALL_DIRS, ids=_id)
def test_generated_input_satisfies_the_contract(task_dir):
    task = Task.load(task_dir)
    namespace, made = generated(task)
    if task.spec.interface.type == "python-function":
        assert isinstance(made, (tuple, list))
        namespace["contract"](*made)
    else:
        assert isinstance(made, (str, bytes))
        text = made if isinstance(made, str) else made.decode("utf-8", "surrogateescape")
        namespace["contract"](text)


@pytest.mark.parametrize("task_dir", ALL_DIRS, ids=_id)
def test_contract_rejects_a_wrong_input(task_dir):
    """A contract that accepts anything checks nothing: it must reject a corrupted input."""
    task = Task.load(task_dir)
    namespace, made = generated(task)
    with pytest.raises((AssertionError, TypeError, ValueError)):
        if task.spec.interface.type == "python-function":
            namespace["contract"](object(), *made[1:])
        else:
            namespace["contract"]("\0 not an input \0")


@pytest.mark.parametrize("suite", OURS)
def test_readme_lists_every_task(suite, tasks):
    readme = (SUITES / suite / "README.md").read_text(encoding="utf-8")
    for task in tasks[suite]:
        assert f"`{task.root.name}`" in readme, f"{suite}/README.md does not list {task.root.name}"
