"""Instruction counts: exact for C, within 0.1% for Python, and a clear error without valgrind."""

import subprocess

import pytest

from benchmarks.stress import stage
from evaluators import instructions as instr
from evaluators.measure import measure, open_workspace
from evaluators.programs import task_programs
from perfforge.errors import ToolchainError
from tests.evaluators.measure_fixtures import PLANTED, box, example, perfforge_home  # noqa: F401


def repeated_counts(box, task, candidate_file, repeats=5):
    source = candidate_file.read_bytes()
    programs = task_programs(task, source)
    with open_workspace(task, programs, sandbox=box) as ws:
        staged = stage(task, ws)
        instr.send_stress(ws, staged)
        return [instr.count_program(ws, programs[-1], staged, native_s=1.0) for _ in range(repeats)]


@pytest.mark.docker
def test_c_counts_identical_in_five_repeats(box):
    task = example("c-inversions")
    counts = repeated_counts(box, task, task.root / "reference_mergesort.c")
    assert len({c.instructions for c in counts}) == 1, [c.instructions for c in counts]
    assert counts[0].instructions > 1_000_000 and counts[0].empty == 0  # a C process counts whole
    assert len(counts[0].per_input) == 2


@pytest.mark.docker
def test_c_function_counts_identical_and_calibrated(box):
    task = example("c-max-subarray")
    counts = repeated_counts(box, task, task.root / "reference_kadane.c")
    assert len({c.instructions for c in counts}) == 1, [c.instructions for c in counts]
    # the driver built with -DPERFFORGE_EMPTY (input parsing, start-up) is subtracted
    assert counts[0].empty > 0 and counts[0].gross > counts[0].empty


@pytest.mark.docker
def test_python_counts_within_a_tenth_of_a_percent_in_five_repeats(box):
    task = example("py-dedupe")
    # the candidate is the reference's own source: the same code in another folder
    source = (task.root / "reference_set.py").read_bytes()
    programs = task_programs(task, source)
    with open_workspace(task, programs, sandbox=box) as ws:
        staged = stage(task, ws)
        instr.send_stress(ws, staged)
        # native_s sets the run's time limit: it must not leak into what is counted
        counts = [instr.count_program(ws, programs[-1], staged, native_s=s).instructions
                  for s in (1.0, 0.0123, 7.5, 1.0, 123.456)]
        elsewhere = instr.count_program(ws, programs[1], staged, native_s=1.0).instructions
    assert (max(counts) - min(counts)) / min(counts) < 0.001, counts
    assert min(counts) > 0
    # counts do not depend on the program's folder (the count cache relies on it)
    assert abs(elsewhere - counts[0]) / counts[0] < 0.001, (elsewhere, counts)


@pytest.mark.docker
def test_linear_rewrite_of_a_quadratic_baseline_counts_ten_times_fewer(box):
    verdict = measure(example("py-dedupe"), PLANTED / "dedupe_fast.py", metrics=("instructions",), sandbox=box)
    assert verdict.correct
    i = verdict.instructions
    assert i.method == "valgrind-cachegrind" and i.baseline_label == "baseline"
    assert i.speedup >= 10, i
    assert i.baseline / i.candidate == pytest.approx(i.speedup)
    # interpreter start-up (tens of millions) is calibrated away on both sides
    assert all(v > 10_000_000 for v in i.calibration.values())
    assert i.candidate < 20_000_000


def test_no_pmu_means_valgrind_and_says_so():
    method, note = instr.choose_method({"pmu": False}, "docker")
    assert method == "valgrind-cachegrind" and "no hardware performance counters" in note
    method, note = instr.choose_method({"pmu": True}, "docker")
    assert method == "valgrind-cachegrind" and "blocks perf_event_open" in note


@pytest.fixture(scope="module")
def image_without_valgrind():
    from sandbox.recipe import default_tag

    tag = "perfforge-test-novalgrind:1"
    dockerfile = f"FROM {default_tag()}\nRUN rm -f /usr/bin/valgrind /usr/bin/valgrind.bin\n"
    proc = subprocess.run(["docker", "build", "-q", "-t", tag, "-"], input=dockerfile.encode(),
                          capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    yield tag
    subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=120)


@pytest.mark.docker
def test_missing_valgrind_is_a_clear_error(perfforge_home, image_without_valgrind):
    from sandbox import get_sandbox

    sandbox = get_sandbox("docker", image=image_without_valgrind, pool_size=1)
    try:
        with pytest.raises(ToolchainError, match="valgrind is not installed in the sandbox"):
            measure(example("py-dedupe"), PLANTED / "dedupe_fast.py", metrics=("instructions",), sandbox=sandbox)
        # without instruction counts the same sandbox measures fine
        assert measure(example("py-dedupe"), PLANTED / "dedupe_fast.py", metrics=(), sandbox=sandbox).correct
    finally:
        sandbox.close()


@pytest.mark.docker
def test_work_moved_into_a_child_process_is_counted(box):
    verdict = measure(example("py-dedupe"), PLANTED / "dedupe_work_in_child.py", metrics=("instructions",), sandbox=box)
    assert verdict.correct
    i = verdict.instructions
    # the child runs the baseline's quadratic algorithm: no 10x saving may appear
    assert i.candidate > i.baseline * 0.5, i
