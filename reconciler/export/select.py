"""unmanaged: the part of a snapshot that a config does not declare (`export --unmanaged-only`).

"Declared" is decided exactly as `plan` decides it, by the diff's own matching (`diff.match`: a
`uuid:` pin first, then the identity key) on the kinds' own `desired` objects, so what this
exports is what plan lists as unmanaged, whatever the config's prune policy. Ambiguous matches
count as declared: plan asks the user to pin them, and exporting them again would only add
duplicates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from reconciler.config.model import Config
from reconciler.diff import match
from reconciler.export.read import Snapshot
from reconciler.kinds import KINDS, DiffEnv, availability_schedule, event_type, member, webhook
from reconciler.model import Live


def unmanaged(snapshot: Snapshot, config: Config, *, today: dt.date) -> Snapshot:
    """The snapshot without the members, event types, schedules and webhooks the config
    declares."""
    env = DiffEnv(ctx=snapshot.context, policy=config.policy, today=today)

    def leftovers(kind: str, live: tuple[Live, ...]) -> tuple[Live, ...]:
        desired = KINDS[kind].desired(config, env)
        _pairs, _missing, left = match(desired, live, env)
        return tuple(left)

    event_types = leftovers(event_type.NAME, snapshot.event_types)
    kept = {live.uri for live in event_types}
    # Problems found while matching (an unknown group, an ambiguity) are plan's to report.
    return dataclasses.replace(
        snapshot,
        members=leftovers(member.NAME, snapshot.members),
        event_types=event_types,
        availability={uri: a for uri, a in snapshot.availability.items() if uri in kept},
        webhooks=leftovers(webhook.NAME, snapshot.webhooks),
        schedules=leftovers(availability_schedule.NAME, snapshot.schedules),
    )
