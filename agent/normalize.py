"""Language-aware normalization: two candidates that differ only in comments, layout or
docstrings get the same hash, so a duplicate is never evaluated twice.

- Python: the ``ast`` dump without docstrings (comments and formatting vanish with
  parsing); source that does not parse falls back to the generic rule.
- C, C++, CUDA: comments dropped, whitespace dropped between tokens except where it
  separates two words or two operator characters (``a - -b`` stays apart from ``a--b``);
  string literals and preprocessor lines kept.
- Assembly: ``/* */``, ``//`` and ``#`` comments dropped (a ``#`` directly followed by a
  digit, sign or letter is an immediate or a directive and stays), spaces squeezed,
  blank lines dropped; the line structure stays.
- Anything else: trailing whitespace and blank lines dropped.

Normalization errs on the side of "different": when unsure it keeps text.
"""

from __future__ import annotations

import ast
import hashlib
import re
from functools import lru_cache
from pathlib import PurePosixPath

_EXTENSIONS = {
    ".py": "python",
    ".c": "c", ".h": "c",
    ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp",
    ".cu": "cuda", ".cuh": "cuda",
    ".s": "asm", ".asm": "asm",
}

_C_TOKEN = re.compile(
    r"""(?P<comment>//[^\n]*|/\*.*?\*/)
      |(?P<pp>^[ \t]*\#(?:\\\n|[^\n])*)
      |(?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
      |(?P<word>\w+)
      |(?P<space>\n|[^\S\n]+)  # stop at a newline: a preprocessor line must start a match
      |(?P<punct>.)""",
    re.S | re.M | re.X,
)
# Characters that form longer operators when adjacent (``- -`` is not ``--``).
_OPERATOR_CHARS = frozenset("+-*/%<>=!&|^:.#")
_ASM_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_ASM_LINE_COMMENT = re.compile(r"//.*$|(^|\s)#(?=\s|$).*$|^\s*#(?![A-Za-z]).*$", re.M)


def language_of(path: str) -> str:
    """``python``, ``c``, ``cpp``, ``cuda``, ``asm`` or ``text`` from a file name."""
    suffix = PurePosixPath(path.replace("\\", "/")).suffix
    return _EXTENSIONS.get(suffix, _EXTENSIONS.get(suffix.lower(), "text"))


@lru_cache(maxsize=256)  # the original is normalized against every candidate of a run
def normalize(code: str, language: str) -> str:
    """The text two equivalent-looking candidates share (see the module docstring)."""
    code = code.replace("\r\n", "\n").replace("\r", "\n")
    if language == "python":
        dumped = _python(code)
        if dumped is not None:
            return dumped
    elif language in ("c", "cpp", "cuda"):
        return _c_like(code)
    elif language == "asm":
        return _asm(code)
    return _generic(code)


def normalized_hash(code: str, language: str) -> str:
    """SHA-256 (hex) of the language tag and :func:`normalize` of ``code``."""
    return hashlib.sha256(f"{language}\0{normalize(code, language)}".encode("utf-8")).hexdigest()


def same_code(a: str, b: str, language: str) -> bool:
    return normalize(a, language) == normalize(b, language)


def _python(code: str) -> str | None:
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    try:
        return ast.dump(tree, include_attributes=False)
    except RecursionError:
        return None


def _c_like(code: str) -> str:
    out: list[str] = []
    previous_kind = ""
    spaced = False
    for match in _C_TOKEN.finditer(code):
        kind = match.lastgroup or ""
        if kind in ("comment", "space"):
            spaced = True
            continue
        text = match.group()
        if kind == "pp":
            out.append("\n" + " ".join(text.replace("\\\n", " ").split()) + "\n")
            previous_kind, spaced = "", False
            continue
        wordish = kind in ("word", "string")
        joinable = kind == "punct" and text in _OPERATOR_CHARS
        if spaced and ((wordish and previous_kind == "wordish") or (joinable and previous_kind == "operator")):
            out.append(" ")
        out.append(text)
        previous_kind = "wordish" if wordish else ("operator" if joinable else "punct")
        spaced = False
    return re.sub(r"\n+", "\n", "".join(out)).strip()


def _asm(code: str) -> str:
    code = _ASM_BLOCK_COMMENT.sub(" ", code)
    lines = (" ".join(_ASM_LINE_COMMENT.sub("", line).split()) for line in code.split("\n"))
    return "\n".join(re.sub(r" ?, ?", ",", line) for line in lines if line)


def _generic(code: str) -> str:
    return "\n".join(line.rstrip() for line in code.split("\n") if line.strip())
