"""The optimization loop: one readable file.

    run(strategy):   start()  -> measure + profile the starting program (journaled)
                     strategy.run(loop)  -> calls attempt() until a budget says stop
    attempt(parent): prompt  -> ask the model -> apply the edit strictly
                     (one repair turn with the exact reason) -> skip no-ops and
                     duplicates -> evaluate in the sandbox -> judge -> keep the best

Every costly step goes through the run store's journal under a deterministic key
(``it-003/ask-<hash of model, messages, params>``, ``cand/<code hash>/verdict``), so a
run killed at any point resumes where it was: replayed steps cost nothing and are not
repeated.  Stopping is an exception carrying its reason: :class:`BudgetExceeded` ends
the run normally; an infrastructure failure (the model provider after its retries, the
sandbox) ends it as ``interrupted`` with :class:`RunInterrupted`, never as a failed
candidate.  The report callback runs after every attempt and in ``finally:``.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from pydantic import BaseModel, Field

from agent import prompting
from agent.asking import Asker, digest
from agent.attempts import Attempt, fill_from_verdict
from agent.budget import Budget, BudgetExceeded
from agent.edits import Applied, EditError, apply_reply
from agent.targets.folder import target_function
from agent.targets.touches import touches_only
from agent.store import ResultRow, RunStore
from perfforge.errors import ConfigError, ModelError, PerfforgeError, SandboxError, TaskError, ToolchainError
from prompts import render

INFRASTRUCTURE = (ModelError, SandboxError, ToolchainError)


class LoopConfig(BaseModel):
    metrics: tuple[str, ...] = ("instructions", "time", "memory", "energy")
    edit_format: str = "search-replace"
    temperature: float = Field(0.0, ge=0, le=2, description="the strategies' starting temperature")
    max_tokens: int = Field(2048, ge=16)
    history: int = Field(5, ge=0, description="earlier attempts shown in a prompt")


class Evaluator(Protocol):
    def measure(self, source: bytes, metrics: tuple[str, ...] | None = None) -> Any: ...  # a Verdict
    def profile(self, source: bytes, subject: str) -> Any: ...  # agent.profile.Profile


class RunInterrupted(PerfforgeError):
    """An infrastructure failure stopped the run; everything done so far is journaled."""

    def __init__(self, run_id: str, cause: BaseException) -> None:
        text = cause.message if isinstance(cause, PerfforgeError) else str(cause) or type(cause).__name__
        super().__init__(f"run {run_id} interrupted: {text}",
                         hint=f"nothing measured is lost; continue with: perfforge optimize --resume {run_id}")
        self.cause = cause


class Loop:
    def __init__(self, task: Any, models: list[Any], *, store: RunStore, run_id: str, budget: Budget,
                 evaluator: Evaluator, config: LoopConfig | None = None,
                 progress: Callable[[str], None] | None = None, on_step: Callable[["Loop"], None] | None = None):
        if not models:
            raise ConfigError("no model to ask")
        self.task, self.models, self.store, self.run_id = task, models, store, run_id
        self.budget, self.evaluator, self.config = budget, evaluator, config or LoopConfig()
        self.say = progress or (lambda _msg: None)
        self.on_step = on_step or (lambda _loop: None)
        self.kind = prompting.KINDS[task.spec.kind]
        self.filename = task.spec.candidate
        self.scope = target_function(task)  # a file target: the one function an edit may change
        self.threshold = task.spec.measure.threshold
        self.start_attempt: Attempt | None = None
        self.attempts: list[Attempt] = []
        self.seen: dict[str, int] = {}
        self.status, self.stop_reason = "running", ""
        self.stopped_by: BudgetExceeded | None = None
        self.asker = Asker(store, run_id, budget, models)
        self.seed = int(digest(run_id)[:8], 16)  # strategies draw from it: a resumed run makes the same choices

    # -- the run --------------------------------------------------------------------------

    def run(self, strategy: Any) -> Attempt | None:
        """Drive ``strategy`` until a budget stops it; return the best accepted attempt."""
        try:
            self.start()
            strategy.run(self)
            self.status, self.stop_reason = "done", "the strategy finished"
        except BudgetExceeded as stop:
            self.status, self.stop_reason, self.stopped_by = "done", f"stopped: {stop}", stop
        except INFRASTRUCTURE as exc:
            self.status, self.stop_reason = "interrupted", str(exc)
            raise RunInterrupted(self.run_id, exc) from exc
        except KeyboardInterrupt:
            self.status, self.stop_reason = "interrupted", "interrupted by the user"
            raise
        except BaseException as exc:
            self.status, self.stop_reason = "failed", f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self.store.set_status(self.run_id, self.status, self.stop_reason[:500])
            self.on_step(self)
        return self.best

    def start(self) -> None:
        """The starting program, measured and profiled (perf-edit); None for code written from scratch."""
        self.task.require_evaluable()
        if not self.kind.from_source:
            return
        code = self.task.read(prompting.source_path(self.task)).decode()
        start = Attempt(n=0, status="baseline", code=code, correct=True, parent=None)
        start.fingerprint = self._fingerprint(code)
        self.seen[start.fingerprint] = 0
        if self.kind.measured_start:
            self.say("measuring the original program")
            # its time and energy come with every candidate's verdict; timing it against itself adds nothing
            metrics = tuple(m for m in self.config.metrics if m in ("instructions", "memory"))
            fill_from_verdict(start, self._measure(code, "baseline/verdict", metrics), self.threshold)
            if not start.correct:
                raise TaskError(f"{self.task.toml_path}: the original program fails its own task: {start.reason}",
                                hint="fix the program, or the tests and expected answers of its task")
            start.status, start.accepted, start.reason = "baseline", False, "the original program"
            self._profile(start)
        self.start_attempt = start

    # -- what strategies use ----------------------------------------------------------------

    @property
    def best(self) -> Attempt | None:
        accepted = [a for a in self.attempts if a.accepted]
        return min(accepted, key=Attempt.rank_key) if accepted else None

    @property
    def result(self) -> Attempt | None:
        """What the run hands back: the best accepted attempt; for code the model wrote from a
        description or translated (no runnable original), the best correct attempt when none beat
        the reference, since a correct translation is the work asked for."""
        if self.best is not None or self.kind.measured_start:
            return self.best
        correct = [a for a in self.attempts if a.correct]
        return min(correct, key=Attempt.rank_key) if correct else None

    def leader(self) -> Attempt | None:
        """What to improve next: the best accepted attempt, else the original, else (code written
        from scratch) the best correct attempt, else nothing."""
        correct = [a for a in self.attempts if a.correct]
        return self.best or self.start_attempt or (min(correct, key=Attempt.rank_key) if correct else None)

    def attempt(self, parent: Attempt | None, *, model: Any, shown: list[Attempt] | None = None,
                sample: int = 0, temperature: float | None = None, island: int | None = None) -> Attempt:
        """One step: ask for a candidate derived from ``parent`` and judge it."""
        self.budget.start_iteration()
        n = len(self.attempts) + 1
        code = (parent.code or "") if parent else ""
        first = parent is self.start_attempt
        messages, fmt = prompting.messages(
            self.task, first=first, code=code, profile=self._profile(parent),
            counters=prompting.counters_view(parent), edit_format=self.config.edit_format,
            attempts=[prompting.attempt_view(a, self.find(a.parent)) for a in shown or []])
        temperature = self.config.temperature if temperature is None else temperature
        attempt = Attempt(n=n, model=model.name, parent=parent.n if parent else None, status="edit-failed",
                          island=island)
        self.say(f"attempt {n}: asking {model.name}")
        try:
            text, result = self._exchange(attempt, model, messages, sample, temperature, "ask", code)
            if isinstance(result, EditError):
                self.say(f"attempt {n}: the reply did not apply ({result.kind}); one repair turn")
                attempt.repaired = True
                messages += [{"role": "assistant", "content": text},
                             {"role": "user", "content": render("repair", reason=result.reason, edit_format=fmt,
                                                                files=[self.filename])}]
                _, result = self._exchange(attempt, model, messages, sample, temperature, "repair", code)
        except BudgetExceeded:
            if attempt.tokens:  # the first reply was paid for: keep it on record
                attempt.reason = "the reply did not apply and no budget was left for the repair turn"
                self._keep(attempt)
            raise
        self._judge(attempt, result)
        self._keep(attempt)
        return attempt

    # -- the steps ----------------------------------------------------------------------------

    def _exchange(self, attempt: Attempt, model: Any, messages: list[dict[str, str]], sample: int,
                  temperature: float, purpose: str, code: str) -> tuple[str, Applied | EditError]:
        """Ask (or replay the journaled answer) and apply the reply to ``code``."""
        reply = self.asker.ask(f"it-{attempt.n:03d}/{purpose}", model, messages, sample=sample,
                               temperature=temperature, max_tokens=self.config.max_tokens)
        attempt.tokens += reply.billed_tokens
        attempt.cost_usd = None if attempt.cost_usd is None or reply.billed_usd is None else \
            attempt.cost_usd + reply.billed_usd
        result = apply_reply(reply.text, {self.filename: code}, allow_whole_file=True)
        return reply.text, self._in_scope(result)

    def _in_scope(self, result: Applied | EditError) -> Applied | EditError:
        """A file target's edit may change its function only (:func:`agent.targets.touches_only`):
        beyond that it is refused like an edit that does not apply, with the reasons, unmeasured."""
        if self.scope is None or self.start_attempt is None or not isinstance(result, Applied) or result.noop:
            return result
        ok, reasons = touches_only(self.start_attempt.code or "", result.code, self.scope)
        if ok:
            return result
        return EditError(kind="out_of_scope", problems=[
            f"the edit may change the function `{self.scope}` only (and add imports or new helpers): {why}"
            for why in reasons[:3]])

    def _judge(self, attempt: Attempt, result: Applied | EditError) -> None:
        if isinstance(result, EditError):
            attempt.reason = f"the edit did not apply: {result.reason}"
            return
        attempt.code = result.code
        attempt.fingerprint = result.fingerprint()
        if result.noop:
            attempt.status, attempt.reason = "no-op", "the edit changed nothing"
        elif attempt.fingerprint in self.seen:
            earlier = self.seen[attempt.fingerprint]
            attempt.status, attempt.duplicate_of = "duplicate", earlier
            attempt.reason = f"the same code as {'the original' if earlier == 0 else f'attempt {earlier}'}"
        else:
            self.seen[attempt.fingerprint] = attempt.n
            self.say(f"attempt {attempt.n}: evaluating the candidate")
            verdict = self._measure(result.code, f"cand/{attempt.fingerprint[:24]}/verdict")
            fill_from_verdict(attempt, verdict, self.threshold)
        self.say(f"attempt {attempt.n}: {attempt.status}: {attempt.reason}")

    def _keep(self, attempt: Attempt) -> None:
        self.attempts.append(attempt)
        self.store.add_result(self.run_id, ResultRow(key=f"attempt-{attempt.n:03d}", task_id=self.task.id,
                                                     model=attempt.model, sample=attempt.n,
                                                     payload=attempt.model_dump(mode="json", exclude={"code"})))
        self.on_step(self)

    def _measure(self, code: str, key: str, metrics: tuple[str, ...] | None = None) -> Any:
        from evaluators.measure import Verdict

        def produce() -> Verdict:
            verdict = self.evaluator.measure(code.encode(), metrics)
            if verdict.metric_errors:  # the harness failed, not the candidate: nothing is journaled
                raise SandboxError("a measurement failed: " + "; ".join(
                    f"{metric}: {error}" for metric, error in verdict.metric_errors.items()))
            return verdict

        return self.store.step(self.run_id, key, produce, Verdict)[0]

    def _profile(self, attempt: Attempt | None) -> dict[str, Any] | None:
        """The profile of an attempt's code (journaled), for the prompt; only for measured code."""
        if attempt is None or not attempt.measured or not attempt.code:
            return None
        from agent.profile import Profile

        subject = prompting.subject(attempt)
        key = f"profile/{digest(attempt.code)[:24]}"
        profile, _ = self.store.step(self.run_id, key,
                                     lambda: self.evaluator.profile(attempt.code.encode(), subject), Profile)
        return profile.model_copy(update={"subject": subject}).model_dump()

    # -- small views --------------------------------------------------------------------------

    def _fingerprint(self, code: str) -> str:
        return Applied(files={self.filename: code}, changed=[], noop=True).fingerprint()

    def find(self, n: int | None) -> Attempt | None:
        if n == 0:
            return self.start_attempt
        return self.attempts[n - 1] if n is not None and 0 < n <= len(self.attempts) else None
