"""A repository's own pytest suite, run in the sandbox: ``run_pytest(repo_root, ...)``.

The repository's files (what git tracks and does not ignore, else a walk that skips
hidden files, virtual environments and build output) are placed at the sandbox's work
dir, which is the suite's root and working directory; ``overrides`` replace files by
relative path (a candidate applied).  pytest runs under the image's Python with
``-p no:cacheprovider`` and perfforge's report plugin, which writes each test's outcome as
JSON lines into a file the host reads afterwards; with pytest-benchmark in the image,
``--benchmark-json`` is added and its statistics are read the same way.  The console
output is kept only to show a person what went wrong: no verdict is ever parsed from it.

The targets module uses :func:`pytest_exec` to run the same suite with its recording
plugin.
"""

from __future__ import annotations

import json
import os
import posixpath
import shlex
import subprocess
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, Field

from benchmarks import values
from perfforge.errors import ConfigError, SandboxError
from sandbox.models import ExecResult, ExecSpec, Limits

SANDBOXED = Path(__file__).resolve().parent / "targets" / "sandboxed"
PF_DIR = ".pf"  # perfforge's own files in the work dir: hidden, so pytest never collects them
REPORT = f"{PF_DIR}/report.jsonl"
BENCH = f"{PF_DIR}/bench.json"
ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/work",
    "LANG": "C.UTF-8",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}
MAX_FILE_BYTES = 4 << 20
MAX_TOTAL_BYTES = 48 << 20
_SKIP_DIRS = {"__pycache__", "node_modules", "build", "dist", "site-packages", "perfforge-out"}
_MESSAGE_CAP = 2000

Progress = Callable[[str], None]


# --- the repository's files --------------------------------------------------------------------


def _skipped(rel: str) -> bool:
    parts = rel.split("/")
    return any(p.startswith(".") or p in _SKIP_DIRS or p.endswith(".egg-info") for p in parts)


