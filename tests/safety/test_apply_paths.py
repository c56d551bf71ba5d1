"""apply.py's paths, call by call, on a scripted client (tests/MUTATION.md).

Aspects: a create answered 409 adopts what the lookup finds (its URI feeds what depends on it)
or fails with the 409 when nothing matches; only a POST is adopted; a DELETE answered 404 is
done, any other 404 fails; the follow-up PATCH that sets `active` again, only when the answer
differs from the body; a failure after an earlier request of the same change names it; notes
of several requests are joined; placeholders in path, query and nested body; what a missing
dependency, a failure and a skip leave to the changes after them; a stop before the start;
and, on the sandbox, a new event type ending as active as declared.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from reconciler.apply import INTERRUPTED, ApplyResult, Status, apply
from reconciler.client.errors import ApiError, Conflict, NotFound
from reconciler.model import Request
from reconciler.plan import Action, Change, Plan, placeholder
from reconciler.sandbox import Sandbox
from tests.harness import Harness

ORG = "https://api.calendly.com/organizations/ORG"
ALICE = "https://api.calendly.com/users/ALICE"
BEN = "https://api.calendly.com/users/BEN"
TYPE = "https://api.calendly.com/event_types/T1"
KEY = "alice@acme.example/Sync"
AVAILABILITY = "/event_type_availability_schedules"

Answer = Any  # a body, an exception to raise, or a callable of the call count


class Client:
    """Answers writes from `writes[(method, path)]` and listings from `listings[path]`, each a
    list used in order (the last one repeats); logs every call."""

    max_concurrency = 1

    def __init__(
        self,
        writes: Mapping[tuple[str, str], list[Answer]] | None = None,
        listings: Mapping[str, Any] | None = None,
    ) -> None:
        self.writes = {k: list(v) for k, v in (writes or {}).items()}
        self.listings = {k: v if callable(v) else list(v) for k, v in (listings or {}).items()}
        self.calls: list[tuple[Any, ...]] = []

    @staticmethod
    def _next(answers: list[Answer]) -> Any:
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
    ) -> Any:
        self.calls.append((method, path, dict(params or {}), json))
        return self._next(self.writes[(method, path)])

    def list_all(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        self.calls.append(("LIST", path, dict(params or {})))
        answers = self.listings.get(path, [[]])
        if callable(answers):  # answers by query
            return self._next(answers(dict(params or {})))
        return self._next(answers)

    def get_resource(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        raise AssertionError(f"unexpected GET {path}")

    def get_collection(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        raise AssertionError(f"unexpected GET {path}")

    def iter_collection(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        raise AssertionError(f"unexpected GET {path}")


def run(client: Client, *changes: Change, stop: threading.Event | None = None) -> ApplyResult:
    events: list[tuple[str, str]] = []
    plan = Plan(tuple(changes), organization=ORG)
    result = apply(plan, client, on_event=lambda e, c, _: events.append((e, c.id)), stop=stop)
    started = [i for e, i in events if e == "start"]
    finished = [i for e, i in events if e != "start"]
    assert sorted(finished) == sorted(c.id for c in changes)
    assert set(started) <= set(finished)
    return result


def outcomes(result: ApplyResult) -> list[tuple[str, Status, str]]:
    return [(o.change.id, o.status, o.message) for o in result.outcomes]


def create_type(body: Mapping[str, Any] | None = None) -> Change:
    body = dict(body or {"owner": ALICE, "name": "Sync", "duration": 30})
    after = {"owner": "alice@acme.example", "name": "Sync", "duration": 30}
    request = Request("POST", "/event_types", body=body)
    return Change("event_type", Action.CREATE, KEY, {}, after, requests=(request,))


def set_availability(key: str = KEY) -> Change:
    params = {"event_type": placeholder("event_type", key)}
    body = {"availability_rule": {"rules": [{"note": placeholder("event_type", key)}]}}
    request = Request("PATCH", AVAILABILITY, params=params, body=body)
    return Change("availability", Action.UPDATE, key, {}, {}, requests=(request,))


def conflict(path: str) -> Conflict:
    return Conflict(method="POST", path=path, status=409, title="Already Exists")


SYNC = {"uri": TYPE, "name": "Sync", "duration": 30, "active": True, "profile": {"owner": ALICE}}


# ---- a create answered 409 or 400 ---------------------------------------------------------------


def test_a_create_answered_409_adopts_what_the_lookup_finds() -> None:
    client = Client(
        writes={
            ("POST", "/event_types"): [conflict("/event_types")],
            ("PATCH", AVAILABILITY): [{}],
        },
        listings={"/event_types": [[], [SYNC]]},  # not there before the POST, there after
    )
    result = run(client, create_type(), set_availability())
    assert outcomes(result) == [
        (f"event_type:{KEY}", Status.DONE, "already existed"),
        (f"availability:{KEY}", Status.DONE, ""),
    ]
    assert client.calls[-2] == (
        "PATCH",
        AVAILABILITY,
        {"event_type": TYPE},
        {"availability_rule": {"rules": [{"note": TYPE}]}},
    )
    assert result.ok


def test_a_create_answered_409_that_matches_nothing_fails_with_the_409() -> None:
    error = conflict("/event_types")
    client = Client(writes={("POST", "/event_types"): [error]})
    result = run(client, create_type(), set_availability())
    assert outcomes(result) == [
        (f"event_type:{KEY}", Status.FAILED, str(error)),
        (f"availability:{KEY}", Status.SKIPPED, f"depends on event_type:{KEY}, which failed"),
    ]
    assert not result.ok and result.count(Status.SKIPPED) == 1


def test_an_adopted_create_still_gets_its_follow_up() -> None:
    client = Client(
        writes={
            ("POST", "/event_types"): [conflict("/event_types")],
            ("PATCH", "/event_types/T1"): [{}],
        },
        listings={"/event_types": [[], [{**SYNC, "active": False}]]},
    )
    body = {"owner": ALICE, "name": "Sync", "active": True}
    assert outcomes(run(client, create_type(body))) == [
        (
            f"event_type:{KEY}",
            Status.DONE,
            "already existed; set active again: Calendly ignored it on create",
        )
    ]


def test_a_create_answered_without_a_resource_fails_clearly() -> None:
    client = Client(writes={("POST", "/event_types"): [{"data": "?"}]})
    assert outcomes(run(client, create_type())) == [
        (
            f"event_type:{KEY}",
            Status.FAILED,
            "POST /event_types succeeded but answered without the new object's `uri`; plan "
            "again to see it",
        )
    ]


def test_only_a_create_is_adopted() -> None:
    error = ApiError(method="PATCH", path="/event_types/T1", status=409)
    request = Request("PATCH", "/event_types/T1", body={"duration": 45})
    change = Change("event_type", Action.UPDATE, KEY, {}, {}, requests=(request,))
    client = Client(writes={("PATCH", "/event_types/T1"): [error]})
    assert outcomes(run(client, change)) == [(f"event_type:{KEY}", Status.FAILED, str(error))]
    assert [c[0] for c in client.calls] == ["PATCH"]  # no lookup


# ---- 404 ----------------------------------------------------------------------------------------


def test_a_delete_answered_404_is_done_and_other_404s_fail() -> None:
    gone = NotFound(method="DELETE", path="/webhook_subscriptions/W1", status=404)
    missing = NotFound(method="PATCH", path="/event_types/T1", status=404)
    delete = Request("DELETE", "/webhook_subscriptions/W1")
    patch = Request("PATCH", "/event_types/T1", body={"duration": 45})
    client = Client(
        writes={
            ("DELETE", "/webhook_subscriptions/W1"): [gone],
            ("PATCH", "/event_types/T1"): [missing],
        }
    )
    changes = [
        Change("webhook", Action.DELETE, "w", {}, {}, requests=(delete, delete)),
        Change("event_type", Action.UPDATE, KEY, {}, {}, requests=(patch,)),
    ]
    assert outcomes(run(client, *changes)) == [
        ("webhook:w", Status.DONE, "already gone; already gone"),
        (f"event_type:{KEY}", Status.FAILED, str(missing)),
    ]


# ---- the follow-up PATCH of `active` ------------------------------------------------------------


def test_active_is_set_again_when_the_create_answer_differs() -> None:
    inactive = {**SYNC, "active": False}
    client = Client(
        writes={
            ("POST", "/event_types"): [{"resource": inactive}],
            ("PATCH", "/event_types/T1"): [{}],
        }
    )
    body = {"owner": ALICE, "name": "Sync", "active": True}
    assert outcomes(run(client, create_type(body))) == [
        (f"event_type:{KEY}", Status.DONE, "set active again: Calendly ignored it on create")
    ]
    assert client.calls[-2] == ("PATCH", "/event_types/T1", {}, {"active": True})
    assert client.calls[-1] == ("LIST", "/event_types", {"user": ALICE})  # duplicates?


def test_active_is_not_sent_again_when_the_answer_holds_it_or_the_body_has_none() -> None:
    for body, answer in [
        ({"owner": ALICE, "name": "Sync", "active": False}, {**SYNC, "active": False}),
        ({"owner": ALICE, "name": "Sync"}, {**SYNC, "active": False}),
    ]:
        client = Client(writes={("POST", "/event_types"): [{"resource": answer}]})
        assert outcomes(run(client, create_type(body))) == [(f"event_type:{KEY}", Status.DONE, "")]
        assert [c[0] for c in client.calls] == ["LIST", "POST", "LIST"]


def test_a_failed_follow_up_fails_the_change() -> None:
    error = ApiError(method="PATCH", path="/event_types/T1", status=500)
    client = Client(
        writes={
            ("POST", "/event_types"): [{"resource": {**SYNC, "active": False}}],
            ("PATCH", "/event_types/T1"): [error],
        }
    )
    body = {"owner": ALICE, "name": "Sync", "active": True}
    assert outcomes(run(client, create_type(body))) == [
        (f"event_type:{KEY}", Status.FAILED, str(error))
    ]


# ---- several requests, placeholders, dependencies, stop -----------------------------------------


def test_a_failure_after_an_earlier_request_names_it() -> None:
    error = ApiError(method="POST", path="/b", status=400, title="Bad")
    first, second = Request("POST", "/a", params={"x": "1"}, body={}), Request("POST", "/b")
    client = Client(writes={("POST", "/a"): [{"resource": {"uri": TYPE}}], ("POST", "/b"): [error]})
    change = Change("webhook", Action.REPLACE, "w", {}, {}, requests=(first, second))
    assert outcomes(run(client, change)) == [
        ("webhook:w", Status.FAILED, f"POST /a?x=1 succeeded, then {error}")
    ]


def test_what_is_missing_failed_or_skipped_passes_on() -> None:
    invite = Request("POST", "/organizations/ORG/invitations", body={"email": "q@acme.example"})
    member = Change("member", Action.CREATE, "q@acme.example", {}, {}, requests=(invite,))
    owned = Request("POST", "/event_types", body={"owner": placeholder("user", "q@acme.example")})
    event_type = Change("event_type", Action.CREATE, "q@acme.example/T", {}, {}, requests=(owned,))
    client = Client(
        writes={("POST", "/organizations/ORG/invitations"): [{"resource": {"uri": TYPE}}]}
    )
    result = run(client, member, event_type, set_availability("q@acme.example/T"))
    assert outcomes(result) == [
        ("member:q@acme.example", Status.DONE, ""),
        (
            "event_type:q@acme.example/T",
            Status.SKIPPED,
            "q@acme.example has not joined the organization yet (no user until the invitation "
            "is accepted); re-run apply after they accept",
        ),
        (
            "availability:q@acme.example/T",
            Status.SKIPPED,
            "depends on event_type:q@acme.example/T, which was skipped",
        ),
    ]
    assert result.ok  # skipped is not failed


def test_a_failure_skips_every_dependent_not_yet_settled() -> None:
    def create(name: str) -> Change:
        request = Request("POST", "/event_types", body={"owner": ALICE, "name": name})
        return Change("event_type", Action.CREATE, f"a/{name}", {}, {}, requests=(request,))

    def hook(key: str, *needs: str) -> Change:
        body = {
            "url": "https://h.example/x",
            "notes": [placeholder("event_type", n) for n in needs],
        }
        request = Request("POST", "/webhook_subscriptions", body=body)
        return Change("webhook", Action.CREATE, key, {}, {}, requests=(request,))

    error = ApiError(method="POST", path="/event_types", status=500)
    client = Client(writes={("POST", "/event_types"): [error]})
    result = run(client, create("X"), create("A"), hook("b", "a/X", "a/A"), hook("c", "a/A"))
    assert outcomes(result) == [
        ("event_type:a/X", Status.FAILED, str(error)),
        ("event_type:a/A", Status.FAILED, str(error)),
        ("webhook:b", Status.SKIPPED, "depends on event_type:a/X, which failed"),
        ("webhook:c", Status.SKIPPED, "depends on event_type:a/A, which failed"),
    ]
    assert not result.interrupted


def test_a_change_waits_for_all_of_its_dependencies() -> None:
    def create(name: str) -> Change:
        request = Request("POST", "/event_types", body={"owner": ALICE, "name": name})
        return Change("event_type", Action.CREATE, f"a/{name}", {}, {}, requests=(request,))

    body = {"notes": [placeholder("event_type", "a/A"), placeholder("event_type", "a/X")]}
    both = Change(
        "event_type",
        Action.UPDATE,
        "a/B",
        {},
        {},
        requests=(Request("PATCH", "/event_types/B", body=body),),
    )
    client = Client(
        writes={
            ("POST", "/event_types"): [created(TYPE + "A"), created(TYPE + "X")],
            ("PATCH", "/event_types/B"): [{}],
        }
    )
    # Plan order A, B, X: B is after A but must still wait for X.
    result = run(client, create("A"), both, create("X"))
    assert [s for _, s, _ in outcomes(result)] == [Status.DONE] * 3
    assert client.calls[-2][3] == {"notes": [TYPE + "A", TYPE + "X"]}


def test_a_placeholder_for_something_not_in_the_plan_is_skipped() -> None:
    result = run(Client(), set_availability())
    assert outcomes(result) == [
        (f"availability:{KEY}", Status.SKIPPED, f"needs the event_type {KEY}, which does not exist")
    ]


def test_a_stop_before_the_start_leaves_everything_unstarted() -> None:
    stop = threading.Event()
    stop.set()
    client = Client()
    result = run(client, create_type(), set_availability(), stop=stop)
    assert outcomes(result) == [
        (f"event_type:{KEY}", Status.SKIPPED, INTERRUPTED),
        (f"availability:{KEY}", Status.SKIPPED, INTERRUPTED),
    ]
    assert result.interrupted and client.calls == []


# ---- a create whose object already exists (existing.py) -----------------------------------------


def test_an_existing_object_is_adopted_or_refused() -> None:
    client = Client(listings={"/event_types": [[SYNC]]}, writes={("PATCH", AVAILABILITY): [{}]})
    assert outcomes(run(client, create_type(), set_availability())) == [
        (f"event_type:{KEY}", Status.DONE, "already existed: adopted, not created again"),
        (f"availability:{KEY}", Status.DONE, ""),
    ]
    assert client.calls[1][:3] == ("PATCH", AVAILABILITY, {"event_type": TYPE})
    other = Client(listings={"/event_types": [[{**SYNC, "duration": 45}]]})
    assert outcomes(run(other, create_type())) == [
        (
            f"event_type:{KEY}",
            Status.FAILED,
            f"already exists in Calendly ({TYPE}) and differs from the plan: duration 45 → 30; "
            "plan again",
        )
    ]


def test_a_failed_lookup_fails_the_create() -> None:
    error = ApiError(method="GET", path="/event_types", status=500)
    client = Client(listings={"/event_types": [error]})
    assert outcomes(run(client, create_type())) == [
        (f"event_type:{KEY}", Status.FAILED, f"looking for it in Calendly failed: {error}")
    ]


def test_an_adopted_event_type_left_inactive_is_activated() -> None:
    inactive = {**SYNC, "active": False}
    body = {"owner": ALICE, "name": "Sync", "duration": 30, "active": True}
    client = Client(
        listings={"/event_types": [[inactive]]}, writes={("PATCH", "/event_types/T1"): [{}]}
    )
    assert outcomes(run(client, create_type(body))) == [
        (
            f"event_type:{KEY}",
            Status.DONE,
            "already existed: adopted, not created again; set active again: Calendly ignored it "
            "on create",
        )
    ]
    error = ApiError(method="PATCH", path="/event_types/T1", status=500)
    failing = Client(
        listings={"/event_types": [[inactive]]}, writes={("PATCH", "/event_types/T1"): [error]}
    )
    assert outcomes(run(failing, create_type(body))) == [
        (
            f"event_type:{KEY}",
            Status.FAILED,
            f"already existed: adopted, not created again, then {error}",
        )
    ]


def test_an_existing_object_that_cannot_be_read_is_refused() -> None:
    no_uri = {k: v for k, v in SYNC.items() if k != "uri"}
    client = Client(listings={"/event_types": [[no_uri]]})
    assert outcomes(run(client, create_type())) == [
        (
            f"event_type:{KEY}",
            Status.FAILED,
            "already exists in Calendly () and differs from the plan: it cannot be read "
            "(malformed event type: `uri` is missing, expected an https URI); plan again",
        )
    ]


def test_a_create_without_requests_is_done_without_a_call() -> None:
    client = Client()
    change = Change("member", Action.CREATE, "q@acme.example", {}, {})
    assert outcomes(run(client, change)) == [("member:q@acme.example", Status.DONE, "")]
    assert client.calls == []


def test_a_webhook_answered_409_is_looked_up_in_the_organization() -> None:
    hook = {"url": "https://h.example/x", "scope": "organization", "events": ["invitee.created"]}
    found = {"uri": "https://api.calendly.com/webhook_subscriptions/W1", "scope": "organization"}
    found.update(callback_url=hook["url"], events=hook["events"])
    request = Request("POST", "/webhook_subscriptions", body=hook)
    change = Change("webhook", Action.CREATE, "w", {}, {}, requests=(request,))
    client = Client(
        writes={("POST", "/webhook_subscriptions"): [conflict("/webhook_subscriptions")]},
        listings={"/webhook_subscriptions": [[], [found]]},
    )
    assert outcomes(run(client, change)) == [("webhook:w", Status.DONE, "already existed")]
    query = {"organization": ORG, "scope": "organization"}
    assert client.calls[-1] == ("LIST", "/webhook_subscriptions", query)


# ---- copies that a concurrent apply raced in ----------------------------------------------------

BEN_KEY = "ben@acme.example/Sync"


def two_owners() -> list[Change]:
    ben = Request("POST", "/event_types", body={"owner": BEN, "name": "Sync"})
    return [
        create_type({"owner": ALICE, "name": "Sync"}),
        Change("event_type", Action.CREATE, BEN_KEY, {}, {}, requests=(ben,)),
    ]


def created(uri: str) -> dict[str, Any]:
    return {"resource": {"uri": uri}}


def test_copies_raced_in_by_another_apply_are_reported_per_owner() -> None:
    def listing(params: dict[str, Any]) -> list[Any]:
        # Before the creates: nothing. After: one Sync of Alice's, two of Ben's.
        copies = {ALICE: [SYNC], BEN: [{**SYNC, "uri": TYPE + "B"}, {**SYNC, "uri": TYPE + "C"}]}
        return [[], [{**c, "profile": {"owner": params["user"]}} for c in copies[params["user"]]]]

    client = Client(
        writes={("POST", "/event_types"): [created(TYPE), created(TYPE + "B")]},
        listings={"/event_types": Listing(listing)},
    )
    result = run(client, *two_owners())
    assert result.duplicates == [
        f"event_type {BEN_KEY}: 2 live copies (T1B, T1C): another apply created it at the same "
        "time; `plan --dedupe` keeps the oldest and deactivates the others"
    ]
    assert result.count(Status.DONE) == 2 and not result.ok


def test_a_failed_look_for_copies_is_a_warning_and_the_next_owner_is_still_looked_at() -> None:
    error = ApiError(method="GET", path="/event_types", status=500)

    def listing(params: dict[str, Any]) -> list[Any]:
        if params["user"] == ALICE:
            return [[], error]
        bens = {**SYNC, "profile": {"owner": BEN}}
        return [[], [{**bens, "uri": TYPE + "B"}, {**bens, "uri": TYPE + "C"}]]

    client = Client(
        writes={("POST", "/event_types"): [created(TYPE), created(TYPE + "B")]},
        listings={"/event_types": Listing(listing)},
    )
    result = run(client, *two_owners())
    assert result.warnings == [f"could not look for duplicates of {ALICE}'s: {error}"]
    assert [d.split(":")[0] for d in result.duplicates] == [f"event_type {BEN_KEY}"]


def test_an_adopted_event_type_with_raced_copies_is_reported() -> None:
    copies = [SYNC, {**SYNC, "uri": TYPE + "B"}]
    client = Client(listings={"/event_types": [[SYNC], copies]})
    result = run(client, create_type())
    assert result.duplicates == [
        f"event_type {KEY}: 2 live copies (T1, T1B): another apply created it at the same "
        "time; `plan --dedupe` keeps the oldest and deactivates the others"
    ]


class Listing:
    """Answers per query, each query's answers used in order."""

    def __init__(self, answers: Callable[[dict[str, Any]], list[Any]]) -> None:
        self.answers = answers
        self.seen: dict[str, list[Any]] = {}

    def __call__(self, params: dict[str, Any]) -> list[Any]:
        key = repr(sorted(params.items()))
        return self.seen.setdefault(key, self.answers(params))


# ---- against the sandbox, which creates event types inactive (as Calendly does) ---------------


def test_a_new_event_type_ends_as_active_as_declared(harness: Harness, sandbox: Sandbox) -> None:
    for name, active in [("Pricing Review", "true"), ("Pricing Draft", "false")]:
        config = harness.config(f"""
        members: [{{email: dana@acme.example}}]
        event_types:
          - {{name: {name}, owner: dana@acme.example, duration: 30, active: {active}}}
        """)
        _, result, writes = harness.apply(config)
        assert result.ok
        new = harness.event_type_id("dana@acme.example", name)
        [state] = [e for e in sandbox.state()["event_types"] if str(e["id"]) == new]
        assert state["active"] is (active == "true")
        follow_up = ("PATCH", f"/event_types/{new}", {}, {"active": True})
        assert (follow_up in writes) is (active == "true")
        assert harness.plan(config).changes == ()
