"""End to end, with real processes: `sandbox serve` delivers, `watch` reports.

A change made through the API is printed as one JSON drift line within seconds; a forged
delivery gets a 4xx and prints nothing; SIGTERM stops the watch cleanly and leaves the
subscription in place, which a restart adopts (and `--unsubscribe-on-exit` removes). Every
wait is on output, with a bounded timeout: no sleeps.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from reconciler.client.secret import Secret
from reconciler.sandbox import Sandbox
from reconciler.watch.signature import HEADER as SIGNATURE
from reconciler.watch.signature import sign

REPO = Path(__file__).resolve().parents[2]
KEY = "whsec-e2e-watch-signing-key"
TIMEOUT = 30.0  # generous for a loaded CI machine; the happy path takes about a second
CONFIG = """\
members: [{email: alice@acme.example}, {email: dana@acme.example}]
event_types:
  - {name: Intro Call, owner: alice@acme.example, duration: 30}
  - {name: Discovery Call, owner: dana@acme.example, duration: 30}
"""


class Process:
    """A child process whose stdout and stderr lines arrive on queues."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "reconciler", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.out: queue.Queue[str] = queue.Queue()
        self.err: queue.Queue[str] = queue.Queue()
        self.err_lines: list[str] = []
        assert self.proc.stdout is not None and self.proc.stderr is not None
        for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=_pump, args=(stream, lines), daemon=True).start()

    def line(self) -> str:
        return self.out.get(timeout=TIMEOUT)

    def log_until(self, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first JSON log line on stderr that `wanted` accepts."""
        while True:
            text = self.err.get(timeout=TIMEOUT)
            self.err_lines.append(text)
            try:
                record = json.loads(text)
            except ValueError:
                continue
            if wanted(record):
                return dict(record)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=TIMEOUT)
        while True:
            try:
                self.err_lines.append(self.err.get(timeout=TIMEOUT))
            except queue.Empty:  # pragma: no cover - the pump always ends with ""
                break
            if self.err_lines[-1] == "":
                self.err_lines.pop()
                break
        return code


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    for text in stream:
        lines.put(text.rstrip("\n"))
    lines.put("")  # end of stream
    stream.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[tuple[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALENDLY_")}
    # a delivery that fails is retried a second later, not a minute
    args = ["sandbox", "serve", "--port", "0", "--webhook-retry-first", "1"]
    served = Process(args, env, REPO)
    try:
        url = served.line().removeprefix("CALENDLY_API_URL=")
        token = served.line().removeprefix("CALENDLY_TOKEN=")
        yield url, token
    finally:
        assert served.stop() == 0


def test_watch_reports_a_change_within_seconds_refuses_forgeries_and_stops_cleanly(
    tmp_path: Path, sandbox_url: tuple[str, str]
) -> None:
    api_url, token = sandbox_url
    admin = Sandbox().token("admin")  # ben, an admin of the bundled fixture
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "c.yaml").write_text(CONFIG)
    port = free_port()
    hook_url = f"http://127.0.0.1:{port}/hooks/calendly"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CALENDLY_")},
        "CALENDLY_API_URL": api_url,
        "CALENDLY_TOKEN": token,
        "CALENDLY_WATCH_SIGNING_KEY": KEY,
        "PYTHONPATH": str(REPO),
    }
    args = ["watch", "config", "--listen", f"127.0.0.1:{port}", "--public-url", hook_url]
    watch = Process(args, env, tmp_path)
    http = httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {admin}"})
    try:
        started = watch.log_until(lambda r: r["event"] == "watch.started")
        assert started["adopted"] is False and started["path"] == "/hooks/calendly"
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}

        change(http, "alice@acme.example", "Intro Call", {"duration": 45})
        line = json.loads(watch.line())
        assert {k: line[k] for k in ("kind", "action", "key", "fields", "origin")} == {
            "kind": "event_type",
            "action": "update",
            "key": "alice@acme.example/Intro Call",
            "fields": [{"path": "duration", "old": 45, "new": 30}],
            "origin": "drift",
        }
        assert line["attribution"]["by"] == "ben@acme.example"

        # signed now, but with a guessed key: what an attacker who knows the URL can send
        body = b'{"event": "event_type.updated", "payload": {}}'
        forged = sign(Secret("guessed-key"), int(time.time()), body)
        answer = httpx.post(hook_url, content=body, headers={SIGNATURE: forged})
        assert answer.status_code == 403
        rejected = watch.log_until(lambda r: r["event"] == "delivery.rejected")
        assert rejected["reason"] == "signature does not match"

        # the next line printed is the next real change: the forgery printed nothing
        change(http, "dana@acme.example", "Discovery Call", {"duration": 60})
        assert json.loads(watch.line())["key"] == "dana@acme.example/Discovery Call"
    finally:
        code = watch.stop()
        http.close()
    assert code == 0
    assert watch.out.get(timeout=TIMEOUT) == ""  # nothing else was printed
    events = [json.loads(x)["event"] for x in watch.err_lines if x.startswith("{")]
    assert events[-2:] == ["watch.stopping", "watch.stopped"]
    log = "\n".join(watch.err_lines)
    assert "Traceback" not in log and KEY not in log and token not in log
    assert hooks_at(api_url, hook_url) == 1  # left in place: a restart loses nothing

    # a restart with the same key adopts it; --unsubscribe-on-exit removes it at the end
    again = Process([*args, "--unsubscribe-on-exit"], env, tmp_path)
    try:
        assert again.log_until(lambda r: r["event"] == "watch.started")["adopted"] is True
    finally:
        assert again.stop() == 0
    assert hooks_at(api_url, hook_url) == 0


def hooks_at(api_url: str, url: str) -> int:
    state = httpx.get(f"{api_url}/_sandbox/state").json()
    return sum(1 for h in state["webhooks"] if h["callback_url"] == url)


def change(http: httpx.Client, owner: str, name: str, body: dict[str, Any]) -> None:
    org = http.get("/users/me").json()["resource"]["current_organization"]
    user = http.get("/organization_memberships", params={"organization": org, "email": owner})
    user = user.json()
    owner_uri = user["collection"][0]["user"]["uri"]
    listing = http.get("/event_types", params={"user": owner_uri}).json()["collection"]
    [uri] = [e["uri"] for e in listing if e["name"] == name]
    answer = http.patch(f"/event_types/{uri.rsplit('/', 1)[1]}", json=body)
    assert answer.status_code == 200, answer.text
