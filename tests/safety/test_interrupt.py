"""Interrupting apply (Ctrl-C): in-flight changes finish, nothing new starts, the rest is reported.

A gate in front of the sandbox holds chosen requests until the test lets them go, so that the
moment of the stop is exact: the held changes are in flight when it comes. Nothing sleeps.

- apply: the changes running when the stop comes end done; no change starts after it; every
  other change is skipped "not started: apply was interrupted", dependents included; the
  request log holds exactly the writes of the changes that ran;
- a change is the unit: a webhook replace stopped between its DELETE and its POST still
  sends the POST (stopping there would lose the subscription);
- the CLI: the first SIGINT sets the stop (and says so), the second aborts; an interrupted
  apply prints what was and was not done.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.apply import Status, apply
from reconciler.cli import apply as cli_apply
from reconciler.client import CalendlyClient, Secret
from reconciler.client.connect import BearerAuth
from reconciler.plan import Change
from reconciler.sandbox import Sandbox
from tests.conftest import API
from tests.harness import Harness
from tests.helpers import FakeClock, without_lock

INTERRUPTED = "not started: apply was interrupted"
NEW = [f"n{i:02d}@acme.example" for i in range(10)]


@dataclass
class Gate:
    """The sandbox, except that requests `hold` selects wait until `release` is set."""

    sandbox: Sandbox
    hold: Callable[[httpx.Request], bool]
    release: threading.Event = field(default_factory=threading.Event)
    after: Callable[[httpx.Request], None] = lambda _request: None
    stuck: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.inner = self.sandbox.transport()

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.hold(request) and not self.release.wait(timeout=30):
            self.stuck.append(f"{request.method} {request.url.path}")  # a bug: fail, not hang
        response = self.inner.handle_request(request)
        response.read()
        self.after(request)
        return response

    def client(self, clock: FakeClock, concurrency: int) -> CalendlyClient:
        secret = Secret(self.sandbox.token("demo"))
        http = httpx.Client(
            base_url=API, transport=httpx.MockTransport(self.handle), auth=BearerAuth(secret)
        )
        return CalendlyClient(
            http, secrets=(secret,), clock=clock, sleep=clock.sleep, max_concurrency=concurrency
        )


def inviting(*emails: str) -> Callable[[httpx.Request], bool]:
    wanted = {f'"email":"{e}"'.encode() for e in emails}
    return lambda r: r.method == "POST" and any(w in r.content.replace(b" ", b"") for w in wanted)


@dataclass
class Recorder:
    """The apply listener: every event, and whether the stop was set when it came."""

    stop: threading.Event
    events: list[tuple[str, str, bool]] = field(default_factory=list)

    def __call__(self, event: str, change: Change, message: str) -> None:
        self.events.append((event, change.id, self.stop.is_set()))

    def started(self) -> list[str]:
        return [c for e, c, _ in self.events if e == "start"]


def writes(sandbox: Sandbox) -> list[tuple[str, str, Any]]:
    return sorted(
        ((r.method, r.path, r.body) for r in sandbox.requests if r.method != "GET"), key=str
    )


CONFIG = (
    "members:\n"
    + "".join(f"  - email: {e}\n" for e in ["alice@acme.example", *NEW])
    + """
event_types:
  - name: Interrupted Call
    owner: alice@acme.example
    active: true
    availability:
      timezone: Europe/Berlin
      rules: [{wday: monday, intervals: ["09:00-12:00"]}]
"""
)


def test_stop_lets_in_flight_changes_finish_and_starts_nothing_new(
    harness: Harness, sandbox: Sandbox, clock: FakeClock
) -> None:
    plan = harness.plan(harness.config(CONFIG))
    assert len(plan.changes) == 12  # 10 invitations, an event type, its availability
    gate = Gate(sandbox, inviting(NEW[0], NEW[1]))
    stop = threading.Event()
    recorder = Recorder(stop)

    def listener(event: str, change: Change, message: str) -> None:
        recorder(event, change, message)
        if event == "done" and not stop.is_set():  # NEW[2]: the others are held
            stop.set()  # Ctrl-C, while NEW[0] and NEW[1] are in flight
            gate.release.set()

    sandbox.reset_log()
    result = apply(plan, gate.client(clock, concurrency=3), on_event=listener, stop=stop)

    assert gate.stuck == []
    assert recorder.started() == [f"member:{e}" for e in NEW[:3]]
    assert all(not stopped for event, _, stopped in recorder.events if event == "start")
    assert recorder.events[3] == ("done", f"member:{NEW[2]}", False)
    status = {o.change.id: (o.status, o.message) for o in result.outcomes}
    assert status == {
        **{f"member:{e}": (Status.DONE, "") for e in NEW[:3]},
        **{f"member:{e}": (Status.SKIPPED, INTERRUPTED) for e in NEW[3:]},
        "event_type:alice@acme.example/Interrupted Call": (Status.SKIPPED, INTERRUPTED),
        "availability:alice@acme.example/Interrupted Call": (Status.SKIPPED, INTERRUPTED),
    }
    org = sandbox.org_uri.rsplit("/", 1)[1]
    assert writes(sandbox) == sorted(
        (("POST", f"/organizations/{org}/invitations", {"email": e}) for e in NEW[:3]), key=str
    )
    assert result.interrupted
    lines = cli_apply.report(result).splitlines()
    assert lines[:-1] == [
        *(f"  skipped: member {e}: {INTERRUPTED}" for e in NEW[3:]),
        f"  skipped: event_type alice@acme.example/Interrupted Call: {INTERRUPTED}",
        f"  skipped: availability alice@acme.example/Interrupted Call: {INTERRUPTED}",
    ]
    assert lines[-1].endswith(": 3 done, 0 failed, 9 skipped.")
    # The next apply finishes the rest: nothing was lost.
    again = harness.plan(harness.config(CONFIG))
    assert sorted(c.id for c in again.changes) == sorted(
        id for id, (s, _) in status.items() if s == Status.SKIPPED
    )


WEBHOOKS = """
webhooks:
  - url: https://hooks.acme.example/calendly/bookings
    scope: organization
    events: [invitee.created]
  - {url: "https://hooks.acme.example/calendly/n1", scope: organization, events: [invitee.created]}
  - {url: "https://hooks.acme.example/calendly/n2", scope: organization, events: [invitee.created]}
  - {url: "https://hooks.acme.example/calendly/n3", scope: organization, events: [invitee.created]}
