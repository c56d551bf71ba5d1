"""The merged, checked entries → the typed `Config` of `model.py`.

Values stay as written (emails and colors keep their case: normalizing is the kinds' job); the
only reshaping is the one the model asks for: a single `wday` becomes a 1-tuple, intervals become
`(from, to)` pairs, `fields` holds only the declared writable fields, and signing keys become
`Secret`s.
"""

from __future__ import annotations

from typing import Any

from reconciler.client.secret import Secret
from reconciler.config.merge import Entry, Merged
from reconciler.config.model import (
    EVENT_TYPE_FIELDS,
    PRUNABLE,
    Availability,
    AvailabilityRule,
    AvailabilitySchedule,
    Config,
    EventType,
    Member,
    Override,
    OwnerRef,
    Policy,
    Template,
    Webhook,
)


def build(merged: Merged) -> Config:
    organization = merged.organization
    return Config(
        organization=organization.value if organization else None,
        organization_source=organization.source if organization else None,
        members=tuple(_member(e) for e in merged.members),
        event_types=tuple(_event_type(e) for e in merged.event_types if "owners" not in e.value),
        webhooks=tuple(_webhook(e) for e in merged.webhooks),
        policy=_policy(merged),
        files=tuple(merged.files),
        availability_schedules=tuple(_schedule(e) for e in merged.availability_schedules),
        templates=tuple(_template(e) for e in merged.event_types if "owners" in e.value),
    )


def _member(entry: Entry) -> Member:
    return Member(email=entry.value["email"], role=entry.value.get("role"), source=entry.source)


def _event_type(entry: Entry) -> EventType:
    data: dict[str, Any] = entry.value
    availability = data.get("availability")
    return EventType(
        name=data["name"],
        owner=data["owner"],
        uuid=data.get("uuid"),
        fields={name: data[name] for name in EVENT_TYPE_FIELDS if name in data},
        availability=(
            _availability(entry, availability, "availability") if availability is not None else None
        ),
        protect=data.get("protect", False),
        source=entry.source,
        field_sources={name: entry.at(name) for name in data},
    )


def _template(entry: Entry) -> Template:
    data: dict[str, Any] = entry.value
    owners = []
    for index, item in enumerate(data["owners"]):
        kind, value = ("email", item) if isinstance(item, str) else next(iter(item.items()))
        owners.append(OwnerRef(kind, value, entry.at("owners", index)))
    availability = data.get("availability")
    overrides = {}
    for email, override in data.get("overrides", {}).items():
        where = ("overrides", email)
        declared = override.get("availability")
        overrides[email.strip().lower()] = Override(
            fields={name: override[name] for name in EVENT_TYPE_FIELDS if name in override},
            availability=(
                _availability(entry, declared, *where, "availability") if declared else None
            ),
            source=entry.at(*where),
            field_sources={name: entry.at(*where, name) for name in override},
        )
    return Template(
        name=data["name"],
        owners=tuple(owners),
        fields={name: data[name] for name in EVENT_TYPE_FIELDS if name in data},
        availability=(_availability(entry, availability, "availability") if availability else None),
        protect=data.get("protect", False),
        overrides=overrides,
        source=entry.source,
        field_sources={name: entry.at(name) for name in data},
    )


def _schedule(entry: Entry) -> AvailabilitySchedule:
    data: dict[str, Any] = entry.value
    return AvailabilitySchedule(
        user=data["user"],
        name=data["name"],
        availability=_availability(entry, data),
        default=data.get("default"),
        source=entry.source,
    )


def _availability(entry: Entry, data: dict[str, Any], *at: str) -> Availability:
    """A time zone and rules at `at` in the entry (an event type's `availability`, or the
    entry itself for a user availability schedule)."""
    rules = []
    for index, rule in enumerate(data["rules"]):
        wday = rule.get("wday", ())
        rules.append(
            AvailabilityRule(
                wdays=(wday,) if isinstance(wday, str) else tuple(wday),
                date=rule.get("date"),
                intervals=tuple(_interval(text) for text in rule["intervals"]),
                source=entry.at(*at, "rules", index),
            )
        )
    return Availability(timezone=data["timezone"], rules=tuple(rules), source=entry.at(*at))


def _interval(text: str) -> tuple[str, str]:
    start, end = text.split("-")
    return start, end


def _webhook(entry: Entry) -> Webhook:
    data: dict[str, Any] = entry.value
    key = data.get("signing_key")
    env = entry.document.secret_vars.get((*entry.path, "signing_key"))
    return Webhook(
        url=data["url"],
        scope=data["scope"],
        user=data.get("user"),
        group=data.get("group"),
        events=tuple(data["events"]),
        signing_key=Secret(key, env=env) if key is not None else None,
        protect=data.get("protect", False),
        source=entry.source,
    )


def _policy(merged: Merged) -> Policy:
    policy = {key: entry.value for key, entry in merged.policy.items()}
    fraction = policy.get("max_delete_fraction")
    if fraction is None:
        fractions: dict[str, float] = {}
    elif isinstance(fraction, dict):
        fractions = {kind: float(value) for kind, value in fraction.items()}
    else:  # one number for every prunable kind
        fractions = dict.fromkeys(PRUNABLE, float(fraction))
    return Policy(
        prune=frozenset(policy.get("prune", ())),
        max_delete_fraction=fractions,
        min_admins=policy.get("min_admins"),
        source=merged.policy_source,
        protect_bookings=bool(policy.get("protect_bookings", False)),
    )
