"""Cross-reference checks that the golden cases cannot reach (tests/MUTATION.md).

Aspects: the time zone check trusts the system's zone list when there is one, and asks the
loader when there is none; group webhooks are told apart by their group, case included.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import ConfigError, crossref, load_config

ZONES = """
members: [{email: alice@acme.example}]
event_types:
  - name: A
    owner: alice@acme.example
    availability: {timezone: Europe/Paris, rules: []}
  - name: B
    owner: alice@acme.example
    availability: {timezone: Mars/Paris, rules: []}
  - name: C
    owner: alice@acme.example
    availability: {timezone: America/New_York, rules: []}
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_config([path], environ={})
    except ConfigError as exc:
        return [line.split(": ", 1)[1] for line in exc.lines()[:-1]]
    return []


def test_the_zone_list_decides_when_there_is_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crossref, "_zones", lambda: frozenset({"Europe/Paris"}))
    assert problems(tmp_path, ZONES) == [
        "event_types[1].availability.timezone: unknown time zone 'Mars/Paris'",
        "event_types[2].availability.timezone: unknown time zone 'America/New_York'",
    ]


def test_without_a_zone_list_the_loader_decides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crossref, "_zones", frozenset)
    assert problems(tmp_path, ZONES) == [
        "event_types[1].availability.timezone: unknown time zone 'Mars/Paris'"
    ]


def test_group_webhooks_differ_by_group_case_included(tmp_path: Path) -> None:
    hooks = "".join(
        f"  - {{url: https://h.example/x, scope: group, group: {g}, events: [invitee.created]}}\n"
        for g in ("Sales", "Support", "sales")
    )
    assert problems(tmp_path, "webhooks:\n" + hooks) == []
