"""The corpus inputs too big to keep as files: each is generated, byte for byte the same."""

from __future__ import annotations

from collections.abc import Callable

ET = "members:\n  - email: a@acme.example\nevent_types:\n  - name: X\n    owner: a@acme.example\n"


def _members(n: int) -> str:
    return "members:\n" + "".join(
        f"  - {{email: not-an-email-{i}, role: nope}}\n" for i in range(n)
    )


#: name → text. The issue's hostile inputs first, then other ways to be big or slow.
GENERATED: dict[str, Callable[[], str]] = {
    "duration_5000_digits": lambda: ET + "    duration: " + "9" * 5000 + "\n",
    "float_hex_version": lambda: "version: !!float 0x" + "f" * 300 + "\n",
    "hex_version_100000_digits": lambda: "version: 0x" + "f" * 100_000 + "\n",
    "timezone_20kb": lambda: (
        ET + "    availability:\n      timezone: " + "Europe/Pariz" * 1700 + "\n      rules: []\n"
    ),
    "invalid_members_20000": lambda: _members(20_000),
    "overlapping_intervals_5000": lambda: (
        ET
        + "    availability:\n      timezone: UTC\n      rules:\n        - wday: monday\n"
        + "          intervals: ["
        + ", ".join(["'09:00-10:00'"] * 5000)
        + "]\n"
    ),
    "disjoint_intervals_all_day": lambda: (
        ET
        + "    availability:\n      timezone: UTC\n      rules:\n        - wday: [monday, friday]\n"
        + "          intervals: ["
        + ", ".join(f"'{h:02}:{m:02}-{h:02}:{m + 1:02}'" for h in range(24) for m in range(59))
        + "]\n"
    ),
    "duplicate_events_5000": lambda: (
        "webhooks:\n  - url: https://h.example/x\n    scope: organization\n    events: ["
        + ", ".join(["invitee.created"] * 5_000)
        + "]\n"
    ),
    "long_description": lambda: ET + "    description: " + "x" * 500_000 + "\n",
    "long_unknown_key": lambda: ET + "    " + "k" * 100_000 + ": 1\n",
    "deep_nesting": lambda: "members: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "deep_block_nesting": lambda: "".join(f"{' ' * i}k{i}:\n" for i in range(1000)),
    "many_unknown_keys": lambda: ET + "".join(f"    colour{i}: 1\n" for i in range(2_000)),
    "many_problems_one_line_each": lambda: (
        "event_types:\n"
        + "".join(f"  - {{name: n{i}, owner: nobody{i}@acme.example}}\n" for i in range(2_000))
    ),
}
