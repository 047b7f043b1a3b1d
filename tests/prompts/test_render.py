"""The prompt renderer: strict variables, clean whitespace, clear errors."""

from __future__ import annotations

import pytest

import prompts
from perfforge.errors import ConfigError


@pytest.fixture
def scratch_template(tmp_path, monkeypatch):
    """A template in a scratch prompts folder (the shipped folder is left alone)."""
    (tmp_path / "scratch.j2").write_text("{#- scratch -#}\nTask: {{ task }}\n{% for a in attempts %}\n- {{ a }}\n{% endfor %}\nEnd.\n")
    monkeypatch.setattr(prompts, "PROMPTS_DIR", tmp_path)
    prompts._environment.cache_clear()
    yield "scratch"
    prompts._environment.cache_clear()


def test_block_tags_leave_no_stray_lines(scratch_template):
    assert prompts.render(scratch_template, task="speed up", attempts=["x", "y"]) == "Task: speed up\n- x\n- y\nEnd."


def test_a_missing_variable_is_an_error_not_a_blank(scratch_template):
    with pytest.raises(ConfigError) as raised:
        prompts.render(scratch_template, task="speed up")
    assert "'attempts' is undefined" in raised.value.message and scratch_template in raised.value.message


def test_unknown_template_lists_the_valid_names():
    with pytest.raises(ConfigError) as raised:
        prompts.render("no_such_prompt")
    assert "repair" in (raised.value.hint or "") and "edit_formats/search_replace" in (raised.value.hint or "")


def test_no_html_escaping():
    text = prompts.render("repair", reason="`a < b && c > d` not found", edit_format="search-replace", files=["k.c"])
    assert "`a < b && c > d` not found" in text


def test_templates_ship_as_package_data():
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(prompts.__file__).parents[1] / "pyproject.toml").read_text())
    assert "*.j2" in pyproject["tool"]["setuptools"]["package-data"]["*"]
    assert "prompts*" in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
