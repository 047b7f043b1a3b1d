"""Where the time goes: a compact profile of one program on the task's stress inputs.

The agent shows it to the model so that the model works on the hot part, as a
profiling-guided optimizer does.  It is taken in the sandbox, on the same staged stress
inputs the evaluators use:

* Python: cProfile per function over every input, plus a line timer on the first input
  (``agent/profile_helpers/pyprofile.py``: time between line events, only in the
  profiled file, bounded by ``LINE_BUDGET_S``).  Unit: seconds, hence shares only.
* C/C++: ``valgrind --tool=callgrind`` on a ``-g`` build of the program (same flags
  otherwise) on the first stress input; its output is parsed here (no perl needed).
  Unit: instructions, per function (own and inclusive) and per line of the program.

A program the profiler cannot run still gives a :class:`Profile`, with the reason in
``notes``: the profile advises, the evaluators judge.  Only a failing sandbox raises.
"""

from __future__ import annotations

import json
import posixpath
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, Field

from benchmarks.stress import stage
from benchmarks.task import CFunction, Task
from evaluators.instructions import STRESS_INPUTS, send_stress
from evaluators.programs import HARNESS, PYTHON, Workspace, data_path, task_programs

HELPERS = Path(__file__).resolve().parent / "profile_helpers"
WORK = "_pp"  # the profiler's folder in the sandbox work dir
SLOT = "cand"  # the profiled program sits where a candidate would
LINE_BUDGET_S = 8.0
TOP_FUNCTIONS = 8
TOP_LINES = 8
# frames of the profiler itself, never the program's
_OWN_FILES = ("pyprofile.py", "runpy.py", "<frozen runpy>", "cProfile.py", "contextlib.py",
              "<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>")
MIN_SHARE = 0.005  # below this a function or line is noise to the reader


class FunctionCost(BaseModel):
    name: str
    where: str = Field(description="file:line of the function, or the library it lives in")
    calls: int | None = None
    self_share: float = Field(description="share of the total spent in the function itself")
    total_share: float = Field(description="share spent in it and everything it called")


class LineCost(BaseModel):
    line: int
    share: float
    hits: int | None = None
    text: str


class Profile(BaseModel):
    """A profile small enough for a prompt: the top functions and the top lines of the program."""

    subject: str = Field(description="what was profiled: baseline, or a candidate's label")
    method: str
    unit: str = Field(description="seconds or instructions")
    total: float = 0.0
    input: str = ""
    functions: list[FunctionCost] = Field(default_factory=list)
    lines: list[LineCost] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.functions and not self.lines


def profile_program(task: Task, source: bytes, *, sandbox: Any, subject: str = "the original program",
                    progress: Callable[[str], None] | None = None) -> Profile:
    """Profile ``source`` (the task's program or a candidate) on the task's stress inputs."""
    say = progress or (lambda _msg: None)
    programs = task_programs(task, source)
    with sandbox.session() as session:
        ws = Workspace(task, session, programs, description=sandbox.describe(), progress=say)
        ws.probe(need_valgrind=task.is_compiled)
        staged = stage(task, ws)
        send_stress(ws, staged)
        label = f"stress scale={staged.scale}"
        say(f"profiling {subject}")
        if task.spec.language == "python":
            return _python(ws, task, subject, label, len(staged.stress))
        first = staged.stress[0]["stdin"] if staged.stress else b""
        return _callgrind(ws, task, subject, f"{label} #0", first)


# --- python ----------------------------------------------------------------------------------


def _python(ws: Workspace, task: Task, subject: str, label: str, inputs: int) -> Profile:
    iface = task.spec.interface
    module = f"{SLOT}/{task.spec.candidate}"
    job = {"interface": iface.type, "module": module, "function": getattr(iface, "function", None),
           "argv": list(getattr(iface, "args", [])), "inputs": data_path(STRESS_INPUTS),
           "results": f"{WORK}/out.json", "values_dir": HARNESS, "line_budget_s": LINE_BUDGET_S}
    # a module of a package is imported under its dotted name, as the harness imports it
    job.update({k: v for k, v in ws.job(SLOT, "").items() if k in ("module_name", "sys_path")})
    files = {f"{WORK}/pyprofile.py": (HELPERS / "pyprofile.py").read_bytes(),
             f"{WORK}/job.json": json.dumps(job).encode()}
    res = ws.exec([*PYTHON, f"{WORK}/pyprofile.py", f"{WORK}/job.json"], files=files, wall_s=600,
                  collect=[job["results"]])
    method = "cProfile over every stress input; line timer (sys.settrace) on the first"
    profile = Profile(subject=subject, method=method, unit="seconds", input=f"{label} (x{inputs})")
    raw = res.files.get(job["results"])
    if raw is None:
        profile.notes.append(f"the profiler did not finish: {res.describe()}: "
                             f"{res.stderr.decode(errors='replace')[-300:]}")
        return profile
    data = json.loads(raw)
    if "error" in data:
        profile.notes.append(f"the program failed under the profiler: {data['error']}")
    source = ws.programs[SLOT].source.decode(errors="replace").splitlines()
    total = float(data.get("seconds") or 0.0)
    profile.total = total
    rows = [r for r in data.get("functions", []) if not any(r[0].endswith(own) for own in _OWN_FILES)]
    rows = [r for r in rows if r[2] not in ("<method 'disable' of '_lsprof.Profiler' objects>",)]
    rows = [r for r in rows if _share(r[5], total) >= MIN_SHARE]
    rows.sort(key=lambda r: r[4], reverse=True)
    for file, line, name, calls, own, cumulative in rows[:TOP_FUNCTIONS]:
        where = f"{task.spec.candidate}:{line}" if file.endswith(module) else (
            "built-in" if file == "~" else f"{posixpath.basename(file)}:{line}")
        profile.functions.append(FunctionCost(name=name, where=where, calls=calls,
                                              self_share=_share(own, total), total_share=_share(cumulative, total)))
    lines = data.get("lines", [])
    traced = sum(seconds for _, _, seconds in lines)
    lines = [r for r in lines if _share(r[2], traced) >= MIN_SHARE]
    for line, hits, seconds in sorted(lines, key=lambda r: r[2], reverse=True)[:TOP_LINES]:
        text = source[line - 1].strip() if 0 < line <= len(source) else ""
        profile.lines.append(LineCost(line=line, share=_share(seconds, traced), hits=hits, text=text))
    if data.get("lines_partial"):
        profile.notes.append(f"line times cover the first {LINE_BUDGET_S:g} s of the first input only")
    return profile


