"""The Markdown plan (render/markdown.py): layout, origins and attribution, pinned as golden files.

Cutting to size is in test_markdown_cut.py, escaping in test_markdown_escaping.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.plan import Plan
from reconciler.render import RENDERERS, markdown
from tests.render.plans import ORG, event_type_update, member_invite, mixed, webhook_replace

HERE = Path(__file__).parent / "golden"
ALL_ACTIONS = Path(__file__).parent.parent / "golden" / "all_actions"
Golden = Callable[[Any, str], None]


def test_all_actions_plan(
    run: Callable[..., Any], golden: Golden, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ALL_ACTIONS)  # the plan names the config as a user would: config.yaml
    result = run("plan", "config.yaml", "--format", "markdown", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    golden(HERE / "all_actions.md", result.stdout)
    assert "whsec-test-signing-key-42" not in result.stdout
    lines = result.stdout.splitlines()
    # The summary, then the warnings, before any change.
    assert lines.index("#### Warnings") < lines.index("#### Changes")
    assert (
        lines[4] == "**Plan: 2 to create, 2 to update, 1 to delete, 1 to replace (7 API calls).**"
    )


def test_no_changes() -> None:
    plan = Plan.build([], organization=ORG)
    assert markdown.render(plan) == (
        "### Calendly plan\n\n"
        f"Organization: `{ORG}`\n\n"
        "**No changes.** Calendly matches the configuration.\n"
    )


def test_no_changes_still_shows_warnings_and_unmanaged() -> None:
    plan = Plan.build(
        [], warnings=["member a@acme.example: role differs"], unmanaged={"member": ["b@x.example"]}
    )
    assert markdown.render(plan, title="Calendly drift report") == (
        "### Calendly drift report\n\n"
        "**No changes.** Calendly matches the configuration.\n\n"
        "#### Warnings\n\n"
        "Read these before applying:\n\n"
        "- member a@acme.example: role differs\n\n"
        "<details><summary>Unmanaged: 1 object in Calendly not in the configuration, left alone"
        "</summary>\n\n"
        "- member (1): `b@x.example`\n\n"
        "</details>\n"
    )


def origins_plan() -> Plan:
    """A `plan --base` result: two changes made by the pull request, three drifted objects."""
    return Plan.build(
        [
            member_invite(1, origin="change"),
            event_type_update(2, origin="change"),
            event_type_update(
                3,
                origin="drift",
                attribution={
                    "by": "ben@acme.example",
                    "at": "2026-11-21T10:42:00Z",
                    "source": "activity_log",
                },
            ),
            event_type_update(
                4,
                origin="drift",
                attribution={"at": "2026-11-20T08:00:00Z", "source": "updated_at"},
            ),
            webhook_replace(5, origin="drift"),  # the API could not say who or when
        ],
        warnings=["this config change makes 1 drifted object match Calendly as it is"],
        organization=ORG,
    )


def test_origins_split_the_report(golden: Golden) -> None:
    text = markdown.render(origins_plan())
    golden(HERE / "origins.md", text)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "### Calendly plan",
        "#### Warnings",
        "#### Changes in this pull request",
        "#### Drift already in Calendly",
    ]
    assert "2 changes in this pull request, 3 changes undoing drift already in Calendly." in text
    assert (
        "  - changed in Calendly by `ben@acme.example` at `2026-11-21T10:42:00Z` (activity log)\n"
        in text
    )
    assert (
        "  - changed in Calendly at `2026-11-20T08:00:00Z` (last update time); "
        "who made the change is not known\n" in text
    )
    assert "  - changed in Calendly; who made the change is not known\n" in text


def test_a_drift_report_has_no_pull_request_section() -> None:
    plan = Plan.build([event_type_update(1, origin="drift")])
    text = markdown.render(plan, title="Calendly drift report")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == ["### Calendly drift report", "#### Drift already in Calendly"]
    assert "in this pull request" not in text


def test_no_drift_with_a_base_says_none() -> None:
    text = markdown.render(Plan.build([member_invite(1, origin="change")]))
    assert "#### Drift already in Calendly\n\n" in text
    assert text.endswith("this repository. Apply reverts these.\n\nNone.\n")


def test_availability_without_before_shows_every_value() -> None:
    text = markdown.render(mixed(1, warnings=0, unmanaged=0))
    assert (
        "- `~` `host0@acme.example/Event 0000` will be replaced · `config/event-types.yaml:6`\n"
        '  - `timezone`: `"Europe/Paris"`\n'
        "  - `rules.monday`: `09:00-12:00, 13:00-17:00`\n"
        "  - `rules.saturday`: `unavailable`\n"
        "  - API call: `PATCH /event_type_availability_schedules?event_type=<known after apply: "
        "event_type host0/E0>`\n"
    ) in text


def test_deterministic_whatever_the_input_order() -> None:
    plan = mixed(20)
    shuffled = list(plan.changes)
    random.Random(4).shuffle(shuffled)
    again = Plan.build(
        shuffled, warnings=reversed(plan.warnings), unmanaged=plan.unmanaged, organization=ORG
    )
    assert markdown.render(again) == markdown.render(plan)
    assert markdown.render(again, limit=3000) == markdown.render(plan, limit=3000)


def test_color_is_accepted_and_ignored() -> None:
    plan = mixed(2)
    assert markdown.render(plan, color=True) == markdown.render(plan)


def test_registered_for_plan_format() -> None:
    assert RENDERERS["markdown"] is markdown.render
