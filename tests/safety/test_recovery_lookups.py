"""recovery.py's look-ups, call by call, on a fake reader (tests/MUTATION.md).

Aspects: `confirm` per method (found, not found, gone, still there, a method it does not
know); the exact listing each lost create is looked up in; a lost event type PATCH done only
when every field it sets holds; a lost availability PATCH done only when the time zone, the
rules and the user all hold (any one alone is not enough, nor is an empty answer), and one that
really failed is sent again after each look; a 404 on the read back is "not done".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from reconciler import recovery
from reconciler.apply import Status
from reconciler.client.errors import MalformedResponse, NotFound
from reconciler.kinds.availability import PATH as AVAILABILITY
from reconciler.model import Request
from reconciler.sandbox import Sandbox
from tests.conftest import API
from tests.harness import Harness
from tests.safety.test_recovery import log

ALICE = "https://api.calendly.com/users/ALICE"
BEN = "https://api.calendly.com/users/BEN"
ORG = "https://api.calendly.com/organizations/ORG"
TYPE = "https://api.calendly.com/event_types/T1"


class Reader:
    """Answers from `answers` (path -> body; an exception is raised); logs every call."""

    max_concurrency = 1

    def __init__(self, answers: Mapping[str, Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def _answer(self, how: str, path: str, params: Mapping[str, Any] | None) -> Any:
        self.calls.append((how, path, dict(params or {})))
        answer = self.answers[path]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def get_resource(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._answer("resource", path, params)

    def get_collection(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._answer("collection", path, params)

    def list_all(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._answer("list_all", path, params)


def not_found(path: str) -> NotFound:
    return NotFound(method="GET", path=path, status=404)


# ---- confirm ------------------------------------------------------------------------------------


def test_confirm_a_delete_is_done_only_when_the_object_is_gone() -> None:
    delete = Request("DELETE", "/webhook_subscriptions/W1")
    gone = Reader({"/webhook_subscriptions/W1": not_found("/webhook_subscriptions/W1")})
    assert recovery.confirm(gone, delete, ORG) is recovery.GONE
    assert gone.calls == [("resource", "/webhook_subscriptions/W1", {})]
    there = Reader({"/webhook_subscriptions/W1": {"resource": {"uri": "W1"}}})
    assert recovery.confirm(there, delete, ORG) is None


def test_confirm_a_create_answers_the_found_object_as_a_resource() -> None:
    create = Request("POST", "/organizations/ORG/invitations", body={"email": "q@acme.example"})
    found = {"email": "q@acme.example", "uri": "I1"}
    reader = Reader({"/organizations/ORG/invitations": [found]})
    assert recovery.confirm(reader, create, ORG) == {"resource": found}
    assert recovery.confirm(Reader({"/organizations/ORG/invitations": []}), create, ORG) is None


def test_confirm_a_method_it_cannot_check_is_not_done() -> None:
    reader = Reader({})
    assert recovery.confirm(reader, Request("PUT", "/event_types/T1", body={}), ORG) is None
    assert reader.calls == []


# ---- lost creates: the exact listing they are looked up in --------------------------------------


def test_a_lost_invitation_is_looked_up_by_email_among_pending_ones() -> None:
    create = Request("POST", "/organizations/ORG/invitations", body={"email": "Quinn@Acme.example"})
    found = {"email": "quinn@acme.example", "uri": "I1"}
    reader = Reader({"/organizations/ORG/invitations": [{"email": "other@acme.example"}, found]})
    assert recovery.find_created(reader, create, ORG) == found
    assert reader.calls == [
        (
            "list_all",
            "/organizations/ORG/invitations",
            {"email": "Quinn@Acme.example", "status": "pending"},
        )
    ]


def test_a_lost_event_type_is_looked_up_among_its_owners() -> None:
    create = Request("POST", "/event_types", body={"owner": ALICE, "name": "Sync"})
    mine = {"uri": "u1", "name": "Sync", "profile": {"owner": ALICE}}
    reader = Reader({"/event_types": [{"uri": "u0", "name": "Other"}, mine]})
    assert recovery.find_created(reader, create, ORG) == mine
    assert reader.calls == [("list_all", "/event_types", {"user": ALICE})]


def test_a_lost_webhook_is_looked_up_in_its_scope() -> None:
    hook = {"url": "https://h.example/x", "events": ["b", "a"]}
    found = {"callback_url": "https://h.example/x", "events": ["a", "b"]}
    for scope, extra, query in [
        ("organization", {}, {"organization": ORG, "scope": "organization"}),
        ("user", {"user": BEN}, {"organization": ORG, "scope": "user", "user": BEN}),
        ("group", {"group": "G1"}, {"organization": ORG, "scope": "group", "group": "G1"}),
    ]:
        create = Request("POST", "/webhook_subscriptions", body={**hook, "scope": scope, **extra})
        item = {**found, "scope": scope}
        reader = Reader({"/webhook_subscriptions": [{**item, "callback_url": "x"}, item]})
        assert recovery.find_created(reader, create, ORG) == item
        assert reader.calls == [("list_all", "/webhook_subscriptions", query)]


def test_a_create_of_anything_else_finds_nothing() -> None:
    reader = Reader({})
    assert recovery.find_created(reader, Request("POST", "/groups", body={"x": 1}), ORG) is None
    assert reader.calls == []


# ---- lost PATCHes -------------------------------------------------------------------------------

EVENT_TYPE = {
    "uri": TYPE,
    "name": "Sync",
    "duration": 30,
    "active": True,
    "profile": {"owner": ALICE},
}


def test_a_lost_event_type_patch_is_done_only_when_every_field_holds() -> None:
    reader = Reader({"/event_types/T1": EVENT_TYPE})
    done = Request("PATCH", "/event_types/T1", body={"duration": 30, "active": True})
    assert recovery.find_patched(reader, done) == {"resource": EVENT_TYPE}
    half = Request("PATCH", "/event_types/T1", body={"duration": 30, "active": False})
    assert recovery.find_patched(reader, half) is None
    assert reader.calls == [("resource", "/event_types/T1", {})] * 2
    gone = Reader({"/event_types/T1": not_found("/event_types/T1")})
    assert recovery.find_patched(gone, done) is None


def availability_body(timezone: str, monday: list[str], user: str) -> dict[str, Any]:
    rules = [{"type": "wday", "wday": "monday", "intervals": []}]
    rules[0]["intervals"] = [{"from": s[:5], "to": s[6:]} for s in monday]
    return {"timezone": timezone, "rules": rules, "user": user}


def patch(timezone: str, monday: list[str], user: str) -> Request:
    body = {"availability_rule": availability_body(timezone, monday, user)}
    return Request("PATCH", AVAILABILITY, params={"event_type": TYPE}, body=body)


LIVE = {"availability_rule": availability_body("America/New_York", ["09:00-12:00"], ALICE)}


def test_a_lost_availability_patch_is_done_when_zone_rules_and_user_all_hold() -> None:
    reader = Reader({AVAILABILITY: [LIVE]})
    assert recovery.find_patched(reader, patch("America/New_York", ["09:00-12:00"], ALICE)) == {
        "resource": LIVE
    }
    assert reader.calls == [("collection", AVAILABILITY, {"event_type": TYPE})]
    # Date rules are compared whatever the day (the PATCH only sends future ones).
    dated = {"type": "date", "date": "2026-12-24", "intervals": [{"from": "10:00", "to": "11:00"}]}
    live = {"availability_rule": {**LIVE["availability_rule"]}}
    live["availability_rule"]["rules"] = [*LIVE["availability_rule"]["rules"], dated]
    request = patch("America/New_York", ["09:00-12:00"], ALICE)
    assert request.body is not None
    request.body["availability_rule"]["rules"].append(dated)
    assert recovery.find_patched(Reader({AVAILABILITY: [live]}), request) == {"resource": live}
    assert recovery.find_patched(Reader({AVAILABILITY: [LIVE]}), request) is None
    # The same zone under another name is the same zone.
    same_zone = patch("US/Eastern", ["09:00-12:00"], ALICE)
    assert recovery.find_patched(Reader({AVAILABILITY: [LIVE]}), same_zone) is not None


def test_a_lost_availability_patch_is_not_done_when_only_part_of_it_holds() -> None:
    """Counting any of these as applied would lose the change silently."""
    reader = Reader({AVAILABILITY: [LIVE]})
    only_user = patch("Europe/Paris", ["10:00-11:00"], ALICE)
    only_zone = patch("America/New_York", ["10:00-11:00"], BEN)
    only_rules = patch("Europe/Paris", ["09:00-12:00"], BEN)
    zone_and_rules = patch("America/New_York", ["09:00-12:00"], BEN)
    zone_and_user = patch("America/New_York", ["10:00-11:00"], ALICE)
    rules_and_user = patch("Europe/Paris", ["09:00-12:00"], ALICE)
    for request in (only_user, only_zone, only_rules, zone_and_rules, zone_and_user):
        assert recovery.find_patched(reader, request) is None, request.body
    assert recovery.find_patched(reader, rules_and_user) is None


def test_a_lost_availability_patch_with_nothing_to_read_back_is_not_done() -> None:
    # A body that an empty answer would match, were it compared: an empty answer is not done.
    body = {"availability_rule": {"timezone": "", "rules": [], "user": None}}
    request = Request("PATCH", AVAILABILITY, params={"event_type": TYPE}, body=body)
    assert recovery.find_patched(Reader({AVAILABILITY: []}), request) is None
    gone = Reader({AVAILABILITY: not_found(AVAILABILITY)})
    assert recovery.find_patched(gone, patch("Europe/Paris", ["09:00-12:00"], ALICE)) is None


def test_a_malformed_availability_read_back_names_the_event_type() -> None:
    reader = Reader({AVAILABILITY: [{"availability_rule": "x"}]})
    with pytest.raises(MalformedResponse) as caught:
        recovery.find_patched(reader, patch("America/New_York", ["09:00-12:00"], ALICE))
    assert str(caught.value) == (
        f"malformed availability #1 of event type ({TYPE}): `availability_rule` is the string "
        "'x', expected an object or null"
    )


def test_a_lost_patch_of_anything_else_is_not_done() -> None:
    reader = Reader({})
    assert recovery.find_patched(reader, Request("PATCH", "/groups/G1", body={"x": 1})) is None
    assert reader.calls == []


def test_an_availability_patch_that_did_not_happen_is_sent_again_after_each_look(
    harness: Harness, sandbox: Sandbox
) -> None:
    """Only the user matches what Calendly holds after a 503: not done, so sent again."""
    config = harness.config("""
    members: [{email: chloe@acme.example}]
    event_types:
      - name: Partner Intro
        owner: chloe@acme.example
        availability:
          timezone: Europe/Paris
          rules: [{wday: [monday, friday], intervals: ["08:00-12:00"]}]
    """)
    uri = f"{API}/event_types/{harness.event_type_id('chloe@acme.example', 'Partner Intro')}"
    sandbox.set_faults("seed=1,5xx=1.0,codes=503,methods=PATCH")
    mark = len(sandbox.requests)
    _, result, _ = harness.apply(config)
    assert [(o.status, o.message) for o in result.outcomes] == [
        (
            Status.FAILED,
            f"PATCH {AVAILABILITY}?event_type={uri} failed 4 times, each checked afterwards: it "
            f"was not applied (last: PATCH {AVAILABILITY} answered 503: Calendly may or may not "
            "have applied it)",
        )
    ]
    sent, look = ("PATCH", AVAILABILITY, "503", 503), ("GET", AVAILABILITY, None, 200)
    assert log(sandbox, mark)[-8:] == [sent, look] * 4
    sandbox.set_faults(None)
    assert [c.kind for c in harness.plan(config).changes] == ["availability"]


# ---- a lost PATCH of a user availability schedule ----------------------------------------------

SCHEDULE = "/user_availability_schedules/S1"
DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]


def week(monday: str = "09:00") -> list[dict[str, Any]]:
    return [
        {
            "type": "wday",
            "wday": day,
            "intervals": [{"from": monday, "to": "17:00"}] if day == "monday" else [],
        }
        for day in DAYS
    ]


def schedule(**fields: Any) -> dict[str, Any]:
    resource = {
        "uri": API + SCHEDULE,
        "name": "Working Hours",
        "user": ALICE,
        "default": False,
        "timezone": "Europe/Berlin",
        "rules": week(),
    }
    return resource | fields


def patched(answer: Any, body: dict[str, Any]) -> dict[str, Any] | None:
    return recovery.find_patched(Reader({SCHEDULE: answer}), Request("PATCH", SCHEDULE, body=body))


def test_a_lost_schedule_patch_is_done_only_when_every_value_it_sets_holds() -> None:
    live = schedule()
    sent = {"rules": list(reversed(week())), "timezone": "Europe/Berlin", "default": False}
    assert patched(live, sent) == {"resource": live}  # same rules in another order: done
    assert patched(live, {"name": "Working Hours"}) == {"resource": live}
    assert patched(live, sent | {"rules": week("10:00")}) is None  # other hours
    assert patched(live, sent | {"timezone": "America/New_York"}) is None
    assert patched(live, sent | {"default": True}) is None
    assert patched(live, {"name": "Office Hours"}) is None
    assert patched(not_found(SCHEDULE), sent) is None  # gone: not done
