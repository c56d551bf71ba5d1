"""`export`: the live organization as config YAML that plans to zero changes (issue 5)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from reconciler.cli.exitcodes import ExitCode
from reconciler.cli.options import connect, connection_options, env_of, insecure_option
from reconciler.cli.planning import count, status
from reconciler.client import Forbidden, InsufficientScope
from reconciler.config import Config, load_config
from reconciler.config.schema import schemas_dir
from reconciler.errors import ReconcilerError
from reconciler.export import (
    SPLITS,
    Export,
    ExportError,
    Snapshot,
    build_export,
    other_config_files,
    plan_files,
    read_org,
    render_files,
    schema_reference,
    unmanaged,
    write_files,
)
from reconciler.export.templates import fold


@click.command("export")
@click.argument(
    "config_paths", metavar="[CONFIG_PATH]...", nargs=-1, type=click.Path(path_type=Path)
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write files into DIR (created if missing) instead of one document to stdout.",
)
@click.option(
    "--split-by",
    type=click.Choice(SPLITS),
    help="With -o: files per kind (members.yaml, event-types.yaml, webhooks.yaml; the default) "
    "or per owner (owners/EMAIL.yaml with each member's event types and user webhooks).",
)
@click.option("--force", is_flag=True, help="With -o: overwrite files that already exist.")
@click.option(
    "--unmanaged-only",
    "--include-unmanaged",
    "unmanaged_only",
    is_flag=True,
    help="Export only what the config at CONFIG_PATH... does not declare (what plan lists as "
    "unmanaged), to adopt it.",
)
@click.option(
    "--templates",
    is_flag=True,
    help="Fold identical event types of several owners into one entry with `owners:`.",
)
@insecure_option
@connection_options
@click.pass_context
def export_command(
    ctx: click.Context,
    /,
    config_paths: tuple[Path, ...],
    output: Path | None,
    split_by: str | None,
    force: bool,
    unmanaged_only: bool,
    templates: bool,
    **opts: Any,
) -> int:
    """Write the live organization as config YAML that plans to zero changes.

    Reads everything the organization has, with GET requests only: members and pending
    invitations, every event type with the availability of each one-on-one event type, and
    webhook subscriptions of every scope. The YAML goes to stdout as one document, or with
    -o DIR into files; progress goes to stderr. Output is sorted and deterministic: a second
    export is byte-identical.

    What cannot be declared is kept as comments that say why: event types that are not
    one-on-one (read-only in the API), a second event type with the same owner and name (the
    first is pinned with `uuid:`), disabled webhook subscriptions. Calendly never returns
    signing keys, so each webhook gets a commented-out `signing_key:` line.

    To adopt what an existing config leaves out, pass the config and --unmanaged-only: only the
    objects it does not declare are exported, ready to sit next to it (e.g. -o config/adopted/),
    after which plan shows no changes for them. --include-unmanaged is the same flag under the
    issue's name: a plain export already includes everything.

    \b
    Examples:
      calendly-reconciler export > acme.yaml
      calendly-reconciler export -o config/
      calendly-reconciler export -o config/ --split-by owner
      calendly-reconciler export -o config/ --templates   # one entry per shared event type
      calendly-reconciler export --unmanaged-only config/ -o config/adopted/
    """
    _check_usage(config_paths, output, split_by, force, unmanaged_only)
    config = (
        load_config(config_paths, allow_insecure_webhooks=opts["allow_insecure_webhooks"])
        if unmanaged_only
        else None
    )
    today = env_of(ctx).today()
    snapshot = _read(ctx, opts, config, today)
    if config is not None:
        snapshot = unmanaged(snapshot, config, today=today)
    export = build_export(snapshot, config=config)
    if templates:
        export = fold(export)
    if output is None:
        files = plan_files(export, None)
        click.echo(render_files(files, unmanaged_only=unmanaged_only)[""], nl=False)
        status(_summary(export, "to stdout"))
    elif export.is_empty:
        status("Nothing to export: the config declares everything Calendly has.")
    else:
        _write(export, output, split_by or "kind", force=force)
    return ExitCode.OK


def _read(
    ctx: click.Context, opts: dict[str, Any], config: Config | None, today: dt.date
) -> Snapshot:
    client = connect(ctx, opts, read_only=True)
    try:
        status("Reading the whole Calendly organization…")
        snapshot = read_org(client, today=today, config=config, progress=_progress())
        calls = sum(client.stats.requests.values())
        status(f"Read the organization ({count(calls, 'API call')}).")
    except Forbidden as exc:
        if isinstance(exc, InsufficientScope) or exc.role_gate:
            raise  # its message says what to do
        # A plain member's token reads its own objects only; an export needs all of them.
        raise ReconcilerError(
            f"{exc} (export reads the whole organization: use an admin's or the owner's token)"
        ) from None
    finally:
        client.http.close()
    return snapshot


def _write(export: Export, output: Path, split_by: str, *, force: bool) -> None:
    schemas = Path(str(schemas_dir()))
    texts = render_files(
        plan_files(export, split_by),
        unmanaged_only=export.unmanaged_only,
        schema_for=lambda name: schema_reference(output / name, schemas),
    )
    written = write_files(output, texts, force=force)
    status(_summary(export, f"to {count(len(written), 'file')} in {output}"))
    others = other_config_files(output, written)
    if others:
        shown = ", ".join(str(p) for p in others[:5]) + (", …" if len(others) > 5 else "")
        status(
            f"Note: {output} also holds YAML this export did not write ({shown}); "
            "plan reads it too."
        )


def _check_usage(
    config_paths: tuple[Path, ...],
    output: Path | None,
    split_by: str | None,
    force: bool,
    unmanaged_only: bool,
) -> None:
    if unmanaged_only and not config_paths:
        raise click.UsageError(
            "--unmanaged-only needs the config: export --unmanaged-only CONFIG_PATH..."
        )
    if config_paths and not unmanaged_only:
        raise click.UsageError(
            "CONFIG_PATH is only read with --unmanaged-only (a plain export needs no config)"
        )
    if output is None and (split_by or force):
        flag = "--split-by" if split_by else "--force"
        raise click.UsageError(f"{flag} needs -o DIR (without it the export goes to stdout)")
    if output is not None:
        _check_output(output, force=force)


#: Files every `-o DIR` export may write, whatever the split (layout.plan_files).
_ALWAYS = ("members.yaml", "event-types.yaml", "availability-schedules.yaml", "webhooks.yaml")


def _check_output(output: Path, *, force: bool) -> None:
    """Refuse now, not after reading the whole organization, what write_files would refuse."""
    existing = [str(output / name) for name in _ALWAYS if (output / name).exists()]
    if existing and not force:
        raise ExportError(
            f"refusing to overwrite {', '.join(existing)}: pass --force to replace "
            f"{'it' if len(existing) == 1 else 'them'}, or choose another directory"
        )


def _progress() -> Callable[[str], None]:
    lock = threading.Lock()

    def note(message: str) -> None:
        with lock:  # reads finish on worker threads: one line at a time
            status(f"  {message}")

    return note


def _summary(export: Export, where: str) -> str:
    counts = export.counts()
    parts = [
        count(counts["members"], "member"),
        count(counts["event_types"], "event type"),
        count(counts["availability_schedules"], "availability schedule"),
        count(counts["webhooks"], "webhook subscription"),
    ]
    extra = []
    if counts["listed"]:
        extra.append(f"{count(counts['listed'], 'read-only event type')} listed")
    if counts["commented"]:
        n = counts["commented"]
        extra.append(f"{n} {'entry' if n == 1 else 'entries'} written as comments")
    what = "unmanaged objects" if export.unmanaged_only else "the organization"
    suffix = f" ({'; '.join(extra)})" if extra else ""
    return f"Exported {what}: {', '.join(parts)}{suffix}, {where}."
