"""`export --unmanaged-only CONFIG`: only what the config does not declare, ready to adopt.

The exported objects are exactly those plan lists as unmanaged; written next to the config they
load with it and plan to zero changes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reconciler.config import load_config
from tests.export.support import DATA, make_sandbox, plan_json, run, writes


def test_unmanaged_export_adopts_what_the_config_leaves_out(tmp_path: Path) -> None:
    sb = make_sandbox()
    full = tmp_path / "full"
    assert run(sb, "export", "-o", full).exit_code == 0
    config = tmp_path / "config"
    config.mkdir()
    members = (full / "members.yaml").read_text("utf-8")
    members = members.replace("  - {email: karan@acme.example, role: user}\n", "")
    members = members.replace("  - {email: nora@acme.example, role: user}\n", "")
    (config / "members.yaml").write_text(members, "utf-8")
    events = (full / "event-types.yaml").read_text("utf-8")
    intro = events[events.index("  - name: Intro Call\n") : events.index("\n\n  - name: Inv")]
    (config / "event-types.yaml").write_text(f"event_types:\n{intro}\n", "utf-8")
    before = plan_json(sb, config)
    assert before["changes"] == []

    result = run(sb, "export", "--unmanaged-only", config, "-o", config / "adopted")
    assert result.exit_code == 0, result.stderr
    combined = load_config(config)
    adopted = dataclasses.replace(
        combined,
        members=tuple(m for m in combined.members if "adopted" in m.source.file),
        event_types=tuple(e for e in combined.event_types if "adopted" in e.source.file),
    )
    assert sorted(m.email for m in adopted.members) == ["karan@acme.example", "nora@acme.example"]
    assert len(adopted.event_types) == 12  # 13 one-on-one event types, minus Intro Call
    assert len(adopted.webhooks) == 3  # plan does not read webhooks for this config
    # The config decides which organization it is for (members.yaml in the full export).
    assert "\norganization:" not in (config / "adopted" / "members.yaml").read_text("utf-8")
    text = (config / "adopted" / "event-types.yaml").read_text("utf-8")
    assert "ben@acme.example/Support Escalation: group event type (round_robin)" in text
    # Exactly what plan listed as unmanaged (the group event type as a comment).
    assert before["unmanaged"] == {
        "event_type": sorted(
            [f"{e.owner}/{e.name}" for e in adopted.event_types]
            + ["ben@acme.example/Support Escalation"]
        ),
        "member": ["karan@acme.example", "nora@acme.example"],
    }
    assert result.stderr.endswith(
        "Exported unmanaged objects: 2 members, 12 event types, 16 availability schedules, "
        "3 webhook subscriptions (1 read-only event type listed), to 4 files in "
        f"{config / 'adopted'}.\n"
    )
    after = plan_json(sb, config)
    assert after["changes"] == [] and after["warnings"] == []
    assert after["unmanaged"] == {"event_type": ["ben@acme.example/Support Escalation"]}
    assert writes(sb) == []


def test_unmanaged_duplicate_of_a_declared_event_type_is_only_a_comment(tmp_path: Path) -> None:
    sb = make_sandbox(DATA / "small-org.yaml")
    text = run(sb, "export").stdout
    config = tmp_path / "config"
    config.mkdir()
    declared = text[: text.index("\n\n  # Another event type")] + "\n"
    (config / "org.yaml").write_text(declared, "utf-8")
    result = run(sb, "export", "--unmanaged-only", config)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "organization:" not in out
    assert "members:" not in out  # all declared
    assert (
        '  # The config already declares an event type "Intro Call" of alice@small.example; this '
        "one (slug\n  # intro-call-1) has the same owner and name, so it is only a comment."
    ) in out
    assert "  # - name: Intro Call\n  #   owner: alice@small.example\n  #   uuid: RW766" in out
    (config / "adopted.yaml").write_text(out, "utf-8")
    assert sorted(e.name for e in load_config(config).event_types) == [
        "Intro Call",
        "Office Hours: Q&A #1",
        "yes",
    ]
    plan = plan_json(sb, config)
    assert plan["changes"] == []


def test_nothing_unmanaged(tmp_path: Path) -> None:
    fixture = {
        "organization": {"name": "Solo"},
        "users": [{"email": "only@solo.example", "name": "Only One", "role": "owner"}],
        "tokens": [{"name": "demo", "token": "solo-token", "user": "only@solo.example"}],
    }
    sb = make_sandbox(fixture)
    full = tmp_path / "full.yaml"
    full.write_text(run(sb, "export").stdout, "utf-8")
    result = run(sb, "export", "--unmanaged-only", full)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("version: 1\n\n# Nothing to export.\n")
    result = run(sb, "export", "--include-unmanaged", full, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "out").exists()
    assert result.stderr.endswith(
        "Nothing to export: the config declares everything Calendly has.\n"
    )


def test_unmanaged_only_with_an_invalid_config_fails_before_any_request(tmp_path: Path) -> None:
    sb = make_sandbox()
    (tmp_path / "bad.yaml").write_text("members:\n  - email: not-an-email\n", "utf-8")
    result = run(sb, "export", "--unmanaged-only", tmp_path / "bad.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "bad.yaml:2:12: members[0].email: 'not-an-email' is not a valid email" in result.stderr
    assert "Traceback" not in result.stderr
    assert sb.requests == []


def test_unmanaged_only_refuses_a_config_for_another_organization(tmp_path: Path) -> None:
    sb = make_sandbox()
    other = "https://api.calendly.com/organizations/SOMEONEELSE"
    (tmp_path / "org.yaml").write_text(f"organization: {other}\n", "utf-8")
    result = run(sb, "export", "--unmanaged-only", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: the config is for organization {other} ({tmp_path / 'org.yaml'}:1:15) but the "
        f"token belongs to {sb.org_uri}"
    )
    assert {r.method for r in sb.requests} == {"GET"}
