"""Malformed API responses: every case is one clear ReconcilerError or a valid plan, never a write.

A proxy transport (httpx.MockTransport in front of the sandbox) answers every request as the
sandbox does, except the first GET of one endpoint, whose answer is replaced or mutated:
random JSON, wrong types, missing fields, nulls, NaN and infinities, HTML error pages,
truncated JSON, bytes that are not UTF-8, huge strings, wrong envelopes, deep nesting, huge and
endlessly repeated page tokens. The endpoints are the ones `plan` reads: /users/me,
/organization_memberships, the invitations, /event_types, /event_type_availability_schedules,
/webhook_subscriptions and /groups.

- plan (read_live + diff, with a read-WRITE client so that nothing but the code stops a
  write): a plan that renders as text, JSON and markdown, or a ReconcilerError with a short
  message (one line, except the multi-line PlanError) — never another exception — and no
  request but GETs;
- apply (as the CLI does it: read, diff, guards, apply, on a fresh sandbox): when reading
  fails, not one write was sent;
- a field that plan relies on being broken (the table below) is always an error that names
  the endpoint, the object and the field; never a plan.

Hypothesis runs derandomized with a fixed budget: the same examples on every run.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.apply import apply
from reconciler.client import CalendlyClient, MalformedResponse, Secret
from reconciler.client.connect import BearerAuth
from reconciler.config import Config, load_config
from reconciler.diff import diff
from reconciler.errors import ReconcilerError
from reconciler.kinds import PlanError
from reconciler.live import read_live
from reconciler.plan import Plan
from reconciler.render import render
from reconciler.safety import UnsafePlanError, check
from reconciler.sandbox import Sandbox
from tests.conftest import API
from tests.helpers import FakeClock

TODAY = dt.date(2026, 11, 22)

ENDPOINTS: dict[str, re.Pattern[str]] = {
    "users_me": re.compile(r"/users/me"),
    "memberships": re.compile(r"/organization_memberships"),
    "invitations": re.compile(r"/organizations/[^/]+/invitations"),
    "event_types": re.compile(r"/event_types"),
    "availability": re.compile(r"/event_type_availability_schedules"),
    "webhooks": re.compile(r"/webhook_subscriptions"),
    "groups": re.compile(r"/groups"),
}

#: Declares what the sandbox holds (the plan of the unmodified answers is empty), and makes
#: plan read every endpoint: pending invitations, availability, webhooks of all three scopes.
CONFIG = """
members:
  - {email: alice@acme.example}
  - {email: dana@acme.example}
  - {email: chloe@acme.example}
  - {email: priya@acme.example}
event_types:
  - name: Intro Call
    owner: alice@acme.example
    duration: 30
  - name: Partner Intro
    owner: chloe@acme.example
    availability:
      timezone: Europe/Paris
      rules:
        - wday: [monday, tuesday, wednesday, thursday]
          intervals: ["09:30-12:00", "14:00-17:30"]
        - date: 2026-12-24
          intervals: []
webhooks:
  - url: https://hooks.acme.example/calendly/bookings
    scope: organization
    events: [invitee.created, invitee.canceled, invitee_no_show.created]
  - url: https://crm.acme.example/integrations/calendly
    scope: organization
    events: [invitee.created, invitee.canceled, routing_form_submission.created]
  - url: https://dana-tools.acme.example/hooks/calendly
    scope: user
    user: dana@acme.example
    events: [invitee.created]
  - url: https://hooks.acme.example/calendly/sales
    scope: group
    group: Sales
    events: [invitee.created]
