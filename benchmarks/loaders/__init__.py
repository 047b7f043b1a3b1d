"""Loaders for published benchmark formats, by name (``LOADERS``).

Each loader implements :class:`perfforge.protocols.TaskLoader` (``name``, ``load(path)``
yielding tasks) and, for ``perfforge bench``, ``convert(path, out)`` (write task
folders, reporting bad records one by one), ``sources(path)`` (the files the dataset is
made of: they key the import cache), ``read_samples(path, index)`` (the format's
prediction files) and ``headline`` (the scores the format is known for).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterator

from benchmarks.loaders.coffe import CoffeLoader
from benchmarks.loaders.base import Conversion, ImportedTask, RecordProblem
from benchmarks.loaders.evalperf import EvalPerfLoader
from benchmarks.loaders.hpctranseval import HpcTransEvalLoader
from benchmarks.loaders.kernelbench import KernelBenchLoader
from benchmarks.loaders.pie import PieLoader
from benchmarks.task import Task
from perfforge import paths
from perfforge.errors import ConfigError, TaskError

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1  # bump when the converted folders change shape

LOADERS: dict[str, Any] = {
    "evalperf": EvalPerfLoader(),
    "coffe": CoffeLoader(),
    "pie": PieLoader(),
    "hpctranseval": HpcTransEvalLoader(),
    "kernelbench": KernelBenchLoader(),
}


def get_loader(name: str) -> Any:
    """The loader called ``name``; an unknown name lists the valid ones."""
    try:
        return LOADERS[name]
    except KeyError:
        raise ConfigError(f"unknown format {name!r}; valid: {', '.join(sorted(LOADERS))}") from None


def import_cache(loader: Any, path: Path) -> Path:
    """Where ``path`` converted by ``loader`` is kept between runs: keyed by the content of
    the files the dataset is made of (``loader.sources``), so a changed dataset converts
    afresh and an unchanged one keeps the same task folders (and with them the cached
    stress inputs and reference counts)."""
    digest = hashlib.sha256(f"{loader.name}/{MANIFEST_FORMAT}\0".encode())
    sources = getattr(loader, "sources", None)
    if sources is not None:
        files = sources(path)
    else:  # a loader that does not say: every file of the folder, or the file itself
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(file.name.encode() + b"\0" + hashlib.sha256(file.read_bytes()).digest())
    return paths.sub("imported") / f"{loader.name}-{digest.hexdigest()[:16]}"


def convert_cached(loader: Any, path: Path) -> Conversion:
    """``loader.convert`` into the import cache (see :func:`import_cache`); a dataset
    converted before is read back from the cache's manifest, problems and notes included."""
    if not path.exists():
        raise TaskError(f"{path}: no such file or folder")
    out = import_cache(loader, path)
    cached = _read_manifest(out)
    if cached is not None:
        return cached
    conv = loader.convert(path, out)
    manifest = {
        "format": conv.format, "source": conv.source, "notes": conv.notes,
        "tasks": [{"external_id": t.external_id, "folder": t.task.root.name} for t in conv.tasks],
        "problems": [[p.file, p.record, p.message] for p in conv.problems],
    }
    tmp = out / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest), encoding="utf-8")
    tmp.replace(out / MANIFEST)
    return conv


def _read_manifest(out: Path) -> Conversion | None:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        conv = Conversion(data["format"], data["source"], notes=list(data["notes"]),
                          problems=[RecordProblem(*p) for p in data["problems"]])
        conv.tasks = [ImportedTask(t["external_id"], Task.load(out / t["folder"])) for t in data["tasks"]]
    except (OSError, ValueError, KeyError, TypeError, TaskError):
        return None  # absent or damaged: convert again
    return conv


def load_tasks(loader: Any, path: Path) -> Iterator[Task]:
    """The TaskLoader protocol: every good task, in record order; then, when some record
    was malformed, a TaskError naming the file and the first bad record."""
    conv = convert_cached(loader, Path(path))
    made = {item.task.id: item.task for item in conv.tasks}
    for item in conv.tasks:
        yield made[item.task.id]
    if conv.problems:
        first = conv.problems[0]
        more = len(conv.problems) - 1
        raise TaskError(str(first), hint=f"{more} more bad record(s)" if more else None)


__all__ = ["LOADERS", "get_loader", "convert_cached", "import_cache", "load_tasks"]
