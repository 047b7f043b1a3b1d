"""The inputs of a kernel task, made in the sandbox from its ``[kernel]`` table.

Standard library + numpy only: this file is shipped into every kernel task as
``_kernel/inputs.py`` beside ``_kernel/kernel.json`` (the table as JSON) and is run by
the task's generated ``_kernel/cases.py`` (correctness trials: every size set of
``sizes`` with every seed of ``seeds``) and ``_kernel/stress.py`` (performance inputs:
the size sets of ``stress``).  The host imports it only to check size expressions.

Values are drawn in argument order from ``numpy.random.default_rng(seed)``: floats
uniformly from ``range`` (default [-1, 1)), integers from [lo, hi) (default [0, 100)).
An output array holds ``fill`` before the call (default NaN for floats, -1 for
integers), so an element the kernel forgets to write shows.  A task's own
``generator`` file may define ``make(sizes, rng)`` returning some arguments by name
(a CSR matrix's structure, a symmetric positive definite matrix); those are checked
against the declared shape and type.

For a C ABI, an input is the driver's standard input: per argument in order, a scalar's
raw bytes, or an array as its element count (int64) and then its elements (native
little-endian layout).  For a Python function, the arguments themselves.
"""

from __future__ import annotations

import ast
import json
import math
import os

DTYPES = {"int": "<i4", "int64": "<i8", "float32": "<f4", "float64": "<f8"}
STRESS_SEED = 1_000_003  # stress input i is drawn with seed STRESS_SEED + i
MAX_ELEMENTS = 1 << 26

_OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
        ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b, ast.Pow: lambda a, b: a ** b}


class SizeError(ValueError):
    """A size expression that cannot be evaluated (unknown name, unsupported syntax)."""


def parse_size(text) -> ast.AST:
    """A size expression: integers, size names, + - * // % ** and parentheses."""
    if isinstance(text, bool) or not isinstance(text, (int, str)):
        raise SizeError(f"a size is an integer or an expression of sizes, got {text!r}")
    if isinstance(text, int):
        return ast.Constant(text)
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise SizeError(f"{text!r} is not an expression of sizes") from None
    for node in ast.walk(tree):
        ok = isinstance(node, (ast.Name, ast.Load, ast.BinOp, ast.UnaryOp, ast.USub, ast.UAdd, *_OPS)) or (
            isinstance(node, ast.Constant) and type(node.value) is int)
        if not ok:
            raise SizeError(f"{text!r}: only integers, size names, + - * // % ** and parentheses are allowed")
    return tree


def names_of(text) -> set:
    return {n.id for n in ast.walk(parse_size(text)) if isinstance(n, ast.Name)}


def size_of(text, sizes: dict) -> int:
    """The value of a size expression for one size set."""

    def walk(node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id not in sizes:
                raise SizeError(f"{node.id!r} is not a size (sizes: {', '.join(sorted(sizes)) or 'none'})")
            return sizes[node.id]
        if isinstance(node, ast.UnaryOp):
            value = walk(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        left, right = walk(node.left), walk(node.right)
        if isinstance(node.op, (ast.FloorDiv, ast.Mod)) and right == 0:
            raise SizeError(f"{text!r}: division by zero at {sizes}")
        return _OPS[type(node.op)](left, right)

    return int(walk(parse_size(text)))


def shape_of(arg: dict, sizes: dict) -> tuple:
    shape = tuple(size_of(dim, sizes) for dim in arg["shape"])
    if any(d < 0 for d in shape):
        raise SizeError(f"{arg['name']}: shape {arg['shape']} is negative at {label(sizes)}: {shape}")
    if math.prod(shape) > MAX_ELEMENTS:
        raise SizeError(f"{arg['name']}: shape {arg['shape']} has more than {MAX_ELEMENTS} elements at {label(sizes)}")
    return shape


def label(sizes: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in sizes.items())


# --- making arguments (sandbox) ----------------------------------------------------------------


def _here(name: str) -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), name)


def load_spec() -> dict:
    with open(_here("kernel.json"), encoding="utf-8") as fh:
        return json.load(fh)


