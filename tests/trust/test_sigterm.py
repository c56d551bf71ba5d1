"""SIGTERM is Ctrl-C (issue #11 item 5): CI cancellation and Kubernetes send SIGTERM.

A real `python -m reconciler apply` runs against the sandbox served over HTTP in this process.
Writes carry a latency fault; the test waits (on an event, not a sleep) until the first
invitation is in flight, then sends SIGTERM: the request finishes, nothing new starts, the
done/failed/skipped report is printed and the exit code is 143.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox import Sandbox

EMAILS = [f"term{i}@acme.example" for i in range(5)]


@pytest.fixture
def served() -> Iterator[tuple[Sandbox, threading.Event, str]]:
    sandbox = Sandbox(faults="latency=0.4,methods=POST")
    invited = threading.Event()
    handle = sandbox.handle

    def watching(method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        if method == "POST" and path.endswith("/invitations"):
            invited.set()  # in flight: its answer comes after the latency
        return handle(method, path, *args, **kwargs)

    sandbox.handle = watching  # type: ignore[method-assign]
    server = sandbox.serve(0).start()
    try:
        yield sandbox, invited, server.url
    finally:
        server.stop()


def start(args: Sequence[str], url: str, token: str, tmp_path: Path) -> subprocess.Popen[str]:
    env: Mapping[str, str] = {
        **os.environ,
        "CALENDLY_API_URL": url,
        "CALENDLY_TOKEN": token,
        "NO_COLOR": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        cwd=tmp_path,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigterm_mid_apply_reports_and_exits_143(
    served: tuple[Sandbox, threading.Event, str], tmp_path: Path
) -> None:
    sandbox, invited, server_url = served
    (tmp_path / "c.yaml").write_text("members:\n" + "".join(f"  - email: {e}\n" for e in EMAILS))
    process = start(
        ["apply", "c.yaml", "--auto-approve", "--concurrency", "1"],
        server_url,
        sandbox.token("demo"),
        tmp_path,
    )
    try:
        assert invited.wait(timeout=60), "apply never sent an invitation"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 143, err
    lines = out.splitlines()
    assert lines[-1] == "Apply interrupted: 1 done, 0 failed, 4 skipped."
    assert lines[-5:-1] == [
        f"  skipped: member {e}: not started: apply was interrupted" for e in EMAILS[1:]
    ]
    assert "Stopping: waiting for the requests in flight" in err
    assert "Traceback" not in err
    invitations = [i["email"] for i in sandbox.state()["invitations"] if i["email"] in EMAILS]
    assert invitations == EMAILS[:1]
    hooks = [h["callback_url"] for h in sandbox.state()["webhooks"]]
    assert not [h for h in hooks if "calendly-reconciler.invalid" in h]  # the lock released


def test_a_second_sigterm_aborts_as_a_second_ctrl_c_does() -> None:
    from reconciler.cli import apply as cli_apply
    from reconciler.cli.exitcodes import Terminated

    before = signal.getsignal(signal.SIGTERM)
    with cli_apply._stop_on_interrupt() as stop:
        signal.raise_signal(signal.SIGTERM)
        assert stop.is_set() and getattr(stop, "signum", None) == signal.SIGTERM
        with pytest.raises(Terminated):
            signal.raise_signal(signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) is before
