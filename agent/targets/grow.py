"""Stress inputs for a recorded function, grown from its recorded calls in the sandbox.

The generator itself is ``sandboxed/pf_grow.py`` (its docstring states the rules): it
runs the original on every recorded call, grows the slowest ones by doubling factors
and keeps a grown input only when the original returns on it normally within the cap,
stopping once a call takes ``budget_s``.  Here the host picks the stress inputs from
what it reported: the largest surviving input of each seed, slowest first; when nothing
survives, the slowest recorded calls themselves, and the reason is kept.  A grown input
on which the original is much quicker than on the slowest one is left out.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent.repo_tests import ENV, PF_DIR
from agent.targets.python_source import PythonTarget
from benchmarks import values
from perfforge.errors import ConfigError, SandboxError
from sandbox.models import ExecSpec, Limits

JOB = f"{PF_DIR}/grow.json"
RESULTS = f"{PF_DIR}/grow.jsonl"
RECORDED = f"{PF_DIR}/recorded.json"
MIN_SHARE = 0.25  # a grown input is kept when the original takes at least this share of the slowest one's time


class GrowParams(BaseModel):
    """How far inputs are grown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    budget_s: float = Field(0.05, gt=0, description="stop growing an input once the original takes this long on it "
                            "(instruction counting runs CPython 50-100x slower)")
    cap_s: float = Field(2.0, gt=0, description="a grown input the original needs longer on is dropped")
    total_s: float = Field(90.0, gt=0, description="time for the whole growing step")
    max_factor: int = Field(1 << 14, ge=2)
    max_bytes: int = Field(16 << 20, ge=1024, description="largest encoded input")
    seeds: int = Field(4, ge=1, description="recorded calls grown (the slowest first)")
    inputs: int = Field(3, ge=1, le=20, description="stress inputs kept")
    seed: int = 0


