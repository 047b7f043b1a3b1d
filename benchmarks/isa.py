"""The ``[isa]`` table of ``isa-translate`` tasks: which machine the translation is for.

An isa-translate task ships a C function (``c_source``), the x86-64 assembly gcc made of
it (the task's ``baseline``: the text the model translates) and the target cross
compiler's own ``-O2`` output (the task's reference).  The table names the target, the
tools that build and run programs for it, and the coverage the tests must reach.

This module does not import :mod:`benchmarks.task` (which imports it for the table's model).
"""

from __future__ import annotations

import posixpath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Target = Literal["aarch64", "riscv64"]
CountMethod = Literal["qemu-plugin", "qemu-exec-log"]


class TargetTools(BaseModel):
    """How programs for one target are built and run, and what its calling convention is."""

    model_config = ConfigDict(frozen=True)

    name: str
    cross_prefix: str
    qemu: str
    cpu: str = Field(description="qemu's CPU model: it fixes the instruction set a program may use")
    abi: str = Field(description="one paragraph on the calling convention, for whoever writes the translation")


TARGETS: dict[str, TargetTools] = {
    "aarch64": TargetTools(
        name="AArch64 (ARMv8.0-A with NEON and CRC32, as a Cortex-A72)",
        cross_prefix="aarch64-linux-gnu-", qemu="qemu-aarch64", cpu="cortex-a72",
        abi="AAPCS64 (GNU/Linux): integer and pointer arguments in x0-x7 (w0-w7 for 32-bit values), the result "
            "in x0/w0; x0-x17 may be clobbered, x19-x29, sp and the low halves of v8-v15 must be preserved; "
            "return with ret (the address is in x30). The upper half of a 32-bit argument's register is "
            "unspecified.",
    ),
    "riscv64": TargetTools(
        name="RISC-V RV64GC (as a SiFive U54)",
        cross_prefix="riscv64-linux-gnu-", qemu="qemu-riscv64", cpu="sifive-u54",
        abi="LP64D (GNU/Linux): integer and pointer arguments in a0-a7, the result in a0; t0-t6 and a0-a7 are "
            "free to use, s0-s11 must be saved and restored; return with ret. A 32-bit int argument arrives "
            "sign-extended to 64 bits (also when unsigned) and a 32-bit result must be returned the same way. "
            "No B or V extension.",
    ),
}


class IsaSpec(BaseModel):
    """The ``[isa]`` table (see TASK_FORMAT.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Literal["x86_64"] = Field("x86_64", description="the ISA of the baseline assembly")
    target: Target
    c_source: str = Field(min_length=1, description="the C file the baseline and the reference were compiled from")
    source_flags: list[str] = Field(default_factory=lambda: ["-O2"],
                                    description="the gcc flags that made the baseline from c_source (-S)")
    reference_flags: list[str] = Field(default_factory=lambda: ["-O2"],
                                       description="the cross compiler's flags that made the reference (-S)")
    cross_prefix: str | None = Field(None, description="default: the target's Debian cross toolchain prefix")
    qemu: str | None = Field(None, description="default: qemu-aarch64 / qemu-riscv64")
    cpu: str | None = Field(None, description="qemu -cpu; default: cortex-a72 / sifive-u54")
    march: str | None = Field(None, description="-march for assembling the translations (default: the toolchain's)")
    coverage: float = Field(0.98, ge=0, le=1, description="line coverage of c_source the tests must reach")
    counter: CountMethod = Field("qemu-plugin", description="how instructions are counted under qemu")

    @field_validator("c_source")
    @classmethod
    def _inside(cls, value: str) -> str:
        norm = posixpath.normpath(value)
        if value.startswith("/") or norm.startswith("..") or "\\" in value:
            raise ValueError(f"must be a relative path inside the task folder, got {value!r}")
        return norm

    @field_validator("source_flags", "reference_flags")
    @classmethod
    def _flags(cls, value: list[str]) -> list[str]:
        bad = [f for f in value if not f.startswith("-") or f in ("-o", "-c", "-S", "-E")]
        if bad:
            raise ValueError(f"compiler options only (not -o/-c/-S/-E or file names), got {bad[0]!r}")
        return value

    @property
    def tools(self) -> TargetTools:
        """The target's tools with this task's overrides applied."""
        base = TARGETS[self.target]
        return base.model_copy(update={k: v for k, v in (("cross_prefix", self.cross_prefix), ("qemu", self.qemu),
                                                          ("cpu", self.cpu)) if v is not None})


def described(spec: IsaSpec, function: str, signature: str, candidate: str) -> str:
    """What whoever writes the translation must know beside the task's own description."""
    tools = spec.tools
    return (
        f"Target: {tools.name}, GNU assembler syntax for {tools.cross_prefix}as. Write `{candidate}` defining the "
        f"global function `{function}` with the C signature `{signature}`.\n\n"
        f"Calling convention: {tools.abi}\n\n"
        f"The translation is assembled by {tools.cross_prefix}gcc, linked statically with the task's C driver and "
        f"run under {tools.qemu} -cpu {tools.cpu}. It must be self-contained: no calls to other functions or the C "
        "library and nothing that runs before main. Correct means the same output as the x86-64 original on "
        "every test and stress input. Efficiency is the number of instructions executed inside the "
        "translation's own code, counted under qemu, against the cross compiler's own output "
        f"(gcc {' '.join(spec.reference_flags)})."
    )


def lower(data: dict[str, Any]) -> dict[str, Any]:
    """``task.toml`` data of an isa-translate task with the target's paragraph appended to
    the description (other data as it is; a malformed table is reported by the task format)."""
    if data.get("kind") != "isa-translate" or not isinstance(data.get("isa"), dict):
        return data
    iface = data.get("interface")
    try:
        spec = IsaSpec.model_validate(data["isa"])
    except ValidationError:
        return data
    if not isinstance(iface, dict) or not {"function", "signature"} <= iface.keys():
        return data
    out = dict(data)
    text = described(spec, str(iface["function"]), str(iface["signature"]), str(data.get("candidate", "")))
    out["description"] = f"{str(data.get('description', '')).rstrip()}\n\n{text}".lstrip()
    return out


__all__ = ["IsaSpec", "TARGETS", "TargetTools", "Target", "CountMethod", "described", "lower"]
