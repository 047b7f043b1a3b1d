"""Budgets: caps are never crossed, calls in flight count, totals are shared, prices are honest."""

from __future__ import annotations

import threading

import pytest

from agent.budget import Budget, BudgetExceeded, BudgetLimits, TokenEstimate, price_per_token


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_iterations_stop_exactly_at_the_cap():
    budget = Budget(BudgetLimits(iterations=3))
    for _ in range(3):
        budget.start_iteration()
    with pytest.raises(BudgetExceeded) as stop:
        budget.start_iteration()
    assert stop.value.limit == "iterations" and budget.spent.iterations == 3


def test_a_call_that_might_cross_the_token_cap_is_refused_before_it_is_made():
    budget = Budget(BudgetLimits(tokens=1000))
    hold = budget.reserve(tokens=600, usd=None)
    budget.settle(hold, tokens=450, usd=None)
    budget.reserve(tokens=550, usd=None)  # 450 + 550 = 1000: fits exactly
    with pytest.raises(BudgetExceeded) as stop:
        budget.reserve(tokens=1, usd=None)  # the 550 in flight count
    assert stop.value.limit == "tokens"
    assert budget.spent.tokens == 450 and budget.in_flight == (550, 0.0)


def test_released_reservations_free_their_share():
    budget = Budget(BudgetLimits(tokens=100))
    hold = budget.reserve(tokens=100, usd=None)
    with pytest.raises(BudgetExceeded):
        budget.reserve(tokens=1, usd=None)
    budget.release(hold)
    budget.reserve(tokens=100, usd=None)


def test_dollar_cap_with_known_and_unknown_costs():
    budget = Budget(BudgetLimits(usd=0.10))
    hold = budget.reserve(tokens=10, usd=0.06)
    budget.settle(hold, tokens=10, usd=0.05)
    with pytest.raises(BudgetExceeded) as stop:
        budget.reserve(tokens=10, usd=0.06)  # 0.05 + 0.06 > 0.10
    assert stop.value.limit == "usd"
    # a price that is unknown is never taken as free under a dollar cap
    with pytest.raises(BudgetExceeded) as unknown:
        budget.reserve(tokens=10, usd=None)
    assert unknown.value.limit == "cost-unknown"
    # and once a reply came back without a cost, no further call is made under the cap
    hold = budget.reserve(tokens=10, usd=0.01)
    budget.settle(hold, tokens=10, usd=None)
    with pytest.raises(BudgetExceeded) as after:
        budget.reserve(tokens=10, usd=0.001)
    assert after.value.limit == "cost-unknown" and budget.spent.unknown_cost_calls == 1


def test_no_dollar_cap_tolerates_unknown_costs():
    budget = Budget(BudgetLimits(tokens=100))
    hold = budget.reserve(tokens=10, usd=None)
    budget.settle(hold, tokens=10, usd=None)
    assert budget.spent.unknown_cost_calls == 1 and budget.spent.usd == 0.0


def test_wall_time_cap():
    clock = FakeClock()
    budget = Budget(BudgetLimits(wall_s=60), clock=clock)
    budget.start_iteration()
    clock.now += 60
    with pytest.raises(BudgetExceeded) as stop:
        budget.reserve(tokens=1, usd=None)
    assert stop.value.limit == "wall_s"


def test_a_resumed_run_goes_on_from_the_seconds_its_earlier_sessions_worked():
    clock = FakeClock()
    budget = Budget(BudgetLimits(wall_s=60), clock=clock, elapsed_s=50)
    assert budget.elapsed_s == 50 and budget.time_left() == 10
    budget.check_time()
    clock.now += 10
    with pytest.raises(BudgetExceeded) as stop:
        budget.check_time()
    assert stop.value.limit == "wall_s"


def test_a_total_shared_by_runs_counts_their_calls_in_flight():
    total = Budget(BudgetLimits(tokens=1000, iterations=3), scope="total")
    run_a = Budget(BudgetLimits(tokens=800), parent=total)
    run_b = Budget(BudgetLimits(tokens=800), parent=total)
    hold_a = run_a.reserve(tokens=600, usd=None)
    with pytest.raises(BudgetExceeded) as stop:
        run_b.reserve(tokens=600, usd=None)  # fits run b's cap, not the total with a's call in flight
    assert stop.value.scope == "total" and run_b.in_flight == (0, 0.0)
    run_a.settle(hold_a, tokens=300, usd=None)
    run_b.reserve(tokens=600, usd=None)
    assert total.spent.tokens == 300 and total.in_flight == (600, 0.0)
    run_a.start_iteration(), run_b.start_iteration(), run_a.start_iteration()
    with pytest.raises(BudgetExceeded) as iters:
        run_b.start_iteration()
    assert iters.value.scope == "total" and run_b.spent.iterations == 1


def test_concurrent_reservations_never_cross_the_cap():
    budget = Budget(BudgetLimits(tokens=10_000))
    granted: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            try:
                hold = budget.reserve(tokens=137, usd=None)
            except BudgetExceeded:
                return
            budget.settle(hold, tokens=137, usd=None)
            with lock:
                granted.append(137)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert budget.spent.tokens == sum(granted) <= 10_000
    assert 10_000 - budget.spent.tokens < 137  # it stopped only when the next call could not fit


def test_replayed_calls_count_without_a_reservation():
    budget = Budget(BudgetLimits(tokens=100))
    budget.settle(None, tokens=70, usd=None)
    with pytest.raises(BudgetExceeded):
        budget.reserve(tokens=31, usd=None)


def test_token_bound_is_above_the_real_count_before_and_after_calibration():
    estimate = TokenEstimate()
    messages = [{"role": "user", "content": "def f(x):\n    return [y * 2 for y in x]\n" * 40}]
    first = estimate.bound("m", messages)
    assert first >= len(messages[0]["content"].encode())  # one token per byte at most
    estimate.observe("m", messages, prompt_tokens=400)
    tighter = estimate.bound("m", messages)
    assert 400 < tighter < first


def test_prices_from_litellm_and_overrides():
    priced = price_per_token("openai/gpt-4o")
    assert priced is not None and priced[0] > 0 and priced[1] > priced[0]
    assert price_per_token("openai/no-such-model-anywhere") is None
    assert price_per_token("openai/x", input_usd_per_mtok=0.0, output_usd_per_mtok=0.0) == (0.0, 0.0)
