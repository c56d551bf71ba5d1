"""Building export entries from live objects the config format cannot fully express.

Calendly may hold values outside the published schema or unknown to this machine; the export
still has to load, so the field is left out (unmanaged) or the entry becomes a comment, each
with a note saying why.
"""

from __future__ import annotations

from reconciler.export.build import webhook_entries
from reconciler.export.event_types import compact_rules, event_type_entries
from reconciler.kinds.availability import WEEKDAYS
from reconciler.model import Live, OrgContext

API = "https://api.calendly.com"


def event_type(name: str, owner: str = "a@x.example", **spec: object) -> Live:
    base = {
        "owner": owner,
        "name": name,
        "duration": 30,
        "duration_options": [],
        "active": True,
        "color": "#0069ff",
        "description": "",
        "locale": "en",
        "locations": [],
    }
    return Live(
        "event_type",
        f"{owner}/{name}",
        {**base, **spec},
        uri=f"{API}/event_types/{name.upper()}",
        meta={"kind": "solo", "slug": name.lower()},
    )


def test_values_outside_the_format_are_left_out_with_a_note() -> None:
    live = event_type(
        "Odd", duration_options=[15, 45], locale="xx", locations=[{"kind": "hologram"}]
    )
    schedule = Live(
        "availability",
        live.key,
        {"timezone": "Mars/Olympus", "rules": {d: ["09:00-17:00"] for d in WEEKDAYS}},
        uri=live.uri,
    )
    [entry], listed = event_type_entries([live], {live.uri: schedule}, members={"a@x.example"})
    assert listed == []
    assert entry.declared
    assert dict(entry.data) == {
        "name": "Odd",
        "owner": "a@x.example",
        "duration": 30,
        "active": True,
        "color": "#0069ff",
    }
    assert entry.notes == (
        "locale is left out (unmanaged): 'xx' is not one of "
        "['de', 'en', 'es', 'fr', 'it', 'nl', 'pt', 'uk'].",
        "locations is left out (unmanaged): 'hologram' is not one of ['ask_invitee', 'custom', "
        "'google_conference', 'gotomeeting_conference', 'inbound_call', "
        "'microsoft_teams_conference', 'outbound_call', 'physical', 'webex_conference', "
        "'zoom_conference'].",
        "duration_options [15, 45] are left out (unmanaged): they do not include the duration "
        "30, which the config format requires.",
        "availability is left out (unmanaged): this machine's tz database has no time zone "
        "'Mars/Olympus'.",
    )


def test_an_owner_who_is_not_a_member_makes_a_comment() -> None:
    live = event_type("Orphan", owner=f"{API}/users/GONE")
    [entry], _ = event_type_entries([live], {}, members={"a@x.example"})
    assert not entry.declared
    assert entry.notes == (f"Not declared: its owner {API}/users/GONE is not a member of the "
                           "organization.",)  # fmt: skip


def test_an_empty_name_cannot_be_declared() -> None:
    [entry], _ = event_type_entries([event_type("")], {}, members={"a@x.example"})
    assert not entry.declared
    assert entry.notes[-1] == (
        "Not declared: it does not fit the config format ('' should be non-empty)."
    )


def test_group_event_types_are_listed_not_declared() -> None:
    live = event_type("Team", active=False)
    live = Live(
        live.kind,
        live.key,
        live.spec,
        live.uri,
        {"kind": "group", "pooling_type": "collective", "scheduling_url": "https://c/x"},
    )
    entries, [item] = event_type_entries([live], {}, members={"a@x.example"})
    assert entries == []
    assert (item.text, item.url, item.owner) == (
        "a@x.example/Team: group event type (collective), inactive",
        "https://c/x",
        "a@x.example",
    )


def test_compact_rules_group_weekdays_and_leave_out_days_off() -> None:
    rules: dict[str, list[str]] = {d: [] for d in WEEKDAYS}
    rules.update(monday=["09:00-12:00"], friday=["09:00-12:00"], tuesday=["10:00-11:00"])
    rules["2026-12-24"] = []
    assert compact_rules(rules) == [
        {"wday": ["monday", "friday"], "intervals": ["09:00-12:00"]},
        {"wday": "tuesday", "intervals": ["10:00-11:00"]},
        {"date": "2026-12-24", "intervals": []},
    ]
    assert compact_rules({d: [] for d in WEEKDAYS}) == []


def hook(url: str, scope: str = "organization", events: list[str] | None = None,
         **extra: str) -> Live:  # fmt: skip
    spec = {"url": url, "scope": scope, **extra, "events": events or ["invitee.created"]}
    return Live("webhook", f"{scope} {url}", spec, uri=f"{API}/webhook_subscriptions/{len(url)}",
                meta={"state": "active"})  # fmt: skip


def test_webhooks_that_cannot_be_declared_are_comments_saying_why() -> None:
    ctx = OrgContext(f"{API}/organizations/O", f"{API}/users/ME")
    ctx.add_group("Sales", f"{API}/groups/G")
    entries = webhook_entries(
        [
            hook("https://ok.example/h"),
            hook("http://plain.example/h"),
            hook("https://new.example/h", events=["invitee.created", "future.event"]),
            hook("https://u.example/h", "user", user=f"{API}/users/GONE"),
            hook("https://g.example/h", "group", group=f"{API}/groups/OTHER"),
            hook("https://s.example/h", "group", group="Sales"),
        ],
        ctx,
        members={"a@x.example"},
    )
    assert [(e.data["url"], e.declared, e.notes) for e in entries] == [
        ("https://ok.example/h", True, ()),
        (
            "http://plain.example/h",
            False,
            ("Not declared: the config format takes https:// URLs (plain http:// only for a "
             "loopback host, with --allow-insecure-webhooks).",),
        ),
        (
            "https://new.example/h",
            False,
            ("Not declared: it does not fit the config format ('future.event' is not one of "
             "['invitee.created', 'invitee.canceled', 'invitee_no_show.created', "
             "'invitee_no_show.deleted', 'routing_form_submission.created', "
             "'event_type.created', 'event_type.updated', 'event_type.deleted', "
             "'meeting_recap.created', 'meeting_recap.updated', 'meeting_recap.deleted', "
             "'contact.created', 'contact.updated', 'contact.deleted']).",),
        ),
        (
            "https://u.example/h",
            False,
            (f"Not declared: its user {API}/users/GONE is not a member of the organization.",),
        ),
        (
            "https://g.example/h",
            False,
            (f"Not declared: its group {API}/groups/OTHER is not a group of the organization.",),
        ),
        ("https://s.example/h", True, ()),
    ]  # fmt: skip
    assert [e.tail for e in entries if e.declared] == [
        ("signing_key: ${WEBHOOK_SIGNING_KEY}  # Calendly never returns signing keys",),
    ] * 2
