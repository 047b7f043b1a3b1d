"""Budgets: iterations, tokens, dollars and wall time, per run and in total.

A :class:`Budget` is shared by whoever spends from it (one run, or several runs of a
benchmark through ``parent``) and is thread-safe.  A model call *reserves* its worst
case before it is made and *settles* the real figures after, so calls still in flight
count: two runs sharing a total can never together pass it.

    budget = Budget(BudgetLimits(usd=2.0), parent=total)
    budget.start_iteration()                      # raises BudgetExceeded at the cap
    hold = budget.reserve(tokens=6000, usd=0.03)  # raises BudgetExceeded if it might not fit
    try:
        reply = model.complete(...)
    except BaseException:
        budget.release(hold)
        raise
    budget.settle(hold, tokens=reply.tokens, usd=reply.spent_usd)

The worst case of a call is its prompt (bounded from above by
:class:`TokenEstimate`) plus ``max_tokens``, priced at the model's rates, so the run
stops *before* a call that might cross a cap, never after: what is spent stays at or
below every cap.  A cost that is unknown is never counted as zero toward a dollar cap:
a run with a dollar cap refuses a model without a price up front
(:func:`price_per_token`), and once a reply comes back without a cost no further call
is made under that cap (the run stops with limit ``cost-unknown``).

Wall time counts over every session of a run: a resumed run's budget starts from the
seconds its earlier sessions worked (``elapsed_s``, journaled in the run store), so
``--resume`` does not restart the clock.  It is checked before every step, and a step
that can be bounded is bounded by the time left (:meth:`Budget.time_left`): a model call
(its HTTP timeout and its retries, see ``ChatModel.complete(within_s=...)``) and every
sandbox execution of a measurement or a profile (their wall limits, see
:mod:`agent.deadline`).  A step cut off that way stops the run with limit ``wall_s`` and
is not journaled: a resumed run would redo it.  Not bounded, so a run may pass its cap
by their length: starting the sandbox (a container from the pool, an image build), the
local model server's start-up, making a task from a source file (recording a
function's calls, compiling a program) before the run starts, and writing the journal
and the report.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field


class BudgetLimits(BaseModel):
    """Caps; None means no cap."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    iterations: int | None = Field(None, ge=0, description="model exchanges that may propose a candidate")
    tokens: int | None = Field(None, ge=0, description="prompt + completion tokens")
    usd: float | None = Field(None, ge=0, description="dollars")
    wall_s: float | None = Field(None, gt=0, description="wall-clock seconds")


class BudgetExceeded(Exception):
    """The run must stop: ``limit`` (iterations, tokens, usd, wall_s, cost-unknown) is reached."""

    def __init__(self, limit: str, detail: str, scope: str = "run", *, spent: float = 0.0,
                 asked: float = 0.0, cap: float | None = None) -> None:
        super().__init__(f"{scope} {limit} budget: {detail}")
        self.limit, self.detail, self.scope = limit, detail, scope
        self.spent, self.asked, self.cap = spent, asked, cap  # what was spent and held, what the refused step needed


class Spent(BaseModel):
    iterations: int = 0
    tokens: int = 0
    usd: float = 0.0
    calls: int = 0
    unknown_cost_calls: int = 0
    elapsed_s: float = 0.0


@dataclass(frozen=True)
class Reservation:
    id: int
    tokens: int
    usd: float


_IDS = itertools.count(1)


