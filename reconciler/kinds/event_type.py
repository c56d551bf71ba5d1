"""Event types: identity = (owner email, name); `uuid:` pins one live event type.

Only one-on-one (`kind: solo`) event types can be created or changed through the API; any other
kind is read-only, so its differences become warnings. There is no DELETE: pruning deactivates
(`active: false`), and only event types of owners the config manages event types for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.config.model import EVENT_TYPE_FIELDS, Config
from reconciler.kinds.base import DiffEnv, describe_fields
from reconciler.kinds.wire import Fields
from reconciler.model import Desired, Live, OrgContext, Request, email_key, uri_id
from reconciler.plan import Action, Change, FieldChange

NAME = "event_type"

LOCATION_KEYS = ("kind", "location", "additional_info", "phone_number")
INTEGER_FIELDS = ("duration", "start_time_increment", "before_buffer", "after_buffer")
#: Fields Calendly added on 2026-11-13: an answer without them (an older API) reads as None.
NEWER_FIELDS = ("start_time_increment", "before_buffer", "after_buffer")
DEACTIVATE = "deactivate (active: false): the Calendly API cannot delete event types"


def key_of(owner: str, name: str) -> str:
    return f"{email_key(owner)}/{name}"


def desired(config: Config, env: DiffEnv) -> list[Desired]:
    result = []
    for event_type in config.event_types:
        owner = email_key(event_type.owner)
        if event_type.reason is None:
            # Declared by email. A group or team member's other event types stay theirs: only
            # the name an `owners:` entry claims is pruned for them (see `delete`).
            env.managed_owners.add(owner)
        else:
            env.expanded_owners.add(owner)
        spec = {"owner": owner, "name": event_type.name}
        spec.update(normalize_fields(event_type.fields))
        result.append(
            Desired(
                NAME,
                key_of(owner, event_type.name),
                spec,
                source=event_type.source,
                pin=uri_id(event_type.uuid) if event_type.uuid else None,
                protect=event_type.protect,
                field_sources=event_type.field_sources,
                reason=event_type.reason,
            )
        )
    return result


def normalize_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Declared fields in the form the API writes and the diff compares."""
    spec: dict[str, Any] = {}
    for name in EVENT_TYPE_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if name == "duration_options":
            value = sorted({int(v) for v in value})
        elif name in INTEGER_FIELDS:
            value = int(value)
        elif name == "color":
            value = str(value).lower()
        elif name == "description":
            value = str(value).strip()
        elif name == "locations":
            value = normalize_locations(value)
        spec[name] = value
    return spec


