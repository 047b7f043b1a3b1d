"""The bundled-suite registry: suites found as package data (never relative to the cwd),
tasks resolved by id, clear errors for unknown names."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import suites
from benchmarks.task import Task
from perfforge.errors import ConfigError

PERFFORGE = str(Path(sys.executable).with_name("perfforge"))


def test_suites_are_found_inside_the_package():
    import benchmarks

    assert suites.suites_root() == Path(benchmarks.__file__).resolve().parent / "suites"
    names = suites.suite_names()
    assert "examples" in names and names == sorted(names)


def test_every_bundled_task_loads_and_is_named_suite_slash_folder():
    for name in suites.suite_names():
        info = suites.suite_info(name)
        assert not info.problems, info.problems
        tasks = suites.suite_tasks(name)
        assert [t.id for t in tasks] == [f"{name}/{t.root.name}" for t in tasks]
        assert sum(info.kinds.values()) == info.size == len(tasks) > 0


def test_examples_suite_counts_by_kind():
    info = suites.suite_info("examples")
    assert info.size == 6 and info.kinds == {"codegen": 1, "perf-edit": 5}
    assert info.languages == {"c": 2, "python": 4}


def test_resolve_by_id_and_by_folder(tmp_path):
    task = suites.resolve_task("examples/py-dedupe")
    assert task.id == "examples/py-dedupe" and task.root.name == "py-dedupe"
    assert suites.resolve_task(task.root).id == task.id
    assert suites.resolve_task(task.root / "task.toml").id == task.id


@pytest.mark.parametrize("ref, message, hint", [
    ("examples/py-dedup", "suite 'examples' has no task 'py-dedup'", "did you mean examples/py-dedupe"),
    ("examples", "'examples' is a suite, not a task", "perfforge bench list examples"),
    ("no-such-thing", "no task 'no-such-thing'", "bundled suites: "),
])
def test_unknown_tasks_get_one_clear_error(ref, message, hint):
    with pytest.raises(ConfigError) as err:
        suites.resolve_task(ref)
    assert message in err.value.message and hint in (err.value.hint or "")


def test_unknown_suite_lists_the_valid_ones():
    with pytest.raises(ConfigError) as err:
        suites.suite_tasks("exampels")
    assert "unknown suite 'exampels'" in err.value.message
    assert "examples" in err.value.message.split("bundled suites: ")[1]
    assert err.value.hint == "did you mean 'examples'?"


def test_a_malformed_task_is_left_out_and_named(tmp_path, monkeypatch):
    root = tmp_path / "suites"
    good = suites.suites_root() / "examples" / "py-dedupe"
    for name in ("good", "bad"):
        (root / "mine" / name).mkdir(parents=True)
        for f in good.iterdir():
            (root / "mine" / name / f.name).write_bytes(f.read_bytes())
    for name in ("good", "bad"):
        toml = root / "mine" / name / "task.toml"
        toml.write_text(toml.read_text().replace('id = "examples/py-dedupe"', f'id = "mine/{name}"'))
    bad = root / "mine" / "bad" / "task.toml"
    bad.write_text(bad.read_text().replace('function = "dedupe"', 'function = "not a name"'))
    monkeypatch.setattr(suites, "suites_root", lambda: root)
    suites._load_suite.cache_clear()
    try:
        info = suites.suite_info("mine")
        assert info.task_ids == ("mine/good",)
        assert len(info.problems) == 1 and "bad/task.toml: [interface] function" in info.problems[0]
        with pytest.raises(Exception) as err:
            suites.suite_tasks("mine")
        assert "[interface] function" in str(err.value)
    finally:
        suites._load_suite.cache_clear()


def test_cli_finds_the_suites_from_a_folder_with_its_own_benchmarks_package(tmp_path):
    # a user's repository with a benchmarks/ package of its own must not shadow ours
    fake = tmp_path / "benchmarks" / "suites" / "decoy" / "t"
    fake.mkdir(parents=True)
    (tmp_path / "benchmarks" / "__init__.py").write_text("raise ImportError('the wrong benchmarks package')\n")
    (fake / "task.toml").write_text("not toml at all [")
    out = subprocess.run([PERFFORGE, "bench", "list", "--json"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    listed = {row["suite"]: row for row in json.loads(out.stdout)}
    assert "decoy" not in listed and listed["examples"]["tasks"] == 6
    assert Path(listed["examples"]["path"]) == suites.suites_root() / "examples"
    shown = subprocess.run([PERFFORGE, "bench", "show", "examples/py-count-primes", "--json"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    info = json.loads(shown.stdout)
    assert info["kind"] == "codegen" and len(info["references"]) == 3
    assert Task.load(info["path"]).id == "examples/py-count-primes"