class Budget:
    def __init__(self, limits: BudgetLimits | None = None, *, parent: "Budget | None" = None,
                 scope: str = "run", clock=time.monotonic, elapsed_s: float = 0.0) -> None:
        self.limits = limits or BudgetLimits()
        self.parent = parent
        self.scope = scope
        self._clock = clock
        self._started = clock() - elapsed_s  # the seconds earlier sessions of the run worked
        self._lock = threading.RLock()
        self._spent = Spent()
        self._held: dict[int, Reservation] = {}

    # -- what is left ----------------------------------------------------------------------

    @property
    def spent(self) -> Spent:
        with self._lock:
            return self._spent.model_copy(update={"elapsed_s": self.elapsed_s})

    @property
    def in_flight(self) -> tuple[int, float]:
        with self._lock:
            return sum(r.tokens for r in self._held.values()), sum(r.usd for r in self._held.values())

    @property
    def elapsed_s(self) -> float:
        return self._clock() - self._started

    def has_usd_cap(self) -> bool:
        """A dollar cap applies here or in a parent."""
        return self.limits.usd is not None or (self.parent is not None and self.parent.has_usd_cap())

    def time_left(self) -> float | None:
        """Seconds until the nearest wall-time cap (here or in a parent); None without one."""
        left = None if self.limits.wall_s is None else self.limits.wall_s - self.elapsed_s
        above = self.parent.time_left() if self.parent is not None else None
        return above if left is None else left if above is None else min(left, above)

    def check_time(self) -> None:
        """Raise when the wall-time cap is reached (here or in the parent)."""
        cap = self.limits.wall_s
        if cap is not None and self.elapsed_s >= cap:
            raise BudgetExceeded("wall_s", f"{cap:g} s elapsed", self.scope, spent=self.elapsed_s, cap=cap)
        if self.parent is not None:
            self.parent.check_time()

    def time_up(self, step: str) -> BudgetExceeded:
        """The stop of a run whose ``step`` was cut off at the wall-time cap."""
        try:
            self.check_time()
        except BudgetExceeded as stop:
            return BudgetExceeded("wall_s", f"{stop.detail}; {step} was cut off", stop.scope, spent=stop.spent,
                                  cap=stop.cap)
        # cut off a moment before the cap by the clocks' rounding: it is the cap all the same
        return BudgetExceeded("wall_s", f"no time left; {step} was cut off", self.scope, spent=self.elapsed_s,
                              cap=self.limits.wall_s)

    # -- spending --------------------------------------------------------------------------

    def start_iteration(self) -> None:
        """Count one iteration, or raise if the cap is reached (nothing is counted then)."""
        self.check_time()
        with self._lock:
            cap = self.limits.iterations
            if cap is not None and self._spent.iterations >= cap:
                raise BudgetExceeded("iterations", f"{cap} done", self.scope, spent=cap, asked=1, cap=cap)
            if self.parent is not None:
                self.parent.start_iteration()
            self._spent.iterations += 1

    def reserve(self, *, tokens: int, usd: float | None) -> Reservation:
        """Hold a call's worst case; raise BudgetExceeded when it might not fit under a cap."""
        self.check_time()
        with self._lock:
            held_tokens, held_usd = self.in_flight
            cap = self.limits.tokens
            if cap is not None and self._spent.tokens + held_tokens + tokens > cap:
                raise BudgetExceeded("tokens", f"{self._spent.tokens:,} spent of {cap:,}; the next call may take up "
                                     f"to {tokens:,}", self.scope, spent=self._spent.tokens + held_tokens,
                                     asked=tokens, cap=cap)
            if self.limits.usd is not None:
                if self._spent.unknown_cost_calls:
                    raise BudgetExceeded("cost-unknown", f"{self._spent.unknown_cost_calls} call(s) came back "
                                         "without a price, so the dollar cap cannot be kept", self.scope)
                if usd is None:
                    raise BudgetExceeded("cost-unknown", "the model's price is unknown, so a dollar cap cannot be "
                                         "kept", self.scope)
                if self._spent.usd + held_usd + usd > self.limits.usd:
                    raise BudgetExceeded("usd", f"${self._spent.usd:.4f} spent of ${self.limits.usd:g}; the next "
                                         f"call may cost up to ${usd:.4f}", self.scope,
                                         spent=self._spent.usd + held_usd, asked=usd, cap=self.limits.usd)
            parent_hold = self.parent.reserve(tokens=tokens, usd=usd) if self.parent is not None else None
            hold = Reservation(parent_hold.id if parent_hold else next(_IDS), tokens, usd or 0.0)
            self._held[hold.id] = hold
            return hold

    def release(self, hold: Reservation) -> None:
        """The call was not made or failed without a bill: free what it held."""
        with self._lock:
            self._held.pop(hold.id, None)
        if self.parent is not None:
            self.parent.release(hold)

    def settle(self, hold: Reservation | None, *, tokens: int, usd: float | None) -> None:
        """Replace the reservation by what the call really cost (``usd=None``: unknown).

        ``hold=None`` records a call made earlier (a resumed run replaying its journal).
        An unknown cost under a dollar cap stops the run at the next reservation."""
        with self._lock:
            if hold is not None:
                self._held.pop(hold.id, None)
            self._spent.tokens += tokens
            self._spent.calls += 1
            if usd is None:
                self._spent.unknown_cost_calls += 1
            else:
                self._spent.usd += usd
        if self.parent is not None:
            self.parent.settle(hold, tokens=tokens, usd=usd)


