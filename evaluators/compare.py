"""Output comparison under a task's ``[compare]`` rule, on decoded values (host side).

Each function returns ``None`` when the two sides match and otherwise a short reason
saying where they differ (``"[3]: 2 != 5"``), which ends up in a failure listing.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from benchmarks.task import Compare

_MAX_SHOWN = 60


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numpy_array(value: Any) -> bool:
    return type(value).__name__ == "ndarray" and type(value).__module__ == "numpy"


def _floats_match(a: float, b: float, rule: Compare) -> bool:
    if math.isnan(a) or math.isnan(b):
        return rule.nan_equal and math.isnan(a) and math.isnan(b)
    if rule.mode == "float":
        return math.isclose(a, b, rel_tol=rule.rel_tol, abs_tol=rule.abs_tol)
    return a == b


def _canonical(value: Any) -> Any:
    """A sortable, hashable key equal for values equal under exact comparison (multisets)."""
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(sorted((_canonical(v) for v in value), key=repr)))
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, tuple(sorted((_canonical(v) for v in value), key=repr)))
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((_canonical(k), _canonical(v)) for k, v in value.items()), key=repr)))
    if _numpy_array(value):
        return ("ndarray", value.dtype.str, value.shape, value.tobytes())
    return (type(value).__name__, value)


def compare_values(actual: Any, expected: Any, rule: Compare, *, loose: bool = False, where: str = "") -> str | None:
    """Compare a produced value with the expected one.  ``loose``: a list matches a tuple
    (the expected side was written as TOML/JSON data, which has no tuples)."""
    here = where or "value"
    if _is_number(actual) and _is_number(expected) and (rule.mode == "float" or type(actual) is type(expected)):
        if isinstance(actual, int) and isinstance(expected, int):
            return None if actual == expected else f"{here}: {_show(actual)} != {_show(expected)}"
        if _floats_match(float(actual), float(expected), rule):
            return None
        return f"{here}: {_show(actual)} != {_show(expected)}" + (
            f" (rel_tol {rule.rel_tol:g}, abs_tol {rule.abs_tol:g})" if rule.mode == "float" else ""
        )
    sequences = (list, tuple)
    same_kind = type(actual) is type(expected) or (loose and isinstance(actual, sequences) and isinstance(expected, sequences))
    if not same_kind:
        return f"{here}: {type(actual).__name__} {_show(actual)} where {type(expected).__name__} {_show(expected)} was expected"
    if isinstance(actual, sequences):
        if rule.mode == "unordered":
            return _multiset(list(actual), list(expected), here)
        if len(actual) != len(expected):
            return f"{here}: length {len(actual)} != {len(expected)}"
        for i, (a, b) in enumerate(zip(actual, expected)):
            reason = compare_values(a, b, rule, loose=loose, where=f"{where}[{i}]")
            if reason:
                return reason
        return None
    if isinstance(actual, (set, frozenset)):
        return None if _canonical(actual) == _canonical(expected) else _multiset(list(actual), list(expected), here)
    if isinstance(actual, dict):
        if actual.keys() != expected.keys():
            missing = [k for k in expected if k not in actual][:3]
            extra = [k for k in actual if k not in expected][:3]
            return f"{here}: keys differ (missing {_show(missing)}, unexpected {_show(extra)})"
        for key in expected:
            reason = compare_values(actual[key], expected[key], rule, loose=loose, where=f"{where}[{key!r}]")
            if reason:
                return reason
        return None
    if _numpy_array(actual):
        return _arrays(actual, expected, rule, here)
    if isinstance(actual, complex):
        if _floats_match(actual.real, expected.real, rule) and _floats_match(actual.imag, expected.imag, rule):
            return None
    elif actual == expected:
        return None
    return f"{here}: {_show(actual)} != {_show(expected)}"


def _multiset(actual: list, expected: list, here: str) -> str | None:
    got, want = Counter(map(_canonical, actual)), Counter(map(_canonical, expected))
    if got == want:
        return None
    missing = sum((want - got).values())
    extra = sum((got - want).values())
    return f"{here}: as a multiset, {missing} expected item(s) missing and {extra} unexpected"


def _arrays(actual: Any, expected: Any, rule: Compare, here: str) -> str | None:
    import numpy as np

    if actual.shape != expected.shape:
        return f"{here}: shape {actual.shape} != {expected.shape}"
    if actual.dtype != expected.dtype:
        return f"{here}: dtype {actual.dtype} != {expected.dtype}"
    if actual.dtype.kind in "fc":
        close = np.isclose(actual, expected, rtol=rule.rel_tol if rule.mode == "float" else 0.0,
                           atol=rule.abs_tol if rule.mode == "float" else 0.0, equal_nan=rule.nan_equal)
    else:
        close = actual == expected
    if bool(np.all(close)):
        return None
    bad = np.argwhere(~close)
    first = tuple(int(i) for i in bad[0])
    return f"{here}: {len(bad)} element(s) differ, first at {first}: {actual[first]!r} != {expected[first]!r}"


# --- process output -------------------------------------------------------------------------


def _lines(data: bytes) -> list[str]:
    lines = [line.rstrip() for line in data.decode("utf-8", "surrogateescape").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _number(token: str) -> float | None:
    try:
        return float(token)
    except ValueError:
        return None


def compare_stdout(actual: bytes, expected: bytes, rule: Compare) -> str | None:
    """Compare program output: trailing whitespace of lines and trailing empty lines ignored."""
    got, want = _lines(actual), _lines(expected)
    if rule.mode == "unordered":
        return _multiset(got, want, "stdout lines")
    if rule.mode == "exact":
        if got == want:
            return None
        for n, (a, b) in enumerate(zip(got, want), 1):
            if a != b:
                return f"stdout line {n}: {_show(a)} != {_show(b)}"
        return f"stdout: {len(got)} line(s) where {len(want)} were expected"
    got_tokens = [t for line in got for t in line.split()]
    want_tokens = [t for line in want for t in line.split()]
    if len(got_tokens) != len(want_tokens):
        return f"stdout: {len(got_tokens)} token(s) where {len(want_tokens)} were expected"
    for n, (a, b) in enumerate(zip(got_tokens, want_tokens), 1):
        x, y = _number(a), _number(b)
        if x is not None and y is not None:
            if not _floats_match(x, y, rule):
                return f"stdout token {n}: {a} != {b} (rel_tol {rule.rel_tol:g}, abs_tol {rule.abs_tol:g})"
        elif a != b:
            return f"stdout token {n}: {_show(a)} != {_show(b)}"
    return None
