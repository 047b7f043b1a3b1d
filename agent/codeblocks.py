"""Fenced code blocks in a chatty reply, and the code worth keeping among them.

Fences follow CommonMark: an opening line of three or more backticks (or tildes)
with an optional info string (``python``, ``solution.py``), closed by a line of the
same character at least as long.  An unclosed fence (a truncated reply) is not a
block.  Reasoning sections (``<think>...</think>``) are dropped before looking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\s]*)[^`]*$")
_THINK = re.compile(r"<think>.*?</think>", re.S | re.I)

# Info-string tags that name a language, by the language names perfforge uses.
LANGUAGE_TAGS: dict[str, frozenset[str]] = {
    "python": frozenset({"python", "py", "python3", "py3"}),
    "c": frozenset({"c", "h"}),
    "cpp": frozenset({"cpp", "c++", "cc", "cxx", "hpp", "h++"}),
    "cuda": frozenset({"cuda", "cu"}),
    "asm": frozenset({"asm", "s", "assembly", "gas", "nasm", "x86asm", "armasm", "aarch64", "riscv", "riscv64"}),
}


@dataclass(frozen=True)
class CodeBlock:
    info: str  # the info string's first word, lower-cased ("" when none)
    code: str  # the content, ending with a newline when not empty
    start_line: int  # 0-based line of the opening fence in the normalized text


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def strip_thinking(text: str) -> str:
    """``text`` without ``<think>...</think>`` sections (reasoning models put drafts there)."""
    return _THINK.sub("", text)


def code_blocks(text: str) -> list[CodeBlock]:
    """Every closed fenced block of ``text``, in order."""
    lines = normalize_newlines(strip_thinking(text)).split("\n")
    blocks: list[CodeBlock] = []
    i = 0
    while i < len(lines):
        opened = _OPEN.match(lines[i])
        if not opened:
            i += 1
            continue
        fence = opened.group("fence")
        closer = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        end = next((j for j in range(i + 1, len(lines)) if closer.match(lines[j])), None)
        if end is None:
            break  # unclosed: everything after is inside it, no later block can start
        body = lines[i + 1 : end]
        blocks.append(CodeBlock(opened.group("info").lower(), "\n".join(body) + ("\n" if body else ""), i))
        i = end + 1
    return blocks


def extract_code(text: str, language: str | None = None, *, bare: bool = False) -> str | None:
    """The code a reply offers: the longest fenced block tagged with ``language`` (any block
    when none is tagged so), the last one on ties.  Without a fenced block: the whole reply
    when ``bare`` (raw-output benchmarks), else None."""
    blocks = [b for b in code_blocks(text) if b.code.strip()]
    if language and blocks:
        tags = LANGUAGE_TAGS.get(language, frozenset({language.lower()}))
        tagged = [b for b in blocks if b.info in tags]
        blocks = tagged or blocks
    if blocks:
        return max(reversed(blocks), key=lambda b: len(b.code)).code
    if bare:
        stripped = strip_thinking(normalize_newlines(text)).strip()
        return stripped + "\n" if stripped else None
    return None
