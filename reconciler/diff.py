"""diff: desired config + live state → Plan. The only module that uses deepdiff.

For each kind, in plan order: match desired to live (a `uuid` pin first, then the identity key),
compare the declared fields only (a field the config leaves out is unmanaged), and let the kind
turn each difference into changes or warnings. Live objects that nothing declares are pruned
when the policy says so, or listed as unmanaged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from deepdiff import DeepDiff

from reconciler import owners
from reconciler.config.model import Config
from reconciler.kinds import KINDS, DiffEnv, Kind, PlanError
from reconciler.kinds import event_type as event_type_kind
from reconciler.model import Desired, Live, LiveState, uri_id
from reconciler.plan import Change, FieldChange, Plan

Path = tuple[str, ...]


def diff(config: Config, live: LiveState, *, today: dt.date) -> Plan:
    config = owners.expand(config, live.membership)
    env = DiffEnv(ctx=live.context, policy=config.policy, today=today, claims=config.claims)
    env.warnings.extend(config.expansion_warnings)
    desired = {name: kind.desired(config, env) for name, kind in KINDS.items()}
    unmanaged: dict[str, list[str]] = {}
    by_uri: dict[tuple[str, str], Live] = {}
    for name, kind in KINDS.items():
        live_objects = live.objects.get(name, ())
        by_uri.update(((name, obj.uri), obj) for obj in live_objects)
        leftovers = _diff_kind(kind, desired[name], live_objects, env)
        unmanaged[name] = [obj.key for obj in leftovers if not kind.delete(obj, env)]
    if env.problems:
        raise PlanError(sorted(env.problems))
    changes = [_fingerprinted(c, by_uri) for c in env.changes]
    return Plan.build(
        changes,
        warnings=env.warnings,
        unmanaged={k: v for k, v in unmanaged.items() if k != "availability"},
        organization=live.context.organization,
    )


def _diff_kind(
    kind: Kind, desired: Sequence[Desired], live: Sequence[Live], env: DiffEnv
) -> list[Live]:
    """Diff one kind; return the live objects that nothing declares."""
    pairs, missing, leftovers = match(desired, live, env)
    for want in missing:
        kind.create(want, env)
    for want, have in pairs:
        if want.kind == event_type_kind.NAME:
            env.event_type_uris[want.key] = have.uri
            if not event_type_kind.is_solo(have):
                env.readonly_event_types.add(want.key)
        aligned = kind.align(want, have)
        current = {k: have.spec[k] for k in aligned if k in have.spec}
        kind.update(want, have, field_changes(current, aligned), env)
    return leftovers


def match(
    desired: Sequence[Desired], live: Sequence[Live], env: DiffEnv
) -> tuple[list[tuple[Desired, Live]], list[Desired], list[Live]]:
    """Pair desired with live objects: by `uuid` pin, else by key; ambiguity is a problem."""
    by_id = {uri_id(obj.uri): obj for obj in live}
    by_key: dict[str, list[Live]] = {}
    for obj in live:
        by_key.setdefault(obj.key, []).append(obj)
    pinned = {d.pin for d in desired if d.pin}
    taken: set[str] = set()
    pairs, missing = [], []
    for want in desired:
        if want.pin:
            have = by_id.get(want.pin)
            if have is None:
                env.problems.append(
                    f"{want.kind} {want.key}: uuid {want.pin} ({want.source}) is not in the "
                    "organization"
                )
                continue
        else:
            candidates = [c for c in by_key.get(want.key, []) if uri_id(c.uri) not in pinned]
            if len(candidates) > 1:
                ids = ", ".join(sorted(uri_id(c.uri) for c in candidates))
                env.problems.append(
                    f"{want.kind} {want.key} ({want.source}): {len(candidates)} live objects "
                    f"match ({ids}); add `uuid:` to say which one the config means"
                )
                taken.update(uri_id(c.uri) for c in candidates)
                continue
            if not candidates:
                missing.append(want)
                continue
            have = candidates[0]
        taken.add(uri_id(have.uri))
        pairs.append((want, have))
    leftovers = [obj for obj in live if uri_id(obj.uri) not in taken]
    return pairs, missing, leftovers


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Field-level differences, ordered as `new` declares its fields.

    A field whose value is a mapping on both sides (availability `rules`) is compared one level
    deeper, so that a plan says `rules.monday` rather than repeating the whole week.
    """
    paths: set[tuple[str, ...]] = set()
    for name in new.keys() | old.keys():
        paths.update(_changed_paths(old, new, name))
    order = {name: i for i, name in enumerate([*new, *old])}
    return tuple(
        FieldChange(".".join(path), _lookup(old, path), _lookup(new, path))
        for path in sorted(
            paths, key=lambda p: (order.get(p[0], len(order)), _nested_order(new, old, p))
        )
    )


