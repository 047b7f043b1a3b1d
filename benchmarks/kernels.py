"""The ``[kernel]`` table of ``kernel`` and ``cuda-to-cpu`` tasks, and what it becomes.

A kernel task states its function's arguments (types, shapes in terms of named sizes,
input/output), the size sets its correctness trials and its performance inputs use, the
seeds, the tolerance and the OpenMP thread count.  Everything else is made from that
when the task is loaded (:func:`lower`): the ``[interface]`` (a ``c-function`` whose
driver is generated, or a ``python-function``), the ``[tests]`` (every size set of
``sizes`` with every seed), the ``[stress]`` inputs (the size sets of ``stress``),
OpenMP on in ``[build]``, and the description the model reads (the argument list, and
for ``cuda-to-cpu`` the CUDA source).  The generated files (:func:`generated_files`) live
in memory under ``_kernel/`` and travel with the task's own files into the sandbox.

This module does not import :mod:`benchmarks.task` (which imports it for the table's model).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from benchmarks import kernel_inputs as ki
from perfforge.errors import TaskError

KERNEL_KINDS = ("kernel", "cuda-to-cpu")
GEN_DIR = "_kernel"
DRIVER = f"{GEN_DIR}/driver.c"
CASES = f"{GEN_DIR}/cases.py"
STRESS = f"{GEN_DIR}/stress.py"
SPEC_JSON = f"{GEN_DIR}/kernel.json"
INPUTS = f"{GEN_DIR}/inputs.py"
MADE_TABLES = ("interface", "tests", "stress", "compare")

ScalarType = Literal["int", "int64", "float32", "float64"]
C_TYPES = {"int": "int", "int64": "int64_t", "float32": "float", "float64": "double", "void": "void"}

_C_WORDS = set("""auto break case char const continue default do double else enum extern float for goto if inline int
long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while
bool true false class new delete template this namespace operator private public protected virtual main""".split())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KernelArg(_Strict):
    """One argument of the kernel, in call order."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    type: ScalarType | None = Field(None, description="element type; default: the table's dtype (arrays), int (sized scalars)")
    shape: list[int | str] | None = Field(None, description="an array: its dimensions, integers or expressions of sizes")
    io: Literal["in", "out", "inout"] = "in"
    value: int | float | str | None = Field(None, description="a scalar's value: a number or an expression of sizes")
    range: tuple[float, float] | None = Field(None, description="random values drawn from [lo, hi)")
    fill: float | None = Field(None, description="an output array's content before the call (default NaN / -1)")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if value in _C_WORDS or value.startswith("pf_"):
            raise ValueError(f"{value!r} is reserved (a C keyword, or the driver's pf_ prefix)")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> "KernelArg":
        if self.shape is None:
            if self.io != "in":
                raise ValueError(f"{self.name}: a scalar is an input; outputs are arrays (or the return value)")
            if self.fill is not None:
                raise ValueError(f"{self.name}: fill is for output arrays")
        else:
            if not self.shape:
                raise ValueError(f"{self.name}: shape needs at least one dimension")
            if self.value is not None:
                raise ValueError(f"{self.name}: value is for scalars; an array's contents are drawn from range")
            if self.fill is not None and self.io != "out":
                raise ValueError(f"{self.name}: fill is for output arrays (io = \"out\")")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"{self.name}: range must be [lo, hi) with lo < hi")
        for dim in (self.shape or []) + ([self.value] if isinstance(self.value, str) else []):
            try:
                ki.parse_size(dim)
            except ki.SizeError as exc:
                raise ValueError(f"{self.name}: {exc}") from None
        return self

    @property
    def is_array(self) -> bool:
        return self.shape is not None


class TorchModule(_Strict):
    """``[kernel.torch]``: a PyTorch module task (KernelBench): the problem file defines the
    reference ``Model``, ``get_inputs()`` and ``get_init_inputs()``; a candidate defines
    the class named by ``[kernel] function`` (``ModelNew``)."""

    problem: str = Field(min_length=1, description="the task's file defining Model, get_inputs, get_init_inputs")
    warmups: int = Field(3, ge=0, le=100, description="forward calls before the clock starts, per timed run")
    calls: int = Field(10, ge=1, le=10000, description="forward calls per timed run")


