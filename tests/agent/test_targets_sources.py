"""Static checks of file targets: the function, the repository, the module name, the tests,
the build command; and resolve_target's dispatch.  No sandbox needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.targets import resolve_target
from agent.targets.c_program import parse_build
from agent.targets.python_source import find_tests, locate
from perfforge.errors import ConfigError


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src" / "pkg" / "sub").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'pkg'\n")
    (root / "src" / "pkg" / "__init__.py").write_text("")
    (root / "src" / "pkg" / "sub" / "__init__.py").write_text("")
    (root / "src" / "pkg" / "sub" / "core.py").write_text(
        "import os\n\nclass Box:\n    def size(self):\n        return 1\n\n\ndef slow(x):\n    return x\n\n\n"
        "async def later():\n    pass\n")
    (root / "tests" / "test_core.py").write_text("from pkg.sub.core import slow\n\ndef test_slow():\n    assert slow(1) == 1\n")
    (root / "tests" / "test_other.py").write_text("def test_nothing():\n    assert True  # slowly\n")
    return root


def test_a_module_of_a_src_layout_package(tmp_path):
    root = repo(tmp_path)
    target = locate(root / "src" / "pkg" / "sub" / "core.py", "slow")
    assert (target.repo_root, target.relpath) == (root, "src/pkg/sub/core.py")
    assert (target.import_root, target.module, target.qualified) == ("src", "pkg.sub.core", "pkg.sub.core.slow")
    files = {"tests/test_core.py": (root / "tests/test_core.py").read_bytes(),
             "tests/test_other.py": (root / "tests/test_other.py").read_bytes()}
    assert find_tests(target, files) == ["tests/test_core.py"]  # "slowly" is not "slow"
    assert find_tests(target, files, [root / "tests"]) == ["tests"]
    (root / "src" / "pkg" / "__init__.py").write_text("def top(x):\n    return x\n")
    package = locate(root / "src" / "pkg" / "__init__.py", "top")
    assert (package.module, package.candidate, package.import_root) == ("pkg", "__init__.py", "src")


@pytest.mark.parametrize("function, phrase", [
    ("missing", "no module-level function 'missing' (functions defined there: later, slow)"),
    ("Box.size", "methods are not supported"),
    ("later", "coroutine function"),
    ("1x", "not a Python function name"),
])
def test_bad_function_names(tmp_path, function, phrase):
    with pytest.raises(ConfigError) as err:
        locate(repo(tmp_path) / "src" / "pkg" / "sub" / "core.py", function)
    assert phrase in err.value.message


def test_no_test_mentions_the_function(tmp_path):
    root = repo(tmp_path)
    target = locate(root / "src" / "pkg" / "sub" / "core.py", "slow")
    with pytest.raises(ConfigError) as err:
        find_tests(target, {"tests/test_other.py": b"def test_x(): pass\n"})
    assert "no test file in" in err.value.message and "--tests PATH" in err.value.hint
    with pytest.raises(ConfigError, match="not inside the repository"):
        find_tests(target, {}, [tmp_path])


def test_syntax_errors_and_non_python_files(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f(:\n")
    with pytest.raises(ConfigError, match="bad.py:1: not valid Python"):
        locate(bad, "f")


@pytest.mark.parametrize("command, expected", [
    ("gcc -O2 -o prog prog.c", {"compiler": "gcc", "std": "gnu17", "flags": ["-O2"], "openmp": False, "libs": []}),
    ("g++ -std=c++20 -O3 -march=native prog.c -o p -lm -fopenmp",
     {"compiler": "g++", "std": "c++20", "flags": ["-O3", "-march=native"], "openmp": True, "libs": ["-lm"]}),
])
def test_build_commands(tmp_path, command, expected):
    source = tmp_path / "prog.c"
    source.write_text("int main(void) { return 0; }\n")
    table = parse_build(command.replace("prog.c", str(source)), source)
    assert {k: v for k, v in table.items() if not k.startswith("_")} == expected


@pytest.mark.parametrize("command, phrase", [
    ("make prog", "'make' is not a C/C++ compiler"),
    ("gcc -O2 other.c", "compiles other.c as well"),
    ("gcc -O2 -o prog", "does not compile prog.c"),
    ("gcc -c prog.c", "-c does not make a program"),
    ("gcc 'prog.c", "No closing quotation"),
])
def test_bad_build_commands(tmp_path, command, phrase):
    source = tmp_path / "prog.c"
    source.write_text("int main(void) { return 0; }\n")
    with pytest.raises(ConfigError) as err:
        parse_build(command.replace(" prog.c", f" {source}"), source)
    assert phrase in err.value.message


@pytest.mark.parametrize("name, options, phrase", [
    ("lib.py", {}, "a Python file needs --function NAME"),
    ("lib.py", {"function": "f", "build": "gcc x"}, "--build and --input apply to a C/C++ program"),
    ("prog.c", {}, "a C/C++ file needs --build COMMAND"),
    ("prog.c", {"build": "gcc prog.c", "function": "f"}, "--function and --tests apply to a Python file"),
    ("notes.txt", {}, "not something perfforge can optimize"),
    ("missing.py", {"function": "f"}, "no such file or task folder"),
])
def test_resolve_target_dispatch_errors(tmp_path, name, options, phrase):
    if name != "missing.py":
        (tmp_path / name).write_text("x\n")
    with pytest.raises(ConfigError) as err:
        resolve_target(tmp_path / name, **options)
    assert phrase in err.value.message
    if "optimize" in phrase or "no such" in phrase:
        assert "a Python file with --function NAME, or a C/C++ file with --build COMMAND" in err.value.hint
