"""`validate --format github`: one GitHub Actions `::error` workflow command per problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli.validate import annotation
from reconciler.config.problems import Problem

MEMBERS = "members:\n  - email: alice@acme.example\n"
EVENT_TYPES = """\
event_types:
  - name: Intro Call
    owner: alice@acme.example
    duration: 30
  - name: Demo
    owner: bob@acme.example
    duration: 45
"""
WEBHOOKS = """\
webhooks:
  - url: http://hooks.acme.example/x
    scope: organization
    events: [invitee.created]
"""
OWNER = (
    "event_types[1].owner: unknown owner 'bob@acme.example' (an event type's owner must be "
    "declared in members)"
)
HTTPS = (
    "webhooks[0].url: webhook URLs must use https:// (plain http:// is only accepted for "
    "loopback hosts, with --allow-insecure-webhooks)"
)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # problems name files as the user gave them: config/…
    root = tmp_path / "config"
    root.mkdir()
    (root / "members.yaml").write_text(MEMBERS, encoding="utf-8")
    (root / "event-types.yaml").write_text(EVENT_TYPES, encoding="utf-8")
    return root


def test_one_annotation_per_problem(config: Path, run: Callable[..., Any]) -> None:
    (config / "hooks, old.yml").write_text(WEBHOOKS, encoding="utf-8")
    result = run("validate", "config", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"::error file=config/event-types.yaml,line=6,col=12,title=calendly-reconciler::{OWNER}",
        f"::error file=config/hooks%2C old.yml,line=2,col=10,title=calendly-reconciler::{HTTPS}",
    ]
    assert result.stderr == "2 problems in 2 files\n"


def test_text_format_is_unchanged(config: Path, run: Callable[..., Any]) -> None:
    result = run("validate", "config")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"config/event-types.yaml:6:12: {OWNER}\n1 problem in 1 file\n"


def test_valid_config_prints_as_text_does(config: Path, run: Callable[..., Any]) -> None:
    (config / "event-types.yaml").write_text(EVENT_TYPES.replace("bob@", "alice@"), "utf-8")
    result = run("validate", "config", "--format", "github")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "Valid: 1 member, 2 event types, 0 webhooks in 2 files.\n"
    assert run("validate", "config").stderr == result.stderr


def test_a_whole_file_problem_has_no_line(config: Path, run: Callable[..., Any]) -> None:
    result = run("validate", "config/members.yaml", "missing.yaml", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=missing.yaml,title=calendly-reconciler::no such file or directory\n"
    )


@pytest.mark.parametrize(
    ("problem", "command"),
    [
        (
            Problem("a:b,c%.yaml", 3, 0, "x", "100% sure\r\nreally"),
            "::error file=a%3Ab%2Cc%25.yaml,line=3,title=calendly-reconciler::x: 100%25 sure%0D%0A"
            "really",
        ),
        (
            Problem("(command line)", 0, 0, "", "no configuration paths given"),
            "::error title=calendly-reconciler::no configuration paths given",
        ),
        (
            Problem("c.yaml", 1, 1, "", "a: b, c :: d"),  # `:` and `,` are fine in the message
            "::error file=c.yaml,line=1,col=1,title=calendly-reconciler::a: b, c :: d",
        ),
    ],
)
def test_escaping(problem: Problem, command: str) -> None:
    assert annotation(problem) == command
