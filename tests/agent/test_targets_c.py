"""A C program and its build command become a process task, checked in the real sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.targets import resolve_target
from agent.targets.c_program import c_task
from evaluators.measure import measure
from perfforge.errors import ConfigError
from tests.evaluators.measure_fixtures import box, perfforge_home  # noqa: F401 - fixtures

pytestmark = pytest.mark.docker

# counts the distinct numbers of its input, comparing each with every earlier one
PROGRAM = r'''#include <stdio.h>
#include <stdlib.h>
#include "limits.h"

int main(void) {
    int n;
    if (scanf("%d", &n) != 1 || n < 0 || n > MAX_N) return 1;
    int *a = malloc(sizeof(int) * (n ? n : 1));
    for (int i = 0; i < n; i++) scanf("%d", &a[i]);
    int distinct = 0;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            if (a[j] == a[i]) { seen = 1; break; }
        distinct += !seen;
    }
    printf("%d\n", distinct);
    free(a);
    return 0;
}
'''

SLOW_LOOP = """    int distinct = 0;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            if (a[j] == a[i]) { seen = 1; break; }
        distinct += !seen;
    }
"""
FAST_LOOP = """    qsort(a, n, sizeof(int), cmp);
    int distinct = 0;
    for (int i = 0; i < n; i++) distinct += (i == 0 || a[i] != a[i - 1]);
"""
CMP = """static int cmp(const void *x, const void *y) {
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

"""
FAST = PROGRAM.replace(SLOW_LOOP, FAST_LOOP).replace("int main(void) {", CMP + "int main(void) {")


def make_program(root: Path, source: str = PROGRAM) -> Path:
    (root / "inputs").mkdir(parents=True)
    (root / "prog.c").write_text(source)
    (root / "limits.h").write_text("#define MAX_N 1000000\n")
    (root / "inputs" / "small.txt").write_text("5\n1 2 2 3 1\n")
    numbers = [(i * 7919) % 3001 for i in range(6000)]
    (root / "inputs" / "big.txt").write_text(f"{len(numbers)}\n" + " ".join(map(str, numbers)) + "\n")
    return root / "prog.c"


def test_a_program_with_inputs_beside_it_becomes_a_task_that_judges_candidates(tmp_path, box):
    source = make_program(tmp_path / "repo")
    made = c_task(source, "gcc -O2 -Wall -o prog prog.c", sandbox=box, work=tmp_path / "targets")
    spec = made.task.spec
    assert (spec.language, spec.interface.type, spec.baseline, spec.candidate) == ("c", "process", "prog.c", "prog.c")
    assert spec.build.compiler == "gcc" and spec.build.std == "gnu17"
    assert spec.build.flags == ["-O2", "-Wall", "-Itask/include"] and spec.build.libs == []
    assert [c.name for c in spec.tests.cases] == ["big.txt", "small.txt"]
    fast = measure(made.task, FAST.encode(), metrics=("instructions",), sandbox=box)
    assert fast.correct and fast.instructions.speedup > 5
    wrong = measure(made.task, FAST.replace("distinct);", "distinct + (n > 100));").encode(), metrics=(), sandbox=box)
    assert not wrong.correct and [f.input for f in wrong.failures] == ["big.txt", "stress #0"]


def test_inputs_given_on_the_command_line(tmp_path, box):
    source = make_program(tmp_path / "repo")
    task = resolve_target(source, build=f"gcc -O2 {source} -o prog", inputs=[source.parent / "inputs" / "small.txt"],
                          work=tmp_path / "targets", sandbox=box)
    assert [c.name for c in task.spec.tests.cases] == ["small.txt"]


def test_an_original_that_does_not_compile_is_one_clear_error(tmp_path, box):
    source = make_program(tmp_path / "repo", PROGRAM.replace("int distinct = 0;", "int distinct = 0"))
    with pytest.raises(ConfigError) as err:
        c_task(source, "gcc -O2 -o prog prog.c", sandbox=box, work=tmp_path / "targets")
    assert err.value.message.startswith("prog.c does not compile in the sandbox: ")
    assert "error: expected" in err.value.message
    assert not list((tmp_path / "targets").iterdir())  # nothing half-made is left behind
