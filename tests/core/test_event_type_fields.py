"""Event type fields of 2026-11-13: start_time_increment, before_buffer, after_buffer.

Create and update send exactly the declared fields, a second plan is empty, leaving them out
leaves them unmanaged, and export writes them so that the export plans to zero.
"""

from __future__ import annotations

from pathlib import Path

from reconciler.apply import Status
from reconciler.config import load_config
from reconciler.plan import Action
from tests.export.support import run
from tests.harness import Harness

FIELDS = """
members: [{email: alice@acme.example}, {email: dana@acme.example}]
event_types:
  - name: Intro Call
    owner: alice@acme.example
    start_time_increment: 15
    before_buffer: 10
    after_buffer: 5
  - name: Buffered Call
    owner: dana@acme.example
    duration: 60
    active: true
    start_time_increment: 720
    before_buffer: 180
    after_buffer: 0
"""


def test_buffers_and_increment_create_update_and_converge(harness: Harness) -> None:
    intro = harness.event_type_id("alice@acme.example", "Intro Call")
    plan, result, writes = harness.apply(harness.config(FIELDS))
    assert [(c.action, c.key) for c in plan.changes] == [
        (Action.UPDATE, "alice@acme.example/Intro Call"),
        (Action.CREATE, "dana@acme.example/Buffered Call"),
    ]
    # The sandbox's defaults (Calendly's): increment 30, buffers 0.
    assert [(f.path, f.old, f.new) for f in plan.changes[0].fields] == [
        ("start_time_increment", 30, 15),
        ("before_buffer", 0, 10),
        ("after_buffer", 0, 5),
    ]
    assert result.ok and [o.status for o in result.outcomes] == [Status.DONE, Status.DONE]
    created = harness.event_type_id("dana@acme.example", "Buffered Call")
    # Sorted: the two changes run in parallel.
    assert sorted(writes, key=str) == sorted([
        ("PATCH", f"/event_types/{intro}", {}, {
            "start_time_increment": 15, "before_buffer": 10, "after_buffer": 5,
        }),
        ("POST", "/event_types", {}, {
            "owner": harness.sandbox.user_uri("dana@acme.example"), "name": "Buffered Call",
            "duration": 60, "start_time_increment": 720, "before_buffer": 180,
            "after_buffer": 0, "active": True,
        }),
        # New event types arrive inactive whatever the body says: apply sets it again.
        ("PATCH", f"/event_types/{created}", {}, {"active": True}),
    ], key=str)  # fmt: skip
    assert harness.plan(harness.config(FIELDS)).changes == ()
    # Left out, they are unmanaged: the live values stay and are not a difference.
    plain = "members: [{email: alice@acme.example}]\nevent_types:\n"
    plain += "  - {name: Intro Call, owner: alice@acme.example, duration: 30}\n"
    assert harness.plan(harness.config(plain)).changes == ()


def test_export_writes_the_fields_and_plans_to_zero(harness: Harness, tmp_path: Path) -> None:
    harness.apply(harness.config(FIELDS))
    exported = run(harness.sandbox, "export", "-o", tmp_path / "export")
    assert exported.exit_code == 0, exported.stderr
    text = (tmp_path / "export" / "event-types.yaml").read_text("utf-8")
    assert (
        "  - name: Buffered Call\n    owner: dana@acme.example\n    duration: 60\n"
        "    start_time_increment: 720\n    before_buffer: 180\n    after_buffer: 0\n"
    ) in text
    config = load_config(tmp_path / "export")
    intro = next(e for e in config.event_types if e.name == "Intro Call")
    assert {k: intro.fields[k] for k in ("start_time_increment", "before_buffer")} == {
        "start_time_increment": 15,
        "before_buffer": 10,
    }
    assert harness.plan(config).changes == ()
