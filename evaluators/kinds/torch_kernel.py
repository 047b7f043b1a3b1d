"""PyTorch module tasks (``[kernel.torch]``, what the KernelBench loader makes), judged
the way KernelBench judges them, on the CPU:

* static checks first (anti-cheat): the candidate defines the class named by
  ``[kernel] function`` (``ModelNew``) at top level and does not import the task's
  problem module (whose ``Model`` is the reference it must not call);
* correctness: the reference ``Model`` and the candidate each run in their own sandbox
  process on the seeded trials (``[kernel] seeds``, five by default); the outputs are
  compared on the host with ``numpy.isclose`` (``rtol``/``atol``, KernelBench's 1e-2);
* time: eager ``Model`` and the candidate interleaved (``[measure] warmups`` +
  ``repeats`` rounds); each run is one process timed by its parent from "built and
  warmed up" to its exit after ``[kernel.torch] calls`` forward calls; speedup = median
  reference time / median candidate time, with a bootstrap 95% interval.

Instruction counts are not taken: importing torch alone is billions of instructions
under valgrind, and KernelBench's measure is time.  torch must be importable *in the
sandbox*: the docker backend uses the image ``perfforge-sandbox-torch:<version>`` (see
:mod:`evaluators.kinds.torch_image`) when it exists; without torch a clear
ToolchainError says how to build it.
"""

from __future__ import annotations

import ast
import contextlib
import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from benchmarks import values
from benchmarks.task import Task
from perfforge.errors import ConfigError, SandboxError, TaskError, ToolchainError
from sandbox.models import ExecSpec, Limits

RUNNER = "_pf/torch_runner.py"
RESULTS = "_io/out.jsonl"
JOB = "_io/job.json"
CAND_SLOT = "cand"
NOT_COUNTED = ("instructions: not counted for PyTorch module tasks (importing torch under valgrind costs billions "
               "of instructions); time is the measure, as in KernelBench")
ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/work", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
       "PYTHONDONTWRITEBYTECODE": "1"}
Progress = Callable[[str], None]


def static_problems(task: Task, source: bytes) -> list[str]:
    """Why the candidate is refused before running (KernelBench-style anti-cheat), or []."""
    kernel = task.spec.kernel
    try:
        tree = ast.parse(source.decode("utf-8", "replace"))
    except SyntaxError as exc:
        return [f"does not parse: line {exc.lineno}: {exc.msg}"]
    classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    out = []
    if kernel.function not in classes:
        out.append(f"defines no top-level class {kernel.function!r}")
    problem = Path(kernel.torch.problem).stem
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        if any(n.split(".")[0] == problem for n in names):
            out.append(f"anti-cheat: imports the task's reference module {problem!r}")
    return out


