"""apply: run a plan's requests in dependency order, with bounded concurrency.

Each change's requests run in order; changes run in parallel once the changes they depend on
are done (an invitation before its member owns anything; an event type before its availability
is set). A failure skips what depends on it and nothing else. Every change ends done, failed or
skipped, with a reason: nothing is lost silently. Stopping (Ctrl-C) lets in-flight calls finish,
starts nothing new, and reports the rest as skipped.

Creates are idempotent (existing.py): just before a create, its natural key is looked up live;
an object that already holds what the plan wants is adopted, one that differs fails the change
("plan again"), never a duplicate. After the changes, the event types this apply created are
listed again: a copy that another apply raced into (Calendly has no unique name constraint) is
reported in `duplicates`, and `plan --dedupe` proposes the fix.
"""

from __future__ import annotations

import heapq
import re
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reconciler import recovery
from reconciler.client.errors import (
    ApiError,
    ClientError,
    MalformedResponse,
    NotFound,
    OutcomeUnknown,
)
from reconciler.client.secret import redact
from reconciler.existing import ADOPTED, Existing, differences
from reconciler.kinds import failure_hint
from reconciler.kinds.wire import is_uri
from reconciler.model import Request, uri_id
from reconciler.plan import PLACEHOLDER, Action, Change, Plan
from reconciler.protocols import Writer

#: How many times a write with an unknown outcome is checked and re-sent before giving up.
RECOVERY_ATTEMPTS = 3
#: Why a change that a stop (Ctrl-C) left unstarted is skipped.
INTERRUPTED = "not started: apply was interrupted"


class Status(StrEnum):
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Outcome:
    change: Change
    status: Status
    message: str = ""


