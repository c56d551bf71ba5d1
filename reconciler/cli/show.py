"""`show PLANFILE`: a saved plan (`plan --out`) as text, markdown or JSON. No network.

Terraform's `show`: review in a pull request, or feed a tool, exactly the plan `apply PLANFILE`
would apply, without reading Calendly or needing the signing keys' variables.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler import saved
from reconciler.cli.exitcodes import ExitCode
from reconciler.cli.options import color_option, use_color
from reconciler.render import RENDERERS, render


@click.command("show")
@click.argument("planfile", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(RENDERERS)),
    default="text",
    show_default=True,
    help="Output format: as `plan --format` prints it.",
)
@color_option
def show_command(planfile: Path, fmt: str, color: bool | None) -> int:
    """Print the plan saved in PLANFILE by `plan --out`, without calling Calendly.

    \b
    Examples:
      calendly-reconciler show plan.json
      calendly-reconciler show plan.json --format markdown   # a pull request comment
    """
    try:
        text = planfile.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise saved.SavedPlanError(f"cannot read {planfile}: {exc}") from None
    plan = saved.load(text, file=str(planfile), environ=None).plan
    colored = use_color(color) and fmt == "text"
    click.echo(render(plan, fmt, color=colored), nl=False, color=colored)
    return ExitCode.OK
