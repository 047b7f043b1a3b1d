"""Every prompt perfforge sends, as Jinja2 templates in this folder; no prompt text lives in Python.

``render(name, **variables)`` renders ``prompts/<name>.j2`` with ``StrictUndefined``
(a missing variable is an error, never a silent blank), ``trim_blocks`` and
``lstrip_blocks`` (block tags leave no stray lines), no HTML escaping, and returns the
text with surrounding whitespace stripped.  ``README.md`` lists the templates, their
variables and the step that uses each.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from perfforge.errors import ConfigError

PROMPTS_DIR = Path(__file__).parent
SUFFIX = ".j2"


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PROMPTS_DIR)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )


def template_names() -> list[str]:
    """Every template, by the name ``render`` takes (``repair``, ``edit_formats/search_replace``)."""
    return sorted(p.relative_to(PROMPTS_DIR).with_suffix("").as_posix() for p in PROMPTS_DIR.rglob(f"*{SUFFIX}"))


def template_variables(name: str) -> set[str]:
    """The variables template ``name`` (and what it includes) reads from its caller."""
    import jinja2
    from jinja2 import meta

    env = _environment()
    seen: set[str] = set()
    needed: set[str] = set()
    pending = [name + SUFFIX]
    while pending:
        file = pending.pop()
        if file in seen:
            continue
        seen.add(file)
        source = env.loader.get_source(env, file)[0]
        try:
            tree = env.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(f"prompt template {file} line {exc.lineno}: {exc.message}") from None
        needed |= meta.find_undeclared_variables(tree)
        pending.extend(f for f in meta.find_referenced_templates(tree) if f)
    return needed


def render(name: str, **variables: Any) -> str:
    """Render template ``name`` with ``variables``; unknown names and missing variables raise ConfigError."""
    import jinja2

    try:
        template = _environment().get_template(name + SUFFIX)
    except jinja2.TemplateNotFound:
        raise ConfigError(f"unknown prompt template {name!r}", f"templates: {', '.join(template_names())}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(f"prompt template {name!r} line {exc.lineno}: {exc.message}") from None
    try:
        return template.render(**variables).strip()
    except jinja2.UndefinedError as exc:
        raise ConfigError(f"prompt template {name!r}: {exc.message}", "pass every variable the template uses (see prompts/README.md)") from None
