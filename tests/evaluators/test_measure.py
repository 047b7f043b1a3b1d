"""The verdict end to end: every metric, the fallbacks said out loud, the CLI's contract."""

import json
import os
import subprocess
import sys

import pytest

from evaluators.measure import METRICS, measure, parse_metrics
from perfforge.errors import ConfigError
from tests.evaluators.measure_fixtures import EXAMPLES, PLANTED, box, example, perfforge_home  # noqa: F401


def test_metric_names_checked():
    assert parse_metrics(None) == METRICS and parse_metrics("none") == ()
    assert parse_metrics("time, instructions,time") == ("time", "instructions")
    with pytest.raises(ConfigError, match="unknown metric 'speed'; valid: instructions, time, memory, energy"):
        parse_metrics("speed")


@pytest.mark.docker
def test_python_function_every_metric(box):
    v = measure(example("py-dedupe"), PLANTED / "dedupe_fast.py", sandbox=box)
    assert v.correct and v.failures == []
    assert v.instructions.speedup >= 10 and v.instructions.references["linear"] > 0
    t = v.time
    assert t.runs == 6 and t.warmups == 1 and len(t.comparison.candidate_times_s) == 6
    assert t.ci95[0] <= t.speedup <= t.ci95[1] and 0 <= t.p_value <= 1
    assert t.significant == (t.ci95[0] > 1 + t.threshold and t.p_value < 0.05)
    assert t.speedup > 2  # 75x fewer instructions: the clock agrees on the direction
    m = v.memory
    assert m.baseline.peak_rss_kib > 1000 and m.candidate.python_peak_bytes > 0
    assert m.python_method and "tracemalloc" in m.python_method
    # this machine has no RAPL and no PMU: both fallbacks are chosen and said
    assert v.energy["method"] == "estimated" and v.energy["candidate"]["joules"] > 0
    assert any("valgrind" in f and "no hardware performance counters" in f for f in v.fallbacks)
    assert any("energy estimated" in f for f in v.fallbacks)
    p = v.provenance
    assert p.python.startswith("3.") and p.valgrind.startswith("valgrind-")
    assert p.sandbox["backend"] and p.fingerprint["pmu"] is False and p.stress_key


@pytest.mark.docker
def test_c_process_instructions_and_time(box):
    task = example("c-inversions")
    v = measure(task, task.root / "reference_mergesort.c", metrics=("instructions", "time", "memory"), sandbox=box)
    assert v.correct
    assert v.instructions.speedup > 5 and v.instructions.calibration["candidate"] == 0
    assert v.provenance.compiler.startswith("gcc")
    assert v.memory.baseline.python_peak_bytes is None and v.memory.candidate.peak_rss_kib > 0
    assert v.time.speedup > 1


@pytest.mark.docker
def test_codegen_compares_with_the_fastest_reference(box):
    task = example("py-count-primes")
    v = measure(task, task.root / "ref_sqrt.py", metrics=("instructions",), sandbox=box)
    assert v.correct and v.instructions.baseline_label == "reference:sieve of Eratosthenes"
    refs = v.instructions.references
    assert list(refs) == ["trial division by every smaller number", "trial division up to the square root",
                          "sieve of Eratosthenes"]
    assert v.instructions.candidate == pytest.approx(refs["trial division up to the square root"], rel=1e-3)
    assert v.instructions.speedup < 1  # slower than the best reference


# --- the command line -------------------------------------------------------------------------


