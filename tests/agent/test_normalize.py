"""Normalized hashes: duplicates up to comments/layout collide, real changes do not."""

from __future__ import annotations

import pytest

from agent.normalize import language_of, normalize, normalized_hash, same_code


@pytest.mark.parametrize(
    ("path", "language"),
    [("a.py", "python"), ("k.c", "c"), ("k.h", "c"), ("k.cpp", "cpp"), ("k.cu", "cuda"), ("k.s", "asm"), ("k.S", "asm"), ("README", "text")],
)
def test_language_of(path, language):
    assert language_of(path) == language


def test_python_ignores_comments_layout_and_docstrings():
    a = 'def f(x):\n    """Doc."""\n    return x+1  # inc\n'
    b = "def f(x):\n\n    return (x + 1)\n"
    assert same_code(a, b, "python")
    assert not same_code(a, "def f(x):\n    return x + 2\n", "python")
    assert not same_code("print('a  b')\n", "print('a b')\n", "python")


def test_python_that_does_not_parse_falls_back_to_text():
    broken = "def f(:\n    return 1   \n\n"
    assert normalize(broken, "python") == "def f(:\n    return 1"
    assert not same_code(broken, "def f(:\n  return 1\n", "python")  # indentation kept when unsure


def test_c_ignores_comments_and_whitespace_but_not_strings_or_operators():
    a = '#include <stdio.h>\n  #define SQ(x) ((x)*(x))\nint  main ( void ) {  // entry\n  int y = a - -b; /* neg */\n  puts("a  b");\n}\n'
    b = '#include <stdio.h>\n#define SQ(x) ((x)*(x))\nint main(void){int y=a- -b;puts("a  b");}'
    assert same_code(a, b, "c")
    assert not same_code(a, b.replace("a- -b", "a--b"), "c")
    assert not same_code(a, b.replace('"a  b"', '"a b"'), "c")
    assert not same_code("int x;", "intx;", "c")


def test_c_keeps_comment_markers_inside_strings():
    assert normalize('char *s = "// not a comment";', "c") == 'char*s="// not a comment";'


def test_asm_drops_comments_keeps_immediates_and_directives():
    aarch64 = "  mov x0, #1   // one\n\n  add x0, x0, #-2\n  ret\n"
    assert normalize(aarch64, "asm") == "mov x0,#1\nadd x0,x0,#-2\nret"
    x86 = "# prologue\n#include \"m.h\"\n\tmovl $1, %eax  # one\n/* block\n comment */\tret\n"
    assert normalize(x86, "asm") == '#include "m.h"\nmovl $1,%eax\nret'


def test_hash_is_stable_and_language_scoped():
    assert normalized_hash("x = 1\n", "python") == normalized_hash("x=1", "python")
    assert normalized_hash("x = 1\n", "python") != normalized_hash("x = 1\n", "text")
    assert len(normalized_hash("", "c")) == 64
