"""Test cases and stress inputs, made in the sandbox once and cached under a content hash.

Staging runs the task's generator or fixed stress file (and any Python expressions or
``[tests] file``) in the sandbox, never on the host.  The ramp (EvalPerf-style) doubles the scale from
``[stress] start`` until the oracle's run on one input takes ``budget_s`` or the scale
would pass ``max_scale``; then ``inputs`` inputs are made at that scale.  The result is
stored as tagged JSON in ``perfforge.paths.sub("stress")/<key>.json``, where the key
hashes the task's files, the harness, the parameters and the sandbox image, so a changed
generator, task or image makes new inputs.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from pydantic import BaseModel, ConfigDict

from benchmarks import values
from benchmarks.task import Task
from perfforge import paths
from perfforge.errors import SandboxError, TaskError

FORMAT = 1  # bump when the staged layout changes


class TestInput(BaseModel):
    """One test case: its input and, when the task states one, its expected answer."""

    __test__ = False
    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    input: dict[str, Any]
    answer: dict[str, Any] = {}


class Staged(BaseModel):
    """Everything the evaluators run a program on."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    key: str
    tests: list[TestInput]
    scale: int
    ramp: list[dict[str, Any]]
    stress: list[dict[str, Any]]
    cached: bool = False

    def labels(self) -> list[str]:
        """Compact names of all inputs in order: tests first, then stress inputs."""
        # scale 0: the task's fixed inputs ([stress] file), which have no scale
        stress = [f"stress scale={self.scale} #{i}" if self.scale else f"stress #{i}" for i in range(len(self.stress))]
        return [t.name for t in self.tests] + stress

    def all_inputs(self) -> list[dict[str, Any]]:
        return [t.input for t in self.tests] + list(self.stress)


def cache_key(task: Task, harness: dict[str, bytes], provenance: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(f"perfforge-stress/{FORMAT}\0".encode())
    digest.update(task.content_hash().encode())
    for name in sorted(harness):
        digest.update(name.encode() + b"\0" + hashlib.sha256(harness[name]).digest())
    digest.update(task.spec.stress.model_dump_json().encode())
    digest.update(json.dumps(provenance, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32]


def image_identity(description: dict[str, Any]) -> dict[str, Any]:
    """The parts of ``sandbox.describe()`` that can change what a generator produces."""
    return {
        "backend": description.get("backend"),
        "image": description.get("image_id") or description.get("image"),
        "python": description.get("python"),
    }


def _plain(value: Any) -> Any:
    """TOML data as JSON-ready data (NaN/inf kept as JSON's NaN extension, read by the harness)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)):
        return value
    raise TaskError(f"test values of type {type(value).__name__} (TOML dates and times) are not supported")


def stage_job(task: Task, oracle_job: dict[str, Any]) -> dict[str, Any]:
    spec = task.spec
    cases = [_plain(c.model_dump(exclude_unset=True)) for c in spec.tests.cases]
    return {
        **oracle_job,
        "task_dir": "task",
        "cases": cases,
        "tests_file": spec.tests.file,
        "generator": spec.stress.generator,
        "stress_file": spec.stress.file,
        "stress": spec.stress.model_dump(),
    }


def _from_records(key: str, records: list[dict[str, Any]], source: str) -> Staged:
    tests_rec = next((r for r in records if r.get("event") == "tests"), None)
    stress_rec = next((r for r in records if r.get("event") == "stress"), None)
    if tests_rec is None or stress_rec is None:
        raise SandboxError(f"staging inputs left no result ({source})")
    tests = [
        TestInput(name=c["name"], input=c["input"], answer={k: v for k, v in c.items() if k not in ("name", "input")})
        for c in values.decode(tests_rec["cases"])
    ]
    ramp = [r for r in records if r.get("event") == "ramp"]
    return Staged(
        key=key,
        tests=tests,
        scale=stress_rec["scale"],
        ramp=[{"scale": r["scale"], "seconds": r["seconds"]} for r in ramp],
        stress=values.decode(stress_rec["inputs"]),
    )


def load_cached(key: str) -> Staged | None:
    path = paths.sub("stress") / f"{key}.json"
    if not path.is_file():
        return None
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
        staged = _from_records(key, records, str(path))
    except (ValueError, KeyError, SandboxError, values.DecodeError):
        path.unlink(missing_ok=True)  # a damaged cache entry is remade, never trusted
        return None
    staged.cached = True
    return staged


def store(key: str, records: list[dict[str, Any]]) -> None:
    path = paths.sub("stress") / f"{key}.json"
    keep = [r for r in records if r.get("event") in ("tests", "ramp", "stress")]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(keep, allow_nan=True), encoding="utf-8")
    tmp.replace(path)


def stage(task: Task, workspace: Any, *, refresh: bool = False) -> Staged:
    """The task's test cases and stress inputs: from the cache, else made in ``workspace``.

    Raises TaskError when the generator breaks a contract, a task file fails to run, or
    the oracle fails on a staged input.
    """
    from evaluators.programs import harness_files

    oracle = next(iter(workspace.programs.values()))
    tools = workspace.probe(need_valgrind=False)
    provenance = image_identity({**workspace.session_description, "python": tools.python})
    key = cache_key(task, harness_files(), provenance)
    if not refresh:
        cached = load_cached(key)
        if cached is not None:
            return cached
    workspace.build()
    if not oracle.ok:
        raise TaskError(f"{task.toml_path}: the oracle ({oracle.label}) does not build: {oracle.build_error}")
    params = task.spec.stress
    workspace.progress(
        f"staging inputs: the fixed inputs of {params.file}" if params.file else
        f"staging inputs: generating at scale {params.scale}" if params.scale else
        f"staging inputs: ramping the scale from {params.start} (budget {params.budget_s:g} s per input)"
    )
    # the ramp stops at the budget; the wall limit only guards against a runaway generator
    doublings = 1 if params.scale or params.file else max(1, math.ceil(math.log2(params.max_scale / params.start)) + 1)
    wall = 120 + doublings * (params.budget_s * 40 + 10) + params.inputs * 30
    run = workspace.harness("stage", stage_job(task, workspace.job(oracle.slot, "")), wall_s=wall)
    _raise_for_stage(task, run)
    store(key, run.records)
    return _from_records(key, run.records, "sandbox")


def _raise_for_stage(task: Task, run: Any) -> None:
    where = task.toml_path
    contract = run.last("contract")
    if contract and "input" in contract:
        raise TaskError(
            f"{where}: [stress] file: INPUTS[{contract['input']}] violates its contract: {_last_line(contract['error'])}",
            hint="fix INPUTS or contract() in the stress file",
        )
    if contract:
        raise TaskError(
            f"{where}: [stress] generator: an input at scale {contract['scale']} violates its contract: "
            f"{_last_line(contract['error'])}",
            hint="fix generate() or contract() so that every generated input satisfies the contract",
        )
    err = run.last("task-error")
    if err:
        raise TaskError(f"{where}: {err['where']}: {_last_line(err['error'])}")
    if run.last("stress") is None:
        raise SandboxError(f"staging inputs was cut short: {run.result.describe()}")


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else text.strip()