def cli(*args, home, timeout=600):
    env = {**os.environ, "PERFFORGE_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "perfforge.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


@pytest.mark.docker
def test_cli_json_verdict_of_a_wrong_candidate_exits_zero(perfforge_home):
    proc = cli("measure", "--task", str(EXAMPLES / "py-dedupe"), "--candidate", str(PLANTED / "dedupe_cached.py"),
               "--json", "-q", home=perfforge_home)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {"correct", "failures", "instructions", "time", "memory", "energy", "provenance"} <= set(data)
    assert data["correct"] is False
    assert data["failures"][0] == {"input": "stress scale=2000 #1", "reason": data["failures"][0]["reason"]}


@pytest.mark.docker
def test_cli_human_verdict_states_the_fallbacks(perfforge_home):
    proc = cli("measure", "-t", str(EXAMPLES / "py-dedupe"), "-c", str(PLANTED / "dedupe_fast.py"),
               "--metrics", "instructions,energy", "-q", home=perfforge_home)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("examples/py-dedupe: CORRECT")
    assert "instructions: baseline" in out and "fewer; valgrind-cachegrind" in out
    assert "(estimated)" in out
    assert "no hardware performance counters (no usable PMU): instructions counted with valgrind cachegrind" in out
    assert "energy estimated from CPU time and memory" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--task", "/nonexistent/task", "--candidate", "x.py"], "error: /nonexistent/task: no such task folder"),
        (["--task", str(EXAMPLES / "py-dedupe"), "--candidate", "/nonexistent.py"], "candidate file not found"),
        (["--task", str(EXAMPLES / "py-dedupe"), "--candidate", "x.py", "--metrics", "speed"], "unknown metric 'speed'"),
    ],
)
def test_cli_bad_input_one_line_exit_two(perfforge_home, args, message):
    proc = cli("measure", *args, "-q", home=perfforge_home)
    assert proc.returncode == 2
    assert message in proc.stderr and proc.stderr.count("error:") == 1 and proc.stdout == ""


def test_cli_malformed_task_names_file_and_field(perfforge_home, tmp_path):
    import shutil

    shutil.copytree(EXAMPLES / "py-dedupe", tmp_path / "t")
    toml = tmp_path / "t" / "task.toml"
    toml.write_text(toml.read_text().replace('function = "dedupe"', ""))
    proc = cli("measure", "-t", str(tmp_path / "t"), "-c", str(PLANTED / "dedupe_fast.py"), "-q", home=perfforge_home)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0] == f"error: {toml}: [interface] function: field required"


def test_a_kernel_task_without_its_table_is_one_clear_line(perfforge_home, tmp_path):
    import shutil

    shutil.copytree(EXAMPLES / "c-max-subarray", tmp_path / "t")
    toml = tmp_path / "t" / "task.toml"
    toml.write_text(toml.read_text().replace('kind = "perf-edit"', 'kind = "kernel"'))
    proc = cli("measure", "-t", str(tmp_path / "t"), "-c", str(PLANTED / "subarray_extra_output.c"), "-q",
               home=perfforge_home)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("error: ") and "needs a [kernel] table" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) <= 2


@pytest.mark.docker
def test_a_metric_that_cannot_be_taken_keeps_the_rest(box, perfforge_home):
    v = measure(example("py-dedupe"), PLANTED / "dedupe_dies_after_first_run.py",
                metrics=("instructions", "time"), sandbox=box)
    assert v.correct and v.instructions is None and v.time is None
    assert set(v.metric_errors) == {"instructions", "time"}
    assert "did not finish" in v.metric_errors["instructions"]
    proc = cli("measure", "-t", str(EXAMPLES / "py-dedupe"), "-c", str(PLANTED / "dedupe_dies_after_first_run.py"),
               "--metrics", "time", "-q", home=perfforge_home)
    assert proc.returncode == 2 and proc.stdout.startswith("examples/py-dedupe: CORRECT")
    assert proc.stderr.startswith("error: time could not be measured: a timing run of candidate did not finish")


@pytest.mark.docker
def test_a_program_patching_the_clock_gains_nothing(box):
    # the baseline's algorithm, with time.perf_counter frozen in its own process
    v = measure(example("py-dedupe"), PLANTED / "dedupe_stops_the_clock.py", metrics=("time",), sandbox=box)
    assert v.correct and v.time.candidate_median_s > 0.001
    assert not v.time.significant and v.time.speedup < 1.5, v.time
