"""Bookings (scheduled events): how the fixture and the `/_sandbox/` control route make them.

The fixture dates its bookings relative to the sandbox's clock ("the first Tuesday after today,
10:00 in the event type's time zone"), so a demo organization keeps upcoming bookings whenever
it is started; `on_weekday` does that arithmetic.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from reconciler.sandbox.availability import WEEKDAYS
from reconciler.sandbox.model import Booking, EventType, Json
from reconciler.sandbox.store import Store
from reconciler.sandbox.timezones import zone
from reconciler.sandbox.util import iso


def on_weekday(now: int, timezone: str, weekday: str, week: int, local: time) -> int:
    """Epoch microseconds of `local` o'clock on the first `weekday` strictly after today in
    `timezone` (plus `week` weeks)."""
    tz = zone(timezone)
    today = datetime.fromtimestamp(now / 1_000_000, tz).date()
    ahead = (WEEKDAYS.index(weekday) - (today.weekday() + 1) % 7) % 7 or 7
    day = today + timedelta(days=ahead + 7 * week)
    moment = datetime.combine(day, local, tzinfo=tz)
    return round(moment.timestamp()) * 1_000_000


def new_booking(
    store: Store,
    et: EventType,
    start: int,
    *,
    host_id: str,
    invitee_name: str,
    invitee_email: str,
    canceled: bool,
    now: int,
) -> Booking:
    location: Json | None = None
    if et.locations:
        first = et.locations[0]
        location = {"type": first["kind"]}
        if first.get("location"):
            location["location"] = first["location"]
    booking = Booking(
        id=store.mint("scheduled_events"),
        event_type_id=et.id,
        name=et.name,
        status="canceled" if canceled else "active",
        start_time=start,
        end_time=start + round(et.duration * 60) * 1_000_000,
        host_ids=[host_id],
        location=location,
        invitee_name=invitee_name,
        invitee_email=invitee_email,
        created_at=now,
        updated_at=now,
    )
    if canceled:
        booking.cancellation = {
            "canceled_by": invitee_name,
            "reason": None,
            "canceler_type": "invitee",
            "created_at": iso(now),
        }
    store.bookings[booking.id] = booking
    return booking
