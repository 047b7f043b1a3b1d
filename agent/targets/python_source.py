"""Where a Python target lives: its repository, its import root and dotted module name,
the function in it, and the test files that call it.  Static checks only: nothing here
runs the repository's code (that happens in the sandbox)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from perfforge.errors import ConfigError

REPO_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PythonTarget(BaseModel):
    """A function of a module of a repository."""

    model_config = ConfigDict(frozen=True)

    file: Path
    function: str
    repo_root: Path
    relpath: str  # the file, relative to the repository root (posix)
    import_root: str  # the folder holding the top-level package, relative to the root ("." or "src", ...)
    module: str  # dotted module name, e.g. "pkg.core"

    @property
    def qualified(self) -> str:
        return f"{self.module}.{self.function}"

    @property
    def candidate(self) -> str:
        return self.file.name


def find_repo_root(start: Path) -> Path:
    """The nearest folder above ``start`` holding a project marker; else ``start``'s folder."""
    for folder in [start.parent, *start.parent.parents]:
        if any((folder / marker).exists() for marker in REPO_MARKERS):
            return folder
    return start.parent


def dotted_name(file: Path, repo_root: Path) -> tuple[str, str]:
    """(import root relative to ``repo_root``, dotted module name): the module's packages
    are the folders above it that hold an ``__init__.py``, up to the repository root."""
    parts = [] if file.name == "__init__.py" else [file.stem]
    folder = file.parent
    while (folder / "__init__.py").is_file() and folder != repo_root:
        parts.insert(0, folder.name)
        folder = folder.parent
    if file.name == "__init__.py" and not parts:
        raise ConfigError(f"{file}: an __init__.py at the repository root is not a module perfforge can import")
    bad = [p for p in parts if not _IDENTIFIER.match(p)]
    if bad:
        raise ConfigError(f"{file}: {bad[0]!r} is not a valid Python module name, so the file cannot be imported")
    return folder.relative_to(repo_root).as_posix(), ".".join(parts)


def top_level_functions(tree: ast.Module) -> dict[str, ast.stmt]:
    return {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def check_function(file: Path, source: str, function: str) -> None:
    """One clear error when ``function`` is not a plain module-level function of ``source``."""
    if "." in function:
        owner = function.split(".", 1)[0]
        raise ConfigError(
            f"--function {function}: methods are not supported (their instance and class state cannot be "
            f"recorded); give a module-level function of {file.name}",
            hint=f"move the hot code of {function} into a module-level function that {owner} calls",
        )
    if not _IDENTIFIER.match(function):
        raise ConfigError(f"--function {function!r}: not a Python function name")
    try:
        tree = ast.parse(source, filename=str(file))
    except SyntaxError as exc:
        raise ConfigError(f"{file}:{exc.lineno}: not valid Python: {exc.msg}") from None
    defined = top_level_functions(tree)
    node = defined.get(function)
    if node is None:
        names = ", ".join(sorted(n for n in defined if not n.startswith("__"))) or "none"
        raise ConfigError(f"{file}: no module-level function {function!r} (functions defined there: {names})")
    if isinstance(node, ast.AsyncFunctionDef):
        raise ConfigError(f"{file}: {function} is a coroutine function (async def): not supported")


def bound_names(node: ast.stmt) -> set[str]:
    """The module-level names a top-level statement binds."""
    names: set[str] = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names.add(node.name)
    elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def locate(file: str | Path, function: str, repo: str | Path | None = None) -> PythonTarget:
    """The target, checked statically; raises ConfigError with one clear line."""
    path = Path(file).expanduser().resolve()
    if not path.is_file():
        raise ConfigError(f"{file}: no such file")
    if path.suffix != ".py":
        raise ConfigError(f"{file}: --function needs a Python source file (.py)")
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not UTF-8 text") from None
    check_function(path, source, function)
    root = Path(repo).expanduser().resolve() if repo else find_repo_root(path)
    if not path.is_relative_to(root):
        raise ConfigError(f"{file}: not inside the repository {root}")
    import_root, module = dotted_name(path, root)
    return PythonTarget(file=path, function=function, repo_root=root, relpath=path.relative_to(root).as_posix(),
                        import_root=import_root, module=module)


def is_test_file(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def find_tests(target: PythonTarget, files: dict[str, bytes], given: list[str | Path] | None = None) -> list[str]:
    """The test paths to run (relative to the root): ``given`` (files or folders), else
    the repository's test files that mention the function's name."""
    if given:
        out = []
        for item in given:
            path = Path(item).expanduser()
            path = (path if path.is_absolute() else Path.cwd() / path).resolve()
            if not path.exists():
                raise ConfigError(f"--tests {item}: no such file or folder")
            if not path.is_relative_to(target.repo_root):
                raise ConfigError(f"--tests {item}: not inside the repository {target.repo_root}")
            out.append(path.relative_to(target.repo_root).as_posix() or ".")
        return out
    word = re.compile(rf"\b{re.escape(target.function)}\b".encode())
    found = [rel for rel, data in files.items() if is_test_file(rel) and word.search(data)]
    if not found:
        raise ConfigError(
            f"no test file in {target.repo_root} mentions {target.function} (looked in test_*.py and *_test.py)",
            hint="give the tests that call it with --tests PATH",
        )
    return found
