"""Every template renders with its documented variables, and the README lists them all."""

from __future__ import annotations

import re

import pytest

import prompts

SAMPLE_VALUES = {
    "files": ["solution.py"],
    "filename": "solution.py",
    "language": "python",
    "reason": "block 1: its SEARCH text is not in `solution.py`.",
    "edit_format": "search-replace",
    # the optimize templates (agent loop)
    "task": {
        "title": "Remove repeated items",
        "description": "`dedupe(items)` drops repeats.",
        "interface": "`solution.py` defines the function `dedupe`.",
        "rules": ["the return value"],
        "language_name": "Python",
        "filename": "solution.py",
        "fence": "python",
        "function": "dedupe",
        "source_language": "CUDA",
    },
    "code": "def dedupe(items):\n    return list(dict.fromkeys(items))\n",
    "profile": {
        "subject": "the original program",
        "method": "cProfile",
        "unit": "seconds",
        "input": "stress (x3)",
        "functions": [
            {"name": "dedupe", "where": "solution.py:1", "calls": 3, "self_share": 0.98, "total_share": 0.99}
        ],
        "lines": [{"line": 4, "share": 0.91, "hits": 2000, "text": "if item not in out:"}],
        "notes": [],
    },
    "counters": {
        "subject": "the original program",
        "instructions": 1234567,
        "time_s": 0.012,
        "peak_rss_kib": 13000,
        "speedup": "",
    },
    "attempts": [{"n": 1, "base": "the original", "outcome": "WRONG on test 0: wrong result", "diff": "-a\n+b"}],
    "edit_instructions": "Reply with SEARCH/REPLACE blocks.",
}


def readme_table() -> dict[str, set[str]]:
    text = (prompts.PROMPTS_DIR / "README.md").read_text()
    rows = re.findall(r"^\| `([^`]+)` \| (.*?) \| .*\|$", text, re.M)
    return {name: set(re.findall(r"`(\w+)`:", variables)) for name, variables in rows}


def test_readme_lists_every_template_with_its_variables():
    documented = readme_table()
    assert set(documented) == set(prompts.template_names())
    for name, variables in documented.items():
        assert prompts.template_variables(name) == variables, name


@pytest.mark.parametrize("name", prompts.template_names())
def test_each_template_renders_with_sample_values(name):
    needed = prompts.template_variables(name)
    text = prompts.render(name, **{k: SAMPLE_VALUES[k] for k in needed})
    assert text and text == text.strip() and "{{" not in text and "{%" not in text
    assert "\n\n\n" not in text  # block tags leave no holes


@pytest.mark.parametrize("name", prompts.template_names())
def test_each_template_starts_with_a_comment_naming_its_variables(name):
    source = (prompts.PROMPTS_DIR / f"{name}.j2").read_text()
    assert source.startswith("{#-")
    header = source.split("#}", 1)[0]
    for variable in prompts.template_variables(name):
        assert variable in header, f"{name}: header does not mention {variable}"
