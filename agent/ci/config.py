"""``[tool.perfforge]`` in a repository's ``pyproject.toml``: what ``perfforge ci`` reads.

    [tool.perfforge]
    roots = ["src"]                  # where functions to speed up live (default: the whole repository)
    ignore = ["scripts/**", "docs"]  # paths never touched (tests, conftest.py and fixtures always are)
    test-command = "pytest -q tests" # the repository's suite, run in the sandbox
    threshold = 0.05                 # the speedup's 95% lower bound must clear 1 + threshold
    model = "openai/gpt-4o-mini"     # litellm string; unset: the embedded offline model
    functions = "auto"               # auto, changed or hot
    max-functions = 3                # most pull requests per run
    repeats = 20                     # interleaved timing rounds (more: a narrower interval)
    stress-budget-s = 0.1            # stress inputs grow until the original takes this long on one

    [tool.perfforge.budget]          # per function
    iterations = 3
    usd = 0.50

    [[tool.perfforge.build]]         # a C/C++ program (reads stdin, writes stdout) it may speed up
    source = "src/wc.c"
    command = "gcc -O2 -o wc src/wc.c"
    inputs = ["bench/inputs"]        # stdin files or folders (default: inputs/ beside the source)

Keys are written with hyphens or underscores.  An unknown key is an error naming it, so a
typo never passes silently.  Command-line flags override the file (:func:`merge`).
"""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from perfforge.errors import ConfigError

Mode = Literal["auto", "changed", "hot"]
PYPROJECT = "pyproject.toml"


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, populate_by_name=True, frozen=True)


class CiBudget(_Table):
    """What one function's optimization may spend."""

    iterations: int = Field(3, ge=1, le=100, description="model exchanges (candidates) per function")
    usd: float | None = Field(None, ge=0, description="dollars per function")
    tokens: int | None = Field(None, ge=0, description="tokens per function")
    wall_s: float | None = Field(None, gt=0, description="wall-clock seconds per function")


C_SOURCES = (".c", ".cc", ".cpp", ".cxx", ".c++")


class CiProgram(_Table):
    """A C/C++ program of the repository that perfforge may speed up: one source file, built by
    ``command``, reading stdin and writing stdout (C/C++ code is considered only when declared)."""

    source: str = Field(min_length=1, description="the program's source file")
    command: str = Field(min_length=1, description="its compile command, e.g. gcc -O2 -o wc src/wc.c")
    inputs: list[str] = Field(default_factory=list, description="stdin files or folders of them "
                              "(default: the inputs/ folder beside the source)")

    @field_validator("source")
    @classmethod
    def _c_source(cls, value: str) -> str:
        if not value.endswith(C_SOURCES):
            raise ValueError(f"{value!r} is not a C/C++ source ({', '.join(C_SOURCES)})")
        return value


class CiConfig(_Table):
    roots: list[str] = Field(default_factory=lambda: ["."], description="folders holding the code to speed up")
    ignore: list[str] = Field(default_factory=list, description="globs of paths never proposed for change")
    test_command: str = Field("pytest -q", description="the repository's test suite, a pytest command line")
    threshold: float = Field(0.05, ge=0, le=10, description="lower bound of the 95% speedup interval, minus 1")
    model: str | None = None
    api_base: str | None = None
    functions: Mode = "auto"
    base: str | None = Field(None, description="the ref changed functions are found against")
    max_functions: int = Field(3, ge=1, le=50, description="most proposals (pull requests) per run")
    max_candidates: int = Field(6, ge=1, le=200, description="most functions optimized per run")
    backend: str | None = Field(None, description="sandbox backend (docker, local)")
    repeats: int = Field(20, ge=3, le=1000, description="interleaved timing rounds per side (after one warm-up)")
    stress_budget_s: float | None = Field(None, gt=0, le=60, description="grow stress inputs until the original "
                                          "takes this long on one (default: the targets layer's, 0.1 s)")
    budget: CiBudget = Field(default_factory=CiBudget)
    build: list[CiProgram] = Field(default_factory=list, description="[[tool.perfforge.build]]: C/C++ programs")

    def program(self, path: str) -> CiProgram | None:
        return next((p for p in self.build if p.source.lstrip("./") == path), None)

    @field_validator("roots", "ignore")
    @classmethod
    def _relative(cls, value: list[str]) -> list[str]:
        for item in value:
            if item.startswith("/") or ".." in Path(item).parts:
                raise ValueError(f"{item!r} must be a path inside the repository")
        return [item.rstrip("/") or "." for item in value]

    @field_validator("test_command")
    @classmethod
    def _pytest(cls, value: str) -> str:
        pytest_args(value)
        return value

    def pytest_args(self) -> list[str]:
        """The arguments the test command passes to pytest."""
        return pytest_args(self.test_command)


def pytest_args(command: str) -> list[str]:
    """``pytest -q tests`` / ``python -m pytest -q`` -> ``["-q", "tests"]``; anything else is refused:
    the suite runs in the sandbox through pytest itself."""
    try:
        words = shlex.split(command)
    except ValueError as exc:
        raise ValueError(f"cannot parse {command!r}: {exc}") from None
    if words[:1] in (["pytest"], ["py.test"]):
        return words[1:]
    if len(words) >= 3 and words[0].startswith("python") and words[1:3] == ["-m", "pytest"]:
        return words[3:]
    raise ValueError(f"{command!r} is not a pytest command line (start it with 'pytest' or 'python -m pytest')")


def _describe(exc: ValidationError, where: str) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    if err.get("type") == "extra_forbidden":
        table = where if "." not in loc else f"{where}.{loc.rsplit('.', 1)[0]}"
        return f"[{table}] unknown key {loc.rsplit('.', 1)[-1]!r}"
    message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"[{where}] {loc}: {message}" if loc else f"[{where}] {message}"


def load_config(repo: Path) -> CiConfig:
    """The repository's ``[tool.perfforge]`` table (defaults when there is none)."""
    path = repo / PYPROJECT
    if not path.is_file():
        return CiConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    table = data.get("tool", {}).get("perfforge", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.perfforge] must be a table")
    try:
        return CiConfig.model_validate(table)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc, 'tool.perfforge')}",
                          hint="see `perfforge ci --help` for the keys") from None


def merge(config: CiConfig, **overrides: Any) -> CiConfig:
    """``config`` with the command line's values (None: not given) put over it, checked again."""
    given = {k: v for k, v in overrides.items() if v is not None}
    budget = {k.removeprefix("budget_"): given.pop(k) for k in list(given) if k.startswith("budget_")}
    data = config.model_dump()
    data.update(given)
    data["budget"] = {**data["budget"], **budget}
    try:
        return CiConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err.get("loc", ()))
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        raise ConfigError(f"--{_kebab(loc.split('.')[-1])}: {message}") from None