class TokenEstimate:
    """An upper bound on a prompt's tokens before it is sent.

    Until a model has answered, a prompt is assumed to cost one token per UTF-8 byte
    (no byte-level tokenizer makes more), plus a few per message.  Once replies report
    their prompt tokens, the bound becomes the highest tokens-per-byte ratio seen, with
    a margin: tight enough to spend close to the cap, still above what is charged.
    """

    PER_MESSAGE = 8
    MARGIN = 1.25

    def __init__(self) -> None:
        self._ratio: dict[str, float] = {}
        self._lock = threading.Lock()

    def bound(self, model: str, messages: list[dict[str, str]]) -> int:
        size = sum(len(m["content"].encode()) for m in messages)
        ratio = self._ratio.get(model, 1.0 / self.MARGIN)
        return int(size * min(1.0, ratio * self.MARGIN)) + self.PER_MESSAGE * len(messages) + 8

    def observe(self, model: str, messages: list[dict[str, str]], prompt_tokens: int) -> None:
        size = sum(len(m["content"].encode()) for m in messages)
        if size and prompt_tokens:
            with self._lock:
                self._ratio[model] = max(self._ratio.get(model, 0.0), prompt_tokens / size)


def price_per_token(model: str, *, input_usd_per_mtok: float | None = None,
                    output_usd_per_mtok: float | None = None) -> tuple[float, float] | None:
    """(input, output) USD per token from an override or litellm's bundled price table; None when unknown."""
    if input_usd_per_mtok is not None and output_usd_per_mtok is not None:
        return input_usd_per_mtok / 1e6, output_usd_per_mtok / 1e6
    from agent.models import _litellm

    try:
        prompt, completion = _litellm().cost_per_token(model=model, prompt_tokens=1_000_000,
                                                       completion_tokens=1_000_000)
    except Exception:  # litellm raises a plain Exception for a model it has no price for
        return None
    return float(prompt) / 1e6, float(completion) / 1e6


class Price(BaseModel):
    """USD per million tokens, for a model litellm has no price for (a self-hosted server)."""

    model_config = ConfigDict(extra="forbid")

    input_usd_per_mtok: float = Field(ge=0)
    output_usd_per_mtok: float = Field(ge=0)


_PRICE = re.compile(r"^(?P<model>.+)=(?P<inp>[0-9.]+)[,/](?P<out>[0-9.]+)$")


def parse_prices(items: list[str], models: list[str]) -> dict[str, Price]:
    """``--price MODEL=IN,OUT`` (USD per million prompt / completion tokens), one per model."""
    from perfforge.errors import ConfigError

    out: dict[str, Price] = {}
    for item in items:
        match = _PRICE.match(item.strip())
        if match is None:
            raise ConfigError(f"--price {item!r}: expected MODEL=IN,OUT (USD per million prompt and completion tokens)",
                              hint="e.g. --price openai/my-model=0.15,0.60")
        if match["model"] not in models:
            raise ConfigError(f"--price {item!r}: {match['model']!r} is not one of the run's models "
                              f"({', '.join(models) or 'none given'})")
        out[match["model"]] = Price(input_usd_per_mtok=float(match["inp"]), output_usd_per_mtok=float(match["out"]))
    return out
