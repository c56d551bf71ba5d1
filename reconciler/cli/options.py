"""Options shared by the commands, and the per-run environment the CLI hands to them."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click
import httpx

from reconciler.client import CalendlyClient, ConnectionSettings, open_client, read_token
from reconciler.client.connect import DEFAULT_API_URL

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CliEnv:
    """What a run depends on besides its arguments; tests replace parts of it."""

    transport: httpx.BaseTransport | None = None
    today: Callable[[], dt.date] = field(default=lambda: dt.datetime.now(dt.UTC).date())
    interactive: Callable[[], bool] = field(default=lambda: sys.stdin.isatty())


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


def connection_options(func: F) -> F:
    """--api-url, --token-file, --concurrency, --debug: for every command that talks to Calendly."""
    options = [
        click.option(
            "--api-url",
            envvar="CALENDLY_API_URL",
            default=DEFAULT_API_URL,
            show_default=True,
            metavar="URL",
            help="Calendly API base URL (env CALENDLY_API_URL), e.g. the sandbox's.",
        ),
        click.option(
            "--token-file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Read the token from this file instead of the CALENDLY_TOKEN variable.",
        ),
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


def connect(ctx: click.Context, opts: dict[str, Any], *, read_only: bool) -> CalendlyClient:
    if opts.get("debug"):
        _enable_debug_logging()
    token = read_token(
        env_token=os.environ.get("CALENDLY_TOKEN"), token_file=opts.get("token_file")
    )
    settings = ConnectionSettings(
        api_url=opts["api_url"], token=token, max_concurrency=opts["concurrency"]
    )
    return open_client(settings, read_only=read_only, transport=env_of(ctx).transport)


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


def _enable_debug_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("debug: %(message)s"))
    logger = logging.getLogger("reconciler")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
