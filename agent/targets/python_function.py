"""A function of a Python file, made into a task folder: ``python_task(file, function)``.

1. Static checks (:mod:`agent.targets.python_source`): the function exists at module level,
   the repository root and the module's dotted name are found, the test files are chosen.
2. In one sandbox session, with the repository's files at the work dir: the module is
   imported (a missing third-party module is named), the tests run under pytest with the
   recording plugin (:mod:`agent.targets.recording`), and stress inputs are grown from the
   recorded calls (:mod:`agent.targets.grow`).
3. The task folder is written, content-addressed (the same files, function, tests and
   parameters give the same folder, reused without running anything):

   ``task.toml``                 a ``perf-edit`` task with a ``python-function`` interface
                                  whose ``module`` is the dotted name, so relative imports work
   ``<path in the repository>``  the original file: the baseline, and the oracle
   ``_perfforge/support/``       the repository's other importable Python files
                                  (``[interface] path``: first on ``sys.path``)
   ``_perfforge/cases.py``       ``CASES``: the recorded calls (``recorded.json``)
   ``_perfforge/stress.py``      ``INPUTS``: the grown stress inputs (``stress.json``)
   ``_perfforge/target.json``    where it all came from: file, tests, counts, growth

The baseline keeps its path in the repository, so the run's ``.diff`` applies at the
repository's root (``git apply``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable

import tomli_w

from agent.repo_tests import plugin_files, repo_files
from agent.targets.folder import META, Materialized, made_before, place, publish, slug
from agent.targets.grow import GrowParams, Grown, grow_stress, probe
from agent.targets.python_source import PythonTarget, find_tests, is_test_file, locate
from agent.targets.recording import Recording, record_calls
from benchmarks import values

FORMAT = 1  # bump when the folder's layout or contents change
SUPPORT = f"{META}/support"

Progress = Callable[[str], None]

_CASES_PY = '''"""The calls of {qualified} that its tests made, recorded by perfforge: the task's tests."""

import os

import values  # the harness's codec, beside it in the sandbox

with open(os.path.join(os.path.dirname(__file__), "recorded.json"), encoding="utf-8") as fh:
    CASES = values.loads(fh.read())
'''

_STRESS_PY = '''"""Stress inputs of {qualified}, grown by perfforge from its recorded calls."""

import os

import values  # the harness's codec, beside it in the sandbox

with open(os.path.join(os.path.dirname(__file__), "stress.json"), encoding="utf-8") as fh:
    INPUTS = values.loads(fh.read())
'''


def _key(target: PythonTarget, tests: list[str], files: dict[str, bytes], params: GrowParams) -> str:
    digest = hashlib.sha256()
    head = {"format": FORMAT, "file": target.relpath, "function": target.function, "module": target.module,
            "import_root": target.import_root, "tests": tests, "grow": params.model_dump()}
    digest.update(json.dumps(head, sort_keys=True).encode())
    for name, data in sorted({**files, **plugin_files()}.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def python_task(file: str | Path, function: str, *, tests: list[str | Path] | None = None,
                repo: str | Path | None = None, work: Path | None = None, sandbox: Any = None,
                backend: str | None = None, params: GrowParams | None = None,
                progress: Progress | None = None) -> Materialized:
    """The task for ``function`` of ``file`` (made, or found already made under ``work``)."""
    from evaluators.measure import open_sandbox

    say = progress or (lambda _m: None)
    params = params or GrowParams()
    target = locate(file, function, repo)
    files = repo_files(target.repo_root)
    test_paths = find_tests(target, files, tests)
    key = _key(target, test_paths, files, params)
    folder = place(work, target.qualified, key)
    made = made_before(folder, say)
    if made is not None:
        return made
    say(f"{target.qualified}: recording its calls in {', '.join(test_paths)} (in the sandbox)")
    with open_sandbox(backend, sandbox) as box, box.session() as session:
        probe(session, target, {**files, **plugin_files()})
        recording = record_calls(session, target, test_paths)
        say(f"recorded {recording.describe()} ({recording.tests.describe()})")
        calls = [{"args": c.args, "kwargs": c.kwargs} for c in recording.calls]
        grown = grow_stress(session, target, calls, params)
        say(f"stress inputs: {grown.describe()}")
    return publish(folder, _files(target, files, recording, grown), _info(target, recording, grown, key))


def _info(target: PythonTarget, recording: Recording, grown: Grown, key: str) -> dict[str, Any]:
    return {
        "kind": "python-function",
        "key": key,
        "file": str(target.file),
        "repo_root": str(target.repo_root),
        "relpath": target.relpath,
        "module": target.module,
        "function": target.function,
        "tests": recording.test_paths,
        "calling_tests": recording.calling_tests,
        "pytest": recording.tests.describe(),
        "pytest_failing": recording.tests.failing,
        "calls": recording.total_calls,
        "distinct_calls": recording.distinct,
        "cases": len(recording.calls),
        "not_recorded": recording.skipped,
        "stress": [{"origin": s.origin, "factor": s.factor, "seconds": s.seconds} for s in grown.inputs],
        "stress_note": grown.note,
        "stress_rejected": grown.rejected[:20],
    }


def _spec(target: PythonTarget, recording: Recording) -> dict[str, Any]:
    return {
        "schema": 1,
        "id": f"targets/{slug(target.qualified)}",
        "kind": "perf-edit",
        "language": "python",
        "title": f"Make {target.qualified} faster",
        "description": (
            f"`{target.function}` in `{target.relpath}` (module `{target.module}`) must keep its behaviour on every "
            f"call its tests make ({recording.distinct} distinct calls recorded from "
            f"{', '.join(recording.test_paths)}) and on larger inputs grown from them: the same return values, "
            "exception types, argument mutation and printed output.  Change only this function; a new helper "
            "function, constant or import at module level is fine, other code must stay as it is."
        ),
        "tags": ["python", "recorded"],
        "candidate": target.candidate,
        "baseline": target.relpath,
        "interface": {"type": "python-function", "function": target.function, "module": target.module,
                      "path": [SUPPORT]},
        "tests": {"file": f"{META}/cases.py"},
        "stress": {"file": f"{META}/stress.py"},
    }


def support_files(target: PythonTarget, files: dict[str, bytes]) -> dict[str, bytes]:
    """The repository's importable Python files other than the target, by path below the import root."""
    prefix = "" if target.import_root == "." else target.import_root + "/"
    out = {}
    for rel, data in files.items():
        name = rel.rsplit("/", 1)[-1]
        if (rel.startswith(prefix) and rel.endswith(".py") and rel != target.relpath and not is_test_file(rel)
                and name != "conftest.py"):
            out[rel[len(prefix):]] = data
    return out


def _files(target: PythonTarget, files: dict[str, bytes], recording: Recording, grown: Grown) -> dict[str, bytes]:
    cases = [{"name": f"recorded #{n}" + (f" ({c.test})" if c.test else " (at import)"), "args": c.args,
              **({"kwargs": c.kwargs} if c.kwargs else {})} for n, c in enumerate(recording.calls)]
    return {
        **{f"{SUPPORT}/{rel}": data for rel, data in support_files(target, files).items()},
        target.relpath: target.file.read_bytes(),
        f"{META}/recorded.json": values.dumps(cases).encode(),
        f"{META}/stress.json": values.dumps([tuple(s.args) for s in grown.inputs]).encode(),
        f"{META}/cases.py": _CASES_PY.format(qualified=target.qualified).encode(),
        f"{META}/stress.py": _STRESS_PY.format(qualified=target.qualified).encode(),
        "task.toml": tomli_w.dumps(_spec(target, recording)).encode(),
    }
