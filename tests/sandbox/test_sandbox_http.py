"""The HTTP server, its /_sandbox/ control routes, and `sandbox serve` as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reconciler.sandbox import Sandbox
from reconciler.sandbox.server import SandboxServer
from tests.sandbox.support import last_id, path_of

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(sb: Sandbox) -> Iterator[SandboxServer]:
    with sb.serve() as srv:
        srv.start()
        yield srv


@pytest.fixture
def http(server: SandboxServer, sb: Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {sb.token('owner')}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=5) as client:
        yield client


def test_server_answers_like_the_api(
    sb: Sandbox, server: SandboxServer, http: httpx.Client
) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    me = http.get("/users/me")
    assert me.status_code == 200
    assert me.json()["resource"]["uri"] == sb.user_uri("owner@tiny.example")
    assert me.headers["X-RateLimit-Remaining"] == "499"
    page = http.get("/event_types", params={"organization": sb.org_uri, "count": 1}).json()
    assert page["pagination"]["next_page"].startswith(f"{server.url}/event_types?")
    assert (
        http.get(page["pagination"]["next_page"]).json()["collection"][0]["name"] == "Member Call"
    )
    assert http.delete(path_of(page["collection"][0]["uri"])).status_code == 404


def test_dropped_connection_over_a_socket(sb: Sandbox, http: httpx.Client) -> None:
    sb.set_faults("commit_drop=1")
    owner = sb.user_uri("owner@tiny.example")
    with pytest.raises(httpx.RemoteProtocolError):
        http.post("/event_types", json={"owner": owner, "name": "Over the wire"})
    sb.set_faults(None)
    names = [
        e["name"] for e in http.get("/event_types", params={"user": owner}).json()["collection"]
    ]
    assert names == ["Chat", "Over the wire"]


def test_control_routes(sb: Sandbox, server: SandboxServer, http: httpx.Client) -> None:
    control = httpx.Client(base_url=server.url, timeout=5)  # no auth needed
    try:
        http.get("/users/me")
        log = control.get("/_sandbox/requests").json()["requests"]
        assert [(e["method"], e["path"], e["status"], e["token"]) for e in log] == [
            ("GET", "/users/me", 200, "owner")
        ]
        assert control.get("/_sandbox/counters").json()["requests"] == 1
        assert control.post("/_sandbox/reset-log").status_code == 204
        assert control.get("/_sandbox/requests").json() == {"requests": []}
        state = control.get("/_sandbox/state").json()
        assert state["organization"]["name"] == "Tiny Co"
        pending = next(i for i in state["invitations"] if i["status"] == "pending")
        accepted = control.post(
            f"/_sandbox/invitations/{pending['id']}/accept", json={"name": "Pat", "timezone": "UTC"}
        )
        assert accepted.json()["resource"]["status"] == "accepted"
        again = control.post(f"/_sandbox/invitations/{pending['id']}/decline")
        assert (again.status_code, again.json()["details"]) == (
            400,
            [{"parameter": "invitation", "message": "is accepted, not pending"}],
        )
        assert control.post("/_sandbox/invitations/NOPE/accept").status_code == 404
        hook = state["webhooks"][0]["id"]
        disabled = control.post(f"/_sandbox/webhook_subscriptions/{hook}/disable")
        assert disabled.json()["resource"]["state"] == "disabled"
        assert http.get(f"/webhook_subscriptions/{hook}").json()["resource"]["state"] == "disabled"
        assert control.get("/_sandbox/faults").json()["faults"]["drop"] == 0.0
        assert control.get("/_sandbox/nothing").status_code == 404
        members = http.get(
            "/organization_memberships", params={"organization": sb.org_uri, "count": 100}
        ).json()["collection"]
        assert "Pat" in [m["user"]["name"] for m in members]
        assert (
            control.get("/_sandbox/requests").json()["requests"][-1]["path"]
            == "/organization_memberships"
        )
        assert last_id(sb.org_uri) in state["organization"]["id"]
    finally:
        control.close()


def test_concurrent_requests(sb: Sandbox, http: httpx.Client) -> None:
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            status = http.get("/users/me").status_code
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 40
    assert [e.seq for e in sb.requests] == list(range(1, 41))


def test_serve_prints_two_lines_and_serves(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    state = tmp_path / "state.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "reconciler.sandbox", "serve", "--port", "0", "--state", str(state)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().rstrip("\n") for _ in range(2)]
        assert lines[0].startswith("CALENDLY_API_URL=http://127.0.0.1:"), lines
        assert lines[1] == "CALENDLY_TOKEN=sbx-acme-demo-7c1e2f0a9b"
        url = lines[0].split("=", 1)[1]
        token = lines[1].split("=", 1)[1]
        me = httpx.get(f"{url}/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert me.status_code == 200
        assert me.json()["resource"]["email"] == "alice@acme.example"
        assert state.exists()
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=10)
        if proc.stdout:
            proc.stdout.close()
    assert proc.returncode == 0
    assert "sandbox: serving Acme, Inc." in stderr and "Traceback" not in stderr


def test_serve_rejects_bad_options_in_one_line(tmp_path: Path) -> None:
    bad_fixture = tmp_path / "bad.yaml"
    bad_fixture.write_text("organization: {name: X}\nusers: []\n")
    for args, message in (
        (
            ["--fixture", str(bad_fixture)],
            "Error: users: exactly one user must have role owner (found 0)",
        ),
        (["--faults", "drop=3"], "Error: Invalid value for --faults: drop must be a probability"),
        (["--port", "70000"], "Error: Invalid value for '--port'"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "reconciler.sandbox", "serve", *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode != 0
        assert message in result.stderr and "Traceback" not in result.stderr
        assert result.stdout == ""
