"""Helpers shared by the sandbox tests (the pytest fixtures are in conftest.py)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE = "https://api.calendly.com"
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z


class FakeClock:
    """A clock that only moves when told to (or when the sandbox 'sleeps')."""

    def __init__(self, start: float = START) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


# A small organization for exact refusal tests: an owner, an admin, a member, group types, hooks.
TINY: dict[str, Any] = {
    "organization": {"name": "Tiny Co", "plan": "enterprise", "stage": "paid"},
    "users": [
        {
            "email": "owner@tiny.example",
            "name": "Olive Owner",
            "role": "owner",
            "timezone": "America/New_York",
        },
        {
            "email": "admin@tiny.example",
            "name": "Adam Admin",
            "role": "admin",
            "timezone": "Europe/Berlin",
        },
        {"email": "member@tiny.example", "name": "Mia Member", "timezone": "Asia/Tokyo"},
        {"email": "other@tiny.example", "name": "Otto Other", "timezone": "UTC"},
    ],
    "invitations": [
        {"email": "pending@tiny.example", "status": "pending"},
        {"email": "member@tiny.example", "status": "accepted"},
    ],
    "groups": [
        {
            "name": "Crew",
            "members": ["member@tiny.example", "pending@tiny.example"],
            "admins": ["admin@tiny.example"],
        },
    ],
    "event_types": [
        {"owner": "owner@tiny.example", "name": "Chat", "duration": 30},
        {"owner": "member@tiny.example", "name": "Member Call", "duration": 15},
        {
            "owner": "admin@tiny.example",
            "name": "Team Rotation",
            "kind": "group",
            "hosts": ["member@tiny.example", "other@tiny.example"],
        },
    ],
    "webhooks": [
        {"url": "https://hooks.tiny.example/org", "events": ["invitee.created"]},
        {
            "url": "https://hooks.tiny.example/member",
            "scope": "user",
            "user": "member@tiny.example",
            "events": ["invitee.created"],
        },
    ],
    "tokens": [
        {"name": "owner", "token": "tok-owner", "user": "owner@tiny.example", "scopes": "legacy"},
        {"name": "admin", "token": "tok-admin", "user": "admin@tiny.example", "scopes": "legacy"},
        {
            "name": "member",
            "token": "tok-member",
            "user": "member@tiny.example",
            "scopes": "legacy",
        },
        {"name": "other", "token": "tok-other", "user": "other@tiny.example", "scopes": "legacy"},
        {
            "name": "owner-2",
            "token": "tok-owner-2",
            "user": "owner@tiny.example",
            "scopes": "legacy",
        },
        {
            "name": "readonly",
            "token": "tok-readonly",
            "user": "admin@tiny.example",
            "scopes": [
                "users:read",
                "organizations:read",
                "event_types:read",
                "availability:read",
                "webhooks:read",
            ],
        },
        {
            "name": "writer",
            "token": "tok-writer",
            "user": "admin@tiny.example",
            "scopes": ["event_types:write", "webhooks:write", "organizations:write"],
        },
        {"name": "none", "token": "tok-none", "user": "admin@tiny.example", "scopes": []},
    ],
}


def tiny(**org: Any) -> dict[str, Any]:
    """A deep copy of TINY, with organization fields overridden."""
    data = copy.deepcopy(TINY)
    data["organization"].update(org)
    return data


def path_of(uri: str) -> str:
    """'https://api.calendly.com/event_types/X' → '/event_types/X'."""
    return uri.removeprefix(BASE)


def last_id(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


# ---- validating responses against the vendored spec -----------------------------------------

SPEC_PATH = Path(__file__).parent / "spec" / "reconciler-subset-2026.yaml"
# Calendly's changes since that snapshot (CHANGES-2026.md), merged into it by `load_spec`.
CHANGES_PATH = Path(__file__).parent / "spec" / "changes-2026-12.yaml"
SPEC_URI = "urn:calendly:reconciler-subset-2026"
_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")  # Calendly's exact form

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_DATE_TIME.match(value))


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value))


@FORMATS.checks("date")
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(re.match(r"^\d{4}-\d\d-\d\d$", value))


def merge(base: Any, overlay: Any) -> Any:
    """`overlay` merged into `base`: mappings key by key, anything else replaced."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        out = dict(base)
        for key, value in overlay.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(overlay)


def load_spec() -> dict[str, Any]:
    """The vendored spec subset with Calendly's 2026-12 changes merged in."""
    base = yaml.safe_load(SPEC_PATH.read_text("utf-8"))
    merged: dict[str, Any] = merge(base, yaml.safe_load(CHANGES_PATH.read_text("utf-8")))
    return merged


class Spec:
    """The vendored OpenAPI document (with the 2026-12 changes), with JSON Schema validators
    for its responses."""

    def __init__(self) -> None:
        self.doc: dict[str, Any] = load_spec()
        resource = Resource.from_contents(self.doc, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)

    def operations(self) -> set[tuple[str, str]]:
        return {
            (method.upper(), path)
            for path, item in self.doc["paths"].items()
            for method in item
            if method in ("get", "post", "patch", "put", "delete")
        }

    def pointer(self, method: str, path: str, status: int) -> str | None:
        """JSON pointer to the response schema for `status` (falling back to `default`)."""
        escaped = path.replace("~", "~0").replace("/", "~1")
        responses = self.doc["paths"][path][method.lower()]["responses"]
        key = str(status) if str(status) in responses else "default"
        response = responses[key]
        if "$ref" in response:
            base = response["$ref"].lstrip("#")
        else:
            base = f"/paths/{escaped}/{method.lower()}/responses/{key}"
            if "content" not in response:
                return None  # e.g. 204 No Content
        return f"{base}/content/application~1json/schema"

    def validate(self, method: str, path: str, status: int, body: Any) -> None:
        pointer = self.pointer(method, path, status)
        if pointer is None:
            assert body in (None, b"", ""), f"{method} {path} {status} must have no body"
            return
        if isinstance(body, dict) and "required_scopes" in body:
            # The spec's Error response is oneOf [ErrorResponse, InsufficientScopeError], but an
            # InsufficientScopeError body also satisfies ErrorResponse, so the oneOf can never
            # pass for it: validate scope errors against their own schema.
            pointer = "/components/schemas/InsufficientScopeError"
        self.validate_pointer(pointer, body, f"{method} {path} {status}")

    def validate_pointer(self, pointer: str, body: Any, label: str = "") -> None:
        schema = {"$ref": f"{SPEC_URI}#{pointer}"}
        validator = Draft202012Validator(schema, registry=self.registry, format_checker=FORMATS)
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(
            f"{label}: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10]
        )
