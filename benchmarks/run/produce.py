"""Where a benchmark's samples come from: a model's single answers (``codegen`` mode) or
the best candidate of an agent run (``optimize`` mode).

Every model call goes through the run's journal (:class:`agent.asking.Asker`): a resumed
run replays each answer it already has and pays for none again, and the ledger records
what was paid.  A sample carries what it cost to produce (``JobSample.bench``): the
tokens and dollars of the call that made it (the original call's, also when replayed,
so that a resumed run reports what an uninterrupted one does), the seconds spent waiting
for the model, and for an agent run the seconds of local compute (its own measurements).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

from benchmarks.run.config import BenchRunConfig, TaskEntry, slug
from benchmarks.run.jobs import JobSample

NO_CODE = "the reply holds no fenced code block"


def codegen_messages(task: Any) -> list[dict[str, str]]:
    """The request of one sample: the task (and, for perf-edit, its program) in one turn."""
    from agent.edits import get_format
    from agent.prompting import task_view
    from prompts import render

    view = task_view(task)
    instructions = get_format("whole-file").instructions(filename=view["filename"], language=view["fence"])
    code = task.read(task.spec.baseline).decode("utf-8", "replace") if task.spec.baseline else ""
    return [{"role": "system", "content": render("bench/system", task=view)},
            {"role": "user", "content": render("bench/codegen", task=view, code=code, edit_instructions=instructions)}]


def _cost(tokens_in: int, tokens_out: int, cost: float | None, price: Any) -> float | None:
    if price is not None:
        return (tokens_in * price.input_usd_per_mtok + tokens_out * price.output_usd_per_mtok) / 1e6
    return cost


class Producer:
    """Makes the samples of one (model, task) pair; shared by the run's generation threads."""

    def __init__(self, config: BenchRunConfig, store: Any, run_id: str, budget: Any,
                 say: Callable[[str], None] = lambda _m: None) -> None:
        self.config, self.store, self.run_id, self.budget, self.say = config, store, run_id, budget, say
        self._models: dict[str, Any] = {}
        self._asker: Any = None

    def open_models(self) -> None:
        """Build and check every model before anything is asked (see :func:`open_models`)."""
        self._models = open_models(self.config)
        if self.config.mode == "codegen":
            from agent.asking import Asker

            self._asker = Asker(self.store, self.run_id, self.budget, list(self._models.values()))

    def produce(self, entry: TaskEntry, task: Any, model: str, indices: list[int]) -> list[JobSample]:
        if self.config.mode == "codegen":
            return self._codegen(entry, task, model, indices)
        return [self._agent(entry, task, model, i) for i in indices]

    # -- codegen ----------------------------------------------------------------------------

    def _codegen(self, entry: TaskEntry, task: Any, model: str, indices: list[int]) -> list[JobSample]:
        from agent.codeblocks import extract_code

        messages = codegen_messages(task)
        out = []
        for i in indices:
            self.say(f"{entry.id}: asking {model} (sample {i})")
            reply = self._asker.ask(f"gen/{model}/{entry.id}/s{i}", self._models[model], messages, sample=i,
                                    temperature=self.config.temperature, max_tokens=self.config.max_tokens)
            code = extract_code(reply.text, task.spec.language)
            cost = _cost(reply.prompt_tokens, reply.completion_tokens, reply.cost_usd, self.config.prices.get(model))
            out.append(JobSample(index=i, source=code or "", origin=f"{model}, sample {i}",
                                 invalid=None if code else NO_CODE, bench={
                                     "mode": "codegen", "prompt_tokens": reply.prompt_tokens,
                                     "completion_tokens": reply.completion_tokens,
                                     "tokens": reply.prompt_tokens + reply.completion_tokens, "cost_usd": cost,
                                     "calls": 1, "model_s": reply.latency_s, "local_s": 0.0,
                                     "replayed": reply.cached}))
        return out

    # -- optimize -----------------------------------------------------------------------------

    def _agent(self, entry: TaskEntry, task: Any, model: str, index: int) -> JobSample:
        """One agent run on the task; its best accepted candidate is the sample (for a perf-edit
        task without one, the original program: the agent found no speedup)."""
        from agent.budget import BudgetLimits
        from agent.loop import LoopConfig
        from agent.report import RunSummary
        from agent.session import RunConfig, optimize
        from perfforge import paths

        child = f"{self.run_id}.m{self.config.models.index(model)}.{slug(entry.id)}.s{index}"
        out = paths.sub("bench") / self.run_id / slug(model) / f"{slug(entry.id)}-s{index}"
        priced = {model: self.config.prices[model]} if model in self.config.prices else {}
        config = RunConfig(task_dir=str(task.root.resolve()), task_hash=entry.hash, models=[model],
                           api_base=self.config.api_base, prices=priced, model_timeout_s=self.config.model_timeout_s,
                           strategy=self.config.strategy, limits=BudgetLimits(iterations=self.config.iterations),
                           loop=LoopConfig(metrics=("instructions",), edit_format="search-replace",
                                           temperature=self.config.temperature, max_tokens=self.config.max_tokens),
                           backend=self.config.backend, out=str(out))
        status = _status(self.store, child)
        started = time.perf_counter()
        if status == "done" and (out / "summary.json").is_file():
            summary = RunSummary.model_validate_json((out / "summary.json").read_text())
        else:
            self.say(f"{entry.id}: agent run {child} with {model}")
            summary = optimize(config, store=self.store, run_id=child, resume=status is not None, total=self.budget,
                               progress=lambda msg: self.say(f"{entry.id}: {msg}"))
        wall = time.perf_counter() - started
        ledger = self.store.ledger(child)
        model_s = sum(e.latency_s for e in ledger)
        tokens_in = sum(e.prompt_tokens for e in ledger)
        tokens_out = sum(e.completion_tokens for e in ledger)
        known_cost = None if any(e.cost_usd is None for e in ledger) else sum(e.cost_usd or 0.0 for e in ledger)
        bench = {"mode": "optimize", "agent_run": child, "prompt_tokens": tokens_in, "completion_tokens": tokens_out,
                 "tokens": tokens_in + tokens_out, "cost_usd": _cost(tokens_in, tokens_out, known_cost,
                                                                     self.config.prices.get(model)),
                 "calls": len(ledger), "model_s": model_s, "local_s": max(0.0, wall - model_s),
                 "attempts": len(summary.attempts), "accepted": summary.best is not None,
                 "agent_status": summary.status}
        best = summary.files.get("best")
        if summary.best is not None and best and Path(best).is_file():
            return JobSample(index=index, source=Path(best).read_text(), bench=bench,
                             origin=f"{model}, agent run {child}, attempt {summary.best['n']}")
        if task.spec.baseline:
            return JobSample(index=index, source=task.read(task.spec.baseline).decode("utf-8", "replace"), bench=bench,
                             origin=f"{model}, agent run {child}: no candidate accepted, the original")
        return JobSample(index=index, source="", bench=bench, origin=f"{model}, agent run {child}",
                         invalid="the agent run accepted no candidate")


