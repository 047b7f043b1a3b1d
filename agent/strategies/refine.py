"""``refine``: improve the best version so far, with every measured outcome fed back."""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class Refine(BaseModel):
    """Each step edits the leader (the best accepted attempt, else the original) and shows the
    model the latest attempts with their measured outcomes and failure reasons, as a
    profiling-guided optimizer feeds its measurements back.  Several models take turns.

    The temperature starts at the loop's (0 by default: a small model's most likely answer
    is its best one) and rises by ``step_up`` with every attempt since the last accepted
    one, so that a model which keeps failing, or repeats itself, tries something else."""

    model_config = ConfigDict(extra="forbid")
    name: ClassVar[str] = "refine"
    step_up: float = Field(0.3, ge=0, le=2)
    max_temperature: float = Field(1.0, ge=0, le=2)

    def run(self, loop: Any) -> None:
        for step in itertools.count():
            model = loop.models[step % len(loop.models)]
            shown = loop.attempts[-loop.config.history:] if loop.config.history else []
            since = next((i for i, a in enumerate(reversed(loop.attempts)) if a.accepted), len(loop.attempts))
            temperature = min(self.max_temperature, loop.config.temperature + self.step_up * since)
            loop.attempt(loop.leader(), model=model, shown=shown, temperature=temperature)
