"""``evolve``: islands of candidates, Pareto elites as parents, a bandit choosing the model.

Each step works on one island (in turn): its parent is drawn from the island's Pareto
front (correct candidates not dominated on instructions, time, peak memory and energy;
the original while the island is empty), and the model is shown the island's latest
attempts as inspiration.  Every ``migrate_every`` steps each island's best moves to the
next island.  The model is chosen by UCB1 over improvement per dollar: the reward of a
step is ``log(parent / child)`` of the ranking measure (instructions, else time) for a
correct child, 0 otherwise; its cost is the dollars spent or, for a model without a price
or a free one, its tokens at a nominal $1 per million — so a free local model is cheap,
not infinitely good.  Draws use ``loop.seed``: a resumed run repeats the same choices.
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from agent.attempts import Attempt

NOMINAL_USD_PER_TOKEN = 1e-6
OBJECTIVES = ("instructions", "time_s", "peak_rss_kib", "energy_j")


def dominates(a: Attempt, b: Attempt) -> bool:
    """a is no worse than b on every objective both have, and better on one."""
    pairs = [(getattr(a, k), getattr(b, k)) for k in OBJECTIVES]
    pairs = [(x, y) for x, y in pairs if x is not None and y is not None]
    return bool(pairs) and all(x <= y for x, y in pairs) and any(x < y for x, y in pairs)


def pareto_front(members: list[Attempt]) -> list[Attempt]:
    return [a for a in members if not any(dominates(b, a) for b in members if b is not a)]


def improvement(parent: Attempt | None, child: Attempt) -> float:
    if not child.correct:
        return 0.0
    if parent is None:
        return 1.0  # a first correct program written from scratch
    for key in ("instructions", "time_s"):
        before, after = getattr(parent, key), getattr(child, key)
        if before and after:
            return max(0.0, math.log(before / after))
    return 0.0


class ModelBandit:
    """UCB1 over models, valued by reward per dollar (normalized by the best arm)."""

    def __init__(self, arms: int) -> None:
        self.pulls = [0] * arms
        self.reward = [0.0] * arms
        self.cost = [0.0] * arms

    def pick(self) -> int:
        for arm, pulls in enumerate(self.pulls):
            if pulls == 0:
                return arm
        values = [r / max(c, 1e-12) for r, c in zip(self.reward, self.cost)]
        top = max(values) or 1.0
        total = sum(self.pulls)
        scores = [v / top + math.sqrt(2 * math.log(total) / n) for v, n in zip(values, self.pulls)]
        return max(range(len(scores)), key=scores.__getitem__)

    def update(self, arm: int, reward: float, usd: float | None, tokens: int) -> None:
        self.pulls[arm] += 1
        self.reward[arm] += reward
        self.cost[arm] += usd if usd else tokens * NOMINAL_USD_PER_TOKEN


class Evolve(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: ClassVar[str] = "evolve"
    islands: int = Field(2, ge=1, le=16)
    migrate_every: int = Field(4, ge=1)
    inspirations: int = Field(3, ge=0, description="latest attempts of the island shown in the prompt")
    temperature: float = Field(0.7, ge=0, le=2)

    def run(self, loop: Any) -> None:
        rng = random.Random(loop.seed)
        bandit = ModelBandit(len(loop.models))
        members: list[list[Attempt]] = [[] for _ in range(self.islands)]
        for step in itertools.count():
            island = step % self.islands
            front = sorted(pareto_front(members[island]), key=lambda a: a.n)
            parent = rng.choice(front) if front else loop.start_attempt
            shown = [a for a in loop.attempts if a.island == island][-self.inspirations:] if self.inspirations else []
            arm = bandit.pick()
            child = loop.attempt(parent, model=loop.models[arm], shown=shown, sample=step,
                                 temperature=self.temperature, island=island)
            bandit.update(arm, improvement(parent, child), child.cost_usd, child.tokens)
            if child.correct:
                members[island].append(child)
            if self.islands > 1 and (step + 1) % self.migrate_every == 0:
                self._migrate(members)

    @staticmethod
    def _migrate(members: list[list[Attempt]]) -> None:
        bests = [min(m, key=Attempt.rank_key) if m else None for m in members]
        for i, best in enumerate(bests):
            target = members[(i + 1) % len(members)]
            if best is not None and all(a.n != best.n for a in target):
                target.append(best)
