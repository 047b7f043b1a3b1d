"""Edit formats on canned reply texts: no model anywhere."""

from __future__ import annotations

import pytest

from agent.edits import EDIT_FORMATS, Applied, EditError, SearchReplace, WholeFile, apply_reply, get_format
from perfforge.errors import ConfigError

CODE = """\
def total(values):
    result = 0
    for x in values:
        result += x
    return result


def mean(values):
    result = 0
    for x in values:
        result += x
    return result / len(values)
"""
FILES = {"solution.py": CODE}


def block(search: str, replace: str, path: str | None = "solution.py", fence: str | None = "python") -> str:
    lines = [path] if path else []
    if fence is not None:
        lines.append(f"```{fence}")
    lines += ["<<<<<<< SEARCH", *search.splitlines(), "=======", *replace.splitlines(), ">>>>>>> REPLACE"]
    if fence is not None:
        lines.append("```")
    return "\n".join(lines) + "\n"


def applied(result: Applied | EditError) -> Applied:
    assert isinstance(result, Applied), getattr(result, "reason", result)
    return result


def failed(result: Applied | EditError) -> EditError:
    assert isinstance(result, EditError), f"expected an EditError, got {result!r}"
    return result


# -- the conventional form ------------------------------------------------------------
def test_block_in_fence_with_path_and_chatter_applies():
    reply = "Sure! The loop is slow.\n\n" + block("def total(values):\n    result = 0\n    for x in values:\n        result += x\n    return result",
                                                 "def total(values):\n    return sum(values)") + "\nThis uses the builtin.\n"
    result = applied(apply_reply(reply, FILES))
    assert result.code.startswith("def total(values):\n    return sum(values)\n\n\ndef mean(values):")
    assert result.changed == ["solution.py"] and not result.noop and result.blocks == 1 and result.notes == []


def test_block_without_fence_or_path_applies_to_the_single_file():
    reply = block("    return result / len(values)", "    return result / max(len(values), 1)", path=None, fence=None)
    assert "max(len(values), 1)" in applied(apply_reply(reply, FILES)).code


def test_blocks_apply_in_order_each_on_the_previous_result():
    first = block("def mean(values):\n    result = 0", "def mean(values):\n    acc = 0")
    # The second block's SEARCH only exists once the first block has renamed the variable.
    second = block("    acc = 0\n    for x in values:\n        result += x\n    return result / len(values)",
                   "    return sum(values) / len(values)")
    code = applied(apply_reply(first + second, FILES)).code
    assert code.endswith("def mean(values):\n    return sum(values) / len(values)\n")
    assert "acc" not in code


def test_several_blocks_in_one_fence_inherit_the_path():
    reply = ("solution.py\n```python\n<<<<<<< SEARCH\ndef total(values):\n=======\ndef total(values):  # O(n)\n>>>>>>> REPLACE\n"
             "<<<<<<< SEARCH\ndef mean(values):\n=======\ndef mean(values):  # O(n)\n>>>>>>> REPLACE\n```\n")
    result = applied(apply_reply(reply, {"solution.py": CODE, "other.py": "x = 1\n"}))
    assert result.files["solution.py"].count("# O(n)") == 2 and result.files["other.py"] == "x = 1\n"


@pytest.mark.parametrize("path_line", ["solution.py", "`solution.py`", "**solution.py**", "./solution.py", "solution.py:", "File: solution.py", "### solution.py"])
def test_path_line_decorations_are_understood(path_line):
    reply = f"{path_line}\n```python\n<<<<<<< SEARCH\n    return result\n=======\n    return int(result)\n>>>>>>> REPLACE\n```\n"
    assert "return int(result)\n\n\ndef mean" in applied(apply_reply(reply, {"src/solution.py": CODE})).code


def test_path_in_fence_info_string():
    reply = "```solution.py\n<<<<<<< SEARCH\n    return result / len(values)\n=======\n    return result / len(values) if values else 0.0\n>>>>>>> REPLACE\n```\n"
    assert "if values else 0.0" in applied(apply_reply(reply, FILES)).code


# -- strictness -----------------------------------------------------------------------
def test_search_not_found_names_block_and_quotes_nearest_lines():
    good = block("def total(values):", "def total(values):  # sum")
    bad = block("    for x in values:\n        result += y\n    return result", "    return sum(values)")
    error = failed(apply_reply(good + bad, FILES))
    assert error.kind == "not_found"
    assert error.reason.startswith("block 2: its SEARCH text is not in `solution.py`")
    assert "first difference is SEARCH line 2: you wrote `result += y`, the file has `result += x`" in error.reason
    assert "lines 3-5" in error.reason  # the nearest window is the one in total(), which ends with `return result`


