"""The gates a change passes after the agent accepted it, on canned figures."""

from __future__ import annotations

from agent.ci.evidence import TimeFigures, figures_from_verdict
from agent.ci.gates import judge

ORIGINAL = "import math\n\n\ndef f(xs):\n    return [x for x in xs if x not in xs[:1]]\n\n\ndef g():\n    return 1\n"
ONLY_F = ORIGINAL.replace("if x not in xs[:1]]", "if x != xs[0]] if xs else []")
BEYOND = ONLY_F.replace("return 1", "return 2")


def _time(lo: float, hi: float, speedup: float) -> TimeFigures:
    return TimeFigures(baseline_median_s=0.1, candidate_median_s=0.1 / speedup, speedup=speedup, ci95=(lo, hi),
                       p_value=0.001, runs=10, warmups=1, method="interleaved")


def test_a_clear_speedup_of_the_target_alone_passes():
    assert judge(2, ORIGINAL, ONLY_F, "f", _time(1.8, 2.4, 2.0), 0.05) == []


def test_a_speedup_within_noise_is_refused():
    reasons = judge(1, ORIGINAL, ONLY_F, "f", _time(0.97, 1.09, 1.02), 0.05)
    assert len(reasons) == 1 and "within noise" in reasons[0] and "[0.97, 1.09]" in reasons[0] and "1.05x" in reasons[0]
    # clearly faster, but not by the configured margin
    assert "above 1.50x" in judge(1, ORIGINAL, ONLY_F, "f", _time(1.3, 1.4, 1.35), 0.5)[0]
    # the bound must lie above the bar, not on it
    assert judge(1, ORIGINAL, ONLY_F, "f", _time(1.05, 1.2, 1.1), 0.05)


def test_instructions_alone_are_not_enough():
    reasons = judge(3, ORIGINAL, ONLY_F, "f", None, 0.05)
    assert reasons == ["attempt 3: no interleaved timing was taken, so no speedup can be claimed"]


def test_a_change_beyond_the_function_is_refused_whatever_its_speed():
    reasons = judge(1, ORIGINAL, BEYOND, "f", _time(3.0, 4.0, 3.5), 0.05)
    assert len(reasons) == 1 and "changes more than `f`" in reasons[0] and "g" in reasons[0]


def test_figures_come_from_the_verdict_as_measured():
    verdict = {"time": {"baseline_median_s": 0.2, "candidate_median_s": 0.1, "speedup": 2.0, "ci95": [1.9, 2.1],
                        "p_value": 0.0002, "runs": 10, "warmups": 1, "method": "ABAB"},
               "instructions": {"baseline": 1000, "candidate": 400, "speedup": 2.5, "method": "valgrind", "inputs": 3},
               "memory": {"baseline": {"peak_rss_kib": 9000, "python_peak_bytes": 10},
                          "candidate": {"peak_rss_kib": 9100, "python_peak_bytes": 12}, "method": "rss"}}
    time, instructions, memory = figures_from_verdict(verdict)
    assert time.ci95 == (1.9, 2.1) and time.runs == 10
    assert instructions.candidate == 400 and instructions.inputs == 3
    assert memory.candidate_kib == 9100 and memory.python_baseline_bytes == 10
    assert figures_from_verdict({}) == (None, None, None)
