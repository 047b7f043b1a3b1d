"""Asking a model inside a run: journaled, charged to the ledger, held against the budget.

    asker = Asker(store, run_id, budget, models)
    reply = asker.ask("it-003/ask", model, messages, sample=0, temperature=0.2, max_tokens=2048)

The journal key is the given prefix plus a hash of the model, the messages and the
parameters, so a resumed run finds the answer of every call it already made and pays
for none of them again (it still counts toward the run's budget: the run spent it).
A new call reserves its worst case first (:mod:`agent.budget`), is written to the
ledger, then to the journal, then settled.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, Field

from agent.budget import Budget, TokenEstimate, price_per_token
from agent.store import LedgerEntry, RunStore
from perfforge.errors import ConfigError


class Exchange(BaseModel):
    """One model call as journaled: the reply and what it cost."""

    text: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    cached: bool = Field(False, description="answered from the response cache: nothing was spent")
    latency_s: float = 0.0

    @property
    def billed_tokens(self) -> int:
        return 0 if self.cached else self.prompt_tokens + self.completion_tokens

    @property
    def billed_usd(self) -> float | None:
        return 0.0 if self.cached else self.cost_usd


def digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class Asker:
    def __init__(self, store: RunStore, run_id: str, budget: Budget, models: list[Any]) -> None:
        self.store, self.run_id, self.budget = store, run_id, budget
        self.estimate = TokenEstimate()
        self.prices = {m.name: price_per_token(m.name, input_usd_per_mtok=m.config.input_usd_per_mtok,
                                               output_usd_per_mtok=m.config.output_usd_per_mtok) for m in models}
        unpriced = [name for name, price in self.prices.items() if price is None]
        if budget.limits.usd is not None and unpriced:
            raise ConfigError(f"a dollar budget needs the model's price, and none is known for {unpriced[0]}",
                              hint="use --budget-tokens instead, or a model in litellm's price table")

    def ask(self, prefix: str, model: Any, messages: list[dict[str, str]], *, sample: int = 0,
            **params: Any) -> Exchange:
        key = f"{prefix}-{digest(model.name, messages, params, sample)[:12]}"
        stored = self.store.lookup(self.run_id, key)
        if stored is not None:
            reply = Exchange.model_validate(stored)
            self.budget.settle(None, tokens=reply.billed_tokens, usd=reply.billed_usd)
            return reply
        price = self.prices[model.name]
        bound = self.estimate.bound(model.name, messages)
        most = params.get("max_tokens") or 0
        worst_usd = None if price is None else bound * price[0] + most * price[1]
        hold = self.budget.reserve(tokens=bound + most, usd=worst_usd)
        try:
            answer = model.complete(messages, sample=sample, **params)
        except BaseException:
            self.budget.release(hold)
            raise
        reply = Exchange(text=answer.text, model=answer.model, prompt_tokens=answer.prompt_tokens,
                         completion_tokens=answer.completion_tokens, cost_usd=answer.cost_usd,
                         cached=answer.cached, latency_s=answer.latency_s)
        self.estimate.observe(model.name, messages, answer.prompt_tokens)
        # the ledger first: a crash between the two repeats the call on resume, but never hides a paid one
        self.store.charge(self.run_id, LedgerEntry(
            model=reply.model, prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens,
            cost_usd=reply.cost_usd, replayed=reply.cached, latency_s=reply.latency_s, purpose=key))
        self.store.record(self.run_id, key, reply)
        self.budget.settle(hold, tokens=reply.billed_tokens, usd=reply.billed_usd)
        return reply
