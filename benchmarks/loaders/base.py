"""What every loader shares: reading published files with errors that name file and record,
writing task folders, and the samples a format's prediction files hold.

A loader turns one published dataset into perfforge task folders (``convert``); each
record becomes one folder, and a bad record is reported (file + record) without
stopping the others.  The folders are ordinary tasks: ``perfforge task validate``,
``perfforge measure`` and ``perfforge bench evaluate`` work on them unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import tomli_w

from benchmarks.task import TASK_FILE, Task
from perfforge.errors import ConfigError, TaskError

# --- problems and results ----------------------------------------------------------------


@dataclass(frozen=True)
class RecordProblem:
    """A record that could not be used, and why.  ``record``: ``line 3``, ``record 2``, ``prompt 'Write a...'``."""

    file: str
    record: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.record}: {self.message}"


@dataclass
class ImportedTask:
    """One converted record: the task and the id the published data gives it."""

    external_id: str
    task: Task


@dataclass
class Conversion:
    """The result of converting a dataset: the tasks made and the records refused."""

    format: str
    source: str
    tasks: list[ImportedTask] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def index(self) -> "TaskIndex":
        return TaskIndex(self.tasks)


class TaskIndex:
    """Finds a task by its perfforge id or by the published id (``HumanEval/0``, ``p00001``)."""

    def __init__(self, tasks: list[ImportedTask]) -> None:
        self.tasks = tasks
        self._by_key: dict[str, ImportedTask] = {}
        for item in tasks:
            self._by_key.setdefault(item.task.id, item)
            self._by_key.setdefault(item.external_id, item)

    def get(self, key: str) -> ImportedTask | None:
        return self._by_key.get(key)

    def __len__(self) -> int:
        return len(self.tasks)


# --- samples -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One pre-generated solution for one task.  ``index`` counts the task's samples from 0."""

    task_id: str
    index: int
    source: str
    origin: str  # where it came from: "samples.jsonl line 4"
    invalid: str | None = None  # why it is a failure without running (a prediction marked invalid)


