"""A pytest plugin recording every call of one function.  Runs inside the sandbox.

    PF_RECORD=JOB.json python3 -m pytest -p pf_record ...

Standard library and pytest only, plus the harness's ``values.py`` (through
``pf_codec.py``, both beside this file).  The job names the module (dotted), the function, its
file, the output file and the caps.

The function is wrapped where it is defined: an import hook runs the module as usual and
then replaces the module's attribute by a recording wrapper, before any other module can
``from ... import`` it, so every caller (tests, the package's ``__init__``, the module's
own recursive calls) goes through the wrapper.  A module imported under another name
(its folder put on ``sys.path`` by a test) is caught by its file path.

Each outermost call's arguments are encoded with the values codec *before* the call (a
deep snapshot: mutation by the call does not leak into the record); calls the codec cannot
carry are counted by the type that stopped them; identical calls are kept once.  Records
are appended to ``JOB["out"]`` as JSON lines as they happen; the last line is a summary.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import threading

import pf_codec

_JOB_PATH = os.environ.get("PF_RECORD")


class Recorder:
    def __init__(self, job: dict) -> None:
        self.job = job
        self.codec = pf_codec.load()
        self.file = os.path.realpath(job["file"])
        self.stem = job["module_name"].rsplit(".", 1)[-1]
        self.out = open(job["out"], "w", encoding="utf-8")
        self.local = threading.local()
        self.seen: set = set()
        self.test = None
        self.calls = 0
        self.kept = 0
        self.kept_bytes = 0
        self.skipped: dict = {}
        self.patched: list = []
        self.callers: dict = {}  # every test that called it, repeats and unrecorded calls included

    # -- wrapping ---------------------------------------------------------------------------

    def patch(self, module) -> None:
        fn = getattr(module, self.job["function"], None)
        if fn is None or getattr(fn, "__pf_recorder__", False) or not callable(fn):
            return
        setattr(module, self.job["function"], self.wrap(fn))
        self.patched.append(module.__name__)

    def wrap(self, fn):
        recorder = self

        @functools.wraps(fn)
        def recording(*args, **kwargs):
            depth = getattr(recorder.local, "depth", 0)
            if depth == 0:
                recorder.record(args, kwargs)
            recorder.local.depth = depth + 1
            try:
                return fn(*args, **kwargs)
            finally:
                recorder.local.depth = depth

        recording.__pf_recorder__ = True
        return recording

    def record(self, args: tuple, kwargs: dict) -> None:
        self.calls += 1
        self.callers.setdefault(self.test, None)
        if self.kept >= self.job["max_calls"]:
            self._skip("more calls than the cap")
            return
        try:
            text = self.codec.dumps({"args": list(args), "kwargs": dict(kwargs)})
        except (self.codec.EncodeError, RecursionError, ValueError) as exc:
            self._skip(str(exc).split(" cannot cross")[0])
            return
        if len(text) > self.job["max_call_bytes"] or self.kept_bytes + len(text) > self.job["max_total_bytes"]:
            self._skip("arguments larger than the size cap")
            return
        digest = hashlib.sha256(text.encode()).digest()
        if digest in self.seen:
            return
        self.seen.add(digest)
        self.kept += 1
        self.kept_bytes += len(text)
        self.out.write(json.dumps({"event": "call", "test": self.test, "input": json.loads(text)}) + "\n")
        self.out.flush()

    def _skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def finish(self, exitstatus) -> None:
        summary = {"event": "summary", "calls": self.calls, "kept": self.kept, "skipped": self.skipped,
                   "patched": self.patched, "callers": [t for t in self.callers if t],
                   "exitstatus": int(exitstatus)}
        self.out.write(json.dumps(summary) + "\n")
        self.out.flush()


class Hook:
    """A meta-path finder that lets the usual finders find the target module, then wraps
    the function as soon as the module has run."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def find_spec(self, fullname, path=None, target=None):
        if fullname.rsplit(".", 1)[-1] != self.recorder.stem:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.origin is None or os.path.realpath(spec.origin) != self.recorder.file or spec.loader is None:
            return spec
        original = spec.loader.exec_module
        recorder = self.recorder

        def exec_module(module):
            original(module)
            recorder.patch(module)

        spec.loader.exec_module = exec_module
        return spec


_RECORDER = None
if _JOB_PATH:
    with open(_JOB_PATH, encoding="utf-8") as _fh:
        _RECORDER = Recorder(json.load(_fh))
    sys.meta_path.insert(0, Hook(_RECORDER))
    for _module in list(sys.modules.values()):
        _origin = getattr(_module, "__file__", None)
        if _origin and os.path.realpath(_origin) == _RECORDER.file:
            _RECORDER.patch(_module)


def pytest_runtest_setup(item):
    if _RECORDER is not None:
        _RECORDER.test = item.nodeid


def pytest_sessionfinish(session, exitstatus):
    if _RECORDER is not None:
        _RECORDER.finish(exitstatus)
