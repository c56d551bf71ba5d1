"""The data that flows between the pipeline stages (besides the config and the plan).

- `Desired`: one resource the config declares, normalized by its kind for comparison.
- `Live`: one object read from Calendly, normalized the same way.
- `OrgContext`: who is calling, in which organization, and the indexes that turn the names the
  config uses (emails, group names) into the URIs the API uses, and back.
- `Request`: one API call, as plain data (the plan shows them; apply sends them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.client.secret import Secret
from reconciler.config.model import Source
from reconciler.emails import email_key as email_key  # re-exported: kinds use it from here

SENSITIVE = "(sensitive)"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None
    secrets: Mapping[str, Secret] = field(default_factory=dict)  # body fields to add when sent

    def display(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")

    def to_dict(self) -> dict[str, Any]:
        """The request as the plan shows it: secrets masked."""
        data: dict[str, Any] = {"method": self.method, "path": self.path}
        if self.params:
            data["params"] = dict(sorted(self.params.items()))
        if self.body is not None or self.secrets:
            body = dict(self.body or {})
            body.update({name: SENSITIVE for name in self.secrets})
            data["body"] = body
        return data

    def wire_body(self) -> dict[str, Any] | None:
        """The body as sent: secrets revealed. Never log or print this."""
        if self.body is None and not self.secrets:
            return None
        body = dict(self.body or {})
        body.update({name: secret.reveal() for name, secret in self.secrets.items()})
        return body


@dataclass(frozen=True)
class Desired:
    kind: str
    key: str
    spec: Mapping[str, Any]  # normalized declared fields; only these are compared
    source: Source | None = None
    pin: str | None = None  # a uuid that pins the live object (event types)
    protect: bool = False
    secrets: Mapping[str, Secret] = field(default_factory=dict)  # write-only fields
    field_sources: Mapping[str, Source] = field(default_factory=dict)


@dataclass(frozen=True)
class Live:
    kind: str
    key: str
    spec: Mapping[str, Any]  # normalized managed fields
    uri: str  # the object's URI, used to address writes
    meta: Mapping[str, Any] = field(default_factory=dict)  # read-only facts (state, kind, ...)


@dataclass
class OrgContext:
    """The organization as seen through the token; filled by `live.read_live`."""

    organization: str  # organization URI
    caller: str  # user URI of the token's owner
    caller_email: str = ""
    owner_email: str | None = None  # the organization owner, when memberships were read
    users: dict[str, str] = field(default_factory=dict)  # lower-case email -> user URI
    emails: dict[str, str] = field(default_factory=dict)  # user URI -> lower-case email
    groups: dict[str, str] = field(default_factory=dict)  # group name -> group URI
    group_names: dict[str, str] = field(default_factory=dict)  # group URI -> name

    @property
    def organization_id(self) -> str:
        return uri_id(self.organization)

    def add_user(self, email: str, uri: str) -> None:
        self.users[email_key(email)] = uri
        self.emails[uri] = email_key(email)

    def add_group(self, name: str, uri: str) -> None:
        self.groups[name] = uri
        self.group_names[uri] = name


@dataclass(frozen=True)
class LiveState:
    context: OrgContext
    objects: Mapping[str, tuple[Live, ...]]  # kind -> live objects that kind manages
    read_kinds: frozenset[str]  # kinds that were read (a kind not read has no live view)


def uri_id(uri: str) -> str:
    """The last path segment of a Calendly URI: what path parameters take."""
    return uri.rstrip("/").rsplit("/", 1)[-1]