class KernelSpec(_Strict):
    """The ``[kernel]`` table (see TASK_FORMAT.md)."""

    function: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    returns: Literal["void", "int", "int64", "float32", "float64"] = "void"
    dtype: Literal["float32", "float64"] = "float32"
    args: list[KernelArg] = Field(default_factory=list)
    sizes: list[dict[str, int]] = Field(default_factory=list, description="size sets of the correctness trials")
    stress: list[dict[str, int]] = Field(default_factory=list, max_length=20, description="size sets of the performance inputs")
    seeds: list[int] = Field(default_factory=lambda: [1, 2, 3, 4, 5], min_length=1, max_length=50)
    rtol: float = Field(1e-5, ge=0)
    atol: float = Field(1e-6, ge=0)
    threads: int = Field(2, ge=1, le=64, description="OMP_NUM_THREADS of every run")
    generator: str | None = Field(None, description="a file of the task defining make(sizes, rng)")
    cuda: str | None = Field(None, description="cuda-to-cpu: the CUDA source shown to the model (never compiled)")
    torch: TorchModule | None = Field(None, description="a PyTorch module task (KernelBench) instead of args")

    @model_validator(mode="after")
    def _coherent(self) -> "KernelSpec":
        if self.torch is not None:
            given = [f for f in ("args", "sizes", "stress", "generator", "cuda") if f in self.model_fields_set]
            if given:
                raise ValueError(f"{given[0]}: a PyTorch module task takes its inputs from the problem's get_inputs()")
            return self
        missing = [f for f in ("args", "sizes", "stress") if not getattr(self, f)]
        if missing:
            raise ValueError(f"{missing[0]}: field required (at least one)")
        names = [a.name for a in self.args]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"args: {', '.join(dup)} declared twice")
        if self.function in names:
            raise ValueError(f"function: {self.function!r} is also an argument's name")
        if self.returns == "void" and not any(a.io != "in" for a in self.args):
            raise ValueError("args: the kernel has no output (an array with io = \"out\" or \"inout\", or returns)")
        for group in ("sizes", "stress"):
            for sizes in getattr(self, group):
                bad = [k for k in sizes if not k.isidentifier()]
                if bad:
                    raise ValueError(f"{group}: {bad[0]!r} is not a size name")
                for arg in self.args:
                    try:
                        if arg.is_array:
                            ki.shape_of(self.arg_dict(arg), sizes)
                        elif isinstance(arg.value, str):
                            ki.size_of(arg.value, sizes)
                    except ki.SizeError as exc:
                        raise ValueError(f"{group} {ki.label(sizes)}: {arg.name}: {exc}") from None
        return self

    def arg_type(self, arg: KernelArg) -> str:
        if arg.type is not None:
            return arg.type
        return self.dtype if arg.is_array or not isinstance(arg.value, str) else "int"

    def arg_dict(self, arg: KernelArg) -> dict[str, Any]:
        data = arg.model_dump()
        data["type"] = self.arg_type(arg)
        return data

    def outputs(self) -> list[tuple[str, str]]:
        """(name, type) of what the driver writes, in order: the return value, then the output arrays."""
        out = [("return value", self.returns)] if self.returns != "void" else []
        return out + [(a.name, self.arg_type(a)) for a in self.args if a.io != "in"]

    def signature(self) -> str:
        params = []
        for arg in self.args:
            ctype = C_TYPES[self.arg_type(arg)]
            if arg.is_array:
                params.append(f"{'const ' if arg.io == 'in' else ''}{ctype} *{arg.name}")
            else:
                params.append(f"{ctype} {arg.name}")
        return f"{C_TYPES[self.returns]} {self.function}({', '.join(params)});"

    def json_for_inputs(self, language: str) -> dict[str, Any]:
        return {"language": language, "args": [self.arg_dict(a) for a in self.args], "sizes": self.sizes,
                "stress": self.stress, "seeds": self.seeds, "generator": self.generator}


