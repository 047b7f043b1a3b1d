"""Edit formats and their prompts belong together: the instructions teach what the parser accepts."""

from __future__ import annotations

import re

import pytest

from agent.codeblocks import code_blocks
from agent.edits import EDIT_FORMATS, Applied, EditError, SearchReplace, WholeFile, apply_reply
from prompts import render, template_names


@pytest.mark.parametrize("name", list(EDIT_FORMATS))
def test_every_edit_format_has_its_template(name):
    assert EDIT_FORMATS[name].template in template_names()


@pytest.mark.parametrize(
    ("path", "before", "after"),
    [
        ("solution.py", "    total = 0\n    for x in values:\n        total += x\n", "    total = sum(values)\n"),
        ("kernel.c", "    for (int i = 0; i < n; i++)\n        total += values[i] * 2;\n", "    total *= 2;\n"),
        ("kernel.s", "    mov     $0, %eax\n", "    xor     %eax, %eax\n"),
    ],
)
def test_the_example_in_the_instructions_is_a_block_the_parser_applies(path, before, after):
    instructions = SearchReplace().instructions(files=[path])
    example = instructions.split("Example:", 1)[1]
    current = f"start\n{before}end\n"
    result = apply_reply(example, {path: current})
    assert isinstance(result, Applied), getattr(result, "reason", "")
    assert before not in result.files[path] and after in result.files[path]


def test_instructions_name_every_editable_file_and_the_append_rule():
    text = SearchReplace().instructions(files=["src/a.c", "include/a.h"])
    assert "one of: src/a.c, include/a.h" in text and "empty SEARCH part adds" in text
    assert text.count("<<<<<<< SEARCH") == 2


def test_whole_file_instructions_show_a_fence_the_extractor_reads():
    text = WholeFile().instructions(filename="solution.py", language="python")
    blocks = code_blocks(text)
    assert len(blocks) == 1 and blocks[0].info == "python"


def test_repair_prompt_quotes_the_exact_reason():
    error = apply_reply("<<<<<<< SEARCH\nnot here\n=======\nx\n>>>>>>> REPLACE\n", {"solution.py": "def f():\n    pass\n"})
    assert isinstance(error, EditError)
    text = render("repair", reason=error.reason, edit_format="search-replace", files=["solution.py"])
    assert error.reason in text and "`solution.py`" in text
    whole = render("repair", reason="it contains no fenced code block", edit_format="whole-file", files=["solution.py"])
    assert "complete file `solution.py`" in whole and not re.search(r"SEARCH/REPLACE", whole)
