"""Webhook subscriptions: identity = (scope, user or group, url).

The API can create, list and delete subscriptions but not change them, so any difference is a
replace (delete, then create: Calendly refuses a second subscription with the same url). A
`disabled` subscription (Calendly gave up delivering) is drift that the plan replaces too.
`signing_key` is write-only: sent on create, never read back, never compared or shown.

Webhooks exist on every plan (CHANGES-2026.md, 2026-11-03), but an event whose feature the
organization's plan lacks is refused with a 403 "Please upgrade to a paid Calendly account.":
`failure_hint` says which events and what to do, in that webhook's own apply outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.client.errors import ClientError, Forbidden
from reconciler.config.model import Config
from reconciler.kinds.base import DiffEnv
from reconciler.kinds.wire import Fields
from reconciler.model import Desired, Live, OrgContext, Request, email_key, uri_id
from reconciler.plan import Action, Change, FieldChange, placeholder

NAME = "webhook"
PATH = "/webhook_subscriptions"
NO_UPDATE = "the API cannot change a webhook subscription"
#: Event families whose feature (routing forms, meeting recaps) the free plan lacks; contact.*
#: no longer needs one since 2026-11-19 (CHANGES-2026.md).
PAID_FEATURE_FAMILIES = ("routing_form_submission", "meeting_recap")


def key_of(scope: str, owner: str | None, url: str) -> str:
    return f"{scope} {owner} {url}" if owner else f"{scope} {url}"


def desired(config: Config, env: DiffEnv) -> list[Desired]:
    result = []
    for webhook in config.webhooks:
        spec: dict[str, Any] = {"url": webhook.url, "scope": webhook.scope}
        owner = None
        if webhook.scope == "user" and webhook.user:
            owner = spec["user"] = email_key(webhook.user)
        elif webhook.scope == "group" and webhook.group:
            owner = spec["group"] = _group_name(webhook.group, env)
        spec["events"] = sorted(set(webhook.events))
        secrets = {"signing_key": webhook.signing_key} if webhook.signing_key else {}
        result.append(
            Desired(
                NAME,
                key_of(webhook.scope, owner, webhook.url),
                spec,
                source=webhook.source,
                protect=webhook.protect,
                secrets=secrets,
            )
        )
    return result


def _group_name(group: str, env: DiffEnv) -> str:
    """Config names a group by name or URI; plans show the name."""
    if group in env.ctx.group_names:
        return env.ctx.group_names[group]
    if group not in env.ctx.groups:
        env.problems.append(f"webhook group {group!r}: no such group in the organization")
    return group


def scopes_to_read(config: Config, ctx: OrgContext) -> list[dict[str, str]]:
    """The listings that hold every subscription the config declares or may prune."""
    queries = []
    if any(w.scope == "organization" for w in config.webhooks) or "webhooks" in config.policy.prune:
        queries.append({"scope": "organization"})
    for email in sorted({email_key(w.user) for w in config.webhooks if w.user}):
        if email in ctx.users:
            queries.append({"scope": "user", "user": ctx.users[email]})
    for group in sorted({w.group for w in config.webhooks if w.group}):
        uri = ctx.groups.get(group) or (group if group in ctx.group_names else None)
        if uri:
            queries.append({"scope": "group", "group": uri})
    return queries


SCOPES = ("organization", "user", "group")


def from_api(item: Mapping[str, Any], ctx: OrgContext) -> Live:
    fields = Fields(item, "webhook subscription")
    uri = fields.uri("uri")
    scope = fields.choice("scope", SCOPES)
    spec: dict[str, Any] = {"url": fields.required_text("callback_url"), "scope": scope}
    owner = None
    if scope == "user":
        user = fields.uri("user")
        owner = spec["user"] = ctx.emails.get(user, user)
    elif scope == "group":
        group = fields.uri("group")
        owner = spec["group"] = ctx.group_names.get(group, group)
    spec["events"] = sorted(set(fields.texts("events")))
    return Live(
        NAME,
        key_of(scope, owner, spec["url"]),
        spec,
        uri=uri,
        meta=fields.optional_texts(
            "state", "retry_started_at", "creator", "created_at", "updated_at"
        ),
    )


def align(desired: Desired, live: Live) -> Mapping[str, Any]:
    return desired.spec


def create_request(desired: Desired, env: DiffEnv) -> Request:
    spec = desired.spec
    body: dict[str, Any] = {
        "url": spec["url"],
        "events": spec["events"],
        "organization": env.ctx.organization,
        "scope": spec["scope"],
    }
    if "user" in spec:
        body["user"] = env.user_uri(spec["user"])
    if "group" in spec:
        body["group"] = env.ctx.groups.get(spec["group"]) or placeholder("group", spec["group"])
    return Request("POST", PATH, body=body, secrets=dict(desired.secrets))


def _shown(desired: Desired) -> dict[str, Any]:
    after = dict(desired.spec)
    after.update({name: "(sensitive)" for name in desired.secrets})
    return after


def create(desired: Desired, env: DiffEnv) -> None:
    env.changes.append(
        Change(
            NAME,
            Action.CREATE,
            desired.key,
            {},
            _shown(desired),
            source=desired.source,
            requests=(create_request(desired, env),),
            protect=desired.protect,
        )
    )


def update(desired: Desired, live: Live, fields: tuple[FieldChange, ...], env: DiffEnv) -> None:
    if live.meta.get("state") == "disabled":
        reason = "the subscription is disabled (Calendly stopped delivering to it)"
    elif fields:
        reason = f"{NO_UPDATE}: {', '.join(f.path for f in fields)} changed"
    else:
        return
    env.changes.append(
        Change(
            NAME,
            Action.REPLACE,
            desired.key,
            {**live.spec, "state": live.meta.get("state")},
            _shown(desired),
            fields=fields,
            reason=reason,
            source=desired.source,
            uri=live.uri,
            requests=(
                Request("DELETE", f"{PATH}/{uri_id(live.uri)}"),
                create_request(desired, env),
            ),
            protect=desired.protect,
        )
    )


def delete(live: Live, env: DiffEnv) -> bool:
    if not env.prunes("webhooks"):
        return False
    env.changes.append(
        Change(
            NAME,
            Action.DELETE,
            live.key,
            dict(live.spec),
            {},
            uri=live.uri,
            requests=(Request("DELETE", f"{PATH}/{uri_id(live.uri)}"),),
        )
    )
    return True


def failure_hint(request: Request, error: ClientError) -> str:
    """What to do about a create that the organization's plan refuses (else "")."""
    if not (
        isinstance(error, Forbidden)
        and request.method == "POST"
        and request.path == PATH
        and "upgrade" in error.message.lower()
    ):
        return ""
    events = [e for e in (request.body or {}).get("events") or () if isinstance(e, str)]
    paid = [e for e in events if e.partition(".")[0] in PAID_FEATURE_FAMILIES]
    if not paid:
        return "The organization's Calendly plan lacks a feature this webhook's events need"
    return (
        f"The organization's Calendly plan lacks the feature of {', '.join(paid)}: upgrade the "
        f"plan, or remove {'it' if len(paid) == 1 else 'them'} from this webhook"
    )