def _custom(spec: dict, sizes: dict, rng) -> dict:
    if not spec.get("generator"):
        return {}
    import runpy

    path = os.path.join(os.path.dirname(_here("")), "..", spec["generator"])
    make = runpy.run_path(os.path.normpath(path)).get("make")
    if not callable(make):
        raise TypeError(f"{spec['generator']} defines no make(sizes, rng)")
    made = make(dict(sizes), rng)
    if not isinstance(made, dict):
        raise TypeError(f"{spec['generator']}: make() must return a dict of arguments by name, got {type(made).__name__}")
    unknown = sorted(set(made) - {a["name"] for a in spec["args"]})
    if unknown:
        raise ValueError(f"{spec['generator']}: make() returned {', '.join(unknown)}, which [kernel] args does not declare")
    return made


def _checked_array(np, arg: dict, value, shape: tuple, sizes: dict):
    dtype = np.dtype(DTYPES[arg["type"]])
    array = np.asarray(value)
    if array.size != math.prod(shape):
        raise ValueError(f"generator gave {arg['name']} {array.size} elements (shape {array.shape}); [kernel] shape "
                         f"{arg['shape']} is {shape} at {label(sizes)}")
    if dtype.kind == "i" and array.dtype.kind not in "iub":
        raise ValueError(f"generator gave {arg['name']} {array.dtype} values; it is declared {arg['type']}")
    return np.ascontiguousarray(array.reshape(shape), dtype=dtype)


def arguments(spec: dict, sizes: dict, seed: int) -> list:
    """The argument values for one size set and seed, in declaration order."""
    import numpy as np

    rng = np.random.default_rng(seed)
    custom = _custom(spec, sizes, rng)
    out = []
    for arg in spec["args"]:
        dtype = np.dtype(DTYPES[arg["type"]])
        integer = dtype.kind == "i"
        lo, hi = arg.get("range") or ((0, 100) if integer else (-1.0, 1.0))
        if arg.get("shape") is not None:
            shape = shape_of(arg, sizes)
            if arg["name"] in custom:
                value = _checked_array(np, arg, custom[arg["name"]], shape, sizes)
            elif arg["io"] == "out":
                fill = arg.get("fill")
                value = np.full(shape, (-1 if integer else np.nan) if fill is None else fill, dtype=dtype)
            elif integer:
                value = rng.integers(int(lo), int(hi), size=shape, dtype=dtype)
            else:
                value = rng.uniform(lo, hi, size=shape).astype(dtype)
        elif arg["name"] in custom:
            value = int(custom[arg["name"]]) if integer else float(custom[arg["name"]])
        elif arg.get("value") is not None:
            value = size_of(arg["value"], sizes) if isinstance(arg["value"], str) else arg["value"]
            value = int(value) if integer else float(value)
        else:
            value = int(rng.integers(int(lo), int(hi))) if integer else float(np.float32(rng.uniform(lo, hi)))
        out.append(value)
    return out


def stdin_bytes(spec: dict, values: list) -> bytes:
    """The driver's standard input for these argument values."""
    import numpy as np

    parts = []
    for arg, value in zip(spec["args"], values):
        dtype = np.dtype(DTYPES[arg["type"]])
        if arg.get("shape") is not None:
            flat = np.ascontiguousarray(value, dtype=dtype).reshape(-1)
            parts.append(np.int64(flat.size).tobytes())
            parts.append(flat.tobytes())
        else:
            parts.append(np.array(value, dtype=dtype).tobytes())
    return b"".join(parts)


def one_input(spec: dict, sizes: dict, seed: int):
    values = arguments(spec, sizes, seed)
    if spec["language"] == "python":
        return values
    return stdin_bytes(spec, values)


def cases() -> list:
    """The correctness trials: each size set of ``sizes`` with each seed of ``seeds``."""
    spec = load_spec()
    out = []
    for sizes in spec["sizes"]:
        for seed in spec["seeds"]:
            made = one_input(spec, sizes, seed)
            name = f"{label(sizes)} seed={seed}".lstrip()
            out.append({"name": name, "args": made} if spec["language"] == "python" else {"name": name, "stdin": made})
    return out


def stress_inputs() -> list:
    """The performance inputs: each size set of ``stress``, drawn with its own seed."""
    spec = load_spec()
    return [one_input(spec, sizes, STRESS_SEED + i) for i, sizes in enumerate(spec["stress"])]
