"""CalendlyClient against MockTransport: the failures a live API rarely shows on demand.

Aspects: malformed bodies (HTML error pages, truncated JSON, wrong shapes), transport failures
before and after sending, the retry rules per method, redaction of the token everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest

from reconciler.client import (
    CalendlyClient,
    MalformedResponse,
    OutcomeUnknown,
    ReadOnlyViolation,
    Secret,
    ServerError,
    TransportError,
    Unauthorized,
)
from reconciler.client.connect import BearerAuth
from tests.helpers import FakeClock

TOKEN = "pat-SECRET-0123456789"

Handler = Callable[[httpx.Request], httpx.Response]


def make_client(handler: Handler, **kwargs: object) -> tuple[CalendlyClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    clock = FakeClock()
    http = httpx.Client(
        base_url="https://api.calendly.com",
        transport=httpx.MockTransport(record),
        auth=BearerAuth(Secret(TOKEN)),
    )
    client = CalendlyClient(
        http,
        secrets=(Secret(TOKEN),),
        clock=clock,
        sleep=clock.sleep,
        **kwargs,  # type: ignore[arg-type]
    )
    return client, seen


def test_an_html_error_page_becomes_one_clear_line() -> None:
    page = "<html><body>" + "<p>Bad gateway</p>" * 50 + "</body></html>"
    client, seen = make_client(lambda r: httpx.Response(502, text=page))
    with pytest.raises(ServerError) as err:
        client.get("/users/me")
    assert len(seen) == 6  # a read is retried (RetryPolicy.attempts)
    message = str(err.value)
    assert message.startswith("GET /users/me answered 502: <html><body><p>Bad gateway</p>")
    assert message.endswith("…")
    assert "\n" not in message


def test_truncated_json_is_a_malformed_response() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, text='{"resource": {"uri": "htt'))
    with pytest.raises(MalformedResponse) as err:
        client.get_resource("/users/me")
    assert str(err.value) == (
        'GET /users/me answered 200 with a body that is not JSON: \'{"resource": {"uri": "htt\''
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"collection": "nope"},
            "GET /event_types answered without a `collection` list of objects",
        ),
        (
            {"collection": [1, 2]},
            "GET /event_types answered without a `collection` list of objects",
        ),
        ([], "GET /event_types answered without a `collection` list of objects"),
    ],
)
def test_wrong_shapes_are_malformed_responses(body: object, message: str) -> None:
    client, _ = make_client(lambda r: httpx.Response(200, json=body))
    with pytest.raises(MalformedResponse) as err:
        client.list_all("/event_types", {"organization": "o"})
    assert str(err.value) == message


def test_a_resource_without_resource_is_malformed() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, json={"collection": []}))
    with pytest.raises(MalformedResponse, match="answered without a `resource` object"):
        client.get_resource("/users/me")


def test_a_post_whose_connection_drops_is_not_retried() -> None:
    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")

    client, seen = make_client(drop)
    with pytest.raises(OutcomeUnknown) as err:
        client.post("/event_types", {"name": "Intro"})
    assert len(seen) == 1
    assert str(err.value) == (
        "POST /event_types: the connection failed after the request was sent (Server "
        "disconnected without sending a response.); Calendly may or may not have applied it"
    )


def test_a_post_that_could_not_connect_is_retried() -> None:
    calls = iter([httpx.ConnectError("refused"), None])

    def flaky(request: httpx.Request) -> httpx.Response:
        error = next(calls)
        if error:
            raise error
        return httpx.Response(201, json={"resource": {"uri": "u"}})

    client, seen = make_client(flaky)
    assert client.post("/event_types", {"name": "Intro"}) == {"uri": "u"}
    assert len(seen) == 2


def test_a_get_is_retried_after_a_dropped_connection() -> None:
    calls = iter([httpx.ReadError("reset"), None])

    def flaky(request: httpx.Request) -> httpx.Response:
        error = next(calls)
        if error:
            raise error
        return httpx.Response(200, json={"resource": {"uri": "u"}})

    client, seen = make_client(flaky)
    assert client.get_resource("/users/me") == {"uri": "u"}
    assert len(seen) == 2
    assert client.stats.retries == 1


def test_an_unreachable_api_is_a_transport_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    client, _ = make_client(refuse)
    with pytest.raises(TransportError) as err:
        client.get("/users/me")
    assert str(err.value) == (
        "GET /users/me: could not reach https://api.calendly.com after 3 attempts "
        "([Errno 111] Connection refused)"
    )


def test_read_only_refuses_writes_before_sending() -> None:
    client, seen = make_client(lambda r: httpx.Response(204), read_only=True)
    for method in ("POST", "PATCH", "DELETE"):
        with pytest.raises(ReadOnlyViolation) as err:
            client.request(method, "/webhook_subscriptions/W1")
        assert str(err.value) == (
            f"refusing {method} /webhook_subscriptions/W1: "
            "this run is read-only (plan never writes)"
        )
    assert seen == []


def test_the_token_is_masked_in_error_messages_repr_and_debug_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    echo = {"title": "Unauthenticated", "message": f"The access token {TOKEN} is invalid"}
    client, seen = make_client(lambda r: httpx.Response(401, json=echo))
    caplog.set_level(logging.DEBUG, logger="reconciler")
    with pytest.raises(Unauthorized) as err:
        client.get("/users/me")
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in str(err.value)
    assert "The access token *** is invalid" in str(err.value)
    assert TOKEN not in repr(client) + repr(client.http.auth) + repr(Secret(TOKEN))
    assert caplog.records, "debug logging recorded the request"
    assert all(TOKEN not in r.getMessage() for r in caplog.records)
    assert '"authorization": "Bearer ***"' in caplog.records[0].getMessage()


def test_a_race_condition_answer_is_retried() -> None:
    answers = iter(
        [
            httpx.Response(400, json={"title": "Race Condition", "message": "try again"}),
            httpx.Response(201, json={"resource": {"uri": "u"}}),
        ]
    )
    client, seen = make_client(lambda r: next(answers))
    assert client.post("/organizations/O/invitations", {"email": "a@b.example"}) == {"uri": "u"}
    assert len(seen) == 2


def test_a_listing_that_never_ends_stops_at_the_page_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reconciler.client.api.MAX_PAGES", 5)
    pages = iter(range(1_000_000))

    def endless(request: httpx.Request) -> httpx.Response:  # a fresh token every time
        n = next(pages)
        return httpx.Response(
            200, json={"collection": [{"n": n}], "pagination": {"next_page_token": f"t{n}"}}
        )

    client, seen = make_client(endless)
    with pytest.raises(MalformedResponse) as err:
        client.list_all("/event_types")
    assert str(err.value) == (
        "GET /event_types answered more than 5 pages (500 objects): stopping rather than paging "
        "forever"
    )
    assert len(seen) == 5


def test_an_empty_page_that_names_a_next_page_stops_the_listing() -> None:
    def empty(request: httpx.Request) -> httpx.Response:
        token = f"t{len(request.url.params.get('page_token', ''))}x"
        return httpx.Response(
            200, json={"collection": [], "pagination": {"next_page_token": token}}
        )

    client, seen = make_client(empty)
    with pytest.raises(MalformedResponse) as err:
        client.list_all("/event_types")
    assert str(err.value) == (
        "GET /event_types answered an empty page that names a next page: stopping"
    )
    assert len(seen) == 1


def test_a_page_token_that_repeats_stops_the_listing() -> None:
    def again(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"collection": [{"n": 1}], "pagination": {"next_page_token": "again"}}
        )

    client, seen = make_client(again)
    with pytest.raises(MalformedResponse) as err:
        client.list_all("/groups")
    assert str(err.value) == "GET /groups answered the same next_page_token twice: 'again'"
    assert len(seen) == 2
