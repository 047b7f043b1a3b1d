from __future__ import annotations

import subprocess

import pytest

from agent.ci.discover import Candidate
from agent.ci.evidence import Evidence, Guards, InstructionFigures, MemoryFigures, TimeFigures
from agent.ci.propose import already_open, branch_name, explanation_of, make_proposal, render_body, unified_patch
from tests.agent.ci.repo_fixtures import GIT_ENV, make_repo

BEFORE = "import os\n\n\ndef total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n\n\ndef other():\n    return 1"
AFTER = "import os\n\n\ndef total(xs):\n    return sum(xs)\n\n\ndef other():\n    return 1"
CANDIDATE = Candidate(path="pkg/mod.py", function="total", lineno=4, end_lineno=8, found_by="changed")


def _apply(root, patch: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "apply", *extra, "-"], cwd=root, input=patch, text=True, capture_output=True,
                          env=GIT_ENV, timeout=30)


@pytest.mark.parametrize("before, after", [(BEFORE, AFTER), (BEFORE + "\n", AFTER + "\n"), (BEFORE + "\n", AFTER)])
def test_the_patch_applies_with_git_apply(tmp_path, before, after):
    root = make_repo(tmp_path / "r", {"pkg/mod.py": before})
    proposal = make_proposal(CANDIDATE, before, after, 2.5)
    done = _apply(root, proposal.patch)
    assert done.returncode == 0, done.stderr
    assert (root / "pkg/mod.py").read_text() == after
    assert _apply(root, unified_patch("pkg/mod.py", after, before)).returncode == 0
    assert (root / "pkg/mod.py").read_text() == before


def test_proposal_names_title_and_commit():
    proposal = make_proposal(CANDIDATE, BEFORE, AFTER, 2.345)
    assert proposal.branch == branch_name(CANDIDATE, AFTER)
    assert proposal.branch.startswith("perfforge/total-") and len(proposal.branch.rsplit("-", 1)[1]) == 8
    assert branch_name(CANDIDATE, AFTER + "\n") != proposal.branch
    assert proposal.title == "[perfforge] Speed up `total` by 2.35x (pkg/mod.py)"
    assert proposal.commit_message.startswith(proposal.title + "\n\n")
    assert proposal.name == "mod-total"
    assert "-    s = 0" in proposal.function_diff and "+    return sum(xs)" in proposal.function_diff
    method = make_proposal(CANDIDATE.model_copy(update={"function": "Stats.mean"}), BEFORE, AFTER, 2.0)
    assert method.branch.startswith("perfforge/Stats.mean-") and method.name == "mod-Stats.mean"


def test_explanation_keeps_prose_drops_code_and_secrets(monkeypatch):
    monkeypatch.setenv("MY_SERVICE_TOKEN", "tok-supersecret-123")
    reply = ("The loop adds one by one; `sum` does it in C.\n\npkg/mod.py\n```python\n<<<<<<< SEARCH\n    s = 0\n"
             "=======\n    return sum(xs)\n>>>>>>> REPLACE\n```\nIt keeps ints exact. tok-supersecret-123\n")
    text = explanation_of(reply)
    assert "The loop adds one by one" in text and "It keeps ints exact." in text
    assert "SEARCH" not in text and "return sum" not in text and "tok-supersecret-123" not in text
    assert "pkg/mod.py" not in text


def test_an_open_pull_request_for_the_function_is_found():
    by_branch = {"number": 3, "head": {"ref": "perfforge/total-0badc0de"}, "body": ""}
    by_marker = {"number": 4, "head": {"ref": "renamed"}, "body": "<!-- perfforge-target: pkg/mod.py::total -->"}
    other = {"number": 5, "head": {"ref": "perfforge/totally-1"}, "body": "x"}
    assert already_open([other, by_branch], CANDIDATE)["number"] == 3
    assert already_open([by_marker], CANDIDATE)["number"] == 4
    assert already_open([other], CANDIDATE) is None


def _evidence() -> Evidence:
    return Evidence(
        time=TimeFigures(baseline_median_s=0.0123, candidate_median_s=0.0041, speedup=3.0, ci95=(2.8, 3.2),
                         p_value=1.2e-4, runs=10, warmups=1, method="medians; bootstrap"),
        instructions=InstructionFigures(baseline=123_456_789, candidate=40_000_000, speedup=3.09,
                                        method="valgrind cachegrind", inputs=4),
        memory=MemoryFigures(baseline_kib=10_240, candidate_kib=10_100, method="peak RSS"),
        guards=Guards(suite_command="pytest -q", suite_passed=7, calling_tests=["tests/test_mod.py::test_total"],
                      recorded_calls=3, stress_inputs=2),
        threshold=0.05,
        fingerprint={"id": "abc123", "cpu_model": "Test CPU", "usable_cores": 2, "memory_gib": 24, "os": "Debian 12",
                     "kernel": "6.1", "virtualization": "hypervisor"},
        sandbox={"backend": "docker", "image": "sha256:feed"})


def test_the_body_has_the_measured_table_guards_and_reproduction():
    proposal = make_proposal(CANDIDATE, BEFORE, AFTER, 3.0)
    body = render_body(proposal, _evidence(), "Use the built-in sum.", "perfforge ci --dry-run",
                       {"run_id": "r1", "model": "openai/x", "attempts": 2, "cost": "$0.01", "head_commit": "f" * 40})
    assert body.startswith("<!-- perfforge-target: pkg/mod.py::total -->")
    for expected in ("| time per run of all stress inputs (median of 10 interleaved runs) | 12.3 ms | 4.1 ms | **3.00x faster**, 95% CI [2.80, 3.20], "
                     "p = 0.00012 |", "| CPU instructions | 123,456,789 | 40,000,000 | 3.09x fewer",
                     "| peak memory (RSS) | 10,240 KiB | 10,100 KiB", "> Use the built-in sum.",
                     "**7 passed**, 0 failed", "`tests/test_mod.py::test_total`", "3 recorded call(s) and 2 stress",
                     "Test CPU", "fingerprint `abc123`", "perfforge ci --dry-run", "+    return sum(xs)"):
        assert expected in body, expected


def test_a_long_change_is_cut_in_the_body_but_whole_in_the_patch():
    before = "".join(f"x{i} = {i}\n" for i in range(1000))
    after = "".join(f"x{i} = {i + 1}\n" for i in range(1000))
    proposal = make_proposal(CANDIDATE, before, after, 2.0)
    shown = proposal.function_diff.splitlines()
    assert len(shown) == 401 and shown[-1].endswith("more lines: see the commit")
    assert proposal.patch.count("\n+x") == 1000
