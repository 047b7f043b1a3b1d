from __future__ import annotations

import pytest

from agent.ci.config import CiConfig
from agent.ci.discover import changed_functions, excluded, function_spans, is_test_path
from agent.ci.gitrepo import Repo
from perfforge.errors import ConfigError
from tests.agent.ci.repo_fixtures import commit, git, make_repo

MODULE = '''import functools


def untouched(x):
    return x


@functools.lru_cache(maxsize=None)
def decorated(n):
    return n * 2


def outer(items):
    def inner(v):
        return v + 1
    return [inner(v) for v in items]


class Stats:
    def mean(self, xs):
        return sum(xs) / len(xs)

    def spread(self, xs):
        return max(xs) - min(xs)


async def fetch():
    return 1


LIMIT = 10
'''


@pytest.fixture()
def repo(tmp_path):
    return make_repo(tmp_path / "repo", {
        "pkg/__init__.py": "", "pkg/mod.py": MODULE, "pkg/native.c": "int f(void) { return 1; }\n",
        "scripts/tool.py": "def tool():\n    return 1\n",
        "tests/test_mod.py": "def test_x():\n    assert True\n", "conftest.py": "def helper():\n    return 1\n",
    })


def _edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def test_function_spans_cover_decorators_methods_and_skips():
    spans = {s.function: s for s in function_spans(MODULE)}
    assert set(spans) == {"untouched", "decorated", "outer", "Stats.mean", "Stats.spread", "fetch"}
    assert spans["decorated"].lineno == 8  # the decorator's line
    assert spans["outer"].end_lineno == 16  # the nested function belongs to it
    assert spans["fetch"].skip and "async" in spans["fetch"].skip
    fixture = function_spans("import pytest\n\n@pytest.fixture\ndef data():\n    return 1\n\ndef test_a():\n    pass\n")
    assert [s.skip for s in fixture] == ["a pytest fixture", "a test function"]


def test_changed_lines_map_to_their_functions(repo):
    text = MODULE
    text = _edit(text, "        return v + 1", "        return v + 2")  # nested: counts for outer
    text = _edit(text, "        return max(xs) - min(xs)", "        hi = max(xs)\n        return hi - min(xs)")
    text = _edit(text, "LIMIT = 10", "LIMIT = 11")  # module level: no function
    commit(repo, {"pkg/mod.py": text, "tests/test_mod.py": "def test_x():\n    assert 1\n",
                  "conftest.py": "def helper():\n    return 2\n", "scripts/tool.py": "def tool():\n    return 2\n",
                  "pkg/native.c": "int f(void) { return 2; }\n"}, branch="feature")
    found = changed_functions(Repo(repo), "main", CiConfig(ignore=["scripts"]))
    assert [c.function for c in found.candidates] == ["outer"]
    outer = found.candidates[0]
    assert outer.path == "pkg/mod.py" and outer.found_by == "changed" and outer.changed_lines == 1
    assert any("Stats.spread" in n and "a method" in n for n in found.notes)
    assert any("native.c" in n and "[[tool.perfforge.build]]" in n for n in found.notes)
    declared = CiConfig(ignore=["scripts"], build=[{"source": "pkg/native.c", "command": "gcc -O2 -o n pkg/native.c"}])
    program = changed_functions(Repo(repo), "main", declared).candidates[-1]
    assert (program.path, program.function, program.language, program.key) == (
        "pkg/native.c", "native.c", "c", "pkg/native.c")


def test_a_deletion_counts_for_the_function_it_was_in(repo):
    text = _edit(MODULE, "    def spread(self, xs):\n        return max(xs) - min(xs)\n",
                 "    def spread(self, xs):\n        lo = min(xs)\n        return max(xs) - lo\n")
    commit(repo, {"pkg/mod.py": text})
    trimmed = _edit(text, "        lo = min(xs)\n", "")
    trimmed = _edit(trimmed, "max(xs) - lo", "max(xs) - min(xs)")
    commit(repo, {"pkg/mod.py": trimmed})
    found = changed_functions(Repo(repo), "HEAD~1", CiConfig())
    assert [c.function for c in found.candidates] == [] and any("Stats.spread" in n for n in found.notes)
    # a deletion at the end of a module-level function counts for it
    text = _edit(trimmed, "    return [inner(v) for v in items]\n", "    kept = [inner(v) for v in items]\n    return kept\n")
    commit(repo, {"pkg/mod.py": text})
    trimmed = _edit(text, "    kept = [inner(v) for v in items]\n    return kept\n", "    return [inner(v) for v in items]\n")
    commit(repo, {"pkg/mod.py": trimmed})
    found = changed_functions(Repo(repo), "HEAD~1", CiConfig())
    assert [(c.function, c.changed_lines) for c in found.candidates] == [("outer", 1)]


def test_async_and_skipped_functions_get_notes(repo):
    commit(repo, {"pkg/mod.py": _edit(MODULE, "    return 1\n\n\nLIMIT", "    return 2\n\n\nLIMIT")})
    found = changed_functions(Repo(repo), "HEAD~1", CiConfig())
    assert found.candidates == []
    assert any("fetch" in n and "async" in n for n in found.notes)


def test_roots_and_ignores():
    config = CiConfig(roots=["src"], ignore=["src/vendor", "*.pyi", "src/gen_*.py"])
    assert excluded("src/pkg/a.py", config) is None
    assert excluded("pkg/a.py", config) == "outside the configured roots"
    assert "ignored" in excluded("src/vendor/lib/x.py", config)
    assert "ignored" in excluded("src/gen_tables.py", config)
    assert excluded("src/.perfforge/ci/x.py", config, ".perfforge") is None
    assert excluded(".perfforge/ci/x.py", CiConfig(), ".perfforge") == "perfforge's output"
    assert all(is_test_path(p) for p in ("tests/a.py", "pkg/test/b.py", "test_c.py", "c_test.py", "x/conftest.py"))
    assert not any(is_test_path(p) for p in ("pkg/testing.py", "pkg/attest.py", "latest/x.py"))


def test_not_a_repository_dirty_tree_and_bad_base(tmp_path, repo):
    (tmp_path / "plain").mkdir()
    with pytest.raises(ConfigError, match="not a git repository"):
        Repo(tmp_path / "plain")
    r = Repo(repo)
    (repo / "pkg" / "mod.py").write_text(MODULE + "\n# edited\n")
    (repo / "new.txt").write_text("x")
    with pytest.raises(ConfigError, match="uncommitted changes") as info:
        r.require_clean()
    assert "pkg/mod.py" in info.value.message and "new.txt" in info.value.message
    git(repo, "checkout", "--", "pkg/mod.py")
    (repo / "new.txt").unlink()
    (repo / ".perfforge" / "ci").mkdir(parents=True)
    (repo / ".perfforge" / "ci" / "x.patch").write_text("p")
    r.require_clean(ignore_prefix=".perfforge")  # perfforge's own output does not count
    with pytest.raises(ConfigError, match="no-such-branch"):
        r.changed_lines("no-such-branch")
    with pytest.raises(ConfigError):
        r.resolve("--output=x")
