"""``perfforge ci`` on a C program the repository declares in [[tool.perfforge.build]]: the whole
program is the target, its declared inputs the oracle's, its pytest suite the final gate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.testing import ScriptedServer
from tests.agent.ci.repo_fixtures import commit, git, make_repo
from tests.agent.loop_fixtures import fresh_home
from tests.evaluators.measure_fixtures import perfforge_home  # noqa: F401 - fixture

pytestmark = pytest.mark.docker

PROGRAM = r'''#include <stdio.h>

static long values[200000];

int main(void) {
    long n = 0, x;
    while (n < 200000 && scanf("%ld", &x) == 1) values[n++] = x;
    long distinct = 0;
    for (long i = 0; i < n; i++) {
        int seen = 0;
        for (long j = 0; j < i; j++) {
            if (values[j] == values[i]) { seen = 1; break; }
        }
        if (!seen) distinct++;
    }
    printf("%ld\n", distinct);
    return 0;
}
'''

TEST = '''import pathlib
import subprocess

SOURCE = pathlib.Path(__file__).resolve().parents[1] / "src" / "distinct.c"


def test_counts_distinct_values(tmp_path):
    exe = tmp_path / "distinct"
    subprocess.run(["gcc", "-O2", "-o", str(exe), str(SOURCE)], check=True)
    run = subprocess.run([str(exe)], input="3 1 3 2 1\\n", capture_output=True, text=True, check=True)
    assert run.stdout == "3\\n"
'''

PYPROJECT = '''[project]
name = "distinct"
version = "0.1"

[[tool.perfforge.build]]
source = "src/distinct.c"
command = "gcc -O2 -o distinct src/distinct.c"
inputs = ["inputs"]
'''

SORTED = r'''distinct.c
```c
<<<<<<< SEARCH
#include <stdio.h>
=======
#include <stdio.h>
#include <stdlib.h>

static int by_value(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}
>>>>>>> REPLACE
```

distinct.c
```c
<<<<<<< SEARCH
    long distinct = 0;
    for (long i = 0; i < n; i++) {
        int seen = 0;
        for (long j = 0; j < i; j++) {
            if (values[j] == values[i]) { seen = 1; break; }
        }
        if (!seen) distinct++;
    }
=======
    qsort(values, n, sizeof values[0], by_value);
    long distinct = 0;
    for (long i = 0; i < n; i++) {
        if (i == 0 || values[i] != values[i - 1]) distinct++;
    }
>>>>>>> REPLACE
```
'''


def test_a_declared_c_program_is_optimized_and_proposed(perfforge_home, tmp_path):  # noqa: F811
    numbers = " ".join(str((i * 7919) % 4999) for i in range(12000))
    root = make_repo(tmp_path / "repo", {"src/distinct.c": PROGRAM, "tests/test_distinct.py": TEST,
                                         "pyproject.toml": PYPROJECT, "inputs/small.txt": "3 1 3 2 1\n",
                                         "inputs/big.txt": numbers + "\n"})
    commit(root, {"src/distinct.c": PROGRAM.replace("int main(void) {\n", "int main(void) {\n    /* count */\n")},
           branch="feature")
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_TOKEN"))}
    env["PERFFORGE_HOME"] = str(fresh_home(perfforge_home, tmp_path))
    with ScriptedServer([SORTED]) as server:
        done = subprocess.run([sys.executable, "-m", "perfforge.cli", "ci", "--dry-run", "--base", "main",
                               "--model", "openai/scripted", "--api-base", server.url, "--iterations", "1", "--json"],
                              cwd=root, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    [outcome] = json.loads(done.stdout)["outcomes"]
    assert outcome["target"] == "src/distinct.c" and outcome["status"] == "proposed", outcome
    body = Path(outcome["files"]["pr_body"]).read_text()
    assert "2 input file(s)" in body and "The whole program `src/distinct.c` is the target" in body
    assert "**1 passed**, 0 failed" in body and "<!-- perfforge-target: src/distinct.c -->" in body
    git(root, "apply", "--check", outcome["files"]["patch"])
