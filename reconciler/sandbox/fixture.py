"""Fixtures: the YAML file a sandbox organization is seeded from.

Format (every key optional unless marked *required*; emails are matched case-insensitively)::

    created_at: 2024-01-15T09:00:00Z   # base time of the fixture's records (default shown):
                                       # record i is stamped base + i minutes (stable timestamps)
    organization:                      # *required*
      name: Acme                       # *required*
      plan: enterprise                 # basic | essentials | standard | professional | teams |
                                       # enterprise (default enterprise)
      stage: paid                      # trial | free | paid (default paid)
    users:                             # *required*, exactly one with role owner
      - email: alice@acme.example      # *required*, unique
        name: Alice Anderson           # *required*
        role: owner                    # owner | admin | user (default user)
        timezone: America/New_York     # IANA name (default UTC); aliases are canonicalized
        slug: alice-anderson           # default: derived from the name; unique
        locale: en                     # en | fr | es | de | pt | ps (default en)
        time_notation: 12h             # 12h | 24h (default 12h)
        availability:                  # the default schedule (default: Mon-Fri 09:00-17:00)
          name: Working Hours          # default "Working Hours"
          timezone: America/New_York   # default: the user's time zone
          rules: [...]                 # see "rules" below
        schedules:                     # extra, non-default schedules: [{name, timezone, rules}]
        locations:                     # GET /locations answer (default: google_conference
          - {kind: zoom_conference, connected: true}        # connected, zoom not connected)
    invitations:
      - {email: priya@acme.example, status: pending}   # pending | accepted | declined; an
                                                       # accepted one must match a user's email
    event_types:
      - owner: alice@acme.example      # *required*: a user's email
        name: Intro Call               # *required*
        kind: solo                     # solo | group (default solo)
        pooling_type: round_robin      # group only: round_robin | collective | multi_pool
                                       # (default round_robin)
        hosts: [isaac@acme.example]    # group only: host emails (the owner need not host)
        duration: 30                   # 1..720 (default 30, or the first duration option)
        duration_options: [15, 30]     # up to 4 unique values 1..720, must contain duration
        active: true                   # default true (API-created types default to false)
        color: "#0069ff"               # ^#[a-f0-9]{6}$
        description: Plain text.
        locale: en                     # de | en | es | fr | it | nl | pt | uk
        locations: [{kind: zoom_conference}]   # LocationConfiguration objects
        start_time_increment: 30       # 5..720 (default 30)
        before_buffer: 0               # 0 5 10 15 30 45 60 90 120 150 180 (default 0); also
                                       # after_buffer
        secret: false                  # also: admin_managed, internal_note, slug
        availability:                  # default: a copy of the owner's default schedule
          timezone: Europe/Berlin
          rules: [...]
    webhooks:
      - url: https://hooks.acme.example/calendly        # *required*, unique
        scope: organization            # organization | user | group (default organization)
        user: dana@acme.example        # scope user: the user's email
        group: Sales                   # scope group: the group's name
        events: [invitee.created]      # *required*, non-empty
        state: active                  # active | disabled
        creator: alice@acme.example    # default: the user (scope user) or the owner
        signing_key: ...               # optional; stored as a salted hash only
    groups:
      - name: Sales                    # *required*, unique
        members: [dana@acme.example]   # emails of users or of pending invitations; a person is
        admins: [chloe@acme.example]   # a member of at most one group, admin of any number
    tokens:                            # the bearer tokens the sandbox accepts
      - name: demo                     # *required*, unique; the only thing ever logged
        token: sandbox-demo-token      # *required*, unique secret
        user: alice@acme.example       # *required*: whose token it is
        scopes: legacy                 # legacy (all scopes) or a list such as [users:read]
    oauth_apps:                        # OAuth apps of the emulated auth server (routes_oauth.py)
      - name: cli                      # *required*, unique; minted tokens log as cli/1, cli/2, …
        client_id: sbx-cli-client      # *required*, unique
        client_secret: sbx-cli-secret  # *required* for a web app; a native app has none
        type: web                      # web | native (public client: PKCE, no secret)
        user: ben@acme.example         # *required*: who approves at /oauth/authorize
        scopes: [users:read]           # legacy (token scope "default": all) or a list
        redirect_uris: [http://127.0.0.1/callback]  # default shown; loopback: any port
        access_token_ttl: 7200         # seconds on the sandbox clock (default shown)

Rules (availability) use the API's shape, ``{type: wday, wday: monday, intervals: [{from: "09:00",
to: "17:00"}]}`` / ``{type: date, date: 2026-12-24, intervals: []}``, and fixtures may also write
``wday: [monday, tuesday]`` (one rule for several days), intervals as ``"09:00-17:00"`` and leave
out ``type``. Days not listed are unavailable.

Tokens and OAuth apps always come from the fixture, never from the state file, so secrets stay
out of it (tokens minted by the OAuth apps live in memory only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from reconciler.sandbox.availability import parse_rules, working_hours
from reconciler.sandbox.errors import Collector
from reconciler.sandbox.event_type_fields import (
    DEFAULT_COLOR,
    DEFAULT_INCREMENT,
    DEFAULT_QUESTION,
    LOCALES,
    writable_fields,
)
from reconciler.sandbox.model import (
    PLANS,
    ROLES,
    STAGES,
    EventType,
    EventTypeAvailability,
    Group,
    GroupRelationship,
    Host,
    Invitation,
    Json,
    Membership,
    Organization,
    Schedule,
    Token,
    User,
    Webhook,
)
from reconciler.sandbox.scopes import ALL_SCOPES
from reconciler.sandbox.store import Store
from reconciler.sandbox.timezones import canonical_timezone
from reconciler.sandbox.util import parse_iso, slugify, unique_slug
from reconciler.sandbox.webhook_terms import PAYLOAD_EVENTS, SCOPES, hash_signing_key

DEFAULT_BASE_TIME = "2024-01-15T09:00:00Z"
_FIXTURE_WRITABLE = (
    "active",
    "color",
    "description",
    "duration",
    "duration_options",
    "locale",
    "locations",
    "start_time_increment",
    "before_buffer",
    "after_buffer",
)
_POOLING = ("round_robin", "collective", "multi_pool")
USER_LOCALES = ("en", "fr", "es", "de", "pt", "ps")
DEFAULT_LOCATIONS: list[Json] = [
    {"kind": "google_conference", "connected": True},
    {"kind": "zoom_conference", "connected": False},
]


class FixtureError(ValueError):
    """A problem in a fixture, as one line: `where: what`."""


def bundled_fixture_path() -> Path:
    """The demo fixture shipped with the package (same content as examples/sandbox/acme.yaml)."""
    return Path(str(resources.files("reconciler.sandbox").joinpath("data/acme.yaml")))


def read_fixture(path: str | Path) -> Json:
    try:
        data = yaml.safe_load(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise FixtureError(f"{path}: cannot read fixture: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise FixtureError(f"{where}: {problem}") from None
    if not isinstance(data, dict):
        raise FixtureError(f"{path}: a fixture must be a YAML mapping")
    return data


@dataclass
class Loaded:
    store: Store
    tokens: list[Token]


def load_fixture(data: Mapping[str, Any], seed: int = 0) -> Loaded:
    return _Loader(data, seed).load()


def load_tokens(data: Mapping[str, Any]) -> list[Token]:
    """Only the tokens of a fixture (used when the organization comes from a state file)."""
    return _tokens(data)


def _fail(where: str, message: str) -> FixtureError:
    return FixtureError(f"{where}: {message}")


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    raw = data.get(key) or []
    if not isinstance(raw, list):
        raise _fail(key, "must be a list")
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise _fail(f"{key}[{i}]", "must be a mapping")
    return raw


def _text(item: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = item.get(key, default)
    if value is None:
        raise _fail(f"{where}.{key}", "is required")
    if not isinstance(value, str | int | float) or isinstance(value, bool) or str(value) == "":
        raise _fail(f"{where}.{key}", "must be a non-empty string")
    return str(value)


def _choice(
    item: Mapping[str, Any], key: str, where: str, allowed: tuple[str, ...], default: str
) -> str:
    value = item.get(key, default)
    if value not in allowed:
        raise _fail(f"{where}.{key}", f"must be one of: {', '.join(allowed)}")
    return str(value)


def _timezone(value: Any, where: str) -> str:
    canonical = canonical_timezone(value) if isinstance(value, str) else None
    if canonical is None:
        raise _fail(where, f"{value!r} is not an IANA time zone")
    return canonical


def _check(errors: Collector, where: str) -> None:
    if errors.details:
        first = errors.details[0]
        raise _fail(f"{where}.{first['parameter']}", first["message"])


def _tokens(data: Mapping[str, Any]) -> list[Token]:
    tokens: list[Token] = []
    names: set[str] = set()
    secrets: set[str] = set()
    for i, item in enumerate(_items(data, "tokens")):
        where = f"tokens[{i}]"
        name = _text(item, "name", where)
        secret = _text(item, "token", where)
        user = _text(item, "user", where).lower()
        if name in names:
            raise _fail(f"{where}.name", f"duplicate token name {name!r}")
        if secret in secrets:
            raise _fail(f"{where}.token", "duplicate token value")  # never echo a secret
        names.add(name)
        secrets.add(secret)
        raw = item.get("scopes", "legacy")
        scopes: frozenset[str] | None
        if raw == "legacy":
            scopes = None
        elif isinstance(raw, list) and all(isinstance(s, str) for s in raw):
            unknown = sorted(set(raw) - ALL_SCOPES)
            if unknown:
                raise _fail(f"{where}.scopes", f"unknown scope {unknown[0]!r}")
            scopes = frozenset(raw)
        else:
            raise _fail(f"{where}.scopes", "must be 'legacy' or a list of scopes")
        tokens.append(Token(name=name, secret=secret, user_email=user, scopes=scopes))
    return tokens


class _Loader:
    def __init__(self, data: Mapping[str, Any], seed: int) -> None:
        self.data = data
        raw_base = data.get("created_at", DEFAULT_BASE_TIME)
        if isinstance(raw_base, datetime | date):
            raw_base = raw_base.isoformat()
        base = parse_iso(str(raw_base))
        if base is None:
            raise _fail("created_at", "must be an ISO 8601 date-time")
        self.clock = base
        self.seed = seed
        self.emails: dict[str, User] = {}

    def tick(self) -> int:
        """Deterministic, increasing timestamps for fixture records (one minute apart)."""
        self.clock += 60_000_000
        return self.clock

    def load(self) -> Loaded:
        org_data = self.data.get("organization")
        if not isinstance(org_data, dict):
            raise _fail("organization", "is required (a mapping with name, plan, stage)")
        org = Organization(
            id="",
            name=_text(org_data, "name", "organization"),
            plan=_choice(org_data, "plan", "organization", PLANS, "enterprise"),
            stage=_choice(org_data, "stage", "organization", STAGES, "paid"),
            created_at=self.clock,
            updated_at=self.clock,
        )
        self.store = Store(seed=self.seed, org=org)
        org.id = self.store.mint("organizations")
        self._users()
        self._invitations()
        self._groups()
        self._event_types()
        self._webhooks()
        tokens = _tokens(self.data)
        return Loaded(self.store, tokens)

    def user(self, email: Any, where: str) -> User:
        user = self.emails.get(str(email).lower()) if isinstance(email, str) else None
        if user is None:
            raise _fail(where, f"{email!r} is not a user of the fixture")
        return user

    def _schedule(self, user: User, raw: Any, where: str, *, default: bool) -> Schedule:
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise _fail(where, "must be a mapping with name, timezone, rules")
        errors = Collector()
        rules = parse_rules(raw["rules"], "rules", errors, lenient=True) if "rules" in raw else None
        _check(errors, where)
        tz = _timezone(raw["timezone"], f"{where}.timezone") if "timezone" in raw else user.timezone
        schedule = Schedule(
            id=self.store.mint("user_availability_schedules"),
            user_id=user.id,
            name=_text(raw, "name", where, "Working Hours"),
            default=default,
            timezone=tz,
            rules=rules if rules is not None else working_hours(),
        )
        self.store.schedules[schedule.id] = schedule
        return schedule

    def _users(self) -> None:
        users = _items(self.data, "users")
        owners = [u for u in users if u.get("role") == "owner"]
        if len(owners) != 1:
            raise _fail("users", f"exactly one user must have role owner (found {len(owners)})")
        slugs: set[str] = set()
        for i, item in enumerate(users):
            where = f"users[{i}]"
            email = _text(item, "email", where).lower()
            if email in self.emails:
                raise _fail(f"{where}.email", f"duplicate user {email}")
            name = _text(item, "name", where)
            slug = item.get("slug") or unique_slug(slugify(name), slugs)
            if slug in slugs:
                raise _fail(f"{where}.slug", f"duplicate slug {slug!r}")
            slugs.add(slug)
            now = self.tick()
            user = User(
                id=self.store.mint("users"),
                email=email,
                name=name,
                slug=slug,
                timezone=_timezone(item.get("timezone", "UTC"), f"{where}.timezone"),
                locale=_choice(item, "locale", where, USER_LOCALES, "en"),
                time_notation=_choice(item, "time_notation", where, ("12h", "24h"), "12h"),
                created_at=now,
                updated_at=now,
                locations=self._locations(item.get("locations"), f"{where}.locations"),
            )
            self.store.users[user.id] = user
            self.emails[email] = user
            membership = Membership(
                id=self.store.mint("organization_memberships"),
                user_id=user.id,
                role=_choice(item, "role", where, ROLES, "user"),
                created_at=now,
                updated_at=now,
            )
            self.store.memberships[membership.id] = membership
            self._schedule(user, item.get("availability"), f"{where}.availability", default=True)
            extra = item.get("schedules") or []
            if not isinstance(extra, list):
                raise _fail(f"{where}.schedules", "must be a list")
            for j, raw in enumerate(extra):
                self._schedule(user, raw, f"{where}.schedules[{j}]", default=False)

    def _locations(self, raw: Any, where: str) -> list[Json]:
        if raw is None:
            return [dict(loc) for loc in DEFAULT_LOCATIONS]
        if not isinstance(raw, list):
            raise _fail(where, "must be a list")
        out: list[Json] = []
        for i, item in enumerate(raw):
            if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
                raise _fail(f"{where}[{i}]", "must be a mapping with a kind")
            location: Json = {"kind": item["kind"]}
            if "connected" in item:
                location["connected"] = bool(item["connected"])
            out.append(location)
        return out

    def _invitations(self) -> None:
        for i, item in enumerate(_items(self.data, "invitations")):
            where = f"invitations[{i}]"
            email = _text(item, "email", where).lower()
            status = _choice(item, "status", where, ("pending", "accepted", "declined"), "pending")
            user_id = None
            if status == "accepted":
                user_id = self.user(email, f"{where}.email").id
            elif status == "pending" and email in self.emails:
                raise _fail(f"{where}.email", f"{email} is already a member")
            elif status == "pending" and self.store.pending_invitation(email):
                raise _fail(f"{where}.email", f"{email} is already invited")
            now = self.tick()
            invitation = Invitation(
                id=self.store.mint("invitations"),
                email=email,
                status=status,
                created_at=now,
                updated_at=now,
                last_sent_at=now,
                user_id=user_id,
            )
            self.store.invitations[invitation.id] = invitation

    def _groups(self) -> None:
        member_of: dict[str, str] = {}
        for i, item in enumerate(_items(self.data, "groups")):
            where = f"groups[{i}]"
            name = _text(item, "name", where)
            if self.store.group_by_name(name):
                raise _fail(f"{where}.name", f"duplicate group {name!r}")
            now = self.tick()
            group = Group(id=self.store.mint("groups"), name=name, created_at=now, updated_at=now)
            self.store.groups[group.id] = group
            for role, key in (("member", "members"), ("admin", "admins")):
                emails = item.get(key) or []
                if not isinstance(emails, list):
                    raise _fail(f"{where}.{key}", "must be a list of emails")
                for j, email in enumerate(emails):
                    at = f"{where}.{key}[{j}]"
                    owner_type, owner_id = self._group_owner(email, at)
                    if role == "member":
                        if owner_id in member_of:
                            raise _fail(at, f"{email} is already a member of {member_of[owner_id]}")
                        member_of[owner_id] = name
                    rel = GroupRelationship(
                        id=self.store.mint("group_relationships"),
                        group_id=group.id,
                        role=role,
                        owner_type=owner_type,
                        owner_id=owner_id,
                        created_at=now,
                        updated_at=now,
                    )
                    self.store.relationships[rel.id] = rel

    def _group_owner(self, email: Any, where: str) -> tuple[str, str]:
        key = str(email).lower()
        if key in self.emails:
            membership = self.store.membership_of(self.emails[key].id)
            assert membership is not None
            return "OrganizationMembership", membership.id
        invitation = self.store.pending_invitation(key)
        if invitation is not None:
            return "OrganizationInvitation", invitation.id
        raise _fail(where, f"{email!r} is neither a user nor a pending invitation")

    def _event_types(self) -> None:
        slugs: dict[str, set[str]] = {}
        positions: dict[str, int] = {}
        for i, item in enumerate(_items(self.data, "event_types")):
            where = f"event_types[{i}]"
            owner = self.user(item.get("owner"), f"{where}.owner")
            name = _text(item, "name", where)
            kind = _choice(item, "kind", where, ("solo", "group"), "solo")
            errors = Collector()
            writable = {k: item[k] for k in _FIXTURE_WRITABLE if k in item}
            fields = writable_fields(writable, errors)
            _check(errors, where)
            hosts = [owner]
            pooling = None
            if kind == "group":
                pooling = _choice(item, "pooling_type", where, _POOLING, "round_robin")
                raw_hosts = item.get("hosts") or []
                if not isinstance(raw_hosts, list) or not raw_hosts:
                    raise _fail(f"{where}.hosts", "a group event type needs a list of hosts")
                hosts = [self.user(e, f"{where}.hosts[{j}]") for j, e in enumerate(raw_hosts)]
            taken = slugs.setdefault(owner.id, set())
            slug = str(item.get("slug") or unique_slug(slugify(name), taken))
            if slug in taken:
                raise _fail(f"{where}.slug", f"duplicate slug {slug!r} for {owner.email}")
            taken.add(slug)
            now = self.tick()
            options = fields.get("duration_options")
            et = EventType(
                id=self.store.mint("event_types"),
                owner_id=owner.id,
                name=name,
                kind=kind,
                type="StandardEventType",
                pooling_type=pooling,
                active=fields.get("active", True),
                admin_managed=bool(item.get("admin_managed", False)),
                booking_method="instant",
                color=fields.get("color", DEFAULT_COLOR),
                description=fields.get("description"),
                duration=fields.get("duration", options[0] if options else 30),
                duration_options=options,
                internal_note=item.get("internal_note"),
                is_paid=False,
                locale=fields.get("locale", "en"),
                locations=fields.get("locations"),
                position=positions.get(owner.id, 0),
                secret=bool(item.get("secret", False)),
                slug=slug,
                scheduling_path=f"{owner.slug}/{slug}",
                custom_questions=[dict(DEFAULT_QUESTION)],
                hosts=[Host(u.id, self.store.mint("event_type_memberships"), now) for u in hosts],
                availability=self._et_availability(owner, item.get("availability"), where),
                created_at=now,
                updated_at=now,
                start_time_increment=fields.get("start_time_increment", DEFAULT_INCREMENT),
                before_buffer=fields.get("before_buffer", 0),
                after_buffer=fields.get("after_buffer", 0),
            )
            positions[owner.id] = et.position + 1
            self.store.event_types[et.id] = et

    def _et_availability(self, owner: User, raw: Any, where: str) -> EventTypeAvailability:
        default = self.store.default_schedule(owner.id)
        assert default is not None
        if raw is None:
            return EventTypeAvailability(
                schedule_id=default.id,
                name=default.name,
                timezone=default.timezone,
                rules=[{**r, "intervals": list(r["intervals"])} for r in default.rules],
                user_id=owner.id,
            )
        if not isinstance(raw, dict) or "rules" not in raw:
            raise _fail(f"{where}.availability", "must be a mapping with timezone and rules")
        errors = Collector()
        rules = parse_rules(raw["rules"], "rules", errors, lenient=True)
        _check(errors, f"{where}.availability")
        tz = raw.get("timezone", owner.timezone)
        return EventTypeAvailability(
            schedule_id=self.store.mint("user_availability_schedules"),
            name=None,
            timezone=_timezone(tz, f"{where}.availability.timezone"),
            rules=rules,
            user_id=owner.id,
            custom=True,
        )

    def _webhooks(self) -> None:
        owner_id = next(m.user_id for m in self.store.memberships.values() if m.role == "owner")
        urls: set[str] = set()
        for i, item in enumerate(_items(self.data, "webhooks")):
            where = f"webhooks[{i}]"
            url = _text(item, "url", where)
            if url in urls:
                raise _fail(f"{where}.url", f"duplicate webhook url {url}")
            urls.add(url)
            scope = _choice(item, "scope", where, SCOPES, "organization")
            events = item.get("events")
            if not isinstance(events, list) or not events:
                raise _fail(f"{where}.events", "must be a non-empty list")
            for j, event in enumerate(events):
                if event not in PAYLOAD_EVENTS:
                    raise _fail(f"{where}.events[{j}]", f"unknown event {event!r}")
            user_id = group_id = None
            if scope == "user":
                user_id = self.user(item.get("user"), f"{where}.user").id
            elif scope == "group":
                group = self.store.group_by_name(str(item.get("group")))
                if group is None:
                    raise _fail(f"{where}.group", f"{item.get('group')!r} is not a group")
                group_id = group.id
            creator = item.get("creator")
            if creator:
                creator_id = self.user(creator, f"{where}.creator").id
            else:
                creator_id = user_id or owner_id
            state = _choice(item, "state", where, ("active", "disabled"), "active")
            now = self.tick()
            key = item.get("signing_key")
            hook = Webhook(
                id=self.store.mint("webhook_subscriptions"),
                callback_url=url,
                events=[str(e) for e in events],
                scope=scope,
                user_id=user_id,
                group_id=group_id,
                creator_id=creator_id,
                state=state,
                # Calendly disables a hook after 24 hours of failed retries (NOTES.md §4.3).
                retry_started_at=now - 86_400_000_000 if state == "disabled" else None,
                signing_key_hash=hash_signing_key(str(key)) if key else None,
                created_at=now,
                updated_at=now,
            )
            self.store.webhooks[hook.id] = hook


__all__ = [
    "LOCALES",
    "FixtureError",
    "Loaded",
    "bundled_fixture_path",
    "load_fixture",
    "load_tokens",
    "read_fixture",
]