"""

HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
    b"<h1>502 Bad Gateway</h1><p>The server returned an invalid or incomplete response.</p>"
    b"<hr><center>nginx</center></body></html>"
)


# ---- the proxy -----------------------------------------------------------------------------


@dataclass
class Mutation:
    """What happens to the first answer of `endpoint`: a new body, or a change in the real one."""

    endpoint: str
    op: str  # "body": `raw` instead; "set": path := value; "delete": del path; "truncate"
    path: tuple[str | int, ...] = ()
    value: Any = None
    raw: bytes = b""
    status: int = 200

    def body(self, real: bytes) -> bytes:
        if self.op == "body":
            return self.raw
        if self.op == "truncate":
            return real[: int(self.value) % max(len(real), 1)]
        data = json.loads(real)
        if not self.path:
            data = _expand(self.value)
        else:
            parent = _walk(data, self.path[:-1])
            if self.op == "delete":
                del parent[self.path[-1]]
            else:
                parent[self.path[-1]] = _expand(self.value)
        return json.dumps(data).encode()


@dataclass(frozen=True)
class Huge:
    """A string too long to show: `size` times "x" (examples print as Huge(size=...))."""

    size: int


def _expand(value: Any) -> Any:
    return "x" * value.size if isinstance(value, Huge) else value


def _walk(data: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


@dataclass
class Proxy:
    """The sandbox, except that the first GET of the mutation's endpoint is mutated."""

    sandbox: Sandbox
    mutation: Mutation | None = None
    sent: list[tuple[str, str]] = field(default_factory=list)
    mutated: bool = False

    def __post_init__(self) -> None:
        self.inner = self.sandbox.transport()

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path))
        if len(self.sent) > 500:  # a client that keeps asking: fail, do not hang
            raise RuntimeError("the client is looping: more than 500 requests")
        response = self.inner.handle_request(request)
        response.read()
        mutation = self.mutation
        if (
            mutation is None
            or self.mutated
            or request.method != "GET"
            or not ENDPOINTS[mutation.endpoint].fullmatch(request.url.path)
        ):
            return response
        self.mutated = True
        return httpx.Response(
            mutation.status,
            content=mutation.body(response.content),
            headers={"content-type": "application/json"},
        )

    @property
    def writes(self) -> list[tuple[str, str]]:
        return [(method, path) for method, path in self.sent if method != "GET"]


def client_on(proxy: Proxy, clock: FakeClock, *, concurrency: int = 1) -> CalendlyClient:
    secret = Secret(proxy.sandbox.token("demo"))
    http = httpx.Client(
        base_url=API, transport=httpx.MockTransport(proxy.handle), auth=BearerAuth(secret)
    )
    return CalendlyClient(
        http, secrets=(secret,), clock=clock, sleep=clock.sleep, max_concurrency=concurrency
    )


# ---- fixtures (module scope: hypothesis runs many examples in one test) ---------------------


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    directory = tmp_path_factory.mktemp("malformed")
    (directory / "config.yaml").write_text(CONFIG, encoding="utf-8")
    return load_config([Path(directory)], environ={})


def make_sandbox() -> Sandbox:
    """The demo organization plus a group webhook (so that plan reads all three scopes)."""
    clock = FakeClock()
    sandbox = Sandbox(clock=clock, sleep=clock.sleep, rate_limit=10**9)
    secret = Secret(sandbox.token("demo"))
    with httpx.Client(base_url=API, transport=sandbox.transport(), auth=BearerAuth(secret)) as http:
        client = CalendlyClient(http)
        sales = client.list_all("/groups", {"organization": sandbox.org_uri})[0]["uri"]
        client.post(
            "/webhook_subscriptions",
            {
                "url": "https://hooks.acme.example/calendly/sales",
                "events": ["invitee.created"],
                "organization": sandbox.org_uri,
                "scope": "group",
                "group": sales,
            },
        )
    sandbox.reset_log()
    return sandbox


@pytest.fixture(scope="module")
def shared() -> Sandbox:
    """Plan only reads: one sandbox serves every plan example."""
    return make_sandbox()


