"""The harness that runs inside the sandbox.  Standard library only (plus ``values.py``
shipped beside it); the host never imports this file.

    python3 -B run.py MODE JOB.json

MODE (all five letters, so that argv has the same length whichever is chosen: the
instruction count of ``count`` and ``empty`` runs must differ only by the work done):

``check``  run every input, record what happened (return value, exception type,
           arguments after the call, stdout; or a process's exit and stdout)
``count``  run every input and nothing else (under valgrind, started by the host), or
           for processes: run each input under the counting prefix and add up
``empty``  the calibrated empty run: load the same inputs, call nothing
``clock``  the time of the whole run, by this process's own timer (Python functions: of a
           child process running ``calls``, so the program never holds the clock)
``trace``  the Python-level peak memory (tracemalloc) of the whole run
``stage``  materialize test cases and stress inputs (the EvalPerf-style ramp)

Results go to the file ``JOB["results"]`` as JSON lines, written and flushed as they
happen, so a run killed half-way still tells which input it was on.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import sys
import time

import values

# Modules only some modes need (subprocess, random, runpy, traceback, resource, signal)
# are imported where they are used: every import here is start-up that the calibrated
# empty run must repeat, and under valgrind start-up dominates a run's cost.

_OUT = None


def emit(record: dict) -> None:
    _OUT.write(json.dumps(record, separators=(",", ":"), allow_nan=False) + "\n")
    _OUT.flush()


def encoded(value, what: str):
    """The tagged form of a value, or a marker saying why it cannot be sent."""
    try:
        return {"ok": values.encode(value)}
    except (values.EncodeError, RecursionError) as exc:
        return {"unencodable": f"{what}: {exc}"}


def load_inputs(path: str) -> list:
    with open(path, encoding="utf-8") as fh:
        return values.loads(fh.read())


# A program that is a module of a package (``job["module_name"]``, e.g. ``pkg.core``) is
# imported under that name, so that its relative imports work and the package's other
# modules (``job["sys_path"]``, searched right after the harness's folder) get it too.
_MODULE_NAME = None


class _ProgramFinder:
    """Finds the module ``name`` at ``path`` (the program's file), ahead of every other finder."""

    def __init__(self, name: str, path: str) -> None:
        self.name, self.path = name, os.path.abspath(path)

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        locations = None
        if os.path.basename(self.path) == "__init__.py":  # a package: its submodules are on sys.path
            parts = fullname.split(".")
            locations = [os.path.join(e, *parts) for e in sys.path[1:] if os.path.isdir(os.path.join(e, *parts))]
        return importlib.util.spec_from_file_location(fullname, self.path, submodule_search_locations=locations)


def configure_imports(job: dict) -> None:
    global _MODULE_NAME
    for entry in reversed(job.get("sys_path") or []):
        sys.path.insert(1, os.path.abspath(entry))
    _MODULE_NAME = job.get("module_name")


def import_module(path: str):
    if _MODULE_NAME:
        sys.meta_path.insert(0, _ProgramFinder(_MODULE_NAME, path))
        return importlib.import_module(_MODULE_NAME)
    module_name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def import_function(path: str, name: str):
    module = import_module(path)
    fn = getattr(module, name, None)
    if not callable(fn):
        raise AttributeError(f"{os.path.basename(path)} defines no function {name!r}")
    return fn


def candidate_traceback(exc: BaseException) -> str:
    """The exception with the candidate's own frames only (the harness's are noise to it)."""
    import traceback

    here = os.path.dirname(os.path.abspath(__file__))
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if os.path.dirname(os.path.abspath(f.filename)) != here and not f.filename.startswith("<frozen")]
    lines = traceback.format_list(frames) if frames else []
    return "".join(lines + traceback.format_exception_only(type(exc), exc)).rstrip()


def _alarm(seconds: float | None) -> None:
    # SIGALRM keeps its default action: the kernel ends the process even inside a long C
    # call, where a Python-level handler would never get to run
    import signal

    signal.setitimer(signal.ITIMER_REAL, seconds or 0)


# --- python functions ---------------------------------------------------------------------


