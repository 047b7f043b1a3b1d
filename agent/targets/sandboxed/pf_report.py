"""A pytest plugin writing each test's outcome as JSON lines.  Runs inside the sandbox.

    PF_REPORT=out.jsonl python3 -m pytest -p pf_report ...

Standard library and pytest only.  One line per test phase that did not simply pass
(and per passing ``call``), written as it happens so that a run cut short by its time
limit still tells what ran; the last line is the session's exit status.  The host reads
this file, never the run's console output.
"""

from __future__ import annotations

import json
import os

_PATH = os.environ.get("PF_REPORT")
_OUT = open(_PATH, "w", encoding="utf-8") if _PATH else None
_TEXT_CAP = 4000


def _emit(record: dict) -> None:
    _OUT.write(json.dumps(record) + "\n")
    _OUT.flush()


def pytest_runtest_logreport(report):
    if _OUT is None:
        return
    if report.when != "call" and report.outcome == "passed":
        return
    record = {"event": "test", "nodeid": report.nodeid, "when": report.when, "outcome": report.outcome,
              "duration": report.duration}
    if hasattr(report, "wasxfail"):
        record["xfail"] = True
    if report.outcome != "passed" and report.longrepr is not None:
        text = str(report.longrepr)
        record["message"] = text[-_TEXT_CAP:]
    _emit(record)


def pytest_collectreport(report):
    if _OUT is not None and report.outcome == "failed":
        _emit({"event": "collect-error", "nodeid": report.nodeid, "message": str(report.longrepr)[-_TEXT_CAP:]})


def pytest_collection_finish(session):
    if _OUT is not None:
        _emit({"event": "collected", "count": len(session.items)})


def pytest_sessionfinish(session, exitstatus):
    if _OUT is not None:
        _emit({"event": "session", "exitstatus": int(exitstatus)})
