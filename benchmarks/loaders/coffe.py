"""COFFE (function level): code-efficiency tasks with stressful test cases.

A COFFE dataset folder holds, keyed by the prompt text:

``best_solutions.json``        ``{prompt: [code, is_stdin_io]}``: the best ground-truth solution
``testcases.json``             ``{prompt: [{"input": ..., "output": ...}, ...]}``: correctness tests
``stressful_testcases.json``   the same shape: the stressful tests efficiency is measured on

Each prompt becomes a ``codegen`` task whose one reference is the best solution:

* ``is_stdin_io`` false: a ``python-function`` task.  A test's ``input`` is a Python
  expression giving the argument list (evaluated in the sandbox).  The function's name is
  the last ``def NAME(`` of the prompt that the best solution defines at top level, else
  the last top-level function of the best solution (COFFE's own choice of entry point).
  A solution without a top-level function (a class) is refused with a reason.
* ``is_stdin_io`` true: a ``process`` task; ``input`` is the standard input text.

The ``output`` values COFFE recorded were produced by running the best solution; the
tasks ask the oracle (that same solution, run in the sandbox) instead, so that JSON's
lost types (tuples, sets) cannot fail a correct sample.  Task ids are
``coffe/<function>-<hash>`` (``coffe/stdin-<hash>``), the hash taken from the prompt.

Predictions: ``{prompt: [[raw model outputs], validity]}``; the code is taken from each raw
output's fenced block (the whole output when it has none).  A prompt marked invalid keeps
its samples in the count as failures, as COFFE's accuracy does.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any, Iterator

from benchmarks.loaders.base import (
    Conversion,
    RecordProblem,
    SampleSet,
    TaskIndex,
    convert_records,
    code_of,
    python_literal,
    read_json,
    require_file,
    short_hash,
    slug,
)
from benchmarks.task import Task
from perfforge.errors import TaskError

BEST = "best_solutions.json"
TESTS = "testcases.json"
STRESS = "stressful_testcases.json"
HEADLINE = ("pass_at_1", "efficient_at_1", "coffe_speedup")

_DEF = re.compile(r"\bdef\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def prompt_label(prompt: str) -> str:
    """A prompt named compactly in messages: its first words."""
    first = " ".join(prompt.split())
    return f"prompt {first if len(first) <= 48 else first[:45] + '...'!r}"


def entry_point(prompt: str, code: str) -> str:
    """The function a function-level task calls (see the module docstring)."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise ValueError(f"best solution: not valid Python (line {exc.lineno}: {exc.msg})") from None
    defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not defined:
        raise ValueError("best solution: defines no top-level function (class-based solutions are not supported)")
    named = [name for name in _DEF.findall(prompt) if name in defined]
    return named[-1] if named else defined[-1]


def _cases(prompt: str, table: dict[str, Any], file: str, stdin: bool) -> list[str]:
    if prompt not in table:
        raise ValueError(f"{file}: no entry for this prompt")
    cases = table[prompt]
    if not isinstance(cases, list) or not cases:
        raise ValueError(f"{file}: expected a non-empty list of test cases")
    inputs = []
    for i, case in enumerate(cases):
        if not isinstance(case, dict) or "input" not in case:
            raise ValueError(f"{file}: case {i}: expected an object with an input")
        text = case["input"]
        if not isinstance(text, str):
            raise ValueError(f"{file}: case {i}: input must be a string, got {type(text).__name__}")
        if not stdin:
            try:
                compile(text, f"{file} case {i}", "eval")  # parsed only: it is evaluated in the sandbox
            except SyntaxError as exc:
                raise ValueError(f"{file}: case {i}: input is not a Python expression ({exc.msg})") from None
        inputs.append(text)
    return inputs