def first_answers(sandbox: Sandbox, config: Config) -> dict[str, Any]:
    """The unmodified first answer of every endpoint, as plan reads them."""
    seen: dict[str, Any] = {}

    def record(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        response.read()
        for name, pattern in ENDPOINTS.items():
            if name not in seen and pattern.fullmatch(request.url.path):
                seen[name] = json.loads(response.content)
        return response

    inner = sandbox.transport()
    secret = Secret(sandbox.token("demo"))
    http = httpx.Client(
        base_url=API, transport=httpx.MockTransport(record), auth=BearerAuth(secret)
    )
    plan = diff(config, read_live(CalendlyClient(http, max_concurrency=1), config, today=TODAY),
                today=TODAY)  # fmt: skip
    assert plan.changes == (), [c.to_dict() for c in plan.changes]
    assert set(seen) == set(ENDPOINTS)
    return seen


@pytest.fixture(scope="module")
def answers(shared: Sandbox, config: Config) -> dict[str, Any]:
    return first_answers(shared, config)


# ---- strategies ----------------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["", " ", "https://api.calendly.com/users/X", "null", "09:00", "true"])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                  max_size=3),
    max_leaves=8,
) | st.just(Huge(200_000))  # fmt: skip

BODIES = st.sampled_from(
    [
        b"",
        HTML_PAGE,
        b"null",
        b"[]",
        b"{}",
        b'"ok"',
        b'{"collection": null}',
        b'{"resource": null}',
        b'{"collection": {}}',
        b'{"resource": []}',
        b"\xff\xfe\x00{",
        b'{"collection": [], "pagination": {"next_page_token": 7}}',
        b'{"collection": [], "pagination": []}',
        b"{'single': 'quotes'}",
        b'{"collection": [], "resource": {}} trailing',
    ]
)


