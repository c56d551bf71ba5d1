"""Whatever the bytes, `load_config` returns a Config or raises ConfigError: nothing else."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.config import Config, ConfigError, load_config

VALID = Path(__file__).parent / "data" / "valid"
SEEDS = [
    (VALID / "acme" / "event_types.yaml").read_text(encoding="utf-8"),
    (VALID / "acme" / "org.yaml").read_text(encoding="utf-8")
    + (VALID / "acme" / "hooks" / "webhooks.yml").read_text(encoding="utf-8"),
    (VALID / "anchors.yaml").read_text(encoding="utf-8"),
    (VALID / "interpolation.yaml").read_text(encoding="utf-8"),
]
ENVIRON = {"WEBHOOK_SIGNING_KEY": "whsec-fuzz", "ADMIN": "a@acme.example"}
# Fragments that YAML and the format care about.
FRAGMENTS = [
    ":",
    "- ",
    "  ",
    "\n",
    "\t",
    "#",
    "'",
    '"',
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "<<: *a",
    "? ",
    "|",
    ">",
    "---\n",
    "...\n",
    "!!str ",
    "!!int ",
    "!x ",
    "~",
    "null",
    "on",
    "09:00",
    "2026-12-24",
    "${ADMIN}",
    "${MISSING}",
    "$${",
    "${",
    "\x00",
    "\ufeff",
    "é",
    "0x",
    ".inf",
    "members:",
    "event_types:",
    "webhooks:",
    "policy:",
    "availability:",
    "wday: ",
    "rules:",
    "intervals: ['09:00-10:00']",
    "signing_key: ",
    "scope: user",
    "version: 2",
]


@st.composite
def mutated_configs(draw: st.DrawFn) -> bytes:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(text)))
        operation = draw(st.sampled_from(["insert", "delete", "replace", "line"]))
        if operation == "line":
            lines = text.splitlines(keepends=True)
            if lines:
                i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]  # swap (or duplicate when i == j)
                if i == j:
                    lines.insert(i, lines[i])
                text = "".join(lines)
            continue
        end = at + draw(st.integers(0, 20)) if operation != "insert" else at
        piece = (
            ""
            if operation == "delete"
            else draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)))
        )
        text = text[:at] + piece + text[end:]
    return text.encode("utf-8", errors="surrogatepass")


@settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.one_of(
        mutated_configs(),
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", errors="surrogatepass")),
    )
)
def test_load_config_never_fails_unexpectedly(data: bytes) -> None:
    _load_never_crashes(data)


def _load_never_crashes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory, "config.yaml")
        path.write_bytes(data)
        try:
            config = load_config([str(path)], environ=ENVIRON)
        except ConfigError as error:
            assert error.problems
            for problem in error.problems:
                assert problem.message
                assert "\n" not in str(problem)
                assert "whsec-fuzz" not in problem.message
        else:
            assert isinstance(config, Config)


# Structured documents reach the schema, cross-reference and build stages far more often than
# mutated text, which mostly stops at the YAML parser.
KEYS = [
    "version",
    "organization",
    "members",
    "event_types",
    "webhooks",
    "policy",
    "email",
    "role",
    "name",
    "owner",
    "uuid",
    "duration",
    "duration_options",
    "active",
    "color",
    "locale",
    "locations",
    "kind",
    "availability",
    "timezone",
    "rules",
    "wday",
    "date",
    "intervals",
    "url",
    "scope",
    "user",
    "group",
    "events",
    "signing_key",
    "protect",
    "prune",
    "max_delete_fraction",
    "min_admins",
    "x-extra",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 800),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(
        [
            "a@acme.example",
            "A@ACME.example",
            "admin",
            "user",
            "organization",
            "group",
            "en",
            "#00ff00",
            "monday",
            "friday",
            "2026-12-24",
            "09:00-12:00",
            "11:00-13:00",
            "24:00-24:30",
            "Europe/Paris",
            "Nowhere/City",
            "https://h.example/x",
            "http://localhost/x",
            "invitee.created",
            "meeting_recap.created",
            "webhooks",
            "zoom_conference",
            "https://api.calendly.com/organizations/O",
            "${MISSING}",
            "",
        ]
    ),
    st.text(max_size=6),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6))
def test_load_config_never_fails_unexpectedly_on_structured_documents(
    document: dict[str, object],
) -> None:
    _load_never_crashes(yaml.safe_dump(document, allow_unicode=True).encode())
