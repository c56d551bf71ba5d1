"""Text rendering of values that come from outside: control characters are shown, not sent."""

from __future__ import annotations

from reconciler.plan import Action, Change, Plan
from reconciler.render.text import clean, render


def test_control_characters_in_names_never_reach_the_terminal() -> None:
    hostile = "alice@acme.example/Intro\x1b[2J\x1b[31mCall\r\n"
    plan = Plan.build(
        [Change("event_type", Action.CREATE, hostile, {}, {"name": hostile})],
        warnings=[f"event_type {hostile}: something"],
        unmanaged={"event_type": [hostile]},
    )
    text = render(plan)
    assert "\x1b" not in text and "\r" not in text
    assert "  + event_type alice@acme.example/Intro\\x1b[2J\\x1b[31mCall\\r\\n" in text.splitlines()
    assert '      + name: "alice@acme.example/Intro\\u001b[2J\\u001b[31mCall\\r\\n"' in text


def test_clean_leaves_ordinary_text_alone() -> None:
    assert clean("Chloé's Partner Intro — 30 min") == "Chloé's Partner Intro — 30 min"
