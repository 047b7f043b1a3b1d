"""task.toml loading: the bundled examples load, every malformation names its file and field."""

import shutil
import typing
from pathlib import Path

import pytest

from benchmarks.task import EVALUATED_KINDS, CFunction, Kind, PythonFunction, Task
from perfforge.errors import TaskError

EXAMPLES = Path(__file__).resolve().parents[2] / "benchmarks" / "suites" / "examples"


def example_dirs():
    return sorted(p for p in EXAMPLES.iterdir() if (p / "task.toml").is_file())


def test_at_least_six_examples_covering_every_interface():
    tasks = [Task.load(p) for p in example_dirs()]
    assert len(tasks) >= 6
    assert {t.spec.interface.type for t in tasks} == {"python-function", "process", "c-function"}
    assert {t.spec.language for t in tasks} >= {"python", "c"}
    assert {t.spec.kind for t in tasks} == {"perf-edit", "codegen"}
    assert len({t.id for t in tasks}) == len(tasks)


def test_example_fields_parsed():
    task = Task.load(EXAMPLES / "py-dedupe")
    assert isinstance(task.spec.interface, PythonFunction)
    assert task.spec.interface.function == "dedupe"
    assert task.oracle == ("baseline", "baseline.py")
    assert task.spec.stress.scale == 2000
    assert task.spec.tests.cases[0].has_answer and not task.spec.tests.cases[3].has_answer
    assert set(task.files()) == {"task.toml", "baseline.py", "reference_set.py", "generate.py"}
    codegen = Task.load(EXAMPLES / "py-count-primes" / "task.toml")
    assert codegen.spec.baseline is None and codegen.oracle[1] == "ref_naive.py"
    cfun = Task.load(EXAMPLES / "c-max-subarray")
    assert isinstance(cfun.spec.interface, CFunction) and cfun.is_compiled
    assert ("[interface] driver", "driver.c") in cfun.named_files()


def test_content_hash_changes_with_any_file(tmp_path):
    shutil.copytree(EXAMPLES / "py-dedupe", tmp_path / "t")
    before = Task.load(tmp_path / "t").content_hash()
    assert Task.load(tmp_path / "t").content_hash() == before
    (tmp_path / "t" / "generate.py").write_text("def generate(scale, rng):\n    return ([1],)\n")
    assert Task.load(tmp_path / "t").content_hash() != before


def edited(tmp_path, old, new, example="py-dedupe"):
    dest = tmp_path / "task"
    shutil.copytree(EXAMPLES / example, dest)
    toml = dest / "task.toml"
    text = toml.read_text()
    assert old in text, old
    toml.write_text(text.replace(old, new, 1))
    return dest


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ('function = "dedupe"', "", "[interface] function: field required"),
        ("scale = 2000", "scale = 0", "[stress] scale: Input should be greater than or equal to 1"),
        ("seed = 7", "seed = 7\ncolour = 1", "[stress] colour: unknown field"),
        ('kind = "perf-edit"', 'kind = "golf"', "kind: Input should be"),
        ('type = "python-function"', 'type = "rpc"', "[interface] type: must be one of 'python-function', 'process', 'c-function'"),
        ('baseline = "baseline.py"', "", "baseline: a perf-edit task needs a baseline"),
        ('baseline = "baseline.py"', 'baseline = "../x.py"', "baseline: must be a relative path inside the task folder"),
        ('candidate = "solution.py"', 'candidate = "sub/solution.py"', "candidate: must be a plain file name"),
        ("schema = 1", "schema = 2", "schema: version 2 is not supported"),
        ("schema = 1", "", "schema: field required"),
        ("[limits]", '[compare]\nmode = "fuzzy"\n[limits]', "[compare] mode: Input should be"),
        ('expected = [3, 1, 2]', 'expected = [3, 1, 2]\nstdout = "x"', "give at most one of expected, stdout"),
        ('args = [[]]', 'stdin = ""', "a python-function test takes args/kwargs/expr, not stdin"),
        ('generator = "generate.py"', 'generator = "missing.py"', "[stress] generator: file 'missing.py' not found"),
        ("title = ", "titel = ", "title: field required"),
        ("[stress]", "[stress]\nstart = 64\nmax_scale = 8", "max_scale (8) is below start (64)"),
    ],
)
def test_malformed_task_names_file_and_field(tmp_path, old, new, expected):
    folder = edited(tmp_path, old, new)
    with pytest.raises(TaskError) as info:
        Task.load(folder)
    message = info.value.message
    assert message.startswith(f"{folder / 'task.toml'}: "), message
    assert expected in message, message
    assert "\n" not in message


def test_process_test_cases_must_use_stdin(tmp_path):
    folder = edited(tmp_path, 'stdin = "a b a\\n"', "args = [1]", example="py-word-freq")
    with pytest.raises(TaskError, match=r"tests.cases.0: a process test takes stdin or stdin_file"):
        Task.load(folder)


def test_codegen_rules(tmp_path):
    folder = edited(tmp_path, "references = [", 'baseline = "ref_naive.py"\nreferences = [', example="py-count-primes")
    with pytest.raises(TaskError, match="a codegen task has no baseline"):
        Task.load(folder)


def test_not_toml_and_missing_folder(tmp_path):
    folder = edited(tmp_path, "schema = 1", "schema = = 1")
    with pytest.raises(TaskError, match="not valid TOML"):
        Task.load(folder)
    with pytest.raises(TaskError, match="no such task folder"):
        Task.load(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(TaskError, match="task.toml: missing"):
        Task.load(tmp_path / "empty")


def test_every_kind_of_the_format_is_evaluated():
    assert set(typing.get_args(Kind)) == set(EVALUATED_KINDS)
    Task.load(EXAMPLES / "c-max-subarray").require_evaluable()