@dataclass
class ApplyResult:
    outcomes: list[Outcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: A stop (Ctrl-C) left changes unstarted: they are skipped, "not started: ...".
    interrupted: bool = False
    #: The stop was a SIGTERM (the CLI exits 143 rather than 130).
    terminated: bool = False
    #: Event types that exist more than once after this apply (a concurrent apply raced it):
    #: one line each, naming the copies.
    duplicates: list[str] = field(default_factory=list)
    #: change id -> URI of the object its POST created (readback.py reads them back)
    created: dict[str, str] = field(default_factory=dict)

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        return self.count(Status.FAILED) == 0 and not self.duplicates


class Deferred(Exception):
    """A change cannot run yet: it needs something that does not exist (a pending member)."""


Listener = Callable[[str, Change, str], None]  # (event, change, message); event: start|<Status>


def apply(
    plan: Plan,
    client: Writer,
    *,
    on_event: Listener | None = None,
    stop: threading.Event | None = None,
    existing: Existing | None = None,
) -> ApplyResult:
    """`existing`: the listings a saved plan's check already read (else read as needed)."""
    runner = _Runner(
        plan,
        client,
        on_event or (lambda *_: None),
        stop or threading.Event(),
        existing or Existing(client, plan.organization or ""),
    )
    return runner.run()


class _Runner:
    def __init__(
        self,
        plan: Plan,
        client: Writer,
        on_event: Listener,
        stop: threading.Event,
        existing: Existing,
    ) -> None:
        self.plan = plan
        self.client = client
        self.on_event = on_event
        self.stop = stop
        self.produced: dict[str, str] = {}  # change id -> URI it created
        self.status: dict[str, Outcome] = {}
        self.warnings: list[str] = []
        self.lock = threading.Lock()
        self.existing = existing
        #: (owner URI, name) of each event type this apply created or adopted
        self.event_types: dict[tuple[str, str], Change] = {}

    def run(self) -> ApplyResult:
        """Run every change once its dependencies are done, at most `slots` at a time.

        Dependencies are counted once up front, so scheduling costs O(changes + edges), not a
        rescan of everything pending after each completion.
        """
        changes = self.plan.changes
        order = {c.id: i for i, c in enumerate(changes)}
        by_id = {c.id: c for c in changes}
        waiting = {c.id: {d for d in c.depends_on() if d in order} for c in changes}
        dependents: dict[str, list[str]] = {}
        for change_id, deps in waiting.items():
            for dep in deps:
                dependents.setdefault(dep, []).append(change_id)
        ready = [(order[i], i) for i, deps in waiting.items() if not deps]
        heapq.heapify(ready)
        running: dict[Future[Outcome], Change] = {}
        slots = max(self.client.max_concurrency, 1)
        with ThreadPoolExecutor(max_workers=slots) as pool:
            while ready or running:
                # Only as many as there are free workers: a change handed to the pool is in
                # flight, and a stop must leave everything else unstarted.
                while ready and len(running) < slots and not self.stop.is_set():
                    change = by_id[heapq.heappop(ready)[1]]
                    self.on_event("start", change, "")
                    running[pool.submit(self._execute, change)] = change
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=lambda f: order[running[f].id]):
                    del running[future]
                    outcome = future.result()
                    self._settle(outcome, dependents, by_id)
                    if outcome.status != Status.DONE:
                        continue
                    for change_id in dependents.get(outcome.change.id, ()):
                        waiting[change_id].discard(outcome.change.id)
                        if not waiting[change_id] and change_id not in self.status:
                            heapq.heappush(ready, (order[change_id], change_id))
        interrupted = [c for c in changes if c.id not in self.status]
        for change in interrupted:  # only left when stopped
            self._finish(Outcome(change, Status.SKIPPED, INTERRUPTED))
        outcomes = sorted(self.status.values(), key=lambda o: order[o.change.id])
        return ApplyResult(
            outcomes,
            self.warnings,
            interrupted=bool(interrupted),
            duplicates=self._duplicates(),
            created=dict(self.produced),
        )

    def _duplicates(self) -> list[str]:
        """Event types of this apply that exist more than once now (one listing per owner)."""
        found = []
        owners = sorted({owner for owner, _name in self.event_types})
        for owner in owners:
            try:
                listed = self.existing.fresh_copies(owner)
            except ClientError as exc:
                self.warnings.append(f"could not look for duplicates of {owner}'s: {exc}")
                continue
            for (of, name), change in sorted(self.event_types.items()):
                copies = listed.get(name, []) if of == owner else []
                if len(copies) > 1:
                    ids = ", ".join(uri_id(c) for c in copies)
                    found.append(
                        f"event_type {change.key}: {len(copies)} live copies ({ids}): another "
                        "apply created it at the same time; `plan --dedupe` keeps the oldest "
                        "and deactivates the others"
                    )
        return found

    def _settle(
        self, outcome: Outcome, dependents: Mapping[str, list[str]], by_id: Mapping[str, Change]
    ) -> None:
        """Record an outcome; if it is not done, skip everything that depends on it."""
        self._finish(outcome)
        if outcome.status == Status.DONE:
            return
        stack = [outcome]
        while stack:
            cause = stack.pop()
            verb = "failed" if cause.status == Status.FAILED else "was skipped"
            for change_id in dependents.get(cause.change.id, ()):
                if change_id in self.status:
                    continue
                reason = f"depends on {cause.change.id}, which {verb}"
                skip = Outcome(by_id[change_id], Status.SKIPPED, reason)
                self._finish(skip)
                stack.append(skip)

    def _finish(self, outcome: Outcome) -> None:
        self.status[outcome.change.id] = outcome
        self.on_event(str(outcome.status), outcome.change, outcome.message)

    def _execute(self, change: Change) -> Outcome:
        try:
            adopted = self._existing(change)
        except Deferred as exc:
            return Outcome(change, Status.SKIPPED, str(exc))
        except ClientError as exc:
            return Outcome(change, Status.FAILED, f"looking for it in Calendly failed: {exc}")
        if adopted is not None:
            return adopted
        notes = []
        for index, request in enumerate(change.requests):
            try:
                note = self._send(change, self._resolve(request))
            except Deferred as exc:
                return Outcome(change, Status.SKIPPED, str(exc))
            except ClientError as exc:
                done = change.requests[index - 1].display() if index else ""
                prefix = f"{done} succeeded, then " if done else ""
                hint = failure_hint(change.kind, request, exc)
                text = f"{exc} {hint}" if hint else str(exc)
                # A server may quote the request in its error: never the signing key.
                message = redact(prefix + text, change.secrets().values())
                return Outcome(change, Status.FAILED, message)
            if note:
                notes.append(note)
        return Outcome(change, Status.DONE, "; ".join(notes))

    def _existing(self, change: Change) -> Outcome | None:
        """A create whose object already exists: adopted (DONE) or a conflict (FAILED)."""
        if change.action != Action.CREATE or not change.requests:
            return None
        request = self._resolve(change.requests[0])
        found = self.existing.find(request)
        if found is None:
            return None
        uri = str(found.get("uri", ""))
        differ = differences(change, found)
        if differ:
            return Outcome(
                change,
                Status.FAILED,
                f"already exists in Calendly ({uri}) and differs from the plan: {differ}; "
                "plan again",
            )
        with self.lock:
            self.produced[change.id] = uri
            self._note_event_type(change, request)
        try:
            note = self._follow_up(request, found)
        except ClientError as exc:
            return Outcome(change, Status.FAILED, f"{ADOPTED}, then {exc}")
        return Outcome(change, Status.DONE, "; ".join(n for n in (ADOPTED, note) if n))

    def _note_event_type(self, change: Change, request: Request) -> None:
        """Remember an event type this apply made exist, to look for racing copies after."""
        if request.path == "/event_types" and request.body:
            owner, name = request.body.get("owner"), request.body.get("name")
            self.event_types[(str(owner), str(name))] = change

    def _resolve(self, request: Request) -> Request:
        """Replace `<known after apply: …>` placeholders with what earlier changes produced:
        the URI, or in a path its id (the last segment, as path parameters take it)."""

        def substitute(text: str, *, in_path: bool = False) -> str:
            def one(match: re.Match[str]) -> str:
                kind, key = match.groups()
                value = self.produced.get(f"{kind}:{key}")
                if value is None:
                    raise Deferred(_unresolved(kind, key))
                return uri_id(value) if in_path else value

            return PLACEHOLDER.sub(one, text)

        return Request(
            request.method,
            substitute(request.path, in_path=True),
            {k: substitute(v) for k, v in request.params.items()},
            _substitute_body(request.body, substitute),
            request.secrets,
        )

    def _send(self, change: Change, request: Request) -> str:
        note = ""
        try:
            response = self._call(request)
        except NotFound:
            if request.method != "DELETE":
                raise
            return "already gone"
        except ApiError:
            # 409 Already Exists / 400 Already Invited: fine if it is exactly what we wanted.
            response = self._adopt(request) if request.method == "POST" else None
            if response is None:
                raise
            note = "already existed"
        resource = response.get("resource") if isinstance(response, dict) else None
        if request.method == "POST":
            uri = resource.get("uri") if isinstance(resource, dict) else None
            if not is_uri(uri):
                raise MalformedResponse(
                    f"{request.display()} succeeded but answered without the new object's "
                    "`uri`; plan again to see it"
                )
            with self.lock:
                self.produced[change.id] = str(uri)
                self._note_event_type(change, request)
        return "; ".join(n for n in (note, self._follow_up(request, resource)) if n)

    def _call(self, request: Request) -> Any:
        """Send; when the outcome is unknown, look before sending again (recovery.py)."""
        for attempt in range(RECOVERY_ATTEMPTS + 1):
            try:
                return self.client.request(
                    request.method, request.path, params=request.params, json=request.wire_body()
                )
            except OutcomeUnknown as exc:
                # Look first, also after the last attempt: the report must say what happened.
                found = recovery.confirm(self.client, request, self.plan.organization or "")
                if found is not None:
                    return found
                if attempt == RECOVERY_ATTEMPTS:
                    raise ClientError(
                        f"{request.display()} failed {attempt + 1} times, each checked "
                        f"afterwards: it was not applied (last: {exc})"
                    ) from None
        raise AssertionError("unreachable")

    def _adopt(self, request: Request) -> dict[str, Any] | None:
        """The object this POST creates, if it already exists as requested: `{resource}`."""
        found = recovery.find_created(self.client, request, self.plan.organization or "")
        return {"resource": found} if found is not None else None

    def _follow_up(self, request: Request, resource: dict[str, Any] | None) -> str:
        """Calendly has been seen to ignore `active` on create (NOTES.md 7.7): set it again."""
        body = request.body or {}
        if request.path != "/event_types" or "active" not in body or resource is None:
            return ""
        if resource.get("active") == body["active"]:
            return ""
        uri = str(resource.get("uri", ""))
        self._call(Request("PATCH", "/event_types/" + uri_id(uri), body={"active": body["active"]}))
        return "set active again: Calendly ignored it on create"


def _substitute_body(body: Any, substitute: Callable[[str], str]) -> Any:
    if isinstance(body, str):
        return substitute(body)
    if isinstance(body, Mapping):
        return {k: _substitute_body(v, substitute) for k, v in body.items()}
    if isinstance(body, list):
        return [_substitute_body(v, substitute) for v in body]
    return body


def _unresolved(kind: str, key: str) -> str:
    if kind == "user":
        return (
            f"{key} has not joined the organization yet (no user until the invitation is "
            "accepted); re-run apply after they accept"
        )
    return f"needs the {kind} {key}, which does not exist"