@dataclass
class _Session:
    """The files of one torch task placed in one sandbox session."""

    task: Task
    session: Any
    description: dict[str, Any]

    def exec(self, argv: list[str], *, files: dict[str, bytes] | None = None, wall_s: float = 120.0,
             collect: list[str] | None = None) -> Any:
        limits = Limits(wall_s=wall_s, memory_mib=self.task.spec.limits.memory_mib, output_bytes=1 << 20,
                        file_size_bytes=256 << 20, processes=256)
        env = dict(ENV, **_threads(self.task))
        return self.session.run(ExecSpec(argv=argv, files=files or {}, env=env, limits=limits, collect=collect or []))

    def place(self, candidate: bytes | None) -> None:
        here = Path(__file__).resolve().parent
        files = {RUNNER: (here / "torch_runner.py").read_bytes(), "_pf/values.py": Path(values.__file__).read_bytes()}
        files.update({f"task/{name}": data for name, data in self.task.files().items()})
        if candidate is not None:
            files[f"{CAND_SLOT}/{self.task.spec.candidate}"] = candidate
        res = self.exec(["true"], files=files)
        if not res.ok:
            raise SandboxError(f"could not place the task's files in the sandbox: {res.describe()}")

    def run(self, mode: str, job: dict[str, Any], wall_s: float) -> list[dict[str, Any]]:
        job = {**job, "results": RESULTS, "env": dict(ENV, **_threads(self.task))}
        res = self.exec(["python3", "-B", RUNNER, mode, JOB], files={JOB: json.dumps(job).encode(), RESULTS: b""},
                        wall_s=wall_s, collect=[RESULTS])
        records = []
        for line in res.files.get(RESULTS, b"").decode("utf-8", "replace").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                break
        if not records and mode != "check":
            raise SandboxError(f"the torch runner wrote nothing ({mode}): {res.describe()}: "
                               f"{res.stderr.decode(errors='replace')[-600:]}")
        return records if records else [{"event": "died", "why": res.describe(),
                                         "stderr": res.stderr.decode(errors="replace")[-400:]}]

    def probe(self) -> str:
        rec = self.run("probe", {}, 120)[-1]
        if not rec.get("torch"):
            raise ToolchainError(
                f"PyTorch is not importable in the sandbox ({rec.get('error', 'no torch')}), so "
                f"{self.task.id} cannot run",
                hint="build the sandbox image variant with torch: python -m evaluators.kinds.torch_image "
                     "(downloads about 3 GB of wheels from PyPI)")
        return str(rec["torch"])


def _threads(task: Task) -> dict[str, str]:
    from benchmarks.kernels import env

    return env(task.spec.kernel)


def _program(task: Task, slot: str | None) -> dict[str, Any]:
    kernel = task.spec.kernel
    problem = f"task/{kernel.torch.problem}"
    if slot is None:  # the reference: the problem's own Model
        return {"problem": problem, "program": problem, "cls": "Model"}
    return {"problem": problem, "program": f"{slot}/{task.spec.candidate}", "cls": kernel.function}


def _job(task: Task, slot: str | None) -> dict[str, Any]:
    kernel = task.spec.kernel
    return {**_program(task, slot), "seeds": kernel.seeds, "threads": kernel.threads,
            "warmups": kernel.torch.warmups, "calls": kernel.torch.calls}


def trial_outputs(records: list[dict[str, Any]]) -> tuple[str | None, dict[int, Any], dict[int, str]]:
    """(import error, outputs by seed, failures by seed) of a check run."""
    err = next((r for r in records if r.get("event") == "import-error"), None)
    if err:
        return err["error"].strip(), {}, {}
    outputs = {r["seed"]: values.decode(r["output"]) for r in records if r.get("event") == "trial"}
    failures = {r["seed"]: r["error"].strip().splitlines()[-1] for r in records if r.get("event") == "trial-error"}
    died = next((r for r in records if r.get("event") == "died"), None)
    started = [r["seed"] for r in records if r.get("event") == "start"]
    if started and started[-1] not in outputs and started[-1] not in failures:
        failures[started[-1]] = f"the process ended during the trial ({(died or {}).get('why', 'killed')})"
    return None, outputs, failures


def compare_outputs(got: Any, want: Any, rtol: float, atol: float, where: str = "output") -> str | None:
    import numpy as np

    from evaluators.kinds.kernel import compare_arrays

    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return f"{where}: {len(got) if isinstance(got, list) else 1} output(s) where {len(want)} were expected"
        for i, (g, w) in enumerate(zip(got, want)):
            reason = compare_outputs(g, w, rtol, atol, f"{where}[{i}]")
            if reason:
                return reason
        return None
    if not isinstance(want, np.ndarray):
        return None if got == want else f"{where}: {got!r} != {want!r}"
    if not isinstance(got, np.ndarray):
        return f"{where}: a {type(got).__name__} where a tensor was expected"
    if got.shape != want.shape:
        return f"{where}: shape {tuple(got.shape)} where {tuple(want.shape)} was expected"
    return compare_arrays(where, got.reshape(-1), want.reshape(-1).astype(got.dtype, copy=False), rtol, atol)