@dataclass
class SampleSet:
    """The samples a file held, and the lines or entries that could not be used."""

    samples: list[Sample] = field(default_factory=list)
    problems: list[RecordProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _counts: dict[str, int] = field(default_factory=dict, repr=False)

    def add(self, task_id: str, source: str, origin: str, invalid: str | None = None) -> None:
        index = self._counts.get(task_id, 0)
        self._counts[task_id] = index + 1
        self.samples.append(Sample(task_id, index, source, origin, invalid))

    def by_task(self) -> dict[str, list[Sample]]:
        out: dict[str, list[Sample]] = {}
        for sample in self.samples:
            out.setdefault(sample.task_id, []).append(sample)
        return out


def code_of(text: str, language: str) -> str:
    """The program in a solution field: the code of its fenced block when it has one (a raw
    model reply), else the text itself."""
    from agent.codeblocks import extract_code

    found = extract_code(text, language)
    return found if found is not None else text


def read_jsonl_samples(path: Path, index: TaskIndex, *, id_keys: tuple[str, ...] = ("task_id",),
                       completion: bool = False) -> SampleSet:
    """JSONL samples ``{task_id, solution}`` (a string, or a list of strings: several samples;
    a fenced reply is reduced to its code in the task's language);
    with ``completion``, also ``{task_id, completion}``: code appended to the task's prompt
    (its description).  Every bad line is reported, the rest kept."""
    out = SampleSet()
    wanted = "solution or completion" if completion else "solution"
    for where, record in iter_jsonl(path):
        if isinstance(record, RecordProblem):
            out.problems.append(record)
            continue
        key = next((k for k in id_keys if isinstance(record.get(k), str)), None)
        item = index.get(record[key]) if key else None
        if item is None:
            why = f"unknown task {record[key]!r}" if key else f"no {' or '.join(id_keys)} (a string)"
            out.problems.append(RecordProblem(path.name, where, why))
            continue
        code = record.get("solution")
        if code is None and completion and isinstance(record.get("completion"), str):
            code = item.task.spec.description + record["completion"]
        sources = code if isinstance(code, list) else [code]
        if code is None or not sources or not all(isinstance(s, str) for s in sources):
            out.problems.append(RecordProblem(path.name, where, f"no {wanted} (a string)"))
            continue
        for n, source in enumerate(sources):
            origin = f"{path.name} {where}" + (f" #{n}" if len(sources) > 1 else "")
            out.add(item.task.id, code_of(source, item.task.spec.language), origin)
    return out


# --- reading published files ------------------------------------------------------------------


def require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise TaskError(f"{path}: missing ({what})")
    return path


def read_json(path: Path) -> Any:
    """A whole JSON file; a syntax error names the file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TaskError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TaskError(f"{path}: cannot be read: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TaskError(f"{path}: not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}") from None


def iter_jsonl(path: Path) -> Iterator[tuple[str, dict[str, Any] | RecordProblem]]:
    """(``line N``, the object or the problem with that line) for every non-blank line."""
    try:
        handle = path.open(encoding="utf-8", errors="strict")
    except FileNotFoundError:
        raise TaskError(f"{path}: no such file") from None
    except OSError as exc:
        raise TaskError(f"{path}: cannot be read: {exc}") from None
    with handle:
        try:
            for number, line in enumerate(handle, 1):
                where = f"line {number}"
                if not line.strip():
                    continue
                try:
                    record = json.loads(line.rstrip("\r\n"))
                except json.JSONDecodeError as exc:
                    yield where, RecordProblem(path.name, where, f"not valid JSON (column {exc.colno}: {exc.msg})")
                    continue
                if not isinstance(record, dict):
                    yield where, RecordProblem(path.name, where, f"expected a JSON object, got {type(record).__name__}")
                    continue
                yield where, record
        except UnicodeDecodeError as exc:
            raise TaskError(f"{path}: not UTF-8 text: {exc.reason} at byte {exc.start}") from None


def records_of(path: Path) -> Iterator[tuple[str, dict[str, Any] | RecordProblem]]:
    """Records of a ``.jsonl`` file (one per line) or of a ``.json`` file holding a list."""
    if path.suffix == ".json":
        data = read_json(path)
        if not isinstance(data, list):
            raise TaskError(f"{path}: expected a JSON list of records, got {type(data).__name__}")
        for number, record in enumerate(data):
            where = f"record {number}"
            if isinstance(record, dict):
                yield where, record
            else:
                yield where, RecordProblem(path.name, where, f"expected a JSON object, got {type(record).__name__}")
        return
    yield from iter_jsonl(path)


def field_of(record: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str | None = None) -> Any:
    """``record[key]`` when present and of ``kind``; else a ValueError naming the field."""
    if key not in record:
        raise ValueError(f"{key}: field required")
    value = record[key]
    if not isinstance(value, kind):
        names = "/".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise ValueError(f"{key}: expected {what or names}, got {type(value).__name__}")
    return value


# --- ids and files -----------------------------------------------------------------------------

_SLUG_BAD = re.compile(r"[^a-z0-9._-]+")


def slug(text: str, limit: int = 60) -> str:
    """An id-safe piece of text: lower case, ``-`` for anything else."""
    out = _SLUG_BAD.sub("-", text.lower()).strip("-._")
    return out[:limit].rstrip("-._") or "x"


def short_hash(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def python_literal(value: Any) -> str:
    """Python source evaluating to ``value`` (JSON data: the text is embedded as a string, so
    any JSON, however nested or escaped, round-trips exactly)."""
    return f"json.loads({json.dumps(json.dumps(value, allow_nan=True))})"


def folder_name(task_id: str) -> str:
    """The folder a written task gets: its id after the format prefix, ``/`` made ``-``."""
    return task_id.split("/", 1)[-1].replace("/", "-")


def write_task(folder: Path, spec: dict[str, Any], files: dict[str, str | bytes]) -> Task:
    """Write ``task.toml`` and ``files`` into a fresh ``folder`` (replacing an older one) and
    load it back, so the folder is exactly what ``Task.load`` accepts."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        (staging / TASK_FILE).write_text(tomli_w.dumps(spec, multiline_strings=True), encoding="utf-8")
        for name, data in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                target.write_bytes(data)
            else:
                target.write_text(data, encoding="utf-8")
        Task.load(staging)  # refuse before replacing anything
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Task.load(folder)


MakeTask = Callable[[dict[str, Any], set[str]], tuple[str, dict[str, Any], dict[str, str | bytes]]]


def convert_records(conv: Conversion, file: Path, records: Iterable[tuple[str, dict[str, Any] | RecordProblem]],
                    id_key: str, make: MakeTask, out: Path) -> Conversion:
    """Write one task folder per record under ``out``: ``make(record, ids so far)`` returns
    (published id, task.toml data, files).  A record that cannot be used (ValueError,
    TaskError, OSError) is reported as ``file: line N (id): why`` and the others go on."""
    check_out_dir(out)
    taken: set[str] = set()
    for where, record in records:
        if isinstance(record, RecordProblem):
            conv.problems.append(record)
            continue
        key = record.get(id_key)
        label = f"{where} ({key})" if isinstance(key, str) else where
        try:
            external, spec, files = make(record, taken)
            task = write_task(out / folder_name(spec["id"]), spec, files)
        except (ValueError, OSError, TaskError) as exc:
            conv.problems.append(RecordProblem(file.name, label, str(exc)))
            continue
        taken.add(task.id)
        conv.tasks.append(ImportedTask(external, task))
    if not conv.tasks and not conv.problems:
        raise TaskError(f"{file}: no records")
    return conv


def check_out_dir(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    return out
