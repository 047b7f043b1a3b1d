"""The grow generator's rules (agent/targets/sandboxed/pf_grow.py), on the host: pure data."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import numpy as np
import pytest

from agent.targets.grow import GrowParams, choose

SANDBOXED = Path(__file__).resolve().parents[2] / "agent" / "targets" / "sandboxed" / "pf_grow.py"


@pytest.fixture(scope="module")
def pf_grow():
    spec = importlib.util.spec_from_file_location("pf_grow_under_test", SANDBOXED)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grow(pf_grow, value, factor=4, seed=0):
    return pf_grow.grow(value, factor, random.Random(seed))


def test_lists_grow_from_their_own_elements_with_numbers_in_their_range(pf_grow):
    items = [5, 3, 9, 3, 7]
    grown = grow(pf_grow, items)
    assert len(grown) == 20 and all(type(x) is int and 3 <= x <= 9 for x in grown)
    floats = grow(pf_grow, [0.5, 2.5, 0.5])
    assert len(floats) == 12 and all(0.5 <= x <= 2.5 for x in floats)
    mixed = grow(pf_grow, ["a", 1, "a", None])
    assert len(mixed) == 16 and {type(x) for x in mixed} <= {str, int, type(None)}


def test_order_and_distinctness_are_kept(pf_grow):
    assert grow(pf_grow, [1, 2, 2, 5, 9]) == sorted(grow(pf_grow, [1, 2, 2, 5, 9]))
    down = grow(pf_grow, [9, 7, 7, 1])
    assert down == sorted(down, reverse=True)
    distinct = grow(pf_grow, [4, 0, 8, 2], factor=8)
    assert len(distinct) == 32 and len(set(distinct)) == 32
    words = grow(pf_grow, ["x", "y", "z"], factor=3)
    assert len(words) == 9 and len(set(words)) == 9
    assert grow(pf_grow, (3, 1, 2)).__class__ is tuple


def test_text_grows_by_lines_words_or_characters(pf_grow):
    lines = grow(pf_grow, "a b\nc d\ne f\n")
    assert lines.count("\n") == 12 and set(lines.split()) <= {"a", "b", "c", "d", "e", "f"}
    words = grow(pf_grow, "the cat sat")
    assert len(words.split(" ")) == 12 and set(words.split(" ")) <= {"the", "cat", "sat"}
    chars = grow(pf_grow, b"abca")
    assert isinstance(chars, bytes) and len(chars) == 16 and set(chars) <= set(b"abc")
    assert isinstance(grow(pf_grow, bytearray(b"xy")), bytearray)


def test_sets_dicts_and_arrays(pf_grow):
    s = grow(pf_grow, {1, 5, 9})
    assert isinstance(s, set) and len(s) == 12
    d = grow(pf_grow, {"a": 1, "b": 4, "c": 2})
    assert len(d) == 12 and set(d) >= {"a", "b", "c"} and all(1 <= v <= 4 for v in d.values())
    arr = grow(pf_grow, np.arange(6).reshape(3, 2))
    assert arr.shape == (12, 2) and set(arr[:, 0]) <= {0, 2, 4}


def test_scalars_and_empty_values_are_kept(pf_grow):
    for value in (7, 2.5, None, True, "", [], {}, object):
        assert grow(pf_grow, value) is value or grow(pf_grow, value) == value


def test_parallel_arguments_keep_equal_lengths_and_growth_is_reproducible(pf_grow):
    call = {"args": [[1, 2, 3], [0.5, 0.1, 0.2], 2], "kwargs": {}}
    a = pf_grow.grow_call(call, 8, "s")
    assert len(a["args"][0]) == len(a["args"][1]) == 24 and a["args"][2] == 2
    assert pf_grow.grow_call(call, 8, "s") == a


def test_choose_prefers_the_largest_accepted_input_of_each_seed_and_falls_back_to_recorded_calls():
    calls = [{"args": [[1, 2]]}, {"args": [[3]]}, {"args": [], "kwargs": {"n": 4}}]
    records = [
        {"event": "timed", "i": 0, "seconds": 0.01, "outcome": None},
        {"event": "timed", "i": 1, "seconds": 0.02, "outcome": None},
        {"event": "timed", "i": 2, "seconds": 0.5, "outcome": None, "as_args": [4]},
        {"event": "grown", "i": 0, "factor": 2, "seconds": 0.02, "input": {"args": [[1, 2, 1, 2]]}},
        {"event": "grown", "i": 0, "factor": 4, "seconds": 0.05, "input": {"args": [[1] * 8]}},
        {"event": "rejected", "i": 1, "factor": 2, "why": "AssertionError"},
        {"event": "done"},
    ]
    grown = choose(records, calls, GrowParams(inputs=3))
    assert [(s.origin, s.factor, s.args) for s in grown.inputs] == [(0, 4, [[1] * 8])]
    assert grown.rejected == ["call #1 x2: the original raised AssertionError"] and grown.note == ""
    fallback = choose([r for r in records if r["event"] != "grown"], calls, GrowParams(inputs=2))
    assert [(s.origin, s.factor, s.args) for s in fallback.inputs] == [(2, 1, [4]), (1, 1, [[3]])]
    assert "no grown input was accepted by the original (call #1 x2" in fallback.note


def test_a_large_but_quick_input_is_left_out():
    calls = [{"args": [[1, 2]]}, {"args": [[3, 4]]}]
    records = [{"event": "timed", "i": i, "seconds": 0.001, "outcome": None} for i in (0, 1)] + [
        {"event": "grown", "i": 0, "factor": 64, "seconds": 0.1, "input": {"args": [[1] * 128]}},
        {"event": "grown", "i": 1, "factor": 16384, "seconds": 0.01, "input": {"args": [[3] * 32768]}},
    ]
    assert [s.origin for s in choose(records, calls, GrowParams()).inputs] == [0]