# --- lowering ----------------------------------------------------------------------------------


def _fail(source: str, exc: ValidationError) -> TaskError:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = "field required" if err["type"] == "missing" else "unknown field" if err["type"] == "extra_forbidden" \
            else err["msg"].removeprefix("Value error, ")
        parts.append(f"[kernel] {loc}: {msg}" if loc else f"[kernel] {msg}")
    return TaskError(f"{source}: " + "; ".join(parts))


def lower(data: dict[str, Any], root: Path, source: str) -> dict[str, Any]:
    """``task.toml`` data with the tables a kernel task's ``[kernel]`` makes filled in.
    Data of other kinds is returned as it is."""
    kind = data.get("kind")
    if "kernel" not in data:
        if kind in KERNEL_KINDS:
            raise TaskError(f"{source}: [kernel]: a {kind} task needs a [kernel] table "
                            "(its function's arguments, sizes, seeds and tolerance)")
        return data
    if kind not in KERNEL_KINDS:
        raise TaskError(f"{source}: [kernel]: only kernel and cuda-to-cpu tasks have a [kernel] table")
    if not isinstance(data["kernel"], dict):
        raise TaskError(f"{source}: [kernel]: must be a table")
    if not data.get("baseline"):
        raise TaskError(f"{source}: baseline: a {kind} task names its reference implementation as the baseline "
                        "(speedups are measured against it)")
    made = [t for t in MADE_TABLES if t in data]
    if made:
        raise TaskError(f"{source}: [{made[0]}]: a {kind} task's {', '.join(made)} come from [kernel]; leave them out")
    try:
        spec = KernelSpec.model_validate(data["kernel"])
    except ValidationError as exc:
        raise _fail(source, exc) from None
    language = data.get("language")
    if kind == "cuda-to-cpu" and spec.cuda is None:
        raise TaskError(f"{source}: [kernel] cuda: a cuda-to-cpu task names its CUDA source file")
    extra_files = [("cuda", spec.cuda), ("generator", spec.generator)]
    if spec.torch is not None:
        extra_files.append(("torch.problem", spec.torch.problem))
        if language != "python":
            raise TaskError(f"{source}: language: a PyTorch module task is python, not {language}")
    for field, name in extra_files:
        if name is not None and (name.startswith(("/", "..")) or not (root / name).is_file()):
            raise TaskError(f"{source}: [kernel] {field}: file {name!r} not found in {root}")
    out = dict(data)
    if spec.torch is not None:
        out["interface"] = {"type": "python-function", "function": spec.function}
        out["tests"] = {"file": CASES}
        out["stress"] = {"file": STRESS}
        out["description"] = str(data.get("description", "")).rstrip() + "\n\n" + torch_described(spec, root)
        return out
    # C: the kind's comparison reads rtol/atol from [kernel] (numpy's isclose on the raw
    # outputs); stated here too, so that the task says what it is compared with
    out["compare"] = {"mode": "float", "rel_tol": spec.rtol, "abs_tol": spec.atol}
    if language == "python":
        out["interface"] = {"type": "python-function", "function": spec.function}
    else:
        out["interface"] = {"type": "c-function", "function": spec.function, "signature": spec.signature(),
                            "driver": DRIVER}
        out["build"] = {"openmp": True, **(data.get("build") or {})}
    out["tests"] = {"file": CASES}
    out["stress"] = {"file": STRESS}
    cuda = (root / spec.cuda).read_text(encoding="utf-8", errors="replace") if spec.cuda else None
    out["description"] = str(data.get("description", "")).rstrip() + "\n\n" + described(spec, language, cuda)
    return out


