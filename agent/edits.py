"""Edit formats: how a model's reply becomes a candidate, strictly.

Each format is a small class paired with its prompt template in ``prompts/edit_formats/``:

- ``search-replace`` (default): SEARCH/REPLACE blocks, each matching exactly once
  (rules in :mod:`agent.search_replace`);
- ``whole-file``: one fenced code block holding the complete new file.

``apply`` returns :class:`Applied` or :class:`EditError` — a reply that does not apply
is data for the repair turn, not an exception.  :func:`apply_reply` is what the loop
calls: blocks when the reply has them, else the whole file where the task allows it.

    result = apply_reply(reply.text, {"solution.py": code}, allow_whole_file=False)
    if isinstance(result, EditError):
        prompt = render("repair", reason=result.reason, edit_format="search-replace", files=["solution.py"])
    elif not result.noop:
        candidate = result.files["solution.py"]
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar, Mapping

from pydantic import BaseModel, Field

from perfforge.errors import ConfigError

from agent import search_replace as sr
from agent.codeblocks import code_blocks, extract_code
from agent.normalize import language_of, normalized_hash, same_code


class EditError(BaseModel):
    """Why a reply could not be applied.  ``reason`` is quoted verbatim by the repair prompt."""

    kind: str = Field(description="first problem's kind: malformed, no_blocks, no_file, wrong_file, not_found, ambiguous, no_code, out_of_scope")
    problems: list[str] = Field(description="one sentence per problem, block numbers included")

    @property
    def reason(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0]
        return "\n".join(f"- {p}" for p in self.problems)


class Applied(BaseModel):
    """The edited files.  ``noop``: no file changed beyond comments/layout (never evaluate it)."""

    files: dict[str, str]
    changed: list[str] = Field(description="files whose normalized code changed")
    noop: bool
    blocks: int = Field(0, description="SEARCH/REPLACE blocks applied (0 for a whole-file reply)")
    notes: list[str] = Field(default_factory=list, description="tolerances used, e.g. trailing whitespace")

    @property
    def code(self) -> str:
        """The single edited file's text (for single-file tasks)."""
        if len(self.files) != 1:
            raise ValueError("code is defined for single-file edits; use files[path]")
        return next(iter(self.files.values()))

    def fingerprint(self) -> str:
        """Normalized hash over all files: equal for duplicates that differ only in comments/layout."""
        parts = [f"{path}:{normalized_hash(text, language_of(path))}" for path, text in sorted(self.files.items())]
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


EditResult = Applied | EditError


def _finish(original: Mapping[str, str], files: dict[str, str], *, blocks: int = 0, notes: list[str] | None = None) -> Applied:
    changed = [p for p in files if not same_code(original.get(p, ""), files[p], language_of(p))]
    return Applied(files=files, changed=changed, noop=not changed, blocks=blocks, notes=notes or [])


def _problem_text(problem: sr.Problem) -> str:
    return f"block {problem.block}: {problem.detail}" if problem.block is not None else problem.detail


class SearchReplace:
    """SEARCH/REPLACE blocks applied strictly (see :mod:`agent.search_replace`)."""

    name: ClassVar[str] = "search-replace"
    template: ClassVar[str] = "edit_formats/search_replace"

    def apply(self, text: str, files: Mapping[str, str]) -> EditResult:
        blocks, problems = sr.parse_blocks(text)
        outcome = sr.apply_blocks(blocks, dict(files))
        problems = sorted(problems + outcome.problems, key=lambda p: (p.block or 0))
        if problems:
            return EditError(kind=problems[0].kind, problems=[_problem_text(p) for p in problems])
        return _finish(files, outcome.files, blocks=len(blocks), notes=outcome.notes)

    def instructions(self, **variables: Any) -> str:
        from prompts import render

        return render(self.template, **variables)


class WholeFile:
    """One fenced code block with the complete new file (single-file tasks)."""

    name: ClassVar[str] = "whole-file"
    template: ClassVar[str] = "edit_formats/whole_file"

    def apply(self, text: str, files: Mapping[str, str]) -> EditResult:
        if len(files) != 1:
            return EditError(kind="no_file", problems=[f"a whole-file reply needs a single editable file, not {len(files)}; use SEARCH/REPLACE blocks"])
        path = next(iter(files))
        language = language_of(path)
        code = extract_code(text, language)
        if code is None:
            unclosed = "```" in text and not code_blocks(text)
            detail = "its code block is not closed (was the reply cut off?)" if unclosed else "it contains no fenced code block"
            return EditError(kind="no_code", problems=[f"the reply is not a whole file: {detail}; reply with the complete file `{path}` in one fenced code block"])
        return _finish(files, {path: code})

    def instructions(self, **variables: Any) -> str:
        from prompts import render

        return render(self.template, **variables)


EDIT_FORMATS: dict[str, type[SearchReplace] | type[WholeFile]] = {
    SearchReplace.name: SearchReplace,
    WholeFile.name: WholeFile,
}


def get_format(name: str) -> SearchReplace | WholeFile:
    """The edit format called ``name``; an unknown name lists the valid ones."""
    try:
        return EDIT_FORMATS[name]()
    except KeyError:
        raise ConfigError(f"unknown edit format {name!r}", f"valid formats: {', '.join(EDIT_FORMATS)}") from None


def apply_reply(text: str, files: Mapping[str, str], *, allow_whole_file: bool = False) -> EditResult:
    """Blocks if the reply has any; otherwise a whole file when allowed; otherwise the error
    that asks for blocks."""
    if sr.has_blocks(text) or not allow_whole_file:
        return SearchReplace().apply(text, files)
    return WholeFile().apply(text, files)
