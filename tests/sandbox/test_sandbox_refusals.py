"""The real API's refusals (brief §2 and §3), each with its exact status and body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reconciler.sandbox import Sandbox
from tests.sandbox.conftest import Api
from tests.sandbox.support import FakeClock, Spec, last_id, path_of, tiny

INVALID = {"title": "Invalid Argument", "message": "The supplied parameters are invalid."}
NOT_FOUND = {
    "title": "Resource Not Found",
    "message": "The server could not find the requested resource.",
}
NO_PERMISSION = {
    "title": "Permission Denied",
    "message": "You do not have permission to access this resource.",
}


def invalid(*details: tuple[str, str]) -> dict[str, Any]:
    return {**INVALID, "details": [{"parameter": p, "message": m} for p, m in details]}


def check(response: httpx.Response, status: int, body: dict[str, Any]) -> None:
    assert (response.status_code, response.json()) == (status, body)


def uri(sb: Sandbox, email: str) -> str:
    return sb.user_uri(email)


def event_type_uri(client: httpx.Client, sb: Sandbox, name: str) -> str:
    listing = client.get("/event_types", params={"organization": sb.org_uri, "count": 100})
    return next(str(e["uri"]) for e in listing.json()["collection"] if e["name"] == name)


def membership_uri(client: httpx.Client, sb: Sandbox, email: str) -> str:
    listing = client.get("/organization_memberships", params={"user": uri(sb, email)})
    return str(listing.json()["collection"][0]["uri"])


def invitation_uri(client: httpx.Client, sb: Sandbox, email: str) -> str:
    listing = client.get(
        f"/organizations/{last_id(sb.org_uri)}/invitations", params={"email": email}
    )
    return str(listing.json()["collection"][0]["uri"])


# ---- authentication and scopes ---------------------------------------------------------------

UNAUTHENTICATED = {"title": "Unauthenticated", "message": "The access token is invalid"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic tok-owner"},
        {"Authorization": "tok-owner"},
    ],
)
def test_401_without_a_valid_bearer_token(sb: Sandbox, api: Api, headers: dict[str, str]) -> None:
    response = api(sb).get("/users/me", headers=headers)
    check(response, 401, UNAUTHENTICATED)
    assert response.headers["X-RateLimit-Limit"] == "500"


def test_token_of_a_removed_member_stops_working(sb: Sandbox, api: Api) -> None:
    admin = api(sb, "admin")
    assert admin.delete(path_of(membership_uri(admin, sb, "other@tiny.example"))).status_code == 204
    check(api(sb, "other").get("/users/me"), 401, UNAUTHENTICATED)


def test_403_insufficient_scope_names_the_required_scope(sb: Sandbox, api: Api, spec: Spec) -> None:
    response = api(sb, "readonly").post("/event_types", json={"owner": "x", "name": "y"})
    body = {
        "title": "Insufficient scope",
        "message": "This operation requires the scopes listed in the 'required_scopes' array.",
        "required_scopes": ["event_types:write"],
    }
    check(response, 403, body)
    spec.validate_pointer("/components/schemas/InsufficientScopeError", response.json())
    # A token with no scopes at all (a new PAT that requested none) can't even read itself.
    check(api(sb, "none").get("/users/me"), 403, {**body, "required_scopes": ["users:read"]})


def test_write_scope_implies_read_scope(sb: Sandbox, api: Api) -> None:
    writer = api(sb, "writer")
    assert writer.get("/event_types", params={"organization": sb.org_uri}).status_code == 200
    params = {"organization": sb.org_uri, "scope": "organization"}
    assert writer.get("/webhook_subscriptions", params=params).status_code == 200
    assert writer.get("/users/me").json()["required_scopes"] == ["users:read"]


def test_webhook_creation_needs_each_event_familys_read_scope(sb: Sandbox, api: Api) -> None:
    # NOTES.md §7.1: observed live as 400 Invalid Argument, not 403.
    body = {
        "url": "https://hooks.tiny.example/new",
        "organization": sb.org_uri,
        "scope": "organization",
        "events": ["invitee.created", "event_type.updated", "routing_form_submission.created"],
    }
    check(
        api(sb, "writer").post("/webhook_subscriptions", json=body),
        400,
        # event_types:read comes with the token's event_types:write
        invalid(
            ("events", "requires the routing_forms:read scope"),
            ("events", "requires the scheduled_events:read scope"),
        ),
    )
    # legacy tokens have every scope
    assert api(sb, "admin").post("/webhook_subscriptions", json=body).status_code == 201


# ---- plan gates ------------------------------------------------------------------------------


@pytest.mark.parametrize("plan", ["basic", "essentials"])
def test_webhook_creation_needs_a_paid_plan(
    make_sandbox: Callable[..., Sandbox], api: Api, plan: str
) -> None:
    sb = make_sandbox(tiny(plan=plan, stage="free"))
    body = {
        "url": "https://x.example/h",
        "organization": sb.org_uri,
        "scope": "organization",
        "events": ["invitee.created"],
    }
    check(
        api(sb, "owner").post("/webhook_subscriptions", json=body),
        403,
        {
            "title": "Permission Denied",
            "message": "Please upgrade your Calendly account to Standard",
        },
    )


def test_activity_log_needs_enterprise(make_sandbox: Callable[..., Sandbox], api: Api) -> None:
    sb = make_sandbox(tiny(plan="teams"))
    check(
        api(sb, "owner").get("/activity_log_entries", params={"organization": sb.org_uri}),
        403,
        {
            "title": "Permission Denied",
            "message": "Please upgrade your Calendly account to Enterprise.",
        },
    )


def test_free_plan_rate_limit_is_50(make_sandbox: Callable[..., Sandbox], api: Api) -> None:
    sb = make_sandbox(tiny(plan="basic", stage="free"))
    assert api(sb, "owner").get("/users/me").headers["X-RateLimit-Limit"] == "50"


# ---- role gates ------------------------------------------------------------------------------


def test_plain_members_cannot_invite_remove_or_revoke(sb: Sandbox, api: Api) -> None:
    member = api(sb, "member")
    org_id = last_id(sb.org_uri)
    check(
        member.post(f"/organizations/{org_id}/invitations", json={"email": "new@tiny.example"}),
        403,
        {"title": "Permission Denied", "message": "You do not have permission"},
    )
    check(
        member.delete(path_of(membership_uri(member, sb, "other@tiny.example"))),
        403,
        {
            "title": "Permission Denied",
            "message": "You do not have permission to perform this action",
        },
    )
    check(
        member.delete(path_of(invitation_uri(member, sb, "pending@tiny.example"))),
        403,
        NO_PERMISSION,
    )


def test_plain_members_cannot_manage_organization_webhooks(sb: Sandbox, api: Api) -> None:
    member = api(sb, "member")
    body = {
        "url": "https://x.example/h",
        "organization": sb.org_uri,
        "scope": "organization",
        "events": ["invitee.created"],
    }
    check(member.post("/webhook_subscriptions", json=body), 403, NO_PERMISSION)
    params = {"organization": sb.org_uri, "scope": "organization"}
    check(member.get("/webhook_subscriptions", params=params), 403, NO_PERMISSION)
    other_user = {**body, "scope": "user", "user": uri(sb, "other@tiny.example")}
    check(
        member.post("/webhook_subscriptions", json=other_user),
        403,
        {"title": "Permission Denied", "message": "You do not have permission"},
    )
    params = {"organization": sb.org_uri, "scope": "user", "user": uri(sb, "other@tiny.example")}
    check(
        member.get("/webhook_subscriptions", params=params),
        403,
        {"title": "Permission Denied", "message": "Unauthorized"},
    )
    own = {**body, "scope": "user", "user": uri(sb, "member@tiny.example")}
    assert member.post("/webhook_subscriptions", json=own).status_code == 201


def test_plain_members_cannot_create_or_patch_other_peoples_event_types(
    sb: Sandbox, api: Api
) -> None:
    member = api(sb, "member")
    owner_type = event_type_uri(member, sb, "Chat")
    check(member.patch(path_of(owner_type), json={"name": "Mine"}), 403, NO_PERMISSION)
    check(
        member.post("/event_types", json={"owner": uri(sb, "owner@tiny.example"), "name": "X"}),
        403,
        NO_PERMISSION,
    )
    params = {"event_type": owner_type}
    body = {"availability_rule": {"timezone": "UTC", "rules": []}}
    check(
        member.patch("/event_type_availability_schedules", params=params, json=body),
        403,
        NO_PERMISSION,
    )
    # ... but may manage their own, and an admin may manage anyone's (NOTES.md §7.8)
    mine = event_type_uri(member, sb, "Member Call")
    assert member.patch(path_of(mine), json={"duration": 20}).status_code == 200
    admin = api(sb, "admin")
    assert admin.patch(path_of(owner_type), json={"duration": 20}).status_code == 200
    made = admin.post("/event_types", json={"owner": uri(sb, "member@tiny.example"), "name": "Y"})
    assert made.status_code == 201
    assert made.json()["resource"]["profile"]["owner"] == uri(sb, "member@tiny.example")


# ---- event types -----------------------------------------------------------------------------


def test_event_types_cannot_be_deleted(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    chat = event_type_uri(client, sb, "Chat")
    check(client.delete(path_of(chat)), 404, NOT_FOUND)
    assert client.get(path_of(chat)).status_code == 200


def test_group_event_types_cannot_be_patched(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    group = event_type_uri(client, sb, "Team Rotation")
    check(
        client.patch(path_of(group), json={"name": "Renamed"}),
        400,
        invalid(("uuid", "only one-on-one event types (kind: solo) can be updated")),
    )


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"name": "A"}, [("owner", "is missing")]),
        ({"owner": "OWNER"}, [("name", "is missing")]),
        ({"owner": "OWNER", "name": " "}, [("name", "must be filled")]),
        (
            {"owner": "OWNER", "name": "A", "duration": 0},
            [("duration", "must be between 1 and 720")],
        ),
        (
            {"owner": "OWNER", "name": "A", "duration": 721},
            [("duration", "must be between 1 and 720")],
        ),
        ({"owner": "OWNER", "name": "A", "duration": "30"}, [("duration", "must be an integer")]),
        ({"owner": "OWNER", "name": "A", "duration": 30.5}, [("duration", "must be an integer")]),
        (
            {"owner": "OWNER", "name": "A", "duration_options": [15, 30, 45, 60, 90]},
            [("duration_options", "must have at most 4 options")],
        ),
        (
            {"owner": "OWNER", "name": "A", "duration_options": [15, 15]},
            [("duration_options", "must be unique")],
        ),
        (
            {"owner": "OWNER", "name": "A", "duration_options": [0, 30]},
            [("duration_options[0]", "must be between 1 and 720")],
        ),
        (
            {"owner": "OWNER", "name": "A", "duration": 20, "duration_options": [15, 30]},
            [("duration", "must be one of duration_options")],
        ),
        (
            {"owner": "OWNER", "name": "A", "color": "#00FF00"},
            [("color", "must be a lowercase hex color like #0069ff")],
        ),
        (
            {"owner": "OWNER", "name": "A", "locale": "ja"},
            [("locale", "must be one of: de, en, es, fr, it, nl, pt, uk")],
        ),
        (
            {"owner": "OWNER", "name": "A", "locations": [{"kind": "carrier_pigeon"}]},
            [
                (
                    "locations[0].kind",
                    "must be one of: ask_invitee, custom, google_conference, "
                    "gotomeeting_conference, inbound_call, microsoft_teams_conference, "
                    "outbound_call, physical, webex_conference, zoom_conference",
                )
            ],
        ),
        ({"owner": "OWNER", "name": "A", "active": "yes"}, [("active", "must be a boolean")]),
        (
            {"owner": "https://api.calendly.com/groups/X", "name": "A"},
            [("owner", "must be a valid users URI")],
        ),
    ],
)
def test_event_type_create_validation(
    sb: Sandbox, api: Api, body: dict[str, Any], details: list[tuple[str, str]]
) -> None:
    if body.get("owner") == "OWNER":
        body = {**body, "owner": uri(sb, "owner@tiny.example")}
    check(api(sb, "owner").post("/event_types", json=body), 400, invalid(*details))


def test_event_type_owner_must_be_a_member(sb: Sandbox, api: Api) -> None:
    check(
        api(sb, "owner").post(
            "/event_types", json={"owner": "https://api.calendly.com/users/NOBODY", "name": "A"}
        ),
        404,
        {**NOT_FOUND, "details": [{"parameter": "owner", "message": "not found"}]},
    )


def test_listing_event_types_needs_user_or_organization(sb: Sandbox, api: Api) -> None:
    message = "either organization or user is required"
    check(
        api(sb, "owner").get("/event_types"),
        400,
        invalid(("organization", message), ("user", message)),
    )


# ---- availability ----------------------------------------------------------------------------


def test_availability_patch_replaces_all_rules(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    chat = event_type_uri(client, sb, "Chat")
    params = {"event_type": chat}
    before = client.get("/event_type_availability_schedules", params=params).json()
    assert [len(r["intervals"]) for r in before["collection"][0]["availability_rule"]["rules"]] == [
        0,
        1,
        1,
        1,
        1,
        1,
        0,
    ]
    body = {
        "availability_rule": {
            "timezone": "America/New_York",
            "rules": [
                {"type": "wday", "wday": "monday", "intervals": [{"from": "10:00", "to": "11:00"}]}
            ],
        }
    }
    patched = client.patch("/event_type_availability_schedules", params=params, json=body)
    assert patched.status_code == 200
    rules = client.get("/event_type_availability_schedules", params=params).json()["collection"][0][
        "availability_rule"
    ]["rules"]
    assert rules == [
        {"type": "wday", "intervals": [], "wday": "sunday"},
        {"type": "wday", "intervals": [{"from": "10:00", "to": "11:00"}], "wday": "monday"},
        {"type": "wday", "intervals": [], "wday": "tuesday"},
        {"type": "wday", "intervals": [], "wday": "wednesday"},
        {"type": "wday", "intervals": [], "wday": "thursday"},
        {"type": "wday", "intervals": [], "wday": "friday"},
        {"type": "wday", "intervals": [], "wday": "saturday"},
    ]
    assert patched.json()["resource"]["availability_rule"]["rules"] == rules


@pytest.mark.parametrize(
    ("rule", "details"),
    [
        ({"rules": []}, [("availability_rule.timezone", "is missing")]),
        (
            {"timezone": "Mars/Olympus_Mons"},
            [("availability_rule.timezone", "must be a valid IANA time zone")],
        ),
        (
            {
                "timezone": "UTC",
                "rules": [
                    {
                        "type": "wday",
                        "wday": "monday",
                        "intervals": [{"from": "9:00", "to": "17:00"}],
                    }
                ],
            },
            [
                (
                    "availability_rule.rules[0].intervals[0].from",
                    "must be a time in 24h HH:MM format",
                )
            ],
        ),
        (
            {
                "timezone": "UTC",
                "rules": [
                    {
                        "type": "wday",
                        "wday": "monday",
                        "intervals": [{"from": "17:00", "to": "09:00"}],
                    }
                ],
            },
            [("availability_rule.rules[0].intervals[0]", "from must be earlier than to")],
        ),
        (
            {"timezone": "UTC", "rules": [{"type": "wday", "intervals": []}]},
            [("availability_rule.rules[0].wday", "is missing")],
        ),
        (
            {"timezone": "UTC", "rules": [{"type": "date", "intervals": []}]},
            [("availability_rule.rules[0].date", "is missing")],
        ),
        (
            {"timezone": "UTC", "rules": [{"type": "date", "date": "2026-02-30", "intervals": []}]},
            [("availability_rule.rules[0].date", "must be a date in YYYY-MM-DD format")],
        ),
        (
            {"timezone": "UTC", "rules": [{"type": "weekly", "intervals": []}]},
            [("availability_rule.rules[0].type", "must be one of: wday, date")],
        ),
        (
            {"timezone": "UTC", "user": "https://api.calendly.com/users/SOMEONE"},
            [("availability_rule.user", "must be the event type's owner")],
        ),
    ],
)
def test_availability_patch_validation(
    sb: Sandbox, api: Api, rule: dict[str, Any], details: list[tuple[str, str]]
) -> None:
    client = api(sb, "owner")
    params = {"event_type": event_type_uri(client, sb, "Chat")}
    response = client.patch(
        "/event_type_availability_schedules", params=params, json={"availability_rule": rule}
    )
    check(response, 400, invalid(*details))


def test_availability_needs_a_wellformed_event_type_uri(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    path = "/event_type_availability_schedules"
    check(client.get(path), 400, invalid(("event_type", "is missing")))
    check(
        client.get(path, params={"event_type": "not a uri"}),
        400,
        invalid(("event_type", "must be a valid event_types URI")),
    )
    check(
        client.get(path, params={"event_type": "https://elsewhere.example/event_types/NOPE"}),
        404,
        {**NOT_FOUND, "details": [{"parameter": "event_type", "message": "not found"}]},
    )


# ---- webhooks --------------------------------------------------------------------------------


def _hook(sb: Sandbox, **overrides: Any) -> dict[str, Any]:
    body = {
        "url": "https://hooks.tiny.example/new",
        "organization": sb.org_uri,
        "scope": "organization",
        "events": ["invitee.created"],
    }
    body.update(overrides)
    return body


def test_duplicate_webhook_url_is_409(sb: Sandbox, api: Api) -> None:
    check(
        api(sb, "owner").post(
            "/webhook_subscriptions", json=_hook(sb, url="https://hooks.tiny.example/org")
        ),
        409,
        {"title": "Already Exists", "message": "Hook with this url already exists"},
    )
    # the URL is unique within the organization, whatever the scope
    duplicate_user_hook = _hook(
        sb,
        url="https://hooks.tiny.example/member",
        scope="user",
        user=uri(sb, "owner@tiny.example"),
    )
    assert (
        api(sb, "owner").post("/webhook_subscriptions", json=duplicate_user_hook).status_code == 409
    )


def test_signing_key_is_accepted_but_never_returned(
    make_sandbox: Callable[..., Sandbox], api: Api, tmp_path: Any
) -> None:
    state = tmp_path / "state.json"
    sb = make_sandbox(state_path=state)
    client = api(sb, "owner")
    created = client.post("/webhook_subscriptions", json=_hook(sb, signing_key="TOP-SECRET-KEY"))
    assert created.status_code == 201
    hook = created.json()["resource"]
    assert "signing_key" not in hook
    assert "TOP-SECRET-KEY" not in created.text
    assert "TOP-SECRET-KEY" not in client.get(path_of(hook["uri"])).text
    listing = client.get(
        "/webhook_subscriptions", params={"organization": sb.org_uri, "scope": "organization"}
    )
    assert "TOP-SECRET-KEY" not in listing.text and "signing_key" not in listing.text
    assert sb.requests[0].body["signing_key"] == "(sensitive)"
    assert "TOP-SECRET-KEY" not in state.read_text()
    assert "TOP-SECRET-KEY" not in str(sb.state())
    assert sb.signing_key_matches(hook["uri"], "TOP-SECRET-KEY")
    assert not sb.signing_key_matches(hook["uri"], "wrong")


@pytest.mark.parametrize(
    ("overrides", "details"),
    [
        ({"url": None}, [("url", "is missing")]),
        ({"url": "not-a-url"}, [("url", "must be a valid http(s) URL")]),
        ({"events": []}, [("events", "must be a non-empty array")]),
        (
            {"events": ["invitee.exploded"]},
            [
                (
                    "events[0]",
                    "must be one of: invitee.created, invitee.canceled, "
                    "invitee_no_show.created, invitee_no_show.deleted, "
                    "routing_form_submission.created, event_type.created, event_type.deleted, "
                    "event_type.updated, meeting_recap.created, meeting_recap.updated, "
                    "meeting_recap.deleted, contact.created, contact.updated, contact.deleted",
                )
            ],
        ),
        ({"scope": "team"}, [("scope", "must be one of: organization, user, group")]),
        ({"scope": "user"}, [("user", "is missing")]),
        ({"scope": "group"}, [("group", "is missing")]),
        (
            {"events": ["meeting_recap.created"]},
            [("events", "meeting_recap.created is only available with scope user")],
        ),
        (
            {"scope": "user", "user": "USER", "events": ["routing_form_submission.created"]},
            [
                (
                    "events",
                    "routing_form_submission.created is only available with scope organization",
                )
            ],
        ),
    ],
)
def test_webhook_create_validation(
    sb: Sandbox, api: Api, overrides: dict[str, Any], details: list[tuple[str, str]]
) -> None:
    body = {k: v for k, v in _hook(sb, **overrides).items() if v is not None}
    if body.get("user") == "USER":
        body["user"] = uri(sb, "owner@tiny.example")
    check(api(sb, "owner").post("/webhook_subscriptions", json=body), 400, invalid(*details))


def test_webhook_organization_must_be_the_callers(sb: Sandbox, api: Api) -> None:
    body = _hook(sb, organization="https://api.calendly.com/organizations/ELSEWHERE")
    check(
        api(sb, "owner").post("/webhook_subscriptions", json=body),
        404,
        {**NOT_FOUND, "details": [{"parameter": "organization", "message": "not found"}]},
    )


def test_webhook_list_required_parameters(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    check(
        client.get("/webhook_subscriptions"),
        400,
        invalid(("organization", "is missing"), ("scope", "is missing")),
    )
    # NOTES.md §7.3: the live body for scope=user without user
    response = client.get(
        "/webhook_subscriptions", params={"organization": sb.org_uri, "scope": "user"}
    )
    check(response, 400, invalid(("user", "is missing")))
    assert response.json()["details"] == [{"message": "is missing", "parameter": "user"}]
    check(
        client.get("/webhook_subscriptions", params={"organization": sb.org_uri, "scope": "group"}),
        400,
        invalid(("group", "is missing")),
    )


# ---- memberships and invitations -------------------------------------------------------------


def test_owner_and_caller_cannot_be_removed(sb: Sandbox, api: Api) -> None:
    admin, owner = api(sb, "admin"), api(sb, "owner")
    check(
        admin.delete(path_of(membership_uri(admin, sb, "owner@tiny.example"))),
        403,
        {"title": "Permission Denied", "message": "You can not change owner role"},
    )
    yourself = {
        "title": "Permission Denied",
        "message": "You can not remove yourself from organization",
    }
    check(admin.delete(path_of(membership_uri(admin, sb, "admin@tiny.example"))), 403, yourself)
    check(owner.delete(path_of(membership_uri(owner, sb, "owner@tiny.example"))), 403, yourself)


def test_removing_a_member_removes_them_from_the_organization(sb: Sandbox, api: Api) -> None:
    admin = api(sb, "admin")
    membership = membership_uri(admin, sb, "member@tiny.example")
    member_uri = uri(sb, "member@tiny.example")
    member_type = event_type_uri(admin, sb, "Member Call")
    assert admin.delete(path_of(membership)).status_code == 204
    check(admin.get(path_of(membership)), 404, NOT_FOUND)
    check(admin.get(path_of(member_uri)), 404, NOT_FOUND)
    check(admin.get(path_of(member_type)), 404, NOT_FOUND)
    names = [
        e["name"]
        for e in admin.get("/event_types", params={"organization": sb.org_uri}).json()["collection"]
    ]
    assert names == ["Chat", "Team Rotation"]
    params = {"organization": sb.org_uri, "scope": "user", "user": member_uri}
    check(
        admin.get("/webhook_subscriptions", params=params),
        404,
        {**NOT_FOUND, "details": [{"parameter": "user", "message": "not found"}]},
    )
    owners = [r["owner"]["uri"] for r in admin.get("/group_relationships").json()["collection"]]
    assert membership not in owners
    check(admin.delete(path_of(membership)), 404, NOT_FOUND)


def test_invitation_body_takes_email_only(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    path = f"/organizations/{last_id(sb.org_uri)}/invitations"
    check(
        client.post(path, json={"email": "new@tiny.example", "role": "admin"}),
        400,
        invalid(("role", "is not allowed")),
    )
    check(client.post(path, json={}), 400, invalid(("email", "is missing")))
    check(client.post(path, json={"email": ""}), 400, invalid(("email", "must be filled")))


@pytest.mark.parametrize(
    ("email", "title", "message"),
    [
        (
            "invalid_email@example",
            "Invalid Email",
            "invalid_email@example is an invalid email format",
        ),
        (
            "pending@tiny.example",
            "Already Invited",
            "pending@tiny.example has already been invited",
        ),
        (
            "PENDING@tiny.example",
            "Already Invited",
            "pending@tiny.example has already been invited",
        ),
        (
            "member@tiny.example",
            "Already Organization Member",
            "member@tiny.example is already in the organization",
        ),
    ],
)
def test_invitation_refusals(sb: Sandbox, api: Api, email: str, title: str, message: str) -> None:
    response = api(sb, "owner").post(
        f"/organizations/{last_id(sb.org_uri)}/invitations", json={"email": email}
    )
    check(response, 400, {"title": title, "message": message})


def test_revoking_invitations(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    accepted = invitation_uri(client, sb, "member@tiny.example")
    check(
        client.delete(path_of(accepted)),
        400,
        {
            "title": "Invitation Already Accepted",
            "message": "The invitation has already been accepted.",
        },
    )
    pending = invitation_uri(client, sb, "pending@tiny.example")
    assert client.delete(path_of(pending)).status_code == 204
    check(client.get(path_of(pending)), 404, NOT_FOUND)
    listing = client.get(f"/organizations/{last_id(sb.org_uri)}/invitations").json()
    assert [i["email"] for i in listing["collection"]] == ["member@tiny.example"]
    check(client.delete(path_of(pending)), 404, NOT_FOUND)


# ---- rate limits and pagination --------------------------------------------------------------


def test_429_when_the_users_window_is_exhausted(
    make_sandbox: Callable[..., Sandbox], api: Api, clock: FakeClock
) -> None:
    sb = make_sandbox(rate_limit=3, rate_window=60)
    owner, owner_again, admin = api(sb, "owner"), api(sb, "owner-2"), api(sb, "admin")
    remaining = [owner.get("/users/me").headers["X-RateLimit-Remaining"] for _ in range(2)]
    clock.advance(20.5)
    third = owner_again.get("/users/me")  # another token of the same user shares the budget
    assert [*remaining, third.headers["X-RateLimit-Remaining"]] == ["2", "1", "0"]
    limited = owner.get("/users/me")
    check(
        limited,
        429,
        {
            "title": "Too Many Requests",
            "message": "You have exceeded the rate limit. Please try again later.",
        },
    )
    assert {k: v for k, v in limited.headers.items() if k.startswith("x-ratelimit")} == {
        "x-ratelimit-limit": "3",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": "40",
    }
    assert "retry-after" not in limited.headers
    assert admin.get("/users/me").status_code == 200  # other users are unaffected
    clock.advance(39.5)
    assert owner.get("/users/me").status_code == 200
    assert sb.counters["by_status"] == {"200": 5, "429": 1}


def test_rate_limit_headers_are_on_every_response(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    for response in (
        client.get("/users/me"),
        client.get("/nowhere"),
        client.get("/event_types"),
        api(sb, "none").get("/users/me"),
        api(sb).get("/users/me"),
    ):
        assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(
            response.headers
        ), response.status_code
        assert response.headers["x-ratelimit-reset"].isdigit()


def test_page_tokens_are_bound_to_their_filters_and_go_stale(
    sb: Sandbox, api: Api, clock: FakeClock
) -> None:
    client = api(sb, "owner")
    first = client.get("/event_types", params={"organization": sb.org_uri, "count": 1}).json()
    token = first["pagination"]["next_page_token"]
    bad_token = invalid(("page_token", "is invalid"))
    other_filters = {"organization": sb.org_uri, "count": 1, "active": "true", "page_token": token}
    check(client.get("/event_types", params=other_filters), 400, bad_token)
    same = {"organization": sb.org_uri, "count": 2, "page_token": token}  # count may change
    assert client.get("/event_types", params=same).status_code == 200
    check(
        client.get("/event_types", params={"organization": sb.org_uri, "page_token": "forged"}),
        400,
        bad_token,
    )
    clock.advance(301)
    check(
        client.get("/event_types", params={"organization": sb.org_uri, "page_token": token}),
        400,
        bad_token,
    )


@pytest.mark.parametrize(
    ("count", "message"),
    [
        ("0", "must be between 1 and 100"),
        ("101", "must be between 1 and 100"),
        ("ten", "must be an integer"),
        ("-1", "must be an integer"),
    ],
)
def test_count_is_validated(sb: Sandbox, api: Api, count: str, message: str) -> None:
    response = api(sb, "owner").get(
        "/event_types", params={"organization": sb.org_uri, "count": count}
    )
    check(response, 400, invalid(("count", message)))


def test_activity_log_count_goes_to_1000(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    params = {"organization": sb.org_uri}
    assert client.get("/activity_log_entries", params={**params, "count": 1000}).status_code == 200
    check(
        client.get("/activity_log_entries", params={**params, "count": 1001}),
        400,
        invalid(("count", "must be between 1 and 1000")),
    )
    check(api(sb, "member").get("/activity_log_entries", params=params), 403, NO_PERMISSION)


def test_unknown_routes_and_methods_are_404(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    for method, path in (
        ("GET", "/nowhere"),
        ("PUT", "/webhook_subscriptions/X"),
        ("PATCH", "/webhook_subscriptions/X"),
        ("DELETE", "/event_types/X"),  # as probed live (NOTES.md §6.1)
        ("TRACE", "/event_types/X"),
        ("GET", "/event_types/"),
    ):
        check(client.request(method, path), 404, NOT_FOUND)


def test_other_methods_on_a_fixed_path_are_405_with_allow(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    for method, path, allow in (
        ("DELETE", "/users/me", "GET"),
        ("TRACE", "/event_types", "GET, POST"),
        ("PUT", "/event_type_availability_schedules", "GET, PATCH"),
        ("OPTIONS", "/webhook_subscriptions", "GET, POST"),
    ):
        response = client.request(method, path)
        check(
            response,
            405,
            {"title": "Method Not Allowed", "message": f"{method} is not allowed on {path}."},
        )
        assert response.headers["Allow"] == allow
