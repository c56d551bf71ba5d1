"""What every kind module provides, and the helpers the diff hands to them.

A kind module knows one resource family: how the config declares it (`desired`), how the API
shows it (`read`), and which requests create, change or remove it (`create`, `update`,
`delete`). `diff.py` owns the matching and field comparison; kinds only decide what a difference
means for their resource.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from reconciler.config.model import Config, Policy
from reconciler.errors import ReconcilerError
from reconciler.model import Desired, Live, OrgContext, email_key
from reconciler.plan import Change, FieldChange, placeholder


class PlanError(ReconcilerError):
    """The config cannot be planned against this organization (ambiguity, missing object)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(
            f"cannot plan ({len(problems)} {noun}):\n" + "\n".join(f"  {p}" for p in problems)
        )


@dataclass
class DiffEnv:
    """What a kind may consult while it turns differences into changes."""

    ctx: OrgContext
    policy: Policy
    today: dt.date
    #: event type key -> live URI, for the event types matched so far (availability needs them)
    event_type_uris: dict[str, str] = field(default_factory=dict)
    #: event type keys whose live object is not one-on-one (read-only through the API)
    readonly_event_types: set[str] = field(default_factory=set)
    #: owners (lower-case emails) that the config declares event types for
    managed_owners: set[str] = field(default_factory=set)
    #: owners that only an `owners:` group or team brings (members prune must keep them)
    expanded_owners: set[str] = field(default_factory=set)
    #: keep the oldest of duplicated event types, deactivate and rename the others
    dedupe: bool = False
    #: users (lower-case emails) for whom the config declares a `default: true` schedule
    default_schedules: set[str] = field(default_factory=set)
    #: event type name -> the `owners:` entry with a group or team that claims it (see prune)
    claims: Mapping[str, str] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def user_uri(self, email: str) -> str:
        """The user URI of a member, or a placeholder if they have not joined yet."""
        return self.ctx.users.get(email_key(email)) or placeholder("user", email_key(email))

    def event_type_uri(self, key: str) -> str:
        return self.event_type_uris.get(key) or placeholder("event_type", key)

    def prunes(self, group: str) -> bool:
        return group in self.policy.prune


class Kind(Protocol):
    """The interface of a kind module (see kinds/member.py for a small example)."""

    NAME: str

    def desired(self, config: Config, env: DiffEnv) -> list[Desired]: ...

    def align(self, desired: Desired, live: Live) -> Mapping[str, Any]: ...

    def create(self, desired: Desired, env: DiffEnv) -> None: ...

    def update(
        self, desired: Desired, live: Live, fields: tuple[FieldChange, ...], env: DiffEnv
    ) -> None: ...

    def delete(self, live: Live, env: DiffEnv) -> bool: ...


def describe_fields(fields: Sequence[FieldChange]) -> str:
    return ", ".join(f"{f.path} {_short(f.old)} → {_short(f.new)}" for f in fields)


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
