"""Fixed stress inputs (``[stress] file`` defining INPUTS): the format's rules and staging in the sandbox."""

import os
import textwrap

import pytest

from benchmarks.task import Task
from perfforge.errors import TaskError

TOML = """\
schema = 1
id = "scratch/fixed"
kind = "perf-edit"
language = "python"
title = "Sum a list"
candidate = "solution.py"
baseline = "baseline.py"

[interface]
type = "python-function"
function = "total"

[tests]
cases = [{{ args = [[1, 2, 3]], expected = 6 }}]

[stress]
{stress}
"""

BASELINE = "def total(xs):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n"


def make_task(root, stress='file = "stress.py"', stress_py="INPUTS = [(list(range(2000)),), [list(range(30))]]\n"):
    root.mkdir(parents=True, exist_ok=True)
    (root / "task.toml").write_text(TOML.format(stress=stress))
    (root / "baseline.py").write_text(BASELINE)
    (root / "stress.py").write_text(textwrap.dedent(stress_py))
    return root


def test_a_stress_file_loads_and_is_named_among_the_task_files(tmp_path):
    task = Task.load(make_task(tmp_path / "t"))
    assert task.spec.stress.file == "stress.py" and task.spec.stress.generator is None
    assert ("[stress] file", "stress.py") in task.named_files()


@pytest.mark.parametrize("stress, message", [
    ('file = "stress.py"\ngenerator = "stress.py"', "[stress]: give generator (inputs made at a scale) or file (fixed inputs): exactly one"),
    ('seed = 3', "[stress]: give generator (inputs made at a scale) or file (fixed inputs): exactly one"),
    ('file = "stress.py"\nscale = 100\ninputs = 2', "[stress]: inputs, scale: only with a generator"),
    ('file = "missing.py"', "[stress] file: file 'missing.py' not found"),
    ('file = "../outside.py"', "[stress] file: must be a relative path inside the task folder"),
])
def test_bad_stress_tables_name_the_field(tmp_path, stress, message):
    root = make_task(tmp_path / "t", stress=stress)
    with pytest.raises(TaskError) as err:
        Task.load(root)
    assert err.value.message.startswith(f"{root / 'task.toml'}: ")
    assert message in err.value.message


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    from sandbox import get_sandbox

    old = os.environ.get("PERFFORGE_HOME")
    os.environ["PERFFORGE_HOME"] = str(tmp_path_factory.mktemp("home"))
    sandbox = get_sandbox()
    yield sandbox
    sandbox.close()
    if old is None:
        os.environ.pop("PERFFORGE_HOME", None)
    else:
        os.environ["PERFFORGE_HOME"] = old


@pytest.mark.docker
def test_fixed_inputs_are_staged_in_the_sandbox_and_named_without_a_scale(tmp_path, box):
    from benchmarks.stress import stage
    from evaluators.measure import measure, open_workspace, validate
    from evaluators.programs import task_programs

    task = Task.load(make_task(tmp_path / "t"))
    with open_workspace(task, task_programs(task), sandbox=box, need_valgrind=False) as ws:
        staged = stage(task, ws)
    assert staged.scale == 0
    assert [item["args"][0][-1] for item in staged.stress] == [1999, 29]  # tuple and list inputs alike
    assert staged.labels() == ["test 0", "stress #0", "stress #1"]
    report = validate(task, sandbox=box)
    assert report.ok, report.problems
    assert report.stress_inputs == 2 and report.scale == 0
    wrong = measure(task, b"def total(xs):\n    return sum(xs) - (len(xs) > 1000)\n", metrics="none", sandbox=box)
    assert not wrong.correct and [f.input for f in wrong.failures] == ["stress #0"]


@pytest.mark.docker
@pytest.mark.parametrize("stress_py, message", [
    ("INPUTS = [([1, 2],), (['x'],)]\n\ndef contract(xs):\n    assert all(type(x) is int for x in xs), 'ints only'\n",
     "[stress] file: INPUTS[1] violates its contract: AssertionError: ints only"),
    ("INPUTS = 5\n", "[stress] file: TypeError: stress.py must define INPUTS, a non-empty list of inputs"),
    ("INPUTS = [7]\n", "[stress] file, INPUTS[0]: TypeError: INPUTS[0] must be a tuple of positional arguments, got int"),
])
def test_broken_stress_files_are_task_errors_naming_the_input(tmp_path, box, stress_py, message):
    from evaluators.measure import validate

    report = validate(make_task(tmp_path / "t", stress_py=stress_py), sandbox=box)
    assert not report.ok
    assert any(message in p for p in report.problems), report.problems
