"""``perfforge ci init``: the GitHub Actions workflow that runs ``perfforge ci``.

The text is ``templates/workflow.yml.j2`` (``[[ ]]`` / ``[% %]`` delimiters, so GitHub's
``${{ }}`` expressions pass through untouched).  Its safety properties are stated in the
file's header and checked by tests/agent/ci/test_workflow.py.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_validator

from perfforge.errors import ConfigError

WORKFLOW_PATH = ".github/workflows/perfforge.yml"
TEMPLATES = Path(__file__).with_name("templates")


class WorkflowOptions(BaseModel):
    branch: str = Field("main", description="the default branch: pushes to it propose")
    python: str = "3.11"
    install: str = Field("pip install", description="the command perfforge's package name is appended to")
    cron: str = "17 3 * * 1"
    model: str | None = Field(None, description="litellm model string; None: the embedded offline model")
    model_secret: str | None = Field(None, description="the repository secret holding the model's API key")
    bot: str = "github-actions[bot]"
    max_functions: int = Field(3, ge=1, le=50)

    @field_validator("branch", "model", "model_secret", "python", "cron")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        # values land inside YAML and shell lines: keep them to characters that cannot break out
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_./:*@ -]+", value):
            raise ValueError(f"{value!r} holds characters a workflow value may not have")
        return value


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
                              variable_start_string="[[", variable_end_string="]]",
                              block_start_string="[%", block_end_string="%]",
                              comment_start_string="[#", comment_end_string="#]")


def render_workflow(options: WorkflowOptions) -> str:
    return _environment().get_template("workflow.yml.j2").render(**options.model_dump())


def write_workflow(repo_root: Path, options: WorkflowOptions, *, force: bool = False) -> Path:
    path = repo_root / WORKFLOW_PATH
    if path.exists() and not force:
        raise ConfigError(f"{path} exists already", hint="pass --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_workflow(options))
    return path
