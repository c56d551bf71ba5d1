"""Webhook subscriptions and sample webhook data.

From the spec and NOTES.md §3.5 / §4 / §7:
- no update endpoint; create, list, get, delete only;
- duplicate callback URL within the organization → 409 "Already Exists" / "Hook with this url
  already exists" (2023 spec example);
- creation needs a Standard+ plan (403 "Please upgrade your Calendly account to Standard" on
  basic/essentials) and the read scope of every subscribed event family; a missing family scope
  has been observed live as 400 Invalid Argument, not 403 (NOTES.md §7.1), so that is what we do,
  with one `details` entry per missing scope;
- meeting_recap.* only with scope user, routing_form_submission.created only with scope
  organization (NOTES.md §4.1);
- organization- and group-scope subscriptions need an admin or the owner; a plain member may
  create and list user-scope subscriptions for themself only (NOTES.md §4.1, 2023 examples);
- `signing_key` is accepted and kept only as a salted hash: never returned, never logged.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from reconciler.sandbox.context import Ctx, Reply
from reconciler.sandbox.errors import ApiError, Collector, denied, invalid_param, not_found
from reconciler.sandbox.model import Json, Webhook
from reconciler.sandbox.pagination import paginate, parse_sort, sort_key
from reconciler.sandbox.router import route
from reconciler.sandbox.scopes import event_scope, expand
from reconciler.sandbox.util import iso
from reconciler.sandbox.webhook_terms import PAYLOAD_EVENTS, SCOPES, hash_signing_key

FREE_PLANS = ("basic", "essentials")


def _valid_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@route("POST", "/webhook_subscriptions", scope="webhooks:write")
def create_webhook(ctx: Ctx) -> Reply:
    if ctx.store.org.plan in FREE_PLANS:
        raise denied("Please upgrade your Calendly account to Standard")
    body = ctx.json()
    errors = Collector()
    for name in ("url", "events", "organization", "scope"):
        if body.get(name) is None:
            errors.add(name, "is missing")
    if body.get("url") is not None and not _valid_url(body["url"]):
        errors.add("url", "must be a valid http(s) URL")
    scope = body.get("scope")
    if scope is not None and scope not in SCOPES:
        errors.add("scope", f"must be one of: {', '.join(SCOPES)}")
    if scope == "user" and body.get("user") is None:
        errors.add("user", "is missing")
    if scope == "group" and body.get("group") is None:
        errors.add("group", "is missing")
    if body.get("signing_key") is not None and not isinstance(body["signing_key"], str):
        errors.add("signing_key", "must be a string")
    events: list[str] = []
    raw_events = body.get("events")
    if raw_events is not None:
        if not isinstance(raw_events, list) or not raw_events:
            errors.add("events", "must be a non-empty array")
        else:
            for i, event in enumerate(raw_events):
                if event not in PAYLOAD_EVENTS:
                    errors.add(f"events[{i}]", f"must be one of: {', '.join(PAYLOAD_EVENTS)}")
                elif event not in events:
                    events.append(event)
    for event in events:
        if event.startswith("meeting_recap.") and scope in ("organization", "group"):
            errors.add("events", f"{event} is only available with scope user")
        if event == "routing_form_submission.created" and scope in ("user", "group"):
            errors.add("events", f"{event} is only available with scope organization")
    granted = expand(ctx.token.scopes) if ctx.token.scopes is not None else None
    if granted is not None:
        needed = sorted({s for e in events if (s := event_scope(e)) and s not in granted})
        for missing_scope in needed:
            errors.add("events", f"requires the {missing_scope} scope")
    errors.raise_if_any()
    ctx.ref_org(body["organization"], "organization")
    user_id = group_id = None
    if scope == "user":
        user_id = ctx.ref_user(body["user"], "user").id
        if user_id != ctx.caller.id and not ctx.is_admin:
            raise denied("You do not have permission")
    elif scope == "group":
        group_id = ctx.ref_id(body["group"], "groups", "group")
        if group_id not in ctx.store.groups:
            raise not_found("group")
        ctx.require_admin()
    else:
        ctx.require_admin()
    url: str = body["url"]
    if any(h.callback_url == url for h in ctx.store.webhooks.values()):
        raise ApiError(409, "Already Exists", "Hook with this url already exists")
    hook = Webhook(
        id=ctx.store.mint("webhook_subscriptions"),
        callback_url=url,
        events=events,
        scope=str(scope),
        user_id=user_id,
        group_id=group_id,
        creator_id=ctx.caller.id,
        state="active",
        retry_started_at=None,
        signing_key_hash=hash_signing_key(body["signing_key"]) if body.get("signing_key") else None,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.store.webhooks[hook.id] = hook
    ctx.record(
        "WebhookSubscription",
        "Create",
        {"webhook_subscription": ctx.views.uri("webhook_subscriptions", hook.id), "url": url},
    )
    return Reply(201, {"resource": ctx.views.webhook(hook)})


@route("GET", "/webhook_subscriptions", scope="webhooks:read")
def list_webhooks(ctx: Ctx) -> Reply:
    found = ctx.require("organization", "scope")
    ctx.ref_org(found["organization"], "organization")
    scope = found["scope"]
    if scope not in SCOPES:
        raise invalid_param("scope", f"must be one of: {', '.join(SCOPES)}")
    user_id = group_id = None
    if scope == "user":
        # NOTES.md §7.3: 400 {"details":[{"message":"is missing","parameter":"user"}]}
        user_id = ctx.ref_user(ctx.require("user")["user"], "user").id
        if user_id != ctx.caller.id and not ctx.is_admin:
            raise denied("Unauthorized")
    elif scope == "group":
        group_id = ctx.ref_id(ctx.require("group")["group"], "groups", "group")
        if group_id not in ctx.store.groups:
            raise not_found("group")
        ctx.require_admin()
    else:
        ctx.require_admin()
    order = parse_sort(ctx.q("sort"), ("created_at",), "created_at:asc")
    rows = [
        h
        for h in ctx.store.webhooks.values()
        if h.scope == scope
        and (user_id is None or h.user_id == user_id)
        and (group_id is None or h.group_id == group_id)
    ]
    page, pagination = paginate(
        rows,
        lambda h: sort_key([(h.created_at, desc) for _, desc in order], h.id),
        ctx.list_query(),
        ctx.page_tokens,
    )
    return Reply(
        200, {"collection": [ctx.views.webhook(h) for h in page], "pagination": pagination}
    )


def _webhook(ctx: Ctx) -> Webhook:
    hook = ctx.store.webhooks.get(ctx.params["webhook_uuid"])
    if hook is None:
        raise not_found()
    return hook


@route("GET", "/webhook_subscriptions/{webhook_uuid}", scope="webhooks:read")
def get_webhook(ctx: Ctx) -> Reply:
    return Reply(200, {"resource": ctx.views.webhook(_webhook(ctx))})


@route("DELETE", "/webhook_subscriptions/{webhook_uuid}", scope="webhooks:write")
def delete_webhook(ctx: Ctx) -> Reply:
    hook = _webhook(ctx)
    if not ctx.is_admin and (hook.scope != "user" or hook.user_id != ctx.caller.id):
        raise denied()
    del ctx.store.webhooks[hook.id]
    ctx.record(
        "WebhookSubscription",
        "Delete",
        {
            "webhook_subscription": ctx.views.uri("webhook_subscriptions", hook.id),
            "url": hook.callback_url,
        },
    )
    return Reply(204)


# ---- sample data ---------------------------------------------------------------------------


@route("GET", "/sample_webhook_data", scope="webhooks:read")
def sample_webhook_data(ctx: Ctx) -> Reply:
    found = ctx.require("event", "organization", "scope")
    errors = Collector()
    if found["event"] not in PAYLOAD_EVENTS:
        errors.add("event", f"must be one of: {', '.join(PAYLOAD_EVENTS)}")
    if found["scope"] not in SCOPES:
        errors.add("scope", f"must be one of: {', '.join(SCOPES)}")
    errors.raise_if_any()
    ctx.ref_org(found["organization"], "organization")
    if ctx.q("user"):
        ctx.ref_user(ctx.q("user"), "user")
    event = found["event"]
    # The delivery envelope itself, not wrapped in `resource` (NOTES.md §2.2).
    return Reply(
        200,
        {
            "event": event,
            "created_at": iso(ctx.now),
            "created_by": ctx.views.user_uri(ctx.caller.id),
            "payload": _sample_payload(ctx, event),
        },
    )


def _sample_payload(ctx: Ctx, event: str) -> Json:
    views, now = ctx.views, iso(ctx.now)
    family = event.partition(".")[0]
    sample_id = "SAMPLE0000000000"
    if family == "event_type":
        types = sorted(ctx.store.visible_event_types(), key=lambda et: (et.name, et.id))
        if types:
            payload = views.event_type(types[0])
            payload.pop("description_html", None)  # EventTypePayload omits it
            return payload
    if family in ("invitee", "invitee_no_show", "event_type"):
        event_uri = views.uri("scheduled_events", sample_id)
        return {
            "uri": f"{event_uri}/invitees/{sample_id}",
            "email": "sample.invitee@example.com",
            "name": "Sample Invitee",
            "first_name": "Sample",
            "last_name": "Invitee",
            "status": "canceled" if event == "invitee.canceled" else "active",
            "timezone": ctx.caller.timezone,
            "event": event_uri,
            "questions_and_answers": [],
            "rescheduled": False,
            "cancel_url": f"https://calendly.com/cancellations/{sample_id}",
            "reschedule_url": f"https://calendly.com/reschedulings/{sample_id}",
            "created_at": now,
            "updated_at": now,
        }
    if family == "routing_form_submission":
        return {
            "uri": views.uri("routing_form_submissions", sample_id),
            "routing_form": views.uri("routing_forms", sample_id),
            "questions_and_answers": [],
            "tracking": {},
            "result": {"type": "custom_message", "value": {"headline": "Thanks!", "body": ""}},
            "submitter": None,
            "submitter_type": None,
            "created_at": now,
            "updated_at": now,
        }
    if family == "contact":
        return {
            "uri": views.uri("contacts", sample_id),
            "first_name": "Sample",
            "last_name": "Contact",
            "emails": ["sample.contact@example.com"],
            "owner": views.user_uri(ctx.caller.id),
            "created_at": now,
            "updated_at": now,
        }
    return {
        "uri": views.uri("meeting_recaps", sample_id),
        "owner": views.user_uri(ctx.caller.id),
        "status": "completed",
        "created_at": now,
        "updated_at": now,
    }
