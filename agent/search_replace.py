"""SEARCH/REPLACE blocks: parsing a reply, and applying the blocks strictly.

The conventional form, optionally preceded by the file's path and wrapped in a fence::

    solution.py
    ```python
    <<<<<<< SEARCH
    exact lines of the current file
    =======
    the lines that replace them
    >>>>>>> REPLACE
    ```

Rules, in the order they are checked:

- Markers start at column 0 (5 to 9 marker characters); CRLF replies are read as LF.
- A block's file is the path on the line before it (or before its opening fence,
  or the fence's info string when it is a path); a block naming no file inherits the
  previous block's, and with a single editable file, that file.  A path matches an
  editable file exactly (after ``./`` and ``\\`` cleanup) or by a unique base name;
  any other path is an error ("wrong file"), never a guess.
- SEARCH matches whole lines, exactly once, in the file as earlier blocks left it.
  The only tolerance: trailing whitespace on each line (said in ``notes``).
  Zero matches or several are errors, with the nearest similar lines quoted.
- An empty SEARCH appends the REPLACE lines at the end of the file (this is how a
  new helper or a whole new file body is added).
- A block whose body holds several ``=======`` lines (the code itself contains one)
  is divided at the one giving the longest SEARCH part that matches exactly once
  (said in ``notes``); if no division matches, it is an error.
- No block is applied unless all of them apply: the reply is taken whole or not at all.

Known limit: a file whose own lines include ``<<<<<<< SEARCH`` or ``>>>>>>> REPLACE`` at
column 0 cannot be edited with blocks around those lines; use a whole-file reply.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from agent.codeblocks import normalize_newlines, strip_thinking

SEARCH = re.compile(r"^<{5,9} ?SEARCH[ \t]*$")
DIVIDER = re.compile(r"^={5,9}[ \t]*$")
REPLACE = re.compile(r"^>{5,9} ?REPLACE[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*(\S*)")
_PATH = re.compile(r"^[\w.\-/\\]*\w\.\w+$|^[\w.\-]+/[\w.\-/]+$")
_PATH_PREFIX = re.compile(r"^(file(name)?|path)\s*:\s*", re.I)


def has_blocks(text: str) -> bool:
    """True when ``text`` contains a SEARCH marker line (it means to edit by blocks)."""
    return any(SEARCH.match(line) for line in normalize_newlines(text).split("\n"))


@dataclass
class Block:
    """One block as written: its body lines between the SEARCH and REPLACE markers."""

    index: int  # 1-based, in reply order
    path: str | None
    body: list[str]
    dividers: list[int]  # positions in ``body`` of the ======= lines

    def splits(self) -> list[tuple[list[str], list[str]]]:
        return [(self.body[:d], self.body[d + 1 :]) for d in self.dividers]


@dataclass
class Problem:
    """Why one block (or the reply as a whole, ``block=None``) cannot be applied."""

    kind: str  # malformed | no_blocks | no_file | wrong_file | not_found | ambiguous
    detail: str
    block: int | None = None


@dataclass
class Outcome:
    files: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_blocks(text: str) -> tuple[list[Block], list[Problem]]:
    """Blocks of a reply, and structural problems (missing divider, unclosed block, ...)."""
    lines = normalize_newlines(strip_thinking(text)).split("\n")
    blocks: list[Block] = []
    problems: list[Problem] = []
    previous_path: str | None = None
    i, index = 0, 0
    while i < len(lines):
        if REPLACE.match(lines[i]):
            problems.append(Problem("malformed", f"a `{lines[i].strip()}` line (line {i + 1} of the reply) closes no block: is its `<<<<<<< SEARCH` line missing?"))
        if not SEARCH.match(lines[i]):
            i += 1
            continue
        index += 1
        path = _path_before(lines, i) or previous_path
        previous_path = path
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not REPLACE.match(lines[j]) and not SEARCH.match(lines[j]):
            body.append(lines[j])
            j += 1
        dividers = [k for k, line in enumerate(body) if DIVIDER.match(line)]
        if j == len(lines):
            problems.append(Problem("malformed", "it is not closed by a `>>>>>>> REPLACE` line (was the reply cut off?)", index))
        elif SEARCH.match(lines[j]):
            problems.append(Problem("malformed", "a new `<<<<<<< SEARCH` starts before this block's `>>>>>>> REPLACE` line", index))
        elif not dividers:
            problems.append(Problem("malformed", "it has no `=======` line between its SEARCH and REPLACE parts", index))
        else:
            blocks.append(Block(index, path, body, dividers))
        i = j + 1 if j < len(lines) and REPLACE.match(lines[j]) else j
    if not blocks and not problems:
        problems.append(Problem("no_blocks", "the reply contains no `<<<<<<< SEARCH` ... `>>>>>>> REPLACE` block"))
    return blocks, problems


def _path_before(lines: list[str], at: int) -> str | None:
    j = at - 1
    if j >= 0:
        fence = _FENCE.match(lines[j])
        if fence:
            if _looks_like_path(fence.group(2)):
                return fence.group(2)
            j -= 1
    if j >= 0 and not lines[j].strip() and j - 1 >= 0 and _looks_like_path(_clean_path(lines[j - 1])):
        j -= 1  # one blank line between the path and the block is common
    if j >= 0:
        candidate = _clean_path(lines[j])
        if _looks_like_path(candidate):
            return candidate
    return None


def _clean_path(line: str) -> str:
    cleaned = line.strip().strip("`*#").strip().rstrip(":").strip("`*").strip()
    return _PATH_PREFIX.sub("", cleaned).strip("`").strip()


def _looks_like_path(text: str) -> bool:
    return bool(text) and " " not in text and _PATH.match(text) is not None


def resolve_path(path: str | None, files: list[str]) -> str | Problem:
    """The editable file a block's path means, or the problem with it."""
    listed = ", ".join(files)
    if path is None:
        if len(files) == 1:
            return files[0]
        return Problem("no_file", f"it names no file; put the file's path on the line before the block (one of: {listed})")
    wanted = _clean_relpath(path)
    by_clean = {_clean_relpath(f): f for f in files}
    if wanted in by_clean:
        return by_clean[wanted]
    same_name = [f for f in files if PurePosixPath(_clean_relpath(f)).name == PurePosixPath(wanted).name]
    if len(same_name) == 1:
        return same_name[0]
    return Problem("wrong_file", f"it is for `{path}`, which is not a file you may edit (editable: {listed})")


