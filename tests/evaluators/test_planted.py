"""Planted wrong candidates: each is rejected, for the reason it was planted for."""

import pytest

from evaluators.measure import measure
from tests.evaluators.measure_fixtures import PLANTED, box, example, perfforge_home  # noqa: F401

pytestmark = pytest.mark.docker

PLANTED_WRONG = [
    # (task, candidate, where it must fail, what the reason must say)
    ("py-dedupe", "dedupe_wrong_on_large.py", "stress scale=2000 #0", "wrong result"),
    ("py-running-mean", "mean_drift.py", "stress scale=", "rel_tol 1e-09"),
    ("py-dedupe", "dedupe_mutates.py", "test 0", "modified its arguments"),
    ("py-dedupe", "dedupe_cached.py", "stress scale=2000 #1", "wrong result"),
    ("py-dedupe", "dedupe_prints.py", "test 0", "printed 'dedupe: 5 -> 3\\n' where the oracle printed ''"),
    ("c-max-subarray", "subarray_extra_output.c", "test 0", "wrong output: stdout line 1: 'debug: n=1' != '-5'"),
    ("py-dedupe", "dedupe_hardcoded.py", "stress scale=2000 #0", "wrong result"),
    ("c-inversions", "inversions_wrong_on_large.c", "stress scale=3000 #0", "wrong output"),
    ("py-dedupe", "dedupe_returns_tuple.py", "tuples, answer from the oracle", "tuple"),
]


@pytest.mark.parametrize("task, candidate, where, reason", PLANTED_WRONG, ids=[c for _, c, _, _ in PLANTED_WRONG])
def test_planted_wrong_candidate_rejected(box, task, candidate, where, reason):
    verdict = measure(example(task), PLANTED / candidate, metrics=("instructions", "time"), sandbox=box)
    assert not verdict.correct
    assert verdict.instructions is None and verdict.time is None  # no metrics for a wrong candidate
    matching = [f for f in verdict.failures if f.input.startswith(where) and reason in f.reason]
    assert matching, verdict.failures


def test_wrong_only_on_large_inputs_passes_every_test(box):
    verdict = measure(example("py-dedupe"), PLANTED / "dedupe_wrong_on_large.py", metrics=(), sandbox=box)
    assert {f.input for f in verdict.failures} == {f"stress scale=2000 #{i}" for i in range(3)}


def test_cached_answer_is_caught_on_later_inputs_only(box):
    # the first input of each length is answered right; the cache betrays the others
    verdict = measure(example("py-dedupe"), PLANTED / "dedupe_cached.py", metrics=(), sandbox=box)
    assert {f.input for f in verdict.failures} == {"stress scale=2000 #1", "stress scale=2000 #2"}


def test_hard_coded_visible_tests_pass_the_tests_and_fail_stress(box):
    verdict = measure(example("py-dedupe"), PLANTED / "dedupe_hardcoded.py", metrics=(), sandbox=box)
    assert verdict.failures and all(f.input.startswith("stress") for f in verdict.failures)
