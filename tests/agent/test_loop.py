"""The loop end to end: scripted replies through the real client, candidates judged in the real sandbox."""

from __future__ import annotations

import pytest

from agent.budget import BudgetLimits
from agent.loop import RunInterrupted
from agent.strategies import Refine
from agent.testing import ScriptedServer, delay, error, malformed, reply
from benchmarks.task import Task
from tests.agent.loop_fixtures import (  # noqa: F401
    CHATTY, DEDUPE, EXAMPLES, GOOD, GOOD_AGAIN, NO_OP, NOT_MATCHING, WRONG_FASTER, box, make_loop, scripted_model,
    perfforge_home,
)

pytestmark = pytest.mark.docker


def verdict_keys(loop) -> list[str]:
    return [k for k, _ in loop.store.journal(loop.run_id) if k.endswith("/verdict")]


def test_a_good_edit_is_accepted_with_its_measured_speedup(box, tmp_path):
    with ScriptedServer([GOOD]) as server:
        loop = make_loop(server, box, tmp_path, limits=BudgetLimits(iterations=1))
        best = loop.run(Refine())
        prompt = server.chat_requests[0].messages[1]["content"]
    start = loop.start_attempt
    assert best is loop.attempts[0] and best.accepted and best.correct and best.status == "accepted"
    assert best.instructions < start.instructions / 10  # a set instead of a list scan: ~50x fewer here
    assert best.speedup_instructions == pytest.approx(start.instructions / best.instructions, rel=1e-3)
    assert loop.status == "done" and "iterations" in loop.stop_reason
    assert loop.store.get_run(loop.run_id).status == "done"
    # the model saw the code, the original's count and the line that costs the time
    assert "if item not in out:" in prompt and f"{start.instructions:,}" in prompt
    assert "Hottest lines" in prompt and "line 4:" in prompt
    assert verdict_keys(loop) == ["baseline/verdict", f"cand/{best.fingerprint[:24]}/verdict"]


def test_wrong_but_faster_is_rejected_and_its_failure_fed_back(box, tmp_path):
    with ScriptedServer([WRONG_FASTER, GOOD]) as server:
        loop = make_loop(server, box, tmp_path, limits=BudgetLimits(iterations=2), metrics=())
        loop.run(Refine())
        second = server.chat_requests[1].messages[1]["content"]
    wrong, good = loop.attempts
    assert wrong.status == "wrong" and wrong.correct is False and not wrong.accepted
    assert wrong.reason.startswith("WRONG on ") and "wrong result" in wrong.reason
    assert good.correct and not good.accepted  # correctness only was measured: no evidence of speed
    assert loop.best is None
    assert "Attempt 1 (changed the original): WRONG on" in second and "+    return sorted(set(items))" in second


def test_a_reply_that_does_not_apply_gets_one_repair_turn_with_the_exact_reason(box, tmp_path):
    with ScriptedServer([CHATTY, GOOD]) as server:
        loop = make_loop(server, box, tmp_path, limits=BudgetLimits(iterations=1), metrics=())
        loop.run(Refine())
        repair = server.chat_requests[1].messages
    attempt = loop.attempts[0]
    assert attempt.repaired and attempt.correct
    assert repair[-2] == {"role": "assistant", "content": CHATTY}
    assert "Your edit did not apply" in repair[-1]["content"]
    assert "no fenced code block" in repair[-1]["content"]


def test_search_blocks_that_never_match_are_an_edit_failure_and_nothing_is_measured(box, tmp_path):
    with ScriptedServer([NOT_MATCHING, NOT_MATCHING]) as server:
        loop = make_loop(server, box, tmp_path, limits=BudgetLimits(iterations=1), metrics=())
        loop.run(Refine())
        repair = server.chat_requests[1].last_user
    attempt = loop.attempts[0]
    assert attempt.status == "edit-failed" and attempt.repaired and attempt.correct is None
    assert "its SEARCH text is not in `solution.py`" in attempt.reason
    assert "for x in range(len(items)):" in repair  # the repair turn quotes what did not match
    assert verdict_keys(loop) == ["baseline/verdict"]


def test_no_ops_and_duplicates_are_never_evaluated(box, tmp_path):
    with ScriptedServer([GOOD, NO_OP, GOOD_AGAIN]) as server:
        loop = make_loop(server, box, tmp_path, limits=BudgetLimits(iterations=3), metrics=())
        loop.start()
        for _ in range(3):
            loop.attempt(loop.start_attempt, model=loop.models[0])
    first, noop, again = loop.attempts
    assert first.correct and noop.status == "no-op" and again.status == "duplicate" and again.duplicate_of == 1
    assert noop.correct is None and again.correct is None
    assert len(verdict_keys(loop)) == 2  # the original and attempt 1, nothing else


def test_rate_limits_timeouts_and_broken_bodies_are_retried_not_blamed_on_a_candidate(box, tmp_path):
    script = [error(429, retry_after=0.2), delay(3.0, "too late"), malformed(), reply(GOOD)]
    with ScriptedServer(script) as server:
        model = scripted_model(server, timeout_s=1.0)
        loop = make_loop(server, box, tmp_path, limits=BudgetLimits(iterations=1), metrics=(), model=model)
        loop.run(Refine())
        requests = len(server.chat_requests)
    assert requests == 4
    assert len(loop.attempts) == 1 and loop.attempts[0].correct and not loop.attempts[0].repaired
    ledger = loop.store.ledger(loop.run_id)
    assert len(ledger) == 1  # one answered call; the failed HTTP attempts were retries of it


