"""Ctrl-C while the CLI is still loading ends quietly, for the console script and `-m` alike."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

# A finder that turns the import of the CLI into a Ctrl-C: the moment a real one can land.
INTERRUPT_WHILE_LOADING = """
import sys

class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == "reconciler.cli":
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, Interrupt())
from reconciler.__main__ import run
run()
"""


def test_ctrl_c_while_loading_exits_130_without_a_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPT_WHILE_LOADING],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "")


def test_the_console_script_starts_where_the_interrupt_is_handled() -> None:
    (script,) = [
        e for e in entry_points(group="console_scripts") if e.name == "calendly-reconciler"
    ]
    assert script.value == "reconciler.__main__:run"