@contextlib.contextmanager
def _session(task: Task, backend: str | None, sandbox: Any, candidate: bytes | None) -> Iterator[tuple[_Session, str]]:
    """The task's files (and ``candidate``) placed in a session of ``sandbox`` as given, else
    of the torch image variant where it exists; yields the session and torch's version."""
    from sandbox import get_sandbox

    owned = None
    if sandbox is None:
        from evaluators.kinds.torch_image import torch_image_exists, torch_tag

        use_torch_image = backend in (None, "docker") and torch_image_exists()
        sandbox = owned = get_sandbox("docker", image=torch_tag()) if use_torch_image else get_sandbox(backend)
    try:
        with sandbox.session() as session:
            ses = _Session(task, session, sandbox.describe())
            ses.place(candidate)
            yield ses, ses.probe()
    finally:
        if owned is not None:
            owned.close()


def judge(task: Task, ses: _Session, candidate: bytes, progress: Progress) -> tuple[Any, dict[int, Any]]:
    """The correctness part of a verdict (and the reference's outputs)."""
    from evaluators.correctness import Correctness, Failure

    kernel = task.spec.kernel
    n = len(kernel.seeds)
    problems = static_problems(task, candidate)
    if problems:
        return Correctness(correct=False, error="; ".join(problems), tests=n,
                           failures=[Failure(input="static check", reason=p) for p in problems]), {}
    progress("the reference Model on the trials")
    err, want, bad = trial_outputs(ses.run("check", _job(task, None), 600))
    if err or bad:
        raise TaskError(f"{task.toml_path}: the reference Model does not run: {err or next(iter(bad.values()))}")
    progress(f"the candidate's {kernel.function} on the trials")
    err, got, bad = trial_outputs(ses.run("check", _job(task, CAND_SLOT), 600))
    if err:
        return Correctness(correct=False, error=f"does not import: {err[-1500:]}", tests=n,
                           failures=[Failure(input="import", reason="does not import")]), want
    failures = []
    for seed in kernel.seeds:
        if seed in bad:
            failures.append(Failure(input=f"trial seed={seed}", reason=bad[seed]))
        elif seed not in got:
            failures.append(Failure(input=f"trial seed={seed}", reason="not run: the process had ended"))
        else:
            reason = compare_outputs(got[seed], want[seed], kernel.rtol, kernel.atol)
            if reason:
                failures.append(Failure(input=f"trial seed={seed}", reason=f"wrong result: {reason}"))
    return Correctness(correct=not failures, failures=failures, tests=n), want


def time_pair(task: Task, ses: _Session, progress: Progress) -> Any:
    from evaluators.stats import measure_interleaved
    from evaluators.timing import TimeResult

    m = task.spec.measure
    peak = {"baseline": 0, "candidate": 0}

    def side(slot: str | None, label: str) -> Callable[[], float]:
        def run() -> float:
            rec = ses.run("clock", _job(task, slot), 600)[-1]
            if rec.get("event") != "clock":
                raise SandboxError(f"a timing run of the {label} did not finish: {rec}")
            peak[label] = max(peak[label], int(rec.get("maxrss_kib") or 0))
            return float(rec["seconds"])
        return run

    progress(f"timing: {m.warmups} warm-up and {m.repeats} measured rounds, Model vs {task.spec.kernel.function}")
    cmp = measure_interleaved(side(None, "baseline"), side(CAND_SLOT, "candidate"), warmups=m.warmups,
                              repeats=m.repeats, threshold=m.threshold)
    method = (f"parent-process clock: model built and warmed up ({task.spec.kernel.torch.warmups} calls) -> "
              f"child exit after {task.spec.kernel.torch.calls} forward calls, interleaved ABAB")
    return TimeResult(speedup=cmp.speedup, ci95=cmp.ci95, p_value=cmp.p_value, significant=cmp.significant,
                      slower=cmp.slower, verdict=cmp.verdict, threshold=cmp.threshold,
                      baseline_median_s=cmp.baseline_median_s, candidate_median_s=cmp.candidate_median_s,
                      runs=cmp.runs, warmups=cmp.warmups, method=method, baseline_label="reference Model (eager)",
                      comparison=cmp, peak_rss_kib=peak)


