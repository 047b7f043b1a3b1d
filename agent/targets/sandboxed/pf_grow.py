"""Stress inputs grown from recorded calls.  Runs inside the sandbox, never on the host.

    python3 -B pf_grow.py probe|grow JOB.json

Standard library only, plus the harness's ``values.py`` (through ``pf_codec.py``, both
beside this file).

``probe``  import the target module under its dotted name and check that it has the
           function: the first thing that fails on a repository the image cannot run
``grow``   time the original on every recorded call, then grow the largest ones (see
           :func:`grow`) by doubling factors, keeping a grown input only when the
           original returns on it normally within the time cap; stop at the time budget

Results are JSON lines in ``JOB["results"]``, written as they happen, so a run cut short
still tells what it found.

The grow generator, type-directed and deterministic (``random.Random`` seeded from the
input and the factor).  Each container argument becomes ``factor`` times longer, made of
its own parts; everything else is kept:

* ``list`` / ``tuple``: elements sampled from its own elements; ints and floats among them
  redrawn uniformly within the container's observed [min, max]; a sorted container stays
  sorted; a container whose elements were all distinct stays distinct, its own elements
  plus new ones (ints: from a range widened in proportion, floats: within the range,
  strings: one of them with a numeric suffix; other types are sampled with repeats)
* ``str`` / ``bytes`` / ``bytearray``: its lines sampled when it has several, else its
  words (space-separated), else its characters
* ``set`` / ``frozenset``: like a distinct list (unchanged when no new elements can be
  made);  ``dict``: its keys plus new ones as for a distinct list, values sampled from its
  own values (numbers redrawn in their range)
* numpy arrays: rows sampled along the first axis
* scalars (numbers, None, bools) and other objects: unchanged -- a top-level number is
  often a size, an index or a count whose meaning a grown container would break

Sizes of parallel arguments stay equal (every container grows by the same factor).  A
grown input the original rejects (any exception: its own assertions are its contract) is
dropped, and growing that input stops.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import random
import signal
import sys
import time

_OUT = None
values = None  # the codec, loaded by main()


def emit(record: dict) -> None:
    _OUT.write(json.dumps(record, separators=(",", ":"), allow_nan=False) + "\n")
    _OUT.flush()


# --- the generator -----------------------------------------------------------------------------


def _is_number(x) -> bool:
    return type(x) in (int, float)


def _numeric_range(items):
    nums = [x for x in items if _is_number(x)]
    if not nums:
        return None
    return min(nums), max(nums)


def _redraw(x, span, rng):
    """A number of ``x``'s type drawn within the observed ``span``; other values as they are."""
    if span is None or not _is_number(x):
        return x
    lo, hi = span
    if type(x) is int:
        return rng.randint(int(lo), int(hi))
    return rng.uniform(float(lo), float(hi))


def _ordering(items):
    """1: non-decreasing, -1: non-increasing, 0: neither (or not comparable, or too short)."""
    if len(items) < 2:
        return 0
    try:
        if all(a <= b for a, b in zip(items, items[1:])):
            return 1
        if all(a >= b for a, b in zip(items, items[1:])):
            return -1
    except TypeError:
        pass
    return 0


def _all_distinct(items) -> bool:
    try:
        return len(items) >= 2 and len(set(items)) == len(items)
    except TypeError:
        return False


