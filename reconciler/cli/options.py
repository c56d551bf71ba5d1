"""Options shared by the commands, and the per-run environment the CLI hands to them.

The client (httpx and the auth modules) is imported by the functions that need it, not here:
`validate` uses this module's path options and must start without loading HTTP machinery.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reconciler.client.secret import Secret
from reconciler.errors import UsageError

if TYPE_CHECKING:
    import httpx

    from reconciler.client import CalendlyClient, ConnectionSettings
    from reconciler.client.auth import OAuthClient
    from reconciler.client.scalekit import ScalekitSettings

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CliEnv:
    """What a run depends on besides its arguments; tests replace parts of it."""

    transport: httpx.BaseTransport | None = None  # also carries OAuth and Scalekit calls
    today: Callable[[], dt.date] = field(default=lambda: dt.datetime.now(dt.UTC).date())
    interactive: Callable[[], bool] = field(default=lambda: sys.stdin.isatty())
    clock: Callable[[], float] = time.time  # wall clock, for token expiry
    #: "now" for the plan's booking reads (upcoming bookings start after it)
    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    open_url: Callable[[str], object] = field(default=lambda url: _open_browser(url))


def _open_browser(url: str) -> bool:  # `login --open`
    import webbrowser

    return webbrowser.open(url)


def env_of(ctx: click.Context) -> CliEnv:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, CliEnv) else CliEnv()


def paths_argument(func: F) -> F:
    return click.argument(
        "paths", nargs=-1, required=True, type=click.Path(exists=False, path_type=Path)
    )(func)


def insecure_option(func: F) -> F:
    return click.option(
        "--allow-insecure-webhooks",
        is_flag=True,
        help="Accept plain http:// webhook URLs on loopback hosts (local testing only).",
    )(func)


AUTH_METHODS = ("token", "oauth", "scalekit")


def connection_options(func: F) -> F:
    """How to reach and authenticate to Calendly: for every command that talks to it.

    --auth token (CALENDLY_TOKEN or --token-file), oauth (the token file `login` wrote; client
    id/secret from CALENDLY_CLIENT_ID / CALENDLY_CLIENT_SECRET) or scalekit (the SCALEKIT_*
    variables, or the --scalekit-* flags); plus --api-url, --concurrency and --debug.
    """
    from reconciler.client.auth import DEFAULT_AUTH_URL
    from reconciler.client.connect import DEFAULT_API_URL

    options = [
        click.option(
            "--auth",
            type=click.Choice(AUTH_METHODS),
            envvar="CALENDLY_AUTH",
            default="token",
            show_default=True,
            help="How to authenticate (env CALENDLY_AUTH): a personal access token, the OAuth "
            "token file written by `login`, or the Scalekit proxy.",
        ),
        click.option(
            "--api-url",
            envvar="CALENDLY_API_URL",
            default=DEFAULT_API_URL,
            show_default=True,
            metavar="URL",
            help="Calendly API base URL (env CALENDLY_API_URL), e.g. the sandbox's. "
            "Not used with --auth scalekit.",
        ),
        click.option(
            "--token-file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="--auth token: read the token from this file instead of CALENDLY_TOKEN. "
            "--auth oauth: the token file written by `login` "
            "(default ~/.config/calendly-reconciler/oauth-token.json).",
        ),
        click.option(
            "--auth-url",
            envvar="CALENDLY_AUTH_URL",
            default=DEFAULT_AUTH_URL,
            show_default=True,
            metavar="URL",
            help="--auth oauth: the OAuth server (env CALENDLY_AUTH_URL), e.g. the sandbox's.",
        ),
        click.option(
            "--client-id",
            envvar="CALENDLY_CLIENT_ID",
            metavar="ID",
            help="--auth oauth: the OAuth app's client id (env CALENDLY_CLIENT_ID; default: the "
            "one `login` used). Its secret is read from CALENDLY_CLIENT_SECRET only.",
        ),
        *_scalekit_options(),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 32),
            default=8,
            show_default=True,
            help="Most API requests in flight at once.",
        ),
        click.option(
            "--debug",
            is_flag=True,
            help="Log every HTTP request to stderr (the Authorization header is masked).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _scalekit_options() -> list[Callable[[F], F]]:
    from reconciler.client.scalekit import DEFAULT_CONNECTION_NAME

    def flag(name: str, envvar: str, help: str, **kwargs: Any) -> Callable[[F], F]:
        return click.option(
            f"--scalekit-{name}",
            envvar=envvar,
            help=f"--auth scalekit: {help} (env {envvar}).",
            **kwargs,
        )

    return [
        flag("env-url", "SCALEKIT_ENV_URL", "the Scalekit environment URL", metavar="URL"),
        flag("client-id", "SCALEKIT_CLIENT_ID", "the Scalekit API client id", metavar="ID"),
        flag(
            "client-secret",
            "SCALEKIT_CLIENT_SECRET",
            "the Scalekit API client secret; prefer the variable: a command line is visible "
            "to other users",
            metavar="SECRET",
        ),
        flag(
            "connection-name",
            "SCALEKIT_CONNECTION_NAME",
            "the Calendly connection's name in Scalekit",
            default=DEFAULT_CONNECTION_NAME,
            show_default=True,
            metavar="NAME",
        ),
        flag(
            "identifier",
            "SCALEKIT_IDENTIFIER",
            "the connected account's identifier (your user or tenant id)",
            metavar="ID",
        ),
    ]


def connect(ctx: click.Context, opts: dict[str, Any], *, read_only: bool) -> CalendlyClient:
    if opts.get("debug"):
        _enable_debug_logging()
    from reconciler.client import open_client

    env = env_of(ctx)
    settings = connection_settings(opts, os.environ, clock=env.clock)
    return open_client(settings, read_only=read_only, transport=env.transport)


def connection_settings(
    opts: Mapping[str, Any], environ: Mapping[str, str], *, clock: Callable[[], float]
) -> ConnectionSettings:
    """The connection the options and environment describe; one UsageError if incomplete."""
    from reconciler.client import ConnectionSettings, read_token
    from reconciler.client.auth import default_token_path
    from reconciler.client.connect import DEFAULT_API_URL, OAuthSettings, url_secrets

    for name in ("api_url", "auth_url", "scalekit_env_url"):
        url_secrets(opts.get(name) or "")  # a URL's password: masked in everything printed
    method = opts.get("auth") or "token"
    common: dict[str, Any] = {"max_concurrency": opts.get("concurrency") or 8, "clock": clock}
    if method == "scalekit":
        return ConnectionSettings(scalekit=scalekit_settings(opts), **common)
    api_url = check_url("--api-url", opts.get("api_url") or DEFAULT_API_URL)
    if method == "oauth":
        oauth = OAuthSettings(
            token_file=opts.get("token_file") or default_token_path(),
            client=oauth_client(opts, environ),
        )
        return ConnectionSettings(api_url=api_url, oauth=oauth, **common)
    token = read_token(env_token=environ.get("CALENDLY_TOKEN"), token_file=opts.get("token_file"))
    return ConnectionSettings(api_url=api_url, token=token, **common)


def oauth_client(opts: Mapping[str, Any], environ: Mapping[str, str]) -> OAuthClient:
    from reconciler.client.auth import DEFAULT_AUTH_URL, OAuthClient

    secret = (environ.get("CALENDLY_CLIENT_SECRET") or "").strip()
    return OAuthClient(
        auth_url=check_url("--auth-url", opts.get("auth_url") or DEFAULT_AUTH_URL),
        client_id=(opts.get("client_id") or "").strip() or None,
        client_secret=Secret(secret) if secret else None,
    )


def check_url(option: str, url: str) -> str:
    """A usage error now, rather than retries against a URL that cannot work."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"{option} must be an http(s) URL such as https://api.calendly.com, not {url!r}"
        )
    return url


