"""Secrets never show: not in stdout, stderr, --debug HTTP logs, log records or plan files.

One session runs the whole cycle through the CLI, everything with `--debug`: validate, plan
(text, json, markdown), plan --out, apply of the saved plan, apply of a changed config (a
webhook replace sends its signing key again), drift (none, then some); and the error paths:
a bad token (401), a token without scopes (403), a non-admin token, 5xx on reads and on
writes, dropped connections before and after a write was applied, and a server that echoes
the request body (signing key included) in its error answer.

Everything any of it printed, logged or saved is then searched for the token, the bad token
and every signing key, whole and by their first 8 characters: zero hits. Positive controls
make sure the search is not vacuous: the debug log did log requests (with `Bearer ***`), the
signing keys did reach the sandbox, the error paths did fail as intended.
"""

from __future__ import annotations

import functools
import json
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from reconciler.cli import cli
from reconciler.cli.options import CliEnv
from reconciler.client import api
from reconciler.sandbox import Sandbox
from tests.conftest import API
from tests.harness import TODAY
from tests.helpers import FakeClock

KEYS = {"BOOKINGS_KEY": "whsec-Bk7Qz2Lm9Xv4Np1Rt6", "CRM_KEY": "whsec-Cr5Wy8Ja3Hd0Fs2Ku7"}
BAD_TOKEN = "sbx-bad-Zq81Yx04WvTt"

CONFIG = """
members:
  - {email: alice@acme.example}
  - {email: quinn@acme.example}
event_types:
  - {name: Intro Call, owner: alice@acme.example, duration: 45}
webhooks:
  - url: https://hooks.acme.example/calendly/bookings
    scope: organization
    events: [invitee.created]
    signing_key: ${BOOKINGS_KEY}
  - url: https://hooks.acme.example/calendly/crm-new
    scope: organization
    events: [EVENTS]
    signing_key: ${CRM_KEY}
policy:
  prune: [webhooks]
  max_delete_fraction: 1
"""


class Session:
    """Runs the CLI against the sandbox and keeps everything it printed or wrote."""

    def __init__(self, sandbox: Sandbox, tmp_path: Path, clock: FakeClock) -> None:
        self.sandbox = sandbox
        self.clock = clock
        self.tmp_path = tmp_path
        self.results: list[tuple[list[str], Result]] = []
        self.files: list[Path] = []
        self.transport: httpx.BaseTransport = sandbox.transport()

    def config(self, events: str = "invitee.created") -> str:
        directory = self.tmp_path / "config"
        directory.mkdir(exist_ok=True)
        (directory / "config.yaml").write_text(CONFIG.replace("EVENTS", events))
        return str(directory)

    def run(self, *args: str, token: str | None = None) -> Result:
        env = {
            "CALENDLY_TOKEN": token or self.sandbox.token("demo"),
            "CALENDLY_API_URL": API,
            "NO_COLOR": "1",
            **KEYS,
        }
        obj = CliEnv(
            transport=self.transport,
            today=lambda: TODAY,
            interactive=lambda: False,
            clock=self.clock,  # the sandbox's: the apply lock's age is read against it
        )
        result = CliRunner().invoke(cli, list(args), env=env, obj=obj)
        self.results.append((list(args), result))
        return result

    def text(self, records: list[logging.LogRecord]) -> str:
        parts = []
        for args, result in self.results:
            parts += [" ".join(args), result.stdout, result.stderr]
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                parts += [
                    repr(result.exception),
                    "".join(traceback.format_exception(result.exception)),
                ]
        for record in records:
            parts += [record.getMessage(), repr(record.args), record.exc_text or ""]
        parts += [file.read_text(encoding="utf-8") for file in self.files]
        return "\n".join(parts)

    def secrets(self) -> dict[str, str]:
        tokens = {name: self.sandbox.token(name) for name in ("demo", "member", "no-scopes")}
        return {**tokens, "bad token": BAD_TOKEN, **KEYS}


