"""The example GitHub Actions workflows: valid for GitHub, least privilege, exit codes right.

actionlint cannot be installed here, so each file is checked against GitHub's workflow JSON
schema as vendored by check-jsonschema, and the points that matter are asserted one by one.
The shell steps that interpret exit codes are run for real, with a stand-in for the tool.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import click
import jsonschema
import pytest

from reconciler.cli import cli
from tests.ci.workflows import WORKFLOWS, invocations, load, step, steps

builtin_schemas = pytest.importorskip("check_jsonschema.builtin_schemas")

FILES = sorted(WORKFLOWS.glob("*.yml"))
NAMES = ["calendly-apply.yml", "calendly-drift.yml", "calendly-plan.yml"]


def test_the_three_workflows_exist() -> None:
    assert [f.name for f in FILES] == NAMES


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_valid_against_github_workflow_schema(path: Path) -> None:
    schema = builtin_schemas.get_builtin_schema("vendor.github-workflows")
    validator = jsonschema.Draft7Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(load(path))]
    assert errors == []


def test_the_schema_catches_mistakes() -> None:
    """The check above is not vacuous: a misspelt key and a wrong type are errors."""
    schema = builtin_schemas.get_builtin_schema("vendor.github-workflows")
    broken = load(WORKFLOWS / "calendly-apply.yml")
    broken["concurency"] = broken.pop("concurrency")
    broken["permissions"]["contents"] = "readonly"
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(broken))) == 2


@pytest.mark.parametrize(
    ("name", "writes"),
    [("calendly-plan.yml", {"pull-requests"}), ("calendly-apply.yml", set()),
     ("calendly-drift.yml", {"issues"})],
)  # fmt: skip
def test_least_privilege(name: str, writes: set[str]) -> None:
    workflow = load(WORKFLOWS / name)
    permissions = workflow["permissions"]
    assert permissions["contents"] == "read"
    assert {scope for scope, level in permissions.items() if level == "write"} == writes
    assert all("permissions" not in job for job in workflow["jobs"].values())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_actions_pinned_and_tool_installed(path: Path) -> None:
    workflow = load(path)
    uses = [s["uses"] for s in steps(workflow) if "uses" in s]
    assert uses, path.name
    for action in uses:
        _, _, version = action.partition("@")
        assert version in {"v4", "v5", "v7"}, action  # a pinned major version
    assert "actions/setup-python@v5" in uses
    assert step(workflow, "Install calendly-reconciler")["run"] == (
        'python -m pip install "$RECONCILER"'
    )


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_token_only_where_calendly_is_called(path: Path) -> None:
    workflow = load(path)
    assert "CALENDLY_TOKEN" not in workflow.get("env", {})
    for item in steps(workflow):
        env = item.get("env", {})
        calls_calendly = any(
            words[0] in {"plan", "apply", "drift"} for words in invocations(item.get("run", ""))
        )
        if calls_calendly:
            assert env["CALENDLY_TOKEN"] == "${{ secrets.CALENDLY_TOKEN }}", item["name"]
        else:
            assert "CALENDLY_TOKEN" not in env, item.get("name")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_invocation_matches_the_cli(path: Path) -> None:
    """Options in the workflows exist, and choices are valid, in the CLI as it is."""
    for item in steps(load(path)):
        for words in invocations(item.get("run", "")):
            command = cli.commands[words[0]]
            options = {o: p for p in command.params for o in [*p.opts, *p.secondary_opts]}
            for i, word in enumerate(words):
                if word.startswith("--"):
                    assert word in options, f"{path.name}: {words[0]} {word}"
                    param = options[word]
                    if isinstance(param.type, click.Choice):
                        assert words[i + 1] in param.type.choices, words


def test_plan_workflow() -> None:
    workflow = load(WORKFLOWS / "calendly-plan.yml")
    assert list(workflow["on"]) == ["pull_request"]
    (validate,) = invocations(step(workflow, "Validate")["run"])
    assert validate == ["validate", "$CONFIG_DIR", "--format", "github"]
    plan = step(workflow, "Plan")
    (words,) = invocations(plan["run"])
    assert words[:2] == ["plan", "$CONFIG_DIR"]
    assert {"--detailed-exitcode", "--format", "markdown", "--out", "plan.json"} <= set(words)
    assert step(workflow, "Upload the JSON plan")["with"]["path"] == "plan.json"
    comment = step(workflow, "Comment on the pull request")
    assert comment["uses"] == "actions/github-script@v7"
    assert comment["if"] == "always() && steps.plan.outputs.exitcode != ''"
    script = comment["with"]["script"]
    assert 'const marker = "<!-- calendly-reconciler:plan -->";' in script
    assert "updateComment" in script and "createComment" in script
    # Only an error fails the job; 2 (changes) is a normal outcome.
    assert step(workflow, "Fail if the plan failed")["if"] == "steps.plan.outputs.exitcode == '1'"


def test_apply_workflow() -> None:
    workflow = load(WORKFLOWS / "calendly-apply.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["concurrency"] == {"group": "calendly-apply", "cancel-in-progress": False}
    (words,) = invocations(step(workflow, "Apply")["run"])
    assert words[:3] == ["apply", "$CONFIG_DIR", "--auto-approve"]


def test_drift_workflow() -> None:
    workflow = load(WORKFLOWS / "calendly-drift.yml")
    assert workflow["on"]["schedule"] == [{"cron": "17 5 * * *"}]
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["env"]["LABEL"] == "calendly-drift"
    (words,) = invocations(step(workflow, "Look for drift")["run"])
    assert words == ["drift", "$CONFIG_DIR", "--format", "markdown"]
    issue = step(workflow, "Open, update or close the drift issue")
    assert issue["if"] == (
        "steps.drift.outputs.exitcode == '0' || steps.drift.outputs.exitcode == '2'"
    )
    script = issue["with"]["script"]
    assert 'state: "closed"' in script and "issues.create(" in script
    assert "labels: [label]" in script
    failing = step(workflow, "Fail if the drift check failed")
    assert failing["if"] == "steps.drift.outputs.exitcode == '1'"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(
    ("name", "step_name", "output"),
    [
        ("calendly-plan.yml", "Plan", "plan.md"),
        ("calendly-drift.yml", "Look for drift", "drift.md"),
    ],
)
@pytest.mark.parametrize("code", [0, 1, 2])
def test_exit_codes_are_recorded_not_failed(
    tmp_path: Path, name: str, step_name: str, output: str, code: int
) -> None:
    """The step runs as GitHub runs it (bash -e -o pipefail) with a stand-in tool."""
    workflow = load(WORKFLOWS / name)
    fake = tmp_path / "bin" / "calendly-reconciler"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\necho '### report'\nexit {code}\n", encoding="utf-8")
    fake.chmod(0o755)
    outputs, summary = tmp_path / "output", tmp_path / "summary"
    env = {
        **os.environ,
        "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        "CONFIG_DIR": "config/",
        "BASE_SHA": "0" * 40,
    }
    script = step(workflow, step_name)["run"]
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert outputs.read_text(encoding="utf-8") == f"exitcode={code}\n"
    assert (tmp_path / output).read_text(encoding="utf-8") == "### report\n"
    shown = summary.read_text(encoding="utf-8") if summary.exists() else ""
    reported = code == 2 if name == "calendly-drift.yml" else code != 1
    assert shown == ("### report\n" if reported else "")


def test_readme_explains_each_workflow_and_the_secret() -> None:
    readme = (WORKFLOWS / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"`{name}`" in readme
    assert "`CALENDLY_TOKEN`" in readme
