"""Concurrent applies (issue #11 item 2): two applies of one config started together.

Both run the real CLI in two threads against one in-process sandbox (real concurrency: their
requests interleave; nothing sleeps). With the apply lock (lock.py) every object exists once
after every round. Without it (a token that may not create webhook subscriptions, so the lock is
unavailable), a duplicate that the two raced into is reported by an apply that exits 1, and
`plan --dedupe` proposes the fix, which `apply --dedupe` makes.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from pathlib import Path

import pytest

from reconciler.cli import cli
from reconciler.cli.options import CliEnv
from reconciler.sandbox import Sandbox
from tests.conftest import API
from tests.helpers import FakeClock

ROUNDS = 20
PER_ROUND = 10


def write_config(directory: Path, names: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "c.yaml").write_text(
        "members: [{email: dana@acme.example}]\nevent_types:\n"
        + "".join(f"  - {{name: {n}, owner: dana@acme.example, duration: 30}}\n" for n in names)
    )


def invoke(sandbox: Sandbox, clock: FakeClock, *args: str) -> int:
    obj = CliEnv(
        transport=sandbox.transport(),
        today=lambda: dt.date(2026, 11, 22),
        interactive=lambda: False,
        clock=clock,
        sleep=clock.sleep,
    )
    try:
        cli.main(list(args), obj=obj, standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    raise AssertionError("the CLI always exits")


def together(sandbox: Sandbox, clock: FakeClock, *args: str) -> list[int]:
    """Two applies with the same arguments, released at the same moment."""
    start = threading.Barrier(2)
    codes: list[int] = []
    errors: list[BaseException] = []

    def one() -> None:
        start.wait()
        try:
            codes.append(invoke(sandbox, clock, *args))
        except BaseException as exc:  # a bug: fail the test with it, not a silent thread
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    assert len(codes) == 2, "an apply did not finish"
    return codes


def counts(sandbox: Sandbox) -> Counter[str]:
    return Counter(e["name"] for e in sandbox.state()["event_types"])


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    """The demo organization with room for 20 rounds of applies within one (fake) minute:
    the CLI's client waits for the rate limit on the wall clock, the sandbox counts on `clock`."""
    return Sandbox(clock=clock, sleep=clock.sleep, rate_limit=1_000_000)


@pytest.fixture
def env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CALENDLY_API_URL", API)
    monkeypatch.setenv("NO_COLOR", "1")


def test_two_simultaneous_applies_create_each_object_once(
    sandbox: Sandbox, clock: FakeClock, env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALENDLY_TOKEN", sandbox.token("demo"))
    outcomes: Counter[tuple[int, ...]] = Counter()
    for round_ in range(ROUNDS):
        names = [f"Race {round_:02d}-{i}" for i in range(PER_ROUND)]
        write_config(Path(f"r{round_}"), names)
        codes = together(sandbox, clock, "apply", f"r{round_}", "--auto-approve")
        outcomes[tuple(sorted(codes))] += 1
        live = counts(sandbox)
        assert [live[n] for n in names] == [1] * PER_ROUND, f"round {round_}: {live}"
        # One apply made them; the other found the lock taken (exit 1, nothing written) or,
        # when it came later, adopted what the first made (exit 0).
        assert sorted(codes)[0] == 0 and set(codes) <= {0, 1}
    assert sum(outcomes.values()) == ROUNDS
    assert not sandbox.state()["webhooks"] or all(
        "calendly-reconciler.invalid" not in h["callback_url"] for h in sandbox.state()["webhooks"]
    )  # every lock released


def test_without_the_lock_a_raced_duplicate_is_reported_and_deduped(
    sandbox: Sandbox, clock: FakeClock, env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALENDLY_TOKEN", sandbox.token("no-webhooks-write"))
    names = [f"Unlocked {i}" for i in range(PER_ROUND)]
    raced = 0
    for round_ in range(5):
        directory = f"u{round_}"
        write_config(Path(directory), [f"{n} {round_}" for n in names])
        codes = together(sandbox, clock, "apply", directory, "--auto-approve")
        live = counts(sandbox)
        doubled = [n for n in (f"{n} {round_}" for n in names) if live[n] > 1]
        assert all(live[f"{n} {round_}"] >= 1 for n in names)  # nothing missing
        if doubled:
            raced += 1
            assert 1 in codes  # reported: an apply that raced into a copy exits 1
            assert invoke(sandbox, clock, "plan", directory) == 1  # explained, not guessed
            # (Several raced copies can be more than policy.max_delete_fraction allows.)
            fix = ("--dedupe", "--allow-mass-delete")
            assert invoke(sandbox, clock, "plan", directory, *fix) == 0
            fixed = invoke(sandbox, clock, "apply", directory, *fix, "--auto-approve")
            assert fixed == 0
        assert invoke(sandbox, clock, "plan", directory, "--detailed-exitcode") == 0
        active = Counter(
            e["name"] for e in sandbox.state()["event_types"] if e["name"].endswith(f" {round_}")
        )
        assert set(active.values()) == {1}


def test_a_copy_raced_in_during_the_apply_is_reported_before_it_exits(
    sandbox: Sandbox, clock: FakeClock, env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic: another apply's POST lands between this apply's look and its POST."""
    monkeypatch.setenv("CALENDLY_TOKEN", sandbox.token("demo"))
    import httpx

    from reconciler.apply import apply
    from reconciler.client import CalendlyClient, Secret
    from reconciler.client.connect import BearerAuth
    from reconciler.config import load_config
    from reconciler.diff import diff
    from reconciler.live import read_live

    write_config(Path("c"), ["Raced Call"])
    config = load_config([Path("c")])
    inner = sandbox.transport()
    token = sandbox.token("demo")
    dana = sandbox.user_uri("dana@acme.example")

    def racing(request: httpx.Request) -> httpx.Response:
        if (request.method, request.url.path) == ("POST", "/event_types"):
            other = httpx.Request(
                "POST",
                f"{API}/event_types",
                json={"owner": dana, "name": "Raced Call"},
                headers={"Authorization": f"Bearer {token}"},
            )
            inner.handle_request(other).read()  # the other apply's create, a moment earlier
        response = inner.handle_request(request)
        response.read()
        return response

    secret = Secret(token)
    http = httpx.Client(
        base_url=API, transport=httpx.MockTransport(racing), auth=BearerAuth(secret)
    )
    client = CalendlyClient(http, secrets=(secret,), clock=clock, sleep=clock.sleep)
    plan = diff(
        config, read_live(client, config, today=dt.date(2026, 11, 22)), today=dt.date(2026, 11, 22)
    )
    result = apply(plan, client)
    copies = sorted(e["id"] for e in sandbox.state()["event_types"] if e["name"] == "Raced Call")
    assert len(copies) == 2
    assert not result.ok
    [line] = result.duplicates
    assert line.startswith("event_type dana@acme.example/Raced Call: 2 live copies (")
    assert line.endswith(
        "another apply created it at the same time; `plan --dedupe` keeps the oldest and "
        "deactivates the others"
    )
    assert invoke(sandbox, clock, "plan", "c") == 1  # explained, never guessed
    assert invoke(sandbox, clock, "apply", "c", "--dedupe", "--auto-approve") == 0
    assert invoke(sandbox, clock, "plan", "c", "--detailed-exitcode") == 0
    named = [e for e in sandbox.state()["event_types"] if e["name"].startswith("Raced Call")]
    assert sorted((e["name"] == "Raced Call", e["active"]) for e in named) == [
        (False, False),
        (True, False),  # created inactive by Calendly; the config does not declare `active`
    ]
