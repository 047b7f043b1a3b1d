"""Which functions ``perfforge ci`` tries to speed up.

``changed``: the Python functions whose lines the diff against the base touches (HEAD's
line ranges mapped to the enclosing definitions with :mod:`ast`; a nested function counts
as the top-level one holding it).  ``hot``: the functions where the repository's own test
suite spends its time (:mod:`agent.ci.hot`).  ``auto``: changed when the diff touches a
function, else hot.

Never candidates: test files (``test_*.py``, ``*_test.py``, ``conftest.py``, anything under
a ``tests``/``test`` folder), test functions and pytest fixtures, paths outside the
configured roots or matching an ignore glob, and perfforge's own output folder.  A changed
C/C++ file is a candidate only when the repository declares it as a program (its source,
build command and inputs in ``[[tool.perfforge.build]]``): the whole program is then the
target; otherwise it is skipped with a note.
"""

from __future__ import annotations

import ast
import fnmatch
from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel, Field

from agent.ci.config import CiConfig
from agent.ci.gitrepo import Repo

C_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp")
TEST_DIRS = frozenset({"tests", "test"})


class Candidate(BaseModel):
    """A function to try."""

    path: str = Field(description="file, relative to the repository root (posix)")
    function: str = Field(description="qualified name: `name` or `Class.name`")
    lineno: int
    end_lineno: int
    language: Literal["python", "c", "cpp"] = "python"
    found_by: Literal["changed", "hot"]
    changed_lines: int = Field(0, description="changed: lines of the function the diff touches")
    seconds: float | None = Field(None, description="hot: time the test suite spent in it")

    @property
    def key(self) -> str:
        return f"{self.path}::{self.function}" if self.language == "python" else self.path


class Discovery(BaseModel):
    mode: Literal["changed", "hot"]
    candidates: list[Candidate] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="what was skipped, and why")


def is_test_path(path: str) -> bool:
    p = PurePosixPath(path)
    name = p.name
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in TEST_DIRS for part in p.parts[:-1])


def _matches(path: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    if fnmatch.fnmatchcase(path, pattern):
        return True
    # a folder (or a folder glob) covers everything below it
    return any(fnmatch.fnmatchcase(str(parent), pattern) for parent in PurePosixPath(path).parents if str(parent) != ".")


def excluded(path: str, config: CiConfig, out_prefix: str | None = None) -> str | None:
    """Why ``path`` can never be changed by a proposal, or None."""
    if out_prefix and (path + "/").startswith(out_prefix.rstrip("/") + "/"):
        return "perfforge's output"
    if is_test_path(path):
        return "a test file"
    if not any(root == "." or path == root or path.startswith(root + "/") for root in config.roots):
        return "outside the configured roots"
    hit = next((g for g in config.ignore if _matches(path, g)), None)
    if hit:
        return f"ignored by {hit!r}"
    return None


class FunctionSpan(BaseModel):
    function: str
    lineno: int  # the first decorator's line when decorated
    end_lineno: int
    skip: str | None = None  # why it is not a candidate


def _is_fixture(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for dec in node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name == "fixture":
            return True
    return False


def function_spans(source: str) -> list[FunctionSpan]:
    """Top-level functions and methods of top-level classes (nested definitions belong to them)."""
    tree = ast.parse(source)
    spans: list[FunctionSpan] = []

    def add(node: ast.AST, prefix: str) -> None:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        skip = None
        if node.name.startswith("test"):
            skip = "a test function"
        elif _is_fixture(node):
            skip = "a pytest fixture"
        elif isinstance(node, ast.AsyncFunctionDef):
            skip = "an async function (not supported)"
        spans.append(FunctionSpan(function=prefix + node.name, lineno=start, end_lineno=node.end_lineno or start,
                                  skip=skip))

    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                add(item, node.name + ".")
        else:
            add(node, "")
    for span in spans:
        if "." in span.function and span.skip is None:
            # a method's instance and class state cannot be recorded as plain call arguments
            span.skip = "a method (only module-level functions are optimized)"
    return spans


def functions_at(source: str, ranges: list[tuple[int, int]]) -> list[tuple[FunctionSpan, int]]:
    """The functions (with how many of their lines) the line ranges touch, in file order."""
    found: list[tuple[FunctionSpan, int]] = []
    for span in function_spans(source):
        touched = sum(max(0, min(hi, span.end_lineno) - max(lo, span.lineno) + 1) for lo, hi in ranges)
        if touched:
            found.append((span, touched))
    return found


def _program(path: str, ranges: list[tuple[int, int]], config: CiConfig, found: Discovery) -> Candidate | None:
    """A changed C/C++ file as a candidate: only a program the repository declares."""
    program = config.program(path)
    if program is None:
        found.notes.append(f"{path}: skipped: C/C++ code is optimized only as a program declared in "
                           "[[tool.perfforge.build]] (source, command, inputs)")
        return None
    language = "c" if path.endswith(".c") else "cpp"
    lines = sum(hi - lo + 1 for lo, hi in ranges)
    return Candidate(path=path, function=PurePosixPath(path).name, lineno=1, end_lineno=max(hi for _, hi in ranges),
                     language=language, found_by="changed", changed_lines=lines)


def changed_functions(repo: Repo, base: str, config: CiConfig, out_prefix: str | None = None) -> Discovery:
    """The functions the diff between ``base`` (its merge base with HEAD) and HEAD touches."""
    found = Discovery(mode="changed")
    for path, ranges in sorted(repo.changed_lines(base).items()):
        if not ranges:
            continue
        if path.endswith(C_SUFFIXES):
            if excluded(path, config, out_prefix) is None:
                program = _program(path, ranges, config, found)
                if program is not None:
                    found.candidates.append(program)
            continue
        if not path.endswith(".py") or excluded(path, config, out_prefix):
            continue
        source = (repo.root / path).read_text(encoding="utf-8", errors="replace")
        try:
            touched = functions_at(source, ranges)
        except SyntaxError as exc:
            found.notes.append(f"{path}: skipped: not valid Python ({exc.msg}, line {exc.lineno})")
            continue
        for span, lines in touched:
            if span.skip:
                found.notes.append(f"{path}::{span.function}: skipped: {span.skip}")
                continue
            found.candidates.append(Candidate(path=path, function=span.function, lineno=span.lineno,
                                              end_lineno=span.end_lineno, found_by="changed", changed_lines=lines))
    # the most changed first: what the change is about
    found.candidates.sort(key=lambda c: -c.changed_lines)
    return found
