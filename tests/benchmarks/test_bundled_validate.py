"""``perfforge task validate`` holds for every task of the bundled python-perf, c-perf and
codegen suites: baseline and references agree with the oracle on the tests and the stress
inputs, the generator honours its contract at every scale, and the references are ordered by
instruction count, separated by each task's own declared margin.  (examples, kernels,
cuda-to-cpu and isa are validated by their own tests.)"""

from __future__ import annotations

import time

import pytest

from evaluators.measure import validate
from tests.benchmarks.test_suites import ALL_DIRS, _id
from tests.evaluators.measure_fixtures import box, perfforge_home  # noqa: F401 - fixtures

pytestmark = pytest.mark.docker


@pytest.mark.parametrize("task_dir", ALL_DIRS, ids=_id)
def test_bundled_task_validates(box, task_dir):
    started = time.monotonic()
    report = validate(task_dir, sandbox=box)
    assert report.ok, report.problems
    counts = [facts["instructions"] for facts in report.programs.values()]
    assert all(c > 0 for c in counts) and counts == sorted(counts, reverse=True)
    assert report.stress_inputs >= 1
    print(f"{_id(task_dir)}: validated in {time.monotonic() - started:.1f} s")
