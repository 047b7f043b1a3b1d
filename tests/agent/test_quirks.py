"""The model quirks table."""

from __future__ import annotations

import pytest

from agent.quirks import fold_system, load_quirks
from perfforge.errors import ConfigError

MESSAGES = [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}, {"role": "assistant", "content": "A"}]


def test_shipped_table_loads_and_matches_by_full_or_short_name():
    quirks = load_quirks()
    assert quirks.for_model("openai/o1-mini").system_role is False
    assert quirks.for_model("o1-mini").temperature is False  # the o1* row applies too
    assert quirks.for_model("ollama/gemma2:9b").system_role is False
    plain = quirks.for_model("openai/gpt-4o")
    assert plain.system_role is None and plain.temperature is None and plain.max_tokens is None


def test_apply_leaves_inputs_untouched_and_merges_rows(tmp_path):
    table = tmp_path / "q.yaml"
    table.write_text('- match: "local/*"\n  max_tokens: 512\n  params: {top_k: 20}\n- match: "*tiny*"\n  max_tokens: 128\n')
    quirks = load_quirks(table)
    params = {"temperature": 0.3}
    messages, sent = quirks.apply("local/tiny-coder", MESSAGES, params)
    assert sent == {"temperature": 0.3, "max_tokens": 128, "top_k": 20} and params == {"temperature": 0.3}
    assert messages == MESSAGES
    assert quirks.apply("local/big", MESSAGES, {"max_tokens": 100})[1]["max_tokens"] == 100  # a cap, not a floor


def test_fold_system():
    assert fold_system(MESSAGES) == [{"role": "user", "content": "S\n\nU"}, {"role": "assistant", "content": "A"}]
    assert fold_system([{"role": "system", "content": "only"}]) == [{"role": "user", "content": "only"}]


def test_a_typo_in_the_table_is_a_clear_error(tmp_path):
    table = tmp_path / "bad.yaml"
    table.write_text('- match: "x*"\n  sytem_role: false\n')
    with pytest.raises(ConfigError) as raised:
        load_quirks(table)
    assert "sytem_role" in raised.value.message
    with pytest.raises(ConfigError):
        load_quirks(tmp_path / "missing.yaml")
