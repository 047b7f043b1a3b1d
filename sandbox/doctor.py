"""``perfforge sandbox doctor``: which backends work here, and for each that does not, why and how to fix it.

Every check ends with a real execution of ``true`` in the backend: a backend is usable
only if that works.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from perfforge.errors import PerfforgeError
from sandbox import cgroups, namespaces
from sandbox.models import ExecSpec


@dataclass
class Report:
    backend: str
    usable: bool = False
    problems: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def fail(self, exc: PerfforgeError) -> "Report":
        self.problems.append(exc.message)
        if exc.hint:
            self.fixes.append(exc.hint)
        return self


def _smoke(report: Report, name: str, **config: Any) -> Report:
    from sandbox.registry import get_sandbox

    try:
        box = get_sandbox(name, pool_size=1, **config)
        try:
            report.details.update(box.describe())
            box.run(ExecSpec(argv=["true"]))  # starts the sandbox
            start = time.perf_counter()
            result = box.run(ExecSpec(argv=["true"]))
            report.details["warm_true_ms"] = round((time.perf_counter() - start) * 1000, 1)
        finally:
            box.close()
    except PerfforgeError as exc:
        return report.fail(exc)
    if not result.ok:
        report.problems.append(f"`true` did not succeed in the sandbox: {result.describe()}")
        return report
    report.usable = True
    return report


def check_docker() -> Report:
    from sandbox import engine, image, recipe

    report = Report("docker")
    try:
        client = engine.connect(engine.PING_TIMEOUT_S)
    except PerfforgeError as exc:
        return report.fail(exc)
    try:
        tag = recipe.default_tag()
        attrs = image.find(client, tag)
        if attrs is None:
            report.problems.append(f"the sandbox image {tag} is missing")
            report.fixes.append(image.BUILD_HINT)
            return report
        if not image.is_current(attrs):
            report.notes.append(f"{tag} was built from an older recipe")
            report.fixes.append("run `perfforge sandbox build` to bring it up to date")
    except PerfforgeError as exc:
        return report.fail(exc)
    finally:
        client.close()
    return _smoke(report, "docker")


def check_local() -> Report:
    report = Report("local")
    if namespaces.missing_tools("bwrap"):
        report.notes.append("bubblewrap is not installed; falling back to unshare")
        report.fixes.append("apt-get install bubblewrap")
    if os.geteuid() != 0:
        report.notes.append("not root: commands run as the invoking user, memory is limited by RLIMIT_AS, "
                            "and RLIMIT_NPROC counts all of that user's processes")
        report.fixes.append("run as root for a dedicated uid and a memory/pids cgroup per sandbox")
    else:
        usable, why = cgroups.usable()
        if not usable:
            report.notes.append(f"no cgroup limits ({why}): memory is limited by RLIMIT_AS")
    return _smoke(report, "local")


def diagnose() -> dict[str, Any]:
    from sandbox.registry import default_backend

    reports = [check_docker(), check_local()]
    usable = [r.backend for r in reports if r.usable]
    try:
        default = default_backend()
    except PerfforgeError as exc:
        default = f"invalid ({exc.message})"
    return {"default": default, "usable": usable, "backends": [asdict(r) for r in reports]}


def render(diagnosis: dict[str, Any]) -> str:
    lines = []
    for rep in diagnosis["backends"]:
        details = rep["details"]
        if rep["usable"]:
            what = details.get("image") if rep["backend"] == "docker" else details.get("tool_version")
            lines.append(f"{rep['backend']}: usable ({what}; warm `true` in {details.get('warm_true_ms')} ms)")
        else:
            lines.append(f"{rep['backend']}: NOT usable")
        lines += [f"  problem: {p}" for p in rep["problems"]]
        lines += [f"  note: {n}" for n in rep["notes"]]
        lines += [f"  fix: {f}" for f in rep["fixes"]]
    lines.append(f"default backend: {diagnosis['default']}")
    return "\n".join(lines)
