"""`watch`: a long-running receiver of Calendly's event type webhooks, reporting drift live."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import click

from reconciler.cli.exitcodes import ExitCode
from reconciler.cli.options import (
    connect,
    connection_options,
    env_of,
    insecure_option,
    paths_argument,
)
from reconciler.client.secret import Secret
from reconciler.config import load_config
from reconciler.errors import UsageError

KEY_ENV = "CALENDLY_WATCH_SIGNING_KEY"
NOTIFY_ENV = "CALENDLY_WATCH_NOTIFY_URL"


@click.command("watch")
@paths_argument
@click.option(
    "--listen",
    required=True,
    metavar="HOST:PORT",
    help="Where to serve HTTP, e.g. 0.0.0.0:8080 behind a TLS-terminating proxy.",
)
@click.option(
    "--public-url",
    required=True,
    metavar="URL",
    help="The public https URL Calendly delivers to; its path is the one served.",
)
@click.option(
    "--resync",
    type=click.FloatRange(min=10),
    metavar="SECONDS",
    help="Also run a full drift check at start and every SECONDS (deliveries can be lost).",
)
@click.option(
    "--notify",
    "notify_url",
    envvar=NOTIFY_ENV,
    metavar="URL",
    help=f"Post a short message when drift is found to this Slack-compatible incoming webhook "
    f"(env {NOTIFY_ENV}; prefer it: the URL is a secret).",
)
@click.option(
    "--unsubscribe-on-exit",
    is_flag=True,
    help="Delete the webhook subscription when stopping (default: keep it, lose nothing).",
)
@insecure_option
@connection_options
@click.pass_context
def watch_command(
    ctx: click.Context,
    /,
    paths: tuple[Path, ...],
    listen: str,
    public_url: str,
    resync: float | None,
    notify_url: str | None,
    unsubscribe_on_exit: bool,
    allow_insecure_webhooks: bool,
    **opts: Any,
) -> int:
    """Report drift from the config in PATHS seconds after someone changes an event type.

    Ensures an organization webhook subscription for event_type.created/updated/deleted at
    --public-url (adopting an existing one), serves HTTP on --listen (GET /healthz for probes),
    verifies every delivery, and checks the affected owner's event types: each drifted change
    is one JSON line on stdout (as in `plan --format json`); logs are JSON lines on stderr.
    SIGTERM or Ctrl-C stops it; the subscription stays unless --unsubscribe-on-exit.

    \b
    The signing key comes from CALENDLY_WATCH_SIGNING_KEY; without it a key is generated for
    this run only, and the subscription is re-created at every start. With --auth oauth or
    scalekit it is required: the OAuth app's own webhook signing key.

    \b
    Example:
      calendly-reconciler watch config/ --listen 0.0.0.0:8080 \\
        --public-url https://calendly-watch.acme.example/hooks/calendly --resync 3600
    """
    # Imported here: uvicorn is needed by this command only, not by every CLI start.
    from reconciler.watch import logs, service
    from reconciler.watch.checker import Checker
    from reconciler.watch.notify import Notifier

    host, port = service.parse_listen(listen)
    service.check_public_url(public_url)
    config = load_config(paths, allow_insecure_webhooks=allow_insecure_webhooks)
    raw_key = os.environ.get(KEY_ENV, "").strip()
    if not raw_key and opts.get("auth") in ("oauth", "scalekit"):
        # Calendly signs an OAuth app's deliveries with the app's own key, whatever we send.
        raise UsageError(
            f"--auth {opts['auth']}: Calendly signs the webhooks of an OAuth app with the app's "
            f"signing key (in its developer portal settings); set {KEY_ENV} to it"
        )
    key = Secret(raw_key or secrets.token_urlsafe(32), env=KEY_ENV if raw_key else None)
    logs.setup(sys.stderr)
    try:
        client = connect(ctx, opts, read_only=False)
        notifier = Notifier(Secret(notify_url)) if notify_url else None
        try:
            checker = Checker(
                config,
                client,
                today=env_of(ctx).today,
                out=sys.stdout,
                notifier=notifier,
                reload=lambda: load_config(paths, allow_insecure_webhooks=allow_insecure_webhooks),
            )
            options = service.Options(host, port, public_url, resync, unsubscribe_on_exit)
            service.serve(client, checker, options, key, key_is_new=not raw_key)
        finally:
            client.http.close()
            if notifier is not None:
                notifier.close()
    finally:
        logs.teardown()
    return ExitCode.OK