def _status(store: Any, run_id: str) -> str | None:
    """The status of a stored run, None when there is no such run yet."""
    from perfforge.errors import ConfigError

    try:
        return store.get_run(run_id).status
    except ConfigError:
        return None


def open_models(config: BenchRunConfig) -> dict[str, Any]:
    """The run's models, each checked without asking it anything: an unknown provider, a
    missing API key, an unreachable server or a model the server does not serve is one
    clear error before the run starts."""
    from agent.budget import price_per_token
    from agent.models import ChatModel
    from agent.session import check_reachable
    from perfforge.errors import ConfigError

    if config.api_base:
        check_reachable(config.api_base)
        check_served(config.api_base, config.models)
    extra = {"timeout_s": config.model_timeout_s} if config.model_timeout_s else {}
    models = {}
    for name in config.models:
        price = config.prices.get(name)
        model = ChatModel(model=name, api_base=config.api_base, **extra, **(price.model_dump() if price else {}))
        model.check()
        if config.budget_usd is not None and price is None and price_per_token(name) is None:
            raise ConfigError(f"--budget-usd needs each model's price, and none is known for {name}",
                              hint=f"give it with --price {name}=IN,OUT (USD per million tokens)")
        models[name] = model
    return models


def check_served(api_base: str, models: list[str]) -> None:
    """An OpenAI-compatible server lists what it serves: a model it does not list is an
    error now, not after the first task.  A server that lists nothing is not checked."""
    import json
    import urllib.request

    from agent.redact import public_url
    from perfforge.errors import ConfigError

    try:
        with urllib.request.urlopen(api_base.rstrip("/") + "/models", timeout=5) as response:  # noqa: S310 (http(s) checked)
            listed = [str(item.get("id")) for item in json.load(response).get("data", []) if isinstance(item, dict)]
    except (OSError, ValueError, AttributeError):
        return
    if not listed:
        return
    for name in models:
        if name not in listed and name.split("/", 1)[-1] not in listed:
            raise ConfigError(f"unknown model {name!r}: the server at {public_url(api_base)} serves "
                              f"{', '.join(listed[:10])}", hint="check --model (litellm strings: provider/name)")


__all__ = ["NO_CODE", "Producer", "check_served", "codegen_messages", "open_models"]
