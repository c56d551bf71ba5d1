"""`.pre-commit-hooks.yaml`: a valid hook manifest whose hook validates the whole config."""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.ci.workflows import ROOT

MANIFEST = ROOT / ".pre-commit-hooks.yaml"

# pre-commit's manifest format (pre_commit/clientlib.py, MANIFEST_HOOK_DICT): a list of hooks;
# unknown keys are only warned about there, and are errors here, to catch typos.
STRINGS = "id name entry language files exclude description language_version log_file alias"
LISTS = "types types_or exclude_types args additional_dependencies stages"
FLAGS = "always_run fail_fast pass_filenames require_serial verbose"
HOOK_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["id", "name", "entry", "language"],
        "additionalProperties": False,
        "properties": {
            "minimum_pre_commit_version": {"type": "string"},
            **{key: {"type": "string"} for key in STRINGS.split()},
            **{key: {"type": "array", "items": {"type": "string"}} for key in LISTS.split()},
            **{key: {"type": "boolean"} for key in FLAGS.split()},
        },
    },
}

MEMBERS = "members:\n  - email: alice@acme.example\n"
EVENT_TYPES = (
    "event_types:\n  - name: Intro Call\n    owner: alice@acme.example\n    duration: 30\n"
)


def hook() -> dict[str, Any]:
    hooks = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    jsonschema.validate(hooks, HOOK_SCHEMA)
    (only,) = hooks
    assert isinstance(only, dict)
    return only


def test_manifest() -> None:
    assert hook() == {
        "id": "calendly-validate",
        "name": "calendly-reconciler validate",
        "description": "Check the Calendly config (YAML, schema, cross-file references) offline.",
        "entry": "calendly-reconciler validate",
        "args": ["config/"],
        "language": "python",
        "files": r"\.(ya?ml)$",
        "types": ["yaml"],
        "pass_filenames": False,
    }


def test_entry_is_the_installed_console_script() -> None:
    """`language: python` pip-installs this repository: the entry must be its script."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert shlex.split(hook()["entry"])[0] in project["project"]["scripts"]


@pytest.mark.parametrize(
    ("name", "matched"),
    [("config/a.yaml", True), ("b.yml", True), ("a.yaml.bak", False), ("notes.md", False)],
)
def test_files_pattern(name: str, matched: bool) -> None:
    # pre-commit matches `files` with re.search against the path from the repository root.
    assert bool(re.search(hook()["files"], name)) is matched


@pytest.fixture
def split_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config in two files: the event type's owner is declared in the other one."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "members.yaml").write_text(MEMBERS, encoding="utf-8")
    (tmp_path / "config" / "event-types.yaml").write_text(EVENT_TYPES, encoding="utf-8")
    return tmp_path


def test_the_hook_validates_the_whole_config(split_config: Path, run: Callable[..., Any]) -> None:
    # What pre-commit runs: the entry, then args, and no file names (pass_filenames: false).
    spec = hook()
    words = [*shlex.split(spec["entry"])[1:], *spec["args"]]
    result = run(*words)
    assert result.exit_code == 0, result.output
    assert result.stderr == "Valid: 1 member, 1 event type, 0 webhooks in 2 files.\n"


def test_why_not_the_changed_files_alone(split_config: Path, run: Callable[..., Any]) -> None:
    # With pass_filenames: true, a commit touching only event-types.yaml would run this.
    result = run("validate", "config/event-types.yaml")
    assert result.exit_code == 1
    assert "unknown owner 'alice@acme.example'" in result.stderr
