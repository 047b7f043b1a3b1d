from __future__ import annotations

import pytest

from agent.ci.config import CiConfig, load_config, merge, pytest_args
from perfforge.errors import ConfigError


def _pyproject(tmp_path, text: str):
    (tmp_path / "pyproject.toml").write_text(text)
    return tmp_path


def test_defaults_without_pyproject(tmp_path):
    config = load_config(tmp_path)
    assert config == CiConfig()
    assert config.threshold == 0.05 and config.max_functions == 3 and config.functions == "auto"
    assert config.pytest_args() == ["-q"]


def test_reads_the_table_with_hyphens_or_underscores(tmp_path):
    config = load_config(_pyproject(tmp_path, """
[project]
name = "x"

[tool.perfforge]
roots = ["src/"]
ignore = ["scripts/**"]
test-command = "python -m pytest -q tests"
threshold = 0.1
model = "openai/gpt-4o-mini"
max_functions = 2

[tool.perfforge.budget]
iterations = 2
usd = 0.5

[[tool.perfforge.build]]
source = "src/wc.c"
command = "gcc -O2 -o wc src/wc.c"
inputs = ["bench"]
"""))
    assert config.program("src/wc.c").command == "gcc -O2 -o wc src/wc.c" and config.program("src/x.c") is None
    assert config.roots == ["src"] and config.ignore == ["scripts/**"]
    assert config.pytest_args() == ["-q", "tests"]
    assert config.threshold == 0.1 and config.max_functions == 2 and config.model == "openai/gpt-4o-mini"
    assert config.budget.iterations == 2 and config.budget.usd == 0.5


@pytest.mark.parametrize("table, key", [
    ("[tool.perfforge]\nthresold = 0.1\n", "'thresold'"),
    ("[tool.perfforge.budget]\ndollars = 1\n", "'dollars'"),
])
def test_an_unknown_key_is_an_error_naming_it(tmp_path, table, key):
    with pytest.raises(ConfigError) as info:
        load_config(_pyproject(tmp_path, table))
    assert "unknown key" in info.value.message and key in info.value.message
    assert "pyproject.toml" in info.value.message


@pytest.mark.parametrize("table, words", [
    ("[tool.perfforge]\ntest-command = \"make test\"\n", "not a pytest command"),
    ("[tool.perfforge]\nthreshold = -1\n", "threshold"),
    ("[tool.perfforge]\nroots = [\"../elsewhere\"]\n", "inside the repository"),
    ("[tool.perfforge]\nfunctions = \"all\"\n", "functions"),
    ("[tool.perfforge\n", "not valid TOML"),
    ("[[tool.perfforge.build]]\nsource = \"src/a.py\"\ncommand = \"gcc\"\n", "not a C/C++ source"),
    ("[[tool.perfforge.build]]\nsource = \"src/a.c\"\n", "command"),
])
def test_bad_values_are_named(tmp_path, table, words):
    with pytest.raises(ConfigError) as info:
        load_config(_pyproject(tmp_path, table))
    assert words in info.value.message


def test_command_line_overrides_the_file(tmp_path):
    config = load_config(_pyproject(tmp_path, "[tool.perfforge]\nthreshold = 0.2\nmodel = 'a/b'\n"))
    merged = merge(config, threshold=0.07, model=None, max_functions=1, budget_iterations=1)
    assert merged.threshold == 0.07 and merged.model == "a/b" and merged.max_functions == 1
    assert merged.budget.iterations == 1
    with pytest.raises(ConfigError, match="--threshold"):
        merge(config, threshold=-3)


def test_pytest_args():
    assert pytest_args("pytest") == []
    assert pytest_args("python3 -m pytest -x 'tests dir'") == ["-x", "tests dir"]
    with pytest.raises(ValueError):
        pytest_args("tox -e py")
