"""Refreshing OAuth tokens against the sandbox: on expiry and on a 401, rotation persisted
before use, one refresh across runs and threads, and crashes during the write-back.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
from pathlib import Path

import httpx
import pytest

from reconciler.client import CalendlyClient, Unauthorized
from reconciler.client.auth import (
    REFRESH_AHEAD,
    AuthError,
    OAuthClient,
    OAuthSession,
    RefreshRefused,
    TokenFile,
    TokenSet,
)
from reconciler.client.connect import ConnectionSettings, OAuthSettings, open_client
from reconciler.client.secret import Secret
from reconciler.sandbox import Sandbox
from tests.auth.conftest import APPS, AUTH, app_client, login
from tests.helpers import FakeClock

REFUSED = (
    "the Calendly auth server refused the OAuth refresh token (invalid_grant: The refresh "
    "token has already been used.): it was already used or has been revoked; run "
    "`calendly-reconciler login` to authorize again"
)


class Crash(BaseException):
    """The process dies here: nothing after it runs, no `except Exception` sees it."""


def session(sandbox: Sandbox, clock: FakeClock, path: Path, app: str = "cli") -> OAuthSession:
    return OAuthSession(
        TokenFile(path), app_client(app), transport=sandbox.transport(), clock=clock
    )


def client(sandbox: Sandbox, clock: FakeClock, path: Path, app: str = "cli") -> CalendlyClient:
    settings = ConnectionSettings(oauth=OAuthSettings(path, app_client(app)), clock=clock)
    return open_client(settings, read_only=True, transport=sandbox.transport())


def calls(sandbox: Sandbox) -> list[tuple[str, str, int | None, str | None]]:
    return [(r.method, r.path, r.status, r.token) for r in sandbox.requests]


def on_disk(path: Path) -> TokenSet:
    return TokenSet.from_json(json.loads(path.read_text()), str(path))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "oauth-token.json"


@pytest.fixture
def logged_in(oauth_sandbox: Sandbox, clock: FakeClock, path: Path) -> TokenSet:
    tokens = login(oauth_sandbox, clock, path)
    oauth_sandbox.reset_log()
    return tokens


def test_no_refresh_while_the_token_is_fresh(
    oauth_sandbox: Sandbox, clock: FakeClock, path: Path, logged_in: TokenSet
) -> None:
    assert logged_in.expires_at is not None
    clock.now = logged_in.expires_at - REFRESH_AHEAD - 1
    client(oauth_sandbox, clock, path).get("/users/me")
    assert calls(oauth_sandbox) == [("GET", "/users/me", 200, "cli/1")]


def test_refresh_ahead_of_expiry_persists_the_rotated_pair(
    oauth_sandbox: Sandbox, clock: FakeClock, path: Path, logged_in: TokenSet
) -> None:
    assert logged_in.expires_at is not None
    clock.now = logged_in.expires_at - REFRESH_AHEAD
    api = client(oauth_sandbox, clock, path)
    api.get("/users/me")
    api.get("/users/me")
    assert calls(oauth_sandbox) == [
        ("POST", "/oauth/token", 200, None),
        ("GET", "/users/me", 200, "cli/2"),
        ("GET", "/users/me", 200, "cli/2"),
    ]
    saved = on_disk(path)
    assert saved.generation == 2
    assert saved.refresh_token != logged_in.refresh_token
    assert saved.access_token != logged_in.access_token
    assert saved.expires_at == clock.now + 7200
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # The saved refresh token is the live one: the next run refreshes with it.
    clock.now = saved.expires_at
    client(oauth_sandbox, clock, path).get("/users/me")
    assert calls(oauth_sandbox)[-2:] == [
        ("POST", "/oauth/token", 200, None),
        ("GET", "/users/me", 200, "cli/3"),
    ]


def test_a_401_refreshes_once_and_resends(
    oauth_sandbox: Sandbox, clock: FakeClock, path: Path, logged_in: TokenSet
) -> None:
    clock.now += 7200 + 5  # expired, but the client's clock says otherwise
    api = open_client(
        ConnectionSettings(
            oauth=OAuthSettings(path, app_client("cli")), clock=lambda: logged_in.expires_at - 600
        ),
        read_only=True,
        transport=oauth_sandbox.transport(),
    )
    assert api.get_resource("/users/me")["email"] == "ben@acme.example"
    assert calls(oauth_sandbox) == [
        ("GET", "/users/me", 401, None),
        ("POST", "/oauth/token", 200, None),
        ("GET", "/users/me", 200, "cli/2"),
    ]
    assert on_disk(path).generation == 2


def test_a_401_after_a_refresh_is_the_apis_answer(
    oauth_sandbox: Sandbox, clock: FakeClock, path: Path, logged_in: TokenSet
) -> None:
    """Only one refresh per request: a token that is refused again is Unauthorized."""
    seen: list[str] = []

    def api_refuses_everything(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/oauth/"):
            return oauth_sandbox.transport().handle_request(request)
        seen.append(request.headers["authorization"])
        return httpx.Response(401, json={"title": "Unauthenticated", "message": "Revoked."})

    settings = ConnectionSettings(oauth=OAuthSettings(path, app_client("cli")), clock=clock)
    api = open_client(
        settings, read_only=True, transport=httpx.MockTransport(api_refuses_everything)
    )
    with pytest.raises(Unauthorized):
        api.get("/users/me")
    assert [c[:3] for c in calls(oauth_sandbox)] == [("POST", "/oauth/token", 200)]
    assert seen == [
        f"Bearer {logged_in.access_token.reveal()}",
        f"Bearer {on_disk(path).access_token.reveal()}",
    ]


def test_another_run_adopts_a_refresh_instead_of_spending_the_token_again(
    oauth_sandbox: Sandbox, clock: FakeClock, path: Path, logged_in: TokenSet
) -> None:
    first = session(oauth_sandbox, clock, path)
    second = session(oauth_sandbox, clock, path)  # started at the same time, same tokens
    assert logged_in.expires_at is not None
    clock.now = logged_in.expires_at
    token_a = first.usable_token()
    token_b = second.usable_token()
    assert token_a == token_b == on_disk(path).access_token
    assert [c[:3] for c in calls(oauth_sandbox)] == [("POST", "/oauth/token", 200)]


def test_concurrent_runs_refresh_exactly_once(
    oauth_sandbox: Sandbox, clock: FakeClock, path: Path, logged_in: TokenSet
) -> None:
    runs = [session(oauth_sandbox, clock, path) for _ in range(8)]
    assert logged_in.expires_at is not None
    clock.now = logged_in.expires_at
    start = threading.Barrier(len(runs))
    results: list[str] = []

    def run(s: OAuthSession) -> None:
        start.wait()
        results.append(s.usable_token().reveal())

    threads = [threading.Thread(target=run, args=(s,)) for s in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 8
    assert [c[:3] for c in calls(oauth_sandbox)] == [("POST", "/oauth/token", 200)]
    assert on_disk(path).generation == 2


def test_one_client_refreshes_once_for_all_its_threads(
    oauth_sandbox: Sandbox, clock: FakeClock, path: Path, logged_in: TokenSet
) -> None:
    api = client(oauth_sandbox, clock, path)
    assert logged_in.expires_at is not None
    clock.now = logged_in.expires_at
    start = threading.Barrier(6)

    def run() -> None:
        start.wait()
        api.get("/users/me")

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(c[:3] for c in calls(oauth_sandbox)) == [("GET", "/users/me", 200)] * 6 + [
        ("POST", "/oauth/token", 200)
    ]


def test_a_spent_refresh_token_after_expiry_is_one_clear_error(
    oauth_sandbox: Sandbox, clock: FakeClock, path: Path, logged_in: TokenSet
) -> None:
    stale = path.read_text()
    assert logged_in.expires_at is not None
    clock.now = logged_in.expires_at
    session(oauth_sandbox, clock, path).usable_token()
    path.write_text(stale)  # e.g. a backup of the token file restored
    with pytest.raises(RefreshRefused) as err:
        client(oauth_sandbox, clock, path).get("/users/me")
    assert str(err.value) == REFUSED
    assert logged_in.refresh_token.reveal() not in str(err.value)


def test_the_client_secret_and_tokens_never_reach_an_error(
    oauth_sandbox: Sandbox, clock: FakeClock, path: Path, logged_in: TokenSet
) -> None:
    wrong = OAuthClient(AUTH, APPS["cli"]["client_id"], Secret("not-it-1234"))
    tokens = OAuthSession(TokenFile(path), wrong, transport=oauth_sandbox.transport(), clock=clock)
    assert logged_in.expires_at is not None
    clock.now = logged_in.expires_at
    with pytest.raises(AuthError) as err:
        tokens.usable_token()
    assert str(err.value) == (
        "the Calendly auth server refused the OAuth client (invalid_client: Client "
        "authentication failed.): check CALENDLY_CLIENT_ID and CALENDLY_CLIENT_SECRET"
    )
    assert repr(tokens) == f"OAuthSession(TokenFile({str(path)!r}))"


def test_client_secret_and_tokens_are_masked_by_the_client(
    oauth_sandbox: Sandbox, clock: FakeClock, path: Path, logged_in: TokenSet
) -> None:
    api = client(oauth_sandbox, clock, path)
    assert logged_in.expires_at is not None
    clock.now = logged_in.expires_at
    api.get("/users/me")
    current = on_disk(path)
    values = [current.access_token.reveal(), current.refresh_token.reveal()]
    values.append(APPS["cli"]["client_secret"])
    assert api._redact(" ".join(values)) == "*** *** ***"


# ---- crashes between the refresh response and the end of the write-back ------------------------


def test_crash_before_the_sidecar_is_durable_keeps_the_old_file_and_a_working_token(
    oauth_sandbox: Sandbox,
    clock: FakeClock,
    path: Path,
    logged_in: TokenSet,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The new pair dies with the process; the file is intact, and the still-valid access
    token carries on until it expires, then the refusal says to log in again."""
    real_fsync = os.fsync

    def torn_write(fd: int) -> None:
        os.ftruncate(fd, 25)  # half of the sidecar reached the disk
        raise Crash

    assert logged_in.expires_at is not None
    clock.now = logged_in.expires_at - REFRESH_AHEAD / 2
    monkeypatch.setattr(os, "fsync", torn_write)
    with pytest.raises(Crash):
        session(oauth_sandbox, clock, path).usable_token()
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert TokenFile(path).sidecar.read_text() != ""  # the torn sidecar is still there

    api = client(oauth_sandbox, clock, path)  # the next run
    assert on_disk(path) == logged_in
    assert not TokenFile(path).sidecar.exists()
    with caplog.at_level(logging.WARNING, "reconciler.auth"):
        api.get("/users/me")
        api.get("/users/me")
    assert caplog.messages == [f"{REFUSED}; using the current access token until it expires"]
    assert [c[:4] for c in calls(oauth_sandbox)] == [
        ("POST", "/oauth/token", 200, None),  # the crashed run's refresh
        ("POST", "/oauth/token", 400, None),  # refused once, not at every request
        ("GET", "/users/me", 200, "cli/1"),
        ("GET", "/users/me", 200, "cli/1"),
    ]
    clock.now = logged_in.expires_at
    with pytest.raises(RefreshRefused) as err:
        api.get("/users/me")
    assert str(err.value) == REFUSED


