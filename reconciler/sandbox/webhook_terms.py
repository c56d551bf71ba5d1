"""Webhook vocabulary shared by the fixture loader and the webhook routes: the subscription
scopes, the payload events, and how a signing key is kept (a salted hash, never the key)."""

from __future__ import annotations

import hashlib
import os

SCOPES = ("organization", "user", "group")
PAYLOAD_EVENTS = (
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
    "routing_form_submission.created",
    "event_type.created",
    "event_type.deleted",
    "event_type.updated",
    "meeting_recap.created",
    "meeting_recap.updated",
    "meeting_recap.deleted",
    "contact.created",
    "contact.updated",
    "contact.deleted",
)


def hash_signing_key(key: str) -> str:
    salt = os.urandom(16).hex()
    return f"{salt}${hashlib.sha256((salt + key).encode()).hexdigest()}"


def signing_key_matches(stored: str | None, key: str) -> bool:
    if not stored:
        return False
    salt, _, digest = stored.partition("$")
    return hashlib.sha256((salt + key).encode()).hexdigest() == digest
