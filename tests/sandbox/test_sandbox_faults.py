"""Seeded fault injection: parsing, determinism, drops, commit-then-drop, latency, switching."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from reconciler.sandbox import Faults, FaultSpecError, Sandbox, SandboxResponse
from reconciler.sandbox.faults import ALL_METHODS, READ_METHODS, WRITE_METHODS, FaultInjector
from tests.sandbox.conftest import Api
from tests.sandbox.support import FakeClock


def test_compact_spec_parses() -> None:
    faults = Faults.parse(
        "seed=7,latency=0.05,jitter=0.01,429=0.1,burst=3,5xx=0.05,codes=500+503,drop=0.02,"
        "commit_drop=0.2,methods=writes"
    )
    assert faults == Faults(
        seed=7,
        latency=0.05,
        jitter=0.01,
        rate_429=0.1,
        burst=3,
        rate_5xx=0.05,
        codes=(500, 503),
        drop=0.02,
        commit_drop=0.2,
        methods=WRITE_METHODS,
    )
    assert Faults.parse("") == Faults() and not Faults().active
    assert Faults.parse("methods=GET+post").methods == frozenset({"GET", "POST"})
    assert Faults.parse("methods=reads").methods == READ_METHODS
    assert Faults.coerce(faults.to_json()) == faults


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("bogus=1", "unknown fault setting 'bogus'"),
        ("drop", "fault spec item 'drop' is not key=value"),
        ("drop=2", "drop must be a probability between 0 and 1, got 2.0"),
        ("latency=-1", "latency and jitter must not be negative"),
        ("burst=0", "burst must be at least 1"),
        ("codes=404", "codes must be chosen from 500, 502, 503"),
        ("seed=x", "bad fault setting value: invalid literal for int() with base 10: 'x'"),
    ],
)
def test_bad_specs_are_one_line_errors(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError) as info:
        Faults.parse(spec)
    assert str(info.value) == message


def test_fault_files(tmp_path: Path) -> None:
    yaml_file = tmp_path / "faults.yaml"
    yaml_file.write_text("seed: 3\n429: 0.5\nmethods: [POST, DELETE]\n")
    assert Faults.load(yaml_file) == Faults(
        seed=3, rate_429=0.5, methods=frozenset({"POST", "DELETE"})
    )
    json_file = tmp_path / "faults.json"
    json_file.write_text('{"rate_5xx": 0.25, "codes": [502]}')
    assert Faults.load(json_file) == Faults(rate_5xx=0.25, codes=(502,))
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(FaultSpecError, match="must hold a mapping"):
        Faults.load(tmp_path / "list.yaml")


def _labels(spec: str, methods: list[str]) -> list[str | None]:
    injector = FaultInjector(Faults.parse(spec))
    return [injector.decide(m).label for m in methods]


def test_same_seed_same_faults() -> None:
    methods = ["GET", "POST", "PATCH", "DELETE"] * 50
    spec = "seed=11,429=0.1,burst=2,5xx=0.1,drop=0.1,commit_drop=0.3"
    first = _labels(spec, methods)
    assert first == _labels(spec, methods)
    assert first != _labels(spec.replace("seed=11", "seed=12"), methods)
    assert {"429", "drop", "commit_drop"} <= set(first)
    assert {label for label in first if label and label.startswith("5")} <= {"500", "502", "503"}
    # commit-then-drop only ever hits writes
    assert all(
        m != "GET" for m, label in zip(methods, first, strict=True) if label == "commit_drop"
    )


def test_429_bursts_last_burst_requests() -> None:
    labels = _labels("seed=1,429=0.05,burst=4", ["GET"] * 400)
    runs: list[int] = []
    run = 0
    for label in [*labels, None]:
        if label == "429":
            run += 1
        elif run:
            runs.append(run)
            run = 0
    assert runs and all(r % 4 == 0 for r in runs)


def test_method_classes_limit_faults(sb: Sandbox, api: Api) -> None:
    sb.set_faults("drop=1,methods=writes")
    client = api(sb, "owner")
    assert client.get("/users/me").status_code == 200
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/event_types", json={})
    assert ALL_METHODS == READ_METHODS | WRITE_METHODS


def test_dropped_request_is_not_applied(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    sb.set_faults(Faults(drop=1.0))
    with pytest.raises(httpx.RemoteProtocolError, match="Server disconnected without sending"):
        client.post("/event_types", json={"owner": sb.user_uri("owner@tiny.example"), "name": "X"})
    sb.set_faults(None)
    listing = client.get("/event_types", params={"user": sb.user_uri("owner@tiny.example")})
    assert [e["name"] for e in listing.json()["collection"]] == ["Chat"]
    entry = sb.requests[0]
    assert (entry.status, entry.fault, entry.operation) == (None, "drop", "POST /event_types")


def test_commit_then_drop_applies_the_write(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    sb.set_faults("seed=5,commit_drop=1")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(
            "/event_types", json={"owner": sb.user_uri("owner@tiny.example"), "name": "Ghost"}
        )
    # a refused write is answered normally: there is nothing to commit
    refused = client.post("/event_types", json={"name": "no owner"})
    assert refused.status_code == 400
    sb.set_faults(None)
    listing = client.get("/event_types", params={"user": sb.user_uri("owner@tiny.example")})
    assert [e["name"] for e in listing.json()["collection"]] == ["Chat", "Ghost"]
    assert [(e.status, e.fault) for e in sb.requests] == [
        (None, "commit_drop"),
        (400, None),
        (200, None),
    ]
    assert sb.counters["writes_applied"] == 1
    assert sb.counters["faults"] == {"commit_drop": 1}
    assert sb.counters["by_status"] == {"200": 1, "400": 1, "dropped": 1}


def test_injected_5xx_and_429(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    sb.set_faults("5xx=1,codes=503")
    response = client.get("/users/me")
    assert (response.status_code, response.json()) == (
        503,
        {
            "title": "Service Unavailable",
            "message": "The service is temporarily unavailable. Please try again later.",
        },
    )
    assert response.headers["X-RateLimit-Remaining"] == "499"  # the request still counted
    sb.set_faults("429=1")
    limited = client.get("/users/me")
    assert limited.status_code == 429
    assert limited.json()["title"] == "Too Many Requests"
    # the same headers a real 429 carries
    assert (limited.headers["X-RateLimit-Limit"], limited.headers["X-RateLimit-Remaining"]) == (
        "500",
        "0",
    )
    assert limited.headers["X-RateLimit-Reset"] == "60"
    assert "Retry-After" not in limited.headers
    assert [e.fault for e in sb.requests] == ["503", "429"]


def test_latency_is_slept_outside_the_lock(make_sandbox: Callable[..., Sandbox], api: Api) -> None:
    barrier = threading.Barrier(2, timeout=5)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        barrier.wait()  # both requests must be sleeping at once: the lock is not held

    sb = make_sandbox(sleep=sleep, faults="latency=0.25,jitter=0.05,seed=3")
    client = api(sb, "owner")
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(client.get("/users/me").status_code))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200, 200]
    assert len(slept) == 2 and all(0.2 <= s <= 0.3 for s in slept)


def test_faults_switch_at_runtime_and_spare_control_routes(sb: Sandbox, api: Api) -> None:
    client = api(sb, "owner")
    assert client.get("/users/me").status_code == 200  # seeding phase: no faults
    admin = api(sb)
    set_response = admin.post("/_sandbox/faults", json={"spec": "drop=1"})
    assert set_response.status_code == 200
    assert set_response.json()["faults"]["drop"] == 1.0
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/users/me")
    # /_sandbox/ routes are never faulted (nor logged)
    assert admin.get("/_sandbox/counters").json()["faults"] == {"drop": 1}
    assert admin.post("/_sandbox/faults", json={"drop": 0}).json()["faults"]["drop"] == 0.0
    assert client.get("/users/me").status_code == 200
    bad = admin.post("/_sandbox/faults", json={"spec": "drop=7"})
    assert (bad.status_code, bad.json()["details"]) == (
        400,
        [{"parameter": "faults", "message": "drop must be a probability between 0 and 1, got 7.0"}],
    )


def test_set_faults_restarts_the_sequence(sb: Sandbox, api: Api, clock: FakeClock) -> None:
    client = api(sb, "owner")

    def run() -> list[int]:
        sb.set_faults("seed=9,5xx=0.5")
        return [client.get("/users/me").status_code for _ in range(20)]

    first = run()
    assert first == run()
    assert {500, 502, 503} & set(first) and 200 in first


def test_admin_route_paths_are_exempt(sb: Sandbox) -> None:
    sb.set_faults("drop=1")
    result = sb.handle("GET", "/_sandbox/state", [], {}, b"")
    assert isinstance(result, SandboxResponse) and result.status == 200
    assert sb.requests == []