def _share(part: float, total: float) -> float:
    return round(part / total, 4) if total > 0 else 0.0


# --- c / c++ ---------------------------------------------------------------------------------


def _callgrind(ws: Workspace, task: Task, subject: str, label: str, stdin: bytes) -> Profile:
    method = "valgrind callgrind on a -g build, first stress input"
    profile = Profile(subject=subject, method=method, unit="instructions", input=label)
    iface = task.spec.interface
    driver = [f"task/{iface.driver}"] if isinstance(iface, CFunction) else []
    argv = ws.compile_argv(f"{WORK}/prog", [*driver, f"{SLOT}/{task.spec.candidate}"])
    argv.insert(1, "-g")
    built = ws.exec(argv, files={f"{WORK}/.keep": b""}, wall_s=task.spec.build.timeout_s, keep=[f"{WORK}/prog"])
    if not built.ok:
        profile.notes.append(f"the program did not build for profiling: {built.stderr.decode(errors='replace')[-300:]}")
        return profile
    out = f"{WORK}/callgrind.out"
    run = ws.exec(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--compress-strings=no",
                   "--compress-pos=no", f"{WORK}/prog", *getattr(iface, "args", [])],
                  wall_s=600, stdin=stdin, collect=[out])
    text = run.files.get(out)
    if text is None:
        profile.notes.append(f"callgrind wrote no profile: {run.describe()}: {run.stderr.decode(errors='replace')[-300:]}")
        return profile
    if run.exit_code not in (0, None) or run.signal is not None:
        profile.notes.append(f"the program ended with {run.describe()} under callgrind")
    source = ws.programs[SLOT].source.decode(errors="replace").splitlines()
    return fill_from_callgrind(profile, text.decode(errors="replace"), task.spec.candidate, source)


class _Callgrind:
    """Self and inclusive costs per function, self cost per (file, line)."""

    def __init__(self) -> None:
        self.total = 0
        self.own: dict[tuple[str, str], int] = defaultdict(int)
        self.called: dict[tuple[str, str], int] = defaultdict(int)  # cost of the calls made from it
        self.calls: dict[str, int] = defaultdict(int)  # times each function name was called
        self.first_line: dict[tuple[str, str], int] = {}
        self.lines: dict[tuple[str, int], int] = defaultdict(int)


def parse_callgrind(text: str) -> _Callgrind:
    """Read a callgrind output written with ``--compress-strings=no --compress-pos=no``."""
    cg = _Callgrind()
    fl = fi = fn = callee = ""
    after_calls = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        if line[0].isdigit():
            fields = line.split()
            if len(fields) < 2:
                continue
            number, cost = int(fields[0]), int(fields[1])
            if after_calls:
                cg.called[(fl, fn)] += cost
                after_calls = False
            else:
                cg.own[(fl, fn)] += cost
                cg.lines[(fi or fl, number)] += cost
                if (fi or fl) == fl:
                    cg.first_line[(fl, fn)] = min(number, cg.first_line.get((fl, fn), number))
        elif key == "fl":
            fl, fi = value, ""
        elif key in ("fi", "fe"):
            fi = value
        elif key == "fn":
            fn, fi = value, ""
        elif key == "cfn":
            callee = value
        elif key == "calls":
            cg.calls[callee] += int(value.split()[0])
            after_calls = True
        elif line.startswith(("summary:", "totals:")):
            cg.total = max(cg.total, int(line.split()[1]))
    if not cg.total:
        cg.total = sum(cg.own.values())
    return cg


def fill_from_callgrind(profile: Profile, text: str, filename: str, source: list[str]) -> Profile:
    cg = parse_callgrind(text)
    profile.total = float(cg.total)
    ranked = [k for k in sorted(cg.own, key=lambda k: cg.own[k], reverse=True)
              if _share(cg.own[k] + cg.called[k], cg.total) >= MIN_SHARE]
    for fl, fn in ranked[:TOP_FUNCTIONS]:
        line = cg.first_line.get((fl, fn))
        base = posixpath.basename(fl) if fl and fl != "???" else "unknown file"
        where = f"{base}:{line}" if line and fl.endswith(filename) else base
        own = cg.own[(fl, fn)]
        profile.functions.append(FunctionCost(
            name=fn, where=where, calls=cg.calls.get(fn) or None,
            self_share=_share(own, cg.total), total_share=_share(own + cg.called[(fl, fn)], cg.total)))
    mine = [(n, c) for (f, n), c in cg.lines.items()
            if f.endswith(filename) and n > 0 and _share(c, cg.total) >= MIN_SHARE]
    for number, cost in sorted(mine, key=lambda r: r[1], reverse=True)[:TOP_LINES]:
        text_line = source[number - 1].strip() if number <= len(source) else ""
        profile.lines.append(LineCost(line=number, share=_share(cost, cg.total), text=text_line))
    return profile


__all__ = ["FunctionCost", "LineCost", "Profile", "fill_from_callgrind", "parse_callgrind", "profile_program"]