def _git_listing(root: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files, when ``root`` is a git work tree."""
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                              capture_output=True, timeout=60, start_new_session=True)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return sorted({name for name in done.stdout.decode("utf-8", "surrogateescape").split("\0") if name})


def repo_files(root: Path, *, max_file_bytes: int = MAX_FILE_BYTES, max_total_bytes: int = MAX_TOTAL_BYTES,
               suffixes: tuple[str, ...] | None = None) -> dict[str, bytes]:
    """The repository's files to ship (relative posix path -> bytes).

    Hidden files and folders are never shipped (``.env`` files hold secrets), nor virtual
    environments, caches, build output, symbolic links, or files over ``max_file_bytes``.
    ``suffixes`` keeps only files ending so.  Raises ConfigError past ``max_total_bytes``."""
    root = root.resolve()
    names = _git_listing(root)
    if names is None:
        names = []
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if not (here / d / "pyvenv.cfg").exists()
                                 and not _skipped(d) and not (here / d).is_symlink())
            names += [(here / f).relative_to(root).as_posix() for f in sorted(filenames)]
    out: dict[str, bytes] = {}
    total = 0
    for rel in names:
        if _skipped(rel) or (suffixes and not rel.endswith(suffixes)):
            continue
        path = root / rel
        if path.is_symlink() or not path.is_file() or path.stat().st_size > max_file_bytes:
            continue
        data = path.read_bytes()
        total += len(data)
        if total > max_total_bytes:
            raise ConfigError(f"{root}: more than {max_total_bytes >> 20} MiB of files to send to the sandbox",
                              hint="run from a smaller repository, or give the tests with --tests")
        out[rel] = data
    return out


def import_roots(root: Path) -> list[str]:
    """Folders (relative to the root) that hold the repository's importable packages: the
    root itself, and ``src`` in a src layout."""
    return ["."] + (["src"] if (root / "src").is_dir() else [])


# --- running pytest ----------------------------------------------------------------------------


def plugin_files() -> dict[str, bytes]:
    return {
        f"{PF_DIR}/pf_report.py": (SANDBOXED / "pf_report.py").read_bytes(),
        f"{PF_DIR}/pf_record.py": (SANDBOXED / "pf_record.py").read_bytes(),
        f"{PF_DIR}/pf_grow.py": (SANDBOXED / "pf_grow.py").read_bytes(),
        f"{PF_DIR}/pf_codec.py": (SANDBOXED / "pf_codec.py").read_bytes(),
        f"{PF_DIR}/values.py": Path(values.__file__).read_bytes(),
    }


def pytest_exec(session: Any, args: list[str], *, files: dict[str, bytes] | None = None,
                python_path: list[str], env: dict[str, str] | None = None, plugins: tuple[str, ...] = (),
                collect: list[str] | None = None, timeout_s: float = 600, memory_mib: int = 2048,
                benchmarks: str = "json") -> ExecResult:
    """Run pytest in ``session`` (files already placed, or given) with the report plugin
    and ``plugins``.  Where pytest-benchmark is installed (and not switched off in ``args``),
    ``benchmarks="json"`` has it write its statistics to ``BENCH``; ``"disable"`` runs each
    benchmarked function once instead of timing it."""
    flag = {"json": f"--benchmark-json={BENCH}", "disable": "--benchmark-disable"}[benchmarks]
    argv = ["-p", "no:cacheprovider", "-p", "pf_report", *(a for p in plugins for a in ("-p", p)), *args]
    script = (f'if python3 -c "import pytest_benchmark" 2>/dev/null && ! printf "%s\\n" "$@" | grep -q "no:benchmark"; '
              f'then set -- "$@" {flag}; fi; exec python3 -m pytest "$@"')
    full_env = dict(ENV)
    full_env["PYTHONPATH"] = ":".join([PF_DIR, *(p.rstrip("/") or "." for p in python_path)])
    full_env["PF_REPORT"] = REPORT
    full_env.update(env or {})
    spec = ExecSpec(argv=["sh", "-c", script, "pytest", *argv], files={**plugin_files(), **(files or {})},
                    env=full_env, limits=Limits(wall_s=timeout_s, memory_mib=memory_mib, processes=256,
                                                output_bytes=256 << 10, file_size_bytes=256 << 20),
                    collect=[REPORT, BENCH, *(collect or [])])
    return session.run(spec)


class BenchmarkStat(BaseModel):
    """One pytest-benchmark benchmark, as pytest-benchmark measured it (seconds)."""

    name: str
    fullname: str
    min: float
    max: float
    mean: float
    median: float
    stddev: float
    iqr: float | None = None
    rounds: int
    ops: float | None = None


class PytestReport(BaseModel):
    """What a pytest run in the sandbox did, read from the report file pytest's own hooks wrote."""

    passed: int = 0
    failed: int = 0
    errors: int = Field(0, description="tests whose setup or teardown failed, plus collection errors")
    skipped: int = 0
    xfailed: int = 0
    xpassed: int = 0
    collected: int | None = Field(None, description="tests pytest collected (None: it stopped before)")
    failing: list[str] = Field(default_factory=list, description="node ids of failed and erroring tests")
    messages: dict[str, str] = Field(default_factory=dict, description="node id -> the end of its failure report")
    collect_errors: list[str] = Field(default_factory=list)
    exit_code: int | None = Field(None, description="pytest's exit status (None: killed)")
    timed_out: bool = False
    duration_s: float = 0.0
    benchmarks_ran: bool = False
    benchmarks: list[BenchmarkStat] = Field(default_factory=list)
    output_tail: str = Field("", description="the end of the console output, for a person only")
    command: str = ""

    @property
    def ok(self) -> bool:
        """Every collected test passed (or was skipped / xfailed), and at least one ran."""
        return (self.exit_code == 0 and not self.timed_out and self.failed == 0 and self.errors == 0
                and not self.collect_errors and self.passed + self.xfailed > 0)

    def describe(self) -> str:
        parts = [f"{n} {name}" for n, name in ((self.passed, "passed"), (self.failed, "failed"),
                                               (self.errors, "errors"), (self.skipped, "skipped"),
                                               (self.xfailed, "xfailed"), (self.xpassed, "xpassed")) if n]
        text = ", ".join(parts) or "no tests ran"
        if self.timed_out:
            text += f" (timed out after {self.duration_s:.0f} s)"
        elif self.exit_code not in (0, 1):
            text += f" (pytest exit status {self.exit_code})"
        return text


def parse_report(result: ExecResult, command: str = "") -> PytestReport:
    """The report of a finished (or killed) run."""
    report = PytestReport(exit_code=result.exit_code, timed_out=result.timed_out, duration_s=result.wall_s,
                          command=command)
    out = (result.stdout + b"\n" + result.stderr).decode("utf-8", "replace").strip()
    report.output_tail = out[-3000:]
    phases: dict[str, dict[str, Any]] = {}
    for line in result.files.get(REPORT, b"").decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            break  # a line cut short by a kill
        if not isinstance(record, dict):
            continue
        event = record.get("event")
        if event == "collected":
            report.collected = int(record.get("count", 0))
        elif event == "collect-error":
            report.collect_errors.append(str(record.get("nodeid")))
            report.messages[str(record.get("nodeid"))] = str(record.get("message", ""))[-_MESSAGE_CAP:]
        elif event == "test":
            phases.setdefault(str(record.get("nodeid")), {})[str(record.get("when"))] = record
    for nodeid, by_phase in phases.items():
        outcome = _test_outcome(by_phase)
        setattr(report, outcome, getattr(report, outcome) + 1)
        if outcome in ("failed", "errors"):
            report.failing.append(nodeid)
            bad = next(r for r in by_phase.values() if r.get("outcome") == "failed")
            report.messages[nodeid] = str(bad.get("message", ""))[-_MESSAGE_CAP:]
    report.errors += len(report.collect_errors)
    report.benchmarks = _benchmarks(result.files.get(BENCH))
    report.benchmarks_ran = bool(report.benchmarks)
    return report


def _test_outcome(by_phase: dict[str, dict[str, Any]]) -> str:
    call = by_phase.get("call")
    setup, teardown = by_phase.get("setup"), by_phase.get("teardown")
    if setup is not None and setup.get("outcome") == "failed":
        return "errors"
    if setup is not None and setup.get("outcome") == "skipped":
        return "xfailed" if setup.get("xfail") else "skipped"
    if call is not None:
        if call.get("outcome") == "failed":
            return "failed"
        if call.get("outcome") == "skipped":
            return "xfailed" if call.get("xfail") else "skipped"
    if teardown is not None and teardown.get("outcome") == "failed":
        return "errors"
    if call is not None and call.get("xfail"):
        return "xpassed"
    return "passed"


def _benchmarks(raw: bytes | None) -> list[BenchmarkStat]:
    if not raw:
        return []
    try:
        data = json.loads(raw)
    except ValueError:
        return []
    out = []
    for item in data.get("benchmarks", []) if isinstance(data, dict) else []:
        stats = item.get("stats") if isinstance(item, dict) else None
        if not isinstance(stats, dict):
            continue
        try:
            out.append(BenchmarkStat(name=str(item.get("name")), fullname=str(item.get("fullname")),
                                     **{k: stats.get(k) for k in ("min", "max", "mean", "median", "stddev", "iqr",
                                                                   "rounds", "ops")}))
        except ValueError:
            continue
    return out


def _checked_overrides(overrides: dict[str, bytes]) -> dict[str, bytes]:
    out = {}
    for rel, data in overrides.items():
        norm = posixpath.normpath(str(rel).replace(os.sep, "/"))
        if norm.startswith(("/", "..")) or norm == ".":
            raise ConfigError(f"override {rel!r}: must be a path inside the repository")
        out[norm] = data
    return out


def run_pytest(repo_root: str | Path, *, overrides: dict[str, bytes] | None = None, args: list[str] | tuple[str, ...] = (),
               sandbox: Any = None, backend: str | None = None, timeout_s: float = 600,
               python_path: list[str] | None = None, progress: Progress | None = None) -> PytestReport:
    """Run the repository's pytest suite in the sandbox, with ``overrides`` (relative path ->
    new content) replacing its files, and report what happened.

    ``args`` go to pytest as given (test paths, ``-k``, ``-m``, ...).  ``python_path``:
    folders put on PYTHONPATH (default: the root, and ``src`` when there is one).  A failing
    suite is a report, not an error; a sandbox that cannot run raises."""
    from evaluators.measure import open_sandbox

    root = Path(repo_root).expanduser().resolve()
    if not root.is_dir():
        raise ConfigError(f"{root}: no such repository folder")
    files = repo_files(root)
    files.update(_checked_overrides(overrides or {}))
    command = shlex.join(["pytest", *args])
    (progress or (lambda _m: None))(f"running {command} in the sandbox ({len(files)} files)")
    with open_sandbox(backend, sandbox) as box, box.session() as session:
        result = pytest_exec(session, list(args), files=files,
                             python_path=python_path if python_path is not None else import_roots(root),
                             timeout_s=timeout_s)
    require_pytest(result)
    return parse_report(result, command)


def require_pytest(result: ExecResult) -> None:
    """Raise when pytest itself is missing from the sandbox (an image problem, not the suite's)."""
    if REPORT not in result.files and (b"No module named pytest" in result.stderr or result.exit_code == 127):
        raise SandboxError(f"pytest could not start in the sandbox: {result.describe()}: "
                           f"{result.stderr.decode(errors='replace')[-500:]}",
                           hint="rebuild the sandbox image (perfforge sandbox build): it needs python3-pytest")
