"""Shared pieces of the agent-loop tests: canned model replies for py-dedupe, a real sandbox,
and a loop wired to a scripted server through the real client (imported by name)."""

from __future__ import annotations

from pathlib import Path

from agent.budget import Budget, BudgetLimits
from agent.loop import Loop, LoopConfig
from agent.models import ChatModel
from agent.session import SandboxEvaluator
from agent.store import RunStore
from benchmarks.task import Task
from tests.evaluators.measure_fixtures import box, perfforge_home  # noqa: F401 - fixtures shared with the evaluator tests

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "benchmarks" / "suites" / "examples"
DEDUPE = EXAMPLES / "py-dedupe"


def edit(search: str, replace: str, intro: str = "") -> str:
    """A reply holding one SEARCH/REPLACE block for solution.py."""
    block = f"solution.py\n```python\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"
    return f"{intro}\n\n{block}" if intro else block


LOOP = "    out = []\n    for item in items:\n        if item not in out:\n            out.append(item)\n"
GOOD = edit(LOOP, "    out = []\n    seen = set()\n    for item in items:\n        if item not in seen:\n"
                  "            seen.add(item)\n            out.append(item)\n",
            "The `in` test scans the whole output list, so the loop is quadratic: keep a set of seen items.")
# faster, and wrong: the order of first appearances is lost
WRONG_FASTER = edit(LOOP + "    return out\n", "    return sorted(set(items))\n", "Sorting a set is much faster.")
NOT_MATCHING = edit("    for x in range(len(items)):\n", "    for x in items:\n")

CHATTY = "The function is quadratic because of the list membership test; a set would fix it."

NO_OP = edit("    out = []\n", "    out = []  # the result\n")

# GOOD again with only a comment more: a duplicate once normalized
GOOD_AGAIN = GOOD.split("\n\n", 1)[1].replace("    seen = set()\n", "    seen = set()   # what was already kept\n")


def fresh_home(session_home: Path, tmp_path: Path) -> Path:
    """A PERFFORGE_HOME of its own (run store, response cache) sharing the session's input and count caches."""
    home = tmp_path / "home"
    home.mkdir()
    for shared in ("stress", "counts"):
        (session_home / shared).mkdir(exist_ok=True)
        (home / shared).symlink_to(session_home / shared)
    return home


def scripted_model(server, name: str = "openai/scripted", **fields) -> ChatModel:
    fields.setdefault("backoff_base_s", 0.01)
    fields.setdefault("timeout_s", 10.0)
    return ChatModel(model=name, api_base=server.url, cache=False, **fields)


def make_loop(server, box, tmp_path, *, limits: BudgetLimits, metrics=("instructions",), task_dir=DEDUPE,
              model: ChatModel | None = None, models: list[ChatModel] | None = None,
              store: RunStore | None = None, run_id: str | None = None,
              progress=None, **config) -> Loop:
    task = Task.load(task_dir)
    store = store or RunStore(tmp_path / "runs.sqlite")
    run_id = run_id or store.create_run("optimize", {"test": True}).id
    models = models or [model or scripted_model(server)]
    evaluator = SandboxEvaluator(task, box, tuple(metrics), progress or (lambda _m: None))
    return Loop(task, models, store=store, run_id=run_id, budget=Budget(limits), evaluator=evaluator,
                config=LoopConfig(metrics=tuple(metrics), **config), progress=progress)
