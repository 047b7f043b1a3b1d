"""Budget caps stop a real run at the cap: tokens and dollars, as billed by the scripted server."""

from __future__ import annotations

import pytest

from agent.budget import BudgetLimits
from agent.strategies import Refine
from agent.testing import ScriptedServer, reply
from perfforge.errors import ConfigError
from tests.agent.loop_fixtures import NOT_MATCHING, box, make_loop, scripted_model, perfforge_home  # noqa: F401

pytestmark = pytest.mark.docker


def run_until_stopped(server, box, tmp_path, limits, **kwargs):
    loop = make_loop(server, box, tmp_path, limits=limits, metrics=(), **kwargs)
    loop.run(Refine())
    return loop


def test_a_token_cap_stops_the_run_before_a_call_could_cross_it(box, tmp_path):
    cap = 6000
    with ScriptedServer([reply(NOT_MATCHING, repeat=True)]) as server:
        loop = run_until_stopped(server, box, tmp_path, BudgetLimits(tokens=cap), max_tokens=256)
        requests = len(server.chat_requests)
    spent = loop.store.spent(loop.run_id)
    assert loop.status == "done" and "tokens budget" in loop.stop_reason
    assert spent.calls == requests and spent.tokens == loop.budget.spent.tokens
    assert spent.tokens <= cap
    # it stopped because the next call's worst case (its prompt bound + max_tokens) no longer fitted
    stop = loop.stopped_by
    assert stop.limit == "tokens" and stop.spent == spent.tokens and stop.spent + stop.asked > cap
    assert stop.asked < 2 * max(e.prompt_tokens + e.completion_tokens for e in loop.store.ledger(loop.run_id))
    assert requests >= 3


def test_a_dollar_cap_stops_the_run_at_the_cap_with_litellm_prices(box, tmp_path):
    cap = 0.012
    with ScriptedServer([reply(NOT_MATCHING, repeat=True)]) as server:
        model = scripted_model(server, name="openai/gpt-4o")
        loop = run_until_stopped(server, box, tmp_path, BudgetLimits(usd=cap), model=model, max_tokens=128)
        requests = len(server.chat_requests)
    spent = loop.store.spent(loop.run_id)
    assert loop.status == "done" and "usd budget" in loop.stop_reason
    assert spent.cost_known and 0 < spent.cost_usd <= cap
    assert spent.calls == requests >= 2
    # every call was priced from litellm's table: gpt-4o's input and output rates
    import litellm

    price = litellm.model_cost["gpt-4o"]
    billed = sum(e.prompt_tokens * price["input_cost_per_token"] + e.completion_tokens * price["output_cost_per_token"]
                 for e in loop.store.ledger(loop.run_id))
    assert spent.cost_usd == pytest.approx(billed)
    stop = loop.stopped_by
    assert stop.limit == "usd" and stop.spent == pytest.approx(spent.cost_usd) and stop.spent + stop.asked > cap


def test_a_dollar_cap_refuses_a_model_without_a_price(box, tmp_path):
    with ScriptedServer([reply(NOT_MATCHING, repeat=True)]) as server:
        with pytest.raises(ConfigError, match="price"):
            make_loop(server, box, tmp_path, limits=BudgetLimits(usd=1.0), metrics=())
        assert server.chat_requests == []
