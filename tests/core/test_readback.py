"""After apply, what was written is read back and every declared field Calendly did not keep is
named (reconciler/readback.py). Calendly's silent ignoring is played by a transport that edits
the sandbox's answers to the read-back GETs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from click.testing import CliRunner

from reconciler import readback
from reconciler.apply import apply
from reconciler.cli import cli
from reconciler.cli.options import CliEnv
from reconciler.client import CalendlyClient, Secret
from reconciler.client.connect import BearerAuth
from reconciler.sandbox import Sandbox
from tests.harness import TODAY, Harness
from tests.helpers import FakeClock

API = "https://api.calendly.com"
CONFIG = """\
members:
  - email: alice@acme.example
event_types:
  - name: Intro Call
    owner: alice@acme.example
    locale: fr
    duration: 45
  - name: Office Hours
    owner: alice@acme.example
    active: true
    duration: 20
    availability:
      timezone: America/New_York
      rules:
        - wday: [monday, wednesday]
          intervals: ["10:00-11:00"]
"""


def forgetful(sandbox: Sandbox) -> httpx.MockTransport:
    """The sandbox, except that reads show event types in English and never on Wednesdays."""
    inner = sandbox.transport()

    def handle(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        response.read()
        if request.method != "GET" or response.status_code != 200:
            return response
        body: dict[str, Any] = response.json()
        resource = body.get("resource")
        if request.url.path.startswith("/event_types/") and isinstance(resource, dict):
            resource["locale"] = "en"
        if request.url.path == "/event_type_availability_schedules":
            for schedule in body["collection"]:
                for rule in schedule["availability_rule"]["rules"]:
                    if rule.get("wday") == "wednesday":
                        rule["intervals"] = []
        return httpx.Response(200, json=body, headers={"content-type": "application/json"})

    return httpx.MockTransport(handle)


def test_fields_calendly_did_not_keep_are_named(harness: Harness, clock: FakeClock) -> None:
    plan = harness.plan(harness.config(CONFIG))
    secret = Secret(harness.sandbox.token("demo"))
    http = httpx.Client(base_url=API, transport=forgetful(harness.sandbox), auth=BearerAuth(secret))
    client = CalendlyClient(http, secrets=(secret,), clock=clock, sleep=clock.sleep)
    result = apply(plan, client)
    assert result.ok
    mark = len(harness.sandbox.requests)
    warnings = readback.check(result, client, today=TODAY)
    http.close()
    assert warnings == [  # in plan order
        'event_type alice@acme.example/Intro Call: Calendly did not keep locale (sent "fr", '
        'has "en"); the next plan will show it again',
        "availability alice@acme.example/Office Hours: Calendly did not keep rules.wednesday "
        "(sent 10:00-11:00, has unavailable); the next plan will show it again",
    ]
    reads = sorted((r.method, r.path) for r in harness.sandbox.requests[mark:])
    intro = harness.event_type_id("alice@acme.example", "Intro Call")
    hours = harness.event_type_id("alice@acme.example", "Office Hours")
    assert reads == sorted(
        [
            ("GET", f"/event_types/{intro}"),
            ("GET", f"/event_types/{hours}"),  # created: read back by its new URI
            ("GET", "/event_type_availability_schedules"),
        ]
    )


def test_apply_reports_what_was_not_kept_on_stderr(sandbox: Sandbox, tmp_path: Any) -> None:
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    env = CliEnv(transport=forgetful(sandbox), today=lambda: dt.date(2026, 11, 22))
    environ = {"CALENDLY_TOKEN": sandbox.token("demo"), "CALENDLY_API_URL": API}
    result = CliRunner().invoke(
        cli, ["apply", str(tmp_path), "--auto-approve"], env=environ, obj=env
    )
    assert result.exit_code == 0, result.output
    lost = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert lost == [
        "Warning: event_type alice@acme.example/Intro Call: Calendly did not keep locale "
        '(sent "fr", has "en"); the next plan will show it again',
        "Warning: availability alice@acme.example/Office Hours: Calendly did not keep "
        "rules.wednesday (sent 10:00-11:00, has unavailable); the next plan will show it again",
    ]
