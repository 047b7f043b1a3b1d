"""Where a Python program spends its time; runs inside the sandbox, never on the host.

    python3 -B pyprofile.py JOB.json

Standard library only, plus the harness's ``values.py`` (the job names its folder).
Two passes over the staged stress inputs:

1. cProfile over every input: per function, calls, own time and cumulative time.
2. A line timer on the first input: a ``sys.settrace`` tracer active only in frames of
   the profiled file, charging the time between two line events to the earlier line
   (so time spent in builtins and library code called from a line lands on that line).
   It stops at ``line_budget_s`` and says so: a quadratic loop traced for a few seconds
   already shows its shares.

The result is one JSON object written to ``JOB["results"]``.
"""

from __future__ import annotations

import cProfile
import contextlib
import io
import json
import os
import pstats
import runpy
import sys
import time


def _load_inputs(path: str) -> list:
    import values

    with open(path, encoding="utf-8") as fh:
        return values.loads(fh.read())


_CONFIGURED: list = []


def _import(path: str, name: str, job: dict):
    import importlib.util

    if job.get("module_name"):
        # a module of a package: imported as the evaluators' harness does (values_dir is its folder)
        import harness

        if not _CONFIGURED:
            harness.configure_imports(job)
            _CONFIGURED.append(True)
        sys.modules.pop(job["module_name"], None)  # every import runs the module afresh
        return harness.import_function(path, name)
    module_name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return getattr(module, name)


def _run_script(path: str, argv: list, stdin: bytes) -> None:
    old = sys.argv, sys.stdin, sys.stdout
    sys.argv = [path, *argv]
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit:
        pass
    finally:
        sys.argv, sys.stdin, sys.stdout = old


def _calls(job: dict, inputs: list):
    """One callable per input, running the program on it."""
    if job["interface"] == "python-function":
        fn = _import(job["module"], job["function"], job)

        def call(item):
            with contextlib.redirect_stdout(io.StringIO()):
                fn(*item.get("args", []), **item.get("kwargs", {}))
        return [lambda item=item: call(item) for item in inputs]
    return [lambda item=item: _run_script(job["module"], job.get("argv", []), item["stdin"]) for item in inputs]


class LineTimer:
    """Time per line of one file, by the gaps between line events."""

    def __init__(self, filename: str, budget_s: float) -> None:
        self.filename = os.path.abspath(filename)
        self.deadline = time.perf_counter() + budget_s
        self.times: dict = {}
        self.hits: dict = {}
        self.last = None
        self.stamp = 0.0
        self.partial = False

    def _charge(self, now: float) -> None:
        if self.last is not None:
            self.times[self.last] = self.times.get(self.last, 0.0) + (now - self.stamp)

    def global_trace(self, frame, event, arg):
        if event == "call" and os.path.abspath(frame.f_code.co_filename) == self.filename:
            return self.local_trace
        return None

    def local_trace(self, frame, event, arg):
        if self.partial:
            return None
        now = time.perf_counter()
        if event == "line":
            self._charge(now)
            self.last = frame.f_lineno
            self.hits[self.last] = self.hits.get(self.last, 0) + 1
            if now > self.deadline:
                self.partial = True
                sys.settrace(None)
                return None
        elif event == "return":
            self._charge(now)
            caller = frame.f_back
            # back in a traced caller, the rest of its line is that line's time again
            inside = caller is not None and os.path.abspath(caller.f_code.co_filename) == self.filename
            self.last = caller.f_lineno if inside else None
        self.stamp = time.perf_counter()  # the tracer's own work is not charged to the line
        return self.local_trace


def main(argv: list) -> int:
    with open(argv[1], encoding="utf-8") as fh:
        job = json.load(fh)
    sys.path.insert(0, job["values_dir"])
    out: dict = {"event": "profile", "inputs": 0}
    try:
        calls = _calls(job, _load_inputs(job["inputs"]))
        out["inputs"] = len(calls)
        profiler = cProfile.Profile()
        t0 = time.perf_counter()
        for call in calls:
            profiler.runcall(call)
        out["seconds"] = time.perf_counter() - t0
        stats = pstats.Stats(profiler).stats
        out["functions"] = [
            [file, line, name, nc, tt, ct] for (file, line, name), (cc, nc, tt, ct, _callers) in stats.items()
        ]
        fresh = _calls(job, _load_inputs(job["inputs"])[:1])
        timer = LineTimer(job["module"], job["line_budget_s"])
        sys.settrace(timer.global_trace)
        try:
            fresh[0]()
        finally:
            sys.settrace(None)
        out["lines"] = [[line, timer.hits.get(line, 0), seconds] for line, seconds in timer.times.items()]
        out["lines_partial"] = timer.partial
    except BaseException as exc:  # noqa: BLE001 - whatever the program did is reported, not raised
        out["error"] = f"{type(exc).__name__}: {exc}"[:500]
    with open(job["results"], "w", encoding="utf-8") as fh:
        json.dump(out, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