def _clean_relpath(path: str) -> str:
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def apply_blocks(blocks: list[Block], files: dict[str, str]) -> Outcome:
    """Apply ``blocks`` in order to a copy of ``files``; any problem leaves the result unused."""
    outcome = Outcome(files=dict(files))
    names = list(files)
    for block in blocks:
        target = resolve_path(block.path, names)
        if isinstance(target, Problem):
            target.block = block.index
            outcome.problems.append(target)
            continue
        result = _apply_one(block, target, outcome.files[target], outcome)
        if isinstance(result, Problem):
            result.block = block.index
            outcome.problems.append(result)
        else:
            outcome.files[target] = result
    return outcome


def _apply_one(block: Block, path: str, content: str, outcome: Outcome) -> str | Problem:
    lines, newline, ends_with_newline = _split(content)
    splits = block.splits()
    if len(splits) > 1:
        # A ======= line of the file belongs to SEARCH only if the file has it there: the longest
        # SEARCH part that still matches exactly once is the split that keeps every such line.
        unique = [(s, r) for s, r in splits if not _is_blank(s) and len(_find(lines, s)[0]) == 1]
        if not unique:
            return Problem("ambiguous", f"it has {len(splits)} `=======` lines and no way of splitting it gives a SEARCH part that matches `{path}` exactly once")
        splits = [max(unique, key=lambda split: len(split[0]))]
        outcome.notes.append(
            f"block {block.index}: several `=======` lines; SEARCH taken as its first {len(splits[0][0])} lines,"
            " the longest SEARCH part that matches"
        )
    search, replace = splits[0]
    if _is_blank(search):  # append; an unterminated last line gets its newline first
        return _join(lines + replace, newline, True)
    positions, tolerant = _find(lines, search)
    if len(positions) == 1:
        if tolerant:
            outcome.notes.append(f"block {block.index}: SEARCH matched `{path}` only after ignoring trailing whitespace")
        start = positions[0]
        return _join(lines[:start] + replace + lines[start + len(search) :], newline, ends_with_newline)
    if positions:
        where = ", ".join(str(p + 1) for p in positions[:8])
        return Problem("ambiguous", f"its SEARCH text occurs {len(positions)} times in `{path}` (at lines {where}); include more surrounding lines so that it matches exactly once")
    return Problem("not_found", f"its SEARCH text is not in `{path}`. {nearest(lines, search)}")


