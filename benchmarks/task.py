"""The task format: a folder holding ``task.toml`` and the files it names.

``Task.load(path)`` reads and validates a folder; every problem raises
:class:`~perfforge.errors.TaskError` naming the file and the field, e.g.
``tasks/x/task.toml: [interface] function: field required``.
The user-facing specification is ``benchmarks/TASK_FORMAT.md``.
"""

from __future__ import annotations

import hashlib
import posixpath
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from benchmarks.isa import IsaSpec
from benchmarks.kernels import KERNEL_KINDS, KernelSpec
from perfforge.errors import TaskError

SCHEMA_VERSION = 1
TASK_FILE = "task.toml"

Kind = Literal["perf-edit", "codegen", "kernel", "cuda-to-cpu", "isa-translate"]
Language = Literal["python", "c", "cpp", "asm"]

# the kinds the evaluators judge (evaluators.kinds.KINDS holds the same set)
EVALUATED_KINDS: tuple[str, ...] = ("perf-edit", "codegen", "kernel", "cuda-to-cpu", "isa-translate")

_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_./")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _relative(name: str) -> str:
    norm = posixpath.normpath(name)
    if not name or name.startswith("/") or norm.startswith("..") or norm == "." or "\\" in name:
        raise ValueError(f"must be a relative path inside the task folder, got {name!r}")
    return norm


RelPath = Annotated[str, Field(min_length=1), AfterValidator(_relative)]


# --- interface ---------------------------------------------------------------------------


class PythonFunction(_Strict):
    """The candidate is a module (the task's ``candidate`` file) defining ``function``."""

    type: Literal["python-function"]
    function: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    module: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$",
                               description="import the candidate as this (dotted) module, so relative imports work")
    path: list[RelPath] = Field(default_factory=list,
                                description="task folders put first on sys.path: the modules the program imports")


class Process(_Strict):
    """The candidate is a program reading stdin and writing stdout (C/C++: built first)."""

    type: Literal["process"]
    args: list[str] = Field(default_factory=list, description="extra argv after the program")


class CFunction(_Strict):
    """The candidate implements ``signature``; the task's ``driver`` reads stdin, calls it, prints."""

    type: Literal["c-function"]
    function: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    signature: str = Field(min_length=1)
    driver: RelPath
    args: list[str] = Field(default_factory=list)


Interface = Annotated[Union[PythonFunction, Process, CFunction], Field(discriminator="type")]


# --- programs ------------------------------------------------------------------------------


class Reference(_Strict):
    """A known solution at one efficiency level."""

    file: RelPath
    level: str = Field(min_length=1, description="a short label: 'quadratic', 'sorted', 'linear', ...")


# --- tests -----------------------------------------------------------------------------------


class TestCase(_Strict):
    """One explicit correctness input.  Omit every ``expected*``/``stdout*`` key to ask the oracle."""

    __test__ = False  # not a pytest class

    name: str | None = None
    args: list[Any] | None = None
    kwargs: dict[str, Any] | None = None
    expr: str | None = Field(None, description="Python expression giving the positional-argument list")
    stdin: str | None = None
    stdin_file: RelPath | None = None
    expected: Any = None
    expected_expr: str | None = None
    raises: str | None = Field(None, description="name of the exception type the call must raise")
    stdout: str | None = None
    stdout_file: RelPath | None = None

    @model_validator(mode="after")
    def _one_input_form(self) -> "TestCase":
        function_form = self.args is not None or self.kwargs is not None or self.expr is not None
        process_form = self.stdin is not None or self.stdin_file is not None
        if function_form and process_form:
            raise ValueError("give either args/kwargs/expr (a function) or stdin/stdin_file (a process)")
        if self.args is not None and self.expr is not None:
            raise ValueError("give args or expr, not both")
        if self.stdin is not None and self.stdin_file is not None:
            raise ValueError("give stdin or stdin_file, not both")
        answers = [k for k in ("expected", "expected_expr", "raises", "stdout", "stdout_file") if k in self.model_fields_set]
        if len(answers) > 1:
            raise ValueError(f"give at most one of {', '.join(answers)}")
        return self

    @property
    def has_answer(self) -> bool:
        return bool({"expected", "expected_expr", "raises", "stdout", "stdout_file"} & self.model_fields_set)

    @property
    def is_process(self) -> bool:
        return self.stdin is not None or self.stdin_file is not None


class Tests(_Strict):
    cases: list[TestCase] = Field(default_factory=list)
    file: RelPath | None = Field(None, description="Python file defining CASES: a list of dicts shaped like cases")

    @model_validator(mode="after")
    def _some(self) -> "Tests":
        if not self.cases and self.file is None:
            raise ValueError("give cases or file (a task needs at least one test)")
        return self


