"""What one ``perfforge ci`` run did, as data (``--json``) and as lines for a person."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["proposed", "accepted", "rejected", "duplicate", "not-tried", "failed-to-open"]


class Outcome(BaseModel):
    """One function: what happened to it and why."""

    target: str = Field(description="path::function")
    found_by: str
    status: Status
    reasons: list[str] = Field(default_factory=list, description="why it was rejected (or not opened)")
    run_id: str | None = None
    speedup: float | None = Field(None, description="time, median ratio")
    ci95: tuple[float, float] | None = None
    instructions_speedup: float | None = None
    attempts: list[dict[str, Any]] = Field(default_factory=list, description="n, status, reason per attempt")
    branch: str | None = None
    files: dict[str, str] = Field(default_factory=dict, description="dry run: patch, pr_body")
    pull_request: dict[str, Any] | None = Field(None, description="number and url of the opened pull request")


class CiReport(BaseModel):
    repo: str
    head: str
    base: str | None
    mode: str
    dry_run: bool
    threshold: float
    notes: list[str] = Field(default_factory=list)
    suite: dict[str, Any] = Field(default_factory=dict, description="the unchanged suite: passed, failed, skipped")
    outcomes: list[Outcome] = Field(default_factory=list)
    out: str
    seconds: float = 0.0

    @property
    def proposed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("proposed", "accepted")]


def render_text(report: CiReport) -> str:
    lines = [f"perfforge ci on {report.repo} at {report.head[:12]}"
             + (f" against {report.base}" if report.base else "") + f" ({report.mode} functions)"]
    for note in report.notes:
        lines.append(f"  note: {note}")
    if not report.outcomes:
        lines.append("  no function to try")
    for o in report.outcomes:
        figures = ""
        if o.speedup is not None and o.ci95 is not None:
            figures = f" time {o.speedup:.2f}x (95% CI {o.ci95[0]:.2f}-{o.ci95[1]:.2f})"
        lines.append(f"  {o.status:<14} {o.target}{figures}")
        for reason in o.reasons:
            lines.append(f"      - {reason}")
        if o.pull_request:
            lines.append(f"      pull request #{o.pull_request.get('number')}: {o.pull_request.get('url')}")
        for name, path in o.files.items():
            lines.append(f"      {name}: {path}")
    done = len(report.proposed)
    verb = "written" if report.dry_run else "opened"
    lines.append(f"{done} proposal(s) {verb}; {len(report.outcomes) - done} function(s) not proposed "
                 f"({report.seconds:.0f} s). Details: {report.out}")
    return "\n".join(lines)