def _split(content: str) -> tuple[list[str], str, bool]:
    newline = "\r\n" if "\r\n" in content else "\n"
    text = normalize_newlines(content)
    ends = text.endswith("\n")
    if ends:
        text = text[:-1]
    return ([] if text == "" and not ends else text.split("\n")), newline, ends


def _join(lines: list[str], newline: str, ends_with_newline: bool) -> str:
    text = newline.join(lines)
    return text + newline if ends_with_newline and lines else text


def _is_blank(lines: list[str]) -> bool:
    return all(not line.strip() for line in lines)


def _find(lines: list[str], search: list[str]) -> tuple[list[int], bool]:
    """Start lines where ``search`` matches exactly, else where it matches up to trailing whitespace."""
    n = len(search)
    exact = [i for i in range(len(lines) - n + 1) if lines[i : i + n] == search]
    if exact:
        return exact, False
    stripped = [s.rstrip() for s in search]
    rstripped = [line.rstrip() for line in lines]
    return [i for i in range(len(lines) - n + 1) if rstripped[i : i + n] == stripped], True


def nearest(lines: list[str], search: list[str]) -> str:
    """A hint for the repair turn: where the file holds text closest to ``search``."""
    n = len(search)
    if not lines:
        return "The file is empty (use an empty SEARCH part to add text to it)."
    dedented = [s.strip() for s in search]
    stripped = [line.strip() for line in lines]
    for i in range(len(lines) - n + 1):
        if stripped[i : i + n] == dedented:
            return f"The same lines exist at lines {i + 1}-{i + n} with different indentation; copy the indentation exactly."
    best = _closest_window(lines, search)
    window = lines[best : best + n]
    differ = next((k for k in range(min(len(window), n)) if window[k] != search[k]), min(len(window), n))
    first = ""
    if differ < n:
        has = window[differ].strip() if differ < len(window) else "(end of file)"
        first = f"; the first difference is SEARCH line {differ + 1}: you wrote `{search[differ].strip()}`, the file has `{has}`"
    quoted = "\n".join(window)
    return f"The most similar lines of the file are lines {best + 1}-{best + len(window)}{first}. They read:\n```\n{quoted}\n```"


def _closest_window(lines: list[str], search: list[str], candidates: int = 12) -> int:
    """Start of the window most similar to ``search``.  Full similarity ratios are costly on
    big files, so only the windows sharing the most lines with ``search`` (or, when none
    shares any, starting at lines like its first line) are compared in full."""
    n = len(search)
    starts = range(max(1, len(lines) - n + 1))
    wanted = [s.strip() for s in search]
    stripped = [line.strip() for line in lines]
    shared = [sum(1 for k, w in enumerate(wanted) if i + k < len(stripped) and stripped[i + k] == w and w) for i in starts]
    if max(shared) > 0:
        chosen = sorted(starts, key=lambda i: -shared[i])[:candidates]
    else:
        first = difflib.SequenceMatcher(autojunk=False)
        first.set_seq2(wanted[0])

        def like_first(i: int) -> float:
            first.set_seq1(stripped[i] if i < len(stripped) else "")
            return first.quick_ratio()

        chosen = sorted(starts, key=lambda i: -like_first(i))[:candidates]
    # Whole lines in common first (cheap, and what a repair needs), then characters in common.
    by_line = difflib.SequenceMatcher(autojunk=False)
    by_line.set_seq2(search)
    by_char = difflib.SequenceMatcher(autojunk=False)
    by_char.set_seq2("\n".join(search))

    def similarity(i: int) -> tuple[float, float]:
        by_line.set_seq1(lines[i : i + n])
        by_char.set_seq1("\n".join(lines[i : i + n]))
        return by_line.ratio(), by_char.quick_ratio()

    return max(sorted(chosen), key=similarity)
