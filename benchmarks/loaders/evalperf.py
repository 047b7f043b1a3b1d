"""EvalPerf (evalplus): code-efficiency tasks with references at several efficiency levels.

Published records (one JSON object per line of a ``.jsonl`` file, or a ``.json`` list):

``task_id``      ``HumanEval/10``, ``Mbpp/3``
``entry_point``  the function to write
``prompt``       the prompt (signature + docstring)
``reference``    solutions, slowest first
``scores``       EvalPerf's score of each reference (kept as provenance; levels are
                 re-derived from instruction counts measured here)
``pe_input``     a JSON string: the performance-exercising inputs, a list of argument lists
``base_input``   optional: correctness inputs (a list of argument lists)

Each record becomes a ``codegen`` task ``evalperf/<task_id>`` (lower case) whose references
are the given solutions (``ref-0`` slowest), whose stress inputs are the ``pe_input``
inputs (fixed: ``[stress] file``), and whose correctness tests are the record's
``base_input`` when it has one, else the ``pe_input`` inputs themselves; either way the
expected answers come from the oracle (the first, slowest reference), because EvalPerf
publishes no expected outputs.  References may share an efficiency level, so
``[measure] separation`` is 0 (validation only checks the listed order); DPS clusters the
measured counts as EvalPerf does.

Samples: JSONL ``{task_id, solution}`` (``solution``: the whole program; a fenced reply
is reduced to its code), or evalplus's ``{task_id, completion}`` (appended to the prompt).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from benchmarks.loaders.base import (
    Conversion,
    SampleSet,
    TaskIndex,
    convert_records,
    field_of,
    python_literal,
    read_jsonl_samples,
    records_of,
    slug,
)
from benchmarks.task import Task
from perfforge.errors import TaskError

HEADLINE = ("pass_at_1", "dps", "dps_norm", "efficient_at_1")


def _inputs(value: Any, name: str) -> list[list[Any]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{name}: not a valid JSON string (column {exc.colno}: {exc.msg})") from None
    if not isinstance(value, list) or not value:
        raise ValueError(f"{name}: expected a non-empty list of inputs")
    if not all(isinstance(item, list) for item in value):
        raise ValueError(f"{name}: every input must be a list of positional arguments")
    return value


def _make(record: dict[str, Any], taken: set[str]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    spec, files = _task_files(record)
    if spec["id"] in taken:
        raise ValueError(f"task_id: {record['task_id']!r} appears twice")
    return record["task_id"], spec, files


def _task_files(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    task_id = field_of(record, "task_id", str)
    entry = field_of(record, "entry_point", str)
    prompt = field_of(record, "prompt", str)
    refs = field_of(record, "reference", list, "a list of solutions")
    if not refs or not all(isinstance(r, str) and r.strip() for r in refs):
        raise ValueError("reference: expected a non-empty list of solution strings")
    scores = record.get("scores")
    if scores is not None and (not isinstance(scores, list) or len(scores) != len(refs)):
        raise ValueError(f"scores: expected one score per reference ({len(refs)})")
    pe = _inputs(record.get("pe_input"), "pe_input")
    tests_from = "base_input" if record.get("base_input") else "pe_input"
    tests = _inputs(record["base_input"], "base_input") if tests_from == "base_input" else pe
    width = len(str(len(refs) - 1))
    names = [f"ref_{i:0{width}d}.py" for i in range(len(refs))]
    files = {name: code if code.endswith("\n") else code + "\n" for name, code in zip(names, refs)}
    files["tests.py"] = (
        f"# {tests_from} of {task_id}: expected answers come from the oracle (EvalPerf states none)\n"
        f"import json\n\nCASES = [{{\"args\": args}} for args in {python_literal(tests)}]\n"
    )
    files["stress.py"] = (
        f"# pe_input of {task_id}: EvalPerf's performance-exercising inputs\n"
        f"import json\n\nINPUTS = {python_literal(pe)}\n"
    )
    files["evalperf.json"] = json.dumps({"task_id": task_id, "entry_point": entry, "scores": scores}, indent=1) + "\n"
    levels = [f"ref-{i}" + (f" (EvalPerf score {scores[i]:g})" if scores and isinstance(scores[i], (int, float)) else "")
              for i in range(len(refs))]
    spec = {
        "schema": 1,
        "id": f"evalperf/{slug(task_id, 120).replace('.', '-')}",
        "kind": "codegen",
        "language": "python",
        "title": f"{task_id}: {entry}",
        "description": prompt,
        "tags": ["evalperf", task_id.split("/")[0].lower()],
        "candidate": "solution.py",
        "references": [{"file": n, "level": lv} for n, lv in zip(names, levels)],
        "interface": {"type": "python-function", "function": entry},
        "tests": {"file": "tests.py"},
        "stress": {"file": "stress.py"},
        "compare": {"mode": "float", "rel_tol": 1e-6},
        "measure": {"separation": 0.0},
    }
    return spec, files


class EvalPerfLoader:
    name = "evalperf"
    headline = HEADLINE
    description = "EvalPerf (evalplus): JSONL task records; samples JSONL {task_id, solution}"

    def convert(self, path: Path, out: Path) -> Conversion:
        """Write one task folder per record of ``path`` under ``out``."""
        source = _records_file(path)
        return convert_records(Conversion(self.name, str(source)), source, records_of(source), "task_id", _make, out)

    def sources(self, path: Path) -> list[Path]:
        return [_records_file(path)]

    def load(self, path: Path) -> Iterator[Task]:
        from benchmarks.loaders import load_tasks

        yield from load_tasks(self, path)

    def read_samples(self, path: Path, index: TaskIndex) -> SampleSet:
        """JSONL ``{task_id, solution}``, or ``{task_id, completion}`` completing the prompt."""
        return read_jsonl_samples(path, index, completion=True)


def _records_file(path: Path) -> Path:
    if path.is_dir():
        found = sorted(path.glob("*.jsonl")) + sorted(path.glob("*.json"))
        if len(found) != 1:
            raise TaskError(f"{path}: expected one .jsonl (or .json) file of EvalPerf records, found {len(found)}")
        return found[0]
    if not path.exists():
        raise TaskError(f"{path}: no such file")
    return path
