"""The one exit-code table (as Terraform's `-detailed-exitcode`)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # success; with --detailed-exitcode: no changes
    ERROR = 1  # any failure, usage errors included (never 2)
    CHANGES = 2  # only with --detailed-exitcode: the plan has changes (or drift was found)
    INTERRUPTED = 130  # Ctrl-C
    TERMINATED = 143  # SIGTERM (CI cancellation, Kubernetes): 128 + 15


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is (cli.main installs it for the start-up too)."""
