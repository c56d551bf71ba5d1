"""The sandbox checked by an independent tool: schemathesis runs every operation of the spec
subset (with Calendly's 2026-12 changes, tests/sandbox/spec/) against the sandbox in-process
(WSGI), with all of its checks, derandomized and bounded (a few examples per operation).

One check is tuned, not skipped: `positive_data_acceptance` also accepts 400 for schema-valid
requests, because the condensed spec cannot say what Calendly validates beyond types (a `user`
must be the URI of a member, a name must not be blank, a schedule needs all seven weekdays, a
time zone must be an IANA name, ...), and the sandbox refuses those with 400 as Calendly does.
Server errors stay failures through `not_a_server_error`.
"""

from __future__ import annotations

from typing import Any

import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from reconciler.sandbox import Sandbox
from reconciler.sandbox.wsgi import wsgi_app
from tests.sandbox.support import SPEC_PATH, FakeClock, load_spec

CLOCK = FakeClock()
SANDBOX = Sandbox(clock=CLOCK, sleep=CLOCK.sleep, rate_limit=1_000_000)
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]
            }
        },
    }
)
schema = schemathesis.openapi.from_dict(load_spec(), config=CONFIG)
schema.app = wsgi_app(SANDBOX)
METHODS = ("get", "post", "patch", "put", "delete")
AUTH = {"Authorization": f"Bearer {SANDBOX.token('demo')}"}


@schema.parametrize()
@settings(
    max_examples=5,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_sandbox_conforms(case: Any) -> None:
    case.call_and_validate(headers=AUTH)


def test_the_extended_spec_is_valid_openapi() -> None:
    extended = load_spec()
    schemathesis.openapi.from_dict(extended).validate()  # raises on an invalid document
    snapshot = yaml.safe_load(SPEC_PATH.read_text("utf-8"))["paths"]

    def operations(paths: dict[str, Any]) -> set[tuple[str, str]]:
        return {(m.upper(), p) for p, item in paths.items() for m in item if m in METHODS}

    # The overlay adds exactly these operations to the vendored snapshot.
    assert sorted(operations(extended["paths"]) - operations(snapshot)) == [
        ("GET", "/scheduled_events"),
        ("GET", "/scheduled_events/{uuid}"),
        ("GET", "/teams"),
        ("GET", "/teams/{team_uuid}"),
        ("PATCH", "/user_availability_schedules/{uuid}"),
        ("POST", "/user_availability_schedules"),
    ]