def function_check(job: dict, inputs: list) -> int:
    stdout = io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout):
            fn = import_function(job["module"], job["function"])
    except BaseException as exc:  # noqa: BLE001 - any failure to import is the candidate's
        emit({"event": "import-error", "error": candidate_traceback(exc)})
        return 3
    emit({"event": "imported", "stdout": stdout.getvalue()})
    limits = job.get("limits") or [None] * len(inputs)
    for i, item in enumerate(inputs):
        args, kwargs = item.get("args", []), item.get("kwargs", {})
        before = values.dumps([args, kwargs])
        out = io.StringIO()
        emit({"event": "start", "i": i})
        _alarm(limits[i])
        t0 = time.perf_counter()
        exc = None
        try:
            with contextlib.redirect_stdout(out):
                result = fn(*args, **kwargs)
        except BaseException as error:  # noqa: BLE001 - SystemExit too: it is the call's outcome
            result, exc = None, error
        seconds = time.perf_counter() - t0
        _alarm(None)
        record = {"event": "done", "i": i, "seconds": seconds, "stdout": out.getvalue()}
        if exc is not None:
            record["raised"] = type(exc).__name__
            record["message"] = str(exc)[:500]
        else:
            record["return"] = encoded(result, "return value")
        try:
            after = values.dumps([args, kwargs])
        except (values.EncodeError, RecursionError) as error:
            record["args_after"] = {"unencodable": f"arguments after the call: {error}"}
        else:
            if after != before:
                record["args_after"] = {"ok": json.loads(after)}
        emit(record)
    return 0


def function_clock(job: dict, job_path: str) -> int:
    """Time a child process that imports the program and calls it on every input.

    The clock is this process's, outside the program's reach: it starts when the child
    says (over a pipe) that its inputs are loaded, just before it imports the program,
    and stops when the child exits (right after the last call, without interpreter
    teardown).  A program cannot stop this clock, nor warm a later run through its
    process's state."""
    import subprocess

    read_end, write_end = os.pipe()
    env = dict(job["env"])
    env["PF_READY_FD"] = str(write_end)
    here = os.path.dirname(os.path.abspath(__file__))
    child = subprocess.Popen(
        [sys.executable, "-B", os.path.join(here, "run.py"), "calls", job_path],
        pass_fds=(write_end,), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
    )
    os.close(write_end)
    ready = os.read(read_end, 1)
    t0 = time.perf_counter()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - t0
    child.returncode = os.waitstatus_to_exitcode(status)
    os.close(read_end)
    if ready != b"r" or child.returncode != 0:
        emit({"event": "child-failed", "exit": child.returncode, "ready": ready == b"r"})
        return 6
    emit({"event": "clock", "seconds": seconds, "maxrss_kib": usage.ru_maxrss,
          "cpu_s": usage.ru_utime + usage.ru_stime})
    return 0


def function_calls(job: dict, inputs: list) -> int:
    """The child of :func:`function_clock`: say ready, then import and call; nothing else."""
    fd = int(os.environ.pop("PF_READY_FD"))
    os.write(fd, b"r")
    os.close(fd)
    import_and_call(job, inputs)
    # no interpreter teardown: freeing the decoded inputs and every module would add
    # milliseconds that are the harness's, not the program's, to the clock
    os._exit(0)


def import_and_call(job: dict, inputs: list) -> None:
    """The measured work: import the program, call it on every input, print nowhere."""
    with contextlib.redirect_stdout(io.StringIO()):
        fn = import_function(job["module"], job["function"])
        for item in inputs:
            try:
                fn(*item.get("args", []), **item.get("kwargs", {}))
            except Exception:  # noqa: BLE001 - correctness already matched the oracle's exceptions
                pass


