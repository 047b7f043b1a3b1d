"""HPCTransEval: CUDA operators with a reference C implementation (HPCTransCompile).

Published data: JSON records (a ``.json`` list or ``.jsonl``, or a folder of such files)
``{op_name, cuda_code, c_code, ir_code, op_args, input_shape, output_shape}``:

* ``cuda_code``: the CUDA operator (shown to the model, never compiled);
* ``c_code``: the reference C (the baseline the speedup is measured against);
* ``ir_code``: the compiler's intermediate form (kept beside the task, unused);
* ``op_args``: the C function's parameter names in call order, the inputs first (one per
  ``input_shape``), then the outputs (one per ``output_shape``);
* ``input_shape``: one shape per input (a list of lists of ints); ``output_shape``: the
  output's shape, or one shape per output.

The C function called is the one ``c_code`` defines whose parameter names are exactly
``op_args`` (its element types, ``float``/``double``/``int``/``int64_t``, come from that
definition).  Each record becomes a ``cuda-to-cpu`` task ``hpctranseval/<op_name>``
whose ``[kernel]`` table has the fixed shapes: five correctness trials on random float32
inputs in [-1, 1) (integers in [0, 100)), one stress input of the same shapes, outputs
compared within rtol 1e-4, atol 1e-5, and speedup = reference C / candidate (instructions,
and time with ``perfforge measure``).

Samples: JSONL ``{task_id or op_name, solution}``; a fenced reply is reduced to its code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

from benchmarks.loaders.base import (
    Conversion,
    ImportedTask,
    RecordProblem,
    SampleSet,
    TaskIndex,
    check_out_dir,
    field_of,
    folder_name,
    read_jsonl_samples,
    records_of,
    slug,
    write_task,
)
from benchmarks.task import Task
from perfforge.errors import TaskError

HEADLINE = ("pass_at_1", "speedup")
RTOL, ATOL = 1e-4, 1e-5
PRELUDE = "/* Added by perfforge: the headers the operator's code may take for granted. */\n" \
          "#include <float.h>\n#include <math.h>\n#include <stdint.h>\n#include <stdlib.h>\n#include <string.h>\n\n"
_FUNCTION = re.compile(r"(?:^|[;}\s])(?:extern\s+\"C\"\s+)?(?:static\s+)?(?:inline\s+)?"
                       r"(void|int|float|double|int32_t|int64_t)\s+\**\s*([A-Za-z_]\w*)\s*\(([^()]*)\)\s*\{")
_TYPES = {"float": "float32", "double": "float64", "int": "int", "int32_t": "int", "int64_t": "int64"}
_QUALIFIERS = {"const", "__restrict__", "__restrict", "restrict", "volatile", "TVM_DLL"}


def _parameters(text: str) -> list[tuple[str, str, bool]] | None:
    """(name, element type, is pointer) of each parameter, or None when one is not understood."""
    params = []
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        pointer = "*" in part or "[" in part
        words = [w for w in re.split(r"[\s*\[\]]+", part) if w and w not in _QUALIFIERS]
        if len(words) != 2 or words[0] not in _TYPES:
            return None
        params.append((words[1], _TYPES[words[0]], pointer))
    return params


def find_function(c_code: str, names: list[str]) -> tuple[str, str, list[tuple[str, str, bool]]]:
    """(function, return type, parameters) of the function of ``c_code`` taking ``names``."""
    seen = []
    for match in _FUNCTION.finditer(c_code):
        ret, name, text = match.groups()
        params = _parameters(text)
        if params is not None and [p[0] for p in params] == names:
            return name, ret, params
        seen.append(name)
    raise ValueError(f"c_code defines no function taking ({', '.join(names)})"
                     + (f"; it defines {', '.join(seen[:5])}" if seen else ""))


def _shapes(value: Any, what: str, nested: bool) -> list[list[int]]:
    """A list of shapes; ``nested=False`` also takes one bare shape."""
    if not nested and isinstance(value, list) and all(isinstance(d, int) for d in value):
        value = [value]
    ok = isinstance(value, list) and all(
        isinstance(s, list) and s and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in s)
        for s in value)
    if not ok:
        raise ValueError(f"{what}: expected {'a list of shapes' if nested else 'a shape or a list of shapes'} "
                         f"(lists of non-negative integers), got {json.dumps(value)[:80]}")
    return value


def kernel_table(record: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The ``[kernel]`` table of one record, and the C function's name."""
    c_code = field_of(record, "c_code", str)
    names = field_of(record, "op_args", list)
    if not names or not all(isinstance(n, str) for n in names):
        raise ValueError("op_args: expected a list of parameter names")
    inputs = _shapes(record.get("input_shape"), "input_shape", nested=True)
    outputs = _shapes(record.get("output_shape"), "output_shape", nested=False)
    if len(inputs) + len(outputs) != len(names):
        raise ValueError(f"op_args: {len(names)} names for {len(inputs)} input shape(s) and "
                         f"{len(outputs)} output shape(s): the shapes do not match the arguments")
    function, ret, params = find_function(c_code, names)
    args = []
    for i, ((name, typ, pointer), shape) in enumerate(zip(params, inputs + outputs)):
        if not pointer:
            raise ValueError(f"op_args: {name} is a scalar in c_code; every argument must be an array")
        arg: dict[str, Any] = {"name": name, "type": typ, "shape": shape}
        if i >= len(inputs):
            arg["io"] = "out"
        args.append(arg)
    table: dict[str, Any] = {"function": function, "args": args, "sizes": [{}], "stress": [{}],
                             "rtol": RTOL, "atol": ATOL, "cuda": "kernel.cu"}
    if ret not in ("void",):
        table["returns"] = _TYPES[ret]
    return table, function


