"""Runs a PyTorch module task's programs inside the sandbox (standard library, torch, numpy,
and ``values.py`` shipped beside it); the host never imports this file.

    python3 -B torch_runner.py MODE JOB.json

``probe``  say which torch is installed (or that none is)
``check``  for every seed: inputs from the problem's ``get_inputs()``, the module built from
           ``get_init_inputs()``, one forward call; its outputs written as numpy arrays
``clock``  time a child process (``calls``) from the moment it says its model is built and
           warmed up until it exits after the timed forward calls: the clock is this
           process's, out of the program's reach
``calls``  the child: build, warm up, say ready, call, exit without teardown

Every forward call runs under ``torch.no_grad()`` with ``torch.set_num_threads(threads)``.
The seed is set before the inputs, before the init inputs and before the module is built,
so the reference ``Model`` and the candidate's class get the same weights when they
create their parameters in the same order (as KernelBench's candidates do).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time

import values

_OUT = None


def emit(record: dict) -> None:
    _OUT.write(json.dumps(record, separators=(",", ":"), allow_nan=True) + "\n")
    _OUT.flush()


def _module(path: str, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _setup(job: dict):
    import torch

    torch.set_num_threads(int(job["threads"]))
    problem = _module(job["problem"], "pf_problem")
    program = problem if job["program"] == job["problem"] else _module(job["program"], "pf_program")
    cls = getattr(program, job["cls"], None)
    if not isinstance(cls, type):
        raise AttributeError(f"{os.path.basename(job['program'])} defines no class {job['cls']!r}")
    return torch, problem, cls


def _build(torch, problem, cls, seed: int):
    torch.manual_seed(seed)
    inputs = list(problem.get_inputs())
    torch.manual_seed(seed)
    init = list(problem.get_init_inputs())
    torch.manual_seed(seed)
    model = cls(*init)
    if hasattr(model, "eval"):
        model.eval()
    return model, inputs


def _numpy(torch, out):
    if isinstance(out, torch.Tensor):
        return out.detach().cpu().contiguous().numpy()
    if isinstance(out, (list, tuple)):
        return [_numpy(torch, o) for o in out]
    return out


def check(job: dict) -> int:
    import traceback

    try:
        torch, problem, cls = _setup(job)
    except BaseException:  # noqa: BLE001 - any failure to import is the program's
        emit({"event": "import-error", "error": traceback.format_exc(limit=-4)})
        return 3
    for seed in job["seeds"]:
        emit({"event": "start", "seed": seed})
        t0 = time.perf_counter()
        try:
            model, inputs = _build(torch, problem, cls, seed)
            with torch.no_grad():
                out = model(*inputs)
            encoded = values.encode(_numpy(torch, out))
        except BaseException:  # noqa: BLE001 - the program's failure on this trial
            emit({"event": "trial-error", "seed": seed, "error": traceback.format_exc(limit=-4)})
            continue
        emit({"event": "trial", "seed": seed, "seconds": time.perf_counter() - t0, "output": encoded})
    return 0


def clock(job: dict, job_path: str) -> int:
    import subprocess

    read_end, write_end = os.pipe()
    env = dict(job["env"], PF_READY_FD=str(write_end))
    child = subprocess.Popen([sys.executable, "-B", os.path.abspath(__file__), "calls", job_path],
                             pass_fds=(write_end,), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    os.close(write_end)
    ready = os.read(read_end, 1)
    t0 = time.perf_counter()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - t0
    os.close(read_end)
    code = os.waitstatus_to_exitcode(status)
    if ready != b"r" or code != 0:
        emit({"event": "child-failed", "exit": code, "ready": ready == b"r"})
        return 6
    emit({"event": "clock", "seconds": seconds, "per_call": seconds / job["calls"], "maxrss_kib": usage.ru_maxrss})
    return 0


def calls(job: dict) -> int:
    fd = int(os.environ.pop("PF_READY_FD"))
    torch, problem, cls = _setup(job)
    model, inputs = _build(torch, problem, cls, job["seeds"][0])
    with torch.no_grad():
        for _ in range(job["warmups"]):
            model(*inputs)
        os.write(fd, b"r")
        os.close(fd)
        for _ in range(job["calls"]):
            model(*inputs)
    os._exit(0)


def probe() -> int:
    try:
        import torch
    except Exception as exc:  # noqa: BLE001 - reported to the host
        emit({"event": "probe", "torch": None, "error": f"{type(exc).__name__}: {exc}"})
        return 0
    emit({"event": "probe", "torch": torch.__version__, "threads": torch.get_num_threads()})
    return 0


def main(argv: list) -> int:
    global _OUT
    if len(argv) != 3 or argv[1] not in ("probe", "check", "clock", "calls"):
        sys.stderr.write("usage: torch_runner.py probe|check|clock|calls JOB.json\n")
        return 2
    with open(argv[2], encoding="utf-8") as fh:
        job = json.load(fh)
    if argv[1] == "calls":
        return calls(job)
    _OUT = open(job["results"], "w", encoding="utf-8")
    if argv[1] == "probe":
        return probe()
    if argv[1] == "check":
        return check(job)
    return clock(job, argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
