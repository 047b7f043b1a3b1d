"""Through ``measure``: a candidate that leaves state behind for its later runs, or edits the
baseline's files, gains nothing.  Every program of a measurement runs in one sandbox
session as the same uid, so these candidates *can* write where they do; the sandbox's
reset before each execution is what makes the writes count for nothing."""

from __future__ import annotations

import pytest

from evaluators.measure import measure
from sandbox import ExecSpec, Limits
from tests.evaluators.measure_fixtures import EXAMPLES, box, example, perfforge_home  # noqa: F401

pytestmark = pytest.mark.docker

# the baseline's quadratic algorithm behind a disk cache of its answers, wherever it can write
DISK_CACHE = b'''
import hashlib, os, pickle

HERE = os.path.dirname(os.path.abspath(__file__))
PLACES = [os.path.join(HERE, ".answers"), os.path.join(os.getcwd(), ".answers"), "/tmp/.answers", "/dev/shm/.answers"]
hits = 0


def dedupe(items):
    global hits
    key = hashlib.sha256(repr(items).encode()).hexdigest()
    for place in PLACES:
        try:
            with open(os.path.join(place, key), "rb") as fh:
                answer = pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError):
            continue
        hits += 1
        return answer
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    for place in PLACES:
        try:
            os.makedirs(place, exist_ok=True)
            with open(os.path.join(place, key), "wb") as fh:
                pickle.dump(out, fh)
        except OSError:
            pass
    return out
'''

# the linear reference, which first rewrites the baseline's module (the oracle's too) into a
# much slower one that still answers right: a faked speedup, if it lasted
SLOW_BASELINE = '''import time


def dedupe(items):
    time.sleep(0.4)
    for _ in range(5):
        out = []
        for item in items:
            if item not in out:
                out.append(item)
    return out
'''
LINEAR = (EXAMPLES / "py-dedupe" / "reference_set.py").read_bytes()
TAMPERS_WITH_BASELINE = b'''import os

_base = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "base", os.path.basename(__file__))
with open(_base, "w") as _fh:  # fails the import (and the candidate) if it cannot write
    _fh.write(%r)
''' % SLOW_BASELINE + b"\n\n" + LINEAR

# a C program: the merge-sort reference, which first turns the baseline's built binary into a
# slow wrapper around the reference's binary (still right, many more instructions)
C_TAMPER = b'''#include <stdio.h>
#include <stdlib.h>
static void slow_down_the_baseline(void) {
    FILE *f = fopen("/work/base/prog", "w");
    if (!f) exit(3);
    fputs("#!/bin/sh\\ni=0\\nwhile [ $i -lt 100000 ]; do i=$((i+1)); done\\nexec /work/r001/prog\\n", f);
    fclose(f);
}
#define main real_main
'''


def _fresh_home(tmp_path, monkeypatch, name: str) -> None:
    """Counts and staged inputs of this measurement only: nothing read from another's cache."""
    home = tmp_path / name
    home.mkdir()
    monkeypatch.setenv("PERFFORGE_HOME", str(home))


def test_a_disk_cache_of_answers_gains_nothing(box, tmp_path, monkeypatch):
    # control: inside one execution the cache works (the second call is answered from disk)
    files = {"cand/solution.py": DISK_CACHE}
    probe = "import sys; sys.path.insert(0, 'cand'); import solution as s; x = list(range(3000)); " \
            "assert s.dedupe(x) == s.dedupe(x) == x; print(s.hits)"
    res = box.run(ExecSpec(argv=["python3", "-c", probe], files=files, limits=Limits(wall_s=60)))
    assert res.ok and res.stdout == b"1\n", res.stderr
    _fresh_home(tmp_path, monkeypatch, "cache")
    verdict = measure(example("py-dedupe"), DISK_CACHE, metrics=("instructions", "time"), sandbox=box)
    assert verdict.correct, verdict.failures
    # its counted run missed the cache: the baseline's work plus the cache's own cost
    assert "candidate" not in verdict.instructions.cached and "baseline" not in verdict.instructions.cached
    assert verdict.instructions.candidate > verdict.instructions.baseline, verdict.instructions
    assert not verdict.time.significant and verdict.time.speedup < 1.5, verdict.time


def test_a_candidate_editing_the_baseline_does_not_change_its_figures(box, tmp_path, monkeypatch):
    _fresh_home(tmp_path, monkeypatch, "honest")
    honest = measure(example("py-dedupe"), LINEAR, metrics=("instructions", "time"), sandbox=box)
    _fresh_home(tmp_path, monkeypatch, "tamper")
    tampered = measure(example("py-dedupe"), TAMPERS_WITH_BASELINE, metrics=("instructions", "time"), sandbox=box)
    # correct means it imported in every run, so it did rewrite the baseline's file each time
    assert honest.correct and tampered.correct, tampered.failures
    for verdict in (honest, tampered):
        assert "baseline" not in verdict.instructions.cached
    # a Python count repeats within 0.1% (ASLR moves a few hashes); a tampered baseline would be far off
    assert tampered.instructions.baseline == pytest.approx(honest.instructions.baseline, rel=1e-3)
    assert tampered.instructions.references == pytest.approx(honest.instructions.references, rel=1e-3)
    # the slowed baseline would sleep 1.2 s per run on its own
    assert tampered.time.baseline_median_s < 1.0, tampered.time


def test_a_c_candidate_overwriting_the_baseline_binary_changes_nothing(box, tmp_path, monkeypatch):
    task = example("c-inversions")
    reference = (EXAMPLES / "c-inversions" / "reference_mergesort.c").read_bytes()
    candidate = C_TAMPER + reference + b"\n#undef main\nint main(void) { slow_down_the_baseline(); return real_main(); }\n"
    _fresh_home(tmp_path, monkeypatch, "honest")
    honest = measure(task, reference, metrics=("instructions",), sandbox=box)
    _fresh_home(tmp_path, monkeypatch, "tamper")
    tampered = measure(task, candidate, metrics=("instructions",), sandbox=box)
    assert honest.correct and tampered.correct, tampered.failures or tampered.error
    assert "baseline" not in tampered.instructions.cached
    assert tampered.instructions.baseline == honest.instructions.baseline
    # its own count is the reference's plus the few instructions of the write
    assert 0 < tampered.instructions.candidate - honest.instructions.candidate < honest.instructions.candidate // 10
