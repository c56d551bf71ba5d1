"""Every operation of the spec subset, against the demo organization, validated by its schema.

Each response body is checked with jsonschema (Draft 2020-12) against the operation's response
schema in the vendored spec (`#/components/...` refs resolved in the whole document), with
formats enforced (date-times in Calendly's exact `...T..:..:..ffffffZ` form, URIs, emails).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.sandbox import Sandbox
from tests.sandbox.conftest import Api
from tests.sandbox.support import SPEC_PATH, Spec, last_id, path_of


class Recorder:
    """Calls the API, validates each answer against the spec, remembers what was covered."""

    def __init__(self, client: httpx.Client, spec: Spec) -> None:
        self.client = client
        self.spec = spec
        self.covered: set[tuple[str, str]] = set()

    def call(
        self,
        method: str,
        template: str,
        url: str,
        expect: int,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        response = self.client.request(method, url, params=params, json=json)
        assert response.status_code == expect, (method, url, response.text)
        body = response.json() if response.content else None
        self.spec.validate(method, template, response.status_code, body)
        self.covered.add((method, template))
        return body


def test_every_operation_conforms(acme: Sandbox, api: Api, spec: Spec) -> None:
    r = Recorder(api(acme, "demo"), spec)
    me = r.call("GET", "/users/me", "/users/me", 200)["resource"]
    org = me["current_organization"]
    org_id = last_id(org)
    r.call("GET", "/users/{uuid}", "/users/me", 200)
    r.call("GET", "/users/{uuid}", f"/users/{last_id(me['uri'])}", 200)
    r.call("GET", "/organizations/{uuid}", f"/organizations/{org_id}", 200)

    members = r.call(
        "GET",
        "/organization_memberships",
        "/organization_memberships",
        200,
        params={"organization": org, "count": 100},
    )["collection"]
    assert len(members) == 15
    by_email = {m["user"]["email"]: m for m in members}
    r.call("GET", "/organization_memberships/{uuid}", path_of(members[0]["uri"]), 200)

    invitations = r.call(
        "GET", "/organizations/{uuid}/invitations", f"/organizations/{org_id}/invitations", 200
    )["collection"]
    assert {i["status"] for i in invitations} == {"pending", "accepted"}
    new_invite = r.call(
        "POST",
        "/organizations/{uuid}/invitations",
        f"/organizations/{org_id}/invitations",
        201,
        json={"email": "quinn@acme.example"},
    )["resource"]
    template = "/organizations/{org_uuid}/invitations/{uuid}"
    r.call("GET", template, path_of(new_invite["uri"]), 200)
    r.call("DELETE", template, path_of(new_invite["uri"]), 204)

    event_types = r.call(
        "GET", "/event_types", "/event_types", 200, params={"organization": org, "count": 100}
    )["collection"]
    assert len(event_types) == 14
    created = r.call(
        "POST",
        "/event_types",
        "/event_types",
        201,
        json={
            "owner": me["uri"],
            "name": "Board Prep",
            "duration": 45,
            "color": "#aabbcc",
            "duration_options": [30, 45],
            "locale": "en",
            "description": "Prep.",
            "locations": [{"kind": "physical", "location": "HQ, Floor 3"}],
        },
    )["resource"]
    r.call("GET", "/event_types/{uuid}", path_of(created["uri"]), 200)
    r.call("PATCH", "/event_types/{uuid}", path_of(created["uri"]), 200, json={"active": True})
    one_off = r.call(
        "POST",
        "/one_off_event_types",
        "/one_off_event_types",
        201,
        json={
            "name": "Offsite planning",
            "host": me["uri"],
            "duration": 60,
            "co_hosts": [by_email["ben@acme.example"]["user"]["uri"]],
            "date_setting": {
                "type": "date_range",
                "start_date": "2026-03-01",
                "end_date": "2026-03-14",
            },
            "location": {"kind": "physical", "location": "Berlin office"},
        },
    )["resource"]
    assert one_off["type"] == "AdhocEventType"
    group_type = next(e for e in event_types if e["kind"] == "group")
    hosts = r.call(
        "GET",
        "/event_type_memberships",
        "/event_type_memberships",
        200,
        params={"event_type": group_type["uri"]},
    )["collection"]
    assert len(hosts) == 4

    availability = "/event_type_availability_schedules"
    r.call("GET", availability, availability, 200, params={"event_type": created["uri"]})
    r.call(
        "PATCH",
        availability,
        availability,
        200,
        params={"event_type": created["uri"]},
        json={
            "availability_setting": "host",
            "availability_rule": {
                "timezone": "America/New_York",
                "user": me["uri"],
                "rules": [
                    {
                        "type": "wday",
                        "wday": "monday",
                        "intervals": [{"from": "09:00", "to": "12:00"}],
                    },
                    {"type": "date", "date": "2026-07-03", "intervals": []},
                ],
            },
        },
    )
    schedules = r.call(
        "GET",
        "/user_availability_schedules",
        "/user_availability_schedules",
        200,
        params={"user": me["uri"]},
    )["collection"]
    r.call("GET", "/user_availability_schedules/{uuid}", path_of(schedules[0]["uri"]), 200)
    r.call("GET", "/locations", "/locations", 200, params={"user": me["uri"]})

    hooks = "/webhook_subscriptions"
    for scope, extra in (("organization", {}), ("user", {"user": by_email["dana@acme.example"]})):
        params = {"organization": org, "scope": scope}
        params.update({k: v["user"]["uri"] for k, v in extra.items()})
        assert r.call("GET", hooks, hooks, 200, params=params)["collection"]
    hook = r.call(
        "POST",
        hooks,
        hooks,
        201,
        json={
            "url": "https://hooks.acme.example/new",
            "organization": org,
            "scope": "organization",
            "events": ["event_type.updated", "invitee.created"],
            "signing_key": "s3cret",
        },
    )["resource"]
    r.call("GET", "/webhook_subscriptions/{webhook_uuid}", path_of(hook["uri"]), 200)
    r.call("DELETE", "/webhook_subscriptions/{webhook_uuid}", path_of(hook["uri"]), 204)
    events = spec.doc["components"]["schemas"]["WebhookPayloadEvent"]["enum"]
    for event in events:
        scope = "user" if event.startswith("meeting_recap") else "organization"
        sample = r.call(
            "GET",
            "/sample_webhook_data",
            "/sample_webhook_data",
            200,
            params={"event": event, "organization": org, "scope": scope},
        )
        assert sample["event"] == event

    groups = r.call("GET", "/groups", "/groups", 200, params={"organization": org})["collection"]
    assert {g["name"] for g in groups} == {"Sales", "Support"}
    r.call("GET", "/groups/{uuid}", path_of(groups[0]["uri"]), 200)
    relationships = r.call(
        "GET", "/group_relationships", "/group_relationships", 200, params={"organization": org}
    )["collection"]
    assert {rel["owner"]["type"] for rel in relationships} == {
        "OrganizationMembership",
        "OrganizationInvitation",
    }
    r.call("GET", "/group_relationships/{uuid}", path_of(relationships[0]["uri"]), 200)

    removed = by_email["owen@acme.example"]
    r.call("DELETE", "/organization_memberships/{uuid}", path_of(removed["uri"]), 204)

    assert r.covered == spec.operations(), spec.operations() - r.covered


def test_every_error_body_matches_the_error_schema(acme: Sandbox, api: Api, spec: Spec) -> None:
    client = api(acme, "demo")
    checks: list[tuple[str, str, str, dict[str, str], Any, int]] = [
        ("GET", "/event_types", "/event_types", {}, None, 400),
        ("GET", "/event_types/{uuid}", "/event_types/NOPE", {}, None, 404),
        ("POST", "/event_types", "/event_types", {}, {"name": "x"}, 400),
        ("GET", "/webhook_subscriptions", "/webhook_subscriptions", {}, None, 400),
    ]
    for method, template, url, params, body, status in checks:
        response = client.request(method, url, params=params, json=body)
        assert response.status_code == status
        spec.validate(method, template, status, response.json())
    scoped = api(acme, "readonly").post("/event_types", json={})
    assert scoped.status_code == 403
    spec.validate("POST", "/event_types", 403, scoped.json())
    assert api(acme).get("/users/me").status_code == 401


def test_full_collections_conform(acme: Sandbox, api: Api, spec: Spec) -> None:
    """Every fixture record, not just the first page, renders to a valid resource."""
    client = api(acme, "demo")
    org = acme.org_uri
    for path, params in (
        ("/event_types", {"organization": org}),
        ("/organization_memberships", {"organization": org}),
        ("/group_relationships", {"organization": org}),
    ):
        body = client.get(path, params={**params, "count": 100}).json()
        spec.validate("GET", path, 200, body)
        for item in body["collection"]:
            if path == "/event_types":
                detail = client.get(path_of(item["uri"])).json()
                spec.validate("GET", "/event_types/{uuid}", 200, detail)
                av = client.get(
                    "/event_type_availability_schedules", params={"event_type": item["uri"]}
                ).json()
                spec.validate("GET", "/event_type_availability_schedules", 200, av)


@pytest.mark.skipif(
    not (Path(__file__).parents[3] / "shared/calendly-api").is_dir(),
    reason="shared/calendly-api is not beside the clone",
)
def test_vendored_spec_matches_shared_copy() -> None:
    shared = Path(__file__).parents[3] / "shared/calendly-api/reconciler-subset-2026.yaml"
    vendored = SPEC_PATH.read_text("utf-8").split("\n", 4)[4]
    assert vendored == shared.read_text("utf-8")


def test_scope_table_matches_the_spec(spec: Spec) -> None:
    from reconciler.sandbox import operation_scopes

    scopes = operation_scopes()
    for method, path in spec.operations():
        declared = spec.doc["paths"][path][method.lower()]["x-scope"]
        assert declared.split(" ")[0] == scopes[(method, path)], (method, path)
    routed = set(scopes)
    assert spec.operations() <= routed
    assert routed - spec.operations() == {("GET", "/activity_log_entries")}