"""


def test_a_replace_stopped_between_its_delete_and_its_post_still_creates(
    harness: Harness, sandbox: Sandbox, clock: FakeClock
) -> None:
    bookings = harness.webhook_id("https://hooks.acme.example/calendly/bookings")
    plan = harness.plan(harness.config(WEBHOOKS))
    assert [(str(c.action), c.key.rsplit("/", 1)[1]) for c in plan.changes] == [
        ("replace", "bookings"), ("create", "n1"), ("create", "n2"), ("create", "n3"),
    ]  # fmt: skip
    stop = threading.Event()
    gate = Gate(sandbox, lambda r: r.method == "DELETE")

    def listener(event: str, change: Change, message: str) -> None:
        if event == "done" and not stop.is_set():  # n1: the replace's DELETE is held
            stop.set()
            gate.release.set()

    sandbox.reset_log()
    result = apply(plan, gate.client(clock, concurrency=2), on_event=listener, stop=stop)

    assert [(o.change.key.rsplit("/", 1)[1], o.status) for o in result.outcomes] == [
        ("bookings", Status.DONE), ("n1", Status.DONE),
        ("n2", Status.SKIPPED), ("n3", Status.SKIPPED),
    ]  # fmt: skip
    assert [(m, p) for m, p, _ in writes(sandbox)] == [
        ("DELETE", f"/webhook_subscriptions/{bookings}"),
        ("POST", "/webhook_subscriptions"),
        ("POST", "/webhook_subscriptions"),
    ]
    hooks = {h["callback_url"]: h["events"] for h in sandbox.state()["webhooks"]}
    assert hooks["https://hooks.acme.example/calendly/bookings"] == ["invitee.created"]
    assert "https://hooks.acme.example/calendly/n2" not in hooks


# ---- the CLI -------------------------------------------------------------------------------


def test_the_first_ctrl_c_stops_and_the_second_aborts(capsys: pytest.CaptureFixture[str]) -> None:
    before = signal.getsignal(signal.SIGINT)
    with cli_apply._stop_on_interrupt() as stop:
        assert not stop.is_set()
        signal.raise_signal(signal.SIGINT)
        assert stop.is_set()
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before
    assert capsys.readouterr().err == (
        "\nStopping: waiting for the requests in flight (Ctrl-C again to abort)…\n"
    )


def run_interrupted(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`apply --auto-approve --concurrency 2` of six invitations, Ctrl-C after the second."""
    from click.testing import CliRunner

    from reconciler.cli import cli
    from reconciler.cli.options import CliEnv

    stop = threading.Event()

    @contextmanager
    def ctrl_c() -> Iterator[threading.Event]:
        yield stop

    monkeypatch.setattr(cli_apply, "_stop_on_interrupt", ctrl_c)
    emails = NEW[:6]
    held = inviting(emails[0])

    def after(request: httpx.Request) -> None:
        if inviting(emails[1])(request):  # answered: Ctrl-C, then let emails[0] go
            stop.set()
            gate.release.set()

    gate = Gate(sandbox, held, after=after)
    config = tmp_path / "c.yaml"
    config.write_text("members:\n" + "".join(f"  - email: {e}\n" for e in emails))
    result = CliRunner().invoke(
        cli,
        ["apply", str(config), "--auto-approve", "--concurrency", "2"],
        env={"CALENDLY_TOKEN": sandbox.token("demo"), "CALENDLY_API_URL": API, "NO_COLOR": "1"},
        obj=CliEnv(transport=httpx.MockTransport(gate.handle)),
    )
    assert gate.stuck == []
    return result


def test_an_interrupted_apply_reports_what_was_and_was_not_done(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_interrupted(sandbox, tmp_path, monkeypatch)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stdout.splitlines()
    assert lines[-5:-1] == [f"  skipped: member {e}: {INTERRUPTED}" for e in NEW[2:6]]
    assert lines[-1].endswith(": 2 done, 0 failed, 4 skipped.")
    posts = [r for r in without_lock(sandbox.requests) if r.method == "POST"]
    assert sorted(r.body["email"] for r in posts) == NEW[:2]
    assert "[2/6] done" in result.stderr and "[6/6] skipped" in result.stderr


def test_an_interrupted_apply_exits_130(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_interrupted(sandbox, tmp_path, monkeypatch)
    assert result.stdout.splitlines()[-1] == "Apply interrupted: 2 done, 0 failed, 4 skipped."
    assert result.exit_code == 130
