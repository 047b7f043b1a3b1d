"""The workflow `perfforge ci init` writes, parsed and checked for the properties that keep it safe."""

from __future__ import annotations

import re

import pytest
import yaml

from agent.ci.workflow import WORKFLOW_PATH, WorkflowOptions, render_workflow, write_workflow
from perfforge.errors import ConfigError

VARIANTS = [WorkflowOptions(), WorkflowOptions(model="openai/gpt-4o-mini", model_secret="OPENAI_API_KEY",
                                               branch="trunk", max_functions=2)]


def _load(text: str) -> dict:
    data = yaml.safe_load(text)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _secrets_in(obj) -> list[str]:
    return re.findall(r"secrets\.[A-Za-z_]+", yaml.safe_dump(obj))


@pytest.mark.parametrize("options", VARIANTS)
def test_fork_pull_requests_run_without_secrets_and_only_dry_run(options):
    text = render_workflow(options)
    wf = _load(text)
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "pull_request_target" not in code and "pull_request_target" not in wf["on"]
    assert set(wf["on"]) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    assert wf["on"]["push"]["branches"] == [options.branch]  # perfforge/* pushes never trigger it
    assert wf["permissions"] == {}  # nothing unless a job asks
    pr_jobs = [j for j in wf["jobs"].values() if "github.event_name == 'pull_request'" in j["if"]]
    assert len(pr_jobs) == 1
    job = pr_jobs[0]
    assert job["permissions"] == {"contents": "read"}
    assert _secrets_in(job) == []
    commands = " ".join(step.get("run", "") for step in job["steps"])
    assert "perfforge ci --dry-run" in commands and "--json" in commands
    assert any(step.get("uses", "").startswith("actions/upload-artifact") for step in job["steps"])
    # untrusted names (branch refs) reach the shell through the environment, never through ${{ }} in run:
    for step in job["steps"]:
        assert "${{" not in step.get("run", "")


@pytest.mark.parametrize("options", VARIANTS)
def test_proposals_only_on_trusted_events_with_minimal_permissions(options):
    wf = _load(render_workflow(options))
    jobs = [j for j in wf["jobs"].values() if "github.event_name != 'pull_request'" in j["if"]]
    assert len(jobs) == 1
    job = jobs[0]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    expected = {"secrets.GITHUB_TOKEN"} | ({f"secrets.{options.model_secret}"} if options.model_secret else set())
    assert set(_secrets_in(wf)) == expected  # secrets appear in this job and nowhere else
    assert set(_secrets_in(job)) == expected
    run = [s for s in job["steps"] if "perfforge ci" in s.get("run", "")][0]
    assert "--dry-run" not in run["run"]
    assert run["env"]["PERFFORGE_GITHUB_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}"
    assert (f"--model '{options.model}'" in run["run"]) == bool(options.model)


@pytest.mark.parametrize("options", VARIANTS)
def test_no_retrigger_on_its_own_work_and_no_stored_credentials(options):
    wf = _load(render_workflow(options))
    for job in wf["jobs"].values():
        condition = job["if"]
        assert "startsWith(github.head_ref, 'perfforge/')" in condition or \
            "startsWith(github.ref_name, 'perfforge/')" in condition
        assert f"github.actor != '{options.bot}'" in condition
        checkout = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout")][0]
        assert checkout["with"]["persist-credentials"] is False
        assert checkout["with"]["fetch-depth"] == 0
    assert "!contains(github.event.head_commit.message, '[perfforge]')" in wf["jobs"]["propose"]["if"]


def test_init_writes_once_and_refuses_unsafe_values(tmp_path):
    path = write_workflow(tmp_path, WorkflowOptions())
    assert path == tmp_path / WORKFLOW_PATH and path.read_text().startswith("# perfforge")
    with pytest.raises(ConfigError, match="exists already"):
        write_workflow(tmp_path, WorkflowOptions())
    write_workflow(tmp_path, WorkflowOptions(branch="develop"), force=True)
    assert "develop" in path.read_text()
    with pytest.raises(ValueError):
        WorkflowOptions(branch="main\n  evil: ${{ secrets.X }}")