def normalize_locations(locations: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Absent, null and empty location fields all mean "not set"."""
    return [
        {k: loc[k] for k in LOCATION_KEYS if loc.get(k) not in (None, "")}
        for loc in locations or ()
    ]


def from_listing(
    items: list[dict[str, Any]], ctx: OrgContext, *, listed_for: str = ""
) -> list[Live]:
    """Event types as managed here: one-off (adhoc) and deleted ones are not."""
    live = []
    for item in items:
        fields = Fields(item, "event type")
        deleted = fields.text("deleted_at", null=True, missing=True)
        if not deleted and fields.text("type", null=True, missing=True) != "AdhocEventType":
            live.append(from_api(item, ctx, listed_for=listed_for))
    return live


def from_api(item: Mapping[str, Any], ctx: OrgContext, *, listed_for: str = "") -> Live:
    """`listed_for`: the user URI of a `?user=` listing the item came from, which owns it
    when it has no `profile` (Calendly documents that some event types have none)."""
    fields = Fields(item, "event type")
    uri = fields.uri("uri")
    profile = fields.optional_child("profile", "profile")
    owner_uri = profile.uri("owner") if profile is not None else listed_for
    owner = ctx.emails.get(owner_uri) or owner_uri or "(no owner)"
    duration = fields.number("duration", null=True)
    name = fields.text("name", null=True) or ""
    spec: dict[str, Any] = {
        "owner": owner,
        "name": name,
        "duration": int(duration) if duration is not None else None,
        "duration_options": sorted(fields.numbers("duration_options")),
        **{name: _whole(fields, name) for name in NEWER_FIELDS},
        "active": fields.flag("active"),
        "color": (fields.text("color", null=True, missing=True) or "").lower(),
        "description": (fields.text("description_plain", null=True, missing=True) or "").strip(),
        "locale": fields.text("locale", null=True, missing=True),
        "locations": normalize_locations(_locations(fields)),
    }
    return Live(
        NAME,
        key_of(owner, name),
        spec,
        uri=uri,
        meta={
            **fields.optional_texts("kind", "pooling_type", "slug", "scheduling_url"),
            "owner_uri": owner_uri,
            **fields.optional_texts("updated_at", "created_at"),
        },
    )


def _whole(fields: Fields, name: str) -> int | None:
    """A whole number of minutes, or None when null or absent."""
    if name not in fields.data:
        return None
    value = fields.number(name, null=True)
    return int(value) if value is not None else None


def _locations(fields: Fields) -> list[dict[str, Any]]:
    """`locations`: a list of objects whose known keys hold strings (or null)."""
    locations = []
    for location in fields.children("locations", "location", null=True):
        for key in LOCATION_KEYS:
            location.text(key, null=True, missing=True)
        locations.append(dict(location.data))
    return locations


def align(desired: Desired, live: Live) -> Mapping[str, Any]:
    return desired.spec


def is_solo(live: Live) -> bool:
    return live.meta.get("kind") == "solo"


def create(desired: Desired, env: DiffEnv) -> None:
    spec = desired.spec
    body = {"owner": env.user_uri(spec["owner"]), "name": spec["name"]}
    body.update({k: v for k, v in spec.items() if k in EVENT_TYPE_FIELDS})
    env.changes.append(
        Change(
            NAME,
            Action.CREATE,
            desired.key,
            {},
            dict(spec),
            reason=desired.reason,
            source=desired.source,
            requests=(Request("POST", "/event_types", body=body),),
            protect=desired.protect,
        )
    )
    if "active" not in spec:
        env.warnings.append(
            f"event_type {desired.key}: will be created inactive (Calendly's default); "
            "declare `active: true` to publish it"
        )


def update(desired: Desired, live: Live, fields: tuple[FieldChange, ...], env: DiffEnv) -> None:
    if not fields:
        return
    if not is_solo(live):
        env.warnings.append(
            f"event_type {desired.key}: is a {live.meta.get('kind')} event type, which the API "
            f"cannot change; change it in Calendly: {describe_fields(fields)}"
        )
        return
    writable = [f for f in fields if f.path != "owner"]
    if len(writable) < len(fields):
        env.warnings.append(
            f"event_type {desired.key}: the owner cannot be changed through the API "
            f"({live.spec['owner']} in Calendly); create a new event type instead"
        )
    if not writable:
        return
    body = {f.path: desired.spec[f.path] for f in writable}
    env.changes.append(
        Change(
            NAME,
            Action.UPDATE,
            desired.key,
            {f.path: live.spec.get(f.path) for f in writable},
            {f.path: desired.spec[f.path] for f in writable},
            fields=tuple(writable),
            source=desired.source,
            uri=live.uri,
            requests=(Request("PATCH", f"/event_types/{uri_id(live.uri)}", body=body),),
            protect=desired.protect,
        )
    )


def delete(live: Live, env: DiffEnv) -> bool:
    """Deactivate an undeclared, active one-on-one event type of a managed owner.

    An `owners:` entry with a group or team claims its name: an event type of that name whose
    owner is not (or no longer) an owner is deactivated too, saying why.
    """
    claim = env.claims.get(live.spec["name"])
    if not env.prunes("event_types"):
        return False
    if live.spec["owner"] not in env.managed_owners and claim is None:
        return False
    if not is_solo(live) or not live.spec["active"]:
        return False
    reason = DEACTIVATE
    if claim is not None:
        reason = f"{live.spec['owner']} is not one of the owners ({claim}); {DEACTIVATE}"
    env.changes.append(
        Change(
            NAME,
            Action.DELETE,
            live.key,
            dict(live.spec),
            {},
            reason=reason,
            uri=live.uri,
            requests=(
                Request("PATCH", f"/event_types/{uri_id(live.uri)}", body={"active": False}),
            ),
        )
    )
    return True


def duplicate_name(name: str, uri: str) -> str:
    return f"{name} (duplicate {uri_id(uri)})"


def duplicates(want: Desired, copies: list[Live], env: DiffEnv) -> Live | None:
    """One declared event type, several live copies (two applies raced: Calendly has no unique
    name). Without `--dedupe` the plan stops and explains; with it, the oldest copy is kept
    and every other is deactivated and renamed, so that it no longer matches (the API cannot
    delete event types; the rename frees the name, the slug and bookings stay)."""
    ordered = sorted(copies, key=lambda c: (str(c.meta.get("created_at") or ""), c.uri))
    kept, others = ordered[0], ordered[1:]
    ids = ", ".join(uri_id(c.uri) for c in ordered)
    if not env.dedupe:
        env.problems.append(
            f"event_type {want.key} ({want.source}): {len(copies)} live copies ({ids}), "
            "usually two applies that ran at the same time; pass --dedupe to keep the oldest "
            f"({uri_id(kept.uri)}) and deactivate and rename the others, or add `uuid:` to say "
            "which one the config means"
        )
        return None
    for copy in others:
        if not is_solo(copy):
            env.warnings.append(
                f"event_type {want.key}: the duplicate {uri_id(copy.uri)} is a "
                f"{copy.meta.get('kind')} event type, which the API cannot change; remove it "
                "in Calendly"
            )
            continue
        after = {"active": False, "name": duplicate_name(copy.spec["name"], copy.uri)}
        env.changes.append(
            Change(
                NAME,
                Action.DELETE,
                f"{want.key} (duplicate {uri_id(copy.uri)})",
                dict(copy.spec),
                after,
                reason=f"a duplicate of {uri_id(kept.uri)} (the oldest, kept): deactivate and "
                "rename it so that it no longer matches",
                uri=copy.uri,
                requests=(Request("PATCH", f"/event_types/{uri_id(copy.uri)}", body=after),),
            )
        )
    return kept
