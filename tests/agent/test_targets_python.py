"""A function of a throwaway package, recorded from its tests in the real sandbox, becomes a
task that ``perfforge task validate`` accepts and ``perfforge measure`` judges."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.targets import touches_only
from agent.targets.grow import GrowParams
from agent.targets.python_function import python_task
from evaluators.measure import measure
from perfforge.errors import ConfigError
from tests.evaluators.measure_fixtures import box, perfforge_home  # noqa: F401 - fixtures

pytestmark = pytest.mark.docker

UTIL = '''def norm(x):
    return x.lower() if isinstance(x, str) else x
'''

STATS = '''"""Statistics of a shop."""
from .util import norm


def distinct_keys(items):
    out = []
    for x in items:
        k = norm(x)
        if k not in out:
            out.append(k)
    return out


def other(x):
    return x + 1


def unused(x):
    return x
'''

TESTS = '''from shop import distinct_keys
from shop.stats import other


def test_small():
    assert distinct_keys([3, 1, 3]) == [3, 1]


def test_strings():
    assert distinct_keys(["B", "a", "b"]) == ["b", "a"]


def test_big():
    assert distinct_keys(list(range(300)) * 2) == list(range(300))


def test_keywords():
    assert distinct_keys(items=[2, 2]) == [2]


def test_other():
    assert other(1) == 2


def test_unused_is_never_called():
    assert other(2) == 3  # unused: only named here
'''

SLOW_LOOP = """    out = []
    for x in items:
        k = norm(x)
        if k not in out:
            out.append(k)
"""
FAST_LOOP = """    seen = set()
    out = []
    for x in items:
        k = norm(x)
        if k not in seen:
            seen.add(k)
            out.append(k)