@pytest.mark.parametrize("where", ["before the rename", "before the directory fsync"])
def test_crash_after_the_sidecar_is_durable_loses_nothing(
    oauth_sandbox: Sandbox,
    clock: FakeClock,
    path: Path,
    logged_in: TokenSet,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    import reconciler.client.auth as auth

    def crash(*args: object) -> None:
        raise Crash

    target = (os, "replace") if where == "before the rename" else (auth, "_fsync_dir")
    assert logged_in.expires_at is not None
    clock.now = logged_in.expires_at
    monkeypatch.setattr(*target, crash)
    with pytest.raises(Crash):
        session(oauth_sandbox, clock, path).usable_token()
    monkeypatch.undo()
    assert json.loads(path.read_text())  # never half-written

    api = client(oauth_sandbox, clock, path)  # the next run
    api.get("/users/me")
    recovered = on_disk(path)
    assert recovered.generation == 2
    assert not TokenFile(path).sidecar.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert calls(oauth_sandbox) == [
        ("POST", "/oauth/token", 200, None),
        ("GET", "/users/me", 200, "cli/2"),  # the token the crashed run received
    ]
    # ...and its refresh token is the live one.
    assert recovered.expires_at is not None
    clock.now = recovered.expires_at
    api.get("/users/me")
    assert calls(oauth_sandbox)[-2:] == [
        ("POST", "/oauth/token", 200, None),
        ("GET", "/users/me", 200, "cli/3"),
    ]
