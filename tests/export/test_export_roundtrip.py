"""Export → plan round trips: the promise "export, commit, plan → zero changes" (issue 5).

On the demo organization and on a generated one with hundreds of objects: the export loads with
zero problems (schemas and cross-references), plans to zero changes with --detailed-exitcode,
edits of one field plan as exactly that change, and a second export is byte-identical. Export
sends GET requests only.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reconciler.config import load_config
from reconciler.sandbox import Sandbox
from tests.export.support import big_fixture, make_sandbox, plan_json, run, writes


def export_to(sandbox: Sandbox, directory: Path, *args: str) -> dict[str, str]:
    result = run(sandbox, "export", "-o", directory, *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # data goes to files, progress to stderr
    return {
        p.relative_to(directory).as_posix(): p.read_text("utf-8")
        for p in sorted(directory.rglob("*.yaml"))
    }


def assert_no_changes(sandbox: Sandbox, *paths: Path) -> None:
    result = run(sandbox, "plan", *paths, "--detailed-exitcode")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "No changes. Calendly matches the configuration." in result.stdout


def edit(text: str, owner: str, name: str, field: str, value: str) -> str:
    """Change `field` of the event type `name` of `owner` in exported YAML text."""
    block = re.search(
        rf"^  - name: {re.escape(name)}\n    owner: {re.escape(owner)}\n(?:    .*\n|      .*\n)*",
        text,
        re.MULTILINE,
    )
    assert block is not None, f"{owner}/{name} not in the export"
    changed, n = re.subn(
        rf"^    {field}: .*$", f"    {field}: {value}", block.group(0), count=1, flags=re.M
    )
    assert n == 1
    return text[: block.start()] + changed + text[block.end() :]


# The demo organization ---------------------------------------------------------------------------


@pytest.mark.parametrize("split", ["kind", "owner"])
def test_demo_export_plans_to_zero(tmp_path: Path, split: str) -> None:
    sb = make_sandbox()
    files = export_to(sb, tmp_path / "config", "--split-by", split)
    config = load_config(tmp_path / "config")  # raises on any problem
    assert len(config.members) == 16  # 15 members and the pending invitation
    assert len(config.event_types) == 13  # every one-on-one event type; the group one is listed
    assert len(config.webhooks) == 3
    assert len(config.availability_schedules) == 16  # each member's default, and fatima's other
    if split == "kind":
        assert list(files) == [
            "availability-schedules.yaml",
            "event-types.yaml",
            "members.yaml",
            "webhooks.yaml",
        ]
    else:
        assert "owners/alice@acme.example.yaml" in files
        assert "owners/dana@acme.example.yaml" in files  # event types and her user webhook
        assert "user: dana@acme.example" in files["owners/dana@acme.example.yaml"]
    assert_no_changes(sb, tmp_path / "config")
    assert writes(sb) == []


def test_demo_export_to_stdout_is_one_document_that_plans_to_zero(tmp_path: Path) -> None:
    sb = make_sandbox()
    result = run(sb, "export")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\nversion: 1\n") == 1
    assert "# yaml-language-server" not in result.stdout  # no location: no schema path
    path = tmp_path / "org.yaml"
    path.write_text(result.stdout, "utf-8")
    load_config(path)
    assert_no_changes(sb, path)
    assert result.stderr.startswith("Reading the whole Calendly organization…\n")
    assert (
        "Exported the organization: 16 members, 13 event types, 16 availability schedules, "
        "3 webhook subscriptions"
    ) in result.stderr


def test_demo_export_is_byte_identical_the_second_time(tmp_path: Path) -> None:
    sb = make_sandbox()
    first = run(sb, "export").stdout
    assert first and run(sb, "export").stdout == first
    assert export_to(sb, tmp_path / "a") == export_to(sb, tmp_path / "b")


def test_demo_edit_one_field_plans_exactly_that_change(tmp_path: Path) -> None:
    sb = make_sandbox()
    files = export_to(sb, tmp_path / "config")
    path = tmp_path / "config" / "event-types.yaml"
    edited = edit(files["event-types.yaml"], "dana@acme.example", "Product Demo", "duration", "50")
    path.write_text(edited, "utf-8")
    plan = plan_json(sb, tmp_path / "config")
    assert plan["summary"] == {"create": 0, "update": 1, "delete": 0, "replace": 0}
    assert plan["warnings"] == []
    [change] = plan["changes"]
    assert {k: change[k] for k in ("kind", "action", "key", "before", "after", "fields")} == {
        "kind": "event_type",
        "action": "update",
        "key": "dana@acme.example/Product Demo",
        "before": {"duration": 45},
        "after": {"duration": 50},
        "fields": [{"path": "duration", "old": 45, "new": 50}],
    }
    assert [(r["method"], r["body"]) for r in change["requests"]] == [("PATCH", {"duration": 50})]


# A generated organization with hundreds of objects -----------------------------------------------


@pytest.fixture(scope="module")
def big() -> Sandbox:
    return make_sandbox(big_fixture())


@pytest.fixture(scope="module")
def big_export(big: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("big") / "config"
    export_to(big, directory)
    return directory


def test_big_export_loads_and_has_everything(big_export: Path) -> None:
    fixture = big_fixture()
    solo = [t for t in fixture["event_types"] if t.get("kind", "solo") == "solo"]
    keys = {(t["owner"], t["name"]) for t in solo}
    assert (len(fixture["event_types"]), len(solo), len(keys)) == (450, 439, 429)
    config = load_config(big_export)
    assert len(config.members) == 332  # 320 members and 12 pending invitations
    assert len(config.event_types) == 429  # one per (owner, name); the 10 twins are comments
    assert len(config.webhooks) == 14  # 15 - the disabled one, as a comment
    users = fixture["users"]
    assert len(config.availability_schedules) == len(users) + sum(
        len(u.get("schedules", ())) for u in users
    )
    assert sum(1 for e in config.event_types if e.uuid) == 10  # the duplicates, pinned
    assert any(e.fields["active"] is False for e in config.event_types)
    assert sum(1 for e in config.event_types if e.availability is not None) == 429
    text = (big_export / "event-types.yaml").read_text("utf-8")
    assert text.count("\n  # - name: ") == 10  # each duplicate's twin, commented out
    assert text.count("group event type (") == 11
    assert "signing_key: $" not in (big_export / "webhooks.yaml").read_text("utf-8").replace(
        "# signing_key: $", ""
    )


def test_big_export_plans_to_zero_with_detailed_exitcode(big: Sandbox, big_export: Path) -> None:
    assert_no_changes(big, big_export)


def test_big_export_edit_one_field_plans_exactly_that_change(
    big: Sandbox, big_export: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    for path in big_export.iterdir():
        (config / path.name).write_text(path.read_text("utf-8"), "utf-8")
    events = config / "event-types.yaml"
    target = big_fixture()["event_types"][100]  # one-on-one, no twin
    owner, name, old = target["owner"], target["name"], target["duration"]
    edited = edit(events.read_text("utf-8"), owner, name, "duration", str(old + 5))
    events.write_text(edited, "utf-8")
    plan = plan_json(big, config)
    assert plan["summary"] == {"create": 0, "update": 1, "delete": 0, "replace": 0}
    [change] = plan["changes"]
    assert (change["kind"], change["action"], change["key"]) == (
        "event_type",
        "update",
        f"{owner}/{name}",
    )
    assert change["fields"] == [{"path": "duration", "old": old, "new": old + 5}]


def test_big_export_is_byte_identical_the_second_time(
    big: Sandbox, big_export: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    files = export_to(big, again)
    assert files == {
        p.relative_to(big_export).as_posix(): p.read_text("utf-8")
        for p in sorted(big_export.rglob("*.yaml"))
    }
    by_owner = export_to(big, tmp_path / "owners", "--split-by", "owner")
    fixture = big_fixture()
    owners = {t["owner"] for t in fixture["event_types"]}
    owners |= {h["user"] for h in fixture["webhooks"] if h["scope"] == "user"}
    owners |= {u["email"] for u in fixture["users"]}  # each has availability schedules
    assert sorted(by_owner) == sorted(
        ["members.yaml", "webhooks.yaml", *(f"owners/{o}.yaml" for o in owners)]
    )
    # The same entries as the split by kind (the demo test plans a split by owner to zero).
    entries = re.compile(r"^  (?:# )?- .*$", re.MULTILINE)
    assert sorted(m for text in by_owner.values() for m in entries.findall(text)) == sorted(
        m for text in files.values() for m in entries.findall(text)
    )
    assert writes(big) == []
