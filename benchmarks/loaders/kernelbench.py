"""KernelBench: PyTorch reference modules to rewrite as faster ones, judged on the CPU here.

Published data: problem files, each a Python module defining the reference
``class Model(nn.Module)``, ``get_inputs()`` (the forward call's arguments) and
``get_init_inputs()`` (the constructor's), in level folders (``level1/1_Square_matrix_
multiplication_.py``).  ``PATH`` is one problem file or a folder searched recursively.

Each problem becomes a ``kernel`` task ``kernelbench/<level>-<name>`` with
``[kernel.torch]``: a candidate module defines ``ModelNew``; 5 seeded correctness trials
compared with ``numpy.isclose`` at rtol = atol = 1e-2 (KernelBench's tolerance); time
against eager PyTorch, interleaved; fast_p over the tasks (``bench evaluate --format
kernelbench``).  A problem lacking ``Model``, ``get_inputs`` or ``get_init_inputs`` is
refused by file.  Running needs torch in the sandbox (``evaluators.kinds.torch_image``).

Samples: JSONL ``{task_id or problem, solution}`` where ``problem`` is the file's name
without ``.py`` (``1_Square_matrix_multiplication_``); a fenced reply is reduced to its code.
"""

from __future__ import annotations

import ast
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
    folder_name,
    read_jsonl_samples,
    slug,
    write_task,
)
from benchmarks.task import Task
from perfforge.errors import TaskError

HEADLINE = ("pass_at_1", "fast_p", "speedup")
TOLERANCE = 1e-2
_LEVEL = re.compile(r"^level[_-]?(\d+)$", re.IGNORECASE)


def problem_names(source: str) -> list[str]:
    """What a problem file lacks of Model / get_inputs / get_init_inputs (empty: nothing)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"not valid Python: line {exc.lineno}: {exc.msg}") from None
    defined = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    return [name for name in ("Model", "get_inputs", "get_init_inputs") if name not in defined]


def task_spec(file: Path, task_id: str, level: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    source = file.read_text(encoding="utf-8")
    missing = problem_names(source)
    if missing:
        raise ValueError(f"defines no {', '.join(missing)} (a KernelBench problem defines Model, get_inputs "
                         "and get_init_inputs)")
    where = f"level {level} " if level else ""
    spec = {
        "schema": 1,
        "id": task_id,
        "kind": "kernel",
        "language": "python",
        "title": f"KernelBench {where}{file.stem}: a faster ModelNew",
        "description": "Rewrite the PyTorch module `Model` below as `ModelNew`, faster on the CPU with the same "
                       "outputs (custom operators, fused or reordered computation, cheaper formulations).",
        "tags": ["kernelbench", "pytorch"] + ([f"level{level}"] if level else []),
        "candidate": "solution.py",
        "baseline": "problem.py",
        "kernel": {"function": "ModelNew", "rtol": TOLERANCE, "atol": TOLERANCE, "torch": {"problem": "problem.py"}},
        "measure": {"warmups": 1, "repeats": 5},
        "limits": {"memory_mib": 4096},
    }
    return spec, {"problem.py": source}


def _problems(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise TaskError(f"{path}: no such file or folder")
    found = sorted(p for p in path.rglob("*.py") if not p.name.startswith(("_", ".")))
    if not found:
        raise TaskError(f"{path}: no KernelBench problem files (*.py)")
    return found


class KernelBenchLoader:
    name = "kernelbench"
    headline = HEADLINE
    description = ("KernelBench: problem files defining Model, get_inputs, get_init_inputs (level folders); "
                   "samples JSONL {task_id or problem, solution} defining ModelNew")

    def convert(self, path: Path, out: Path) -> Conversion:
        conv = Conversion(self.name, str(path), notes=[
            "judged on the CPU: 5 seeded trials (rtol = atol = 1e-2), time against eager PyTorch, fast_p; "
            "needs torch in the sandbox image (python -m evaluators.kinds.torch_image)"])
        check_out_dir(out)
        taken: set[str] = set()
        for file in _problems(path):
            match = _LEVEL.match(file.parent.name)
            level = match.group(1) if match else None
            base = f"kernelbench/{'level' + level + '-' if level else ''}{slug(file.stem)}"
            task_id, nth = base, 1
            while task_id in taken:
                nth += 1
                task_id = f"{base}-{nth}"
            try:
                spec, files = task_spec(file, task_id, level)
                task = write_task(out / folder_name(task_id), spec, files)
            except (ValueError, OSError, UnicodeDecodeError, TaskError) as exc:
                where = str(file.relative_to(path)) if path.is_dir() else "problem"
                conv.problems.append(RecordProblem(path.name, where, str(exc)))
                continue
            taken.add(task.id)
            conv.tasks.append(ImportedTask(file.stem if nth == 1 else f"{file.stem}-{nth}", task))
        return conv

    def load(self, path: Path) -> Iterator[Task]:
        from benchmarks.loaders import load_tasks

        yield from load_tasks(self, path)

    def read_samples(self, path: Path, index: TaskIndex) -> SampleSet:
        return read_jsonl_samples(path, index, id_keys=("task_id", "problem"))
