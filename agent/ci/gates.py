"""What a change must show before perfforge proposes it, checked in this order:

1. the agent found a candidate that is correct on the recorded calls and stress inputs
   (differential against the original) and faster with evidence;
2. the change touches the target function only;
3. the time speedup's 95% interval (interleaved runs in the sandbox) lies above
   ``1 + threshold``: an instruction-count drop alone, or a speedup within noise, is not
   enough for a pull request;
4. the repository's whole suite passes in the sandbox with the change applied.

A function failing a gate is an :class:`~agent.ci.report.Outcome` with the reasons, never
an exception; infrastructure failures (model provider, sandbox) raise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from agent.ci import oracle
from agent.ci.config import CiConfig
from agent.ci.discover import Candidate
from agent.ci.evidence import BenchmarkFigures, Evidence, Guards, TimeFigures, figures_from_verdict
from agent.ci.gitrepo import Repo
from agent.ci.propose import Proposal, explanation_of, make_proposal, render_body, reproduce_command
from agent.ci.report import Outcome
from perfforge.errors import ConfigError, TaskError

METRICS = ("instructions", "time", "memory")


def _explanation(store: Any, run_id: str, n: int) -> str:
    texts = [payload.get("text", "") for _, payload in store.journal(run_id, prefix=f"it-{n:03d}/")]
    for text in texts:
        prose = explanation_of(text)
        if prose:
            return prose
    return ""


def _benchmarks(before: oracle.SuiteResult, after: oracle.SuiteResult) -> list[BenchmarkFigures]:
    names = sorted(set(before.benchmarks) | set(after.benchmarks))
    return [BenchmarkFigures(name=n, before_median_s=before.benchmarks.get(n), after_median_s=after.benchmarks.get(n))
            for n in names]


def judge(n: int, original: str, code: str, function: str | None, time: TimeFigures | None,
          threshold: float) -> list[str]:
    """Gates 2 and 3 for the agent's best attempt ``n``: the reasons it may not be proposed
    (``function`` None: a whole program is the target)."""
    reasons = []
    why = oracle.touches_only(original, code, function)
    if why:
        reasons.append(f"attempt {n} changes more than `{function}`: {why}")
    bar = 1 + threshold
    if time is None:
        reasons.append(f"attempt {n}: no interleaved timing was taken, so no speedup can be claimed")
    elif time.ci95[0] <= bar:
        lo, hi = time.ci95
        reasons.append(f"attempt {n}: time {time.speedup:.2f}x, but its 95% CI [{lo:.2f}, {hi:.2f}] does not lie "
                       f"above {bar:.2f}x: within noise or under the threshold")
    return reasons


def evaluate(repo: Repo, files: dict[str, bytes], candidate: Candidate, config: CiConfig, base: str | None,
             sandbox: Any, suite: oracle.SuiteResult, out: Path,
             say: Callable[[str], None]) -> tuple[Outcome, Proposal | None]:
    """Optimize ``candidate`` and judge the result; a proposal only when every gate holds."""
    outcome = Outcome(target=candidate.key, found_by=candidate.found_by, status="rejected")
    original = files[candidate.path].decode("utf-8")
    work = out / "work" / f"{Path(candidate.path).stem}-{candidate.function}"
    try:
        target = oracle.prepare(repo.root, candidate, config, sandbox, work, say)
    except (TaskError, ConfigError) as exc:
        outcome.reasons.append(f"no oracle for it: {exc.message}")
        return outcome, None
    run = _optimize(target, config, sandbox, work, say)
    outcome.run_id = run.run_id
    outcome.attempts = [{"n": a["n"], "status": a["status"], "reason": a["reason"]} for a in run.summary.attempts]
    if run.best is None:
        outcome.reasons.append("no candidate was both correct and faster with evidence")
        outcome.reasons += [f"attempt {a['n']}: {a['status']}: {a['reason']}" for a in run.summary.attempts]
        return outcome, None
    n, code = run.best, target.module_source(Path(run.summary.files["best"]).read_text())
    time_figures, instructions, memory = figures_from_verdict(run.verdict)
    outcome.instructions_speedup = instructions.speedup if instructions else None
    if time_figures is not None:
        outcome.speedup, outcome.ci95 = time_figures.speedup, time_figures.ci95
    python = candidate.language == "python"
    outcome.reasons += judge(n, original, code, candidate.function if python else None, time_figures,
                             config.threshold)
    if outcome.reasons:
        return outcome, None
    say(f"running the repository's tests with the change to {candidate.key}")
    changed = oracle.run_suite(repo.root, config, sandbox, overrides={candidate.path: code.encode()})
    if not changed.passed_all:
        outcome.reasons.append(f"attempt {n}: the repository's tests fail with it ({changed.describe_failures()})")
        return outcome, None

    assert time_figures is not None
    proposal = make_proposal(candidate, original, code, time_figures.speedup)
    provenance = run.verdict.get("provenance") or {}
    evidence = Evidence(
        time=time_figures, instructions=instructions, memory=memory, benchmarks=_benchmarks(suite, changed),
        guards=_guards(config, changed, target, candidate),
        threshold=config.threshold, fingerprint=provenance.get("fingerprint"), sandbox=provenance.get("sandbox") or {},
        fallbacks=run.verdict.get("fallbacks", []))
    spent = run.summary.spent
    cost = f"${spent['cost_usd']:.4f}" if spent.get("cost_known") and spent.get("cost_usd") else ""
    proposal.body = render_body(proposal, evidence, _explanation(run.store, run.run_id, n),
                                reproduce_command(config, base, candidate),
                                {"run_id": run.run_id, "model": ", ".join(run.summary.models),
                                 "attempts": len(run.summary.attempts), "cost": cost, "head_commit": repo.head})
    outcome.status, outcome.branch = "accepted", proposal.branch
    return outcome, proposal


def _guards(config: CiConfig, suite: oracle.SuiteResult, target: oracle.Target, candidate: Candidate) -> Guards:
    common = dict(suite_command=config.test_command, suite_passed=suite.passed, suite_failed=suite.failed,
                  suite_skipped=suite.skipped, calling_tests=target.calling_tests,
                  recorded_calls=target.recorded_calls, stress_inputs=target.stress_inputs)
    if candidate.language == "python":
        return Guards(**common)
    return Guards(**common, cases_label="input file(s)", differential="standard output and exit status compared "
                  "with the original's", scope=f"The whole program `{candidate.path}` is the target; no other file "
                  "changes.")


class _Run:
    """An agent run on a target: its summary, and the verdict of its best attempt as journaled."""

    def __init__(self, store: Any, run_id: str, summary: Any) -> None:
        self.store, self.run_id, self.summary = store, run_id, summary
        self.best: int | None = summary.best["n"] if summary.best else None
        self.verdict: dict[str, Any] = {}
        if self.best is not None:
            rows = {row.payload["n"]: row.payload for _, row in store.results([run_id]) if "n" in row.payload}
            fingerprint = rows.get(self.best, {}).get("fingerprint") or ""
            self.verdict = store.lookup(run_id, f"cand/{fingerprint[:24]}/verdict") or {}


def _optimize(target: oracle.Target, config: CiConfig, sandbox: Any, work: Path, say: Callable[[str], None]) -> _Run:
    from agent.budget import BudgetLimits
    from agent.loop import LoopConfig
    from agent.session import RunConfig, new_run_id, optimize
    from agent.store import RunStore

    budget = config.budget
    run = RunConfig(task_dir=str(target.task_dir), task_hash=target.task_hash,
                    models=[config.model] if config.model else [], api_base=config.api_base,
                    limits=BudgetLimits(iterations=budget.iterations, tokens=budget.tokens, usd=budget.usd,
                                        wall_s=budget.wall_s),
                    loop=LoopConfig(metrics=METRICS), backend=config.backend, out=str(work / "run"))
    from agent.loop import RunInterrupted

    store, run_id = RunStore(), new_run_id()
    try:
        summary = optimize(run, store=store, run_id=run_id, progress=say, sandbox=sandbox)
    except RunInterrupted as stop:  # the bot's user reruns the bot, not the agent run inside it
        stop.hint = ("nothing was proposed; run perfforge ci again: the model's replies so far are cached "
                     "and replayed at no cost")
        raise
    return _Run(store, run_id, summary)
