"""The ``kernel`` and ``cuda-to-cpu`` kinds: numeric kernels behind a C ABI (or a Python
function over numpy arrays), judged allclose-style against the oracle.

Both run through the shared ``c-function`` / ``python-function`` paths (the task's
``[kernel]`` table has made the driver, the trials and the stress inputs, see
:mod:`benchmarks.kernels`).  What differs:

* environment: ``OMP_NUM_THREADS`` = ``[kernel] threads`` (default 2) for every run, also
  as ``OMP_THREAD_LIMIT`` (a candidate cannot take more), ``OMP_WAIT_POLICY=passive``
  (an idle thread sleeps instead of spinning: no CPU quota burnt, and valgrind's counts
  do not depend on how long a spinning thread was scheduled);
* output: the driver writes each output as raw elements; they are compared with the
  oracle's as ``numpy.isclose`` does (``|got - ref| <= atol + rtol * |ref|``, NaN equal to
  NaN), integers exactly.

Instruction counts (valgrind) serialize the threads and count every thread's
instructions: they measure the total work (OpenMP's own overhead included), never a
parallel speedup; with sleeping waits they repeat to within 0.01% (where valgrind switches
threads can add a wake-up of a few dozen instructions).  Wall time, taken with the
fixed thread count, shows the parallel speedup within the sandbox's CPU quota.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmarks import kernels
from evaluators.kinds import KindSupport

if TYPE_CHECKING:
    from benchmarks.task import Task

_NP = {"int": "<i4", "int64": "<i8", "float32": "<f4", "float64": "<f8"}


def kernel_env(task: "Task") -> dict[str, str]:
    return kernels.env(task.spec.kernel) if task.spec.kernel is not None else {}


class OutputError(ValueError):
    """Output bytes that do not hold what the driver writes."""


def decode_outputs(spec: kernels.KernelSpec, data: bytes) -> list[tuple[str, object]]:
    """(name, numpy array) of each output in a driver's standard output."""
    import numpy as np

    out, pos = [], 0
    for name, typ in spec.outputs():
        if pos + 8 > len(data):
            raise OutputError(f"the output ends before {name} ({len(data)} bytes)")
        count = int(np.frombuffer(data, "<i8", 1, pos)[0])
        pos += 8
        dtype = np.dtype(_NP[typ])
        end = pos + count * dtype.itemsize
        if count < 0 or end > len(data):
            raise OutputError(f"{name}: the output is cut short ({len(data)} bytes)")
        out.append((name, np.frombuffer(data, dtype, count, pos)))
        pos = end
    if pos != len(data):
        raise OutputError(f"{len(data) - pos} byte(s) more than the outputs (does the program write to stdout?)")
    return out


def compare_arrays(name: str, got, want, rtol: float, atol: float) -> str | None:
    """Why ``got`` does not match ``want`` (numpy.isclose semantics), or None."""
    import numpy as np

    if got.shape != want.shape:
        return f"{name}: {got.size} element(s) where {want.size} were expected"
    if want.dtype.kind == "f":
        with np.errstate(invalid="ignore", over="ignore"):
            close = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    else:
        close = got == want
    if bool(close.all()):
        return None
    bad = np.flatnonzero(~close)
    i = int(bad[0])
    return (f"{name}: {bad.size} of {want.size} element(s) differ, first at [{i}]: {got[i].item()!r} != {want[i].item()!r}"
            + (f" (rtol {rtol:g}, atol {atol:g})" if want.dtype.kind == "f" else ""))


def kernel_stdout(task: "Task", got: bytes, want: bytes) -> str | None:
    spec = task.spec.kernel
    try:
        expected = decode_outputs(spec, want)
    except OutputError as exc:
        return f"the oracle's output is malformed: {exc}"
    try:
        produced = decode_outputs(spec, got)
    except OutputError as exc:
        return str(exc)
    for (name, g), (_, w) in zip(produced, expected):
        reason = compare_arrays(name, g, w, spec.rtol, spec.atol)
        if reason:
            return reason
    return None


def torch_runner(task: "Task") -> object | None:
    """The PyTorch module runner for a ``[kernel.torch]`` task, else None (the shared path)."""
    if task.spec.kernel is None or task.spec.kernel.torch is None:
        return None
    from evaluators.kinds.torch_kernel import runner_for

    return runner_for(task)


SUPPORTS = (
    KindSupport("kernel", "a numeric kernel (C/OpenMP ABI, numpy function or PyTorch module) against its reference",
                env=kernel_env, compare_stdout=kernel_stdout, runner=torch_runner),
    KindSupport("cuda-to-cpu", "a C/OpenMP translation of a CUDA kernel against the reference C",
                env=kernel_env, compare_stdout=kernel_stdout),
)