def _provenance(task: Task, ses: _Session, torch_version: str) -> Any:
    from evaluators.measure import Provenance

    return Provenance(measured_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                      task_id=task.id, task_hash=task.content_hash(), stress_key="",
                      sandbox={**ses.description, "torch": torch_version}, python="", compiler=None,
                      valgrind=None, aslr_disabled=False, fingerprint=None)


class TorchRunner:
    """``measure`` and ``validate`` for PyTorch module tasks (the kind registry's runner)."""

    def measure(self, task: Task, candidate: str | Path | bytes, *, metrics: tuple[str, ...] | str | None = None,
                backend: str | None = None, sandbox: Any = None, progress: Progress | None = None) -> Any:
        from evaluators.measure import Verdict, parse_metrics

        chosen = metrics if isinstance(metrics, tuple) else parse_metrics(metrics)
        source, name = _source(candidate)
        say = progress or (lambda _msg: None)
        with _session(task, backend, sandbox, source) as (ses, version):
            correctness, _ = judge(task, ses, source, say)
            out = Verdict(task=task.id, candidate=name, kind=task.spec.kind, language=task.spec.language,
                          interface="torch-module", correct=correctness.correct, error=correctness.error,
                          failures=correctness.failures, correctness=correctness,
                          provenance=_provenance(task, ses, version))
            if not correctness.correct:
                out.notes.append("metrics skipped: the candidate is not correct")
                return out
            if "instructions" in chosen:
                out.notes.append(NOT_COUNTED)
            if "time" in chosen:
                out.time = time_pair(task, ses, say)
            for metric in ("memory", "energy"):
                if metric in chosen:
                    out.notes.append(f"{metric}: not measured for PyTorch module tasks yet")
            return out

    def validate(self, task: Task, *, backend: str | None = None, sandbox: Any = None,
                 progress: Progress | None = None, count: bool = True) -> Any:
        """The problem imports, its Model runs every trial, and the same seed gives the same output."""
        from evaluators.measure import ValidationReport

        report = ValidationReport(task=task.id, ok=False, tests=len(task.spec.kernel.seeds))
        say = progress or (lambda _msg: None)
        with _session(task, backend, sandbox, None) as (ses, version):
            runs = []
            for _ in range(2):
                say("the reference Model on the trials")
                err, outputs, bad = trial_outputs(ses.run("check", _job(task, None), 600))
                if err or bad:
                    report.problems.append(f"the reference Model does not run: {err or next(iter(bad.values()))}")
                    break
                runs.append(outputs)
            if len(runs) == 2:
                k = task.spec.kernel
                for seed in k.seeds:
                    reason = compare_outputs(runs[1][seed], runs[0][seed], 0.0, 0.0)
                    if reason:
                        report.problems.append(f"the reference is not deterministic at seed {seed}: {reason}")
                rec = ses.run("clock", _job(task, None), 600)[-1]
                report.programs["reference Model"] = {"per_call_s": rec.get("per_call"), "torch": version}
            report.ok = not report.problems
            report.provenance = _provenance(task, ses, version)
            return report


def _source(candidate: str | Path | bytes) -> tuple[bytes, str]:
    if isinstance(candidate, bytes):
        return candidate, "<source>"
    path = Path(candidate)
    if not path.is_file():
        raise ConfigError(f"{path}: candidate file not found")
    return path.read_bytes(), str(path)


RUNNER_INSTANCE = TorchRunner()


def runner_for(task: Task) -> TorchRunner | None:
    kernel = task.spec.kernel
    return RUNNER_INSTANCE if kernel is not None and kernel.torch is not None else None


__all__ = ["TorchRunner", "runner_for", "static_problems", "compare_outputs", "trial_outputs", "NOT_COUNTED"]
