"""Attempts: what each step of a run proposed, and what the harness said about it.

An attempt is *accepted* when its candidate is correct and faster with evidence a
reviewer would take: an exact instruction-count drop clearing the task's threshold
(``baseline / candidate >= 1 + threshold``, counts are exact here), or a timing whose
95% interval lies above ``1 + threshold`` — and the other measure, when taken, does not
say it is slower (time significantly slower, or instructions up by more than the threshold).  Accepted attempts are ranked by instruction count (exact and
repeatable on this machine class, unlike wall time), then by time.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["baseline", "accepted", "not-faster", "wrong", "error", "edit-failed", "no-op", "duplicate"]
REASON_CHARS = 300


class Attempt(BaseModel):
    """One proposed candidate (n >= 1), or the starting program (n = 0, status ``baseline``)."""

    n: int
    model: str = ""
    parent: int | None = Field(None, description="the attempt it edited (0: the original); None: written from scratch")
    status: Status
    correct: bool | None = None
    accepted: bool = False
    reason: str = Field("", description="one line: the measured outcome or why there is none")
    code: str | None = None
    fingerprint: str | None = None
    repaired: bool = Field(False, description="a repair turn was needed for the reply to apply")
    duplicate_of: int | None = None
    instructions: int | None = Field(None, description="the candidate's instruction count")
    time_s: float | None = Field(None, description="the candidate's median time")
    peak_rss_kib: int | None = None
    energy_j: float | None = None
    speedup_instructions: float | None = None
    speedup_time: float | None = None
    time_ci95: tuple[float, float] | None = None
    tokens: int = 0
    cost_usd: float | None = 0.0
    island: int | None = None

    @property
    def measured(self) -> bool:
        return self.status in ("baseline", "accepted", "not-faster")

    def rank_key(self) -> tuple[float, float]:
        """Smaller is better: instructions first, then time."""
        ins = float(self.instructions) if self.instructions is not None else math.inf
        return ins, -(self.speedup_time or 0.0)

    def summary(self) -> dict[str, Any]:
        """The machine-readable view (``--json``)."""
        return {
            "n": self.n, "model": self.model, "parent": self.parent, "status": self.status,
            "correct": self.correct, "accepted": self.accepted, "reason": self.reason,
            "speedup": {"instructions": self.speedup_instructions, "time": self.speedup_time},
            "time_ci95": list(self.time_ci95) if self.time_ci95 else None,
            "instructions": self.instructions, "time_s": self.time_s, "peak_rss_kib": self.peak_rss_kib,
            "energy_j": self.energy_j, "repaired": self.repaired, "tokens": self.tokens, "cost_usd": self.cost_usd,
        }


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else text.strip()


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 3] + "..."


def _figures(a: Attempt) -> str:
    parts = []
    if a.speedup_instructions is not None:
        parts.append(f"instructions {a.speedup_instructions:.2f}x")
    if a.speedup_time is not None:
        lo, hi = a.time_ci95 or (math.nan, math.nan)
        parts.append(f"time {a.speedup_time:.2f}x (95% CI {lo:.2f}-{hi:.2f})")
    return "; ".join(parts) or "no metric taken"


def fill_from_verdict(a: Attempt, verdict: Any, threshold: float) -> Attempt:
    """Set the attempt's status and figures from its verdict (``evaluators.measure.Verdict``)."""
    a.correct = verdict.correct
    if not verdict.correct:
        if verdict.error:
            a.status, a.reason = "error", _cut(f"does not run: {_first_line(verdict.error)}")
        else:
            first = verdict.failures[0]
            more = f" (and {len(verdict.failures) - 1} more inputs)" if len(verdict.failures) > 1 else ""
            a.status, a.reason = "wrong", _cut(f"WRONG on {first.input}: {first.reason}{more}")
        return a
    ins, tm = verdict.instructions, verdict.time
    if ins is not None:
        a.instructions, a.speedup_instructions = ins.candidate, ins.speedup
    if tm is not None:
        a.time_s, a.speedup_time, a.time_ci95 = tm.candidate_median_s, tm.speedup, tuple(tm.ci95)
    if verdict.memory is not None:
        a.peak_rss_kib = verdict.memory.candidate.peak_rss_kib
    if verdict.energy:
        a.energy_j = verdict.energy.get("candidate", {}).get("joules")
    by_instructions = ins is not None and ins.speedup is not None and ins.speedup >= 1 + threshold
    by_time = tm is not None and tm.significant
    # evidence the other way vetoes: significantly slower in time, or more instructions beyond the threshold
    slower = (tm is not None and tm.slower) or (
        ins is not None and ins.speedup is not None and ins.speedup * (1 + threshold) < 1)
    a.accepted = (by_instructions or by_time) and not slower
    a.status = "accepted" if a.accepted else "not-faster"
    a.reason = _figures(a) if a.accepted else f"correct but not faster with evidence: {_figures(a)}"
    if a.accepted:
        a.reason = f"correct and faster: {a.reason}"
    return a