def scalekit_settings(opts: Mapping[str, Any]) -> ScalekitSettings:
    from reconciler.client.scalekit import DEFAULT_CONNECTION_NAME, ScalekitSettings

    wanted = {
        "env_url": "SCALEKIT_ENV_URL",
        "client_id": "SCALEKIT_CLIENT_ID",
        "client_secret": "SCALEKIT_CLIENT_SECRET",
        "identifier": "SCALEKIT_IDENTIFIER",
    }
    values = {key: (opts.get(f"scalekit_{key}") or "").strip() for key in wanted}
    missing = [env for key, env in wanted.items() if not values[key]]
    if missing:
        raise UsageError(
            f"--auth scalekit needs {', '.join(missing)} (or the matching --scalekit-* flags)"
        )
    if not values["env_url"].startswith(("https://", "http://")):
        raise UsageError(
            f"SCALEKIT_ENV_URL must be a URL such as https://acme.scalekit.cloud, "
            f"not {values['env_url']!r}"
        )
    return ScalekitSettings(
        env_url=values["env_url"],
        client_id=values["client_id"],
        client_secret=Secret(values["client_secret"]),
        identifier=values["identifier"],
        connection_name=(opts.get("scalekit_connection_name") or "").strip()
        or DEFAULT_CONNECTION_NAME,
    )


def use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def color_option(func: F) -> F:
    return click.option(
        "--color/--no-color",
        default=None,
        help="Colour the output (default: only on a terminal, and never with NO_COLOR set).",
    )(func)


class _DebugHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The --debug handler: one at a time, on the stderr of the current run."""


class _NoticeHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Retries and rate-limit waits, always shown: a silent wait looks like a hang."""


def _enable_notices() -> None:
    logger = logging.getLogger("reconciler.notice")
    for old in [h for h in logger.handlers if isinstance(h, _NoticeHandler)]:
        logger.removeHandler(old)  # one per run, on this run's stderr
    handler = _NoticeHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s…"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # not twice with --debug's handler on "reconciler"


def _enable_debug_logging() -> None:
    logger = logging.getLogger("reconciler")
    for old in [h for h in logger.handlers if isinstance(h, _DebugHandler)]:
        logger.removeHandler(old)  # a second run in one process (tests) must not log twice
    handler = _DebugHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("debug: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
