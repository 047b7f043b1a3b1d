"""``perfforge bench`` end to end through the real command line: listing, import, and the
evaluation of COFFE and PIE fixtures in the real sandbox with scores computed by hand."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import suites

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PERFFORGE = str(Path(sys.executable).with_name("perfforge"))


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("perfforge-home")


def pf(home, *args, timeout=1800, cwd=None):
    env = dict(os.environ, PERFFORGE_HOME=str(home))
    return subprocess.run([PERFFORGE, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)


def rows(home, run_id):
    with sqlite3.connect(home / "runs.sqlite") as db:
        found = db.execute("SELECT key, payload FROM results WHERE run_id = ? ORDER BY key", (run_id,)).fetchall()
    return {key: json.loads(payload) for key, payload in found}


# --- list, show, import ----------------------------------------------------------------------------


def test_list_and_show(home):
    out = pf(home, "bench", "list")
    assert out.returncode == 0, out.stderr
    line = next(li for li in out.stdout.splitlines() if li.startswith("examples "))
    assert "6 tasks" in line and "codegen 1, perf-edit 5" in line
    tasks = json.loads(pf(home, "bench", "list", "examples", "--json").stdout)
    assert {t["id"] for t in tasks} >= {"examples/py-dedupe", "examples/py-count-primes"}
    shown = pf(home, "bench", "show", "examples/py-count-primes")
    assert shown.returncode == 0
    assert "kind        codegen (python)" in shown.stdout
    assert "references  3, slowest first: trial division by every smaller number (ref_naive.py)" in shown.stdout
    stress = suites.resolve_task("examples/py-count-primes").spec.stress
    assert f"stress      generator generate.py, scale {stress.scale}, inputs {stress.inputs}, seed {stress.seed}" in shown.stdout
    missing = pf(home, "bench", "show", "examples/py-dedup")
    assert missing.returncode == 2
    assert missing.stderr.splitlines()[0] == "error: suite 'examples' has no task 'py-dedup'"


@pytest.mark.docker
def test_evalperf_fixture_imported_and_validated(home, tmp_path):
    out = pf(home, "bench", "import", "--format", "evalperf", FIXTURES / "evalperf" / "evalperf.jsonl", "--out", tmp_path / "tasks")
    assert out.returncode == 0, out.stderr
    assert f"2 task(s) from {FIXTURES / 'evalperf' / 'evalperf.jsonl'} into {tmp_path / 'tasks'}" in out.stdout
    for folder in ("humaneval-900", "mbpp-901"):
        checked = pf(home, "task", "validate", "-q", tmp_path / "tasks" / folder)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert ": OK" in checked.stdout.splitlines()[0]
    shown = json.loads(pf(home, "bench", "show", tmp_path / "tasks" / "humaneval-900", "--json").stdout)
    assert shown["stress"] == {"file": "stress.py"} and len(shown["references"]) == 3


def test_import_bad_inputs_get_clear_messages(home, tmp_path):
    unknown = pf(home, "bench", "import", "--format", "humaneval", FIXTURES / "evalperf")
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines()[0].startswith("error: unknown format 'humaneval'; valid: coffe, evalperf, ")
    missing = pf(home, "bench", "import", "--format", "pie", tmp_path / "nowhere.jsonl")
    assert missing.returncode == 2 and f"error: {tmp_path / 'nowhere.jsonl'}: no such file or folder" in missing.stderr
    good = (FIXTURES / "evalperf" / "evalperf.jsonl").read_text().splitlines()
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join([good[0], '{"task_id": "HumanEval/1", "oops"', good[1]]) + "\n")
    out = pf(home, "bench", "import", "--format", "evalperf", mixed, "--out", tmp_path / "out")
    assert out.returncode == 1
    assert "refused: mixed.jsonl: line 2: not valid JSON (column 34: Expecting ':' delimiter)" in out.stderr
    assert "2 task(s) from" in out.stdout and "1 record(s) refused" in out.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["humaneval-900", "mbpp-901"]
    coffe = tmp_path / "coffe"
    coffe.mkdir()
    for name in ("best_solutions.json", "testcases.json", "stressful_testcases.json"):
        (coffe / name).write_bytes((FIXTURES / "coffe" / name).read_bytes())
    (coffe / "testcases.json").write_text('{"x": [1,]}')
    broken = pf(home, "bench", "import", "--format", "coffe", coffe)
    assert broken.returncode == 2
    assert broken.stderr.splitlines()[0] == f"error: {coffe / 'testcases.json'}: not valid JSON: line 1 column 10: Expecting value"


# --- evaluate: COFFE and PIE fixtures, scores by hand -------------------------------------------------


def evaluate_json(home, *args):
    out = pf(home, "bench", "evaluate", *args, "--json", "--quiet")
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert f"run {report['run_id']} (new;" in out.stderr
    return report, rows(home, report["run_id"])


@pytest.mark.docker
def test_coffe_fixture_end_to_end(home):
    report, stored = evaluate_json(home, "--data", FIXTURES / "coffe", "--format", "coffe",
                                   "--samples", FIXTURES / "coffe-predictions.json")
    by_fn = {p["task_id"].split("/")[1].rsplit("-", 1)[0]: p for p in stored.values()}
    assert set(by_fn) == {"sum_to", "count_vowels", "max_gap", "stdin"} and len(stored) == 4
    fast, same, wrong, stdin = by_fn["sum_to"], by_fn["count_vowels"], by_fn["max_gap"], by_fn["stdin"]
    # the closed form is correct and cheaper than the best solution's loop
    assert fast["correct"] and fast["efficient"] and fast["instructions"] < fast["references"]["best"]
    # a copy of the best solution counts exactly as the best solution: correct, not faster
    for copy in (same, stdin):
        assert copy["correct"] and not copy["efficient"] and copy["speedup"] == 1.0
        assert copy["instructions"] == copy["references"]["best"]
    assert not wrong["correct"] and [f["input"] for f in wrong["failures"]] == ["test 2", "stress #0"]
    scores = report["scores"]
    assert scores["pass_at_1"] == 75.0  # 3 of 4 prompts, one sample each
    assert scores["efficient_at_1"] == 25.0  # only the closed form beats the best solution
    # COFFE's speedup: the references' counts over the candidates' counts, summed over correct samples
    ref = fast["references"]["best"] + same["references"]["best"] + stdin["references"]["best"]
    cand = fast["instructions"] + same["instructions"] + stdin["instructions"]
    assert scores["coffe_speedup"] == pytest.approx(ref / cand, rel=1e-12)
    assert 1.0 < scores["coffe_speedup"] < fast["references"]["best"] / fast["instructions"]
    assert report["headline"] == ["pass_at_1", "efficient_at_1", "coffe_speedup"]
    assert all(p["model"] == "coffe-predictions" and p["suite"] == "coffe" and p["format"] == "coffe"
               for p in stored.values())


@pytest.mark.docker
def test_pie_fixture_end_to_end(home):
    out = pf(home, "bench", "evaluate", "--data", FIXTURES / "pie" / "pairs.jsonl", "--format", "pie",
             "--samples", FIXTURES / "pie-samples.jsonl", "--quiet")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "t = instructions, standing in for gem5's time" in out.stdout
    run_id = out.stderr.split("run ", 1)[1].split()[0]
    stored = rows(home, run_id)
    target, wrong, same = (stored[f"pie/p0000{i}#0"] for i in (1, 2, 3))
    # p00001: the sample is the fast target program: the speedup is slow/target exactly
    assert target["correct"] and target["instructions"] == target["references"]["target"]
    r1 = target["baseline_instructions"] / target["references"]["target"]
    assert r1 >= 2 and target["speedup"] == pytest.approx(r1, rel=1e-12)
    # p00002: a wrong program counts as infinitely slow; p00003: the slow program itself, speedup 1
    assert not wrong["correct"] and wrong["failures"][0]["input"] == "test 1"
    assert same["correct"] and same["speedup"] == 1.0
    report = json.loads(pf(home, "bench", "evaluate", "--data", FIXTURES / "pie" / "pairs.jsonl", "--format", "pie",
                           "--samples", FIXTURES / "pie-samples.jsonl", "--resume", run_id, "--json", "-q").stdout)
    scores = report["scores"]
    assert report["evaluated"] == 0 and report["resumed"] == 3  # everything was already in the run
    assert scores["pie_pct_correct"] == pytest.approx(200 / 3)
    assert scores["pie_pct_opt"] == pytest.approx({"1.1": 100 / 3, "1.25": 100 / 3, "1.5": 100 / 3, "2": 100 / 3})
    assert scores["pie_speedup"] == pytest.approx((r1 + 1 + 1) / 3, rel=1e-12)
    assert scores["pass_at_1"] == pytest.approx(200 / 3)


# --- evaluate: bad input --------------------------------------------------------------------------------


def test_evaluate_argument_errors(home, tmp_path):
    both = pf(home, "bench", "evaluate", "--suite", "examples", "--data", FIXTURES / "coffe", "--samples", "references")
    assert both.returncode == 2 and "error: give either --suite NAME or --data PATH --format F" in both.stderr
    no_format = pf(home, "bench", "evaluate", "--data", FIXTURES / "coffe", "--samples", "references")
    assert no_format.returncode == 2 and "error: --data needs --format (evalperf, coffe, pie, hpctranseval, kernelbench)" in no_format.stderr
    no_file = pf(home, "bench", "evaluate", "--suite", "examples", "--samples", tmp_path / "none.jsonl")
    assert no_file.returncode == 2 and f"error: {tmp_path / 'none.jsonl'}: no such samples file" in no_file.stderr
    junk = tmp_path / "junk.jsonl"
    junk.write_text('{"task_id": "examples/nope", "solution": "x"}\nnot json\n')
    useless = pf(home, "bench", "evaluate", "--suite", "examples", "--samples", junk)
    assert useless.returncode == 2
    assert f"error: {junk}: no usable samples (2 bad line(s))" in useless.stderr
    assert "hint: junk.jsonl: line 1: unknown task 'examples/nope'" in useless.stderr
    unknown = pf(home, "bench", "evaluate", "--suite", "exampels", "--samples", "references")
    assert unknown.returncode == 2 and "error: unknown suite 'exampels'; bundled suites: " in unknown.stderr


FAST = "def dedupe(items):\n    return list(dict.fromkeys(items))\n"


@pytest.mark.docker
def test_bad_sample_lines_are_reported_and_the_rest_evaluated(home, tmp_path):
    samples = tmp_path / "samples.jsonl"
    samples.write_text("\n".join([
        json.dumps({"task_id": "examples/py-dedupe", "solution": f"```python\n{FAST}```"}),
        '{"task_id": "examples/py-dedupe", "solution": ',
        json.dumps({"task_id": "examples/no-such-task", "solution": FAST}),
        json.dumps({"task_id": "examples/py-dedupe", "solution": "def dedupe(items):\n    return items\n"}),
    ]) + "\n")
    out = pf(home, "bench", "evaluate", "--suite", "examples", "--samples", samples, "--model", "mine", "-q")
    assert out.returncode == 1, out.stdout + out.stderr  # evaluated, but lines were left out
    assert "warning: samples.jsonl: line 2: not valid JSON (column 47: Expecting value)" in out.stderr
    assert "warning: samples.jsonl: line 3: unknown task 'examples/no-such-task'" in out.stderr
    assert "5 task(s) have no samples and are not scored" in out.stderr
    assert "examples/py-dedupe: 1/2 correct" in out.stdout and "pass@1" in out.stdout and "50.0%" in out.stdout
    run_id = out.stderr.split("run ", 1)[1].split()[0]
    stored = rows(home, run_id)
    assert sorted(stored) == ["examples/py-dedupe#0", "examples/py-dedupe#1"]
    assert stored["examples/py-dedupe#0"]["correct"] and not stored["examples/py-dedupe#1"]["correct"]
    assert stored["examples/py-dedupe#0"]["model"] == "mine"
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"task_id": "examples/py-dedupe", "solution": FAST}) + "\n")
    mismatch = pf(home, "bench", "evaluate", "--suite", "examples", "--samples", other, "--model", "mine", "--resume", run_id)
    assert mismatch.returncode == 2 and f"error: run {run_id} evaluated a different input (samples_sha256" in mismatch.stderr


@pytest.mark.docker
def test_ctrl_c_keeps_the_verdicts_and_resume_finishes(home, tmp_path):
    samples = tmp_path / "three.jsonl"
    variants = [FAST, FAST.replace("items", "xs"), FAST.replace("items", "values")]
    samples.write_text("".join(json.dumps({"task_id": "examples/py-dedupe", "solution": v}) + "\n" for v in variants))
    env = dict(os.environ, PERFFORGE_HOME=str(home))
    proc = subprocess.Popen([PERFFORGE, "bench", "evaluate", "--suite", "examples", "--samples", samples, "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 900
    run_id = None
    try:
        while time.monotonic() < deadline:
            time.sleep(1)
            with sqlite3.connect(home / "runs.sqlite") as db:
                found = db.execute("SELECT r.id, COUNT(x.key) FROM runs r LEFT JOIN results x ON x.run_id = r.id "
                                   "WHERE r.config LIKE ? GROUP BY r.id", (f"%{samples.name}%",)).fetchall()
            if found and found[0][1] >= 1:
                run_id = found[0][0]
                break
        assert run_id, "no verdict was written"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert f"finish it with the same command and --resume {run_id}" in err
    kept = rows(home, run_id)
    assert 1 <= len(kept) <= 3
    done = pf(home, "bench", "evaluate", "--suite", "examples", "--samples", samples, "--resume", run_id, "--json", "-q")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["resumed"] == len(kept) and report["evaluated"] == 3 - len(kept)
    final = rows(home, run_id)
    assert sorted(final) == [f"examples/py-dedupe#{i}" for i in range(3)]
    assert all(final[k] == v for k, v in kept.items())  # nothing measured before the interrupt was lost or redone
    assert report["scores"]["pass_at_1"] == 100.0
    with sqlite3.connect(home / "runs.sqlite") as db:
        assert db.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()[0] == "done"