# --- stress ----------------------------------------------------------------------------------


class Stress(_Strict):
    """Performance-exercising inputs: made by ``generate(scale, rng)``, or fixed by a file.

    ``generator``: ramp (EvalPerf-style): scale starts at ``start`` and doubles until the
    oracle's run on one input takes ``budget_s`` or the scale would pass ``max_scale``;
    then ``inputs`` inputs are made at that scale.  ``scale`` fixes the scale and skips
    the ramp.  ``file``: a Python file defining ``INPUTS``, the inputs themselves (what
    published benchmarks ship); the ramp fields do not apply to it.
    """

    generator: RelPath | None = None
    file: RelPath | None = Field(None, description="Python file defining INPUTS: fixed stress inputs")
    start: int = Field(8, ge=1)
    max_scale: int = Field(1 << 20, ge=1)
    budget_s: float = Field(0.2, gt=0, le=60)
    scale: int | None = Field(None, ge=1)
    inputs: int = Field(3, ge=1, le=100)
    seed: int = 0

    @model_validator(mode="after")
    def _order(self) -> "Stress":
        if (self.generator is None) == (self.file is None):
            raise ValueError("give generator (inputs made at a scale) or file (fixed inputs): exactly one")
        if self.file is not None:
            ramp = sorted(self.model_fields_set & {"start", "max_scale", "budget_s", "scale", "inputs", "seed"})
            if ramp:
                raise ValueError(f"{', '.join(ramp)}: only with a generator (the inputs of a stress file are fixed)")
        if self.max_scale < self.start:
            raise ValueError(f"max_scale ({self.max_scale}) is below start ({self.start})")
        return self

    @property
    def source(self) -> str:
        """The file the inputs come from (generator or fixed file)."""
        return self.generator or self.file or ""


# --- comparison, build, limits, measurement ------------------------------------------------


class Compare(_Strict):
    """How outputs are compared, recursively through nested values.

    ``exact``: equal values of equal types (NaN equals NaN when ``nan_equal``).
    ``float``: numbers match within ``rel_tol``/``abs_tol`` (``math.isclose``); stdout is
    compared token by token, numerically where both tokens are numbers.
    ``unordered``: lists/tuples/sets compared as multisets at every level; stdout as a
    multiset of lines.
    """

    mode: Literal["exact", "float", "unordered"] = "exact"
    rel_tol: float = Field(1e-9, ge=0)
    abs_tol: float = Field(0.0, ge=0)
    nan_equal: bool = True


class Build(_Strict):
    """How C/C++ sources are compiled (fixed flags: baseline, references and candidate alike)."""

    compiler: str | None = Field(None, description="default: gcc for C, g++ for C++")
    std: str | None = Field(None, description="default: c11 / c++17")
    flags: list[str] = Field(default_factory=lambda: ["-O2"])
    openmp: bool = False
    libs: list[str] = Field(default_factory=lambda: ["-lm"])
    timeout_s: float = Field(120.0, gt=0, le=3600)


class Limits(_Strict):
    """Per-input time = max(``time_floor_s``, ``time_factor`` x the oracle's time on that input)."""

    time_factor: float = Field(10.0, ge=1)
    time_floor_s: float = Field(1.0, gt=0)
    memory_mib: int = Field(1024, ge=64, le=1024 * 1024)


class Measure(_Strict):
    threshold: float = Field(0.05, ge=0, le=10, description="'faster' needs the ci95 lower bound of the speedup above 1 + threshold")
    separation: float = Field(0.10, ge=0, le=100, description="references must differ by this relative instruction-count gap")
    warmups: int = Field(1, ge=0, le=100)
    repeats: int = Field(10, ge=3, le=1000)


# --- the task --------------------------------------------------------------------------------