def _distinct(items, target: int, rng):
    """``items`` (distinct, hashable) and new values like them, ``target`` in all; None when
    no new ones can be made (only ints, floats and strings get new values)."""
    kinds = {type(x) for x in items}
    if kinds == {int}:
        lo, hi = min(items), max(items)
        # distinct values need room: the range widens in proportion
        top = lo + max(max(hi - lo + 1, len(items)) * target // len(items), target) - 1

        def make(n):
            return rng.randint(lo, top)
    elif kinds == {float}:
        lo, hi = min(items), max(items)

        def make(n):
            return rng.uniform(lo, hi)
    elif kinds == {str}:
        def make(n):
            return f"{rng.choice(items)}{n}"
    else:
        return None
    out, seen = list(items), set(items)
    for n in range(target * 20):
        if len(out) >= target:
            break
        value = make(n)
        if value not in seen:
            seen.add(value)
            out.append(value)
    rng.shuffle(out)
    return out


def _grow_sequence(items, factor: int, rng):
    items = list(items)
    if not items:
        return items
    target = len(items) * factor
    out = _distinct(items, target, rng) if _all_distinct(items) else None
    if out is None:
        span = _numeric_range(items)
        out = [_redraw(rng.choice(items), span, rng) for _ in range(target)]
    order = _ordering(items)
    if order:
        out.sort(reverse=order < 0)
    return out


def _pieces(text, newline, space):
    """How a text is sampled: (parts, joiner)."""
    if text.count(newline) >= 2:
        return text.splitlines(keepends=True), text[:0]
    words = text.split(space)
    if len(words) >= 3:
        return words, space
    return list(text) if isinstance(text, str) else [text[i:i + 1] for i in range(len(text))], text[:0]


def _grow_text(text, factor: int, rng):
    if not text:
        return text
    if isinstance(text, str):
        parts, joiner = _pieces(text, "\n", " ")
    else:
        parts, joiner = _pieces(bytes(text), b"\n", b" ")
    grown = joiner.join(rng.choice(parts) for _ in range(len(parts) * factor))
    return bytearray(grown) if isinstance(text, bytearray) else grown


def _grow_dict(mapping: dict, factor: int, rng):
    if not mapping:
        return dict(mapping)
    keys = list(mapping)
    vals = list(mapping.values())
    span = _numeric_range(vals)
    target = len(keys) * factor
    new_keys = (_distinct(keys, target, rng) if len(keys) >= 2 else None) or keys
    out = dict(mapping)
    for key in new_keys:
        if key not in out:
            out[key] = _redraw(rng.choice(vals), span, rng)
    return out


def _grow_array(arr, factor: int, rng):
    if arr.ndim == 0 or arr.shape[0] == 0:
        return arr
    rows = [rng.randrange(arr.shape[0]) for _ in range(arr.shape[0] * factor)]
    return arr[rows].copy()


def grow(value, factor: int, rng):
    """``value`` about ``factor`` times larger, made of its own parts (see the module doc)."""
    kind = type(value)
    if kind in (list, tuple):
        return kind(_grow_sequence(value, factor, rng))
    if kind in (set, frozenset):
        grown = _distinct(list(value), len(value) * factor, rng) if len(value) >= 2 else None
        return kind(grown) if grown is not None else value
    if kind in (str, bytes, bytearray):
        return _grow_text(value, factor, rng)
    if kind is dict:
        return _grow_dict(value, factor, rng)
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.ndarray):
        return _grow_array(value, factor, rng)
    return value


def grow_call(call: dict, factor: int, seed: str) -> dict:
    """A recorded call (``args``, ``kwargs``) with every argument grown by ``factor``."""
    args = [grow(a, factor, random.Random(f"{seed}/{factor}/{i}")) for i, a in enumerate(call.get("args", []))]
    kwargs = {k: grow(v, factor, random.Random(f"{seed}/{factor}/{k}")) for k, v in call.get("kwargs", {}).items()}
    return {"args": args, "kwargs": kwargs}


def growable(value) -> bool:
    if type(value) in (list, tuple, set, frozenset, str, bytes, bytearray, dict):
        return len(value) > 0
    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, np.ndarray) and value.ndim > 0 and value.shape[0] > 0


# --- running the original ----------------------------------------------------------------------


class CallTimeout(BaseException):
    """The original ran past the time cap (a BaseException: the original's ``except Exception``
    must not swallow it)."""


def _on_alarm(signum, frame):
    raise CallTimeout()


def import_target(job: dict):
    for entry in reversed(job.get("sys_path", [])):
        sys.path.insert(0, os.path.abspath(entry))
    with contextlib.redirect_stdout(io.StringIO()):
        module = importlib.import_module(job["module_name"])
    return module, getattr(module, job["function"], None)


