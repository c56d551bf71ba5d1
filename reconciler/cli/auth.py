"""`login` (OAuth authorization code with PKCE on a loopback redirect) and `scopes`."""

from __future__ import annotations

import html
import os
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import click

from reconciler.cli.exitcodes import ExitCode
from reconciler.cli.options import env_of, oauth_client, paths_argument
from reconciler.cli.planning import status
from reconciler.client.auth import (
    DEFAULT_AUTH_URL,
    TokenFile,
    authorize_url,
    default_token_path,
    exchange_code,
    pkce_pair,
    save_login,
)
from reconciler.config import load_config
from reconciler.errors import UsageError
from reconciler.scopes import Call, ConfigCalls, config_calls, event_scope, expand, minimal

CALLBACK_PATH = "/callback"


# ---- login ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Redirect:
    """What the browser brought back to the loopback listener."""

    code: str | None
    state: str | None
    error: str | None
    description: str | None


class LoopbackReceiver:
    """A one-shot HTTP listener on 127.0.0.1 that waits for the OAuth redirect."""

    def __init__(self, port: int = 0) -> None:
        self._received: Redirect | None = None
        self._arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path != CALLBACK_PATH:
                    self._answer(404, "Not found.")
                    return
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                receiver._arrive(
                    Redirect(
                        query.get("code"),
                        query.get("state"),
                        query.get("error"),
                        query.get("error_description"),
                    )
                )
                self._answer(200, "Calendly answered. You can close this tab and go back to the "
                             "terminal.")  # fmt: skip

            def _answer(self, status_code: int, text: str) -> None:
                page = f"<!doctype html><title>calendly-reconciler</title><p>{html.escape(text)}"
                body = page.encode("utf-8")
                self.send_response(status_code)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return  # the query holds the authorization code: never log it

        try:
            self._server = HTTPServer(("127.0.0.1", port), Handler)
        except OSError as exc:
            raise UsageError(
                f"cannot listen on 127.0.0.1:{port} for the OAuth redirect: {exc.strerror}"
            ) from None
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{CALLBACK_PATH}"

    def _arrive(self, redirect: Redirect) -> None:
        if self._received is None:  # the first redirect counts; a reload changes nothing
            self._received = redirect
            self._arrived.set()

    def wait(self, timeout: float) -> Redirect | None:
        self._arrived.wait(timeout)
        return self._received

    def __enter__(self) -> LoopbackReceiver:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@click.command("login")
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to save the tokens (default ~/.config/calendly-reconciler/oauth-token.json).",
)
@click.option(
    "--auth-url",
    envvar="CALENDLY_AUTH_URL",
    default=DEFAULT_AUTH_URL,
    show_default=True,
    metavar="URL",
    help="The OAuth server (env CALENDLY_AUTH_URL), e.g. the sandbox's.",
)
@click.option(
    "--client-id",
    envvar="CALENDLY_CLIENT_ID",
    metavar="ID",
    help="The OAuth app's client id (env CALENDLY_CLIENT_ID). A web app's secret is read "
    "from CALENDLY_CLIENT_SECRET; a native app has none.",
)
@click.option(
    "--scope",
    metavar="SCOPES",
    help="Space-separated scopes to ask for (default: the app's), e.g. "
    '"$(calendly-reconciler scopes config/ --only apply)".',
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Loopback port for the redirect (0: any free port). The app must allow "
    "http://127.0.0.1[:PORT]/callback as a redirect URI.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the URL in the default browser.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    help="Seconds to wait for the browser to come back.",
)
@click.pass_context
def login_command(
    ctx: click.Context,
    /,
    token_file: Path | None,
    auth_url: str,
    client_id: str | None,
    scope: str | None,
    port: int,
    open_browser: bool,
    timeout: float,
) -> int:
    """Authorize calendly-reconciler with OAuth and save the tokens for --auth oauth.

    Prints an authorization URL; open it (or pass --open), approve, and Calendly redirects the
    browser to a listener on 127.0.0.1 that receives the code. The code is exchanged with PKCE
    (S256), and the access and refresh tokens are saved to the token file (mode 600). Later runs
    refresh them as they expire.

    \b
    Examples:
      calendly-reconciler login --open
      calendly-reconciler login --scope "$(calendly-reconciler scopes config/ --only apply)"
      calendly-reconciler plan config/ --auth oauth
    """
    env = env_of(ctx)
    client = oauth_client({"auth_url": auth_url, "client_id": client_id}, os.environ)
    if client.client_id is None:
        raise UsageError(
            "login needs the OAuth app's client id: set CALENDLY_CLIENT_ID or pass --client-id"
        )
    path = token_file or default_token_path()
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    with LoopbackReceiver(port) as receiver:
        redirect_uri = receiver.redirect_uri
        url = authorize_url(
            client, redirect_uri=redirect_uri, challenge=challenge, state=state, scope=scope
        )
        status(f"Open this URL in a browser to authorize calendly-reconciler:\n\n  {url}\n")
        status(f"Waiting for the browser to come back to {redirect_uri} …")
        if open_browser:
            env.open_url(url)
        redirect = receiver.wait(timeout)
    code = _code(redirect, state, redirect_uri, timeout)
    tokens = exchange_code(
        client,
        code=code,
        redirect_uri=redirect_uri,
        verifier=verifier,
        transport=env.transport,
        clock=env.clock,
    )
    saved = save_login(TokenFile(path), tokens)
    status(f"Logged in as {saved.owner or 'the authorizing user'}; tokens saved to {path}.")
    status(f"Granted scopes: {saved.scope or '(not stated)'}")
    flag = f" --token-file {path}" if token_file else ""
    status(f"Use them with: calendly-reconciler plan CONFIG --auth oauth{flag}")
    return ExitCode.OK


