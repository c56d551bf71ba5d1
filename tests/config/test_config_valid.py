"""Valid configs load into exactly the expected `Config`."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.client.secret import Secret
from reconciler.config import (
    Availability,
    AvailabilityRule,
    Config,
    ConfigError,
    EventType,
    Member,
    Policy,
    Source,
    Webhook,
    load_config,
)

VALID = Path(__file__).parent / "data" / "valid"

ORG = "acme/org.yaml"
ET = "acme/event_types.yaml"
HOOKS = "acme/hooks/webhooks.yml"


def at(file: str, line: int, col: int) -> Source:
    return Source(file, line, col)


BUSINESS_HOURS = Availability(
    timezone="America/New_York",
    rules=(
        AvailabilityRule(
            wdays=("monday", "tuesday", "wednesday", "thursday", "friday"),
            date=None,
            intervals=(("09:00", "12:00"), ("13:00", "17:00")),
            source=at(ET, 5, 7),
        ),
        AvailabilityRule(wdays=(), date="2026-12-24", intervals=(), source=at(ET, 7, 7)),
    ),
    # Through an alias: positions are those of the anchored original (its `&anchor`).
    source=at(ET, 2, 19),
)

ACME = Config(
    organization="https://api.calendly.com/organizations/ACME0001",
    organization_source=at(ORG, 3, 15),
    members=(
        Member(email="alice@acme.example", role="owner", source=at(ORG, 6, 5)),
        Member(email="Bob@Acme.example", role="admin", source=at(ORG, 8, 5)),
        Member(email="carol@acme.example", role=None, source=at(ORG, 10, 5)),
    ),
    event_types=(
        EventType(
            name="Intro Call",
            owner="alice@acme.example",
            uuid=None,
            fields={
                "duration": 30,
                "duration_options": [15, 30],
                "active": True,
                "color": "#0069FF",
                "description": "A short intro call.",
                "locale": "en",
                "locations": [{"kind": "zoom_conference"}],
            },
            availability=BUSINESS_HOURS,
            protect=False,
            source=at(ET, 11, 5),
            field_sources={
                "name": at(ET, 11, 11),
                "owner": at(ET, 12, 12),
                "duration": at(ET, 13, 15),
                "duration_options": at(ET, 14, 23),
                "active": at(ET, 15, 13),
                "color": at(ET, 16, 12),
                "description": at(ET, 17, 18),
                "locale": at(ET, 18, 13),
                "locations": at(ET, 20, 7),
                "availability": at(ET, 2, 19),
            },
        ),
        EventType(
            name="Office Hours",
            owner="bob@acme.example",
            uuid="EVT-0042",
            fields={
                "duration": 60,
                "locations": [
                    {
                        "kind": "physical",
                        "location": "1 Main St, Springfield",
                        "additional_info": "Ring twice.",
                    },
                    {"kind": "inbound_call", "phone_number": "+1 555 0100"},
                ],
            },
            availability=Availability(
                timezone="Europe/Berlin",
                rules=(
                    AvailabilityRule(
                        wdays=("saturday",),
                        date=None,
                        intervals=(("10:00", "12:00"), ("12:00", "14:00")),
                        source=at(ET, 36, 11),
                    ),
                    AvailabilityRule(
                        wdays=("sunday",), date=None, intervals=(), source=at(ET, 38, 11)
                    ),
                    AvailabilityRule(
                        wdays=("saturday",),
                        date=None,
                        intervals=(("18:00", "24:00"),),
                        source=at(ET, 40, 11),
                    ),
                ),
                source=at(ET, 34, 7),
            ),
            protect=True,
            source=at(ET, 23, 5),
            field_sources={
                "name": at(ET, 23, 11),
                "owner": at(ET, 24, 12),
                "uuid": at(ET, 25, 11),
                "duration": at(ET, 26, 15),
                "locations": at(ET, 28, 7),
                "availability": at(ET, 34, 7),
                "protect": at(ET, 42, 14),
            },
        ),
        EventType(
            name="Quick Chat",
            owner="carol@acme.example",
            uuid=None,
            fields={"active": False},
            availability=None,
            protect=False,
            source=at(ET, 44, 5),
            field_sources={
                "name": at(ET, 44, 11),
                "owner": at(ET, 45, 12),
                "active": at(ET, 46, 13),
            },
        ),
    ),
    webhooks=(
        Webhook(
            url="https://hooks.acme.example/calendly",
            scope="organization",
            user=None,
            group=None,
            events=("invitee.created", "invitee.canceled", "routing_form_submission.created"),
            signing_key=Secret("whsec-acme-test", env="WEBHOOK_SIGNING_KEY"),
            protect=False,
            source=at(HOOKS, 2, 5),
        ),
        Webhook(
            url="https://hooks.acme.example/recaps",
            scope="user",
            user="BOB@acme.example",
            group=None,
            events=("meeting_recap.created", "event_type.updated"),
            signing_key=None,
            protect=True,
            source=at(HOOKS, 6, 5),
        ),
        Webhook(
            url="https://hooks.acme.example/calendly",
            scope="group",
            user=None,
            group="Sales",
            events=("invitee_no_show.created",),
            signing_key=None,
            protect=False,
            source=at(HOOKS, 11, 5),
        ),
    ),
    policy=Policy(
        prune=frozenset({"webhooks", "invitations"}),
        max_delete_fraction={"webhooks": 0.5, "invitations": 1.0},
        min_admins=1,
        # The first file (in load order) that has a policy section.
        source=at(HOOKS, 17, 3),
    ),
    # Sorted; the hidden .github/ci.yml and README.md are not read; empty.yaml is fine.
    files=("acme/empty.yaml", ET, HOOKS, ORG),
)


@pytest.fixture(autouse=True)
def _in_valid_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(VALID)


def test_full_multi_file_config_loads_exactly() -> None:
    config = load_config(["acme"], environ={"WEBHOOK_SIGNING_KEY": "whsec-acme-test"})
    assert config == ACME
    # Dataclass equality does not look at dict order: fields follow EVENT_TYPE_FIELDS.
    assert list(config.event_types[0].fields) == list(ACME.event_types[0].fields)
    assert config.secrets() == (Secret("whsec-acme-test"),)
    assert config.policy.delete_fraction("webhooks") == 0.5
    assert config.policy.delete_fraction("members") == 0.25


def test_environ_defaults_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_SIGNING_KEY", "whsec-acme-test")
    config = load_config(["acme"])
    assert config == ACME
    assert [w.signing_key.env for w in config.webhooks if w.signing_key] == ["WEBHOOK_SIGNING_KEY"]


def test_yaml_1_1_traps_stay_strings() -> None:
    config = load_config(["traps.yaml"], environ={})
    by_name = {e.name: e for e in config.event_types}
    assert sorted(by_name) == ["Off", "no", "on", "yes"]
    assert by_name["on"].fields == {"description": "09:00"}
    assert by_name["no"].fields == {"description": "1:30"}
    assert by_name["yes"].fields == {"description": "2026-12-24"}
    assert by_name["Off"].fields == {"description": "0o17 is 15 in YAML 1.2; 017 too?"}
    availability = by_name["on"].availability
    assert availability is not None
    assert availability.rules == (
        AvailabilityRule(
            wdays=("monday",),
            date=None,
            intervals=(("09:00", "10:00"),),
            source=Source("traps.yaml", 12, 11),
        ),
        AvailabilityRule(
            wdays=(), date="2026-12-24", intervals=(), source=Source("traps.yaml", 14, 11)
        ),
    )
    assert config.webhooks[0].group == "yes"


def test_interpolation_and_escapes() -> None:
    environ = {"ADMIN": "admin@acme.example", "GREETING": "hello", "EMPTY": ""}
    config = load_config(["interpolation.yaml"], environ=environ)
    (event_type,) = config.event_types
    assert event_type.name == "${GREETING}, world"  # outside signing_key: only the escape
    assert event_type.fields == {
        "description": "Costs $5 or $$5; literal ${NOT_A_VAR}; $ alone; $${ESCAPED}; [] {}"
    }
    spliced, whole = config.webhooks
    assert spliced.signing_key == Secret("hello-key")
    assert spliced.signing_key is not None and spliced.signing_key.env is None
    assert whole.signing_key == Secret("hello")
    assert whole.signing_key is not None and whole.signing_key.env == "GREETING"
    assert config.notes == ()


def test_an_unset_signing_key_variable_is_a_note_when_not_required() -> None:
    config = load_config(["interpolation.yaml"], environ={"EMPTY": ""}, require_env=False)
    assert [str(n) for n in config.notes] == [
        f"interpolation.yaml:{line}:18: webhooks[{i}].signing_key: environment variable "
        "GREETING is not set: plan and apply need it (validate --require-env makes this an error)"
        for i, line in ((0, 12), (1, 16))
    ]
    with pytest.raises(ConfigError) as caught:
        load_config(["interpolation.yaml"], environ={"EMPTY": ""})
    assert [p.message for p in caught.value.problems] == [
        "missing environment variable GREETING"
    ] * 2


def test_anchors_and_merge_keys() -> None:
    config = load_config(["anchors.yaml"], environ={})
    first, second = config.event_types
    assert first.fields == {"duration": 30, "active": True, "locale": "en"}
    # Keys written in the mapping win over merged ones.
    assert second.fields == {"duration": 45, "active": True, "locale": "fr"}
    # A merged key points where it was written: in the anchored mapping.
    assert second.field_sources["active"] == Source("anchors.yaml", 4, 11)
    assert second.field_sources["duration"] == Source("anchors.yaml", 16, 15)
