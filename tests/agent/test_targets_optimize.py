"""``perfforge optimize FILE`` end to end: a Python function with --function, a C program with
--build, a scripted model server on 127.0.0.1, the real sandbox; the diff applies to the file."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from agent.testing import ScriptedServer
from tests.agent.test_optimize_cli import assert_one_clear_line, home, perfforge  # noqa: F401 - fixture
from tests.agent.test_targets_c import CMP, make_program
from tests.agent.test_targets_c import FAST_LOOP as C_FAST_LOOP
from tests.agent.test_targets_c import SLOW_LOOP as C_SLOW_LOOP
from tests.agent.test_targets_python import FAST_LOOP, SLOW_LOOP, make_repo
from tests.evaluators.measure_fixtures import perfforge_home  # noqa: F401 - fixture

pytestmark = pytest.mark.docker


def edit(name: str, fence: str, *blocks: tuple[str, str]) -> str:
    """A model's reply: SEARCH/REPLACE blocks for the file ``name``."""
    return "The hot loop, rewritten.\n\n" + "\n".join(
        f"{name}\n```{fence}\n<<<<<<< SEARCH\n{old}=======\n{new}>>>>>>> REPLACE\n```\n" for old, new in blocks)


PY_EDIT = edit("stats.py", "python", (SLOW_LOOP, FAST_LOOP))
C_EDIT = edit("prog.c", "c", (C_SLOW_LOOP, C_FAST_LOOP), ("int main(void) {\n", CMP + "int main(void) {\n"))


def git_apply(diff: str, root) -> None:
    subprocess.run(["git", "apply", "-"], input=diff, cwd=root, check=True, capture_output=True, text=True, timeout=60)


def run_optimize(target: list[str], reply: str, home, tmp_path) -> tuple[dict, object]:
    out = tmp_path / "out"
    with ScriptedServer([reply]) as server:
        done = perfforge([*target, "--model", "openai/x", "--api-base", server.url, "--iterations", "1",
                          "--metrics", "instructions", "--out", str(out), "--json"], home, tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), out


def test_a_python_function_is_made_faster_and_the_diff_applies_to_the_file(home, tmp_path):
    root = make_repo(tmp_path / "repo")
    original = (root / "shop" / "stats.py").read_text()
    summary, out = run_optimize([str(root / "shop" / "stats.py"), "--function", "distinct_keys"], PY_EDIT, home,
                                tmp_path)
    (attempt,) = summary["attempts"]
    assert attempt["correct"] and attempt["accepted"] and attempt["speedup"]["instructions"] > 3
    assert summary["task"] == "targets/shop.stats.distinct_keys" and summary["best"]["n"] == 1
    diff = (out / "stats.diff").read_text()
    assert diff.startswith("--- a/shop/stats.py\n+++ b/shop/stats.py\n") and "+            seen.add(k)" in diff
    git_apply(diff, root)
    assert (root / "shop" / "stats.py").read_text() == (out / "stats.py").read_text() != original


def test_an_edit_beyond_the_function_gets_a_repair_turn_and_is_never_measured(home, tmp_path):
    root = make_repo(tmp_path / "repo")
    beyond = edit("stats.py", "python", (SLOW_LOOP, FAST_LOOP), ("    return x + 1\n", "    return x + 2\n"))
    out = tmp_path / "out"
    with ScriptedServer([beyond, PY_EDIT]) as server:
        done = perfforge([str(root / "shop" / "stats.py"), "--function", "distinct_keys", "--model", "openai/x",
                          "--api-base", server.url, "--iterations", "1", "--metrics", "instructions",
                          "--out", str(out), "--json"], home, tmp_path)
        requests = server.chat_requests
    assert done.returncode == 0, done.stderr
    (attempt,) = json.loads(done.stdout)["attempts"]
    assert attempt["repaired"] and attempt["accepted"]  # the repaired reply, within bounds, is the candidate
    repair = requests[1].messages[-1]["content"]
    assert "may change the function `distinct_keys` only" in repair and "other" in repair
    assert "return x + 1" in (out / "stats.py").read_text()


def test_a_c_program_is_made_faster_and_the_diff_applies(home, tmp_path):
    source = make_program(tmp_path / "prog")
    summary, out = run_optimize([str(source), "--build", "gcc -O2 -o prog prog.c"], C_EDIT, home, tmp_path)
    (attempt,) = summary["attempts"]
    assert attempt["correct"] and attempt["accepted"] and attempt["speedup"]["instructions"] > 5
    diff = (out / "prog.diff").read_text()
    assert diff.startswith("--- a/prog.c\n+++ b/prog.c\n")
    if shutil.which("gcc"):  # the patched program builds and prints what the original printed
        git_apply(diff, source.parent)
        subprocess.run(["gcc", "-O2", "-o", str(tmp_path / "p"), str(source)], check=True, timeout=60)
        big = (source.parent / "inputs" / "big.txt").read_bytes()
        assert subprocess.run([str(tmp_path / "p")], input=big, capture_output=True, timeout=60).stdout == b"3001\n"


def test_bad_file_targets_get_one_clear_line_before_any_model_call(home, tmp_path):
    root = make_repo(tmp_path / "repo", stats="def other(x):\n    return x\n")
    with ScriptedServer([PY_EDIT]) as server:
        common = ["--model", "openai/x", "--api-base", server.url, "-q"]
        assert_one_clear_line(perfforge([str(root / "shop" / "stats.py"), "--function", "distinct_keys", *common],
                                        home, tmp_path), "no module-level function 'distinct_keys'")
        (root / "shop" / "stats.py").write_text("import perfforge_missing_dep\n\n\ndef distinct_keys(items):\n"
                                                "    return items\n")
        assert_one_clear_line(perfforge([str(root / "shop" / "stats.py"), "--function", "distinct_keys", *common],
                                        home, tmp_path), "'perfforge_missing_dep' is a third-party module")
        source = make_program(tmp_path / "prog", "int main(void) { return 0 }\n")
        assert_one_clear_line(perfforge([str(source), "--build", "gcc -O2 prog.c", *common], home, tmp_path),
                              "prog.c does not compile in the sandbox")
        assert server.chat_requests == []