def _changed_paths(old: Mapping[str, Any], new: Mapping[str, Any], name: str) -> set[Path]:
    """The paths under field `name` that differ, cut to one level below a mapping field.

    Plain JSON values (what specs hold) are compared here, fast (DeepDiff costs about 0.5 ms
    an object, seconds for a big org); anything else goes to DeepDiff. Both give the same paths:
    tests/perf/test_diff_speed.py checks it against DeepDiff of the whole spec.
    """
    if name not in old or name not in new:
        return {(str(name),)}
    before, after = old[name], new[name]
    if not (_plain(before) and _plain(after)):
        return _deepdiff_paths({name: before}, {name: after})
    if identical(before, after):
        return set()
    if type(before) is dict and type(after) is dict:
        keys = after.keys() | before.keys()
        if len(keys) > 1 and len(after.keys() & before.keys()) / len(keys) < _LUMP_BELOW:
            return {(str(name),)}
        return {
            (str(name), str(key))
            for key in keys
            if key not in before or key not in after or not identical(before[key], after[key])
        }
    return {(str(name),)}


def _deepdiff_paths(old: Mapping[str, Any], new: Mapping[str, Any]) -> set[Path]:
    found = DeepDiff(dict(old), dict(new), view="tree", verbose_level=2)
    paths: set[Path] = set()
    for items in found.values():
        for item in items:
            path = [str(p) for p in item.path(output_format="list")]
            nested = isinstance(old.get(path[0]), Mapping) and isinstance(new.get(path[0]), Mapping)
            paths.add(tuple(path[:2] if nested and len(path) > 1 else path[:1]))
    return paths


_SCALARS = (str, int, float, bool, type(None))
#: DeepDiff (>= 8) reports two mappings that share fewer than this share of their keys as one
#: changed value (its `threshold_to_diff_deeper`): `rules` then shows as a whole, as before.
_LUMP_BELOW = 0.33


def _plain(value: Any) -> bool:
    """Made of dict (str keys), list, str, int, float, bool and None only: JSON data."""
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if kind is list:
        return all(_plain(v) for v in value)
    return kind in _SCALARS


def identical(a: Any, b: Any) -> bool:
    """Whether DeepDiff finds no difference between two plain values.

    Its rules: values of different types differ (1 and 1.0, True and 1), except as items of
    lists of scalars only, which are compared as wholes with == (DeepDiff diffs them with
    difflib); other lists are compared item by item; order always matters.
    """
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return a.keys() == b.keys() and all(identical(v, b[k]) for k, v in a.items())
    if type(a) is list:
        if _scalars(a) and _scalars(b):
            return bool(a == b)
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _scalars(items: list[Any]) -> bool:
    return all(type(item) in _SCALARS for item in items)


def _nested_order(new: Mapping[str, Any], old: Mapping[str, Any], path: tuple[str, ...]) -> int:
    if len(path) < 2:
        return 0
    keys = [*(new.get(path[0]) or {}), *(old.get(path[0]) or {})]
    return keys.index(path[1]) if path[1] in keys else len(keys)


def _lookup(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


#: Fields that name other objects by email or group name: a re-read of one object cannot
#: resolve them (it has no member list), and the object's own updated_at covers them.
CONTEXT_FIELDS = frozenset({"owner", "user", "group"})


def fingerprint(live: Live) -> str:
    """What the change was computed from: apply refuses a saved plan if this moved."""
    spec = {k: v for k, v in live.spec.items() if k not in CONTEXT_FIELDS}
    data = {"uri": live.uri, "spec": spec, "updated_at": live.meta.get("updated_at")}
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _fingerprinted(change: Change, by_uri: Mapping[tuple[str, str], Live]) -> Change:
    live = by_uri.get((change.kind, change.uri or ""))
    return replace(change, fingerprint=fingerprint(live)) if live else change