@pytest.fixture
def session(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> Iterator[Session]:
    monkeypatch.chdir(tmp_path)
    # The CLI's client waits between retries on the wall clock: no waiting in tests.
    monkeypatch.setattr(api, "RetryPolicy", functools.partial(api.RetryPolicy, backoff=0.0))
    yield Session(sandbox, tmp_path, clock)
    logger = logging.getLogger("reconciler")  # --debug attached a handler to a closed stream
    for handler in [h for h in logger.handlers if type(h).__name__ == "_DebugHandler"]:
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


class Echo(httpx.BaseTransport):
    """A server that quotes the request body in its error answers (a 400 in JSON, a 422 page)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.echoed = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST" or request.url.path != "/webhook_subscriptions":
            return self.inner.handle_request(request)
        if b"calendly-reconciler.invalid" in request.content:  # the apply lock (lock.py)
            return self.inner.handle_request(request)
        self.echoed += 1
        body = request.content.decode()
        if self.echoed % 2:
            answer = {
                "title": "Invalid Argument",
                "message": f"cannot create {body}",
                "details": [{"parameter": "signing_key", "message": f"bad: {body}"}],
            }
            return httpx.Response(400, json=answer)
        return httpx.Response(422, content=f"<html><pre>{body}</pre></html>".encode())


def test_no_secret_in_any_output_log_or_plan_file(
    session: Session, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="reconciler")
    config = session.config()
    run = session.run

    assert run("validate", config).exit_code == 0
    for fmt in ("text", "json", "markdown"):
        assert run("plan", config, "--format", fmt, "--debug").exit_code == 0
    saved = session.tmp_path / "plan.json"
    assert run("plan", config, "--out", str(saved), "--debug").exit_code == 0
    session.files.append(saved)
    applied = run("apply", str(saved), "--debug")
    assert applied.exit_code == 0, applied.output
    hooks = {h["callback_url"]: h["id"] for h in sandbox.state()["webhooks"]}
    bookings = hooks["https://hooks.acme.example/calendly/bookings"]
    crm = hooks["https://hooks.acme.example/calendly/crm-new"]
    assert sandbox.signing_key_matches(bookings, KEYS["BOOKINGS_KEY"])  # the keys were sent
    assert sandbox.signing_key_matches(crm, KEYS["CRM_KEY"])

    changed = session.config(events="invitee.created, invitee.canceled")  # crm-new: replaced
    assert run("apply", changed, "--auto-approve", "--debug").exit_code == 0
    assert run("drift", changed, "--debug").exit_code == 0
    hooks = {h["callback_url"]: h["id"] for h in sandbox.state()["webhooks"]}
    sandbox.disable_webhook(hooks["https://hooks.acme.example/calendly/bookings"])
    assert run("drift", changed, "--format", "json", "--debug").exit_code == 2
    assert run("plan", changed, "--format", "markdown", "--debug").exit_code == 0

    # Error paths.
    assert "401" in run("plan", changed, "--debug", token=BAD_TOKEN).stderr
    assert (
        "needs the scope"
        in run("plan", changed, "--debug", token=sandbox.token("no-scopes")).stderr
    )
    member = run("apply", changed, "--auto-approve", "--debug", token=sandbox.token("member"))
    assert member.exit_code == 1 and "answered 403 Permission Denied" in member.stderr
    sandbox.set_faults("seed=1,5xx=1.0,codes=503,methods=all")
    assert "503" in run("plan", changed, "--debug").stderr
    sandbox.set_faults("seed=1,5xx=1.0,codes=500,methods=writes")
    assert "may or may not have applied it" in run("apply", changed, "--auto-approve").stdout
    sandbox.set_faults("seed=2,drop=1.0,methods=all")
    assert "could not reach" in run("plan", changed, "--debug").stderr
    sandbox.set_faults("seed=3,commit_drop=1.0,methods=writes")
    dropped = run("apply", session.config(), "--auto-approve", "--debug")  # applied, then lost
    assert dropped.stdout.endswith("Apply complete: 2 done, 0 failed, 0 skipped.\n"), dropped.stderr
    # 2 DELETEs, 2 POSTs: each recovered; and the apply lock's POST and DELETE (lock.py)
    assert sandbox.counters["faults"]["commit_drop"] == 6
    sandbox.set_faults(None)
    echo = Echo(sandbox.transport())
    session.transport = echo
    echoing = session.config(events="invitee.canceled")
    assert "answered 400 Invalid Argument" in run("apply", echoing, "--auto-approve").stdout
    assert "answered 422: <html><pre>{" in run("apply", echoing, "--auto-approve", "--debug").stdout
    assert echo.echoed == 2

    text = session.text(caplog.records)
    assert "Bearer ***" in text and "debug: GET /users/me" in text  # debug logging did run
    leaks = {
        f"{name} ({shown})": text.count(shown)
        for name, secret in session.secrets().items()
        for shown in (secret, secret[:8])
        if shown in text
    }
    assert leaks == {}, leaks


def test_a_saved_plan_holds_the_key_s_variable_and_a_salted_hash_only(
    session: Session, tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    assert session.run("plan", session.config(), "--out", str(saved)).exit_code == 0
    data = json.loads(saved.read_text())
    sealed = [
        r["secrets"]["signing_key"]
        for c in data["changes"]
        for r in c["requests"]
        if "secrets" in r
    ]
    assert [s["env"] for s in sealed] == ["BOOKINGS_KEY", "CRM_KEY"]
    assert all(set(s) == {"env", "salt", "hash"} for s in sealed), sealed
    shown = [
        r["body"].get("signing_key")
        for c in data["changes"]
        for r in c["requests"]
        if "secrets" in r
    ]
    assert shown == ["(sensitive)", "(sensitive)"]
