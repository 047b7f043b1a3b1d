"""The loaders turn the published formats into task folders; bad records are reported by
file and record without stopping the others.  No sandbox here: formats and files only."""

import json
import shutil
from pathlib import Path

import pytest

from benchmarks.loaders import LOADERS, convert_cached, get_loader
from benchmarks.loaders.base import TaskIndex, read_jsonl_samples
from benchmarks.loaders.coffe import entry_point
from benchmarks.task import Process, PythonFunction, Task
from perfforge.errors import ConfigError, TaskError
from perfforge.protocols import TaskLoader

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("PERFFORGE_HOME", str(tmp_path / "home"))


def records(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_jsonl(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


# --- the registry ---------------------------------------------------------------------------------


def test_registry_names_and_protocol():
    assert set(LOADERS) >= {"evalperf", "coffe", "pie"}
    for name, loader in LOADERS.items():
        assert loader.name == name and isinstance(loader, TaskLoader)
        assert loader.headline and callable(loader.convert) and callable(loader.read_samples)


def test_unknown_format_lists_the_valid_ones():
    with pytest.raises(ConfigError) as err:
        get_loader("humaneval")
    assert err.value.message == f"unknown format 'humaneval'; valid: {', '.join(sorted(LOADERS))}"
    assert {"coffe", "evalperf", "pie"} <= set(err.value.message.split("valid: ")[1].split(", "))


# --- EvalPerf --------------------------------------------------------------------------------------


def test_evalperf_records_become_codegen_tasks(tmp_path):
    conv = get_loader("evalperf").convert(FIXTURES / "evalperf" / "evalperf.jsonl", tmp_path / "out")
    assert not conv.problems
    assert [(t.external_id, t.task.id) for t in conv.tasks] == [
        ("HumanEval/900", "evalperf/humaneval-900"), ("Mbpp/901", "evalperf/mbpp-901")]
    task = Task.load(tmp_path / "out" / "humaneval-900")
    spec = task.spec
    assert spec.kind == "codegen" and spec.language == "python"
    assert isinstance(spec.interface, PythonFunction) and spec.interface.function == "pair_count"
    assert [r.level for r in spec.references] == [
        "ref-0 (EvalPerf score 33.33)", "ref-1 (EvalPerf score 66.67)", "ref-2 (EvalPerf score 100)"]
    first = records(FIXTURES / "evalperf" / "evalperf.jsonl")[0]
    assert task.read(spec.references[2].file).decode() == first["reference"][2]
    assert spec.description == first["prompt"]
    assert spec.stress.file == "stress.py" and spec.stress.generator is None
    assert spec.measure.separation == 0.0  # references may share a level: DPS clusters measured counts
    # no base_input: the correctness tests are the pe inputs, answered by the oracle
    assert "pe_input of HumanEval/900" in task.read("stress.py").decode()
    assert "pe_input of HumanEval/900" in task.read("tests.py").decode()
    assert "base_input of Mbpp/901" in (tmp_path / "out" / "mbpp-901" / "tests.py").read_text()


def test_evalperf_data_files_round_trip_exactly(tmp_path):
    conv = get_loader("evalperf").convert(FIXTURES / "evalperf", tmp_path / "out")  # a folder with one .jsonl
    task = conv.tasks[0].task
    namespace = {}
    exec(task.read("stress.py").decode(), namespace)  # noqa: S102 - our own generated file
    first = records(FIXTURES / "evalperf" / "evalperf.jsonl")[0]
    assert namespace["INPUTS"] == json.loads(first["pe_input"])


def test_evalperf_bad_records_are_named_and_the_rest_converted(tmp_path):
    good = records(FIXTURES / "evalperf" / "evalperf.jsonl")
    no_entry = {k: v for k, v in good[0].items() if k != "entry_point"}
    bad_pe = dict(good[1], task_id="Mbpp/902", pe_input="[[1, 2")
    scalar_pe = dict(good[1], task_id="Mbpp/903", pe_input="[5]")
    no_refs = dict(good[1], task_id="Mbpp/904", reference=[])
    path = write_jsonl(tmp_path / "mixed.jsonl",
                       [good[0], "{not json", no_entry, bad_pe, scalar_pe, no_refs, "[1, 2]", good[0], good[1]])
    conv = get_loader("evalperf").convert(path, tmp_path / "out")
    assert [t.external_id for t in conv.tasks] == ["HumanEval/900", "Mbpp/901"]
    assert [str(p) for p in conv.problems] == [
        "mixed.jsonl: line 2: not valid JSON (column 2: Expecting property name enclosed in double quotes)",
        "mixed.jsonl: line 3 (HumanEval/900): entry_point: field required",
        "mixed.jsonl: line 4 (Mbpp/902): pe_input: not a valid JSON string (column 7: Expecting ',' delimiter)",
        "mixed.jsonl: line 5 (Mbpp/903): pe_input: every input must be a list of positional arguments",
        "mixed.jsonl: line 6 (Mbpp/904): reference: expected a non-empty list of solution strings",
        "mixed.jsonl: line 7: expected a JSON object, got list",
        "mixed.jsonl: line 8 (HumanEval/900): task_id: 'HumanEval/900' appears twice",
    ]


def test_evalperf_missing_file_is_one_clear_error(tmp_path):
    with pytest.raises(TaskError) as err:
        get_loader("evalperf").convert(tmp_path / "nope.jsonl", tmp_path / "out")
    assert err.value.message == f"{tmp_path / 'nope.jsonl'}: no such file"


def test_evalperf_samples_solution_completion_and_bad_lines(tmp_path):
    conv = get_loader("evalperf").convert(FIXTURES / "evalperf" / "evalperf.jsonl", tmp_path / "out")
    path = write_jsonl(tmp_path / "samples.jsonl", [
        {"task_id": "HumanEval/900", "solution": "Sure:\n```python\ndef pair_count(nums, target):\n    return 0\n```\n"},
        {"task_id": "evalperf/humaneval-900", "solution": "def pair_count(nums, target):\n    return 1\n"},
        {"task_id": "Mbpp/901", "completion": "    return len(s)\n"},
        {"task_id": "Mbpp/999", "solution": "x = 1\n"},
        {"task_id": "Mbpp/901"},
        "oops",
    ])
    got = get_loader("evalperf").read_samples(path, conv.index())
    assert [(s.task_id, s.index) for s in got.samples] == [
        ("evalperf/humaneval-900", 0), ("evalperf/humaneval-900", 1), ("evalperf/mbpp-901", 0)]
    assert got.samples[0].source == "def pair_count(nums, target):\n    return 0\n"  # the fenced code only
    assert got.samples[2].source.startswith("def longest_run(s: str) -> int:") and got.samples[2].source.endswith("    return len(s)\n")
    assert [str(p) for p in got.problems] == [
        "samples.jsonl: line 4: unknown task 'Mbpp/999'",
        "samples.jsonl: line 5: no solution or completion (a string)",
        "samples.jsonl: line 6: not valid JSON (column 1: Expecting value)",
    ]


def test_load_is_the_task_loader_protocol(tmp_path):
    tasks = list(get_loader("evalperf").load(FIXTURES / "evalperf" / "evalperf.jsonl"))
    assert [t.id for t in tasks] == ["evalperf/humaneval-900", "evalperf/mbpp-901"]
    again = convert_cached(get_loader("evalperf"), FIXTURES / "evalperf" / "evalperf.jsonl")
    assert again.tasks[0].task.root == tasks[0].root  # the import cache is keyed by content
    assert (tasks[0].root.parent / "manifest.json").is_file()  # and read back, not converted again
    broken = write_jsonl(tmp_path / "broken.jsonl", [records(FIXTURES / "evalperf" / "evalperf.jsonl")[0], "{"])
    seen = []
    with pytest.raises(TaskError) as err:
        for task in get_loader("evalperf").load(broken):
            seen.append(task.id)
    assert seen == ["evalperf/humaneval-900"]
    assert err.value.message.startswith("broken.jsonl: line 2: not valid JSON")


# --- COFFE --------------------------------------------------------------------------------------


def test_coffe_prompts_become_function_and_process_tasks(tmp_path):
    conv = get_loader("coffe").convert(FIXTURES / "coffe", tmp_path / "out")
    assert not conv.problems
    by_name = {t.task.id.split("/")[1].rsplit("-", 1)[0]: t.task for t in conv.tasks}
    assert set(by_name) == {"sum_to", "count_vowels", "max_gap", "stdin"}
    fn = by_name["sum_to"]
    assert fn.spec.kind == "codegen" and [r.level for r in fn.spec.references] == ["best"]
    assert isinstance(fn.spec.interface, PythonFunction) and fn.spec.interface.function == "sum_to"
    assert fn.spec.stress.file == "stress.py"
    assert isinstance(by_name["stdin"].spec.interface, Process)
    best = json.loads((FIXTURES / "coffe" / "best_solutions.json").read_text())
    assert {t.external_id for t in conv.tasks} == set(best)  # the prompt is the published id
    # ids are stable: derived from the prompt, not from the order of the file
    assert conv.tasks[0].task.id == get_loader("coffe").convert(FIXTURES / "coffe", tmp_path / "again").tasks[0].task.id


@pytest.mark.parametrize("prompt, code, expected", [
    ("Write `def helper(x):` and `def main_fn(xs):`", "def helper(x):\n    return x\n\ndef main_fn(xs):\n    return xs\n", "main_fn"),
    ("Write a function that adds.", "def _aux():\n    pass\n\ndef add(a, b):\n    return a + b\n", "add"),
    ("Use def not_defined(x): please", "def real(x):\n    return x\n", "real"),
])
def test_coffe_entry_point_rule(prompt, code, expected):
    assert entry_point(prompt, code) == expected


def test_coffe_entry_point_refuses_classes_and_syntax_errors():
    with pytest.raises(ValueError, match="no top-level function"):
        entry_point("p", "class Solution:\n    def f(self):\n        return 1\n")
    with pytest.raises(ValueError, match=r"not valid Python \(line 1"):
        entry_point("p", "def broken(:\n")


def coffe_copy(tmp_path):
    folder = tmp_path / "coffe"
    shutil.copytree(FIXTURES / "coffe", folder)
    return folder


def test_coffe_bad_entries_are_named_by_prompt(tmp_path):
    folder = coffe_copy(tmp_path)
    best = json.loads((folder / "best_solutions.json").read_text())
    stress = json.loads((folder / "stressful_testcases.json").read_text())
    tests = json.loads((folder / "testcases.json").read_text())
    best["Write a class."] = ["class Solution:\n    pass\n", False]
    best["No stress for this one: def f(x):"] = ["def f(x):\n    return x\n", False]
    tests["No stress for this one: def f(x):"] = [{"input": "[1]", "output": 1}]
    best["Bad input: def g(x):"] = ["def g(x):\n    return x\n", False]
    tests["Bad input: def g(x):"] = [{"input": "[1,", "output": 1}]
    stress["Bad input: def g(x):"] = [{"input": "[2]", "output": 2}]
    (folder / "best_solutions.json").write_text(json.dumps(best))
    (folder / "testcases.json").write_text(json.dumps(tests))
    conv = get_loader("coffe").convert(folder, tmp_path / "out")
    assert len(conv.tasks) == 4
    assert sorted(str(p) for p in conv.problems) == [
        "best_solutions.json: prompt 'Bad input: def g(x):': testcases.json: case 0: input is not a Python expression "
        "('[' was never closed)",
        "best_solutions.json: prompt 'No stress for this one: def f(x):': stressful_testcases.json: no entry for this prompt",
        "best_solutions.json: prompt 'Write a class.': best solution: defines no top-level function "
        "(class-based solutions are not supported)",
    ]


def test_coffe_missing_or_malformed_files(tmp_path):
    folder = coffe_copy(tmp_path)
    (folder / "testcases.json").unlink()
    with pytest.raises(TaskError) as err:
        get_loader("coffe").convert(folder, tmp_path / "out")
    assert err.value.message.startswith(f"{folder / 'testcases.json'}: missing (a COFFE dataset folder holds")
    (folder / "testcases.json").write_text('{"a": [1,\n 2,,]}')
    with pytest.raises(TaskError) as err:
        get_loader("coffe").convert(folder, tmp_path / "out")
    assert err.value.message == f"{folder / 'testcases.json'}: not valid JSON: line 2 column 4: Expecting value"
    with pytest.raises(TaskError, match="expected a COFFE dataset folder"):
        get_loader("coffe").convert(folder / "best_solutions.json", tmp_path / "out")


def test_coffe_predictions_extract_code_and_report_unknown_prompts(tmp_path):
    conv = get_loader("coffe").convert(FIXTURES / "coffe", tmp_path / "out")
    preds = json.loads((FIXTURES / "coffe-predictions.json").read_text())
    prompt = next(p for p in preds if "sum_to" in p)
    preds["A prompt nobody asked"] = [["def f():\n    pass\n"], True]
    preds[next(p for p in preds if "max_gap" in p)][1] = False
    preds[next(p for p in preds if "count_vowels" in p)] = ["one output, not a list", "yes"]
    path = tmp_path / "preds.json"
    path.write_text(json.dumps(preds))
    got = get_loader("coffe").read_samples(path, conv.index())
    by_task = got.by_task()
    index = conv.index()
    assert by_task[index.get(prompt).task.id][0].source == "def sum_to(n):\n    return n * (n + 1) // 2\n"
    invalid = [s for s in got.samples if s.invalid]
    assert len(invalid) == 1 and invalid[0].invalid == "marked invalid in the predictions"
    assert len(got.samples) == 3
    assert sorted(str(p) for p in got.problems) == [
        "preds.json: prompt 'A prompt nobody asked': no task has this prompt",
        "preds.json: prompt 'Write a Python function `def count_vowels(s):...': expected [[outputs], validity]",
    ]
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(TaskError, match="expected a JSON object"):
        get_loader("coffe").read_samples(tmp_path / "list.json", conv.index())


# --- PIE ------------------------------------------------------------------------------------------


def test_pie_pairs_become_cpp_perf_edit_tasks(tmp_path):
    conv = get_loader("pie").convert(FIXTURES / "pie" / "pairs.jsonl", tmp_path / "out")
    assert not conv.problems
    assert [(t.external_id, t.task.id) for t in conv.tasks] == [
        ("p00001", "pie/p00001"), ("p00002", "pie/p00002"), ("p00003", "pie/p00003")]
    assert any("stand in for gem5's time" in n for n in conv.notes)
    task = conv.tasks[0].task
    spec = task.spec
    assert (spec.kind, spec.language, spec.interface.type) == ("perf-edit", "cpp", "process")
    assert spec.build.flags == ["-O3"] and spec.build.std == "c++17"
    assert [r.file for r in spec.references] == ["target.cpp"] and spec.baseline == "baseline.cpp"
    pair = records(FIXTURES / "pie" / "pairs.jsonl")[0]
    assert task.read("baseline.cpp").decode() == pair["input"] and task.read("target.cpp").decode() == pair["target"]
    assert [(c.stdin_file, c.stdout_file) for c in spec.tests.cases] == [
        ("tests/input.0.txt", "tests/output.0.txt"), ("tests/input.1.txt", "tests/output.1.txt")]
    assert task.read("tests/input.1.txt") == (FIXTURES / "pie" / "tests" / "p00001" / "input.1.txt").read_bytes()
    assert json.loads(task.read("pie.json"))["submission_id_v0"] == "s100"


def test_pie_second_pair_of_a_problem_and_bad_records(tmp_path):
    data = tmp_path / "pie"
    shutil.copytree(FIXTURES / "pie", data)
    pairs = records(data / "pairs.jsonl")
    write_jsonl(data / "pairs.jsonl", pairs + [
        pairs[0], {"problem_id": "p00009", "input": "int main(){}", "target": "int main(){}"},
        {"problem_id": "p00002", "input": "int main(){}"}, "{",
    ])
    conv = get_loader("pie").convert(data, tmp_path / "out")  # a folder holding the .jsonl and tests/
    assert [t.task.id for t in conv.tasks] == ["pie/p00001", "pie/p00002", "pie/p00003", "pie/p00001-2"]
    assert [str(p) for p in conv.problems] == [
        f"pairs.jsonl: line 5 (p00009): no test folder {data / 'tests' / 'p00009'}",
        "pairs.jsonl: line 6 (p00002): target: field required",
        "pairs.jsonl: line 7: not valid JSON (column 2: Expecting property name enclosed in double quotes)",
    ]
    shutil.rmtree(data / "tests")
    with pytest.raises(TaskError, match="no tests folder"):
        get_loader("pie").convert(data / "pairs.jsonl", tmp_path / "out2")


def test_pie_samples_by_task_or_problem_id(tmp_path):
    conv = get_loader("pie").convert(FIXTURES / "pie" / "pairs.jsonl", tmp_path / "out")
    got = get_loader("pie").read_samples(FIXTURES / "pie-samples.jsonl", conv.index())
    assert not got.problems
    assert [(s.task_id, s.index) for s in got.samples] == [("pie/p00001", 0), ("pie/p00002", 0), ("pie/p00003", 0)]
    assert got.samples[0].source.startswith("#include <algorithm>")  # fenced cpp block extracted


# --- shared samples reader -------------------------------------------------------------------------


def test_jsonl_samples_several_per_line_and_per_task(tmp_path):
    task = Task.load(Path(__file__).resolve().parents[2] / "benchmarks" / "suites" / "examples" / "py-dedupe")
    from benchmarks.loaders.base import ImportedTask

    index = TaskIndex([ImportedTask(task.id, task)])
    path = write_jsonl(tmp_path / "s.jsonl", [
        {"task_id": task.id, "solution": ["a = 1\n", "a = 2\n"]},
        {"task_id": task.id, "solution": "a = 3\n"},
        {"task_id": task.id, "solution": 7},
        {"solution": "a = 4\n"},
        "",
    ])
    got = read_jsonl_samples(path, index)
    assert [(s.index, s.source, s.origin) for s in got.samples] == [
        (0, "a = 1\n", "s.jsonl line 1 #0"), (1, "a = 2\n", "s.jsonl line 1 #1"), (2, "a = 3\n", "s.jsonl line 2")]
    assert [str(p) for p in got.problems] == ["s.jsonl: line 3: no solution (a string)", "s.jsonl: line 4: no task_id (a string)"]


def test_import_cache_reads_back_problems_and_follows_every_source_file(tmp_path, monkeypatch):
    data = tmp_path / "pie"
    shutil.copytree(FIXTURES / "pie", data)
    with (data / "pairs.jsonl").open("a") as fh:
        fh.write("{broken\n")
    loader = get_loader("pie")
    first = convert_cached(loader, data / "pairs.jsonl")
    assert len(first.tasks) == 3 and len(first.problems) == 1

    def refuse(*_):
        raise AssertionError("converted again")

    monkeypatch.setattr(type(loader), "convert", refuse)
    again = convert_cached(loader, data / "pairs.jsonl")
    assert [t.task.id for t in again.tasks] == [t.task.id for t in first.tasks]
    assert [str(p) for p in again.problems] == [str(p) for p in first.problems] and again.notes == first.notes
    # a test file beside the pairs is part of the dataset: changing it converts afresh
    (data / "tests" / "p00002" / "output.0.txt").write_text("7\n")
    with pytest.raises(AssertionError, match="converted again"):
        convert_cached(loader, data / "pairs.jsonl")
