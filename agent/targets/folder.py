"""Task folders made from file targets: named by content, written atomically, reused."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict

from benchmarks.task import Task
from perfforge import paths

META = "_perfforge"  # perfforge's own files in a made task folder
INFO = f"{META}/target.json"  # where the task came from; its presence marks a finished folder


class Materialized(BaseModel):
    """A target made into a task, and what was learned on the way (``info``: target.json)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    task: Any  # benchmarks.task.Task
    info: dict[str, Any]
    cached: bool = False


def slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "-" for c in text.lower()).strip("-.") or "target"


def place(work: Path | None, name: str, key: str) -> Path:
    """The folder of a target named ``name`` whose sources hash to ``key``."""
    base = Path(work) if work is not None else paths.sub("targets")
    return base / f"{slug(name)}-{key[:12]}"


def made_before(folder: Path, progress: Callable[[str], None]) -> Materialized | None:
    """The folder as an earlier run finished it, or None."""
    if not (folder / INFO).is_file():
        return None
    progress(f"task already made from the same files: {folder}")
    return Materialized(task=Task.load(folder), info=json.loads((folder / INFO).read_text()), cached=True)


def publish(folder: Path, files: dict[str, bytes], info: dict[str, Any],
            check: Callable[[Task], None] | None = None) -> Materialized:
    """Write ``files`` (and ``info``) as the task folder ``folder``: into a temporary folder
    beside it, loaded and ``check``-ed there, then renamed, so that a half-made or refused
    folder never takes the name; when another run made the same folder first, theirs stands."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
    try:
        for rel, data in {**files, INFO: json.dumps(info, indent=2).encode()}.items():
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).write_bytes(data)
        task = Task.load(tmp)
        if check is not None:
            check(task)
        try:
            os.rename(tmp, folder)
        except OSError:
            if not (folder / INFO).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Materialized(task=Task.load(folder), info=info)


def target_function(task: Task) -> str | None:
    """The one function a candidate may change, for a task made from a Python function target
    (its ``target.json`` names it); None for every other task (the whole file is the target)."""
    info = task.root / INFO
    if not info.is_file():
        return None
    return json.loads(info.read_text()).get("function") or None  # a broken file is an error, not "no limit"