class TaskSpec(_Strict):
    """The contents of ``task.toml``."""

    schema_: Literal[1] = Field(alias="schema")
    id: str = Field(min_length=1, max_length=200)
    kind: Kind
    language: Language
    title: str = Field(min_length=1)
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    candidate: RelPath = Field(description="file name the candidate is placed under")
    baseline: RelPath | None = None
    references: list[Reference] = Field(default_factory=list)
    interface: Interface
    tests: Tests
    stress: Stress
    compare: Compare = Field(default_factory=Compare)
    build: Build = Field(default_factory=Build)
    limits: Limits = Field(default_factory=Limits)
    measure: Measure = Field(default_factory=Measure)
    kernel: KernelSpec | None = Field(None, description="kernel / cuda-to-cpu: the function's arguments, sizes, seeds, tolerance")
    isa: IsaSpec | None = Field(None, description="isa-translate: the target ISA, the C source, the tools")

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        bad = set(value) - _ID_CHARS
        if bad or value.startswith(("/", ".")):
            raise ValueError(f"use lower-case letters, digits and - _ . / only, got {value!r}")
        return value

    @field_validator("candidate")
    @classmethod
    def _candidate(cls, value: str) -> str:
        if "/" in value:
            raise ValueError(f"must be a plain file name, got {value!r}")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> "TaskSpec":
        iface = self.interface.type
        if self.kind == "perf-edit" and self.baseline is None:
            raise ValueError("baseline: a perf-edit task needs a baseline")
        if self.kind == "codegen":
            if self.baseline is not None:
                raise ValueError("baseline: a codegen task has no baseline (the candidate is written from the description)")
            if not self.references:
                raise ValueError("references: a codegen task needs at least one reference")
        if iface == "python-function" and self.language != "python":
            raise ValueError(f"interface: python-function needs language python, not {self.language}")
        if iface == "c-function" and self.language not in ("c", "cpp", "asm"):
            raise ValueError(f"interface: c-function needs language c, cpp or asm, not {self.language}")
        if (self.kernel is not None) != (self.kind in KERNEL_KINDS):
            raise ValueError(f"kernel: a {self.kind} task {'needs' if self.kernel is None else 'has no'} a [kernel] table")
        if self.language == "asm" and self.kind != "isa-translate":
            raise ValueError("language: asm is only for isa-translate tasks")
        if (self.isa is not None) != (self.kind == "isa-translate"):
            raise ValueError(f"isa: a {self.kind} task {'needs an' if self.isa is None else 'has no'} [isa] table")
        if self.kind == "isa-translate":
            if self.language != "asm" or iface != "c-function":
                raise ValueError("interface: an isa-translate task is language asm with a c-function interface")
            if self.baseline is None or not self.references:
                raise ValueError("baseline: an isa-translate task names the source assembly as its baseline and "
                                 "the target compiler's output as its reference")
        for i, case in enumerate(self.tests.cases):
            if iface == "python-function" and case.is_process:
                raise ValueError(f"tests.cases.{i}: a python-function test takes args/kwargs/expr, not stdin")
            if iface != "python-function" and not case.is_process:
                raise ValueError(f"tests.cases.{i}: a {iface} test takes stdin or stdin_file")
            if iface != "python-function" and any(
                k in case.model_fields_set for k in ("expected", "expected_expr", "raises")
            ):
                raise ValueError(f"tests.cases.{i}: a {iface} test states stdout or stdout_file")
            if iface == "python-function" and any(k in case.model_fields_set for k in ("stdout", "stdout_file")):
                raise ValueError(f"tests.cases.{i}: a python-function test states expected, expected_expr or raises")
        return self


def _format_loc(loc: tuple[Any, ...]) -> str:
    """``('interface', 'python-function', 'function')`` -> ``[interface] function``."""
    parts = [str(p) for p in loc if p not in ("python-function", "process", "c-function")]
    parts = ["schema" if p == "schema_" else p for p in parts]
    if not parts:
        return "(top level)"
    tables = {"interface", "tests", "stress", "compare", "build", "limits", "measure", "kernel", "isa"}
    if parts[0] in tables:
        return f"[{parts[0]}] {'.'.join(parts[1:])}".rstrip()
    return ".".join(parts)


