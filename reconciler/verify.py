"""A saved plan is executed only as its changes mean.

A plan file is data anyone with write access to a CI artifact can edit. `apply PLANFILE` does not
send the requests the file holds: it rebuilds each change's requests from what the change says
(kind, action, key, after, uri) and the live organization, exactly as the kinds build them, and
refuses the whole plan, before the first write, naming every change whose stored requests differ
from that rebuild. So a PATCH cannot carry a field the shown diff does not change, a `+ member`
cannot hide a DELETE, an update cannot become a removal, and a path is always the one the
change's own object has (never `..`, never another resource).

Also refused: an update, delete or replace without its fingerprint (the staleness check would
be skipped); a shown diff (`fields`) that is not the difference between `before` and `after`;
a change whose key does not spell its object; a webhook whose signing key is not sealed, or does
not come from the variable the config itself interpolates for it. A signing key is never taken
from the file: only from the environment variable the config names, checked against the seal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from reconciler.config.model import EVENT_TYPE_FIELDS
from reconciler.diff import field_changes
from reconciler.kinds import availability, event_type, timezones, webhook
from reconciler.kinds.wire import is_uri
from reconciler.model import Desired, Live, LiveState, OrgContext, Request, email_key
from reconciler.plan import PLACEHOLDER, Action, Change, placeholder

_ID = r"[A-Za-z0-9_-]+"
_PATHS = {
    "event_type": re.compile(f"/event_types/{_ID}"),
    "membership": re.compile(f"/organization_memberships/{_ID}"),
    "invitation": re.compile(f"/organizations/{_ID}/invitations/{_ID}"),
    "webhook": re.compile(f"{webhook.PATH}/{_ID}"),
}


class Refused(Exception):
    """One change cannot be applied as it stands (the message says why)."""


def rebuild(
    plan_changes: tuple[Change, ...],
    live: LiveState,
    webhook_secrets: Mapping[str, Desired],
) -> tuple[list[Change], list[str]]:
    """Each change with its requests rebuilt; and one line per change that is refused.

    `webhook_secrets`: the config's webhooks by key (their signing keys' variables).
    """
    ctx = live.context
    members = {m.uri: m for m in live.objects.get("member", ())}
    created = {c.key for c in plan_changes if c.kind == "event_type" and c.action == Action.CREATE}
    rebuilt, refused = [], []
    for change in plan_changes:
        try:
            requests = _requests(change, ctx, created, webhook_secrets)
            _check_shown(change)
            if change.kind == "member" and change.action == Action.DELETE:
                _check_removable(change, members.get(change.uri or ""), ctx)
            stored = [_resolved(r.to_dict(), ctx) for r in change.requests]
            if stored != [r.to_dict() for r in requests]:
                raise Refused("its requests are not the ones the change means")
        except Refused as exc:
            refused.append(f"{change.kind} {change.key}: {exc}")
            continue
        rebuilt.append(replace(change, requests=requests))
    return rebuilt, refused


def _requests(
    change: Change, ctx: OrgContext, created: set[str], secrets: Mapping[str, Desired]
) -> tuple[Request, ...]:
    action = change.action
    if action in (Action.UPDATE, Action.DELETE, Action.REPLACE):
        new_event_type = change.kind == "availability" and change.uri is None
        if not change.fingerprint and not new_event_type:
            raise Refused(f"an {action} without its fingerprint (the staleness check needs it)")
    builder = _BUILDERS.get((change.kind, str(action)))
    if builder is None:
        raise Refused(f"a {change.kind} cannot be {action}d by this tool")
    return builder(change, ctx, created, secrets)


def _text(change: Change, name: str) -> str:
    value = change.after.get(name)
    if not isinstance(value, str) or not value:
        raise Refused(f"`after` has no {name}")
    return value


def _path(change: Change, kind: str) -> str:
    uri = change.uri or ""
    path = "/" + uri.split("://", 1)[-1].split("/", 1)[-1] if is_uri(uri) else ""
    if not _PATHS[kind].fullmatch(path):
        raise Refused(f"its uri {uri!r} is not a {kind.replace('_', ' ')}")
    return path


def _user(ctx: OrgContext, email: str) -> str:
    return ctx.users.get(email_key(email)) or placeholder("user", email_key(email))


# ---- one builder per (kind, action) -----------------------------------------------------------


def _member_create(change: Change, ctx: OrgContext, *_: Any) -> tuple[Request, ...]:
    email = _text(change, "email")
    if change.key != email_key(email):
        raise Refused("its key is not its email")
    path = f"/organizations/{ctx.organization_id}/invitations"
    return (Request("POST", path, body={"email": email}),)


def _member_delete(change: Change, ctx: OrgContext, *_: Any) -> tuple[Request, ...]:
    if change.before.get("role") is None:  # a pending invitation
        path = _path(change, "invitation")
        if path.split("/")[2] != ctx.organization_id:
            raise Refused("its invitation is in another organization")
        return (Request("DELETE", path),)
    return (Request("DELETE", _path(change, "membership")),)


def _event_type_create(change: Change, ctx: OrgContext, *_: Any) -> tuple[Request, ...]:
    owner, name = _text(change, "owner"), _text(change, "name")
    if change.key != event_type.key_of(owner, name):
        raise Refused("its key is not its owner and name")
    unknown = sorted(set(change.after) - {"owner", "name", *EVENT_TYPE_FIELDS})
    if unknown:
        raise Refused(f"`after` sets {', '.join(unknown)}, which a create does not write")
    body = {"owner": _user(ctx, owner), "name": name}
    body.update({k: change.after[k] for k in EVENT_TYPE_FIELDS if k in change.after})
    return (Request("POST", "/event_types", body=body),)


def _event_type_update(change: Change, *_: Any) -> tuple[Request, ...]:
    path = _path(change, "event_type")
    unknown = sorted(set(change.after) - set(EVENT_TYPE_FIELDS))
    if unknown or not change.after:
        raise Refused(f"`after` sets {', '.join(unknown) or 'nothing'}, which no update writes")
    return (Request("PATCH", path, body=dict(change.after)),)


def _event_type_delete(change: Change, *_: Any) -> tuple[Request, ...]:
    return (Request("PATCH", _path(change, "event_type"), body={"active": False}),)


def _availability_update(
    change: Change, ctx: OrgContext, created: set[str], *_: Any
) -> tuple[Request, ...]:
    if change.uri is None:
        if change.key not in created:
            raise Refused("no uri, and its event type is not created by this plan")
        target = placeholder("event_type", change.key)
    else:
        _path(change, "event_type")
        target = change.uri
    rules = change.after.get("rules")
    timezone = _text(change, "timezone")
    if not isinstance(rules, Mapping):
        raise Refused("`after` has no rules")
    body = {
        "availability_rule": {
            "timezone": timezone,
            "rules": availability.api_rules(rules),
            "user": _user(ctx, change.key.split("/", 1)[0]),
        },
        "availability_setting": "host",
    }
    return (Request("PATCH", availability.PATH, params={"event_type": target}, body=body),)


def _webhook_create(
    change: Change, ctx: OrgContext, _created: set[str], secrets: Mapping[str, Desired]
) -> tuple[Request, ...]:
    after = change.after
    url, scope = _text(change, "url"), _text(change, "scope")
    owner = after.get(scope) if scope in ("user", "group") else None
    if change.key != webhook.key_of(scope, owner if isinstance(owner, str) else None, url):
        raise Refused("its key is not its scope and url")
    events = after.get("events")
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise Refused("`after` has no events")
    body: dict[str, Any] = {
        "url": url,
        "events": events,
        "organization": ctx.organization,
        "scope": scope,
    }
    if "user" in after:
        body["user"] = _user(ctx, str(after["user"]))
    if "group" in after:
        group = str(after["group"])
        body["group"] = ctx.groups.get(group) or placeholder("group", group)
    sealed = {n: s for r in change.requests for n, s in r.secrets.items()}
    wanted = {n for n, v in after.items() if v == "(sensitive)"}
    if set(sealed) != wanted:
        raise Refused("its secrets are not the ones `after` shows (a signing key must be sealed)")
    if wanted:
        declared = secrets.get(change.key)
        env = declared.secrets.get("signing_key") if declared is not None else None
        seal = sealed.get("signing_key")
        if env is None or seal is None or env.env is None or env.env != seal.env:
            raise Refused(
                "its signing key does not come from the variable the config interpolates for it"
            )
    return (Request("POST", webhook.PATH, body=body, secrets=sealed),)


def _webhook_delete(change: Change, *_: Any) -> tuple[Request, ...]:
    return (Request("DELETE", _path(change, "webhook")),)


def _webhook_replace(
    change: Change, ctx: OrgContext, created: set[str], secrets: Mapping[str, Desired]
) -> tuple[Request, ...]:
    return (*_webhook_delete(change), *_webhook_create(change, ctx, created, secrets))


Builder = Callable[[Change, OrgContext, set[str], Mapping[str, Desired]], tuple[Request, ...]]

_BUILDERS: dict[tuple[str, str], Builder] = {
    ("member", "create"): _member_create,
    ("member", "delete"): _member_delete,
    ("event_type", "create"): _event_type_create,
    ("event_type", "update"): _event_type_update,
    ("event_type", "delete"): _event_type_delete,
    ("availability", "update"): _availability_update,
    ("webhook", "create"): _webhook_create,
    ("webhook", "delete"): _webhook_delete,
    ("webhook", "replace"): _webhook_replace,
}


# ---- the shown diff and the stored requests ---------------------------------------------------


def _check_removable(change: Change, member: Live | None, ctx: OrgContext) -> None:
    """Never the owner or the token's own user (kinds/member.py never plans them)."""
    if member is None:
        return  # gone since the plan: the staleness check says so
    if member.key != change.key:
        raise Refused(f"its uri is {member.key}'s membership")
    if member.spec.get("role") == "owner" or member.meta.get("user") == ctx.caller:
        raise Refused("the organization owner and the token's own user are never removed")


