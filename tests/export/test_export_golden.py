"""The exported YAML of a small, fixed organization, pinned as golden files (--update-golden).

The organization (data/small-org.yaml) has every shape export meets: an email that needs no
quotes but has `'` and `+`, a mixed-case email, a pending invitation, two one-on-one event types
with the same owner and name, a name YAML 1.1 reads as a boolean, a multi-line description, a
location with `: ` and `#`, availability with an alias time zone, touching intervals, a past and
future dates, a group event type, and webhooks of every scope including a disabled one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from reconciler.config import load_config
from tests.export.support import DATA, make_sandbox, plan_json, run

Golden = Callable[[Any, str], None]


def test_small_org_export_matches_golden(golden: Golden, tmp_path: Path) -> None:
    sb = make_sandbox(DATA / "small-org.yaml")
    result = run(sb, "export")
    assert result.exit_code == 0, result.stderr
    golden(DATA / "small-org.expected.yaml", result.stdout)
    path = tmp_path / "small.yaml"
    path.write_text(result.stdout, "utf-8")
    config = load_config(path)
    assert [m.email for m in config.members] == [
        "alice@small.example",
        "carol@small.example",
        "dave@small.example",
        "o'brien+ops@small.example",
    ]
    assert [(e.owner, e.name, e.uuid is not None) for e in config.event_types] == [
        ("alice@small.example", "Intro Call", True),
        ("carol@small.example", "yes", False),
        ("o'brien+ops@small.example", "Office Hours: Q&A #1", False),
    ]
    assert all(w.signing_key is None for w in config.webhooks)


def test_small_org_split_by_owner_matches_golden(golden: Golden, tmp_path: Path) -> None:
    sb = make_sandbox(DATA / "small-org.yaml")
    result = run(sb, "export", "-o", tmp_path / "out", "--split-by", "owner")
    assert result.exit_code == 0, result.stderr
    files = sorted(p.relative_to(tmp_path / "out").as_posix() for p in tmp_path.rglob("*.yaml"))
    assert files == [
        "members.yaml",
        "owners/alice@small.example.yaml",
        "owners/carol@small.example.yaml",
        "owners/o_brien+ops@small.example.yaml",  # `'` is not safe in a file name
        "webhooks.yaml",
    ]
    text = "".join(
        f"==> {name} <==\n{(tmp_path / 'out' / name).read_text('utf-8')}" for name in files
    )
    golden(DATA / "small-org.by-owner.expected.txt", text)


def test_uncommenting_a_duplicate_and_renaming_it_plans_a_rename(tmp_path: Path) -> None:
    """What the note above a commented-out duplicate promises."""
    sb = make_sandbox(DATA / "small-org.yaml")
    text = run(sb, "export").stdout
    start = text.index("  # - name: Intro Call\n")
    end = text.index("\n\n", start)
    block = "\n".join(line.replace("  # ", "  ", 1) for line in text[start:end].split("\n"))
    block = block.replace("- name: Intro Call", "- name: Intro Call (long)", 1)
    path = tmp_path / "small.yaml"
    path.write_text(text[:start] + block + text[end:], "utf-8")
    plan = plan_json(sb, path)
    assert plan["summary"] == {"create": 0, "update": 1, "delete": 0, "replace": 0}
    [change] = plan["changes"]
    assert (change["kind"], change["key"], change["fields"]) == (
        "event_type",
        "alice@small.example/Intro Call (long)",
        [{"path": "name", "old": "Intro Call", "new": "Intro Call (long)"}],
    )
