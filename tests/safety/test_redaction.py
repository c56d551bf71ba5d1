"""Redaction by construction: canary secrets in every form, through every command.

The canaries hold what broke redaction before: a line break (httpx quotes it escaped), quotes
and backslashes (JSON-escaped in an echoed error body), non-ASCII (escaped as \\u or as UTF-8
bytes), and a URL password. Every command runs with them: validate, plan in each format and
with --out, apply of the config and of the saved plan, drift in each format, export (stdout
and files), scopes, the OAuth and Scalekit connections, and the error paths (a token no HTTP
header can carry, an unreachable API, a server that echoes the request body in its error, cut
at 200 characters right inside the signing key). Everything printed, logged or written is then
searched for every form of every canary (`client.secret.forms`) and every start of one.
"""

from __future__ import annotations

import functools
import json
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner, Result

from reconciler.cli import cli
from reconciler.cli.options import CliEnv
from reconciler.client import api
from reconciler.client.secret import forms
from reconciler.sandbox import Sandbox
from tests.export.support import API, TODAY
from tests.helpers import FakeClock

ROOT = Path(__file__).parent.parent.parent
#: A working admin token (header-safe: printable ASCII, with a quote and a backslash).
TOKEN = 'Zq9Tk-"quoted"-back\\slash-7c1e'
#: Tokens no HTTP header can carry.
TOKEN_NEWLINE = "Wx4Kb-first-line\nsecond-line-9a2f"
TOKEN_UNICODE = "Vb3Np-caf\u00e9-\u2713-0e6d"
#: Signing keys: every character class that escapes differently.
KEYS = {
    "HOOK_A": 'Yh5Ms-"q"\\b\nline-\u00e9\u2713-\u0100-end',
    "HOOK_B": "Ug2Lr-tab\there-\u00fc\u00df-'single'-end",
}
URL_PASSWORD = 'Tf8Jc-p"ss\\w\u00f6rd'
CLIENT_SECRET = 'Sd6Hq-oauth-"secret"\\\n-\u00e9'
SCALEKIT_SECRET = 'Re1Gp-scalekit-\u00e9\\"x'
CANARIES = {
    "token": TOKEN,
    "newline token": TOKEN_NEWLINE,
    "unicode token": TOKEN_UNICODE,
    **KEYS,
    "url password": URL_PASSWORD,
    "client secret": CLIENT_SECRET,
    "scalekit secret": SCALEKIT_SECRET,
}

CONFIG = """\
members:
  - email: alice@acme.example
webhooks:
  - url: https://hooks.acme.example/calendly/a-rather-long-path-so-the-key-sits-late
    scope: organization
    events: [invitee.created]
    signing_key: ${HOOK_A}
  - url: https://hooks.acme.example/calendly/b
    scope: organization
    events: [invitee.canceled]
    signing_key: ${HOOK_B}
policy:
  prune: [webhooks]
  max_delete_fraction: 1
"""

HOOKS = {
    "https://hooks.acme.example/calendly/a-rather-long-path-so-the-key-sits-late": "HOOK_A",
    "https://hooks.acme.example/calendly/b": "HOOK_B",
}


def _sandbox() -> Sandbox:
    fixture: dict[str, Any] = yaml.safe_load((ROOT / "examples/sandbox/acme.yaml").read_text())
    fixture["tokens"].append(
        {"name": "canary", "token": TOKEN, "user": "alice@acme.example", "scopes": "legacy"}
    )
    clock = FakeClock()
    return Sandbox(fixture, clock=clock, sleep=clock.sleep, rate_limit=1_000_000)


