"""Behaviours of the emulated API beyond refusals: defaults, canonical forms, pagination, logs."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reconciler.sandbox import Sandbox
from tests.sandbox.conftest import Api
from tests.sandbox.support import FakeClock, last_id, path_of, tiny

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def names(response: httpx.Response) -> list[str]:
    return [item["name"] for item in response.json()["collection"]]


def create(client: httpx.Client, sb: Sandbox, **body: Any) -> dict[str, Any]:
    body.setdefault("owner", sb.user_uri("owner@tiny.example"))
    response = client.post("/event_types", json=body)
    assert response.status_code == 201, response.text
    resource: dict[str, Any] = response.json()["resource"]
    return resource


# ---- event types -----------------------------------------------------------------------------


def test_created_event_type_defaults(sb: Sandbox, api: Api, clock: FakeClock) -> None:
    client = api(sb, "owner")
    et = create(client, sb, name="Coffee Chat ☕", description="Let's talk <shop>.")
    assert TIMESTAMP.match(et["created_at"]) and et["created_at"] == et["updated_at"]
    assert et["created_at"] == "2026-01-01T00:00:00.000000Z"
    owner = sb.user_uri("owner@tiny.example")
    assert {k: v for k, v in et.items() if k not in ("uri", "created_at", "updated_at")} == {
        "name": "Coffee Chat ☕",
        "active": False,  # spec default; observed live (NOTES.md §7.7)
        "admin_managed": False,
        "booking_method": "instant",
        "color": "#0069ff",
        "custom_questions": [
            {
                "name": "Please share anything that will help prepare for our meeting.",
                "type": "text",
                "position": 0,
                "enabled": True,
                "required": False,
                "answer_choices": [],
                "include_other": False,
            }
        ],
        "deleted_at": None,
        "description_html": "<p>Let&#x27;s talk &lt;shop&gt;.</p>",
        "description_plain": "Let's talk <shop>.",
        "duration": 30,
        "duration_options": None,
        "internal_note": None,
        "is_paid": False,
        "kind": "solo",
        "locale": "en",
        "locations": None,
        "pooling_type": None,
        "position": 1,
        "profile": {"type": "User", "name": "Olive Owner", "owner": owner},
        "scheduling_url": "https://calendly.com/olive-owner/coffee-chat",
        "secret": False,
        "slug": "coffee-chat",
        "type": "StandardEventType",
        "start_time_increment": 30,  # CHANGES-2026.md: defaults 30, 0, 0
        "before_buffer": 0,
        "after_buffer": 0,
    }


def test_unknown_and_read_only_fields_are_silently_ignored(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    et = create(
        client,
        sb,
        name="Demo",
        active=True,
        slug="my-slug",
        secret=True,
        pooling_type="collective",
        custom_questions=[],
        internal_note="x",
        favourite_colour="blue",
    )
    assert (et["active"], et["slug"], et["secret"], et["internal_note"]) == (
        False,  # new event types arrive inactive whatever the body says (NOTES.md §7.7)
        "demo",
        False,
        None,
    )
    assert len(et["custom_questions"]) == 1
    patched = client.patch(path_of(et["uri"]), json={"slug": "other", "kind": "group", "x": 1})
    assert patched.status_code == 200
    assert (patched.json()["resource"]["slug"], patched.json()["resource"]["kind"]) == (
        "demo",
        "solo",
    )


def test_slug_is_frozen_and_unique_per_owner(sb: Sandbox, api: Api, clock: FakeClock) -> None:
    client = api(sb, "owner")
    first = create(client, sb, name="Intro Call")
    second = create(client, sb, name="Intro Call")  # duplicate names are allowed
    other = create(client, sb, name="Intro Call", owner=sb.user_uri("admin@tiny.example"))
    assert [first["slug"], second["slug"], other["slug"]] == [
        "intro-call",
        "intro-call-1",
        "intro-call",
    ]
    clock.advance(5)
    renamed = client.patch(path_of(first["uri"]), json={"name": "Discovery"}).json()["resource"]
    assert (renamed["name"], renamed["slug"]) == ("Discovery", "intro-call")
    assert renamed["scheduling_url"] == "https://calendly.com/olive-owner/intro-call"
    assert renamed["updated_at"] == "2026-01-01T00:00:05.000000Z"


def test_patch_updates_writable_fields(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    et = create(client, sb, name="Sync", duration=30)
    body = {
        "duration": 45,
        "duration_options": [30, 45],
        "color": "#123abc",
        "locale": "de",
        "description": "",
        "active": True,
        "locations": [{"kind": "inbound_call", "phone_number": "+49 30 1234", "junk": 1}],
    }
    patched = client.patch(path_of(et["uri"]), json=body).json()["resource"]
    assert {
        k: patched[k] for k in ("duration", "duration_options", "color", "locale", "active")
    } == {
        "duration": 45,
        "duration_options": [30, 45],
        "color": "#123abc",
        "locale": "de",
        "active": True,
    }
    assert patched["locations"] == [{"kind": "inbound_call", "phone_number": "+49 30 1234"}]
    assert (patched["description_plain"], patched["description_html"]) == (None, None)
    cleared = client.patch(path_of(et["uri"]), json={"locations": []}).json()["resource"]
    assert cleared["locations"] is None


def test_list_filters_and_sorting(sb: Sandbox, api: Api, clock: FakeClock) -> None:
    client = api(sb, "owner")
    clock.advance(1)
    alpha = create(client, sb, name="alpha")
    client.patch(path_of(alpha["uri"]), json={"active": True})
    clock.advance(1)
    create(client, sb, name="Beta")
    org = {"organization": sb.org_uri}
    assert names(client.get("/event_types", params=org)) == [
        "alpha",
        "Beta",
        "Chat",
        "Member Call",
        "Team Rotation",
    ]
    assert (
        names(client.get("/event_types", params={**org, "sort": "name:desc"}))[0] == "Team Rotation"
    )
    assert names(client.get("/event_types", params={**org, "sort": "created_at:desc"}))[:2] == [
        "Beta",
        "alpha",
    ]
    owner = {"user": sb.user_uri("owner@tiny.example")}
    assert names(client.get("/event_types", params={**owner, "sort": "position:asc"})) == [
        "Chat",
        "alpha",
        "Beta",
    ]
    assert names(client.get("/event_types", params={**owner, "active": "false"})) == ["Beta"]
    assert names(client.get("/event_types", params={**org, "admin_managed": "true"})) == []
    bad = client.get("/event_types", params={**org, "sort": "duration:asc"})
    assert bad.status_code == 400 and bad.json()["details"][0]["parameter"] == "sort"


def test_group_event_type_hosts_are_its_memberships(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    group = next(
        e
        for e in client.get("/event_types", params={"organization": sb.org_uri}).json()[
            "collection"
        ]
        if e["kind"] == "group"
    )
    assert (group["pooling_type"], group["profile"]["owner"]) == (
        "round_robin",
        sb.user_uri("admin@tiny.example"),
    )
    hosts = client.get("/event_type_memberships", params={"event_type": group["uri"]}).json()
    assert [m["member"]["email"] for m in hosts["collection"]] == [
        "member@tiny.example",
        "other@tiny.example",
    ]
    assert all(m["event_type"] == group for m in hosts["collection"])


def test_one_off_event_types_are_adhoc_and_not_listed(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    body = {
        "name": "Quick sync",
        "host": sb.user_uri("owner@tiny.example"),
        "duration": 20,
        "date_setting": {"type": "days_in_future", "days": 5, "only_weekdays": True},
        "location": {"kind": "custom", "location": "The usual place"},
    }
    created = client.post("/one_off_event_types", json=body)
    assert created.status_code == 201
    et = created.json()["resource"]
    assert (et["type"], et["duration_options"], et["locations"]) == (
        "AdhocEventType",
        None,
        [{"kind": "custom", "location": "The usual place"}],
    )
    assert client.get(path_of(et["uri"])).json()["resource"] == et
    assert "Quick sync" not in names(
        client.get("/event_types", params={"organization": sb.org_uri})
    )
    bad = client.post("/one_off_event_types", json={**body, "date_setting": {"type": "forever"}})
    assert bad.status_code == 400
    assert bad.json()["details"] == [
        {
            "parameter": "date_setting.type",
            "message": "must be one of: date_range, days_in_future, spots",
        }
    ]


# ---- availability ----------------------------------------------------------------------------


def test_new_event_type_availability_copies_the_owners_default_schedule(
    sb: Sandbox, api: Api
) -> None:
    client = api(sb, "admin")
    et = create(client, sb, name="Berlin hours", owner=sb.user_uri("admin@tiny.example"))
    schedules = client.get(
        "/user_availability_schedules", params={"user": sb.user_uri("admin@tiny.example")}
    ).json()["collection"]
    assert "pagination" not in schedules
    default = schedules[0]
    av = client.get("/event_type_availability_schedules", params={"event_type": et["uri"]}).json()
    rule = av["collection"][0]["availability_rule"]
    assert av["collection"][0]["availability_setting"] == "host"
    assert rule == {
        "timezone": "Europe/Berlin",
        "uri": default["uri"],
        "name": "Working Hours",
        "user": sb.user_uri("admin@tiny.example"),
        "rules": default["rules"],
    }
    using = client.get(
        "/event_types",
        params={
            "user": sb.user_uri("admin@tiny.example"),
            "user_availability_schedule": default["uri"],
        },
    )
    assert names(using) == ["Berlin hours", "Team Rotation"]


def test_availability_is_returned_in_calendlys_canonical_form(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    et = create(client, sb, name="Hours")
    params = {"event_type": et["uri"]}
    rules = [
        {"type": "date", "date": "2026-12-31", "intervals": [{"from": "10:00", "to": "12:00"}]},
        {
            "type": "wday",
            "wday": "friday",
            "intervals": [{"from": "13:00", "to": "17:00"}, {"from": "09:00", "to": "12:00"}],
        },
        {"type": "date", "date": "2026-7-4", "intervals": []},
        {
            "type": "wday",
            "wday": "monday",
            "intervals": [
                {"from": "09:00", "to": "12:00"},
                {"from": "12:00", "to": "13:00"},
                {"from": "12:30", "to": "24:00"},
            ],
        },
    ]
    body = {
        "availability_rule": {"timezone": "US/Eastern", "rules": rules},
        "availability_setting": "host",
    }
    resource = client.patch("/event_type_availability_schedules", params=params, json=body).json()[
        "resource"
    ]
    rule = resource["availability_rule"]
    assert rule["timezone"] == "America/New_York"
    assert (rule["name"], rule["uri"].rsplit("/", 2)[1]) == (None, "user_availability_schedules")
    assert [(r.get("wday") or r["date"], r["intervals"]) for r in rule["rules"]] == [
        ("sunday", []),
        ("monday", [{"from": "09:00", "to": "24:00"}]),  # touching/overlapping intervals merged
        ("tuesday", []),
        ("wednesday", []),
        ("thursday", []),
        ("friday", [{"from": "09:00", "to": "12:00"}, {"from": "13:00", "to": "17:00"}]),
        ("saturday", []),
        ("2026-07-04", []),
        ("2026-12-31", [{"from": "10:00", "to": "12:00"}]),
    ]
    # the custom schedule is the event type's own, not a user schedule
    assert client.get(path_of(rule["uri"])).status_code == 404
    # rules omitted: only the time zone changes
    tz_only = {"availability_rule": {"timezone": "Asia/Calcutta"}}
    again = client.patch("/event_type_availability_schedules", params=params, json=tz_only).json()
    assert again["resource"]["availability_rule"]["timezone"] == "Asia/Kolkata"
    assert again["resource"]["availability_rule"]["rules"] == rule["rules"]
    assert again["resource"]["availability_rule"]["uri"] == rule["uri"]


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("US/Eastern", "America/New_York"),
        ("US/Pacific", "America/Los_Angeles"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Europe/Oslo", "Europe/Oslo"),
        ("UTC", "UTC"),
    ],
)
def test_time_zone_aliases_are_canonicalized(alias: str, canonical: str) -> None:
    from reconciler.sandbox.timezones import ALIASES, canonical_timezone, known_zones

    assert canonical_timezone(alias) == canonical
    assert all(target in known_zones() and target not in ALIASES for target in ALIASES.values())


def test_locations_and_user_lookup(acme: Sandbox, api: Api) -> None:
    client = api(acme, "demo")
    dana = acme.user_uri("dana@acme.example")
    assert client.get("/locations", params={"user": dana}).json() == {
        "collection": [
            {"kind": "zoom_conference", "connected": True},
            {"kind": "google_conference", "connected": False},
        ]
    }
    me = client.get("/users/me").json()
    assert (
        client.get("/users/me").json()
        == client.get(f"/users/{last_id(me['resource']['uri'])}").json()
    )
    assert client.get(f"/organizations/{last_id(acme.org_uri)}").json()["resource"] == {
        "uri": acme.org_uri,
        "name": "Acme, Inc.",
        "kind": "multiple",
        "plan": "enterprise",
        "stage": "paid",
        "created_at": "2024-01-15T09:00:00.000000Z",
        "updated_at": "2024-01-15T09:00:00.000000Z",
    }


# ---- pagination ------------------------------------------------------------------------------


def test_pagination_walks_forward_and_back_on_the_requests_base(acme: Sandbox, api: Api) -> None:
    client = api(acme, "demo", base_url="http://sandbox.test:8080")
    params: dict[str, str | int] = {"organization": acme.org_uri, "count": 4}
    seen: list[str] = []
    page = client.get("/event_types", params=params).json()
    assert page["pagination"]["previous_page"] is None
    pages = [page]
    while page["pagination"]["next_page"]:
        url = page["pagination"]["next_page"]
        assert url.startswith("http://sandbox.test:8080/event_types?organization=")
        page = client.get(url).json()
        pages.append(page)
    for p in pages:
        seen += [e["name"] for e in p["collection"]]
    assert [p["pagination"]["count"] for p in pages] == [4, 4, 4, 2]
    assert len(seen) == len(set(seen)) == 14
    assert seen == sorted(seen, key=str.casefold)
    back = client.get(pages[-1]["pagination"]["previous_page"]).json()
    assert back["collection"] == pages[-2]["collection"]
    assert pages[-1]["pagination"]["next_page_token"] is None
    # resources keep their portable URIs whatever base the request used
    assert back["collection"][0]["uri"].startswith("https://api.calendly.com/event_types/")


def test_cursors_survive_writes_between_pages(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    params: dict[str, str | int] = {"organization": sb.org_uri, "count": 2}
    first = client.get("/event_types", params=params).json()
    create(client, sb, name="AAA first in order")  # sorts before the cursor
    rest = client.get(
        "/event_types", params={**params, "page_token": first["pagination"]["next_page_token"]}
    ).json()
    assert names_of(first) + names_of(rest) == ["Chat", "Member Call", "Team Rotation"]


def names_of(body: dict[str, Any]) -> list[str]:
    return [item["name"] for item in body["collection"]]


# ---- invitations, memberships, groups --------------------------------------------------------


def test_invitation_lifecycle_and_filters(sb: Sandbox, api: Api, clock: FakeClock) -> None:
    client = api(sb, "owner")
    path = f"/organizations/{last_id(sb.org_uri)}/invitations"
    clock.advance(1)
    created = client.post(path, json={"email": "New.Person@Tiny.example"})
    assert created.status_code == 201
    invitation = created.json()["resource"]
    assert {k: invitation[k] for k in ("email", "status", "organization", "last_sent_at")} == {
        "email": "new.person@tiny.example",
        "status": "pending",
        "organization": sb.org_uri,
        "last_sent_at": "2026-01-01T00:00:01.000000Z",
    }
    assert invitation["uri"].startswith(f"{sb.org_uri}/invitations/")
    pending = client.get(path, params={"status": "pending"}).json()["collection"]
    assert [i["email"] for i in pending] == ["pending@tiny.example", "new.person@tiny.example"]
    by_email = client.get(path, params={"sort": "email:desc"}).json()["collection"]
    assert [i["email"] for i in by_email] == [
        "pending@tiny.example",
        "new.person@tiny.example",
        "member@tiny.example",
    ]
    accepted = sb.accept_invitation(invitation["uri"], name="Nina Person", timezone="Europe/Kiev")
    assert (accepted["status"], accepted["user"]) == (
        "accepted",
        sb.user_uri("new.person@tiny.example"),
    )
    member = client.get(
        "/organization_memberships",
        params={"organization": sb.org_uri, "email": "new.person@tiny.example"},
    )
    membership = member.json()["collection"][0]
    assert (membership["role"], membership["user"]["name"], membership["user"]["timezone"]) == (
        "user",
        "Nina Person",
        "Europe/Kyiv",
    )
    declined = sb.decline_invitation("pending@tiny.example")
    assert declined["status"] == "declined"
    # a declined invitation does not block a new one
    assert client.post(path, json={"email": "pending@tiny.example"}).status_code == 201


def test_accepted_invitee_group_relationship_becomes_a_membership(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    rels = client.get("/group_relationships", params={"organization": sb.org_uri}).json()[
        "collection"
    ]
    invited = next(r for r in rels if r["owner"]["type"] == "OrganizationInvitation")
    assert invited["owner"]["email"] == "pending@tiny.example"
    by_owner = client.get("/group_relationships", params={"owner": invited["owner"]["uri"]}).json()
    assert [r["uri"] for r in by_owner["collection"]] == [invited["uri"]]
    sb.accept_invitation(invited["owner"]["uri"])
    after = client.get(path_of(invited["uri"])).json()["resource"]
    assert after["owner"]["type"] == "OrganizationMembership"
    assert after["owner"]["user"]["email"] == "pending@tiny.example"
    group = client.get(path_of(after["group"])).json()["resource"]
    assert (group["name"], group["member_count"]) == ("Crew", 2)


def test_membership_filters(acme: Sandbox, api: Api) -> None:
    client = api(acme, "demo")
    admins = client.get(
        "/organization_memberships", params={"organization": acme.org_uri, "role": "admin"}
    ).json()["collection"]
    assert sorted(m["user"]["email"] for m in admins) == [
        "ben@acme.example",
        "chloe@acme.example",
        "laura@acme.example",
    ]
    mine = client.get(
        "/organization_memberships", params={"user": acme.user_uri("alice@acme.example")}
    )
    assert [m["role"] for m in mine.json()["collection"]] == ["owner"]


# ---- webhooks --------------------------------------------------------------------------------


def test_webhook_create_list_disable_delete(sb: Sandbox, api: Api, clock: FakeClock) -> None:
    client = api(sb, "admin")
    body = {
        "url": "https://hooks.tiny.example/crew",
        "organization": sb.org_uri,
        "scope": "group",
        "group": client.get("/groups", params={"organization": sb.org_uri}).json()["collection"][0][
            "uri"
        ],
        "events": ["invitee.created", "invitee.created", "invitee.canceled"],
    }
    hook = client.post("/webhook_subscriptions", json=body).json()["resource"]
    assert {
        k: hook[k]
        for k in ("callback_url", "state", "events", "scope", "user", "creator", "retry_started_at")
    } == {
        "callback_url": "https://hooks.tiny.example/crew",
        "state": "active",
        "events": ["invitee.created", "invitee.canceled"],
        "scope": "group",
        "user": None,
        "creator": sb.user_uri("admin@tiny.example"),
        "retry_started_at": None,
    }
    assert re.match(r"^https://api.calendly.com/webhook_subscriptions/[0-9a-f-]{36}$", hook["uri"])
    listing = client.get(
        "/webhook_subscriptions",
        params={"organization": sb.org_uri, "scope": "group", "group": body["group"]},
    )
    assert [h["uri"] for h in listing.json()["collection"]] == [hook["uri"]]
    clock.advance(86_400 * 2)
    disabled = sb.disable_webhook(hook["uri"])
    assert (disabled["state"], disabled["retry_started_at"]) == (
        "disabled",
        "2026-01-02T00:00:00.000000Z",
    )
    assert client.get(path_of(hook["uri"])).json()["resource"]["state"] == "disabled"
    assert client.delete(path_of(hook["uri"])).status_code == 204
    assert client.get(path_of(hook["uri"])).status_code == 404
    user_scope = client.get(
        "/webhook_subscriptions",
        params={
            "organization": sb.org_uri,
            "scope": "user",
            "user": sb.user_uri("member@tiny.example"),
        },
    ).json()["collection"]
    assert [h["callback_url"] for h in user_scope] == ["https://hooks.tiny.example/member"]


def test_sample_webhook_data_is_unwrapped(acme: Sandbox, api: Api) -> None:
    client = api(acme, "demo")
    params = {"event": "invitee.created", "organization": acme.org_uri, "scope": "organization"}
    sample = client.get("/sample_webhook_data", params=params).json()
    assert set(sample) == {"event", "created_at", "created_by", "payload"}
    assert sample["created_by"] == acme.user_uri("alice@acme.example")
    bad = client.get("/sample_webhook_data", params={**params, "event": "nope"})
    assert bad.status_code == 400 and bad.json()["details"][0]["parameter"] == "event"


# ---- activity log ----------------------------------------------------------------------------


def test_activity_log_records_each_successful_write(
    sb: Sandbox, api: Api, clock: FakeClock
) -> None:
    owner, member = api(sb, "owner"), api(sb, "member")
    clock.advance(10)
    et = create(owner, sb, name="Logged")
    clock.advance(10)
    owner.patch(path_of(et["uri"]), json={"duration": 45})
    member.patch(path_of(et["uri"]), json={"duration": 50})  # refused: not logged
    params = {"organization": sb.org_uri}
    log = owner.get("/activity_log_entries", params=params).json()
    assert (log["total_count"], log["exceeds_max_total_count"]) == (2, False)
    assert log["last_event_time"] == "2026-01-01T00:00:20.000000Z"
    newest = log["collection"][0]
    assert {
        k: newest[k]
        for k in (
            "namespace",
            "action",
            "fully_qualified_name",
            "occurred_at",
            "organization",
            "details",
        )
    } == {
        "namespace": "EventType",
        "action": "Update",
        "fully_qualified_name": "EventType.Update",
        "occurred_at": "2026-01-01T00:00:20.000000Z",
        "organization": sb.org_uri,
        "details": {"event_type": et["uri"], "name": "Logged", "changes": ["duration"]},
    }
    assert newest["actor"] == {
        "uri": sb.user_uri("owner@tiny.example"),
        "type": "User",
        "organization": {"uri": sb.org_uri, "role": "Owner"},
        "display_name": "Olive Owner",
        "alternative_identifier": "owner@tiny.example",
    }
    oldest_first = owner.get("/activity_log_entries", params={**params, "sort": "occurred_at:asc"})
    assert [e["action"] for e in oldest_first.json()["collection"]] == ["Create", "Update"]
    creates = owner.get("/activity_log_entries", params={**params, "action": "Create"}).json()
    assert creates["total_count"] == 1
    since = owner.get(
        "/activity_log_entries", params={**params, "min_occurred_at": "2026-01-01T00:00:15Z"}
    )
    assert since.json()["total_count"] == 1
    found = owner.get("/activity_log_entries", params={**params, "search_term": "logged"})
    assert found.json()["total_count"] == 2


# ---- determinism -----------------------------------------------------------------------------


def test_uris_are_deterministic_per_seed(make_sandbox: Callable[..., Sandbox]) -> None:
    a, b, c = make_sandbox(), make_sandbox(), make_sandbox(seed=1)
    assert a.state() == b.state()
    assert a.org_uri == b.org_uri != c.org_uri
    assert re.match(r"^https://api.calendly.com/organizations/[A-Z2-7]{16}$", a.org_uri)


def test_uri_base_is_configurable(make_sandbox: Callable[..., Sandbox], api: Api) -> None:
    sb = make_sandbox(tiny(), uri_base="https://calendly.sandbox.test")
    me = api(sb, "owner").get("/users/me").json()["resource"]
    assert me["uri"].startswith("https://calendly.sandbox.test/users/")
    # references are accepted on any host as long as the path matches
    other_host = me["uri"].replace("calendly.sandbox.test", "api.calendly.com")
    listing = api(sb, "owner").get("/event_types", params={"user": other_host})
    assert names(listing) == ["Chat"]