def torch_described(spec: KernelSpec, root: Path) -> str:
    problem = (root / spec.torch.problem).read_text(encoding="utf-8", errors="replace")
    return "\n".join([
        f"The reference PyTorch module (`Model`, with `get_inputs()` and `get_init_inputs()`) is below. Write a "
        f"Python module defining `{spec.function}`, a torch.nn.Module taking the same constructor arguments and "
        f"returning the same outputs from `forward`, faster on the CPU. It is checked on {len(spec.seeds)} seeded "
        f"trials within |got - ref| <= {spec.atol:g} + {spec.rtol:g} * |ref|, then timed against eager PyTorch "
        f"with {spec.threads} thread(s).",
        "", "```python", problem.rstrip(), "```"])


def _arg_line(spec: KernelSpec, arg: KernelArg) -> str:
    typ = spec.arg_type(arg)
    if not arg.is_array:
        how = (f"the size {arg.value}" if isinstance(arg.value, str) else f"= {arg.value}") if arg.value is not None \
            else f"drawn from [{_lo_hi(spec, arg)})"
        return f"- `{arg.name}`: {typ} scalar, {how}"
    role = {"in": "input (read only)", "out": "output", "inout": "input and output (updated in place)"}[arg.io]
    shape = " x ".join(str(d) for d in arg.shape or [])
    line = f"- `{arg.name}`: {typ} array of shape [{shape}] (row-major), {role}"
    if arg.io == "out":
        line += "; holds " + ("NaN" if arg.fill is None and typ.startswith("float") else str(arg.fill if arg.fill is not None else -1)) \
            + " before the call"
    return line


def _lo_hi(spec: KernelSpec, arg: KernelArg) -> str:
    lo, hi = arg.range or ((0, 100) if spec.arg_type(arg).startswith("int") else (-1.0, 1.0))
    return f"{lo:g}, {hi:g}"


def described(spec: KernelSpec, language: str | None, cuda: str | None) -> str:
    """What the model reads beside the task's own description: the ABI, sizes, tolerance."""
    head = (f"The function (Python, numpy arrays): `{spec.function}(" + ", ".join(a.name for a in spec.args) + ")`"
            if language == "python" else f"The function (C ABI): `{spec.signature()}`")
    sizes = "; ".join(ki.label(s) for s in spec.sizes) or "the fixed shapes"
    stress = "; ".join(ki.label(s) for s in spec.stress) or "the same shapes"
    lines = [head, "", "Arguments:", *(_arg_line(spec, a) for a in spec.args)]
    if spec.returns != "void":
        lines.append(f"- returns a {spec.returns}")
    lines += [
        "",
        f"Checked on random inputs at {sizes} (seeds {', '.join(map(str, spec.seeds))}), measured at {stress}. "
        f"Every output must match the reference within |got - ref| <= {spec.atol:g} + {spec.rtol:g} * |ref|.",
    ]
    if language != "python":
        lines.append(f"Compiled with OpenMP (-fopenmp); every run has OMP_NUM_THREADS={spec.threads}.")
    if cuda is not None:
        lines += ["", "The CUDA source to translate (the C function above does what its launch does):", "",
                  "```cuda", cuda.rstrip(), "```"]
    return "\n".join(lines)


# --- generated files ---------------------------------------------------------------------------

_CASES_PY = '''\
# Made by perfforge from [kernel]: the correctness trials (every size set with every seed).
import importlib.util
import os

_spec = importlib.util.spec_from_file_location("_pf_kernel_inputs", os.path.join(os.path.dirname(os.path.abspath(__file__)), "inputs.py"))
_inputs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_inputs)
{name} = _inputs.{call}()
'''


_TORCH_ONLY = '''\
# Made by perfforge: a PyTorch module task is judged by its own runner, not from these inputs.
raise RuntimeError("a PyTorch module task ([kernel.torch]) is judged by evaluators.kinds.torch_kernel")
'''


