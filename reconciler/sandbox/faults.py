"""Seeded fault injection: latency, 429 bursts, 5xx, dropped connections, commit-then-drop.

A `Faults` value is the configuration; a `FaultInjector` turns it into one decision per API
request, drawn from `random.Random(seed)`. Every eligible request draws the same number of
random values whatever happens to it, so a given seed and request sequence always produce the
same faults. Replacing the configuration (at runtime, e.g. after a test has seeded its data)
restarts the random sequence from the new seed. `/_sandbox/` routes are never faulted.

Compact form (CLI `--faults`, `POST /_sandbox/faults` with {"spec": ...}):
    seed=7,latency=0.05,jitter=0.01,429=0.1,burst=3,5xx=0.05,drop=0.02,commit_drop=0.2,methods=writes
Keys: `seed` (int), `latency` (seconds added to each request), `jitter` (± seconds, uniform),
`429` (probability that a burst of 429s starts), `burst` (length of a burst, requests),
`5xx` (probability of a 500/502/503), `codes` (which of them, e.g. `500+503`), `drop`
(probability the connection is closed without a response and the request is NOT applied),
`commit_drop` (probability that a write is applied and THEN the connection is closed),
`methods` (`all`, `reads`, `writes`, or methods joined by `+`, e.g. `POST+DELETE`),
`redirect` (a 3xx status: every write among `methods` answers it with a `Location` and is NOT
applied), `omit_profile` (1: event types are answered without `profile`, as Calendly documents
some are). These two are not random: they apply to every request they concern.
A YAML/JSON file holds the same keys as a mapping (long names such as `rate_429` work too).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reconciler.sandbox.model import Json

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ALL_METHODS = READ_METHODS | WRITE_METHODS
_METHOD_CLASSES = {"all": ALL_METHODS, "reads": READ_METHODS, "writes": WRITE_METHODS}
_ALIASES = {
    "429": "rate_429",
    "5xx": "rate_5xx",
    "drop": "drop",
    "commit_drop": "commit_drop",
    "rate_429": "rate_429",
    "rate_5xx": "rate_5xx",
}


class FaultSpecError(ValueError):
    """A malformed fault specification (message is one line, fit for the CLI)."""


@dataclass(frozen=True)
class Faults:
    seed: int = 0
    latency: float = 0.0
    jitter: float = 0.0
    rate_429: float = 0.0
    burst: int = 1
    rate_5xx: float = 0.0
    codes: tuple[int, ...] = (500, 502, 503)
    drop: float = 0.0
    commit_drop: float = 0.0
    methods: frozenset[str] = field(default=ALL_METHODS)
    redirect: int = 0
    omit_profile: bool = False

    def __post_init__(self) -> None:
        for name in ("rate_429", "rate_5xx", "drop", "commit_drop"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise FaultSpecError(f"{name} must be a probability between 0 and 1, got {value}")
        if self.latency < 0 or self.jitter < 0:
            raise FaultSpecError("latency and jitter must not be negative")
        if self.burst < 1:
            raise FaultSpecError("burst must be at least 1")
        if not self.codes or any(c not in (500, 502, 503) for c in self.codes):
            raise FaultSpecError("codes must be chosen from 500, 502, 503")
        if self.redirect and not 300 <= self.redirect <= 399:
            raise FaultSpecError(f"redirect must be a 3xx status, got {self.redirect}")
        if not self.methods or not self.methods <= ALL_METHODS:
            raise FaultSpecError(f"methods must be a subset of {sorted(ALL_METHODS)}")

    @property
    def active(self) -> bool:
        values = (self.latency, self.jitter, self.rate_429, self.rate_5xx, self.drop)
        return any(values) or self.commit_drop > 0 or bool(self.redirect)

    # ---- parsing ---------------------------------------------------------------------------

    @classmethod
    def parse(cls, spec: str) -> Faults:
        """Parse the compact `key=value,...` form (empty string → no faults)."""
        mapping: dict[str, Any] = {}
        for part in spec.split(","):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            if not sep:
                raise FaultSpecError(f"fault spec item {part.strip()!r} is not key=value")
            mapping[key.strip()] = value.strip()
        return cls.from_mapping(mapping)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Faults:
        kwargs: dict[str, Any] = {}
        try:
            for raw_key, value in mapping.items():
                key = _ALIASES.get(str(raw_key), str(raw_key))
                if key == "seed" or key == "burst" or key == "redirect":
                    kwargs[key] = int(value)
                elif key in ("latency", "jitter", "rate_429", "rate_5xx", "drop", "commit_drop"):
                    kwargs[key] = float(value)
                elif key == "omit_profile":
                    kwargs[key] = str(value).lower() in ("1", "true", "yes")
                elif key == "codes":
                    kwargs[key] = _codes(value)
                elif key == "methods":
                    kwargs[key] = _methods(value)
                else:
                    raise FaultSpecError(f"unknown fault setting {raw_key!r}")
        except (TypeError, ValueError) as exc:
            if isinstance(exc, FaultSpecError):
                raise
            raise FaultSpecError(f"bad fault setting value: {exc}") from None
        return cls(**kwargs)

    @classmethod
    def load(cls, path: str | Path) -> Faults:
        """Read a YAML or JSON file holding a mapping of settings."""
        try:
            data = yaml.safe_load(Path(path).read_text("utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise FaultSpecError(f"cannot read fault file {path}: {exc}") from None
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise FaultSpecError(f"fault file {path} must hold a mapping of settings")
        return cls.from_mapping(data)

    @classmethod
    def coerce(cls, value: Faults | str | Mapping[str, Any] | None) -> Faults:
        if value is None:
            return cls()
        if isinstance(value, Faults):
            return value
        if isinstance(value, str):
            return cls.parse(value)
        return cls.from_mapping(value)

    def to_json(self) -> Json:
        data = asdict(self)
        data["codes"] = list(self.codes)
        data["methods"] = sorted(self.methods)
        return data


def _codes(value: Any) -> tuple[int, ...]:
    if isinstance(value, str):
        return tuple(int(v) for v in value.replace("|", "+").split("+") if v.strip())
    return tuple(int(v) for v in value)


def _methods(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        if value.lower() in _METHOD_CLASSES:
            return _METHOD_CLASSES[value.lower()]
        items = [v.strip().upper() for v in value.replace("|", "+").split("+") if v.strip()]
    else:
        items = [str(v).upper() for v in value]
    out: set[str] = set()
    for item in items:
        out |= _METHOD_CLASSES.get(item.lower(), frozenset({item}))
    return frozenset(out)


@dataclass(frozen=True)
class Decision:
    """What happens to one request. At most one of the response faults is set."""

    latency: float = 0.0
    status: int | None = None  # an injected 429 or 5xx
    drop: bool = False  # close the connection before applying anything
    commit_drop: bool = False  # apply a write, then close the connection
    redirect: int = 0  # answer this 3xx to a write, applying nothing

    @property
    def label(self) -> str | None:
        if self.status is not None:
            return str(self.status)
        if self.drop:
            return "drop"
        if self.commit_drop:
            return "commit_drop"
        if self.redirect:
            return str(self.redirect)
        return None


NO_FAULT = Decision()


class FaultInjector:
    """Not thread-safe on its own: the sandbox calls `decide` under its lock."""

    def __init__(self, faults: Faults) -> None:
        self.configure(faults)

    def configure(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)
        self._burst_left = 0

    def decide(self, method: str) -> Decision:
        f = self.faults
        if not f.active or method not in f.methods:
            return NO_FAULT
        # Always draw six values, in this order, so decisions depend only on seed + sequence.
        r_jitter, r_burst, r_5xx, r_code, r_drop, r_commit = (self._rng.random() for _ in range(6))
        latency = max(0.0, f.latency + f.jitter * (2 * r_jitter - 1))
        if self._burst_left > 0:
            self._burst_left -= 1
            return Decision(latency, status=429)
        if r_burst < f.rate_429:
            self._burst_left = f.burst - 1
            return Decision(latency, status=429)
        if r_5xx < f.rate_5xx:
            return Decision(latency, status=f.codes[int(r_code * len(f.codes)) % len(f.codes)])
        if r_drop < f.drop:
            return Decision(latency, drop=True)
        if f.redirect and method in WRITE_METHODS:
            return Decision(latency, redirect=f.redirect)
        commit = method in WRITE_METHODS and r_commit < f.commit_drop
        return Decision(latency, commit_drop=commit)
