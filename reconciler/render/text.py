"""The plan for a terminal, in the style of Terraform: `+` create, `~` update, `-` delete,
`-/+` replace (with the reason), field-level `old → new`, and the API calls each change makes."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from reconciler.impact import describe
from reconciler.plan import Action, Change, Plan

SYMBOL = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-", Action.REPLACE: "-/+"}
COLOR = {Action.CREATE: "32", Action.UPDATE: "33", Action.DELETE: "31", Action.REPLACE: "35"}
VERB = {
    Action.CREATE: "will be created",
    Action.UPDATE: "will be updated in place",
    Action.DELETE: "will be removed",
    Action.REPLACE: "will be replaced",
}
#: Where the generic verb would be misleading (the API has no delete for event types, ...).
KIND_VERB = {
    ("member", Action.CREATE): "will be invited",
    ("member", Action.DELETE): "will be removed",
    ("event_type", Action.DELETE): "will be deactivated",
    ("availability", Action.UPDATE): "will be replaced",
}
#: Kinds whose `rules.DAY` values are interval lists, shown as `09:00-17:00` or `unavailable`.
RULE_KINDS = ("availability", "availability_schedule")
NO_CHANGES = "No changes. Calendly matches the configuration."
ADOPT = (
    "(adopt them with `calendly-reconciler export --unmanaged-only CONFIG... -o DIR`; "
    "`plan --show-unmanaged` lists every kind)"
)

Paint = Callable[[str, str], str]


#: With `plan --base`, changes are grouped by where they come from.
SECTIONS = {
    "change": "Changes this config change makes:",
    "drift": "Drift: Calendly already differed from the base config:",
}


def render(
    plan: Plan, *, color: bool = False, title: str | None = None, every_unmanaged: bool = False
) -> str:
    """The plan for a terminal. every_unmanaged (`--show-unmanaged`): list each one's key."""
    paint = _painter(color)
    lines: list[str] = [paint("1", title), ""] if title else []
    grouped = any(c.origin for c in plan.changes)
    for origin, heading in SECTIONS.items() if grouped else [(None, "")]:
        section = [c for c in plan.changes if not grouped or c.origin == origin]
        if grouped:
            lines.extend([paint("1", heading), *([] if section else ["  (none)"]), ""])
        for change in section:
            lines.extend(_change(change, paint))
            lines.append("")
    if plan.warnings:
        lines.append(paint("1", "Warnings (read them before applying):"))
        lines.extend(f"  {paint('33', '!')} {clean(w)}" for w in plan.warnings)
        lines.append("")
    if plan.unmanaged:
        lines.append("Unmanaged (in Calendly, not in the config; left alone):")
        for kind, keys in plan.unmanaged.items():
            if every_unmanaged:
                lines.append(f"  {kind}: {len(keys)}")
                lines.extend(f"    {clean(key)}" for key in keys)
            else:
                lines.append(f"  {kind}: {clean(_listing(keys))}")
        lines.append(f"  {ADOPT}")
        lines.append("")
    lines.append(summary_line(plan, paint))
    return "\n".join(lines) + "\n"


def summary_line(plan: Plan, paint: Paint | None = None) -> str:
    paint = paint or _painter(False)
    if plan.is_empty:
        return paint("32", NO_CHANGES)
    counts = plan.summary()
    calls = plan.request_count()
    return paint(
        "1",
        f"Plan: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['delete']} to delete, {counts['replace']} to replace "
        f"({calls} API {'call' if calls == 1 else 'calls'}).",
    )


def _change(change: Change, paint: Paint) -> list[str]:
    symbol = SYMBOL[change.action]
    where = f" ({change.source.file}:{change.source.line})" if change.source else ""
    lines = [
        f"  # {change.kind} {clean(change.key)} {verb(change)}{clean(where)}",
        paint(COLOR[change.action], f"{symbol:>3} {change.kind} {clean(change.key)}"),
    ]
    if change.reason:
        lines.append(f"      {clean(change.reason)}")
    if change.attribution:
        lines.append(f"      {clean(attribution(change.attribution))}")
    bookings = describe(change)
    if bookings:
        lines.append(f"      {paint('33', 'bookings:')} {clean(bookings)}")
    if change.action == Action.CREATE or (change.action == Action.UPDATE and not change.before):
        lines.extend(_fields(change.after, change.kind, paint("32", "+")))
    elif change.fields:
        lines.extend(
            f"      {paint('33', '~')} {f.path}: {value(f.old, change.kind, f.path)} → "
            f"{value(f.new, change.kind, f.path)}"
            for f in change.fields
        )
    lines.extend(f"      → {clean(r.display())}" for r in change.requests)
    return lines


def clean(text: str) -> str:
    """Names come from Calendly and the config: show control characters, never send them to the
    terminal (an event type named with an escape sequence must not repaint the screen)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def attribution(data: Mapping[str, str]) -> str:
    """`changed by ben@acme.example at 2026-11-21T10:42:00Z (activity log)`."""
    who = f" by {data['by']}" if data.get("by") else ""
    source = "activity log" if data.get("source") == "activity_log" else "updated_at"
    return f"changed in Calendly{who} at {data.get('at') or 'an unknown time'} ({source})"


def verb(change: Change) -> str:
    return KIND_VERB.get((change.kind, change.action), VERB[change.action])


def _fields(data: Mapping[str, Any], kind: str, mark: str) -> list[str]:
    lines: list[str] = []
    for name, item in data.items():
        if isinstance(item, dict):
            lines.extend(
                f"      {mark} {name}.{sub}: {value(v, kind, f'{name}.{sub}')}"
                for sub, v in item.items()
            )
        else:
            lines.append(f"      {mark} {name}: {value(item, kind, name)}")
    return lines


def value(data: Any, kind: str = "", path: str = "") -> str:
    """One value as the plan shows it."""
    if data is None:
        return "(none)"
    if kind in RULE_KINDS and path.startswith("rules.") and isinstance(data, list):
        return ", ".join(data) if data else "unavailable"
    return json.dumps(data, ensure_ascii=False)


def _listing(keys: tuple[str, ...], limit: int = 5) -> str:
    shown = ", ".join(keys[:limit])
    return f"{len(keys)} ({shown}{', …' if len(keys) > limit else ''})"


def _painter(color: bool) -> Paint:
    def paint(code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color else text

    return paint