def _paths(data: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def mutations(answers: dict[str, Any]) -> st.SearchStrategy[Mutation]:
    def for_endpoint(endpoint: str) -> st.SearchStrategy[Mutation]:
        paths = sorted(_paths(answers[endpoint]), key=lambda p: (len(p), str(p)))
        keyed = [p for p in paths if p and isinstance(p[-1], str)]
        return st.one_of(
            st.builds(Mutation, st.just(endpoint), st.just("set"), st.sampled_from(paths), VALUES),
            st.builds(Mutation, st.just(endpoint), st.just("delete"), st.sampled_from(keyed)),
            st.builds(
                Mutation, st.just(endpoint), st.just("truncate"), st.just(()),
                st.integers(min_value=0, max_value=10**6),
            ),
            st.builds(
                Mutation, st.just(endpoint), st.just("body"), raw=BODIES,
                status=st.sampled_from([200, 200, 200, 201, 204, 404, 500]),
            ),
        )  # fmt: skip

    return (
        st.sampled_from(sorted(ENDPOINTS))
        .flatmap(for_endpoint)
        .filter(lambda m: not (isinstance(m.value, Huge) and "pagination" in m.path))
    )  # a huge page token: see test_a_huge_page_token_is_an_error


# ---- what every case must end in -----------------------------------------------------------


def assert_clear(error: ReconcilerError) -> None:
    message = str(error)
    assert message, type(error)
    if not isinstance(error, PlanError):
        assert "\n" not in message, message
    assert len(message) <= 600, message[:700]
    assert "Traceback" not in message


def assert_valid(plan: Plan) -> None:
    for fmt in ("text", "json", "markdown"):
        render(plan, fmt)
    json.loads(render(plan, "json"))


def plan_with(proxy: Proxy, config: Config) -> Plan | ReconcilerError:
    client = client_on(proxy, FakeClock())
    try:
        return diff(config, read_live(client, config, today=TODAY), today=TODAY)
    except ReconcilerError as exc:
        return exc
    finally:
        client.http.close()


# ---- plan ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mutation_strategy(answers: dict[str, Any]) -> st.SearchStrategy[Mutation]:
    return mutations(answers)


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_plan_on_a_malformed_answer_is_a_plan_or_one_clear_error(
    data: st.DataObject, shared: Sandbox, config: Config, mutation_strategy: Any
) -> None:
    mutation = data.draw(mutation_strategy, label="mutation")
    proxy = Proxy(shared, mutation)
    result = plan_with(proxy, config)
    assert proxy.mutated, f"{mutation}: the endpoint was not read"
    assert proxy.writes == [], proxy.writes
    if isinstance(result, ReconcilerError):
        assert_clear(result)
    else:
        assert_valid(result)


# ---- apply ---------------------------------------------------------------------------------


def apply_with(proxy: Proxy, config: Config) -> str:
    """What `apply --auto-approve` does: read, diff, guards, apply. Returns how it ended."""
    client = client_on(proxy, FakeClock(), concurrency=4)
    try:
        live = read_live(client, config, today=TODAY)
        plan = diff(config, live, today=TODAY)
        check(plan, live, config, allow_mass_delete=False)
    except UnsafePlanError as exc:
        assert_clear(exc)
        return "refused"
    except ReconcilerError as exc:
        assert_clear(exc)
        assert proxy.writes == [], f"{exc}: yet {proxy.writes} were sent"
        return "error"
    finally:
        client.http.close()
    result = apply(plan, client_on(proxy, FakeClock(), concurrency=4))
    assert len(result.outcomes) == len(plan.changes)
    return "applied"


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_apply_sends_no_write_when_reading_fails(
    data: st.DataObject, config: Config, mutation_strategy: Any
) -> None:
    mutation = data.draw(mutation_strategy, label="mutation")
    proxy = Proxy(make_sandbox(), mutation)
    apply_with(proxy, config)


# ---- broken fields: always an error, naming what is wrong ----------------------------------


def _set(endpoint: str, path: tuple[str | int, ...], value: Any) -> Mutation:
    return Mutation(endpoint, "set", path, value)


def _delete(endpoint: str, path: tuple[str | int, ...]) -> Mutation:
    return Mutation(endpoint, "delete", path)


Case = tuple[Mutation, str]


def _uri(answers: dict[str, Any], endpoint: str, *path: str | int) -> str:
    return str(_walk(answers[endpoint], ("collection", *path) if path[0] != "resource" else path))


def broken_fields(a: dict[str, Any]) -> list[Case]:
    """One broken field per case, and the exact error it must end in."""
    me = a["users_me"]["resource"]["uri"]
    membership = _uri(a, "memberships", 0, "uri")
    user = _uri(a, "memberships", 2, "user", "uri")
    invitation = _uri(a, "invitations", 0, "uri")
    event = _uri(a, "event_types", 0, "uri")
    hook = _uri(a, "webhooks", 0, "uri")
    group = _uri(a, "groups", 0, "uri")
    rules = a["availability"]["collection"][0]["availability_rule"]["rules"]
    date = next(i for i, r in enumerate(rules) if r["type"] == "date")
    monday = next(i for i, r in enumerate(rules) if r.get("wday") == "monday")
    schedule = "availability_rule of availability #1 of event type ({})".format(
        a["availability"]["collection"][0]["event_type"]
    )
    rule = ("collection", 0, "availability_rule", "rules")
    weekdays = "sunday, monday, tuesday, wednesday, thursday, friday, saturday"
    memberships = "GET /organization_memberships answered a malformed"
    event_types = "GET /event_types answered a malformed"
    schedules = "GET /event_type_availability_schedules answered a malformed"
    webhooks = "GET /webhook_subscriptions answered a malformed"
    return [
        (_delete("users_me", ("resource", "current_organization")),
         f"GET /users/me answered a malformed user ({me}): `current_organization` is missing, "
         "expected an https URI"),
        (_set("users_me", ("resource", "uri"), "users/me"),
         "GET /users/me answered a malformed user: `uri` is the string 'users/me', "
         "expected an https URI"),
        (_delete("memberships", ("collection", 0, "role")),
         f"{memberships} organization membership ({membership}): `role` is missing, "
         "expected a non-empty string"),
        (_set("memberships", ("collection", 0, "user"), None),
         f"{memberships} organization membership ({membership}): `user` is null, "
         "expected an object"),
        (_set("memberships", ("collection", 2, "user", "email"), 42),
         f"{memberships} user ({user}): `email` is the number 42, expected a non-empty string"),
        (_set("invitations", ("collection", 0, "status"), None),
         "GET /organizations/HCM6XP36DO3X2XMK/invitations answered a malformed organization "
         f"invitation ({invitation}): `status` is null, expected a non-empty string"),
        (_set("event_types", ("collection", 0, "active"), "true"),
         f"{event_types} event type ({event}): `active` is the string 'true', "
         "expected true or false"),
        (_set("event_types", ("collection", 0, "duration"), float("nan")),
         f"{event_types} event type ({event}): `duration` is the number nan, "
         "expected a number or null"),
        (_delete("event_types", ("collection", 0, "name")),
         f"{event_types} event type ({event}): `name` is missing, expected a string or null"),
        (_set("event_types", ("collection", 0, "uri"), "https://api.calendly.com/event_types/.."),
         f"{event_types} event type: `uri` is the string "
         "'https://api.calendly.com/event_types/..', expected an https URI"),
        (_set("event_types", ("collection", 0, "profile", "owner"), None),
         f"{event_types} profile of event type ({event}): `owner` is null, "
         "expected an https URI"),
        (_set("event_types", ("collection", 0, "duration_options"), [30, "45"]),
         f"{event_types} event type ({event}): `duration_options` #2 is the string '45', "
         "expected a number"),
        (_set("event_types", ("collection", 0, "locations"), [{"kind": 5}]),
         f"{event_types} location #1 of event type ({event}): `kind` is the number 5, "
         "expected a string or null"),
        (_set("availability", (*rule, monday, "wday"), "funday"),
         f"{schedules} rule #{monday + 1} of {schedule}: `wday` is the string 'funday', "
         f"expected one of {weekdays}"),
        (_set("availability", (*rule, monday, "intervals", 0, "from"), "25:00"),
         f"{schedules} interval #1 of rule #{monday + 1} of {schedule}: `from` is the string "
         "'25:00', expected a time \"hh:mm\""),
        (_set("availability", (*rule, date, "date"), "2026-02-30"),
         f"{schedules} rule #{date + 1} of {schedule}: `date` is the string '2026-02-30', "
         "expected a date \"YYYY-MM-DD\""),
        (_set("availability", ("collection", 0, "availability_rule"), []),
         f"{schedules} {schedule.removeprefix('availability_rule of ')}: `availability_rule` "
         "is a list, expected an object or null"),
        (_set("webhooks", ("collection", 0, "scope"), "team"),
         f"{webhooks} webhook subscription ({hook}): `scope` is the string 'team', "
         "expected one of organization, user, group"),
        (_set("webhooks", ("collection", 0, "events"), ["invitee.created", None]),
         f"{webhooks} webhook subscription ({hook}): `events` #2 is null, expected a string"),
        (_set("webhooks", ("collection", 0, "callback_url"), ""),
         f"{webhooks} webhook subscription ({hook}): `callback_url` is the string '', "
         "expected a non-empty string"),
        (_delete("groups", ("collection", 0, "name")),
         f"GET /groups answered a malformed group ({group}): `name` is missing, "
         "expected a non-empty string"),
        (Mutation("event_types", "body", raw=HTML_PAGE),
         "GET /event_types answered 200 with a body that is not JSON: '<!DOCTYPE html><html>"
         "<head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>The "
         "server returned an invalid or incomplete response.</p><hr><center>nginx</center>"
         "</body></html>'"),
        (Mutation("memberships", "body", raw=b'{"collection": [{"uri": "https://api.calen'),
         "GET /organization_memberships answered 200 with a body that is not JSON: "
         "'{\"collection\": [{\"uri\": \"https://api.calen'"),
        (Mutation("groups", "body", raw=b'{"collection": null}'),
         "GET /groups answered without a `collection` list of objects"),
        (Mutation("users_me", "body", raw=b'{"collection": []}'),
         "GET /users/me answered without a `resource` object"),
        (_set("webhooks", ("collection", 1), "not an object"),
         "GET /webhook_subscriptions answered without a `collection` list of objects"),
    ]  # fmt: skip


BROKEN = 26  # len(broken_fields(...)): the ids below


@pytest.mark.parametrize("case", range(BROKEN))
def test_a_broken_field_is_an_error_naming_it(
    case: int, shared: Sandbox, config: Config, answers: dict[str, Any]
) -> None:
    cases = broken_fields(answers)
    assert len(cases) == BROKEN
    mutation, message = cases[case]
    proxy = Proxy(shared, mutation)
    result = plan_with(proxy, config)
    assert proxy.mutated
    assert isinstance(result, MalformedResponse), result
    assert str(result) == message
    assert proxy.writes == []


def test_a_malformed_answer_in_apply_is_one_error_line_and_no_write(
    config: Config, answers: dict[str, Any], tmp_path: Path
) -> None:
    """The CLI end to end: exit 1, one `Error:` line on stderr, no traceback, no write."""
    from click.testing import CliRunner

    from reconciler.cli import cli
    from reconciler.cli.options import CliEnv

    sandbox = make_sandbox()
    event = _uri(answers, "event_types", 0, "uri")
    proxy = Proxy(sandbox, _set("event_types", ("collection", 0, "active"), None))
    text = CONFIG.replace("members:\n", "members:\n  - {email: quinn@acme.example}\n")
    (tmp_path / "c.yaml").write_text(text)  # a plan with a change, were it read
    env = CliEnv(transport=httpx.MockTransport(proxy.handle), today=lambda: TODAY)
    result = CliRunner().invoke(
        cli,
        ["apply", str(tmp_path / "c.yaml"), "--auto-approve"],
        env={"CALENDLY_TOKEN": sandbox.token("demo"), "CALENDLY_API_URL": API, "NO_COLOR": "1"},
        obj=env,
    )
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        f"Error: GET /event_types answered a malformed event type ({event}): `active` is null, "
        "expected true or false"
    )
    assert "Traceback" not in result.output
    assert proxy.writes == []
    assert {r.method for r in sandbox.requests} == {"GET"}


