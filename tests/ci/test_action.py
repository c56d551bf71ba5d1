"""The composite action (action.yml): valid for GitHub, installs from itself, exit codes right.

Its metadata is checked against GitHub's action schema (vendored by check-jsonschema); its
`Run` step is run for real by bash as GitHub runs it, with a stand-in for the tool, for each
command and exit code; its command lines are checked against the CLI as it is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest

from reconciler.cli import cli
from tests.ci.workflows import ROOT, invocations, load

builtin_schemas = pytest.importorskip("check_jsonschema.builtin_schemas")

ACTION = ROOT / "action.yml"


def _steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = load(ACTION)["runs"]["steps"]
    return steps


def _step(name: str) -> dict[str, Any]:
    (found,) = [s for s in _steps() if s.get("name") == name]
    return found


def test_valid_against_github_action_schema() -> None:
    schema = builtin_schemas.get_builtin_schema("vendor.github-actions")
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(load(ACTION))]
    assert errors == []
    assert load(ACTION)["runs"]["using"] == "composite"


def test_installs_this_repository_not_an_index() -> None:
    install = _step("Install calendly-reconciler")
    assert install["env"] == {"ACTION_PATH": "${{ github.action_path }}"}
    assert install["run"] == 'python -m pip install --quiet "$ACTION_PATH"'


def test_the_token_reaches_only_the_step_that_calls_calendly() -> None:
    for item in _steps():
        env = item.get("env", {})
        if item.get("name") == "Run":
            assert env["CALENDLY_TOKEN"] == "${{ inputs.calendly-token }}"
        else:
            assert "CALENDLY_TOKEN" not in env, item.get("name")


def test_every_invocation_matches_the_cli() -> None:
    """Options in the action exist, and choices are valid, in the CLI as it is."""
    found = 0
    for item in _steps():
        script = item.get("run", "").replace('${BASE:+--base "$BASE"}', "--base x")
        for words in invocations(script):
            found += 1
            command = cli.get_command(click.Context(cli), words[0])
            assert command is not None, words
            options = {o: p for p in command.params for o in [*p.opts, *p.secondary_opts]}
            for i, word in enumerate(words):
                if word.startswith("--"):
                    assert word in options, f"{words[0]} {word}"
                    param = options[word]
                    if isinstance(param.type, click.Choice):
                        assert words[i + 1] in param.type.choices, words
    assert found == 4  # validate, plan, apply, drift


def test_the_comment_is_one_sticky_comment() -> None:
    comment = _step("Comment on the pull request")
    assert comment["uses"] == "actions/github-script@v8"
    script = comment["with"]["script"]
    assert 'const marker = "<!-- calendly-reconciler:plan -->";' in script
    assert "updateComment" in script and "createComment" in script


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(
    ("command", "report", "summary_on"),
    [("plan", "plan.md", {0, 2}), ("drift", "drift.md", {0, 2}), ("apply", "apply.json", set())],
)
@pytest.mark.parametrize("code", [0, 1, 2])
def test_exit_codes_are_recorded_not_failed(
    tmp_path: Path, command: str, report: str, summary_on: set[int], code: int
) -> None:
    fake = tmp_path / "bin" / "calendly-reconciler"
    fake.parent.mkdir()
    fake.write_text(
        f'#!/bin/sh\necho "$@" > args\necho "### report"\nexit {code}\n', encoding="utf-8"
    )
    fake.chmod(0o755)
    outputs, summary = tmp_path / "output", tmp_path / "summary"
    env = {
        **os.environ,
        "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        "COMMAND": command,
        "CONFIG_DIR": "config/",
        "BASE": "0" * 40 if command == "plan" else "",
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _step("Run")["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert outputs.read_text(encoding="utf-8") == f"exitcode={code}\nreport={report}\n"
    assert (tmp_path / report).read_text(encoding="utf-8") == "### report\n"
    shown = summary.read_text(encoding="utf-8") if summary.exists() else ""
    assert shown == ("### report\n" if code in summary_on else "")
    args = (tmp_path / "args").read_text(encoding="utf-8").split()
    expected = {
        "plan": ["plan", "config/", "--base", "0" * 40, "--format", "markdown", "--out",
                 "plan.json", "--detailed-exitcode"],
        "apply": ["apply", "config/", "--auto-approve", "--no-color", "--format", "json"],
        "drift": ["drift", "config/", "--format", "markdown"],
    }  # fmt: skip
    assert args == expected[command]


def test_an_unknown_command_fails(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", _step("Run")["run"]],
        cwd=tmp_path,
        env={**os.environ, "COMMAND": "destroy", "GITHUB_OUTPUT": str(tmp_path / "o")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == "::error::command must be plan, apply or drift, not 'destroy'\n"
