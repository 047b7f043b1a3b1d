"""The ``isa-translate`` kind: x86-64 assembly of a C function, translated to AArch64 or RISC-V.

Programs of a task (see ``benchmarks/isa.py`` for the ``[isa]`` table):

* the baseline: the x86-64 assembly the model is shown, assembled and linked natively
  with the task's C driver.  It is the oracle: every translation must print what it prints;
* the references (the target cross compiler's own ``-O2`` output for the C source) and
  the candidate: assembled by the cross compiler, linked statically with the same driver,
  and run under qemu-user with a fixed CPU model (``[isa] cpu``), so an instruction the
  target does not have is an illegal instruction, not a speedup.

A translation must be self-contained: its object may not call out (an undefined symbol
would let libc do its work uncounted) nor run code before ``main`` (constructors).  Both
are build errors of the candidate, like an assembler or linker message.

Instructions are counted only at the addresses the translation's object occupies in the
linked program (read from the linker's map), under qemu: see :mod:`evaluators.kinds.isa_count`.
Validation adds the coverage gate: the tests must execute ``[isa] coverage`` of the C
source's lines (gcov, natively), and the C source built natively must agree with the
baseline assembly on every test.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.isa import IsaSpec, TargetTools
from evaluators.programs import TASK_DIR, Program, Toolchain, Workspace
from perfforge.errors import TaskError, ToolchainError

if TYPE_CHECKING:
    from benchmarks.stress import Staged
    from evaluators.correctness import ProgramOutcomes

ISA_DIR = "_isa"
PLUGIN_SOURCE = f"{ISA_DIR}/qemu_count.c"
PLUGIN = f"{ISA_DIR}/qemu_count.so"
COVERAGE_SLOT = "gcov"  # four characters, like every program's folder
NATIVE_SLOTS = ("base", COVERAGE_SLOT)
OBJECT = "solution.o"
# a translation's code runs when the function is called, never before main
STARTUP_SECTIONS = (".init_array", ".fini_array", ".preinit_array", ".ctors", ".dtors", ".init", ".fini")
BUILD_HINT = ("the docker sandbox image has them (`perfforge sandbox build` rebuilds it); for the local backend, "
              "install qemu-user, gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, gcc-riscv64-linux-gnu and "
              "libc6-dev-riscv64-cross on this machine")


@dataclass
class IsaTools:
    """What the sandbox offers for the task's target: tool names and versions."""

    native: str
    cross: str
    qemu: str

    def describe(self) -> str:
        return f"{self.native}; {self.cross}; {self.qemu}"


def spec_of(task: Any) -> IsaSpec:
    isa = task.spec.isa
    if isa is None:  # the task format requires the table; this guards other callers
        raise TaskError(f"{task.toml_path}: [isa]: an isa-translate task needs an [isa] table")
    return isa


# --- the linker's map: where the translation's object landed ------------------------------


_SECTION = re.compile(r"^(\.\S+)(?:\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+))?")
_INPUT = re.compile(r"^ (\.\S+|COMMON)(?:\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(\S+))?\s*$")
_CONTINUED = re.compile(r"^\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(\S+)\s*$")


def object_sections(map_text: str, obj: str) -> list[tuple[str, int, int]]:
    """(output section, start, end) of every allocated input section ``obj`` contributed,
    read from a GNU ld map file (``-Wl,-Map``)."""
    out: list[tuple[str, int, int]] = []
    lines = map_text.split("\nLinker script and memory map", 1)[-1].splitlines()
    current, pending = "", False
    for line in lines:
        if pending:
            pending = False
            cont = _CONTINUED.match(line)
            if cont:
                _add(out, current, cont.group(1), cont.group(2), cont.group(3), obj)
                continue
        if not line.startswith(" "):
            sec = _SECTION.match(line)
            if sec:
                current = sec.group(1)
            continue
        inp = _INPUT.match(line)
        if inp is None:
            continue
        if inp.group(2) is None:
            pending = True  # a long input-section name: address, size and file on the next line
        else:
            _add(out, current, inp.group(2), inp.group(3), inp.group(4), obj)
    return out


def _add(out: list[tuple[str, int, int]], section: str, addr: str, size: str, file: str, obj: str) -> None:
    start, length = int(addr, 16), int(size, 16)
    if file == obj and start and length:  # address 0: a section that is not loaded (notes, attributes)
        out.append((section, start, start + length))