# ---- what the client itself turns into MalformedResponse (client/api.py) ----------------------


@pytest.mark.parametrize("body", [b"[" * 50_000, b'{"collection": [' + b"[" * 50_000])
def test_deeply_nested_json_is_an_error(body: bytes, shared: Sandbox, config: Config) -> None:
    result = plan_with(Proxy(shared, Mutation("groups", "body", raw=body)), config)
    assert isinstance(result, MalformedResponse)
    quoted = body.decode()[:30]
    assert str(result).startswith(
        f"GET /groups answered 200 with a body that is not JSON: '{quoted}"
    )


def test_a_huge_page_token_is_an_error(shared: Sandbox, config: Config) -> None:
    mutation = _set("groups", ("pagination", "next_page_token"), "x" * 200_000)
    result = plan_with(Proxy(shared, mutation), config)
    assert isinstance(result, MalformedResponse)


@dataclass
class Looping(Proxy):
    """Every answer of GET /groups names a next page: the same one, forever."""

    def handle(self, request: httpx.Request) -> httpx.Response:
        response = super().handle(request)
        if request.url.path != "/groups":
            return response
        body = json.loads(response.content)
        body["collection"] = []
        body["pagination"] = {"next_page_token": "again"}
        return httpx.Response(200, json=body)


def test_a_page_token_that_repeats_is_an_error(shared: Sandbox, config: Config) -> None:
    result = plan_with(Looping(shared), config)
    assert isinstance(result, MalformedResponse)
    # An empty page that names a next one stops at once (a repeated token with items:
    # tests/client/test_client_edges.py).
    assert str(result) == "GET /groups answered an empty page that names a next page: stopping"