def test_search_matching_twice_is_ambiguous_with_line_numbers():
    error = failed(apply_reply(block("    for x in values:\n        result += x", "    for x in values: result += x"), FILES))
    assert error.kind == "ambiguous"
    assert "occurs 2 times" in error.reason and "lines 3, 10" in error.reason


def test_wrong_indentation_is_not_fuzzy_matched_but_explained():
    error = failed(apply_reply(block("  result = 0\n  for x in values:", "  result = 1", path=None), {"a.py": "def f(values):\n    result = 0\n    for x in values:\n        pass\n"}, ))
    assert error.kind == "not_found" and "different indentation" in error.reason


def test_trailing_whitespace_is_the_only_tolerance_and_is_noted():
    reply = block("    return result   ", "    return int(result)", path=None)
    result = applied(apply_reply(reply, {"x.py": "def f(result):\n    return result\n"}))
    assert result.code == "def f(result):\n    return int(result)\n"
    assert result.notes == ["block 1: SEARCH matched `x.py` only after ignoring trailing whitespace"]


def test_a_failing_block_means_nothing_is_applied_and_every_failure_is_reported():
    reply = block("def total(values):", "def total(values):  # edited") + block("no such line", "x") + block("nor this", "y")
    error = failed(apply_reply(reply, FILES))
    assert [p.split(":")[0] for p in error.problems] == ["block 2", "block 3"]
    assert error.reason.startswith("- block 2:")


def test_block_for_the_wrong_file_is_rejected_not_guessed():
    error = failed(apply_reply(block("def total(values):", "def total(v):", path="helpers.py"), FILES))
    assert error.kind == "wrong_file"
    assert "`helpers.py`" in error.reason and "editable: solution.py" in error.reason


def test_path_is_required_when_several_files_are_editable():
    error = failed(apply_reply(block("int x;", "long x;", path=None, fence="c"), {"a.c": "int x;\n", "b.c": "int y;\n"}))
    assert error.kind == "no_file" and "a.c, b.c" in error.reason


def test_unique_basename_selects_the_file():
    files = {"src/kernel.c": "int x;\n", "include/kernel.h": "int y;\n"}
    result = applied(apply_reply(block("int y;", "long y;", path="kernel.h", fence="c"), files))
    assert result.files == {"src/kernel.c": "int x;\n", "include/kernel.h": "long y;\n"} and result.changed == ["include/kernel.h"]


# -- malformed replies ------------------------------------------------------------------
def test_missing_divider():
    error = failed(apply_reply("<<<<<<< SEARCH\n    return result\n>>>>>>> REPLACE\n", FILES))
    assert error.kind == "malformed" and "no `=======`" in error.reason


def test_truncated_block():
    error = failed(apply_reply("```python\n<<<<<<< SEARCH\n    return result\n=======\n    return int(", FILES))
    assert error.kind == "malformed" and "cut off" in error.reason


def test_new_search_before_replace_marker():
    error = failed(apply_reply("<<<<<<< SEARCH\na\n=======\nb\n<<<<<<< SEARCH\nc\n=======\nd\n>>>>>>> REPLACE\n", {"f.py": "a\nc\n"}))
    assert error.kind == "malformed" and "block 1" in error.reason


def test_stray_replace_marker_is_reported():
    error = failed(apply_reply("=======\nnew\n>>>>>>> REPLACE\n", FILES))
    assert error.kind == "malformed" and "closes no block" in error.reason


def test_reply_without_blocks_asks_for_blocks_when_whole_file_is_not_allowed():
    error = failed(apply_reply("```python\ndef total(values):\n    return sum(values)\n```", FILES))
    assert error.kind == "no_blocks"


def test_indented_markers_are_not_markers():
    error = failed(apply_reply("    <<<<<<< SEARCH\n    a\n    =======\n    b\n    >>>>>>> REPLACE\n", {"f.py": "a\n"}))
    assert error.kind == "no_blocks"


# -- line endings, empty SEARCH, markers inside code ------------------------------------
def test_crlf_reply_on_lf_file_and_crlf_file_keeps_its_line_endings():
    reply = block("    return result / len(values)", "    return result / len(values) if values else 0.0").replace("\n", "\r\n")
    lf = applied(apply_reply(reply, FILES)).code
    assert "\r" not in lf and lf.endswith("if values else 0.0\n")
    crlf = applied(apply_reply(reply, {"solution.py": CODE.replace("\n", "\r\n")})).code
    assert crlf == CODE.replace("\n", "\r\n").replace("len(values)\r\n", "len(values) if values else 0.0\r\n")


def test_empty_search_appends_to_the_file():
    result = applied(apply_reply(block("", "\n\ndef helper():\n    return 1"), FILES))
    assert result.code == CODE + "\n\ndef helper():\n    return 1\n"