def merge_ranges(sections: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for _, lo, hi in sorted(sections, key=lambda s: s[1]):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


# --- the workspace ------------------------------------------------------------------------------


class IsaWorkspace(Workspace):
    """A workspace whose programs are built for two ISAs and whose translations run under qemu."""

    def __init__(self, task: Any, session: Any, programs: list[Program], **kwargs: Any) -> None:
        super().__init__(task, session, programs, **kwargs)
        self.isa = spec_of(task)
        self.target: TargetTools = self.isa.tools
        self.isa_tools: IsaTools | None = None
        self.ranges: dict[str, list[tuple[int, int]]] = {}
        self.plugin_built = False  # the counting plugin (evaluators.kinds.isa_count), built on first use
        self.plugin_error: str | None = None
        self._drivers: set[str] = set()

    # -- tools -----------------------------------------------------------------------------

    def cross(self, tool: str) -> str:
        return f"{self.target.cross_prefix}{tool}"

    def probe(self, need_valgrind: bool) -> Toolchain:
        """The shared probe (interpreter, native gcc), then the target's cross compiler and qemu.
        Instructions are counted by qemu, so valgrind is never required."""
        tools = super().probe(need_valgrind=False)
        if self.isa_tools is None:
            self.isa_tools = self._probe_target()
            tools.compiler = self.isa_tools.describe()
        return tools

    def _probe_target(self) -> IsaTools:
        wanted = {"native": "gcc", "cross": self.cross("gcc"), "nm": self.cross("nm"), "qemu": self.target.qemu}
        script = "; ".join(
            f"if command -v {shlex.quote(cmd)} >/dev/null; then echo \"{key}=$({shlex.quote(cmd)} --version "
            f"2>&1 | head -n 1)\"; else echo {key}=; fi" for key, cmd in wanted.items())
        res = self.exec(["sh", "-c", script], wall_s=60)
        found = dict(line.split("=", 1) for line in res.stdout.decode(errors="replace").splitlines() if "=" in line)
        what = {"native": "native C compiler", "cross": f"{self.isa.target} cross compiler",
                "nm": f"{self.isa.target} binutils", "qemu": f"qemu-user emulator for {self.isa.target}"}
        missing = [f"{what[k]} ({wanted[k]})" for k in wanted if not found.get(k)]
        if missing:
            raise ToolchainError(f"the sandbox has no {' and no '.join(missing)}: isa-translate tasks for "
                                 f"{self.isa.target} cannot be built or run", hint=BUILD_HINT)
        return IsaTools(native=found["native"], cross=found["cross"], qemu=found["qemu"])

    # -- how programs run ------------------------------------------------------------------

    def is_native(self, slot: str) -> bool:
        return slot in NATIVE_SLOTS

    def qemu_argv(self, *options: str) -> list[str]:
        return [self.target.qemu, "-cpu", self.target.cpu, *options]

    def argv_of(self, slot: str) -> list[str]:
        extra = list(getattr(self.task.spec.interface, "args", []))
        if self.is_native(slot):
            return [f"{slot}/prog", *extra]
        return [*self.qemu_argv(), f"{slot}/prog", *extra]

    def empty_argv(self) -> list[str] | None:
        return None  # only the translation's own addresses are counted: nothing to subtract

    # -- building ----------------------------------------------------------------------------

    def _compile(self, argv: list[str], limit: float, keep: list[str]) -> str | None:
        """Run a build step keeping its outputs; None when it worked, else the tool's message."""
        res = self.exec(argv, wall_s=limit, keep=keep)
        if res.ok:
            return None
        text = (res.stderr or res.stdout).decode(errors="replace").strip()
        return f"{res.describe()}: {text[-2000:]}" if text else res.describe()

    def driver_object(self, native: bool) -> str:
        """The task's driver compiled once for the native or the target ISA."""
        name = f"{ISA_DIR}/driver.{'native' if native else self.isa.target}.o"
        if name in self._drivers:
            return name
        build = self.task.spec.build
        cc = "gcc" if native else self.cross("gcc")
        argv = [cc, f"-std={build.std or 'c11'}", *build.flags, "-c", "-o", name,
                f"{TASK_DIR}/{self.task.spec.interface.driver}"]
        error = self._compile(argv, build.timeout_s, [name])
        if error:
            where = "natively" if native else f"for {self.isa.target}"
            raise TaskError(f"{self.task.toml_path}: [interface] driver: does not compile {where}: {error}")
        self._drivers.add(name)
        return name

    def build(self) -> None:
        """Assemble and link every program; a program that does not build gets its message."""
        self.place()
        self.probe(need_valgrind=False)
        self.put({f"{ISA_DIR}/.keep": b"", f"{COVERAGE_SLOT}/.keep": b""})  # the build folders
        for prog in self.programs.values():
            if prog.built:
                continue
            self.progress(f"building {prog.label}")
            prog.built = True
            prog.build_error = self._build_native(prog) if self.is_native(prog.slot) else self._build_target(prog)

    def _build_native(self, prog: Program) -> str | None:
        limit = self.task.spec.build.timeout_s
        driver = self.driver_object(native=True)
        obj = f"{prog.slot}/{OBJECT}"
        error = self._compile(["gcc", "-c", "-o", obj, f"{prog.slot}/{self.task.spec.candidate}"], limit, [obj])
        if error:
            return f"the x86-64 assembler refused it: {error}"
        error = self._compile(["gcc", "-o", f"{prog.slot}/prog", driver, obj, *self.task.spec.build.libs], limit,
                              [f"{prog.slot}/prog"])
        return f"linking failed: {error}" if error else None

    def _build_target(self, prog: Program) -> str | None:
        limit = self.task.spec.build.timeout_s
        driver = self.driver_object(native=False)
        obj = f"{prog.slot}/{OBJECT}"
        march = [f"-march={self.isa.march}"] if self.isa.march else []
        error = self._compile([self.cross("gcc"), *march, "-c", "-o", obj, f"{prog.slot}/{self.task.spec.candidate}"],
                              limit, [obj])
        if error:
            return f"the {self.isa.target} assembler refused it: {error}"
        res = self.exec([self.cross("nm"), "-u", obj], wall_s=limit)
        calls = sorted({line.split()[-1] for line in res.stdout.decode(errors="replace").splitlines() if line.strip()})
        if calls:
            return (f"the translation refers to symbols it does not define ({', '.join(calls)}): it must be "
                    "self-contained, with no calls into the C library or other code")
        map_file = f"{prog.slot}/prog.map"
        res = self.exec([self.cross("gcc"), "-static", "-o", f"{prog.slot}/prog", f"-Wl,-Map={map_file}", driver, obj,
                         *self.task.spec.build.libs], wall_s=limit, collect=[map_file], keep=[f"{prog.slot}/prog"])
        if not res.ok:
            text = (res.stderr or res.stdout).decode(errors="replace").strip()
            return f"linking failed: {res.describe()}: {text[-2000:]}"
        sections = object_sections(res.files.get(map_file, b"").decode(errors="replace"), obj)
        startup = sorted({s for s, _, _ in sections if s in STARTUP_SECTIONS})
        if startup:
            return (f"the translation puts code or pointers in {', '.join(startup)}: nothing of it may run before "
                    "the function is called")
        ranges = merge_ranges(sections)
        if not ranges:
            return "the translation's object holds no code"
        self.ranges[prog.slot] = ranges
        return None

    # -- the coverage build ----------------------------------------------------------------------

    def coverage_program(self) -> Program:
        """The C source compiled natively with gcov instrumentation and linked with the driver."""
        if COVERAGE_SLOT in self.programs:
            return self.programs[COVERAGE_SLOT]
        source = self.task.read(self.isa.c_source)
        prog = Program("reference", "C source (coverage build)", source, COVERAGE_SLOT, built=True)
        self.programs[COVERAGE_SLOT] = prog
        limit = self.task.spec.build.timeout_s
        driver = self.driver_object(native=True)
        obj = f"{COVERAGE_SLOT}/fn.o"
        error = self._compile(["gcc", "-std=c11", "-O0", "--coverage", "-c", "-o", obj, f"{TASK_DIR}/{self.isa.c_source}"],
                              limit, [obj, f"{COVERAGE_SLOT}/fn.gcno"])
        error = error or self._compile(["gcc", "--coverage", "-o", f"{COVERAGE_SLOT}/prog", driver, obj,
                                        *self.task.spec.build.libs], limit, [f"{COVERAGE_SLOT}/prog"])
        prog.build_error = error
        return prog

    def line_coverage(self, stdins: list[bytes]) -> "Coverage":
        """Run the coverage build on each input, then read gcov's report, in one execution
        (a session's work dir keeps no file an execution was not asked to keep)."""
        inputs = {f"{ISA_DIR}/cov/{i:04d}.in": data for i, data in enumerate(stdins)}
        report = shlex.join(["gcov", "-t", "-o", f"{COVERAGE_SLOT}/fn.o", f"{TASK_DIR}/{self.isa.c_source}"])
        script = (f"rm -f {COVERAGE_SLOT}/*.gcda; for f in {ISA_DIR}/cov/*.in; do "
                  f"{COVERAGE_SLOT}/prog < \"$f\" >/dev/null 2>&1; done; {report}")
        res = self.exec(["sh", "-c", script], files=inputs, wall_s=60 + 10 * len(stdins))
        if not res.ok:
            raise ToolchainError(f"measuring the coverage of {self.isa.c_source} failed: {res.describe()}: "
                                 f"{res.stderr.decode(errors='replace')[-500:]}")
        return parse_gcov(res.stdout.decode(errors="replace"))


def compile_listings(session: Any, c_name: str, c_source: bytes, isa: IsaSpec) -> dict[str, bytes]:
    """The assembly an isa-translate task ships, made in the sandbox: ``source`` (gcc with
    ``[isa] source_flags``, the baseline) and ``reference`` (the cross compiler with
    ``[isa] reference_flags``).  Used to write a task's files and to check they are current."""
    from sandbox.models import ExecSpec, Limits

    name = Path(c_name).name
    out = {"source": f"{ISA_DIR}/source.s", "reference": f"{ISA_DIR}/reference.s"}
    script = " && ".join([
        f"mkdir -p {ISA_DIR}",
        shlex.join(["gcc", *isa.source_flags, "-S", "-o", out["source"], name]),
        shlex.join([f"{isa.tools.cross_prefix}gcc", *isa.reference_flags, "-S", "-o", out["reference"], name]),
    ])
    res = session.run(ExecSpec(argv=["sh", "-c", script], files={name: c_source}, limits=Limits(wall_s=120),
                               collect=list(out.values())))
    if not res.ok:
        raise ToolchainError(f"compiling {c_name} to assembly failed: {res.describe()}: "
                             f"{res.stderr.decode(errors='replace')[-800:]}")
    return {key: res.files[path] for key, path in out.items()}


# --- coverage -------------------------------------------------------------------------------------


@dataclass
class Coverage:
    """Executable lines of a source file and those the runs reached."""

    executable: int
    uncovered: list[tuple[int, str]]

    @property
    def ratio(self) -> float:
        return 1.0 if self.executable == 0 else (self.executable - len(self.uncovered)) / self.executable


_GCOV_LINE = re.compile(r"^\s*([^:]+):\s*(\d+):(.*)$")


def parse_gcov(text: str) -> Coverage:
    """Read ``gcov -t`` output: ``-`` marks a line with no code, ``#####``/``=====`` one never
    run, a number (``5``, or ``5*`` when some of its blocks were not) one that ran."""
    executable, uncovered = 0, []
    for line in text.splitlines():
        match = _GCOV_LINE.match(line)
        if not match or match.group(2) == "0":
            continue
        count = match.group(1).strip()
        if count == "-":
            continue
        executable += 1
        if count.startswith(("#####", "=====")):
            uncovered.append((int(match.group(2)), match.group(3).strip()))
    return Coverage(executable, uncovered)


def validation_problems(ws: IsaWorkspace, staged: "Staged", oracle: "ProgramOutcomes") -> list[str]:
    """The coverage gate and the C source's agreement with the baseline, on the tests."""
    from evaluators.correctness import ProgramOutcomes, judge, run_program, time_limits

    isa = ws.isa
    prog = ws.coverage_program()
    if not prog.ok:
        return [f"{isa.c_source} does not compile natively: {prog.build_error}"]
    ws.progress(f"coverage of {isa.c_source} on the tests")
    n = len(staged.tests)
    tests = staged.model_copy(update={"stress": []})
    limits = time_limits(ws.task, oracle)[:n]
    result = judge(ws.task, tests, ProgramOutcomes(oracle.program, oracle.outcomes[:n]),
                   run_program(ws, prog, tests, limits), limits)
    if result.failures:  # the listing is not this C source's: its coverage would say nothing
        return [f"{isa.c_source} (built natively) disagrees with the baseline assembly on {f.input}: {f.reason}"
                for f in result.failures]
    cov = ws.line_coverage([t.input["stdin"] for t in staged.tests])
    if cov.ratio >= isa.coverage:
        return []
    shown = ", ".join(f"{no}: `{text[:50]}`" for no, text in cov.uncovered[:4])
    more = ", ..." if len(cov.uncovered) > 4 else ""
    return [f"the tests cover {cov.ratio:.1%} of the {cov.executable} executable lines of {isa.c_source}, below "
            f"the required {isa.coverage:.0%}; never run: lines {line_ranges([no for no, _ in cov.uncovered])} "
            f"({shown}{more}): add tests that reach them"]


def line_ranges(numbers: list[int]) -> str:
    """``[3, 4, 5, 9]`` -> ``3-5, 9``."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in runs)