class StressInput(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    args: list[Any]
    origin: int = Field(description="index of the recorded call it comes from")
    factor: int = Field(description="growth factor (1: the recorded call itself)")
    seconds: float = Field(description="the original's time on it, in the sandbox")


class Grown(BaseModel):
    inputs: list[StressInput]
    note: str = ""
    rejected: list[str] = Field(default_factory=list, description="why grown inputs were dropped")
    recorded_seconds: list[float | None] = Field(default_factory=list, description="the original's time per recorded call")

    def describe(self) -> str:
        parts = [f"x{i.factor} of call #{i.origin} ({i.seconds * 1000:.0f} ms)" for i in self.inputs]
        return "; ".join(parts) + (f" ({self.note})" if self.note else "")


def job_base(target: PythonTarget) -> dict[str, Any]:
    return {"module_name": target.module, "function": target.function, "sys_path": [target.import_root]}


def probe(session: Any, target: PythonTarget, files: dict[str, bytes]) -> None:
    """Import the module in the sandbox; one clear error when it does not import there."""
    job = {**job_base(target), "results": f"{PF_DIR}/probe.jsonl"}
    res = session.run(ExecSpec(argv=["python3", "-B", f"{PF_DIR}/pf_grow.py", "probe", f"{PF_DIR}/probe.json"],
                               files={**files, f"{PF_DIR}/probe.json": json.dumps(job).encode()}, env=dict(ENV),
                               limits=Limits(wall_s=120, memory_mib=2048), collect=[job["results"]]))
    records = _records(res.files.get(job["results"], b""))
    found = next((r for r in records if r.get("event") in ("probe", "import-error")), None)
    if found is None:
        raise ConfigError(f"{target.relpath}: importing {target.module} in the sandbox did not finish: {res.describe()}: "
                          f"{res.stderr.decode(errors='replace')[-300:]}")
    if found["event"] == "import-error":
        missing = found.get("missing")
        reason = f"{found.get('type')}: {found.get('error')}"
        if missing and not _is_repo_module(str(missing), files):
            raise ConfigError(
                f"{target.relpath} does not import in the sandbox: {reason}: {str(missing).split('.')[0]!r} is a "
                "third-party module the sandbox image lacks",
                hint="the image has the standard library, numpy and pytest; add the package to sandbox/recipe.py "
                     "and run perfforge sandbox build",
            )
        raise ConfigError(f"{target.relpath} does not import in the sandbox (as {target.module}): {reason}")
    if not found.get("found"):
        raise ConfigError(f"{target.module} has no attribute {target.function!r} once imported")
    if not found.get("callable"):
        raise ConfigError(f"{target.qualified} is not callable once imported")


def _is_repo_module(name: str, files: dict[str, bytes]) -> bool:
    top = name.split(".")[0]
    return any(rel.split("/")[-1] in (f"{top}.py",) or f"/{top}/" in f"/{rel}" for rel in files)


def grow_stress(session: Any, target: PythonTarget, calls: list[dict[str, Any]],
                params: GrowParams | None = None) -> Grown:
    """Stress inputs for ``target`` from its recorded ``calls`` (``args``/``kwargs`` dicts)."""
    params = params or GrowParams()
    job = {**job_base(target), **params.model_dump(), "results": RESULTS, "recorded": RECORDED}
    files = {JOB: json.dumps(job).encode(), RECORDED: json.dumps([values.encode(c) for c in calls]).encode()}
    wall = params.total_s + 4 * params.cap_s + 60
    res = session.run(ExecSpec(argv=["python3", "-B", f"{PF_DIR}/pf_grow.py", "grow", JOB], files=files,
                               env=dict(ENV), limits=Limits(wall_s=wall, memory_mib=4096), collect=[RESULTS]))
    records = _records(res.files.get(RESULTS, b""))
    if not any(r.get("event") == "timed" for r in records):
        raise SandboxError(f"growing stress inputs failed: {res.describe()}: {res.stderr.decode(errors='replace')[-500:]}")
    return choose(records, calls, params, cut_short=not any(r.get("event") == "done" for r in records))


def choose(records: list[dict[str, Any]], calls: list[dict[str, Any]], params: GrowParams, *,
           cut_short: bool = False) -> Grown:
    """The stress inputs, from the generator's reports."""
    timed = {r["i"]: r for r in records if r.get("event") == "timed"}
    best: dict[int, dict[str, Any]] = {}
    for r in records:
        if r.get("event") == "grown" and r["factor"] >= best.get(r["i"], {}).get("factor", 0):
            best[r["i"]] = r
    rejected = [f"call #{r['i']} x{r['factor']}: the original {_refusal(r['why'])}"
                for r in records if r.get("event") == "rejected"]
    grown = Grown(inputs=[], rejected=rejected,
                  recorded_seconds=[timed[i]["seconds"] if i in timed else None for i in range(len(calls))])
    slowest = sorted(best.values(), key=lambda r: r["seconds"], reverse=True)[: params.inputs]
    for r in slowest:
        if r["seconds"] < MIN_SHARE * slowest[0]["seconds"]:
            break  # large but quick: its decoding would cost more than its calls measure
        grown.inputs.append(StressInput(args=values.decode(r["input"])["args"], origin=r["i"], factor=r["factor"],
                                        seconds=r["seconds"]))
    if not grown.inputs:
        grown.note = "no grown input was accepted by the original" + (f" ({rejected[0]})" if rejected else
                                                                      " (nothing in the calls could grow)")
        grown.note += ": the slowest recorded calls are the stress inputs"
        for i, r in sorted(timed.items(), key=lambda kv: (kv[1]["outcome"] is not None, -kv[1]["seconds"])):
            args = _positional(calls[i], r)
            if args is not None:
                grown.inputs.append(StressInput(args=args, origin=i, factor=1, seconds=r["seconds"]))
            if len(grown.inputs) == params.inputs:
                break
    if cut_short:
        grown.note = (grown.note + "; " if grown.note else "") + "growing was cut short by its time limit"
    if not grown.inputs:
        raise ConfigError("no recorded call can be a stress input: every one passes keyword-only arguments")
    return grown


def _positional(call: dict[str, Any], timed: dict[str, Any]) -> list[Any] | None:
    if not call.get("kwargs"):
        return list(call["args"])
    as_args = timed.get("as_args")
    return values.decode(as_args) if as_args is not None else None


def _refusal(why: str) -> str:
    if why == "timeout":
        return "ran past the time cap"
    return f"raised {why}"


def _records(raw: bytes) -> list[dict[str, Any]]:
    out = []
    for line in raw.decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            break
        if isinstance(record, dict):
            out.append(record)
    return out
