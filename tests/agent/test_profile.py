"""Profiles: the hot function and the hot line are found, for Python and for C."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from agent.profile import Profile, fill_from_callgrind, parse_callgrind, profile_program
from benchmarks.task import Task
from tests.agent.loop_fixtures import EXAMPLES, box, perfforge_home  # noqa: F401

HOT_C = """#include <stdio.h>
__attribute__((noinline)) static long slow(int n) {
    long s = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            s += (i ^ j) & 7;
    return s;
}
__attribute__((noinline)) static long quick(int n) { return n * 2L; }
int main(void) {
    printf("%ld %ld\\n", slow(600), quick(600));
    return 0;
}
"""


def run_callgrind(tmp_path) -> str:
    if not shutil.which("valgrind") or not shutil.which("gcc"):
        pytest.skip("valgrind and gcc are needed on the host")
    (tmp_path / "hot.c").write_text(HOT_C)
    subprocess.run(["gcc", "-g", "-O1", "-o", str(tmp_path / "hot"), str(tmp_path / "hot.c")], check=True, timeout=60)
    out = tmp_path / "cg.out"
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--compress-strings=no",
                    "--compress-pos=no", str(tmp_path / "hot")], check=True, timeout=120, capture_output=True)
    return out.read_text()


def test_callgrind_output_is_read_per_function_and_line(tmp_path):
    text = run_callgrind(tmp_path)
    cg = parse_callgrind(text)
    assert cg.total > 360_000 * 3  # 600 x 600 inner iterations, a few instructions each
    assert sum(cg.own.values()) == cg.total  # every instruction is some function's own
    profile = fill_from_callgrind(Profile(subject="t", method="callgrind", unit="instructions"), text, "hot.c",
                                  HOT_C.splitlines())
    top = profile.functions[0]
    assert top.name == "slow" and top.self_share > 0.9 and top.where.startswith("hot.c:")
    assert profile.lines[0].text in ("s += (i ^ j) & 7;", "for (int j = 0; j < n; j++)")
    assert sum(line.share for line in profile.lines) > 0.9
    main = next(key for key in cg.own if key[1] == "main")
    assert cg.own[main] < 0.01 * cg.total and cg.own[main] + cg.called[main] > 0.9 * cg.total  # main calls slow


def test_a_handwritten_callgrind_file_with_inlined_code_and_calls():
    text = "\n".join([
        "events: Ir", "fl=/w/a.c", "fn=main", "10 5", "cfn=work", "calls=3 20", "11 900", "12 5",
        "fn=work", "20 100", "fi=/usr/include/x.h", "3 800", "fe=/w/a.c", "21 0", "totals: 1810",
    ])
    cg = parse_callgrind(text)
    assert cg.total == 1810 and cg.calls["work"] == 3
    assert cg.own[("/w/a.c", "main")] == 10 and cg.called[("/w/a.c", "main")] == 900
    assert cg.own[("/w/a.c", "work")] == 900 and cg.lines[("/usr/include/x.h", 3)] == 800


@pytest.mark.docker
def test_python_function_profile_finds_the_quadratic_line(box):
    task = Task.load(EXAMPLES / "py-dedupe")
    profile = profile_program(task, task.read("baseline.py"), sandbox=box)
    assert profile.unit == "seconds" and profile.total > 0 and not profile.notes
    assert profile.functions[0].name == "dedupe" and profile.functions[0].where == "solution.py:1"
    hot = profile.lines[0]
    assert hot.text == "if item not in out:" and hot.share > 0.5 and hot.hits == 2000


@pytest.mark.docker
def test_python_process_profile_and_a_program_that_fails(box):
    task = Task.load(EXAMPLES / "py-word-freq")
    profile = profile_program(task, task.read("baseline.py"), sandbox=box)
    assert any("count" in line.text for line in profile.lines[:2])
    broken = profile_program(task, b"import sys\nraise SystemError('nope')\n", sandbox=box)
    assert broken.notes and "nope" in broken.notes[0]


@pytest.mark.docker
def test_c_function_profile_in_the_sandbox(box):
    task = Task.load(EXAMPLES / "c-max-subarray")
    profile = profile_program(task, task.read("baseline.c"), sandbox=box)
    assert profile.unit == "instructions" and profile.total > 0
    assert profile.functions[0].name == "max_subarray"
    assert profile.lines[0].text in ("sum += a[j];", "if (sum > best) best = sum;", "for (int j = i; j < n; j++) {")