class Echo(httpx.BaseTransport):
    """Answers a webhook POST with an error page quoting the request body: JSON once, then HTML
    padded so that the 200-character quote ends inside the signing key."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.echoed = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST" or request.url.path != "/webhook_subscriptions":
            return self.inner.handle_request(request)
        self.echoed += 1
        body = request.content.decode()
        if self.echoed % 2:
            answer = {"title": "Invalid Argument", "message": f"cannot create {body}"}
            return httpx.Response(400, json=answer)
        at = body.find("Yh5Ms") if "Yh5Ms" in body else body.find("Ug2Lr")
        page = "<p>" + "." * max(0, 190 - at) + body
        return httpx.Response(422, content=page.encode())


class Session:
    def __init__(self, sandbox: Sandbox, tmp_path: Path) -> None:
        self.sandbox = sandbox
        self.tmp_path = tmp_path
        self.results: list[tuple[list[str], Result]] = []
        self.transport: httpx.BaseTransport = sandbox.transport()
        directory = tmp_path / "config"
        directory.mkdir()
        (directory / "config.yaml").write_text(CONFIG)
        self.config = str(directory)

    def run(self, *args: str, token: str = TOKEN, **env: str) -> Result:
        environ = {
            "CALENDLY_TOKEN": token,
            "CALENDLY_API_URL": API,
            "CALENDLY_CLIENT_SECRET": CLIENT_SECRET,
            "NO_COLOR": "1",
            **KEYS,
            **env,
        }
        obj = CliEnv(transport=self.transport, today=lambda: TODAY, interactive=lambda: False)
        result = CliRunner().invoke(cli, list(args), env=environ, obj=obj)
        self.results.append((list(args), result))
        return result

    def text(self, records: list[logging.LogRecord]) -> str:
        parts = []
        for _, result in self.results:  # not the arguments: a URL password is given there
            parts += [result.stdout, result.stderr]
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                parts += ["".join(traceback.format_exception(result.exception))]
        for record in records:
            parts += [record.getMessage(), record.exc_text or ""]
        for file in sorted(self.tmp_path.rglob("*")):
            if file.is_file() and file.parent.name != "config":
                parts.append(file.read_text(encoding="utf-8"))
        return "\n".join(parts)


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(api, "RetryPolicy", functools.partial(api.RetryPolicy, backoff=0.0))
    yield Session(_sandbox(), tmp_path)
    logger = logging.getLogger("reconciler")  # --debug attached a handler to a closed stream
    for handler in [h for h in logger.handlers if type(h).__name__ == "_DebugHandler"]:
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


def _leaks(text: str) -> dict[str, str]:
    """Each canary form, or start of one (6 characters and more), that `text` contains."""
    found = {}
    for name, canary in CANARIES.items():
        for form in forms(canary):
            for end in range(len(form), 5, -1):
                if form[:end] in text:
                    found[f"{name}: {form!r}"] = form[:end]
                    break
    return found


def test_no_form_of_any_secret_reaches_any_output(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="reconciler")
    run, config = session.run, session.config

    assert run("validate", config).exit_code == 0
    assert run("scopes", config).exit_code == 0
    for fmt in ("text", "markdown", "json"):
        assert run("plan", config, "--format", fmt, "--debug").exit_code == 0
    assert run("plan", config, "--out", "plan.json").exit_code == 0
    applied = run("apply", "plan.json", "--debug")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 4 done, 0 failed, 0 skipped." in applied.stdout
    hooks = {h["callback_url"]: h["id"] for h in session.sandbox.state()["webhooks"]}
    sent = [session.sandbox.signing_key_matches(hooks[h], KEYS[k]) for h, k in HOOKS.items()]
    assert sent == [True, True]  # the canaries did travel: the search below is not vacuous
    for fmt in ("text", "markdown", "json"):
        assert run("drift", config, "--format", fmt, "--debug").exit_code == 0
    assert run("export").exit_code == 0
    assert run("export", "-o", "exported").exit_code == 0

    # Error paths.
    for bad in (TOKEN_NEWLINE, TOKEN_UNICODE):
        refused = run("plan", config, token=bad)
        assert refused.exit_code == 1
        assert "holds a character no HTTP header can carry" in refused.stderr
    with_password = f"http://user:{URL_PASSWORD}@api.calendly.com"
    assert run("plan", config, "--api-url", with_password, "--debug").exit_code == 0
    session.sandbox.set_faults("seed=2,drop=1.0,methods=all")
    unreachable = run("plan", config, "--api-url", with_password)
    assert "could not reach http://user:***@api.calendly.com" in unreachable.stderr
    session.sandbox.set_faults(None)
    oauth = run("plan", config, "--auth", "oauth", "--token-file", "missing.json")
    assert oauth.exit_code == 1
    scalekit = run(
        "plan",
        config,
        "--auth",
        "scalekit",
        SCALEKIT_ENV_URL=f"https://u:{URL_PASSWORD}@acme.scalekit.example",
        SCALEKIT_CLIENT_ID="skc_1",
        SCALEKIT_CLIENT_SECRET=SCALEKIT_SECRET,
        SCALEKIT_IDENTIFIER="alice",
    )
    assert scalekit.exit_code == 1
    state = session.sandbox.state()
    for hook in [h["id"] for h in state["webhooks"] if "calendly/b" in h["callback_url"]]:
        session.sandbox.disable_webhook(hook)  # apply replaces it: a POST the echo answers
    echo = Echo(session.sandbox.transport())
    session.transport = echo
    for _ in range(2):
        echoed = run("apply", config, "--auto-approve", "--debug")
        assert "answered 4" in echoed.stdout, echoed.output
    assert echo.echoed == 2
    assert "…" in session.results[-1][1].stdout  # the quote was cut: the prefix case ran

    text = session.text(caplog.records)
    assert "Bearer ***" in text and "debug: GET /users/me" in text  # the debug log did run
    assert _leaks(text) == {}


def test_the_forms_cover_each_way_a_secret_is_spelled() -> None:
    key = KEYS["HOOK_A"]
    spelled = set(forms(key))
    assert json.dumps(key)[1:-1] in spelled
    assert json.dumps(key, ensure_ascii=False)[1:-1] in spelled
    assert repr(key)[1:-1] in spelled
    assert repr(key.encode())[2:-1] in spelled
    assert "Yh5Ms-%22q%22%5Cb%0Aline-%C3%A9%E2%9C%93-%C4%80-end" in spelled
    assert " ".join(key.split()) in spelled
