"""`watch` refuses an impossible command line in one line, before touching Calendly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox import Sandbox

Run = Callable[..., Any]


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    Path("config").mkdir()
    Path("config/c.yaml").write_text("members: [{email: alice@acme.example}]\n")
    return "config"


@pytest.mark.parametrize(
    ("listen", "url", "message"),
    [
        (
            "8080",
            "https://w.acme.example/h",
            "Error: --listen must be HOST:PORT, e.g. 0.0.0.0:8080, not '8080'",
        ),
        (
            "0.0.0.0:99999",
            "https://w.acme.example/h",
            "Error: --listen must be HOST:PORT, e.g. 0.0.0.0:8080, not '0.0.0.0:99999'",
        ),
        (
            "0.0.0.0:8080",
            "http://w.acme.example/h",
            "Error: --public-url must be https:// (Calendly delivers to public https URLs only; "
            "plain http is accepted for a loopback host, for the sandbox)",
        ),
        (
            "0.0.0.0:8080",
            "ftp://w.acme.example/h",
            "Error: --public-url must be an https:// URL, not 'ftp://w.acme.example/h'",
        ),
        (
            "0.0.0.0:8080",
            "https://w.acme.example/h?x=1",
            "Error: --public-url must not have a query or a fragment",
        ),
        (
            "0.0.0.0:8080",
            "https://w.acme.example/healthz",
            "Error: --public-url cannot use the path /healthz (the health endpoint)",
        ),
    ],
)
def test_bad_options_are_one_line_and_nothing_is_sent(
    run: Run, sandbox: Sandbox, config: str, listen: str, url: str, message: str
) -> None:
    result = run("watch", config, "--listen", listen, "--public-url", url)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [message]
    assert result.stdout == ""
    assert sandbox.requests == []


def test_a_port_in_use_is_one_line_before_any_subscription(
    run: Run, sandbox: Sandbox, config: str
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(
            "watch", config, "--listen", f"127.0.0.1:{port}",
            "--public-url", f"http://127.0.0.1:{port}/hooks",
        )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
    assert sandbox.requests == []


def test_oauth_needs_the_apps_signing_key(run: Run, sandbox: Sandbox, config: str) -> None:
    result = run(
        "watch", config, "--listen", "127.0.0.1:8080",
        "--public-url", "https://w.acme.example/h", "--auth", "oauth",
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: --auth oauth: Calendly signs the webhooks of an OAuth app with the app's signing "
        "key (in its developer portal settings); set CALENDLY_WATCH_SIGNING_KEY to it"
    ]
    assert sandbox.requests == []
