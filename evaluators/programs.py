"""A sandbox session prepared for one task: the harness, the task's files, and the
programs (baseline, references, candidate) placed and built side by side.

Every program lives in a folder named with four characters (``base``, ``cand``,
``r001``, ...) under the same file name (the task's ``candidate``), so paths, argv and
environment are the same length whichever program runs: instruction counts depend on
them.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from benchmarks import values
from benchmarks.task import CFunction, PythonFunction, Task
from perfforge.errors import SandboxError, ToolchainError
from sandbox.models import ExecResult, ExecSpec, Limits

# The harness's folder holds its code only: it is sys.path[0] of every harness run, and
# importlib lists it, so a file appearing there (a result, a counter's output) would
# change the instruction count of the next run.  Everything a run reads or writes sits in
# DATA, whose files all exist before the first counted run.
HARNESS = "_pf"
DATA = "_io"
JOB = f"{DATA}/job.json"
RESULTS = f"{DATA}/out.jsonl"
# one output file per process: a program that forks (or spawns) is counted whole
COUNTER_OUT = f"{DATA}/cg.out.%p"
COUNTER_GLOB = f"{DATA}/cg.out.*"
TASK_DIR = "task"
EMPTY_SLOT = "none"

# the environment of every measured run, stated in full: the count depends on it
FIXED_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/work",
    "LANG": "C.UTF-8",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}
PYTHON = ["python3", "-B"]
CACHEGRIND = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--trace-children=yes",
              f"--cachegrind-out-file={COUNTER_OUT}"]

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def harness_files() -> dict[str, bytes]:
    here = Path(__file__).resolve().parent
    return {
        f"{HARNESS}/run.py": (here / "harness" / "run.py").read_bytes(),
        f"{HARNESS}/harness.py": (here / "harness" / "harness.py").read_bytes(),
        f"{HARNESS}/values.py": Path(values.__file__).read_bytes(),
    }


@dataclass
class Program:
    """One program of the comparison."""

    role: str  # baseline | reference | candidate
    label: str  # "baseline", "reference:linear", "candidate"
    source: bytes
    slot: str
    built: bool = False
    build_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.build_error is None


@dataclass
class HarnessRun:
    """The records one harness execution wrote, and what the sandbox said about it."""

    records: list[dict[str, Any]]
    result: ExecResult
    collected: dict[str, bytes] = field(default_factory=dict)

    def events(self, name: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("event") == name]

    def last(self, name: str) -> dict[str, Any] | None:
        found = self.events(name)
        return found[-1] if found else None


@dataclass
class Toolchain:
    python: str
    valgrind: str | None
    aslr_off: bool
    compiler: str | None


def task_programs(task: Task, candidate: bytes | None = None) -> list[Program]:
    """The oracle first (baseline, else the first reference), then the rest."""
    spec = task.spec
    programs: list[Program] = []
    if spec.baseline:
        programs.append(Program("baseline", "baseline", task.read(spec.baseline), "base"))
    for i, ref in enumerate(spec.references, 1):
        programs.append(Program("reference", f"reference:{ref.level}", task.read(ref.file), f"r{i:03d}"))
    if candidate is not None:
        programs.append(Program("candidate", "candidate", candidate, "cand"))
    return programs


class Workspace:
    """Runs the harness for one task inside one sandbox session."""

    def __init__(self, task: Task, session: Any, programs: list[Program], *, description: dict[str, Any],
                 progress: Progress | None = None) -> None:
        self.task = task
        self.session = session
        self.session_description = description
        self.programs = {p.slot: p for p in programs}
        self.progress = progress or _quiet
        self.toolchain: Toolchain | None = None
        self.calibration: int | None = None  # the empty run's count: one per session (see instructions)
        # the fixed environment, plus what the task's kind pins (OpenMP's thread count)
        from evaluators.kinds import KINDS

        kind = KINDS.get(task.spec.kind)
        self.env = {**FIXED_ENV, **(kind.env(task) if kind else {})}
        self._placed = False

    # -- set-up --------------------------------------------------------------------------

    def exec(self, argv: list[str], *, files: dict[str, bytes] | None = None, wall_s: float = 60.0,
             memory_mib: int | None = None, collect: list[str] | None = None, stdin: bytes = b"",
             keep: list[str] | None = None) -> ExecResult:
        """One execution in the session.  The work dir is reset before each to the files placed
        so far plus what earlier executions were asked to ``keep`` (a build's output): nothing
        else a run leaves or changes reaches the next one."""
        limits = Limits(wall_s=min(wall_s, 24 * 3600), memory_mib=memory_mib or self.task.spec.limits.memory_mib,
                        output_bytes=1 << 20, file_size_bytes=256 << 20)
        spec = ExecSpec(argv=argv, files=files or {}, env=dict(self.env), limits=limits,
                        collect=collect or [], stdin=stdin, keep=keep or [])
        return self.session.run(spec)

    def place(self) -> None:
        """Copy the harness, the task's files and every program's source into the work dir."""
        if self._placed:
            return
        files = harness_files()
        files.update({JOB: b"{}", RESULTS: b""})
        files.update({f"{TASK_DIR}/{name}": data for name, data in self.task.files().items()})
        name = self.task.spec.candidate
        for prog in self.programs.values():
            files[f"{prog.slot}/{name}"] = prog.source
        if self.task.spec.language == "python":
            files[f"{EMPTY_SLOT}/{name}"] = self._empty_source()
        elif isinstance(self.task.spec.interface, CFunction):
            files[f"{EMPTY_SLOT}/.keep"] = b""  # the calibration build's output folder
        # compiled once here, so that no run pays for compiling the harness
        res = self.exec([*PYTHON, "-m", "compileall", "-q", HARNESS], files=files, wall_s=120,
                        keep=[f"{HARNESS}/__pycache__"])
        if not res.ok:
            raise SandboxError(f"could not place the task's files in the sandbox: {res.describe()}: {res.stderr[-300:]!r}")
        self._placed = True

    def _empty_source(self) -> bytes:
        """The calibrated empty run's module: empty, or for a module of a package the oracle
        itself (imported, never called), so that importing the package cancels out."""
        iface = self.task.spec.interface
        if isinstance(iface, PythonFunction) and iface.module:
            return self.task.read(self.task.oracle[1])
        return b""

    def put(self, files: dict[str, bytes]) -> None:
        """Add files to the work dir (inputs shared by many runs are sent once)."""
        self.place()
        res = self.exec(["true"], files=files, wall_s=60)
        if not res.ok:
            raise SandboxError(f"could not write files in the sandbox: {res.describe()}")

    def probe(self, need_valgrind: bool) -> Toolchain:
        """What the sandbox offers: interpreter, valgrind, whether ASLR can be switched off."""
        if self.toolchain is None:
            script = (
                "python3 -c 'import sys; print(sys.version.split()[0])'; "
                "echo \"valgrind=$(valgrind --version 2>/dev/null)\"; "
                "setarch -R true 2>/dev/null && echo aslr-off; "
                f"echo \"cc=$({shlex.quote(self.compiler())} --version 2>/dev/null | head -n 1)\""
            )
            res = self.exec(["sh", "-c", script], wall_s=60)
            lines = res.stdout.decode(errors="replace").splitlines()
            if not res.ok or not lines:
                raise SandboxError(f"probing the sandbox's tools failed: {res.describe()}: {res.stderr[-300:]!r}")
            found = dict(line.split("=", 1) for line in lines if "=" in line)
            self.toolchain = Toolchain(
                python=lines[0].strip(),
                valgrind=found.get("valgrind") or None,
                aslr_off="aslr-off" in lines,
                compiler=found.get("cc") or None,
            )
        if need_valgrind and not self.toolchain.valgrind:
            raise ToolchainError(
                "valgrind is not installed in the sandbox, so instructions cannot be counted",
                hint="rebuild the sandbox image (perfforge sandbox build) or leave 'instructions' out of --metrics",
            )
        return self.toolchain

    def compiler(self) -> str:
        build = self.task.spec.build
        return build.compiler or ("g++" if self.task.spec.language == "cpp" else "gcc")

    def compile_argv(self, output: str, sources: list[str], *, empty: bool = False) -> list[str]:
        build = self.task.spec.build
        std = build.std or ("c++17" if self.task.spec.language == "cpp" else "c11")
        argv = [self.compiler(), f"-std={std}", *build.flags]
        if build.openmp:
            argv.append("-fopenmp")
        if empty:
            argv.append("-DPERFFORGE_EMPTY")
        return [*argv, "-o", output, *sources, *build.libs]

    def build(self) -> None:
        """Compile every C/C++ program (and the calibration build); record compile errors."""
        if not self.task.is_compiled:
            return
        self.place()
        iface = self.task.spec.interface
        name = self.task.spec.candidate
        driver = [f"{TASK_DIR}/{iface.driver}"] if isinstance(iface, CFunction) else []
        limit = self.task.spec.build.timeout_s
        for prog in self.programs.values():
            if prog.built:
                continue
            self.progress(f"building {prog.label}")
            res = self.exec(self.compile_argv(f"{prog.slot}/prog", [*driver, f"{prog.slot}/{name}"]), wall_s=limit,
                            keep=[f"{prog.slot}/prog"])
            prog.built = True
            if not res.ok:
                text = (res.stderr or res.stdout).decode(errors="replace").strip()
                prog.build_error = f"{res.describe()}: {text[-2000:]}" if text else res.describe()
        if driver and EMPTY_SLOT not in self.programs:
            res = self.exec(self.compile_argv(f"{EMPTY_SLOT}/prog", driver, empty=True), wall_s=limit,
                            keep=[f"{EMPTY_SLOT}/prog"])
            if not res.ok:
                raise ToolchainError(
                    f"{self.task.toml_path}: [interface] driver: the driver does not build with -DPERFFORGE_EMPTY "
                    f"(it must skip the call then): {res.stderr.decode(errors='replace')[-500:]}"
                )

    # -- harness runs --------------------------------------------------------------------

    def argv_of(self, slot: str) -> list[str]:
        """How a process program of ``slot`` is started (relative to the work dir)."""
        iface = self.task.spec.interface
        extra = list(getattr(iface, "args", []))
        if self.task.is_compiled:
            return [f"{slot}/prog", *extra]
        return [*PYTHON, f"{slot}/{self.task.spec.candidate}", *extra]

    def empty_argv(self) -> list[str] | None:
        """The calibrated empty program of a process task, or None (a C program counts whole)."""
        iface = self.task.spec.interface
        if self.task.spec.language == "python":
            return self.argv_of(EMPTY_SLOT)
        if isinstance(iface, CFunction):
            return self.argv_of(EMPTY_SLOT)
        return None

    def counter_prefix(self) -> list[str]:
        tools = self.probe(need_valgrind=True)
        env = ["env", "-i", *(f"{k}={v}" for k, v in sorted(self.env.items()))]
        return [*env, *(["setarch", "-R"] if tools.aslr_off else []), *CACHEGRIND]

    def job(self, slot: str, inputs_file: str, **extra: Any) -> dict[str, Any]:
        iface = self.task.spec.interface
        job: dict[str, Any] = {"interface": iface.type, "inputs": inputs_file, "results": RESULTS,
                               "env": dict(self.env)}
        if isinstance(iface, PythonFunction):
            job.update(module=f"{slot}/{self.task.spec.candidate}", function=iface.function,
                       empty_module=f"{EMPTY_SLOT}/{self.task.spec.candidate}")
            if iface.module or iface.path:
                job.update(module_name=iface.module, sys_path=[f"{TASK_DIR}/{p}" for p in iface.path])
        else:
            job.update(argv=self.argv_of(slot), empty_argv=self.empty_argv(), counter_glob=COUNTER_GLOB)
        job.update(extra)
        return job

    def harness(self, mode: str, job: dict[str, Any], *, wall_s: float, files: dict[str, bytes] | None = None,
                counted: bool = False, memory_mib: int | None = None) -> HarnessRun:
        """Run the harness once.  ``counted``: the harness itself runs under valgrind."""
        self.place()
        argv = [*PYTHON, f"{HARNESS}/run.py", mode, JOB]
        if counted:
            argv = [*self.counter_prefix(), *argv]
        payload = dict(files or {})
        payload[JOB] = json.dumps(job, allow_nan=True).encode()
        # a counted run's counter files come back with it: the next execution no longer sees them
        res = self.exec(argv, files=payload, wall_s=wall_s, memory_mib=memory_mib,
                        collect=[RESULTS, COUNTER_GLOB] if counted else [RESULTS])
        records = []
        for line in res.files.get(RESULTS, b"").decode("utf-8", "replace").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                break  # a line cut short by a kill: everything before it stands
        if not records:
            raise SandboxError(
                f"the harness wrote nothing ({mode}): {res.describe()}: "
                f"{res.stderr.decode(errors='replace')[-800:]}"
            )
        return HarnessRun(records, res, dict(res.files))


def data_path(name: str) -> str:
    return f"{DATA}/{name}"


def inputs_payload(name: str, items: list[dict[str, Any]]) -> dict[str, bytes]:
    return {data_path(name): values.dumps(items).encode()}


def read_counter(ws: Workspace, run: HarnessRun) -> int:
    """The instructions of a counted harness run: the sum over every process it started
    (valgrind wrote one file per process, brought back with the run)."""
    prefix = COUNTER_GLOB.rstrip("*")
    counts = [int(line.split()[1]) for name, data in sorted(run.collected.items()) if name.startswith(prefix)
              for line in data.decode(errors="replace").splitlines() if line.startswith("summary:")]
    if not counts:
        raise SandboxError(f"valgrind wrote no instruction count: {run.result.describe()}: "
                           f"{run.result.stderr.decode(errors='replace')[-800:]}")
    return sum(counts)
