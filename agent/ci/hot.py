"""``--functions hot``: where the repository's own test suite spends its time.

The suite runs once in the sandbox under cProfile (``profile_suite.py``, benchmarks run
once rather than timed); each function of the repository is scored by its own time plus
the library and built-in calls it makes directly, and the highest scores that may be
changed (:func:`agent.ci.discover.excluded`) become candidates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.ci.config import CiConfig
from agent.ci.discover import Candidate, Discovery, excluded, function_spans
from agent.ci.gitrepo import Repo
from perfforge.errors import ConfigError, SandboxError

SCRIPT = Path(__file__).with_name("profile_suite.py")
SCRIPT_NAME = ".pf/ci_profile_suite.py"  # hidden: pytest never collects it
RESULT_NAME = ".pf/ci_hot.json"
MIN_SECONDS = 1e-3  # below this a function is not where the time goes
NO_TESTS = 5  # pytest's exit code when it collected nothing


def profile_suite(repo: Repo, files: dict[str, bytes], config: CiConfig, sandbox: Any,
                  timeout_s: float = 900.0) -> dict[str, Any]:
    from agent.repo_tests import ENV, import_roots
    from sandbox.models import ExecSpec, Limits

    env = {**ENV, "PYTHONPATH": ":".join(import_roots(repo.root))}
    spec = ExecSpec(argv=["python3", SCRIPT_NAME, json.dumps(config.pytest_args()), RESULT_NAME],
                    files={**files, SCRIPT_NAME: SCRIPT.read_bytes()}, env=env,
                    limits=Limits(wall_s=timeout_s, memory_mib=4096, processes=256), collect=[RESULT_NAME])
    result = sandbox.run(spec)
    if RESULT_NAME not in result.files:
        tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise SandboxError(f"profiling the test suite in the sandbox failed ({result.describe()})",
                           hint=" | ".join(tail) or None)
    data = json.loads(result.files[RESULT_NAME])
    if data["exit"] == NO_TESTS:
        raise ConfigError(f"{repo.root}: no tests found by `{config.test_command}`",
                          hint="perfforge ci needs the repository's tests: set [tool.perfforge] test-command")
    return data


def hot_functions(repo: Repo, files: dict[str, bytes], config: CiConfig, sandbox: Any,
                  out_prefix: str | None = None, profile: dict[str, Any] | None = None) -> Discovery:
    """The functions the suite spends most time in, hottest first (at most ``max_candidates``)."""
    data = profile if profile is not None else profile_suite(repo, files, config, sandbox)
    found = Discovery(mode="hot")
    if data["exit"] not in (0, NO_TESTS):
        found.notes.append(f"the test suite exited {data['exit']} while profiled: some tests fail")
    totals: dict[tuple[str, str], tuple[float, int, int]] = {}
    spans_of: dict[str, list[Any]] = {}
    for row in data["functions"]:
        path = str(row["file"]).replace("\\", "/")
        if not path.endswith(".py") or excluded(path, config, out_prefix) or path not in files:
            continue
        if path not in spans_of:
            try:
                spans_of[path] = function_spans(files[path].decode("utf-8", "replace"))
            except SyntaxError:
                spans_of[path] = []
        span = next((s for s in spans_of[path] if s.lineno <= row["line"] <= s.end_lineno), None)
        if span is None or span.skip:
            continue
        seconds, start, end = totals.get((path, span.function), (0.0, span.lineno, span.end_lineno))
        totals[(path, span.function)] = (seconds + float(row["seconds"]), start, end)
    ranked = sorted(totals.items(), key=lambda kv: -kv[1][0])
    for (path, function), (seconds, start, end) in ranked:
        if seconds < MIN_SECONDS or len(found.candidates) >= config.max_candidates:
            break
        found.candidates.append(Candidate(path=path, function=function, lineno=start, end_lineno=end,
                                          found_by="hot", seconds=round(seconds, 6)))
    if not found.candidates:
        found.notes.append("no function of the repository took measurable time in its tests")
    return found
