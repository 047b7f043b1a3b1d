"""How a run spends its budget: which attempt to build on next, which model to ask, what to show it.

Every strategy implements :class:`perfforge.protocols.Strategy`: ``run(loop)`` calls
``loop.attempt(...)`` until a budget stops it (the loop turns that into the end of the
run).  Strategies must be deterministic given the attempts' outcomes — randomness
comes from ``loop.seed`` — so that a resumed run walks the same path through its
journal.

=============  =====================================================================
name           what it does
=============  =====================================================================
refine         (default) improve the best version so far, showing the model every
               earlier attempt's measured outcome (SysLLMatic-style feedback)
best-of-n      independent samples from the original, no feedback between them
evolve         islands of candidates, parents drawn from each island's Pareto front
               over instructions / time / memory / energy, models chosen by a bandit
               on improvement per dollar
=============  =====================================================================
"""

from __future__ import annotations

from typing import Any, Callable

from perfforge.errors import ConfigError

from agent.strategies.best_of_n import BestOfN
from agent.strategies.evolve import Evolve
from agent.strategies.refine import Refine

STRATEGIES: dict[str, Callable[..., Any]] = {Refine.name: Refine, BestOfN.name: BestOfN, Evolve.name: Evolve}


def get_strategy(name: str, **config: Any) -> Any:
    """The strategy called ``name``; an unknown name lists the valid ones."""
    try:
        factory = STRATEGIES[name]
    except KeyError:
        raise ConfigError(f"unknown strategy {name!r}", hint=f"valid strategies: {', '.join(STRATEGIES)}") from None
    return factory(**config)


__all__ = ["STRATEGIES", "BestOfN", "Evolve", "Refine", "get_strategy"]
