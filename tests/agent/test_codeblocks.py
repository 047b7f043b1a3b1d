"""Code extraction from chatty replies."""

from __future__ import annotations

from agent.codeblocks import code_blocks, extract_code


def test_picks_the_longest_block_of_the_language():
    reply = "Explanation.\n```python\ndef f():\n    return 1\n```\nUsage:\n```\nf()\n```\nShell:\n```bash\npython -c 'import x; x.f(); print(1)'\n```\n"
    assert extract_code(reply, "python") == "def f():\n    return 1\n"
    assert extract_code(reply) == "python -c 'import x; x.f(); print(1)'\n"  # no language: longest of all


def test_untagged_blocks_are_used_when_none_is_tagged():
    assert extract_code("```\nint main(void) { return 0; }\n```", "c") == "int main(void) { return 0; }\n"


def test_longer_fences_may_hold_triple_backticks():
    reply = "````markdown\nbefore\n```python\nx = 1\n```\nafter\n````\n"
    assert code_blocks(reply)[0].code == "before\n```python\nx = 1\n```\nafter\n"


def test_unclosed_fence_is_no_block():
    assert extract_code("```python\ndef f():\n    return") is None
    assert code_blocks("```c\nint x;\n```\n```c\nint y") [0].code == "int x;\n"


def test_bare_replies_and_crlf_and_think_sections():
    assert extract_code("def f():\n    return 2\n") is None
    assert extract_code("def f():\r\n    return 2\r\n", bare=True) == "def f():\n    return 2\n"
    assert extract_code("<think>```python\ndraft = 1\n```</think>\n```python\nfinal = 2\n```") == "final = 2\n"
    assert extract_code("   ", bare=True) is None


def test_info_string_is_read():
    blocks = code_blocks("~~~C++ {.numberLines}\nint x;\n~~~\n")
    assert [(b.info, b.code) for b in blocks] == [("c++", "int x;\n")]
    assert extract_code("~~~C++\nint x;\n~~~\n```python\nimport os, sys, re\n```", "cpp") == "int x;\n"
