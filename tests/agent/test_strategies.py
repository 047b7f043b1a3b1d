"""Strategies: what each builds on, which model it asks, and that its choices repeat on a resume.

The strategies only call ``loop.attempt``; here a recording loop answers with outcomes
given by each test (no model is involved at this level), so the choices can be checked
one by one.  The full loop with real candidates is exercised in ``test_loop*.py``.
"""

from __future__ import annotations

import pytest

from agent.attempts import Attempt
from agent.budget import Budget, BudgetExceeded, BudgetLimits
from agent.loop import LoopConfig
from agent.strategies import STRATEGIES, BestOfN, Evolve, Refine, get_strategy
from agent.strategies.evolve import ModelBandit, dominates, improvement, pareto_front
from perfforge.errors import ConfigError


class Named:
    def __init__(self, name: str) -> None:
        self.name = name


class RecordingLoop:
    """The part of :class:`agent.loop.Loop` strategies use; ``outcome(call) -> dict`` sets each attempt's figures."""

    def __init__(self, iterations: int, outcome, models=("m",), start_instructions: int | None = 1000, seed=7):
        self.models = [Named(m) for m in models]
        self.config = LoopConfig(history=2)
        self.budget = Budget(BudgetLimits(iterations=iterations))
        self.start_attempt = None if start_instructions is None else Attempt(
            n=0, status="baseline", correct=True, code="orig", instructions=start_instructions)
        self.attempts: list[Attempt] = []
        self.calls: list[dict] = []
        self.outcome = outcome
        self.seed = seed

    @property
    def best(self):
        accepted = [a for a in self.attempts if a.accepted]
        return min(accepted, key=Attempt.rank_key) if accepted else None

    def leader(self):
        return self.best or self.start_attempt

    def attempt(self, parent, *, model, shown=None, sample=0, temperature=None, island=None):
        self.budget.start_iteration()
        call = {"parent": parent.n if parent else None, "model": model.name, "shown": [a.n for a in shown or []],
                "sample": sample, "temperature": temperature, "island": island}
        self.calls.append(call)
        figures = self.outcome(len(self.calls), call)
        a = Attempt(n=len(self.attempts) + 1, model=model.name, parent=call["parent"], island=island,
                    status="accepted" if figures.get("accepted") else ("not-faster" if figures.get("correct") else "wrong"),
                    **figures)
        self.attempts.append(a)
        return a


def drive(strategy, loop):
    with pytest.raises(BudgetExceeded):
        strategy.run(loop)
    return loop.calls


def test_registry_and_unknown_names():
    assert set(STRATEGIES) == {"refine", "best-of-n", "evolve"}
    assert isinstance(get_strategy("evolve", islands=3), Evolve)
    with pytest.raises(ConfigError) as err:
        get_strategy("greedy")
    assert "refine, best-of-n, evolve" in err.value.hint


def test_refine_builds_on_the_best_accepted_attempt_and_shows_recent_ones():
    def outcome(i, call):  # attempt 2 is accepted and faster than the original; others are wrong
        return {"correct": True, "accepted": True, "instructions": 400} if i == 2 else {"correct": False}

    calls = drive(Refine(), RecordingLoop(4, outcome, models=("a", "b")))
    assert [c["parent"] for c in calls] == [0, 0, 2, 2]
    assert [c["model"] for c in calls] == ["a", "b", "a", "b"]  # models take turns
    assert [c["shown"] for c in calls] == [[], [1], [1, 2], [2, 3]]  # the latest `history` attempts
    # the temperature rises with each attempt since the last accepted one
    assert [c["temperature"] for c in calls] == pytest.approx([0.0, 0.3, 0.0, 0.3])


def test_best_of_n_samples_independently_from_the_original():
    calls = drive(BestOfN(temperature=0.9), RecordingLoop(3, lambda i, c: {"correct": True}))
    assert [c["parent"] for c in calls] == [0, 0, 0]
    assert [c["sample"] for c in calls] == [0, 1, 2] and {c["temperature"] for c in calls} == {0.9}
    assert all(c["shown"] == [] for c in calls)


def test_pareto_front_over_instructions_time_memory_energy():
    a = Attempt(n=1, status="accepted", instructions=100, time_s=1.0, peak_rss_kib=50)
    b = Attempt(n=2, status="accepted", instructions=120, time_s=0.8, peak_rss_kib=50)  # trades instructions for time
    c = Attempt(n=3, status="accepted", instructions=130, time_s=1.1, peak_rss_kib=60)  # worse than a everywhere
    assert dominates(a, c) and not dominates(a, b) and not dominates(b, a)
    assert pareto_front([a, b, c]) == [a, b]


def test_improvement_is_the_log_ratio_of_the_ranking_measure():
    parent = Attempt(n=0, status="baseline", instructions=1000)
    assert improvement(parent, Attempt(n=1, status="accepted", correct=True, instructions=250)) == pytest.approx(1.386, abs=1e-3)
    assert improvement(parent, Attempt(n=1, status="wrong", correct=False)) == 0.0
    assert improvement(parent, Attempt(n=1, status="not-faster", correct=True, instructions=2000)) == 0.0


def test_the_bandit_prefers_the_model_with_more_improvement_per_dollar():
    bandit = ModelBandit(2)
    assert [bandit.pick(), bandit.update(0, 1.0, 0.01, 100), bandit.pick()] == [0, None, 1]  # each arm tried once
    bandit.update(1, 1.0, 1.00, 100)  # same improvement, a hundred times the price
    picks = []
    for _ in range(20):
        arm = bandit.pick()
        picks.append(arm)
        bandit.update(arm, 0.5, 0.01 if arm == 0 else 1.0, 100)
    assert picks.count(0) > 15
    free = ModelBandit(1)
    free.update(0, 1.0, 0.0, 1000)  # a free model is charged its tokens at a nominal price, not zero
    assert free.cost[0] == pytest.approx(1000e-6)


def test_evolve_uses_islands_pareto_parents_and_migration():
    def outcome(i, call):
        # every step improves on its parent by 10%
        parent = call["parent"]
        base = 1000 if parent == 0 else 1000 * 0.9 ** parent
        return {"correct": True, "accepted": True, "instructions": int(base * 0.9)}

    loop = RecordingLoop(8, outcome, models=("cheap", "dear"))
    calls = drive(Evolve(islands=2, migrate_every=4, inspirations=2), loop)
    assert [c["island"] for c in calls] == [0, 1, 0, 1, 0, 1, 0, 1]
    assert calls[0]["parent"] == 0 and calls[1]["parent"] == 0  # empty islands start from the original
    for call in calls[2:]:
        parent = loop.attempts[call["parent"] - 1]
        # parents come from the island itself, or arrived by migration after step 4
        assert parent.island == call["island"] or loop.calls.index(call) >= 4
    assert all(len(c["shown"]) <= 2 for c in calls)
    assert {c["model"] for c in calls[:2]} == {"cheap", "dear"}


def test_evolve_repeats_its_choices_for_the_same_seed():
    def outcome(i, call):
        return {"correct": i % 3 != 0, "accepted": i % 3 != 0, "instructions": 1000 - 10 * i}

    first = drive(Evolve(islands=3), RecordingLoop(12, outcome, seed=42))
    again = drive(Evolve(islands=3), RecordingLoop(12, outcome, seed=42))
    assert first == again


def test_evolve_writes_from_scratch_when_there_is_no_original():
    calls = drive(Evolve(islands=1), RecordingLoop(2, lambda i, c: {"correct": False}, start_instructions=None))
    assert [c["parent"] for c in calls] == [None, None]
