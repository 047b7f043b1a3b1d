"""Correctness: the comparison rules on canned values, then real candidates in the sandbox."""

import math

import numpy as np
import pytest

from benchmarks.task import Compare
from evaluators.compare import compare_stdout, compare_values
from evaluators.measure import measure
from tests.evaluators.measure_fixtures import PLANTED, box, example, perfforge_home  # noqa: F401

EXACT, FLOAT, UNORDERED = Compare(), Compare(mode="float", rel_tol=1e-9, abs_tol=1e-12), Compare(mode="unordered")


@pytest.mark.parametrize(
    "a, b, rule",
    [
        ([1, (2, 3)], [1, (2, 3)], EXACT),
        ({"k": {1, 2}}, {"k": {2, 1}}, EXACT),
        (float("nan"), float("nan"), EXACT),
        ([1.0, float("nan")], [1.0 + 1e-12, float("nan")], FLOAT),
        (1, 1.0, FLOAT),
        ([[3, 1], [2]], [[2], [1, 3]], UNORDERED),
        (np.array([1.0, np.nan]), np.array([1.0, np.nan]), EXACT),
        (complex(1, 2), complex(1, 2 + 1e-15), FLOAT),
        (b"\x00", b"\x00", EXACT),
    ],
)
def test_values_that_match(a, b, rule):
    assert compare_values(a, b, rule) is None


@pytest.mark.parametrize(
    "a, b, rule, where",
    [
        ([1, 2], [1, 3], EXACT, "[1]: 2 != 3"),
        (1, 1.0, EXACT, "int 1 where float 1.0"),
        (True, 1, EXACT, "bool True where int 1"),
        ((1, 2), [1, 2], EXACT, "tuple"),
        (1.0 + 1e-6, 1.0, FLOAT, "rel_tol"),
        (float("nan"), float("nan"), Compare(nan_equal=False), "nan != nan"),
        ({"a": 1}, {"b": 1}, EXACT, "keys differ"),
        ([1, 1, 2], [1, 2, 2], UNORDERED, "multiset"),
        (np.array([1, 2]), np.array([1, 3]), EXACT, "1 element(s) differ"),
        (np.zeros(2, np.float32), np.zeros(2), EXACT, "dtype"),
        ([1], [1, 2], EXACT, "length 1 != 2"),
    ],
)
def test_values_that_differ_say_where(a, b, rule, where):
    reason = compare_values(a, b, rule)
    assert reason is not None and where in reason, reason


def test_loose_sequences_only_when_asked():
    assert compare_values((1, [2]), [1, [2]], EXACT, loose=True) is None
    assert compare_values((1, [2]), [1, [2]], EXACT) is not None


def test_stdout_rules():
    assert compare_stdout(b"a 1  \nb 2\n\n", b"a 1\nb 2", EXACT) is None
    assert "line 2" in compare_stdout(b"a\nc\n", b"a\nb\n", EXACT)
    assert compare_stdout(b"b 2\na 1\n", b"a 1\nb 2\n", UNORDERED) is None
    assert compare_stdout(b"a 1\na 1\n", b"a 1\nb 2\n", UNORDERED) is not None
    assert compare_stdout(b"x 0.30000000000000004\n", b"x 0.3\n", FLOAT) is None
    assert "token 2" in compare_stdout(b"x 0.31\n", b"x 0.3\n", FLOAT)
    assert compare_stdout(b"nan\n", b"nan\n", FLOAT) is None
    assert math.isnan(float("nan"))


# --- in the sandbox ---------------------------------------------------------------------------


@pytest.mark.docker
def test_correct_candidates_accepted(box):
    fast = measure(example("py-dedupe"), PLANTED / "dedupe_fast.py", metrics=(), sandbox=box)
    assert fast.correct and not fast.failures and fast.error is None
    assert fast.correctness.tests == 4 and fast.correctness.stress == 3
    # every per-input limit is factor x the oracle's time, with the floor
    assert len(fast.correctness.limits_s) == 7 and min(fast.correctness.limits_s) >= 1.0


@pytest.mark.docker
def test_float_tolerance_accepts_last_bit_differences(box):
    # a compensated sum differs from the baseline's plain sum in the last bits only
    verdict = measure(example("py-running-mean"), PLANTED / "mean_compensated.py", metrics=(), sandbox=box)
    assert verdict.correct, verdict.failures


@pytest.mark.docker
def test_import_and_compile_errors_are_verdicts(box):
    syntax = measure(example("py-dedupe"), PLANTED / "dedupe_syntax_error.py", metrics=(), sandbox=box)
    assert not syntax.correct and syntax.error.startswith("does not import")
    assert "SyntaxError" in syntax.error and "harness.py" not in syntax.error
    missing = measure(example("py-dedupe"), PLANTED / "dedupe_wrong_name.py", metrics=(), sandbox=box)
    assert "defines no function 'dedupe'" in missing.error
    broken_c = measure(example("c-inversions"), PLANTED / "inversions_no_compile.c", metrics=(), sandbox=box)
    assert not broken_c.correct and broken_c.error.startswith("does not compile")
    assert "undeclared_variable" in broken_c.error
    assert broken_c.failures[0].input == "build"


@pytest.mark.docker
def test_time_limit_from_the_oracle_stops_a_hang(box):
    verdict = measure(example("py-dedupe"), PLANTED / "dedupe_hangs.py", metrics=(), sandbox=box)
    assert not verdict.correct
    first = verdict.failures[0]
    assert first.input == "stress scale=2000 #0" and "exceeded its time limit of 1.00 s" in first.reason
    assert "not run" in verdict.failures[1].reason


@pytest.mark.docker
def test_crash_in_a_c_process(box):
    verdict = measure(example("c-inversions"), PLANTED / "inversions_crashes.c", metrics=(), sandbox=box)
    assert not verdict.correct
    assert {f.input: f.reason for f in verdict.failures}["stress scale=3000 #0"] == "killed by signal 11"