def _format_errors(source: str, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        msg = err["msg"]
        if err["type"] == "missing":
            msg = "field required"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            err["loc"] = (*err["loc"], "type")
            msg = f"must be one of {err.get('ctx', {}).get('expected_tags', 'python-function, process, c-function')}"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        lines.append(f"{_format_loc(tuple(err['loc']))}: {msg}")
    return f"{source}: " + "; ".join(lines)


class Task:
    """A validated task folder: ``spec`` (the parsed ``task.toml``) plus its files on disk."""

    def __init__(self, root: Path, spec: TaskSpec) -> None:
        self.root = root
        self.spec = spec
        self._generated: dict[str, bytes] | None = None

    # -- loading -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> "Task":
        """Read ``path`` (a task folder, or its ``task.toml``) and check every named file exists."""
        path = Path(path)
        toml_path = path if path.name == TASK_FILE else path / TASK_FILE
        root = toml_path.parent
        if not root.is_dir():
            raise TaskError(f"{root}: no such task folder")
        if not toml_path.is_file():
            raise TaskError(f"{toml_path}: missing", hint="a task folder holds task.toml and the files it names")
        try:
            data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise TaskError(f"{toml_path}: not valid TOML: {exc}") from None
        return cls.from_dict(data, root, source=str(toml_path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], root: Path, source: str | None = None) -> "Task":
        """Validate an already-parsed ``task.toml`` (loaders build tasks this way)."""
        source = source or str(root / TASK_FILE)
        if "schema" in data and data["schema"] != SCHEMA_VERSION:
            raise TaskError(f"{source}: schema: version {data['schema']!r} is not supported (this perfforge reads {SCHEMA_VERSION})")
        from benchmarks import isa
        from benchmarks.kernels import lower

        data = lower(data, Path(root), source)  # a [kernel] table makes the interface, tests and stress
        data = isa.lower(data)  # an [isa] table adds the target and its calling convention to the description
        try:
            spec = TaskSpec.model_validate(data)
        except ValidationError as exc:
            raise TaskError(_format_errors(source, exc)) from None
        task = cls(Path(root), spec)
        task._check_files(source)
        return task

    def _check_files(self, source: str) -> None:
        for field, name in self.named_files():
            if name not in self.generated and not (self.root / name).is_file():
                raise TaskError(f"{source}: {field}: file {name!r} not found in {self.root}")
        for name in getattr(self.spec.interface, "path", []):
            if not (self.root / name).is_dir():
                raise TaskError(f"{source}: [interface] path: folder {name!r} not found in {self.root}")

    # -- views ---------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def toml_path(self) -> Path:
        return self.root / TASK_FILE

    def named_files(self) -> list[tuple[str, str]]:
        """(field, relative path) of every file ``task.toml`` names."""
        s = self.spec
        out: list[tuple[str, str]] = []
        if s.baseline:
            out.append(("baseline", s.baseline))
        out += [(f"references.{i}.file", r.file) for i, r in enumerate(s.references)]
        if isinstance(s.interface, CFunction):
            out.append(("[interface] driver", s.interface.driver))
        if s.isa is not None:
            out.append(("[isa] c_source", s.isa.c_source))
        if s.tests.file:
            out.append(("[tests] file", s.tests.file))
        for i, case in enumerate(s.tests.cases):
            for key in ("stdin_file", "stdout_file"):
                if getattr(case, key):
                    out.append((f"[tests] cases.{i}.{key}", getattr(case, key)))
        out.append(("[stress] generator", s.stress.generator) if s.stress.generator else ("[stress] file", s.stress.source))
        return out

    @property
    def generated(self) -> dict[str, bytes]:
        """Files the task's tables make rather than its folder holds (a kernel task's driver,
        tests and stress inputs under ``_kernel/``), by relative path."""
        if self._generated is None:
            from benchmarks.kernels import generated_files

            kernel = self.spec.kernel
            self._generated = generated_files(kernel, self.spec.language) if kernel is not None else {}
        return self._generated

    def files(self) -> dict[str, bytes]:
        """Every file of the folder (relative path -> bytes), task.toml included; hidden files
        skipped; then the generated files."""
        out: dict[str, bytes] = {}
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root)
            if path.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                out[rel.as_posix()] = path.read_bytes()
        out.update(self.generated)
        return out

    def read(self, name: str) -> bytes:
        if name in self.generated:
            return self.generated[name]
        return (self.root / name).read_bytes()

    def content_hash(self) -> str:
        """sha256 over every file of the folder: the task part of cache keys."""
        digest = hashlib.sha256()
        for name, data in self.files().items():
            digest.update(name.encode() + b"\0" + len(data).to_bytes(8, "little") + data)
        return digest.hexdigest()

    @property
    def oracle(self) -> tuple[str, str]:
        """(label, file) of the program whose outputs define correct: the baseline, else the first reference."""
        if self.spec.baseline:
            return "baseline", self.spec.baseline
        ref = self.spec.references[0]
        return f"reference:{ref.level}", ref.file

    @property
    def is_compiled(self) -> bool:
        """Built before it runs: C, C++ and assembly."""
        return self.spec.language in ("c", "cpp", "asm")

    def require_evaluable(self) -> None:
        """Raise TaskError when the evaluators cannot handle this kind yet."""
        if self.spec.kind not in EVALUATED_KINDS:
            raise TaskError(
                f"{self.toml_path}: kind: {self.spec.kind!r} tasks are not supported yet by the evaluators",
                hint=f"supported now: {', '.join(EVALUATED_KINDS)}",
            )

    def __repr__(self) -> str:
        return f"Task({self.spec.id!r}, {self.root})"
