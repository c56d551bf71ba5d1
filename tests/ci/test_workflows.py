"""The example GitHub Actions workflows: valid for GitHub, least privilege, the action used.

Each file is checked against GitHub's workflow JSON schema as vendored by check-jsonschema (and
by actionlint in `make test` where it is installed), and the points that matter are asserted
one by one. What runs the tool is the repository's own action (action.yml, tests/ci/
test_action.py runs its script with a stand-in tool).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.ci.workflows import WORKFLOWS, load, step, steps

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


ACTION = "your-org/calendly-reconciler@v0.1.0"


def _action_step(workflow: dict[str, Any]) -> dict[str, Any]:
    (found,) = [s for s in steps(workflow) if s.get("uses", "").startswith("your-org/")]
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_actions_pinned_and_the_tool_from_its_repository(path: Path) -> None:
    workflow = load(path)
    uses = [s["uses"] for s in steps(workflow) if "uses" in s]
    for action in uses:
        _, _, version = action.partition("@")
        assert re.fullmatch(r"v\d+(\.\d+\.\d+)?", version), action  # a pinned version
    assert ACTION in uses  # this repository's action: installs from it, not from an index
    assert not any("pip install" in s.get("run", "") for s in steps(workflow))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_token_only_given_to_the_action(path: Path) -> None:
    workflow = load(path)
    assert "CALENDLY_TOKEN" not in workflow.get("env", {})
    action = _action_step(workflow)
    assert action["with"]["calendly-token"] == "${{ secrets.CALENDLY_TOKEN }}"
    for item in steps(workflow):
        assert "CALENDLY_TOKEN" not in item.get("env", {}), item.get("name")
        if item is not action:
            assert "calendly-token" not in item.get("with", {})


@pytest.mark.parametrize(
    ("name", "signing_keys"),
    [("calendly-plan.yml", True), ("calendly-apply.yml", True), ("calendly-drift.yml", False)],
)
def test_signing_keys_reach_plan_and_apply(name: str, signing_keys: bool) -> None:
    env = _action_step(load(WORKFLOWS / name)).get("env", {})
    if signing_keys:
        assert env == {"ACME_BOOKINGS_SIGNING_KEY": "${{ secrets.ACME_BOOKINGS_SIGNING_KEY }}"}
    else:  # drift compares; it never sends a signing key
        assert env == {}


def test_plan_workflow() -> None:
    workflow = load(WORKFLOWS / "calendly-plan.yml")
    assert list(workflow["on"]) == ["pull_request"]
    plan = step(workflow, "Plan")
    assert plan["id"] == "plan"
    assert plan["with"]["command"] == "plan"
    assert plan["with"]["base"] == "${{ github.event.pull_request.base.sha }}"
    assert workflow["jobs"]["plan"]["steps"][0]["with"]["fetch-depth"] == 0
    assert step(workflow, "Upload the JSON plan")["with"]["path"] == "plan.json"
    # Only an error fails the job; 2 (changes) is a normal outcome.
    assert step(workflow, "Fail if the plan failed")["if"] == "steps.plan.outputs.exitcode == '1'"


def test_apply_workflow() -> None:
    workflow = load(WORKFLOWS / "calendly-apply.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["concurrency"] == {"group": "calendly-apply", "cancel-in-progress": False}
    assert step(workflow, "Apply")["with"]["command"] == "apply"
    assert step(workflow, "Upload the outcome of each change")["with"]["path"] == "apply.json"
    assert step(workflow, "Fail if the apply failed")["if"] == (
        "steps.apply.outputs.exitcode != '0'"
    )


def test_drift_workflow() -> None:
    workflow = load(WORKFLOWS / "calendly-drift.yml")
    assert workflow["on"]["schedule"] == [{"cron": "17 5 * * *"}]
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["env"]["LABEL"] == "calendly-drift"
    assert step(workflow, "Look for drift")["with"]["command"] == "drift"
    issue = step(workflow, "Open, update or close the drift issue")
    assert issue["if"] == (
        "steps.drift.outputs.exitcode == '0' || steps.drift.outputs.exitcode == '2'"
    )
    script = issue["with"]["script"]
    assert 'state: "closed"' in script and "issues.create(" in script
    assert "labels: [label]" in script
    assert 'fs.readFileSync("drift.md", "utf8")' in script  # the action's report file
    failing = step(workflow, "Fail if the drift check failed")
    assert failing["if"] == "steps.drift.outputs.exitcode == '1'"


def test_readme_explains_each_workflow_and_the_secret() -> None:
    readme = (WORKFLOWS / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"`{name}`" in readme
    assert "`CALENDLY_TOKEN`" in readme
    assert "`ACME_BOOKINGS_SIGNING_KEY`" in readme  # the signing-key secrets
    assert "action.yml" in readme
