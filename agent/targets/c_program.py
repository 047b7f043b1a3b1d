"""A C or C++ program and its build command, made into a task folder: ``c_task(file, build)``.

The program reads standard input and writes standard output (a ``process`` task); the
original is the baseline and the oracle.  Its inputs, each a file given to it as stdin,
come from ``--input FILE`` (repeatable), else from the files of an ``inputs/`` folder
beside the source, else the program runs once on empty stdin.  Every input is a
correctness test; the largest three are also the stress inputs that are measured.

The build command is read, not run as a shell line: its compiler, ``-std=``, flags and
``-l``/``-L`` link options become the task's ``[build]`` (without ``-std=`` the
compiler's own default is written down: ``gnu17`` / ``gnu++17`` for GCC 12), so the
original and every candidate are compiled alike in the sandbox.  It must compile exactly
one source, the target; headers beside the source are shipped (``-I`` to their copy).
The original must compile in the sandbox, else one clear error with the compiler's message.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from pathlib import Path
from typing import Any, Callable

import tomli_w

from agent.targets.folder import META, Materialized, made_before, place, publish, slug
from agent.targets.python_source import find_repo_root
from benchmarks.task import Task, TaskError
from perfforge.errors import ConfigError

FORMAT = 1
LANGUAGES = {".c": "c", ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp"}
COMPILERS = {"gcc": "c", "cc": "c", "clang": "c", "g++": "cpp", "c++": "cpp", "clang++": "cpp"}
DEFAULT_STD = {"c": "gnu17", "cpp": "gnu++17"}
HEADERS = (".h", ".hh", ".hpp", ".hxx", ".inc")
STRESS_INPUTS = 3
MAX_INPUT_BYTES = 32 << 20
INCLUDE = "include"

Progress = Callable[[str], None]

_STRESS_PY = '''"""The largest inputs of {name}: its stress inputs (perfforge targets)."""

import os

_HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = []
for _name in {names!r}:
    with open(os.path.join(_HERE, "..", _name), "rb") as _fh:
        INPUTS.append(_fh.read())
'''


def parse_build(command: str, source: Path) -> dict[str, Any]:
    """The task's ``[build]`` table from a compile command for ``source``."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"--build {command!r}: {exc}") from None
    if not argv:
        raise ConfigError("--build is empty: give the command that compiles the program, e.g. gcc -O2 -o prog prog.c")
    compiler = argv[0]
    family = COMPILERS.get(Path(compiler).name.split("-")[0]) or COMPILERS.get(Path(compiler).name)
    if family is None:
        raise ConfigError(f"--build: {compiler!r} is not a C/C++ compiler perfforge knows ({', '.join(COMPILERS)})",
                          hint="the build must be a single compiler command (no make, no shell)")
    std, flags, libs, openmp, seen_source = None, [], [], False, False
    rest = iter(argv[1:])
    for arg in rest:
        if arg == "-o":
            next(rest, None)
        elif arg.startswith("-o") and len(arg) > 2:
            continue
        elif arg in ("-c", "-S", "-E"):
            raise ConfigError(f"--build: {arg} does not make a program: give the command that links it")
        elif arg.startswith("-std="):
            std = arg.split("=", 1)[1]
        elif arg == "-fopenmp":
            openmp = True
        elif arg.startswith(("-l", "-L")):
            libs.append(arg)
        elif arg in ("-I", "-include", "-isystem", "-iquote"):
            raise ConfigError(f"--build: {arg} is not supported: headers are taken from the source's folder")
        elif arg.startswith("-I"):
            continue  # headers beside the source are shipped and found through their own -I
        elif arg.startswith("-"):
            flags.append(arg)
        elif _same_file(arg, source):
            seen_source = True
        elif Path(arg).suffix.lower() in (*LANGUAGES, ".o", ".a", ".s"):
            raise ConfigError(f"--build compiles {arg} as well: perfforge optimizes a program built from one source file")
        else:
            raise ConfigError(f"--build: cannot tell what {arg!r} is (not a flag, and not {source.name})")
    if not seen_source:
        raise ConfigError(f"--build does not compile {source.name}: the command must name the target file")
    language = LANGUAGES[source.suffix.lower()]
    return {"compiler": compiler, "std": std or DEFAULT_STD[language], "flags": flags, "openmp": openmp, "libs": libs,
            "_language": language}


def _same_file(arg: str, source: Path) -> bool:
    for base in (Path.cwd(), source.parent):
        candidate = (base / arg).resolve() if not Path(arg).is_absolute() else Path(arg).resolve()
        if candidate == source:
            return True
    return False


