"""`validate`: offline checks of the config (YAML, schema, cross-references). No network.

`--format github` prints each problem as a GitHub Actions workflow command, so that a CI run
annotates the pull request's diff at the file and line of each problem.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.exitcodes import ExitCode
from reconciler.cli.options import insecure_option, paths_argument
from reconciler.cli.words import count
from reconciler.config import load_config
from reconciler.config.problems import ConfigError, Problem, summary

TITLE = "calendly-reconciler"
#: The "file" of problems that are not about a file (config/files.py: no paths given).
NOT_A_FILE = "(command line)"


@click.command("validate")
@paths_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="How problems are printed: text on stderr, or github: GitHub Actions annotations "
    "(`::error file=…,line=…::…`) on stdout.",
)
@click.option(
    "--require-env",
    is_flag=True,
    help="Fail when a variable a signing key needs is unset (the apply job's check); by default "
    "that is only a note, so that validate runs without the secrets.",
)
@insecure_option
def validate_command(
    paths: tuple[Path, ...], fmt: str, require_env: bool, allow_insecure_webhooks: bool
) -> int:
    """Check the config in PATHS (YAML files or directories) without calling Calendly.

    Every problem is reported at once as `file:line:col: path: message`. Give the whole config
    directory: an event type's owner may be declared in another file.

    \b
    Examples:
      calendly-reconciler validate examples/acme/
      calendly-reconciler validate config/ --format github   # in a GitHub Actions job
    """
    try:
        config = load_config(
            paths, allow_insecure_webhooks=allow_insecure_webhooks, require_env=require_env
        )
    except ConfigError as exc:
        if fmt != "github":
            raise  # the CLI prints it as text, one problem a line
        for problem in exc.problems:
            click.echo(annotation(problem))
        click.echo(summary(exc.problems), err=True)
        return ExitCode.ERROR
    for note in config.notes:
        click.echo(
            annotation(note, "notice") if fmt == "github" else f"note: {note}", err=fmt != "github"
        )
    files = len(config.files)
    schedules = len(config.availability_schedules)
    click.echo(
        f"Valid: {count(len(config.members), 'member')}, "
        f"{count(len(config.event_types), 'event type')}, "
        + (f"{count(schedules, 'availability schedule')}, " if schedules else "")
        + f"{count(len(config.webhooks), 'webhook')} in {count(files, 'file')}.",
        err=True,
    )
    return ExitCode.OK


def annotation(problem: Problem, level: str = "error") -> str:
    """One problem as a GitHub Actions `::error` (or `::notice`) workflow command.

    Properties the problem does not know (a whole-file problem has no line) are left out, and
    so is `file` for a problem that is not about a file (no paths given), since GitHub would
    otherwise look for a file by that name.
    """
    props = {} if problem.file == NOT_A_FILE else {"file": problem.file}
    if problem.line:
        props["line"] = str(problem.line)
        if problem.col:
            props["col"] = str(problem.col)
    props["title"] = TITLE
    text = f"{problem.path}: {problem.message}" if problem.path else problem.message
    spec = ",".join(f"{name}={_escape_property(v)}" for name, v in props.items())
    return f"::{level} {spec}::{_escape_data(text)}"


def _escape_data(text: str) -> str:
    """As @actions/core's escapeData: a message may not contain raw newlines or percents."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """As @actions/core's escapeProperty: `:` and `,` would end a property early."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