def test_empty_search_on_empty_file_writes_it_and_on_unterminated_file_starts_a_new_line():
    assert applied(apply_reply(block("", "int main(void) { return 0; }", path="main.c", fence="c"), {"main.c": ""})).code == "int main(void) { return 0; }\n"
    assert applied(apply_reply(block("", "int y;", path=None, fence=None), {"m.c": "int x;"})).code == "int x;\nint y;\n"


def test_divider_line_inside_the_code_takes_the_longest_matching_search():
    code = 'BANNER = """\n=======\n"""\nx = 1\n'
    reply = '<<<<<<< SEARCH\nBANNER = """\n=======\n"""\n=======\nBANNER = "=" * 7\n>>>>>>> REPLACE\n'
    # Dividing at the first ======= would also match (`BANNER = """` alone) and leave a broken file.
    result = applied(apply_reply(reply, {"b.py": code}))
    assert result.code == 'BANNER = "=" * 7\nx = 1\n'
    assert "longest SEARCH part" in result.notes[0]
    reply = '<<<<<<< SEARCH\nBANNER = 1\n=======\nx = 2\n=======\nx = 3\n>>>>>>> REPLACE\n'
    assert failed(apply_reply(reply, {"b.py": code})).kind == "ambiguous"


def test_empty_replace_deletes_the_lines():
    code = applied(apply_reply(block("    result = 0\n    for x in values:\n        result += x\n    return result", "    return sum(values)") +
                               block("\n\ndef mean(values):\n    result = 0\n    for x in values:\n        result += x\n    return result / len(values)", ""), FILES)).code
    assert code == "def total(values):\n    return sum(values)\n"


def test_think_sections_are_ignored():
    reply = "<think>\n<<<<<<< SEARCH\nnope\n=======\nx\n>>>>>>> REPLACE\n</think>\n" + block("    return result", "    return result  # same", path=None)
    # The draft inside <think> would not match: only the block after it counts.
    result = apply_reply(reply, {"f.py": "def f(result):\n    return result\n"})
    assert applied(result).code == "def f(result):\n    return result  # same\n"


# -- no-ops and whole files -------------------------------------------------------------
def test_comment_only_edit_is_a_noop():
    result = applied(apply_reply(block("def total(values):", "def total(values):  # adds them up"), FILES))
    assert result.noop and result.changed == []


def test_identical_search_and_replace_is_a_noop():
    # Matching is by whole lines: `    return result` is one line of total(), not the start of mean()'s last line.
    assert applied(apply_reply(block("    return result", "    return result"), FILES)).noop


def test_whole_file_reply_when_allowed():
    reply = "Here you go:\n```python\ndef total(values):\n    return sum(values)\n```\nAnd a usage example:\n```python\nprint(total([1]))\n```\n"
    result = applied(apply_reply(reply, FILES, allow_whole_file=True))
    assert result.code == "def total(values):\n    return sum(values)\n" and result.blocks == 0


def test_whole_file_identical_up_to_layout_is_a_noop():
    reformatted = CODE.replace("result = 0", "result = (0)").replace("\n\n\n", "\n\n# helper below\n\n")
    assert applied(apply_reply(f"```python\n{reformatted}```", FILES, allow_whole_file=True)).noop


def test_whole_file_truncated_or_missing():
    assert "cut off" in failed(WholeFile().apply("```python\ndef total(values):\n    return", FILES)).reason
    assert failed(WholeFile().apply("I think you should use sum().", FILES)).kind == "no_code"
    assert failed(WholeFile().apply("```python\nx = 1\n```", {"a.py": "", "b.py": ""})).kind == "no_file"


def test_blocks_win_over_whole_file_when_both_could_apply():
    reply = block("    return result / len(values)", "    return result / len(values)  # checked")
    assert applied(apply_reply(reply, FILES, allow_whole_file=True)).blocks == 1


# -- fingerprints and the registry -------------------------------------------------------
def test_fingerprint_equal_for_layout_variants_and_different_for_real_changes():
    a = applied(apply_reply(block("    return result", "    return result + 0"), FILES))
    b = applied(apply_reply(block("    return result", "    return result+0  # zero"), FILES))
    c = applied(apply_reply(block("    return result", "    return result + 1"), FILES))
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


def test_registry_lists_valid_names_for_an_unknown_format():
    assert set(EDIT_FORMATS) == {"search-replace", "whole-file"}
    assert isinstance(get_format("search-replace"), SearchReplace)
    with pytest.raises(ConfigError) as raised:
        get_format("udiff")
    assert "search-replace" in (raised.value.hint or "") and "whole-file" in (raised.value.hint or "")