"""
FAST = STATS.replace(SLOW_LOOP, FAST_LOOP)
# faster, and wrong only on short lists (a "fast path" that loses the order): every grown
# stress input is long, so only recorded calls can catch it
SHORT_PATH = FAST.replace("    seen = set()\n", "    if len(items) <= 3:\n        return sorted(set(map(norm, items)))\n"
                          "    seen = set()\n")
# faster, right answers, but it empties the caller's list
MUTATES = FAST.replace("    return out\n\n\ndef other", "    items.clear()\n    return out\n\n\ndef other")


def make_repo(root: Path, stats: str = STATS, tests: str = TESTS) -> Path:
    (root / "shop").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "0"\n')
    (root / "shop" / "__init__.py").write_text("from .stats import distinct_keys\n")
    (root / "shop" / "util.py").write_text(UTIL)
    (root / "shop" / "stats.py").write_text(stats)
    (root / "tests" / "test_stats.py").write_text(tests)
    return root


SMALL = GrowParams(budget_s=0.03, total_s=40)


@pytest.fixture(scope="module")
def made(tmp_path_factory, box):
    root = make_repo(tmp_path_factory.mktemp("shop") / "repo")
    return python_task(root / "shop" / "stats.py", "distinct_keys", sandbox=box, params=SMALL,
                       work=tmp_path_factory.mktemp("targets"))


def cli(*args: str, home: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PERFFORGE_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "perfforge.cli", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def test_recorded_calls_become_the_tests_and_grown_inputs_the_stress(made):
    task, info = made.task, made.info
    assert task.spec.interface.module == "shop.stats" and task.spec.baseline == "shop/stats.py"
    assert (info["calls"], info["distinct_calls"], info["pytest"]) == (4, 4, "6 passed")
    cases = json.loads((task.root / "_perfforge" / "recorded.json").read_text())
    assert [c["name"] for c in cases] == ["recorded #0 (tests/test_stats.py::test_small)",
                                          "recorded #1 (tests/test_stats.py::test_strings)",
                                          "recorded #2 (tests/test_stats.py::test_big)",
                                          "recorded #3 (tests/test_stats.py::test_keywords)"]
    assert cases[3]["kwargs"] == {"items": [2, 2]}
    assert info["calling_tests"] == [f"tests/test_stats.py::test_{n}" for n in ("small", "strings", "big", "keywords")]
    assert info["stress"] and all(s["factor"] >= 2 for s in info["stress"]) and not info["stress_note"]
    # the package's other modules are support files; the target itself is only the baseline
    support = sorted(p.relative_to(task.root / "_perfforge" / "support").as_posix()
                     for p in (task.root / "_perfforge" / "support").rglob("*.py"))
    assert support == ["shop/__init__.py", "shop/util.py"]


def test_perfforge_task_validate_accepts_it(made, perfforge_home):
    done = cli("task", "validate", str(made.task.root), "--json", home=perfforge_home)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"], report["problems"]
    assert report["tests"] == 4 and report["stress_inputs"] == len(made.info["stress"])
    assert report["programs"]["baseline"]["instructions"] > 1_000_000


def test_a_correct_faster_candidate_passes_with_a_speedup(made, perfforge_home, tmp_path):
    candidate = tmp_path / "stats.py"
    candidate.write_text(FAST)
    done = cli("measure", "--task", str(made.task.root), "--candidate", str(candidate), "--metrics", "instructions",
               "--json", "-q", home=perfforge_home)
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["correct"], verdict["failures"]
    assert verdict["instructions"]["speedup"] > 3
    assert touches_only(STATS, FAST, "distinct_keys") == (True, [])


def test_a_candidate_wrong_only_on_a_recorded_input_fails(made, box):
    verdict = measure(made.task, SHORT_PATH.encode(), metrics=(), sandbox=box)
    assert not verdict.correct
    assert [f.input for f in verdict.failures] == ["recorded #0 (tests/test_stats.py::test_small)",
                                                   "recorded #1 (tests/test_stats.py::test_strings)"]
    assert all("wrong result" in f.reason for f in verdict.failures)


def test_a_candidate_that_mutates_its_argument_fails(made, box):
    verdict = measure(made.task, MUTATES.encode(), metrics=(), sandbox=box)
    assert not verdict.correct and verdict.failures
    assert all("arguments" in f.reason for f in verdict.failures)


def test_an_edit_of_another_function_is_flagged():
    ok, reasons = touches_only(STATS, FAST.replace("return x + 1", "return 1 + x"), "distinct_keys")
    assert not ok and reasons == ["changes original line 14: `def other(x):`"]


def test_the_same_files_give_the_same_task_without_running_anything(made):
    again = python_task(made.info["file"], "distinct_keys", params=SMALL, work=made.task.root.parent,
                        backend="no-such-backend")  # a sandbox would be refused: none is opened
    assert again.cached and again.task.root == made.task.root


# --- bad input: one clear error each ----------------------------------------------------------


def test_a_third_party_module_missing_from_the_image_is_named(tmp_path, box):
    root = make_repo(tmp_path / "repo", stats="import perfforge_missing_dep\n" + STATS)
    with pytest.raises(ConfigError) as err:
        python_task(root / "shop" / "stats.py", "distinct_keys", sandbox=box, work=tmp_path / "t")
    assert ("shop/stats.py does not import in the sandbox: ModuleNotFoundError: No module named "
            "'perfforge_missing_dep': 'perfforge_missing_dep' is a third-party module the sandbox image lacks"
            ) == err.value.message


def test_tests_that_never_call_the_function(tmp_path, box):
    root = make_repo(tmp_path / "repo")
    with pytest.raises(ConfigError) as err:
        python_task(root / "shop" / "stats.py", "unused", sandbox=box, work=tmp_path / "t")
    assert err.value.message == ("the tests never called shop.stats.unused (pytest tests/test_stats.py: 6 passed)")


def test_calls_with_arguments_the_codec_cannot_carry_are_counted(tmp_path, box):
    tests = TESTS + '''

class Box:
    pass


def test_objects():
    box = Box()
    assert other(1) == 2 and distinct_keys([box, box]) == [box]
'''
    root = make_repo(tmp_path / "repo", tests=tests)
    made = python_task(root / "shop" / "stats.py", "distinct_keys", sandbox=box, params=SMALL, work=tmp_path / "t")
    assert made.info["calls"] == 5 and made.info["distinct_calls"] == 4
    assert made.info["not_recorded"] == {"values of type test_stats.Box": 1}
    assert made.info["calling_tests"][-1] == "tests/test_stats.py::test_objects"  # its call was not recorded


def test_a_function_of_a_package_init_with_relative_imports(tmp_path, box):
    root = tmp_path / "repo"
    (root / "geo" / "shapes").mkdir(parents=True)
    (root / "setup.py").write_text("")
    (root / "geo" / "__init__.py").write_text(
        "from .shapes.area import square\n\n\ndef total(sides):\n    return sum(square(s) for s in sides)\n")
    (root / "geo" / "shapes" / "__init__.py").write_text("")
    (root / "geo" / "shapes" / "area.py").write_text("def square(s):\n    return s * s\n")
    (root / "test_geo.py").write_text("from geo import total\n\n\ndef test_total():\n    assert total([1, 2]) == 5\n")
    made = python_task(root / "geo" / "__init__.py", "total", sandbox=box, params=SMALL, work=tmp_path / "t")
    assert (made.task.spec.interface.module, made.task.spec.candidate) == ("geo", "__init__.py")
    faster = "from .shapes.area import square\n\n\ndef total(sides):\n    return sum(s * s for s in sides)\n"
    assert measure(made.task, faster.encode(), metrics=(), sandbox=box).correct
    wrong = faster.replace("s * s", "s + s")
    assert not measure(made.task, wrong.encode(), metrics=(), sandbox=box).correct


def test_the_profiler_imports_a_module_of_a_package_too(made, box):
    from agent.profile import profile_program

    profile = profile_program(made.task, made.task.read(made.task.spec.baseline), sandbox=box)
    assert not profile.notes, profile.notes
    assert profile.functions[0].name == "distinct_keys" and profile.functions[0].where.startswith("stats.py:")
    assert any("if k not in out" in line.text for line in profile.lines)
