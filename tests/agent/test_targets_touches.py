"""touches_only: a candidate may change the target function and add helpers, nothing else."""

from __future__ import annotations

import pytest

from agent.targets import touches_only

ORIGINAL = '''"""Statistics."""
import math

from .util import norm

LIMIT = 10


def distinct_keys(items):
    out = []
    for x in items:
        if norm(x) not in out:
            out.append(norm(x))
    return out


def other(x):
    return x + 1
'''

FAST_BODY = '''def distinct_keys(items):
    seen = set()
    out = []
    for x in items:
        k = norm(x)
        if k not in seen:
            seen.add(k)
            out.append(k)
    return out
'''


def with_body(body: str, source: str = ORIGINAL) -> str:
    start = source.index("def distinct_keys")
    end = source.index("def other")
    return source[:start] + body + "\n\n" + source[end:]


def test_a_new_body_and_signature_is_fine():
    assert touches_only(ORIGINAL, with_body(FAST_BODY), "distinct_keys") == (True, [])
    changed = with_body(FAST_BODY.replace("(items)", "(items, key=None)"))
    assert touches_only(ORIGINAL, changed, "distinct_keys") == (True, [])


def test_helpers_imports_and_comments_may_be_added():
    candidate = with_body("# a faster way\nimport functools\n\n_CACHE = {}\n\n\ndef _helper(x):\n    return x\n\n\n"
                          + "@functools.lru_cache(maxsize=None)\n" + FAST_BODY)
    candidate = candidate.replace("import math\n", "import math  # for sqrt\nimport itertools\n")
    assert touches_only(ORIGINAL, candidate, "distinct_keys") == (True, [])


def test_an_edit_of_another_function_is_flagged():
    candidate = with_body(FAST_BODY).replace("return x + 1", "return x + 2")
    ok, reasons = touches_only(ORIGINAL, candidate, "distinct_keys")
    assert not ok and len(reasons) == 1
    assert "changes original line 17: `def other(x):`" in reasons[0]


@pytest.mark.parametrize("edit, phrase", [
    (lambda s: s.replace("LIMIT = 10", "LIMIT = 20"), "changes original line 6: `LIMIT = 10`"),
    (lambda s: s.replace("LIMIT = 10\n", ""), "removes original line 6"),
    (lambda s: s.replace("LIMIT = 10", "LIMIT=10"), "reformats `LIMIT=10`"),
    (lambda s: s + "\nprint('loaded')\n", "adds a module-level expr statement"),
    (lambda s: s + "\ndistinct_keys = other\n", "binds distinct_keys again"),
    (lambda s: s + "\ndef other(x):\n    return x\n", "binds other, which the original already defines"),
    (lambda s: s + "\nfrom os import path as LIMIT\n", "binds LIMIT, which the original already defines"),
    (lambda s: s.replace("def distinct_keys", "def renamed"), "removes the function distinct_keys"),
    (lambda s: s + "\ndef distinct_keys(items):\n    return items\n", "distinct_keys 2 times"),
    (lambda s: s + "\nif True:\n    X = 1\n", "adds a module-level if statement"),
])
def test_edits_outside_the_function_are_flagged(edit, phrase):
    ok, reasons = touches_only(ORIGINAL, edit(with_body(FAST_BODY)), "distinct_keys")
    assert not ok
    assert any(phrase in r for r in reasons), reasons


def test_sources_that_do_not_parse_or_lack_the_function():
    assert touches_only(ORIGINAL, "def distinct_keys(:\n", "distinct_keys")[1][0].startswith("the candidate does not parse")
    assert touches_only(ORIGINAL, ORIGINAL, "missing") == (False, ["the original has no module-level function 'missing'"])


def test_non_ascii_text_and_trailing_comments():
    original = 'NAME = "café"  # the shop\n\n\ndef f(x):\n    return x\n'
    candidate = 'NAME = "café"  # the shop, in French\n\n\ndef f(x):\n    return x * 1\n'
    assert touches_only(original, candidate, "f") == (True, [])
    assert not touches_only(original, candidate.replace("café", "cafe"), "f")[0]
