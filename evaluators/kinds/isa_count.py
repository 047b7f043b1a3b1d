"""Instruction counts of a translation under qemu-user: exact, and only its own instructions.

Only the addresses the translation's object occupies in the linked program count (the
linker's map says where: :func:`evaluators.kinds.isa.object_sections`), so start-up, input
parsing and printing, which the driver does alike for every program, never enter the
count and no calibrated empty run is needed.  A translation cannot move work elsewhere:
it may not call out (no undefined symbols) nor run before ``main`` (no constructors).

Two methods, both exact (tests/evaluators/test_isa.py checks them against each other and
against a loop whose count is known):

``qemu-plugin`` (default)
    a small TCG plugin of our own (``qemu_count.c``, compiled in the sandbox with its
    native gcc) adds one to a counter before every instruction whose address lies in the
    ranges, as an inline TCG op; it writes the total at exit.  Debian's qemu 7.2 loads
    plugins but ships none.  Cost: close to qemu's normal speed.
``qemu-exec-log``
    ``-singlestep -d exec,nochain -dfilter RANGES``: every translated block is one
    instruction, block chaining is off, so qemu logs one ``Trace`` line per instruction
    executed in the ranges; the lines are counted.  Needs nothing but qemu, but writing a
    line per instruction costs ~10-20 us each here: only for small inputs.  It is the
    fallback when the plugin does not load.

A count is taken per stress input, one qemu process each, and summed.  Qemu's
translation of a given binary is deterministic, so counts repeat exactly.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from evaluators.instructions import InstructionCount
from evaluators.kinds import KindSupport
from evaluators.kinds.isa import ISA_DIR, PLUGIN, PLUGIN_SOURCE, IsaWorkspace, validation_problems
from perfforge.errors import SandboxError, ToolchainError

if TYPE_CHECKING:
    from benchmarks.stress import Staged
    from evaluators.programs import Program

COUNT_FILE = f"{ISA_DIR}/count.txt"
# qemu counting runs the program once more per input: generous, but a hang still ends
COUNT_WALL_S = 300.0


def plugin_source() -> bytes:
    from pathlib import Path

    return (Path(__file__).resolve().parent / "qemu_count.c").read_bytes()


def method_for(ws: IsaWorkspace) -> tuple[str, str | None]:
    """(method, fallback note): the task's choice, or the exec log when qemu cannot load the plugin."""
    if ws.isa.counter == "qemu-exec-log":
        return "qemu-exec-log", None
    if not ws.plugin_built:
        _build_plugin(ws)
        ws.plugin_error = _load_error(ws)
    if ws.plugin_error:
        return "qemu-exec-log", (f"{ws.target.qemu} could not load the counting plugin ({ws.plugin_error}): "
                                 "instructions counted from its exec log instead")
    return "qemu-plugin", None


def _build_plugin(ws: IsaWorkspace) -> None:
    res = ws.exec(["gcc", "-shared", "-fPIC", "-O2", "-Wall", "-o", PLUGIN, PLUGIN_SOURCE],
                  files={PLUGIN_SOURCE: plugin_source()}, wall_s=120, keep=[PLUGIN])
    if not res.ok:
        raise ToolchainError(f"the qemu counting plugin does not compile in the sandbox: {res.describe()}: "
                             f"{res.stderr.decode(errors='replace')[-800:]}")
    ws.plugin_built = True


def _load_error(ws: IsaWorkspace) -> str | None:
    """Why qemu refuses the plugin (a qemu built without plugin support), or None.  Tried on a
    program already built for the target, with no input: the driver exits at once."""
    slot = next(iter(ws.ranges), None)
    if slot is None:
        return None  # nothing was built for the target: nothing will be counted
    probe = f"{ISA_DIR}/probe.txt"
    res = ws.exec([*ws.qemu_argv("-plugin", f"{PLUGIN},r=0x1:0x2,out={probe}"), f"{slot}/prog"], wall_s=60,
                  collect=[probe])
    if probe in res.files:
        return None
    return res.stderr.decode(errors="replace").strip()[-300:] or res.describe()