def _code(redirect: Redirect | None, state: str, redirect_uri: str, timeout: float) -> str:
    if redirect is None:
        raise UsageError(
            f"no authorization came back to {redirect_uri} within {timeout:g} s; "
            "run `calendly-reconciler login` again"
        )
    if redirect.state != state:
        raise UsageError(
            "the redirect's state does not match this login (a stale or forged redirect); "
            "run `calendly-reconciler login` again"
        )
    if redirect.error:
        said = f"{redirect.error}: {redirect.description}" if redirect.description else ""
        raise UsageError(f"the authorization was refused ({said or redirect.error})")
    if not redirect.code:
        raise UsageError("the redirect carried no authorization code")
    return redirect.code


# ---- scopes ---------------------------------------------------------------------------------


@click.command("scopes")
@paths_argument
@click.option(
    "--only",
    type=click.Choice(["plan", "apply"]),
    help="Print just that command's scopes on one line (for scripts and `login --scope`).",
)
def scopes_command(paths: tuple[Path, ...], only: str | None) -> int:
    """Print the OAuth scopes that plan and apply need for the config in PATHS.

    Offline: the calls are derived from what the config declares and what its policy prunes
    (plan's reads; apply's reads and every write it may make), and each call's scope comes from
    Calendly's scope catalogue. A :write scope includes the :read scope of its domain; a webhook
    subscription also needs the read scope of each event family it receives.

    \b
    Examples:
      calendly-reconciler scopes examples/acme/
      calendly-reconciler scopes config/ --only apply
    """
    calls = config_calls(load_config(paths, allow_insecure_webhooks=True, require_env=False))
    if only is not None:
        wanted = calls.plan if only == "plan" else calls.apply
        click.echo(" ".join(minimal(s for c in wanted for s in c.scopes())))
        return ExitCode.OK
    click.echo(render_scopes(calls), nl=False)
    return ExitCode.OK


def render_scopes(calls: ConfigCalls) -> str:
    sections = [
        ("Scopes for plan (it only reads):", calls.plan),
        ("Scopes for apply (plan's reads, then the writes):", calls.apply),
    ]
    out: list[str] = []
    for title, section in sections:
        table = _by_scope(section)
        width = max(len(scope) for scope in table)
        out.append(title)
        out.extend(f"  {scope:<{width}}  {', '.join(table[scope])}" for scope in sorted(table))
        out.append("")
    out.append("A :write scope includes its :read scope.")
    return "\n".join(out) + "\n"


def _by_scope(calls: tuple[Call, ...]) -> dict[str, list[str]]:
    """Minimal scope -> the calls it covers (a webhook POST lists the events a family needs)."""
    chosen = minimal(s for c in calls for s in c.scopes())
    table: dict[str, list[str]] = {scope: [] for scope in chosen}
    for call in sorted(calls, key=Call.display):
        for needed in sorted(call.scopes()):
            scope = next(s for s in chosen if needed in expand([s]))
            shown = call.display()
            events = [e for e in call.events if needed in _event_scopes(e)]
            if events:
                shown += f" ({', '.join(events)})"
            if shown not in table[scope]:
                table[scope].append(shown)
    return table


def _event_scopes(event: str) -> frozenset[str]:
    scope = event_scope(event)
    return frozenset({scope}) if scope else frozenset()
