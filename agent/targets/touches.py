"""Does a candidate change only the target function?  ``touches_only(original, candidate, name)``.

The rule, on the module's top-level statements (``ast``):

* the function ``name`` (a module-level ``def``) may change in any way: body, signature,
  decorators, docstring;
* every other statement of the original must still be there, in the same order, with the
  very same text (comments and blank lines between statements do not matter; reformatting
  a statement does: a maintainer reviewing the diff would see it);
* the candidate may add, anywhere at the top level:
  - imports (``import x``, ``from x import y``) of names the original does not bind, or
    binds only by an import;
  - helper functions and classes, and constants (plain or annotated assignments), under
    names the original does not bind at all.
  Nothing else: no module-level calls or other statements with effects, no rebinding of
  an existing name (the function's included), no removal.

The loop and the CI bot refuse a candidate that breaks it, whatever its speed.
"""

from __future__ import annotations

import ast
import difflib

from agent.targets.python_source import bound_names

_ADDABLE = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)
TARGET = "<the target function>"


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _text(lines: list[str], node: ast.stmt) -> str:
    """The statement's own text, decorators included, without a comment after its end."""
    head = "".join(lines[_first_line(node) - 1:node.end_lineno - 1])
    # offsets count UTF-8 bytes
    last = lines[node.end_lineno - 1].encode()[:node.end_col_offset].decode(errors="replace")
    return head + last


def _is_target(node: ast.stmt, name: str) -> bool:
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name


def _shown(lines: list[str], node: ast.stmt) -> str:
    text = lines[_first_line(node) - 1].strip()
    return text if len(text) <= 60 else text[:57] + "..."


def touches_only(original_source: str, candidate_source: str, function: str) -> tuple[bool, list[str]]:
    """(True, []) when ``candidate_source`` differs from ``original_source`` only in the
    function ``function`` and in allowed additions; else (False, reasons), each reason
    naming a line."""
    try:
        original = ast.parse(original_source)
    except SyntaxError as exc:
        return False, [f"the original does not parse: line {exc.lineno}: {exc.msg}"]
    try:
        candidate = ast.parse(candidate_source)
    except SyntaxError as exc:
        return False, [f"the candidate does not parse: line {exc.lineno}: {exc.msg}"]
    if not any(_is_target(n, function) for n in original.body):
        return False, [f"the original has no module-level function {function!r}"]
    count = sum(_is_target(n, function) for n in candidate.body)
    reasons = [] if count else [f"removes the function {function}"]
    if count > 1:
        reasons.append(f"defines {function} {count} times")
    old_lines = original_source.splitlines(keepends=True)
    new_lines = candidate_source.splitlines(keepends=True)

    def keys(tree: ast.Module) -> list[str]:
        return [TARGET if _is_target(n, function) else ast.dump(n) for n in tree.body]

    old_bound = set().union(*(bound_names(n) for n in original.body))
    imported = set().union(*(bound_names(n) for n in original.body if isinstance(n, (ast.Import, ast.ImportFrom))))
    matcher = difflib.SequenceMatcher(a=keys(original), b=keys(candidate), autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            for old, new in zip(original.body[a0:a1], candidate.body[b0:b1]):
                if not _is_target(old, function) and _text(old_lines, old) != _text(new_lines, new):
                    reasons.append(f"line {_first_line(new)}: reformats `{_shown(new_lines, new)}` (original line "
                                   f"{_first_line(old)})")
            continue
        replaced: set[str] = set()
        for old in original.body[a0:a1]:
            if not _is_target(old, function):
                verb = "changes" if op == "replace" else "removes"
                reasons.append(f"{verb} original line {_first_line(old)}: `{_shown(old_lines, old)}`")
                replaced |= bound_names(old)
        for new in candidate.body[b0:b1]:
            # the new version of a changed statement is reported above, once
            if not _is_target(new, function) and not (bound_names(new) & replaced):
                problem = _addition_problem(new, function, old_bound, imported)
                if problem:
                    reasons.append(f"line {_first_line(new)}: {problem}: `{_shown(new_lines, new)}`")
    return not reasons, reasons


def _addition_problem(node: ast.stmt, function: str, old_bound: set[str], imported: set[str]) -> str | None:
    if not isinstance(node, _ADDABLE):
        return f"adds a module-level {type(node).__name__.lower()} statement (only imports, helpers and constants may be added)"
    names = bound_names(node)
    if function in names:
        return f"binds {function} again"
    if isinstance(node, ast.Assign) and not all(isinstance(t, ast.Name) for t in node.targets):
        return "assigns to something other than a new name"
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        clash = sorted(names & (old_bound - imported))
    else:
        clash = sorted(names & old_bound)
    if clash:
        return f"binds {', '.join(clash)}, which the original already defines"
    return None