def generated_files(spec: KernelSpec, language: str) -> dict[str, bytes]:
    """The files a kernel task's ``[kernel]`` makes (relative path -> content)."""
    if spec.torch is not None:
        return {CASES: _TORCH_ONLY.encode(), STRESS: _TORCH_ONLY.encode()}
    files = {
        SPEC_JSON: json.dumps(spec.json_for_inputs(language), indent=1, sort_keys=True).encode(),
        INPUTS: Path(ki.__file__).read_bytes(),
        CASES: _CASES_PY.format(name="CASES", call="cases").encode(),
        STRESS: _CASES_PY.format(name="INPUTS", call="stress_inputs").encode(),
    }
    if language != "python":
        files[DRIVER] = driver_source(spec).encode()
    return files


def driver_source(spec: KernelSpec) -> str:
    """A C (and C++) driver: reads the arguments from stdin, calls the kernel once, writes the
    outputs to stdout as (int64 count, raw elements) each; with -DPERFFORGE_EMPTY, no call."""
    decl, call_args, frees = [], [], []
    for arg in spec.args:
        ctype = C_TYPES[spec.arg_type(arg)]
        if arg.is_array:
            decl.append(f"    int64_t pf_n_{arg.name};\n"
                        f"    {ctype} *{arg.name} = ({ctype} *)pf_array(sizeof({ctype}), &pf_n_{arg.name});")
            frees.append(f"    free({arg.name});")
        else:
            decl.append(f"    {ctype} {arg.name};\n    pf_read(&{arg.name}, sizeof {arg.name}, 1);")
        call_args.append(arg.name)
    call = f"{spec.function}({', '.join(call_args)})"
    writes = []
    if spec.returns != "void":
        writes.append(f"    {C_TYPES[spec.returns]} pf_result = {call};\n    pf_write(&pf_result, sizeof pf_result, 1);")
    else:
        writes.append(f"    {call};")
    writes += [f"    pf_write({a.name}, sizeof *{a.name}, pf_n_{a.name});" for a in spec.args if a.io != "in"]
    return f"""\
/* Made by perfforge from the task's [kernel] table.  Reads the arguments of {spec.function}
   from standard input (per argument: a scalar's bytes, or an array's int64 element count
   and its elements), calls it once and writes each output (the return value, then the
   output arrays) as an int64 count and the elements.  Built with -DPERFFORGE_EMPTY: the
   same reading and no call (the calibrated empty run). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

{spec.signature()}

static void pf_read(void *to, size_t size, size_t count) {{
    if (count && fread(to, size, count, stdin) != count) {{
        fputs("driver: the input is cut short\\n", stderr);
        exit(90);
    }}
}}

static void *pf_array(size_t size, int64_t *count) {{
    pf_read(count, sizeof *count, 1);
    if (*count < 0) {{
        fputs("driver: negative array length\\n", stderr);
        exit(90);
    }}
    void *data = malloc((size_t)(*count ? *count : 1) * size);
    if (!data) {{
        fputs("driver: out of memory\\n", stderr);
        exit(91);
    }}
    pf_read(data, size, (size_t)*count);
    return data;
}}

static void pf_write(const void *from, size_t size, int64_t count) {{
    fwrite(&count, sizeof count, 1, stdout);
    fwrite(from, size, (size_t)count, stdout);
}}

int main(void) {{
{chr(10).join(decl)}
    if (getchar() != EOF) {{
        fputs("driver: unexpected input after the arguments\\n", stderr);
        return 92;
    }}
#ifndef PERFFORGE_EMPTY
{chr(10).join(writes)}
#endif
    if (fflush(stdout) != 0) return 93;
{chr(10).join(frees)}
    return 0;
}}
"""


def env(spec: KernelSpec) -> dict[str, str]:
    """The environment of every run: a fixed thread count (also the most a candidate may
    ask for), and sleeping waits (a spinning thread would burn the CPU quota)."""
    n = str(spec.threads)
    return {"MKL_NUM_THREADS": n, "OMP_NUM_THREADS": n, "OMP_THREAD_LIMIT": n, "OMP_DYNAMIC": "false", "OMP_WAIT_POLICY": "passive",
            "OPENBLAS_NUM_THREADS": n}


__all__ = ["KERNEL_KINDS", "KernelArg", "KernelSpec", "lower", "generated_files", "driver_source", "described", "env"]