def collect_inputs(source: Path, given: list[str | Path] | None) -> list[tuple[str, bytes]]:
    """(name, stdin bytes) of every input, in a stable order."""
    if given:
        chosen = [Path(p).expanduser() for p in given]
    else:
        folder = source.parent / "inputs"
        chosen = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) if folder.is_dir() else []
    out, names = [], set()
    for path in chosen:
        if not path.is_file():
            raise ConfigError(f"--input {path}: no such file")
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise ConfigError(f"--input {path}: larger than {MAX_INPUT_BYTES >> 20} MiB")
        name = slug(path.name) or "input"
        while name in names:
            name = "_" + name
        names.add(name)
        out.append((name, path.read_bytes()))
    return out


def _key(source: Path, build: str, headers: dict[str, bytes], inputs: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256(json.dumps({"format": FORMAT, "build": build, "name": source.name}).encode())
    for name, data in [("source", source.read_bytes()), *sorted(headers.items()), *inputs]:
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def c_task(file: str | Path, build: str, *, inputs: list[str | Path] | None = None, work: Path | None = None,
           sandbox: Any = None, backend: str | None = None, progress: Progress | None = None) -> Materialized:
    """The ``process`` task for the program ``file`` built by ``build``."""
    say = progress or (lambda _m: None)
    source = Path(file).expanduser().resolve()
    if not source.is_file():
        raise ConfigError(f"{file}: no such file")
    if source.suffix.lower() not in LANGUAGES:
        raise ConfigError(f"{file}: --build needs a C or C++ source ({', '.join(LANGUAGES)})")
    table = parse_build(build, source)
    language = table.pop("_language")
    headers = {p.name: p.read_bytes() for p in sorted(source.parent.iterdir())
               if p.is_file() and p.suffix.lower() in HEADERS}
    if headers:
        table["flags"].append(f"-Itask/{INCLUDE}")
    stdin = collect_inputs(source, inputs)
    root = find_repo_root(source)
    relpath = source.relative_to(root).as_posix()
    key = _key(source, build, headers, stdin)
    folder = place(work, source.name, key)
    made = made_before(folder, say)
    if made is not None:
        return made
    if not stdin:
        say(f"{source.name}: no --input and no inputs/ folder beside it: the program runs on empty stdin")
        stdin = [("empty", b"")]
    info = {"kind": "process", "key": key, "file": str(source), "relpath": relpath, "build": build,
            "inputs": [name for name, _ in stdin], "headers": sorted(headers)}
    spec = {
        "schema": 1, "id": f"targets/{slug(source.name)}", "kind": "perf-edit", "language": language,
        "title": f"Make {source.name} faster",
        "description": (f"`{relpath}` is a program that reads standard input and writes standard output; "
                        f"it is built with `{build}`.  It must print exactly what the original prints on every "
                        "input, and exit 0."),
        "tags": [language, "process"], "candidate": source.name, "baseline": relpath,
        "interface": {"type": "process"},
        "tests": {"cases": [{"name": name, "stdin_file": f"inputs/{name}"} for name, _ in stdin]},
        "stress": {"file": f"{META}/stress.py"},
        "build": {k: v for k, v in table.items()},
    }
    largest = sorted(stdin, key=lambda item: len(item[1]), reverse=True)[:STRESS_INPUTS]
    files = {relpath: source.read_bytes(),
             f"{META}/stress.py": _STRESS_PY.format(name=source.name,
                                                     names=[f"inputs/{n}" for n, _ in largest]).encode(),
             **{f"inputs/{name}": data for name, data in stdin},
             **{f"{INCLUDE}/{name}": data for name, data in headers.items()},
             "task.toml": tomli_w.dumps(spec).encode()}
    try:
        return publish(folder, files, info, check=lambda task: _compiles(task, backend, sandbox, say))
    except TaskError as exc:
        raise ConfigError(f"{source.name}: {exc.message}") from None


def _compiles(task: Task, backend: str | None, sandbox: Any, progress: Progress) -> None:
    """Raise ConfigError unless the original compiles in the sandbox."""
    from evaluators.measure import open_workspace
    from evaluators.programs import task_programs

    programs = task_programs(task)
    progress(f"compiling {task.spec.baseline} in the sandbox")
    with open_workspace(task, programs, backend=backend, sandbox=sandbox, progress=progress, need_valgrind=False):
        pass
    if not programs[0].ok:
        raise ConfigError(f"{task.spec.baseline} does not compile in the sandbox: "
                          f"{_compiler_message(programs[0].build_error or '')}")


def _compiler_message(text: str) -> str:
    """The first error line of a compiler's output (the rest follows from it, usually)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if "error" in line:
            return line
    return lines[-1] if lines else text