def _ranges(ws: IsaWorkspace, program: "Program") -> list[tuple[int, int]]:
    ranges = ws.ranges.get(program.slot)
    if not ranges:
        raise SandboxError(f"{program.label} has no code ranges to count (was it built for {ws.isa.target}?)")
    return ranges


def plugin_argv(ws: IsaWorkspace, program: "Program") -> list[str]:
    ranges = ",".join(f"r={lo:#x}:{hi:#x}" for lo, hi in _ranges(ws, program))
    run = shlex.join(ws.qemu_argv("-plugin", f"{PLUGIN},{ranges},out={COUNT_FILE}") + [f"{program.slot}/prog"])
    return ["sh", "-c", f"rm -f {COUNT_FILE}; {run} >/dev/null; status=$?; cat {COUNT_FILE}; exit $status"]


def exec_log_argv(ws: IsaWorkspace, program: "Program") -> list[str]:
    ranges = ",".join(f"{lo:#x}+{hi - lo:#x}" for lo, hi in _ranges(ws, program))
    run = shlex.join(ws.qemu_argv("-singlestep", "-d", "exec,nochain", "-dfilter", ranges, "-D", "/dev/stderr")
                     + [f"{program.slot}/prog"])
    # the log goes to the pipe, the program's own output nowhere; pipefail keeps qemu's status
    return ["bash", "-o", "pipefail", "-c",
            f"{run} 2>&1 >/dev/null | awk '/^Trace /{{n++}} END{{print \"instructions\", n+0}}'"]


def count_input(ws: IsaWorkspace, program: "Program", method: str, stdin: bytes) -> int:
    argv = plugin_argv(ws, program) if method == "qemu-plugin" else exec_log_argv(ws, program)
    res = ws.exec(argv, stdin=stdin, wall_s=COUNT_WALL_S)
    words = res.stdout.decode(errors="replace").split()
    if not res.ok or len(words) != 2 or words[0] != "instructions" or not words[1].isdigit():
        err = res.stderr.decode(errors="replace").strip()[-500:]
        raise SandboxError(f"counting {program.label} under {ws.target.qemu} ({method}) failed: {res.describe()}: "
                           f"{err or res.stdout.decode(errors='replace')[-200:]}")
    return int(words[1])


def count_program(ws: Any, program: "Program", staged: "Staged", native_s: float,
                  method: str | None = None) -> InstructionCount:
    """``program``'s instructions in its own code, summed over the stress inputs."""
    if not isinstance(ws, IsaWorkspace):
        raise TypeError("isa-translate programs are counted in an IsaWorkspace")
    method = method or method_for(ws)[0]
    per_input = [count_input(ws, program, method, item["stdin"]) for item in staged.stress]
    total = sum(per_input)
    return InstructionCount(instructions=total, gross=total, empty=0, per_input=per_input)


class QemuCounter:
    """The isa-translate counter: qemu on the translations; the native baseline is not counted."""

    def method(self, ws: Any, fingerprint: dict[str, Any] | None) -> tuple[str, str | None]:
        return method_for(ws)

    def comparable(self, ws: Any, program: "Program") -> bool:
        return not ws.is_native(program.slot)

    def count(self, ws: Any, program: "Program", staged: "Staged", native_s: float) -> InstructionCount:
        return count_program(ws, program, staged, native_s)


SUPPORT = KindSupport(
    "isa-translate", "an assembly translation of x86-64 code for AArch64 or RISC-V, run under qemu",
    workspace=IsaWorkspace, metrics=("instructions",),
    metrics_note="the translation runs under emulation, where they say nothing about the target; its "
                 "instructions are counted under qemu",
    counter=QemuCounter(), check=validation_problems,
)
