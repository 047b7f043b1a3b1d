"""The optimization prompts: one template per kind and step, chosen by data, rendered strictly."""

from __future__ import annotations

import pytest

import prompts
from agent import prompting
from agent.attempts import Attempt
from agent.profile import FunctionCost, LineCost, Profile
from benchmarks.task import Kind, Task
from tests.agent.loop_fixtures import EXAMPLES

PROFILE = Profile(subject="the original program", method="cProfile", unit="seconds", total=0.05, input="stress (x3)",
                  functions=[FunctionCost(name="dedupe", where="solution.py:1", calls=3, self_share=0.98,
                                          total_share=0.99)],
                  lines=[LineCost(line=4, share=0.91, hits=2000, text="if item not in out:")],
                  notes=["line times cover the first 8 s"]).model_dump()
COUNTERS = {"subject": "attempt 2", "instructions": 1234567, "time_s": 0.0123, "peak_rss_kib": 13000,
            "speedup": "3.10x fewer instructions"}


def kinds() -> list[str]:
    return list(Kind.__args__)  # type: ignore[attr-defined]


def test_every_task_kind_has_prompts_whose_templates_exist():
    assert set(prompting.KINDS) == set(kinds())
    names = set(prompts.template_names())
    for row in prompting.KINDS.values():
        assert {row.first, row.next} <= names


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("kind", kinds())
def test_each_kind_and_step_renders_strictly_and_cleanly(kind, first):
    task = Task.load(EXAMPLES / "py-dedupe")
    task.spec = task.spec.model_copy(update={"kind": kind})
    shown = [{"n": 1, "base": "the original", "outcome": "WRONG on test 0: wrong result", "diff": "-a\n+b"}]
    messages, fmt = prompting.messages(task, first=first, code="def dedupe(items):\n    return items\n",
                                       profile=PROFILE, counters=COUNTERS, attempts=shown,
                                       edit_format="search-replace")
    system, user = messages[0]["content"], messages[1]["content"]
    assert "Python performance engineer" in system
    assert "\n\n\n" not in user and "{{" not in user and user == user.strip()
    assert "Remove repeated items" in user and "Attempt 1 (changed the original): WRONG on test 0" in user
    whole = first and prompting.KINDS[kind].first_format == "whole-file"
    assert fmt == ("whole-file" if whole else "search-replace")
    assert ("complete new content" in user) == whole and ("SEARCH/REPLACE blocks" in user) == (not whole)
    if kind in ("perf-edit", "kernel") or not first:
        assert "line 4: 91.0% (2,000 runs): `if item not in out:`" in user
        assert "CPU instructions on the stress inputs: 1,234,567" in user and "3.10x fewer" in user
    if first and kind in ("cuda-to-cpu", "isa-translate"):
        assert f"Translate this {prompting.KINDS[kind].source_language} code" in user


def test_a_missing_variable_is_an_error_not_a_blank():
    from perfforge.errors import ConfigError

    with pytest.raises(ConfigError, match="has no attribute .title."):
        prompts.render("optimize/perf-edit/first", task={}, code="", profile=None, counters=None, attempts=[])


def test_attempt_view_shows_what_changed_against_its_base():
    base = Attempt(n=0, status="baseline", code="a = 1\nb = 2\n")
    attempt = Attempt(n=3, parent=0, status="wrong", code="a = 1\nb = 3\n", reason="WRONG on test 1: x")
    view = prompting.attempt_view(attempt, base)
    assert view == {"n": 3, "outcome": "WRONG on test 1: x", "base": "the original", "diff": "@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3"}
    long = prompting.short_diff("", "\n".join(str(i) for i in range(100)))
    assert long.count("\n") == prompting.DIFF_LINES and long.endswith("more diff lines)")


def test_interfaces_say_what_must_stay_the_same():
    c_task = Task.load(EXAMPLES / "c-max-subarray")
    view = prompting.task_view(c_task)
    assert "implements `long long max_subarray(const int *a, int n);`" in view["interface"]
    assert view["fence"] == "c" and view["language_name"] == "C"
    process = prompting.task_view(Task.load(EXAMPLES / "py-word-freq"))
    assert "standard input" in process["interface"] and "the order of items does not matter" in process["rules"]


@pytest.mark.parametrize(("suite_task", "marker"), [
    ("cuda-to-cpu/reduce-sum", "__global__"),
    ("isa/argmax-aarch64", "argmax"),
])
def test_a_translation_starts_from_the_foreign_source(suite_task, marker):
    from benchmarks.suites import resolve_task

    task = resolve_task(suite_task)
    source = task.read(prompting.source_path(task)).decode()
    assert marker in source
    if task.spec.kind == "cuda-to-cpu":
        assert source != task.read(task.spec.baseline).decode()  # not the reference C


@pytest.mark.parametrize(("suite_task", "named"), [
    ("isa/argmax-aarch64", "into AArch64 (ARMv8-A, 64-bit) assembly"),
    ("isa/argmax-riscv64", "into RISC-V (RV64GC, 64-bit) assembly"),
])
def test_an_isa_translation_names_its_target(suite_task, named):
    from benchmarks.suites import resolve_task

    task = resolve_task(suite_task)
    messages, _ = prompting.messages(task, first=True, code=task.read(prompting.source_path(task)).decode(),
                                     profile=None, counters=None, attempts=[], edit_format="search-replace")
    assert named in messages[1]["content"]
