"""Plan and apply against the sandbox in-process, and read back exactly what was written."""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.apply import ApplyResult, apply
from reconciler.client import CalendlyClient
from reconciler.config import Config, load_config
from reconciler.diff import diff
from reconciler.live import read_live
from reconciler.model import LiveState
from reconciler.plan import Plan
from reconciler.sandbox import Sandbox
from tests.conftest import ClientFactory

TODAY = dt.date(2026, 11, 22)

Write = tuple[str, str, dict[str, str], Any]  # method, path, query, body


@dataclass
class Harness:
    sandbox: Sandbox
    connect: ClientFactory
    tmp_path: Path
    environ: dict[str, str]

    def config(self, text: str, name: str = "config.yaml") -> Config:
        directory = self.tmp_path / "config"
        directory.mkdir(exist_ok=True)
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return load_config([directory.relative_to(self.tmp_path)], environ=self.environ)

    def plan(self, config: Config, token: str = "demo") -> Plan:
        return self.plan_live(config, token)[0]

    def plan_live(self, config: Config, token: str = "demo") -> tuple[Plan, LiveState]:
        client = self.connect(token, read_only=True)
        live = read_live(client, config, today=TODAY)
        return diff(config, live, today=TODAY), live

    def apply(self, config: Config, token: str = "demo") -> tuple[Plan, ApplyResult, list[Write]]:
        plan = self.plan(config, token)
        mark = len(self.sandbox.requests)
        client: CalendlyClient = self.connect(token)
        result = apply(plan, client)
        return plan, result, self.writes(since=mark)

    def writes(self, since: int = 0) -> list[Write]:
        return [
            (r.method, r.path, dict(r.query), r.body)
            for r in self.sandbox.requests[since:]
            if r.method != "GET"
        ]

    def org_id(self) -> str:
        return self.sandbox.org_uri.rsplit("/", 1)[1]

    def event_type_id(self, owner: str, name: str) -> str:
        owner_id = self.sandbox.user_uri(owner).rsplit("/", 1)[1]
        for item in self.sandbox.state()["event_types"]:
            if item["name"] == name and item["owner_id"] == owner_id:
                return str(item["id"])
        raise KeyError(name)

    def membership_id(self, email: str) -> str:
        user_id = self.sandbox.user_uri(email).rsplit("/", 1)[1]
        state = self.sandbox.state()
        return next(str(m["id"]) for m in state["memberships"] if m["user_id"] == user_id)

    def invitation_id(self, email: str) -> str:
        state = self.sandbox.state()
        return next(str(i["id"]) for i in state["invitations"] if i["email"] == email)

    def webhook_id(self, url: str) -> str:
        for item in self.sandbox.state()["webhooks"]:
            if item["callback_url"] == url:
                return str(item["id"])
        raise KeyError(url)
