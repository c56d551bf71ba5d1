"""read_live sends each availability GET as soon as its event type is listed: the reads overlap
the rest of the event type listing instead of waiting for its last page (issue 7)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from reconciler.config import load_config
from reconciler.live import read_live
from tests.perf.orgs import OrgSize, member_email, write_config

ORG = "https://api.calendly.com/organizations/ORG"
ME = "https://api.calendly.com/users/U00000"


class PagedReader:
    """Two pages of event types; the second is only served once an availability GET for an
    event type of the first page has been made (a reader that waits for the whole listing
    before reading availability would never get it)."""

    max_concurrency = 4

    def __init__(self, size: OrgSize) -> None:
        self.size = size
        self.availability_asked = threading.Event()
        self.second_page_waited = False

    def get_resource(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        assert path == "/users/me"
        return {"uri": ME, "current_organization": ORG, "email": "owner@big.example"}

    def list_all(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        if path == "/organization_memberships":
            return [
                {
                    "uri": f"{ORG}/memberships/M{i:05d}",
                    "role": "owner" if i == 0 else "user",
                    "user": {"uri": f"https://api.calendly.com/users/U{i:05d}", "email": email},
                }
                for i, email in enumerate(_members(self.size))
            ]
        if path == "/event_types":
            return list(self.iter_collection(path, params))
        return []

    def iter_collection(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        assert path == "/event_types"
        items = [_event_type(i, self.size) for i in range(self.size.event_types)]
        yield from items[:100]
        self.second_page_waited = self.availability_asked.wait(timeout=10)
        yield from items[100:]

    def get_collection(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        self.availability_asked.set()
        return []


def _members(size: OrgSize) -> list[str]:
    return [member_email(i) for i in range(size.members)]


def _event_type(i: int, size: OrgSize) -> dict[str, Any]:
    return {
        "uri": f"https://api.calendly.com/event_types/E{i:05d}",
        "name": f"Meeting {i:05d}",
        "kind": "solo",
        "type": "StandardEventType",
        "active": True,
        "duration": 30,
        "profile": {"owner": f"https://api.calendly.com/users/U{i % size.members:05d}"},
    }


def test_availability_reads_start_before_the_listing_ends(tmp_path: Path) -> None:
    size = OrgSize(
        members=5,
        pending=0,
        event_types=150,
        availability=150,
        webhooks=0,
        user_webhooks=0,
        group_webhooks=0,
    )
    config = load_config([write_config(size, tmp_path / "config")])
    reader = PagedReader(size)
    live = read_live(reader, config, today=dt.date(2026, 11, 22))
    assert reader.second_page_waited  # an availability GET came before page 2 was fetched
    assert len(live.objects["event_type"]) == 150
    assert len(live.objects["availability"]) == 150