def _task_files(prompt: str, best: Any, tests: dict[str, Any], stress: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    if not (isinstance(best, list) and len(best) == 2 and isinstance(best[0], str) and isinstance(best[1], bool)):
        raise ValueError(f"{BEST}: expected [code, is_stdin_io]")
    code, stdin = best
    if not code.strip():
        raise ValueError(f"{BEST}: the best solution is empty")
    name = "stdin" if stdin else entry_point(prompt, code)
    test_inputs = _cases(prompt, tests, TESTS, stdin)
    stress_inputs = _cases(prompt, stress, STRESS, stdin)
    key = "stdin" if stdin else "expr"
    files = {
        "best.py": code if code.endswith("\n") else code + "\n",
        "tests.py": "# COFFE correctness tests: expected answers come from the oracle (the best solution)\n"
                    f"import json\n\nCASES = [{{{key!r}: text}} for text in {python_literal(test_inputs)}]\n",
    }
    if stdin:
        files["stress.py"] = ("# COFFE stressful tests: the standard input of each\nimport json\n\n"
                              f"INPUTS = {python_literal(stress_inputs)}\n")
    else:
        files["stress.py"] = ("# COFFE stressful tests: each input is an expression giving the argument list\nimport json\n\n"
                              f"INPUTS = [list(eval(text, {{}})) for text in {python_literal(stress_inputs)}]\n")
    task_id = f"coffe/{slug(name, 40).replace('.', '-')}-{short_hash(prompt)}"
    spec = {
        "schema": 1,
        "id": task_id,
        "kind": "codegen",
        "language": "python",
        "title": f"COFFE {'stdin program' if stdin else name}",
        "description": prompt,
        "tags": ["coffe", "stdin" if stdin else "function"],
        "candidate": "solution.py",
        "references": [{"file": "best.py", "level": "best"}],
        "interface": {"type": "process"} if stdin else {"type": "python-function", "function": name},
        "tests": {"file": "tests.py"},
        "stress": {"file": "stress.py"},
        "compare": {"mode": "float", "rel_tol": 1e-6},
    }
    return spec, files


def _table(folder: Path, name: str) -> dict[str, Any]:
    data = read_json(require_file(folder / name, "a COFFE dataset folder holds best_solutions.json, "
                                  "testcases.json and stressful_testcases.json"))
    if not isinstance(data, dict):
        raise TaskError(f"{folder / name}: expected a JSON object keyed by prompt, got {type(data).__name__}")
    return data


class CoffeLoader:
    name = "coffe"
    headline = HEADLINE
    description = "COFFE function level: a folder of best_solutions/testcases/stressful_testcases.json; predictions JSON"

    def convert(self, path: Path, out: Path) -> Conversion:
        if not path.is_dir():
            raise TaskError(f"{path}: expected a COFFE dataset folder (holding {BEST}, {TESTS}, {STRESS})")
        best, tests, stress = (_table(path, name) for name in (BEST, TESTS, STRESS))

        def make(record: dict[str, Any], taken: set[str]) -> tuple[str, dict[str, Any], dict[str, Any]]:
            spec, files = _task_files(record["prompt"], record["best"], tests, stress)
            return record["prompt"], spec, files

        records = ((prompt_label(prompt), {"prompt": prompt, "best": entry}) for prompt, entry in best.items())
        return convert_records(Conversion(self.name, str(path)), path / BEST, records, "", make, out)

    def sources(self, path: Path) -> list[Path]:
        return [require_file(path / name, "a COFFE dataset file") for name in (BEST, TESTS, STRESS)]

    def load(self, path: Path) -> Iterator[Task]:
        from benchmarks.loaders import load_tasks

        yield from load_tasks(self, path)

    def read_samples(self, path: Path, index: TaskIndex) -> SampleSet:
        """``{prompt: [[raw outputs], validity]}`` (or ``[raw output, validity]``)."""
        data = read_json(path)
        if not isinstance(data, dict):
            raise TaskError(f"{path}: expected a JSON object {{prompt: [[outputs], validity]}}, got {type(data).__name__}")
        out = SampleSet()
        for prompt, entry in data.items():
            where = prompt_label(prompt)
            item = index.get(prompt)
            if item is None:
                out.problems.append(RecordProblem(path.name, where, "no task has this prompt"))
                continue
            if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], bool)):
                out.problems.append(RecordProblem(path.name, where, "expected [[outputs], validity]"))
                continue
            outputs = entry[0] if isinstance(entry[0], list) else [entry[0]]
            if not all(isinstance(o, str) for o in outputs):
                out.problems.append(RecordProblem(path.name, where, "every output must be a string"))
                continue
            if not entry[1]:
                out.notes.append(f"{path.name}: {where}: marked invalid: its {len(outputs)} output(s) count as failures")
            for n, raw in enumerate(outputs):
                out.add(item.task.id, code_of(raw, "python"), f"{path.name} {where} output {n}",
                        invalid=None if entry[1] else "marked invalid in the predictions")
        return out


__all__ = ["CoffeLoader", "entry_point"]
