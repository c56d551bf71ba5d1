"""Saved plans: `plan --out FILE`, then `apply FILE`.

The file is the JSON plan of the contract plus what a later apply needs to be safe:
- per change, the fingerprint of the live object it was computed from (diff.fingerprint); apply
  re-reads only the objects it will write and refuses, naming them, any that moved since;
- per create, the precondition "absent": an object with its natural key that appeared since is
  adopted if it holds what the plan wants, else the plan is stale (existing.py);
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
from dataclasses import dataclass, replace
from typing import Any

from reconciler import verify
from reconciler.client.errors import NotFound
from reconciler.client.secret import Secret
from reconciler.config.model import Config
from reconciler.diff import fingerprint
from reconciler.errors import ReconcilerError
from reconciler.existing import Existing, differences
from reconciler.kinds import DiffEnv, availability, event_type, member, webhook
from reconciler.model import Live, LiveState, OrgContext, Request
from reconciler.plan import FORMAT_VERSION, Action, Change, Plan, change_from_dict
from reconciler.protocols import Reader

SAVED_FORMAT = "calendly-reconciler saved plan"
#: A create's precondition: nothing with its natural key exists (or exactly what it would make).
ABSENT = "absent"


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
        if change.action == Action.CREATE:
            out["precondition"] = ABSENT
        for request, out_request in zip(change.requests, out["requests"], strict=True):
            if request.secrets:
                out_request["secrets"] = {n: _seal(n, s) for n, s in request.secrets.items()}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _seal(name: str, secret: Secret) -> dict[str, str | None]:
    salt = secrets.token_hex(16)
    return {"env": secret.env, "salt": salt, "hash": secret.fingerprint(salt)}


def load(text: str, *, file: str, environ: Mapping[str, str]) -> SavedPlan:
    try:
        data = json.loads(text)
        saved = data["saved"]
        if saved.get("format") != SAVED_FORMAT or data.get("format_version") != FORMAT_VERSION:
            raise ValueError
        changes = [
            change_from_dict(c, tuple(_request(r, c["key"], environ) for r in c["requests"]))
            for c in data["changes"]
        ]
        for raw, change in zip(data["changes"], changes, strict=True):
            if change.action == Action.CREATE and raw.get("precondition") != ABSENT:
                raise SavedPlanError(
                    f"{file}: {change.kind} {change.key}: a create without its precondition "
                    f'("precondition": "{ABSENT}"); plan again'
                )
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


def _request(data: Mapping[str, Any], key: str, environ: Mapping[str, str]) -> Request:
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
    name: str, seal: Mapping[str, str | None], key: str, environ: Mapping[str, str]
) -> Secret:
    env = seal.get("env")
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


def verified(plan: Plan, live: LiveState, config: Config, *, file: str, today: dt.date) -> Plan:
    """The plan with every request rebuilt from its change and the live organization
    (verify.py), and `protect` as the config says it now; refused whole if any change is not
    what it claims to be."""
    env = DiffEnv(ctx=live.context, policy=config.policy, today=today)
    hooks = {d.key: d for d in webhook.desired(config, env)}
    protected = {
        (d.kind, d.key) for d in [*event_type.desired(config, env), *hooks.values()] if d.protect
    }
    changes, refused = verify.rebuild(plan.changes, live, hooks)
    if refused:
        raise SavedPlanError(
            f"{file} is refused: {len(refused)} of its changes are not what they claim to be, "
            "so nothing was changed:\n"
            + "\n".join(f"  {r}" for r in refused)
            + "\nReview a new plan (`plan --out`)."
        )
    return plan.with_changes(
        replace(c, protect=c.protect or (c.kind, c.key) in protected) for c in changes
    )


def stale(
    plan: Plan, reader: Reader, *, today: dt.date, existing: Existing | None = None
) -> list[str]:
    """The changes whose live object moved since the plan: re-reads only what will be written.

    A create's object must still be absent, or exactly what the create would make (apply then
    adopts it); `existing` keeps the listings this reads for apply's own look before creating.
    The re-reads are independent, so they run at the client's concurrency; results are
    reported in plan order.
    """
    ctx = OrgContext(plan.organization or "", "")
    existing = existing or Existing(reader, plan.organization or "")
    checked = [c for c in plan.changes if (c.uri and c.fingerprint) or c.action == Action.CREATE]
    with ThreadPoolExecutor(max_workers=max(reader.max_concurrency, 1)) as pool:
        moved = list(pool.map(lambda c: _moved(reader, c, ctx, today, existing), checked))
    return [reason for reason in moved if reason]


def _appeared(change: Change, existing: Existing) -> str | None:
    found = existing.find(change.requests[0]) if change.requests else None
    differ = differences(change, found) if found is not None else ""
    if differ:
        return (
            f"{change.kind} {change.key}: created in Calendly since the plan "
            f"({found.get('uri') if found else ''}), and differs from it: {differ}"
        )
    return None


def _moved(
    reader: Reader, change: Change, ctx: OrgContext, today: dt.date, existing: Existing
) -> str | None:
    if change.action == Action.CREATE:
        return _appeared(change, existing)
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
    if "/invitations/" in uri:
        return member.from_invitation(resource)
    return member.from_membership(resource)