def task_files(record: dict[str, Any], task_id: str) -> tuple[dict[str, Any], dict[str, str | bytes]]:
    op = field_of(record, "op_name", str)
    cuda = field_of(record, "cuda_code", str)
    table, function = kernel_table(record)
    files: dict[str, str | bytes] = {"reference.c": PRELUDE + field_of(record, "c_code", str), "kernel.cu": cuda}
    if isinstance(record.get("ir_code"), str):
        files["ir.txt"] = record["ir_code"]
    meta = {k: v for k, v in record.items() if k not in ("cuda_code", "c_code", "ir_code")}
    files["hpctranseval.json"] = json.dumps(meta, indent=1, sort_keys=True) + "\n"
    spec = {
        "schema": 1,
        "id": task_id,
        "kind": "cuda-to-cpu",
        "language": "c",
        "title": f"HPCTransEval {op}: translate the CUDA operator to C/OpenMP",
        "description": f"Translate the CUDA operator `{op}` into C with OpenMP: the C function `{function}` "
                       "must write the outputs the CUDA launch writes.",
        "tags": ["hpctranseval", "cuda-to-cpu"],
        "candidate": "solution.c",
        "baseline": "reference.c",
        "kernel": table,
        "build": {"flags": ["-O2"]},
    }
    return spec, files


class HpcTransEvalLoader:
    name = "hpctranseval"
    headline = HEADLINE
    description = ("HPCTransEval: JSON records {op_name, cuda_code, c_code, ir_code, op_args, input_shape, output_shape}; "
                   "samples JSONL {task_id or op_name, solution}")

    def _files(self, path: Path) -> list[Path]:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".json", ".jsonl"))
            if not found:
                raise TaskError(f"{path}: no .json or .jsonl files of HPCTransEval records")
            return found
        if not path.is_file():
            raise TaskError(f"{path}: no such file")
        return [path]

    def convert(self, path: Path, out: Path) -> Conversion:
        conv = Conversion(self.name, str(path), notes=[
            "speedup = the reference C (c_code) / the candidate; instructions here, time with perfforge measure"])
        check_out_dir(out)
        taken: set[str] = set()
        for file in self._files(path):
            for where, record in records_of(file):
                if isinstance(record, RecordProblem):
                    conv.problems.append(record)
                    continue
                op = record.get("op_name")
                label = f"{where} ({op})" if isinstance(op, str) else where
                try:
                    base = f"hpctranseval/{slug(field_of(record, 'op_name', str))}"
                    task_id, nth = base, 1
                    while task_id in taken:
                        nth += 1
                        task_id = f"{base}-{nth}"
                    spec, files = task_files(record, task_id)
                    task = write_task(out / folder_name(task_id), spec, files)
                except (ValueError, OSError, TaskError) as exc:
                    conv.problems.append(RecordProblem(file.name, label, str(exc)))
                    continue
                taken.add(task.id)
                conv.tasks.append(ImportedTask(op if nth == 1 else f"{op}-{nth}", task))
        if not conv.tasks and not conv.problems:
            raise TaskError(f"{path}: no records")
        return conv

    def load(self, path: Path) -> Iterator[Task]:
        from benchmarks.loaders import load_tasks

        yield from load_tasks(self, path)

    def read_samples(self, path: Path, index: TaskIndex) -> SampleSet:
        return read_jsonl_samples(path, index, id_keys=("task_id", "op_name"))
