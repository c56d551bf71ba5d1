"""User availability schedules: identity = (user email, name); key `EMAIL/NAME`.

A member's named schedules ("Working Hours"), which their event types use. The rule set has the
semantics of event type availability (kinds/availability.py, shared, not copied): weekdays the
config does not list are unavailable, and every write sends all seven weekdays.

What the API allows (CHANGES-2026.md) shapes the plan:
- `POST /user_availability_schedules` creates a schedule for the token's own user only: a
  schedule of another member is a warning saying so, not a change;
- `PATCH /user_availability_schedules/{uuid}` replaces the rule set (always sent whole) and sets
  the time zone and `default: true`; `default: false` is refused (a user always has one
  default), so the plan says to make another schedule the default instead;
- whether an admin may PATCH another member's schedule is not confirmed: it is treated as not
  allowed, and the plan says so;
- there is no DELETE: `policy.prune: [availability_schedules]` reports undeclared schedules.
A change lists the event types that use the schedule (`meta["event_types"]`, read by
`live.read_live` only for schedules that change), because Calendly applies it to all of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.config.model import Config
from reconciler.kinds import availability
from reconciler.kinds.base import DiffEnv
from reconciler.kinds.wire import Fields
from reconciler.model import Desired, Live, OrgContext, Request, email_key, uri_id
from reconciler.plan import Action, Change, FieldChange, placeholder

NAME = "availability_schedule"
PATH = "/user_availability_schedules"
OWN_ONLY = "Calendly creates availability schedules only for the token's own user"
NOT_OTHERS = (
    "Calendly is not known to let a token change another member's schedule (treated as not allowed)"
)
NO_FALSE = (
    "Calendly cannot be told `default: false` (a user always has one default schedule): "
    "declare `default: true` on the schedule that should be the default"
)


def key_of(user: str, name: str) -> str:
    return f"{email_key(user)}/{name}"


def desired(config: Config, env: DiffEnv) -> list[Desired]:
    result = []
    for schedule in config.availability_schedules:
        user = email_key(schedule.user)
        key = key_of(user, schedule.name)
        spec: dict[str, Any] = {"user": user, "name": schedule.name}
        spec.update(availability.declared_spec(schedule.availability, f"{NAME} {key}", env))
        if schedule.default is not None:
            spec["default"] = schedule.default
            if schedule.default:
                env.default_schedules.add(user)
        result.append(Desired(NAME, key, spec, source=schedule.source))
    return result


def users_to_read(config: Config, ctx: OrgContext) -> list[str]:
    """The user URIs whose schedules the config declares (members who have joined), sorted."""
    emails = {email_key(s.user) for s in config.availability_schedules}
    return sorted(ctx.users[e] for e in emails if e in ctx.users)


def from_api(item: Mapping[str, Any], ctx: OrgContext, today: dt.date) -> Live:
    fields = Fields(item, "user availability schedule")
    uri = fields.uri("uri")
    user_uri = fields.uri("user")
    user = ctx.emails.get(user_uri, user_uri)
    name = fields.required_text("name")
    spec: dict[str, Any] = {"user": user, "name": name}
    spec.update(availability.read_spec(fields, today))
    spec["default"] = fields.flag("default")
    return Live(NAME, key_of(user, name), spec, uri=uri, meta={"user": user_uri})


def align(desired: Desired, live: Live) -> Mapping[str, Any]:
    return availability.align(desired, live)


def create(desired: Desired, env: DiffEnv) -> None:
    spec = desired.spec
    user = spec["user"]
    if env.ctx.users.get(user) != env.ctx.caller:
        who = env.ctx.caller_email or env.ctx.caller
        joined = "" if user in env.ctx.users else f" ({user} has not joined the organization yet)"
        env.warnings.append(
            f"{NAME} {desired.key}: cannot be created: {OWN_ONLY} ({who}){joined}; create it in "
            f"Calendly as {user}, or apply with {user}'s own token ({desired.source})"
        )
        return
    body = {
        "name": spec["name"],
        "timezone": spec["timezone"],
        "rules": availability.api_rules(spec["rules"]),
    }
    requests = [Request("POST", PATH, body=body)]
    if spec.get("default") is True:
        # POST takes no `default`: the new schedule becomes the default right after.
        requests.append(
            Request("PATCH", f"{PATH}/{placeholder(NAME, desired.key)}", body={"default": True})
        )
    env.changes.append(
        Change(
            NAME,
            Action.CREATE,
            desired.key,
            {},
            dict(spec),
            source=desired.source,
            requests=tuple(requests),
        )
    )


def update(desired: Desired, live: Live, fields: tuple[FieldChange, ...], env: DiffEnv) -> None:
    writable = []
    for field in fields:
        if field.path == "default" and field.new is False:
            # Making another schedule the default (declared) moves it away from this one.
            if desired.spec["user"] not in env.default_schedules:
                env.warnings.append(f"{NAME} {desired.key}: is the default schedule; {NO_FALSE}")
        else:
            writable.append(field)
    if not writable:
        return
    if live.meta.get("user") != env.ctx.caller:
        env.warnings.append(
            f"{NAME} {desired.key}: {NOT_OTHERS}; change it in Calendly as "
            f"{desired.spec['user']}, or apply with their own token: {_describe(writable)}"
        )
        return
    changed = {f.path.split(".", 1)[0] for f in writable}
    body: dict[str, Any] = {"rules": availability.api_rules(desired.spec["rules"])}
    if "timezone" in changed:
        body["timezone"] = desired.spec["timezone"]
    if "default" in changed:
        body["default"] = True
    env.changes.append(
        Change(
            NAME,
            Action.UPDATE,
            desired.key,
            dict(live.spec),
            dict(desired.spec),
            fields=tuple(writable),
            reason=affected(live),
            source=desired.source,
            uri=live.uri,
            requests=(Request("PATCH", f"{PATH}/{uri_id(live.uri)}", body=body),),
        )
    )


def _describe(fields: Sequence[FieldChange]) -> str:
    """Field changes for a warning: a day's intervals as `09:00-17:00` or `unavailable`."""

    def shown(value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(value) or "unavailable"
        return "(none)" if value is None else str(value)

    return "; ".join(f"{f.path} {shown(f.old)} → {shown(f.new)}" for f in fields)


def affected(live: Live) -> str:
    """Which event types the change reaches (Calendly applies it to every one that uses it)."""
    keys = live.meta.get("event_types")
    if keys is None:
        return ""
    if not keys:
        return "no event type uses this schedule"
    return "Calendly applies it to every event type that uses the schedule: " + ", ".join(keys)


def delete(live: Live, env: DiffEnv) -> bool:
    """Never deletes (the API cannot); with prune, says what to delete by hand."""
    if not env.prunes("availability_schedules"):
        return False
    default = " (its default)" if live.spec.get("default") else ""
    env.warnings.append(
        f"{NAME} {live.key}: is not declared, but the API cannot delete availability "
        f"schedules; delete it in Calendly as {live.spec['user']}{default} if it should go"
    )
    return True
