"""The plan as JSON: the machine contract (DESIGN.md section 2, format_version "1")."""

from __future__ import annotations

import json

from reconciler.plan import Plan


def render(plan: Plan, *, color: bool = False, title: str | None = None) -> str:
    return json.dumps(plan.to_dict(), indent=2, ensure_ascii=False) + "\n"
