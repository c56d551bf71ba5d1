"""The text and JSON renderings of a plan with every action, pinned as golden files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

GOLDEN = Path(__file__).parent.parent / "golden" / "all_actions"


@pytest.fixture(autouse=True)
def in_golden_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN)  # so the plan names the config as a user would: config.yaml


def test_text_plan(run: Callable[..., Any], golden: Callable[[Any, str], None]) -> None:
    result = run("plan", "config.yaml")
    assert result.exit_code == 0, result.output
    golden(GOLDEN / "plan.txt", result.stdout)


def test_json_plan(run: Callable[..., Any], golden: Callable[[Any, str], None]) -> None:
    result = run("plan", "config.yaml", "--format", "json")
    assert result.exit_code == 0, result.output
    golden(GOLDEN / "plan.json", result.stdout)
    plan = json.loads(result.stdout)
    assert plan["format_version"] == "1"
    assert plan["summary"] == {"create": 2, "update": 2, "delete": 1, "replace": 1}
    assert "whsec-test-signing-key-42" not in result.stdout


def test_colour_only_when_asked(run: Callable[..., Any]) -> None:
    plain = run("plan", "config.yaml")
    coloured = run("plan", "config.yaml", "--color")
    assert "\x1b[" not in plain.stdout
    assert "\x1b[32m  + member quinn@acme.example\x1b[0m" in coloured.stdout
