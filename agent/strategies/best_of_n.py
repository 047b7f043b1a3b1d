"""``best-of-n``: n independent samples from the original; the best verified one wins."""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class BestOfN(BaseModel):
    """Every sample sees the same prompt (no feedback), at a sampling temperature; ``sample``
    keeps the samples apart in the response cache.  n is the iteration budget."""

    model_config = ConfigDict(extra="forbid")
    name: ClassVar[str] = "best-of-n"
    temperature: float = Field(0.8, ge=0, le=2)

    def run(self, loop: Any) -> None:
        for sample in itertools.count():
            model = loop.models[sample % len(loop.models)]
            loop.attempt(loop.start_attempt, model=model, sample=sample, temperature=self.temperature)