def function_run(job: dict, inputs: list, mode: str) -> int:
    """``count``/``clock``/``trace`` import and call; ``empty`` imports an empty module
    through the same machinery (whose first use loads more of the import system) and calls
    nothing, so that count minus empty is the program's own import and calls."""
    if mode == "trace":
        import tracemalloc

        tracemalloc.start()
    t0 = time.perf_counter()
    if mode == "empty":
        with contextlib.redirect_stdout(io.StringIO()):
            import_module(job["empty_module"])
    else:
        import_and_call(job, inputs)
    seconds = time.perf_counter() - t0
    if mode in ("count", "empty"):
        # a constant record: digits of a time would make the counted runs differ
        emit({"event": mode})
        return 0
    import resource

    record = {"event": mode, "seconds": seconds, "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    if mode == "trace":
        record["python_peak_bytes"] = tracemalloc.get_traced_memory()[1]
    emit(record)
    return 0


# --- processes ---------------------------------------------------------------------------


def _stdin_file(data: bytes) -> int:
    """An anonymous in-memory file holding ``data``, at offset 0.  A program reading its input
    from a pipe makes as many read() calls as the pipe happened to be refilled, so its
    instruction count would depend on scheduling (large inputs: thousands of instructions);
    a file is read in full requests, the same every time.  No name in any folder."""
    fd = os.memfd_create("stdin")
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def run_process(argv: list, stdin: bytes, env: dict, timeout: float | None, cap: int) -> dict:
    import signal
    import subprocess

    fd = _stdin_file(stdin)  # before the clock: the program's time starts at its spawn
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(
            argv, stdin=fd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, start_new_session=True,
        )
    except OSError as exc:
        return {"spawn_error": f"{argv[0]}: {exc.strerror or exc}"}
    finally:
        os.close(fd)
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    code = proc.returncode
    return {
        "seconds": seconds,
        "exit": code if code >= 0 else None,
        "signal": -code if code < 0 else None,
        "timed_out": timed_out,
        "stdout": out[:cap],
        "stdout_truncated": len(out) > cap,
        "stderr": err[-2000:].decode("utf-8", "replace"),
    }


def process_check(job: dict, inputs: list) -> int:
    limits = job.get("limits") or [None] * len(inputs)
    for i, item in enumerate(inputs):
        emit({"event": "start", "i": i})
        res = run_process(job["argv"], item["stdin"], job["env"], limits[i], job.get("stdout_cap", 1 << 24))
        if "spawn_error" in res:
            emit({"event": "spawn-error", "i": i, "error": res["spawn_error"]})
            return 4
        res["stdout"] = values.encode(res["stdout"])
        emit({"event": "done", "i": i, **res})
    return 0


def read_cachegrind(pattern: str) -> int:
    """The sum of the counts valgrind wrote, one file per process; the files are removed."""
    import glob

    total, found = 0, 0
    for path in glob.glob(pattern):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("summary:"):
                    total += int(line.split()[1])
                    found += 1
        os.unlink(path)
    if not found:
        raise ValueError(f"no {pattern} with a summary line")
    return total


def process_count(job: dict, inputs: list, mode: str) -> int:
    argv = job["argv"] if mode == "count" else job.get("empty_argv")
    if argv is None:  # no calibration for this program: the whole process is the work
        emit({"event": "empty", "instructions": 0, "n": len(inputs)})
        return 0
    total = 0
    for i, item in enumerate(inputs):
        res = run_process(job["counter"] + argv, item["stdin"], job["env"], job.get("timeout"), 1 << 16)
        if "spawn_error" in res:
            emit({"event": "spawn-error", "i": i, "error": res["spawn_error"]})
            return 4
        try:
            count = read_cachegrind(job["counter_glob"])
        except (OSError, ValueError) as exc:
            emit({"event": "counter-error", "i": i, "error": str(exc), "stderr": res["stderr"], "exit": res["exit"]})
            return 5
        total += count
        emit({"event": "counted", "i": i, "instructions": count, "exit": res["exit"]})
    emit({"event": mode, "instructions": total, "n": len(inputs)})
    return 0


def process_clock(job: dict, inputs: list) -> int:
    import resource

    total = 0.0
    for item in inputs:
        res = run_process(job["argv"], item["stdin"], job["env"], job.get("timeout"), 1 << 16)
        if "spawn_error" in res:
            emit({"event": "spawn-error", "error": res["spawn_error"]})
            return 4
        total += res["seconds"]
    emit({"event": "clock", "seconds": total, "maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss})
    return 0


# --- staging: test cases and stress inputs ---------------------------------------------------


def _case_input(case: dict, root: str) -> dict:
    out: dict = {}
    if "expr" in case:
        out["args"] = list(eval(case["expr"], {}))  # noqa: S307 - task files, in the sandbox
    elif "args" in case:
        out["args"] = list(case["args"])
    if "kwargs" in case:
        out["kwargs"] = dict(case["kwargs"])
    if "stdin_file" in case:
        with open(os.path.join(root, case["stdin_file"]), "rb") as fh:
            out["stdin"] = fh.read()
    elif "stdin" in case:
        stdin = case["stdin"]
        out["stdin"] = stdin.encode() if isinstance(stdin, str) else bytes(stdin)
    return out


def _case_answer(case: dict, root: str) -> dict:
    if "expected_expr" in case:
        return {"expected": eval(case["expected_expr"], {}), "loose": False}  # noqa: S307
    if "expected" in case:
        # written as TOML or JSON data: no tuples there, so a list matches a tuple
        return {"expected": case["expected"], "loose": True}
    if "raises" in case:
        return {"raises": case["raises"]}
    if "stdout_file" in case:
        with open(os.path.join(root, case["stdout_file"]), "rb") as fh:
            return {"stdout": fh.read()}
    if "stdout" in case:
        stdout = case["stdout"]
        return {"stdout": stdout.encode() if isinstance(stdout, str) else bytes(stdout)}
    return {}


def stage_tests(job: dict) -> list:
    import runpy

    root = job["task_dir"]
    cases = list(job["cases"])
    if job.get("tests_file"):
        namespace = runpy.run_path(os.path.join(root, job["tests_file"]))
        extra = namespace.get("CASES")
        if not isinstance(extra, (list, tuple)) or not all(isinstance(c, dict) for c in extra):
            raise TypeError(f"{job['tests_file']}: CASES must be a list of dicts")
        cases += list(extra)
    staged = []
    for n, case in enumerate(cases):
        name = case.get("name") or f"test {n}"
        staged.append({"name": name, "input": _case_input(case, root), **_case_answer(case, root)})
    return staged


def _rng(seed: int, scale: int, index: int):
    import random

    return random.Random(f"{seed}/{scale}/{index}")


def _generate(gen, contract, scale: int, seed: int, index: int, interface: str) -> dict:
    return _shape(gen(scale, _rng(seed, scale, index)), contract, interface, "generate() must return")


def _shape(made, contract, interface: str, what: str) -> dict:
    """A stress input as the harness runs it, checked by the task's contract."""
    if interface == "python-function":
        if not isinstance(made, (tuple, list)):
            raise TypeError(f"{what} a tuple of positional arguments, got {type(made).__name__}")
        if contract is not None:
            contract(*made)
        return {"args": list(made)}
    if isinstance(made, str):
        made = made.encode()
    if not isinstance(made, (bytes, bytearray)):
        raise TypeError(f"{what} the stdin text (str or bytes), got {type(made).__name__}")
    if contract is not None:
        contract(bytes(made).decode("utf-8", "surrogateescape"))
    return {"stdin": bytes(made)}


def _time_oracle(job: dict, fn, item: dict) -> float:
    if fn is not None:
        encoded_item = values.dumps(item)  # the oracle may mutate its arguments: run it on a copy
        copy = values.loads(encoded_item)
        sink = io.StringIO()
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(sink):
            fn(*copy["args"], **copy.get("kwargs", {}))
        return time.perf_counter() - t0
    res = run_process(job["argv"], item["stdin"], job["env"], job["stress"]["budget_s"] * 20 + 5, 1 << 10)
    if "spawn_error" in res:
        raise OSError(res["spawn_error"])
    if res["timed_out"]:
        return float("inf")
    if res["exit"] != 0:
        raise AssertionError(f"the oracle exited with {res['exit'] if res['signal'] is None else 'signal %s' % res['signal']}: {res['stderr'][-300:]}")
    return res["seconds"]


def stage(job: dict) -> int:
    import runpy
    import traceback

    try:
        tests = stage_tests(job)
        emit({"event": "tests", "cases": values.encode(tests)})
    except Exception:  # noqa: BLE001 - a broken task file, reported to the host
        emit({"event": "task-error", "where": "tests", "error": traceback.format_exc(limit=-3)})
        return 3
    params, interface = job["stress"], job["interface"]
    if job.get("stress_file"):
        return stage_fixed(job)
    try:
        namespace = runpy.run_path(os.path.join(job["task_dir"], job["generator"]))
        gen, contract = namespace.get("generate"), namespace.get("contract")
        if not callable(gen):
            raise TypeError(f"{job['generator']} defines no generate(scale, rng)")
        fn = import_function(job["module"], job["function"]) if interface == "python-function" else None
    except Exception:  # noqa: BLE001
        emit({"event": "task-error", "where": "generator", "error": traceback.format_exc(limit=-3)})
        return 3
    scale = params.get("scale")
    ramp = []
    try:
        if scale is None:
            scale = params["start"]
            while True:
                item = _generate(gen, contract, scale, params["seed"], 0, interface)
                seconds = _time_oracle(job, fn, item)
                ramp.append({"scale": scale, "seconds": seconds})
                emit({"event": "ramp", "scale": scale, "seconds": seconds if seconds != float("inf") else None})
                if seconds >= params["budget_s"] or scale * 2 > params["max_scale"]:
                    break
                scale *= 2
        inputs = []
        for index in range(params["inputs"]):
            inputs.append(_generate(gen, contract, scale, params["seed"], index, interface))
    except AssertionError:
        emit({"event": "contract", "scale": scale, "error": traceback.format_exc(limit=-3)})
        return 3
    except Exception:  # noqa: BLE001
        emit({"event": "task-error", "where": f"generator at scale {scale}", "error": traceback.format_exc(limit=-3)})
        return 3
    emit({"event": "stress", "scale": scale, "inputs": values.encode(inputs)})
    return 0


def stage_fixed(job: dict) -> int:
    """The task's fixed stress inputs: ``INPUTS`` of its ``[stress] file`` (scale 0)."""
    import runpy
    import traceback

    name = job["stress_file"]
    try:
        namespace = runpy.run_path(os.path.join(job["task_dir"], name))
        items, contract = namespace.get("INPUTS"), namespace.get("contract")
        if not isinstance(items, (list, tuple)) or not items:
            raise TypeError(f"{name} must define INPUTS, a non-empty list of inputs")
    except Exception:  # noqa: BLE001 - a broken task file, reported to the host
        emit({"event": "task-error", "where": "[stress] file", "error": traceback.format_exc(limit=-3)})
        return 3
    inputs = []
    for index, item in enumerate(items):
        try:
            inputs.append(_shape(item, contract, job["interface"], f"INPUTS[{index}] must be"))
        except AssertionError:
            emit({"event": "contract", "scale": 0, "input": index, "error": traceback.format_exc(limit=-3)})
            return 3
        except Exception:  # noqa: BLE001
            emit({"event": "task-error", "where": f"[stress] file, INPUTS[{index}]", "error": traceback.format_exc(limit=-3)})
            return 3
    emit({"event": "stress", "scale": 0, "inputs": values.encode(inputs)})
    return 0


# --- entry ---------------------------------------------------------------------------------


def main(argv: list) -> int:
    global _OUT
    if len(argv) != 3 or argv[1] not in ("check", "count", "empty", "clock", "calls", "trace", "stage"):
        sys.stderr.write("usage: run.py check|count|empty|clock|calls|trace|stage JOB.json\n")
        return 2
    mode = argv[1]
    with open(argv[2], encoding="utf-8") as fh:
        job = json.load(fh)
    configure_imports(job)
    if mode == "calls":  # the timed child writes nothing: its parent owns the results
        return function_calls(job, load_inputs(job["inputs"]))
    _OUT = open(job["results"], "w", encoding="utf-8")
    emit({"event": "harness", "python": sys.version.split()[0], "executable": sys.executable})
    if mode == "stage":
        return stage(job)
    inputs = load_inputs(job["inputs"])
    if job["interface"] == "python-function":
        if mode == "check":
            return function_check(job, inputs)
        if mode == "clock":
            return function_clock(job, argv[2])
        return function_run(job, inputs, mode)
    if mode == "check":
        return process_check(job, inputs)
    if mode in ("count", "empty"):
        return process_count(job, inputs, mode)
    if mode == "clock":
        return process_clock(job, inputs)
    emit({"event": "unsupported", "mode": mode})
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
