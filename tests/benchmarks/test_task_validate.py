"""``validate``: sound tasks pass; each kind of unsound task is caught with its reason."""

import shutil
import subprocess
import sys
import os

import pytest

from benchmarks.task import Task
from evaluators.measure import validate
from tests.evaluators.measure_fixtures import EXAMPLES, box, perfforge_home  # noqa: F401

pytestmark = pytest.mark.docker


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.iterdir() if (p / "task.toml").is_file()))
def test_every_example_task_validates(box, name):
    report = validate(EXAMPLES / name, sandbox=box)
    assert report.ok, report.problems
    counts = [facts["instructions"] for facts in report.programs.values()]
    assert counts == sorted(counts, reverse=True) and all(c > 0 for c in counts)
    assert report.stress_inputs >= 2 and report.scale >= 1 and report.provenance.stress_key


def copy_example(tmp_path, name):
    dest = tmp_path / name
    shutil.copytree(EXAMPLES / name, dest)
    return dest


def test_generator_breaking_its_contract(box, tmp_path):
    folder = copy_example(tmp_path, "py-dedupe")
    (folder / "generate.py").write_text(
        "def generate(scale, rng):\n"
        "    return ([str(rng.randrange(9)) for _ in range(scale)],)\n\n"
        "def contract(items):\n"
        "    assert all(type(x) is int for x in items), 'items must be ints'\n"
    )
    report = validate(folder, sandbox=box, count=False)
    assert not report.ok
    assert "[stress] generator: an input at scale 2000 violates its contract" in report.problems[0]
    assert "items must be ints" in report.problems[0]


def test_ramp_checks_the_contract_at_every_scale(box, tmp_path):
    folder = copy_example(tmp_path, "c-max-subarray")
    (folder / "generate.py").write_text(
        "def generate(scale, rng):\n"
        "    n = scale if scale < 1024 else scale + 1  # lies about its length from 1024 on\n"
        "    return f'{n}\\n' + ' '.join('1' for _ in range(scale)) + '\\n'\n\n"
        "def contract(text):\n"
        "    head, *rest = text.split()\n"
        "    assert int(head) == len(rest)\n"
    )
    toml = folder / "task.toml"  # a budget never reached: the ramp goes up to max_scale whatever the load
    toml.write_text(toml.read_text().replace("budget_s = 0.02", "budget_s = 30"))
    report = validate(folder, sandbox=box, count=False)
    assert not report.ok and "an input at scale 1024 violates its contract" in report.problems[0], report.problems


def test_assert_in_the_oracle_counts_as_a_contract(box, tmp_path):
    folder = copy_example(tmp_path, "py-count-primes")
    naive = folder / "ref_naive.py"
    naive.write_text("def count_primes(n):\n    assert n < 700, 'n too large'\n" + naive.read_text().split("\n", 1)[1])
    report = validate(folder, sandbox=box, count=False)
    assert not report.ok
    assert "violates a contract (the oracle's assert failed: n too large)" in report.problems[0]


def test_wrong_reference_is_reported(box, tmp_path):
    folder = copy_example(tmp_path, "py-dedupe")
    (folder / "reference_set.py").write_text("def dedupe(items):\n    return sorted(set(items))\n")
    report = validate(folder, sandbox=box, count=False)
    assert not report.ok
    assert any(p.startswith("reference:linear on test 0: wrong result") for p in report.problems), report.problems


def test_baseline_disagreeing_with_a_stated_answer(box, tmp_path):
    folder = copy_example(tmp_path, "c-inversions")
    toml = folder / "task.toml"
    toml.write_text(toml.read_text().replace('stdout = "3\\n"', 'stdout = "4\\n"'))
    report = validate(folder, sandbox=box, count=False)
    assert any(p.startswith("baseline on test 0: wrong output") for p in report.problems), report.problems


def test_references_out_of_order_or_too_close():
    from evaluators.instructions import InstructionCount
    from evaluators.measure import ordering_problems
    from evaluators.programs import task_programs

    task = Task.load(EXAMPLES / "py-count-primes")  # separation 0.5
    programs = task_programs(task)

    def counts(*values):
        return {p.slot: InstructionCount(instructions=v, gross=v, empty=0) for p, v in zip(programs, values)}

    assert ordering_problems(task, programs, counts(1000, 400, 100)) == []
    too_close = ordering_problems(task, programs, counts(1000, 600, 100))
    assert len(too_close) == 1 and "required margin 50% (gap 40.0%)" in too_close[0]
    assert "trial division up to the square root (600 instructions)" in too_close[0]
    swapped = ordering_problems(task, programs, counts(1000, 100, 400))
    assert len(swapped) == 1 and "sieve of Eratosthenes (400 instructions) is not below" in swapped[0]


def test_cli_validate_exit_codes(perfforge_home, tmp_path):
    env = {**os.environ, "PERFFORGE_HOME": str(perfforge_home)}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "perfforge.cli", "task", "validate", *args, "-q"],
                              capture_output=True, text=True, env=env, timeout=600)

    ok = run(str(EXAMPLES / "c-inversions"))
    assert ok.returncode == 0 and ok.stdout.startswith("examples/c-inversions: OK"), ok.stderr
    folder = copy_example(tmp_path, "py-dedupe")
    (folder / "reference_set.py").write_text("def dedupe(items):\n    return sorted(set(items))\n")
    bad = run(str(folder), "--no-count")
    assert bad.returncode == 1 and "problem: reference:linear on test 0" in bad.stdout
    (folder / "task.toml").write_text("schema = 1\n")
    broken = run(str(folder))
    assert broken.returncode == 2 and broken.stderr.startswith(f"error: {folder / 'task.toml'}: ")
