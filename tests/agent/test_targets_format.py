"""The task format's fields for a function of a package: ``[interface] module`` and ``path``."""

from __future__ import annotations

import pytest

from benchmarks.task import Task
from perfforge.errors import TaskError


def write(folder, interface: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "core.py").write_text("from .util import key\n\ndef f(x):\n    return key(x)\n")
    (folder / "cases.py").write_text("CASES = [{'args': [1]}]\n")
    (folder / "stress.py").write_text("INPUTS = [(2,)]\n")
    (folder / "task.toml").write_text(f"""
schema = 1
id = "t/pkg"
kind = "perf-edit"
language = "python"
title = "t"
candidate = "core.py"
baseline = "core.py"
[interface]
type = "python-function"
function = "f"
{interface}
[tests]
file = "cases.py"
[stress]
file = "stress.py"
""")


def test_module_and_path_load(tmp_path):
    write(tmp_path / "t", 'module = "pkg.core"\npath = ["support"]')
    (tmp_path / "t" / "support" / "pkg").mkdir(parents=True)
    task = Task.load(tmp_path / "t")
    assert task.spec.interface.module == "pkg.core" and task.spec.interface.path == ["support"]


@pytest.mark.parametrize("interface, message", [
    ('module = "pkg.core"\npath = ["support"]', "[interface] path: folder 'support' not found"),
    ('module = "pkg..core"', "[interface] module"),
    ('path = ["../outside"]', "[interface] path"),
])
def test_bad_module_or_path_is_refused(tmp_path, interface, message):
    write(tmp_path / "t", interface)
    with pytest.raises(TaskError) as err:
        Task.load(tmp_path / "t")
    assert message in err.value.message


def test_the_harness_job_names_the_module_and_the_empty_run_imports_the_oracle(tmp_path):
    from evaluators.programs import Workspace, task_programs

    write(tmp_path / "t", 'module = "pkg.core"\npath = ["support"]')
    (tmp_path / "t" / "support" / "pkg").mkdir(parents=True)
    task = Task.load(tmp_path / "t")
    ws = Workspace(task, None, task_programs(task), description={})
    job = ws.job("base", "inputs.json")
    assert (job["module_name"], job["sys_path"], job["module"]) == ("pkg.core", ["task/support"], "base/core.py")
    # importing the package costs the same in the empty run: it imports the oracle, calls nothing
    assert ws._empty_source() == (tmp_path / "t" / "core.py").read_bytes()
