"""`calendly-reconciler sandbox ...` commands."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from types import FrameType

import click


@click.group()
def sandbox() -> None:
    """Run the local Calendly API emulator."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@sandbox.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0 = any free port).",
)
@click.option(
    "--fixture",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Organization fixture (YAML). Default: the bundled Acme demo.",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON state file: loaded instead of the fixture if it exists, written after each write.",
)
@click.option(
    "--faults",
    "faults_spec",
    metavar="SPEC",
    help="Fault injection: 'seed=7,latency=0.05,429=0.1,5xx=0.05,drop=0.02' or a YAML/JSON file.",
)
@click.option(
    "--rate-limit",
    type=click.IntRange(min=1),
    help="Requests per user per window (default: 500, or 50 on the basic plan).",
)
@click.option(
    "--rate-window",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Rate-limit window in seconds.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for resource ids.")
@click.option(
    "--webhook-retry-first",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="First retry delay of a failed webhook delivery (then doubling, for 24 hours). "
    "Deliveries go to loopback callback URLs only.",
)
def serve(
    port: int,
    fixture: Path | None,
    state: Path | None,
    faults_spec: str | None,
    rate_limit: int | None,
    rate_window: float,
    seed: int,
    webhook_retry_first: float,
) -> None:
    """Serve the emulator on 127.0.0.1 until interrupted.

    The first two lines on stdout are CALENDLY_API_URL=... and CALENDLY_TOKEN=... (the fixture's
    `demo` token); diagnostics go to stderr.
    """
    from reconciler.sandbox.core import Sandbox
    from reconciler.sandbox.delivery import DeliveryOptions, RetrySchedule
    from reconciler.sandbox.faults import Faults, FaultSpecError
    from reconciler.sandbox.fixture import FixtureError

    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="sandbox: %(message)s")
    faults = None
    if faults_spec:
        try:
            if Path(faults_spec).is_file():
                faults = Faults.load(faults_spec)
            else:
                faults = Faults.parse(faults_spec)
        except FaultSpecError as exc:
            raise click.BadParameter(str(exc), param_hint="--faults") from None
    try:
        sb = Sandbox(
            fixture,
            state_path=state,
            seed=seed,
            rate_limit=rate_limit,
            rate_window=rate_window,
            faults=faults,
            delivery=DeliveryOptions(RetrySchedule(first=webhook_retry_first)),
        )
    except FixtureError as exc:
        raise click.ClickException(str(exc)) from None
    names = sb.token_names
    if not names:
        raise click.ClickException("the fixture defines no tokens: add one named 'demo'")
    token = sb.token("demo" if "demo" in names else names[0])
    try:
        server = sb.serve(port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    click.echo(f"CALENDLY_API_URL={server.url}")
    click.echo(f"CALENDLY_TOKEN={token}")
    sys.stdout.flush()
    click.echo(
        f"sandbox: serving {sb.state()['organization']['name']} on {server.url} (Ctrl-C to stop)",
        err=True,
    )
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if sb.deliveries is not None:
            sb.deliveries.stop()
        click.echo("sandbox: stopped", err=True)