@pytest.mark.parametrize("failure, kind", [([error(401)], "auth"), ([error(500)] * 3, "server")])
def test_a_provider_that_keeps_failing_interrupts_the_run(box, tmp_path, failure, kind):
    reports = []
    with ScriptedServer([WRONG_FASTER, *failure]) as server:
        model = scripted_model(server, max_retries=2)
        loop = make_loop(server, box, tmp_path, limits=BudgetLimits(iterations=3), metrics=(), model=model)
        loop.on_step = lambda lp: reports.append(lp.status)
        with pytest.raises(RunInterrupted) as stop:
            loop.run(Refine())
    assert stop.value.cause.kind == kind and f"--resume {loop.run_id}" in stop.value.hint
    assert loop.store.get_run(loop.run_id).status == "interrupted"
    assert [a.status for a in loop.attempts] == ["wrong"]  # the provider's failure is no candidate's
    assert reports[-1] == "interrupted"  # the report was written on the way out


def test_codegen_writes_the_first_candidate_from_the_description(box, tmp_path):
    sieve = ("A sieve of Eratosthenes.\n\n```python\ndef count_primes(n):\n    if n < 3:\n        return 0\n"
             "    sieve = bytearray([1]) * n\n    sieve[0] = sieve[1] = 0\n    for p in range(2, int(n ** 0.5) + 1):\n"
             "        if sieve[p]:\n            sieve[p * p::p] = bytearray(len(range(p * p, n, p)))\n"
             "    return sum(sieve)\n```\n")
    with ScriptedServer([sieve]) as server:
        loop = make_loop(server, box, tmp_path, limits=BudgetLimits(iterations=1), metrics=(),
                         task_dir=EXAMPLES / "py-count-primes")
        loop.run(Refine())
        prompt = server.chat_requests[0].messages[1]["content"]
    assert loop.start_attempt is None and loop.attempts[0].parent is None
    assert loop.attempts[0].correct
    # correct, with no evidence of speed: not accepted, yet it is what the run hands back
    from agent.report import write_outputs

    assert loop.best is None and loop.result is loop.attempts[0]
    summary = write_outputs(loop, tmp_path / "out", "refine")
    assert summary.best["n"] == 1 and (tmp_path / "out" / "solution.py").read_text().startswith("def count_primes")
    assert "diff" not in summary.files  # there is no original to compare with
    assert "Write `solution.py` from scratch" in prompt and "complete new content of `solution.py`" in prompt
    assert "```python" not in prompt.split("## What to do")[0]  # no code shown: there is none


def test_a_c_function_is_profiled_with_callgrind_and_its_fix_accepted(box, tmp_path):
    kadane = """Kadane's algorithm is linear.

solution.c
```c
<<<<<<< SEARCH
    long long best = a[0];
    for (int i = 0; i < n; i++) {
        long long sum = 0;
        for (int j = i; j < n; j++) {
            sum += a[j];
            if (sum > best) best = sum;
        }
    }
=======
    long long best = a[0], here = 0;
    for (int i = 0; i < n; i++) {
        here = here > 0 ? here + a[i] : a[i];
        if (here > best) best = here;
    }
>>>>>>> REPLACE
```
"""
    with ScriptedServer([kadane]) as server:
        loop = make_loop(server, box, tmp_path, limits=BudgetLimits(iterations=1),
                         task_dir=EXAMPLES / "c-max-subarray")
        best = loop.run(Refine())
        prompt = server.chat_requests[0].messages[1]["content"]
    assert best is not None and best.speedup_instructions > 5
    assert "valgrind callgrind" in prompt and "`sum += a[j];`" in prompt and "max_subarray [solution.c:" in prompt


def test_evolve_and_best_of_n_drive_the_real_loop_with_two_models(box, tmp_path):
    from agent.strategies import BestOfN, Evolve

    script = {"cheap": [reply(WRONG_FASTER, repeat=True)], "dear": [reply(GOOD, repeat=True)]}
    with ScriptedServer(script) as server:
        models = [scripted_model(server, name="openai/cheap"), scripted_model(server, name="openai/dear")]
        loop = make_loop(server, box, tmp_path, limits=BudgetLimits(iterations=4), metrics=(), models=models)
        loop.run(Evolve(islands=2, migrate_every=2))
        evolve_requests = server.chat_requests
        sampled = make_loop(server, box, tmp_path / "bon", limits=BudgetLimits(iterations=2), metrics=(),
                            model=models[1])
        sampled.run(BestOfN(temperature=0.9))
        bon_requests = server.chat_requests[len(evolve_requests):]
    assert [a.island for a in loop.attempts] == [0, 1, 0, 1]
    assert {a.model for a in loop.attempts} == {"openai/cheap", "openai/dear"}
    assert not any(a.correct for a in loop.attempts if a.model == "openai/cheap")
    assert any(a.correct for a in loop.attempts if a.model == "openai/dear")
    assert [r.body["temperature"] for r in bon_requests] == [0.9, 0.9]
    assert [a.parent for a in sampled.attempts] == [0, 0]
    assert [a.status for a in sampled.attempts][1] == "duplicate"  # the same sample twice is measured once
