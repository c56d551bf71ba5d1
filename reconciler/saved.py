"""Saved plans: `plan --out FILE`, then `apply FILE`.

The file is the JSON plan of the contract plus what a later apply needs to be safe:
- per change, the fingerprint of the live object it was computed from (diff.fingerprint); apply
  re-reads only the objects it will write and refuses, naming them, any that moved since;
- per secret, never the value: the environment variable it came from, a random salt and the
  salted hash; apply reads the variable again and refuses if the value is not the one planned;
- the config paths, so `apply FILE --replan` can plan again from the same config.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from reconciler.client.errors import NotFound
from reconciler.client.secret import Secret
from reconciler.diff import fingerprint
from reconciler.errors import ReconcilerError
from reconciler.kinds import availability, availability_schedule, event_type, member, webhook
from reconciler.model import Live, OrgContext, Request
from reconciler.plan import FORMAT_VERSION, Change, Plan, change_from_dict
from reconciler.protocols import Reader

SAVED_FORMAT = "calendly-reconciler saved plan"


class SavedPlanError(ReconcilerError):
    """The saved plan cannot be applied as it is (unreadable, secrets changed, stale)."""


@dataclass(frozen=True)
class SavedPlan:
    plan: Plan
    config_paths: tuple[str, ...]


def dump(plan: Plan, *, config_paths: Sequence[str]) -> str:
    data = plan.to_dict()
    data["saved"] = {"format": SAVED_FORMAT, "config": list(config_paths)}
    for change, out in zip(plan.changes, data["changes"], strict=True):
        for request, out_request in zip(change.requests, out["requests"], strict=True):
            if request.secrets:
                out_request["secrets"] = {n: _seal(n, s) for n, s in request.secrets.items()}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _seal(name: str, secret: Secret) -> dict[str, str | None]:
    salt = secrets.token_hex(16)
    return {"env": secret.env, "salt": salt, "hash": secret.fingerprint(salt)}


def load(text: str, *, file: str, environ: Mapping[str, str] | None) -> SavedPlan:
    """The saved plan in `text`. environ None (`show`): secrets are not read, only masked."""
    try:
        data = json.loads(text)
        saved = data["saved"]
        if saved.get("format") != SAVED_FORMAT or data.get("format_version") != FORMAT_VERSION:
            raise ValueError
        changes = [
            change_from_dict(c, tuple(_request(r, c["key"], environ) for r in c["requests"]))
            for c in data["changes"]
        ]
        plan = Plan.build(
            changes,
            warnings=data.get("warnings", ()),
            unmanaged=data.get("unmanaged") or {},
            organization=data["organization"],
        )
        return SavedPlan(plan, tuple(str(p) for p in saved.get("config", ())))
    except SavedPlanError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SavedPlanError(
            f"{file} is not a saved plan of this tool (made by `calendly-reconciler plan --out`)"
        ) from None


def _request(data: Mapping[str, Any], key: str, environ: Mapping[str, str] | None) -> Request:
    sealed: Mapping[str, Mapping[str, str | None]] = data.get("secrets") or {}
    body = {k: v for k, v in (data.get("body") or {}).items() if k not in sealed}
    return Request(
        data["method"],
        data["path"],
        dict(data.get("params") or {}),
        body if "body" in data else None,
        {name: _unseal(name, seal, key, environ) for name, seal in sealed.items()},
    )


def _unseal(
    name: str, seal: Mapping[str, str | None], key: str, environ: Mapping[str, str] | None
) -> Secret:
    env = seal.get("env")
    if environ is None:  # shown, never sent: a Secret prints as a mask whatever it holds
        return Secret("", env=env)
    if not env:
        raise SavedPlanError(
            f"{key}: the {name} is written literally in the config, so a saved plan cannot "
            f"supply it; write it as ${{VARIABLE}} or apply the config directly"
        )
    if env not in environ:
        raise SavedPlanError(f"{key}: the {name} comes from ${{{env}}}, which is not set")
    secret = Secret(environ[env], env=env)
    if secret.fingerprint(str(seal.get("salt"))) != seal.get("hash"):
        raise SavedPlanError(
            f"{key}: ${{{env}}} holds a different {name} than when the plan was made; plan again"
        )
    return secret


def stale(plan: Plan, reader: Reader, *, today: dt.date) -> list[str]:
    """The changes whose live object moved since the plan: re-reads only what will be written.

    The re-reads are independent, so they run at the client's concurrency; results are
    reported in plan order.
    """
    ctx = OrgContext(plan.organization or "", "")
    # A create has no fingerprint: there was nothing to compare with.
    checked = [c for c in plan.changes if c.uri and c.fingerprint]
    with ThreadPoolExecutor(max_workers=max(reader.max_concurrency, 1)) as pool:
        moved = list(pool.map(lambda c: _moved(reader, c, ctx, today), checked))
    return [reason for reason in moved if reason]


def _moved(reader: Reader, change: Change, ctx: OrgContext, today: dt.date) -> str | None:
    try:
        now = _reread(reader, change, ctx, today)
    except NotFound:
        return f"{change.kind} {change.key}: deleted in Calendly since the plan"
    if fingerprint(now) != change.fingerprint:
        return f"{change.kind} {change.key}: changed in Calendly since the plan"
    return None


def _reread(reader: Reader, change: Change, ctx: OrgContext, today: dt.date) -> Live:
    uri = change.uri or ""
    if change.kind == "availability":
        items = reader.get_collection(availability.PATH, {"event_type": uri})
        return availability.from_schedules(change.key, uri, items, today)
    resource = reader.get_resource(uri)
    if change.kind == "event_type":
        return event_type.from_api(resource, ctx)
    if change.kind == "webhook":
        return webhook.from_api(resource, ctx)
    if change.kind == availability_schedule.NAME:
        return availability_schedule.from_api(resource, ctx, today)
    if "/invitations/" in uri:
        return member.from_invitation(resource)
    return member.from_membership(resource)
