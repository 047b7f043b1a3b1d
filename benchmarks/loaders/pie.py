"""PIE: performance-improving edits of C++ programs (pairs from CodeNet).

Published data: a JSONL file of pairs ``{problem_id, input, target, ...}`` (``input``: the
slow program, ``target``: a faster one by the same author) and a folder of test cases
``{problem_id}/input.N.txt`` + ``output.N.txt``.  ``PATH`` is the JSONL file, with the
tests in ``tests/`` (or PIE's ``public_test_cases/``) beside it, or a folder holding one
``.jsonl`` file and that tests folder.

Each pair becomes a ``perf-edit`` C++ ``process`` task ``pie/<problem_id>`` (a second pair
of the same problem ``pie/<problem_id>-2``, ...): baseline = ``input``, reference =
``target``, tests = the problem's test files (stdin -> expected stdout), stress inputs =
the same test inputs (fixed: ``[stress] file``).  Built with ``g++ -std=c++17 -O3``;
outputs compared token by token (numbers within 1e-6, relative).

PIE measures time on the gem5 simulator.  Here **instruction counts stand in for gem5's
time**: valgrind cachegrind counts every instruction of the whole process, summed over the
test inputs, and the counts repeat exactly (like gem5's simulated time, unlike wall time).

Samples: JSONL ``{task_id, solution}`` where ``task_id`` is ``pie/<problem_id>`` or the
bare ``problem_id`` (its first pair); a fenced reply is reduced to its code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

from benchmarks.loaders.base import (
    Conversion,
    SampleSet,
    TaskIndex,
    convert_records,
    field_of,
    iter_jsonl,
    python_literal,
    read_jsonl_samples,
    slug,
)
from benchmarks.task import Task
from perfforge.errors import TaskError

HEADLINE = ("pie_speedup", "pie_pct_opt", "pie_pct_correct", "pass_at_1")
TEST_FOLDERS = ("tests", "public_test_cases")
_INPUT = re.compile(r"^input\.(\d+)\.txt$")
TIME_STANDS_IN = "instructions (valgrind cachegrind, whole process, summed over the test inputs) stand in for gem5's time"


def locate(path: Path) -> tuple[Path, Path]:
    """(the JSONL file, the tests folder) of a PIE dataset given as a file or a folder."""
    if path.is_dir():
        found = sorted(path.glob("*.jsonl"))
        if len(found) != 1:
            raise TaskError(f"{path}: expected one .jsonl file of PIE pairs, found {len(found)}")
        jsonl = found[0]
    elif path.is_file():
        jsonl = path
    else:
        raise TaskError(f"{path}: no such file")
    for name in TEST_FOLDERS:
        if (jsonl.parent / name).is_dir():
            return jsonl, jsonl.parent / name
    raise TaskError(f"{jsonl.parent}: no tests folder ({' or '.join(TEST_FOLDERS)}/<problem_id>/input.N.txt) beside {jsonl.name}")


def _tests(folder: Path) -> list[tuple[str, bytes, bytes | None]]:
    """(N, input, expected output or None) of every ``input.N.txt``, in N order."""
    if not folder.is_dir():
        raise ValueError(f"no test folder {folder}")
    found = []
    for file in folder.iterdir():
        match = _INPUT.match(file.name)
        if match:
            out = folder / f"output.{match.group(1)}.txt"
            found.append((int(match.group(1)), file.read_bytes(), out.read_bytes() if out.is_file() else None))
    if not found:
        raise ValueError(f"{folder}: no input.N.txt files")
    return [(str(n), data, out) for n, data, out in sorted(found, key=lambda t: t[0])]


def _task_files(record: dict[str, Any], task_id: str, tests_dir: Path) -> tuple[dict[str, Any], dict[str, str | bytes]]:
    problem = field_of(record, "problem_id", str)
    slow = field_of(record, "input", str)
    fast = field_of(record, "target", str)
    if not slow.strip() or not fast.strip():
        raise ValueError("input/target: empty program")
    tests = _tests(tests_dir / problem)
    files: dict[str, str | bytes] = {"baseline.cpp": slow, "target.cpp": fast}
    cases = []
    for n, data, expected in tests:
        files[f"tests/input.{n}.txt"] = data
        case: dict[str, Any] = {"name": f"test {n}", "stdin_file": f"tests/input.{n}.txt"}
        if expected is not None:
            files[f"tests/output.{n}.txt"] = expected
            case["stdout_file"] = f"tests/output.{n}.txt"
        cases.append(case)
    names = [f"input.{n}.txt" for n, _, _ in tests]
    files["stress.py"] = (
        "# PIE's test inputs, read as standard input: the stress inputs of this task\n"
        "import json\nimport os\n\n_HERE = os.path.dirname(os.path.abspath(__file__))\n"
        f"INPUTS = [open(os.path.join(_HERE, 'tests', name), 'rb').read() for name in {python_literal(names)}]\n"
    )
    meta = {k: v for k, v in record.items() if k not in ("input", "target") and isinstance(v, (str, int, float, bool))}
    files["pie.json"] = json.dumps(meta, indent=1, sort_keys=True) + "\n"
    spec = {
        "schema": 1,
        "id": task_id,
        "kind": "perf-edit",
        "language": "cpp",
        "title": f"PIE {problem}: make this C++ program faster",
        "description": f"CodeNet problem {problem}: the program reads standard input and writes standard output; "
                      "keep its output the same for every valid input and make it faster.",
        "tags": ["pie", "cpp", "codenet"],
        "candidate": "solution.cpp",
        "baseline": "baseline.cpp",
        "references": [{"file": "target.cpp", "level": "target"}],
        "interface": {"type": "process"},
        "tests": {"cases": cases},
        "stress": {"file": "stress.py"},
        "compare": {"mode": "float", "rel_tol": 1e-6},
        "build": {"std": "c++17", "flags": ["-O3"], "libs": ["-lm"]},
        "measure": {"separation": 0.0},
    }
    return spec, files


class PieLoader:
    name = "pie"
    headline = HEADLINE
    description = "PIE: JSONL pairs {problem_id, input, target} + tests/<problem_id>/input.N.txt; samples JSONL {task_id, solution}"

    def convert(self, path: Path, out: Path) -> Conversion:
        jsonl, tests_dir = locate(path)
        conv = Conversion(self.name, str(jsonl), notes=[TIME_STANDS_IN])

        def make(record: dict[str, Any], taken: set[str]) -> tuple[str, dict[str, Any], dict[str, Any]]:
            problem = field_of(record, "problem_id", str)
            base_id, nth = f"pie/{slug(problem)}", 1
            while (base_id if nth == 1 else f"{base_id}-{nth}") in taken:
                nth += 1
            task_id = base_id if nth == 1 else f"{base_id}-{nth}"
            spec, files = _task_files(record, task_id, tests_dir)
            return (problem if nth == 1 else f"{problem}-{nth}"), spec, files

        return convert_records(conv, jsonl, iter_jsonl(jsonl), "problem_id", make, out)

    def sources(self, path: Path) -> list[Path]:
        jsonl, tests_dir = locate(path)
        return [jsonl, *sorted(p for p in tests_dir.rglob("*") if p.is_file())]

    def load(self, path: Path) -> Iterator[Task]:
        from benchmarks.loaders import load_tasks

        yield from load_tasks(self, path)

    def read_samples(self, path: Path, index: TaskIndex) -> SampleSet:
        return read_jsonl_samples(path, index, id_keys=("task_id", "problem_id"))
