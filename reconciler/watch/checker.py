"""Drift checks: one owner's event types after a delivery, the whole config on resync.

A targeted check costs a bounded number of GETs whatever the size of the organization: the
owner (`GET /users/{uuid}`, to learn the email the config names them by), `/users/me`, the
membership listing (emails of owners), that owner's event types (`GET /event_types?user=`) and
one availability GET per declared availability of that owner, plus the activity log pages
that attribution reads (drift.MAX_LOG_PAGES at most). An owner without declared event types is
not managed here: no further call.

The config is read again before each batch of checks (`reload`), so a deployment that keeps
its mounted config current (a git-sync sidecar, a redeploy of the volume) never reports a
change it has just applied as drift; a config that no longer loads is logged and the last
valid one is kept.

Each drifted change is printed once, as one JSON line (the JSON plan's change object, with
`origin: "drift"`), when it appears or when it changes; a change that disappears (someone put
it back, or `apply` ran) is logged as resolved and would be printed again if it came back.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, TextIO

from reconciler.config.model import Config
from reconciler.config.problems import ConfigError
from reconciler.diff import diff
from reconciler.drift import attribute
from reconciler.live import answer_of, read_live
from reconciler.model import LiveState, email_key, uri_id
from reconciler.plan import Change, Plan
from reconciler.protocols import Reader
from reconciler.watch.coalesce import FULL
from reconciler.watch.logs import event
from reconciler.watch.notify import Notifier

#: Kinds a targeted check looks at: an event type and its availability.
TARGETED_KINDS = ("event_type", "availability")


class ReadView:
    """A Reader over the watch's client: drift checks can only read, whatever the client may do.

    With `owner`, the organization's event type listing is asked for with the API's own `user=`
    filter instead, so read_live sees that owner's event types only.
    """

    def __init__(self, inner: Reader, owner: str | None = None) -> None:
        self._inner = inner
        self._owner = owner
        self.max_concurrency = inner.max_concurrency

    def _params(self, path: str, params: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        if self._owner is not None and path == "/event_types":
            return {"user": self._owner}
        return params

    def get_resource(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self._inner.get_resource(path, params)

    def get_collection(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        return self._inner.get_collection(path, params)

    def list_all(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._inner.list_all(path, self._params(path, params))

    def iter_collection(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        return self._inner.iter_collection(path, self._params(path, params))


@dataclass(frozen=True)
class Result:
    """What one check found: `scope` is FULL or the owner's email."""

    scope: str
    plan: Plan
    live: LiveState | None


class Checker:
    def __init__(
        self,
        config: Config,
        reader: Reader,
        *,
        today: Callable[[], dt.date],
        out: TextIO,
        notifier: Notifier | None = None,
        reload: Callable[[], Config] | None = None,
    ) -> None:
        self.config = config
        self._reload = reload
        self._reload_error: str | None = None
        self._reader = reader
        self._today = today
        self._out = out
        self._notifier = notifier
        self._reported: dict[str, str] = {}  # change id -> signature of what was printed

    def run(self, keys: list[str]) -> None:
        """Check each key (FULL or an owner URI) and report what drifted."""
        self._refresh()
        for key in keys:
            result = self.check_all() if key == FULL else self.check_owner(key)
            if result is not None:
                self.report(result)

    def _refresh(self) -> None:
        if self._reload is None:
            return
        try:
            config = self._reload()
        except ConfigError as exc:
            text = "\n".join(exc.lines())
            if text != self._reload_error:
                event("config.invalid", logging.WARNING, problems=exc.lines()[:20])
                self._reload_error = text
            return
        self._reload_error = None
        if config != self.config:
            event("config.changed", files=list(config.files))
            self.config = config

    def check_all(self) -> Result:
        reader = ReadView(self._reader)
        today = self._today()
        live = read_live(reader, self.config, today=today)
        return Result(FULL, diff(self.config, live, today=today), live)

    def check_owner(self, owner_uri: str) -> Result | None:
        reader = ReadView(self._reader, owner=owner_uri)
        path = f"/users/{uri_id(owner_uri)}"
        with answer_of(f"GET {path}"):
            email = email_key(str(reader.get_resource(path)["email"]))
        declared = tuple(e for e in self.config.event_types if email_key(e.owner) == email)
        if not declared:
            event("check.skipped", owner=owner_uri, reason="the config declares no event type")
            return None
        policy = self.config.policy
        config = replace(
            self.config,
            members=(),
            webhooks=(),
            availability_schedules=(),
            event_types=declared,
            policy=replace(policy, prune=policy.prune & {"event_types"}),
        )
        today = self._today()
        live = read_live(reader, config, today=today)
        plan = diff(config, live, today=today)
        changes = [c for c in plan.changes if c.kind in TARGETED_KINDS]
        return Result(email, plan.with_changes(changes), live)

    def report(self, result: Result) -> list[Change]:
        """Print the changes not printed before; return them."""
        current = {c.id: _signature(c) for c in result.plan.changes}
        for change_id in [i for i in self._reported if _in_scope(i, result.scope)]:
            if change_id not in current:
                del self._reported[change_id]
                event("drift.resolved", change=change_id)
        fresh = [c for c in result.plan.changes if self._reported.get(c.id) != current[c.id]]
        event("check.done", scope=result.scope, drifted=len(current), new=len(fresh))
        if not fresh:
            return []
        plan = result.plan.with_changes(fresh)
        if result.live is not None:
            plan, note = attribute(plan, result.live, ReadView(self._reader))
            if note:
                event("attribution.limited", note=note)
        for change in plan.changes:
            line = replace(change, origin="drift").to_dict()
            self._out.write(json.dumps(line, ensure_ascii=False) + "\n")
            self._reported[change.id] = current[change.id]
        self._out.flush()
        for warning in plan.warnings:
            event("check.warning", warning=warning)
        if self._notifier is not None:
            self._notifier.send(list(plan.changes))
        return list(plan.changes)


def _in_scope(change_id: str, scope: str) -> bool:
    if scope == FULL:
        return True
    kind, _, key = change_id.partition(":")
    return kind in TARGETED_KINDS and key.startswith(f"{scope}/")


def _signature(change: Change) -> str:
    return json.dumps(
        [change.id, str(change.action), change.before, change.after], sort_keys=True, default=str
    )