def _check_shown(change: Change) -> None:
    """An update's `fields` (what the plan shows) must be exactly `before` → `after`."""
    if change.action != Action.UPDATE:
        return
    shown = {f.path: f.new for f in change.fields}
    differ = field_changes(change.before, change.after) if change.before else ()
    paths = {f.path for f in differ} if change.before else {f.path for f in change.fields}
    if change.kind == "availability" and "timezone" in paths - set(shown):
        old, new = change.before.get("timezone"), change.after.get("timezone")
        if isinstance(old, str) and isinstance(new, str) and timezones.same_zone(old, new):
            paths.discard("timezone")
    if change.kind == "event_type" and set(change.after) != set(shown):
        raise Refused("`after` and the shown fields differ")
    unshown = sorted(paths - set(shown))
    if unshown:
        raise Refused(f"it changes {', '.join(unshown)}, which the plan does not show")
    for path, new in shown.items():
        if _lookup(change.after, path) != new:
            raise Refused(f"the shown new value of {path} is not the one it writes")


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _resolved(value: Any, ctx: OrgContext) -> Any:
    """A stored request with its placeholders resolved as far as the organization now allows
    (someone may have joined since the plan)."""
    if isinstance(value, str):

        def one(match: re.Match[str]) -> str:
            kind, key = match.groups()
            if kind == "user":
                return ctx.users.get(key) or match.group(0)
            if kind == "group":
                return ctx.groups.get(key) or match.group(0)
            return match.group(0)

        return PLACEHOLDER.sub(one, value)
    if isinstance(value, Mapping):
        return {k: _resolved(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v, ctx) for v in value]
    return value
