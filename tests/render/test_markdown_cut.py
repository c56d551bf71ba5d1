"""Cutting the Markdown plan to size: never over `limit`, and every cut said where it happens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.plan import Plan
from reconciler.render import markdown
from reconciler.render.markdown import FULL_PLAN, size
from tests.render.plans import event_type_update, member_invite, mixed, webhook_replace

HERE = Path(__file__).parent / "golden"
NOTE = (
    "> [!NOTE]\n> This plan is too long for one comment, so some of it is left out; each part "
    f"left out is named where it would be. To see everything, {FULL_PLAN}."
)
UNMANAGED = (
    "Unmanaged: 45 objects in Calendly not in the configuration, left alone (event_type: 15, "
    f"member: 30); their names are not shown; {FULL_PLAN}."
)


def left_out(text: str) -> list[str]:
    """The lines that say what is not shown."""
    return [
        line
        for line in text.splitlines()
        if "not shown" in line and not line.startswith(">")  # the note at the top
    ]


def test_small_limit(golden: Callable[[Any, str], None]) -> None:
    plan = mixed(40, warnings=3)
    text = markdown.render(plan, limit=4_000)
    golden(HERE / "cut_4000.md", text)
    assert size(text) <= 4_000
    assert NOTE in text
    assert left_out(text) == [
        "Field details and API calls of member changes not shown.",
        f"… 36 more changes to member not shown; {FULL_PLAN}.",
        "Field details and API calls of event_type changes not shown.",
        f"… 36 more changes to event_type not shown; {FULL_PLAN}.",
        "Field details and API calls of availability changes not shown.",
        f"… 36 more changes to availability not shown; {FULL_PLAN}.",
        "Field details and API calls of webhook changes not shown.",
        f"… 36 more changes to webhook not shown; {FULL_PLAN}.",
        UNMANAGED,
    ]


def test_default_limit_with_thousands_of_changes() -> None:
    plan = mixed(750, warnings=40)  # 3,000 changes, ten times what fits
    text = markdown.render(plan)
    assert 64_000 < size(text) <= 65_000
    assert left_out(text) == [
        "Field details and API calls of member changes not shown.",
        f"… 609 more changes to member not shown; {FULL_PLAN}.",
        "Field details and API calls of event_type changes not shown.",
        f"… 609 more changes to event_type not shown; {FULL_PLAN}.",
        "Field details and API calls of availability changes not shown.",
        f"… 609 more changes to availability not shown; {FULL_PLAN}.",
        "Field details and API calls of webhook changes not shown.",
        f"… 609 more changes to webhook not shown; {FULL_PLAN}.",
        UNMANAGED,
    ]
    # The summary and the warnings are whole; each kind shows its first 141 changes.
    assert "**Plan: 750 to create, 1500 to update, 0 to delete, 750 to replace" in text
    assert "| **Total** | **750** | **1500** | **0** | **750** | **3000** |" in text
    assert all(f"- {warning}" in text for warning in plan.warnings)
    assert text.count("\n- `") == 4 * 141


def test_only_as_much_as_needed_is_left_out() -> None:
    plan = mixed(40, warnings=3)
    whole = markdown.render(plan, limit=10**9)
    assert markdown.render(plan, limit=size(whole)) == whole
    assert NOTE not in whole and left_out(whole) == []
    # Just under the whole size: only the names of unmanaged objects go.
    text = markdown.render(plan, limit=size(whole) - 1)
    assert left_out(text) == [UNMANAGED]
    # Then field details, largest section first (webhooks: two API calls and a reason each).
    text = markdown.render(plan, limit=30_000)
    assert left_out(text)[:2] == [
        "Field details and API calls of availability changes not shown.",
        "Field details and API calls of webhook changes not shown.",
    ]
    assert "  - `duration`: `30` → `45`" in text  # event types keep theirs


def test_drift_gives_way_before_the_pull_requests_changes() -> None:
    plan = Plan.build(
        [member_invite(n, origin="change") for n in range(5)]
        + [event_type_update(n, origin="drift") for n in range(200)]
    )
    text = markdown.render(plan, limit=8_000)
    assert size(text) <= 8_000
    assert left_out(text) == [
        "Field details and API calls of event_type changes not shown.",
        f"… 161 more changes to event_type not shown; {FULL_PLAN}.",
    ]
    pull_request = text[text.index("#### Changes in this pull request") :]
    assert pull_request.count("  - API call: `POST /organizations/ORG1/invitations`") == 5


def test_a_section_with_nothing_shown_becomes_one_line() -> None:
    plan = Plan.build(
        [webhook_replace(n, origin="change") for n in range(3)]
        + [event_type_update(n, origin="drift") for n in range(300)]
    )
    text = markdown.render(plan, limit=2_200)
    assert size(text) <= 2_200
    assert left_out(text) == [f"… 300 changes to event_type not shown; {FULL_PLAN}."]
    assert "<summary><b>event_type</b>" not in text
    assert text.count("  - API call: `DELETE /webhook_subscriptions/WH") == 3


def test_warnings_are_cut_only_when_they_alone_do_not_fit() -> None:
    plan = mixed(5, warnings=300, unmanaged=0)
    text = markdown.render(plan, limit=6_000)
    assert size(text) <= 6_000
    assert left_out(text) == [
        f"- … 213 more warnings not shown; {FULL_PLAN}.",
        f"… 5 changes to member not shown; {FULL_PLAN}.",
        f"… 5 changes to event_type not shown; {FULL_PLAN}.",
        f"… 5 changes to availability not shown; {FULL_PLAN}.",
        f"… 5 changes to webhook not shown; {FULL_PLAN}.",
    ]


@pytest.mark.parametrize("limit", [*range(0, 3_000, 97), *range(3_000, 45_000, 1_499)])
def test_never_over_the_limit(limit: int) -> None:
    plan = mixed(40, warnings=3)
    text = markdown.render(plan, limit=limit)
    assert size(text) <= limit
    if limit >= 1_700:  # room for the head, the note and the warnings: never cut
        assert "| **Total** | **40** | **80** | **0** | **40** | **160** |" in text
        assert all(f"- {warning}\n" in text for warning in plan.warnings)
        assert not text.endswith("\n…\n")


def test_characters_outside_the_bmp_count_twice() -> None:
    # GitHub counts UTF-16 code units: an emoji is two, so the cut makes room for both.
    plan = Plan.build([event_type_update(n, name="Call \U0001f4de" * 20) for n in range(100)])
    text = markdown.render(plan, limit=5_000)
    assert len(text.encode("utf-16-le")) // 2 <= 5_000
    assert len(text) < size(text)


def test_too_small_for_even_the_summary_is_truncated_not_over() -> None:
    text = markdown.render(mixed(3), limit=200)
    assert size(text) <= 200
    assert text.startswith("### Calendly plan\n")
    assert text.endswith("\n…\n")
    assert markdown.render(mixed(3), limit=2) == ""