def call_once(fn, encoded: str, cap_s: float):
    """Run ``fn`` on a fresh copy of an encoded call: (seconds, outcome) where outcome is
    None (returned), an exception name, or "timeout"."""
    call = values.loads(encoded)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, cap_s)
    t0 = time.perf_counter()
    outcome = None
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            fn(*call.get("args", []), **call.get("kwargs", {}))
    except CallTimeout:
        outcome = "timeout"
    except BaseException as exc:  # noqa: BLE001 - SystemExit too: the original refused the input
        outcome = type(exc).__name__
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return time.perf_counter() - t0, outcome


def probe(job: dict) -> int:
    try:
        module, fn = import_target(job)
    except BaseException as exc:  # noqa: BLE001 - reported to the host, which names the cause
        missing = getattr(exc, "name", None) if isinstance(exc, ImportError) else None
        emit({"event": "import-error", "type": type(exc).__name__, "error": str(exc)[:500], "missing": missing})
        return 3
    names = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("__"))
    emit({"event": "probe", "callable": callable(fn), "found": fn is not None, "names": names[:50],
          "file": getattr(module, "__file__", None)})
    return 0


def grow_inputs(job: dict) -> int:
    _, fn = import_target(job)
    with open(job["recorded"], encoding="utf-8") as fh:
        recorded = [json.dumps(item, separators=(",", ":")) for item in json.load(fh)]
    budget, cap = job["budget_s"], job["cap_s"]
    deadline = time.monotonic() + job["total_s"]
    timed = []
    positional = {}
    for i, encoded in enumerate(recorded):
        seconds, outcome = call_once(fn, encoded, cap)
        record = {"event": "timed", "i": i, "seconds": seconds, "outcome": outcome}
        call = values.loads(encoded)
        positional[i] = as_positional(fn, call)
        if call.get("kwargs"):
            # stress inputs are argument lists: the host needs the call in that form
            record["as_args"] = values.encode(positional[i]) if positional[i] is not None else None
        emit(record)
        timed.append((seconds, len(encoded), i, outcome))
        if time.monotonic() > deadline:
            break
    seeds = [i for seconds, size, i, outcome in sorted(timed, reverse=True)
             if outcome is None and positional[i] is not None and any(growable(v) for v in positional[i])]
    for i in seeds[: job["seeds"]]:
        call = {"args": positional[i]}
        factor = 2
        while factor <= job["max_factor"] and time.monotonic() < deadline:
            grown = grow_call(call, factor, f"{job['seed']}/{i}")
            encoded = values.dumps({"args": grown["args"]})
            if len(encoded) > job["max_bytes"]:
                emit({"event": "stop", "i": i, "factor": factor, "why": f"larger than {job['max_bytes']} bytes"})
                break
            seconds, outcome = call_once(fn, encoded, cap)
            if outcome is not None:
                emit({"event": "rejected", "i": i, "factor": factor, "why": outcome, "seconds": seconds})
                break
            emit({"event": "grown", "i": i, "factor": factor, "seconds": seconds, "input": json.loads(encoded)})
            if seconds >= budget:
                break
            factor *= 2
    emit({"event": "done"})
    return 0


def as_positional(fn, call: dict):
    """The call's arguments as one positional list, or None when some are keyword-only."""
    if not call.get("kwargs"):
        return list(call.get("args", []))
    import inspect

    try:
        bound = inspect.signature(fn).bind(*call.get("args", []), **call["kwargs"])
    except (TypeError, ValueError):
        return None
    return list(bound.args) if not bound.kwargs else None


def main(argv: list) -> int:
    global _OUT, values
    if len(argv) != 3 or argv[1] not in ("probe", "grow"):
        sys.stderr.write("usage: pf_grow.py probe|grow JOB.json\n")
        return 2
    with open(argv[2], encoding="utf-8") as fh:
        job = json.load(fh)
    import pf_codec

    values = pf_codec.load()
    _OUT = open(job["results"], "w", encoding="utf-8")
    if argv[1] == "probe":
        return probe(job)
    return grow_inputs(job)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
