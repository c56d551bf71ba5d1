"""The plan as GitHub-flavoured Markdown: a pull-request comment, a drift issue, a job summary.

Layout, most important first: the title, the summary (counts per kind and action), the warnings
(what must be done by hand) before any change, then one collapsed `<details>` section per kind,
grouped into "Changes in this pull request" and "Drift already in Calendly" when changes carry an
origin (`plan --base`, `drift`), and last the unmanaged objects, collapsed.

Two properties shape this module:

- Everything user-controlled (names, keys, values, URLs, file names) is escaped. Values go in
  code spans, whose content GitHub shows literally (no HTML, no links, no @mentions); free text
  that mixes our words with user data (warnings, reasons) is entity- and backslash-escaped. So a
  `|`, `<` or backtick in an event type name cannot break the layout or inject HTML.
- The output never exceeds `limit` characters: GitHub refuses comments over 65,536, and a
  comment that is silently dropped is the worst outcome (Atlantis's most upvoted bug). When the
  whole plan does not fit, `_fit` drops detail in a fixed order and each drop says what is gone.

Pure and deterministic, like every renderer: the same plan gives the same bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial

from reconciler.impact import describe
from reconciler.plan import KIND_ORDER, Action, Change, Plan
from reconciler.render.text import SYMBOL, summary_line, value, verb

#: Said wherever something is left out to fit, so that no reader mistakes a cut for the plan.
FULL_PLAN = "run `calendly-reconciler plan` locally or download the plan artifact for the full plan"
GROUPS = {
    "change": ("Changes in this pull request", "Made by this pull request's configuration change."),
    "drift": (
        "Drift already in Calendly",
        "Calendly already differed from the configuration here: someone changed it outside "
        "this repository. Apply reverts these.",
    ),
}
ATTRIBUTION_SOURCES = {"activity_log": "activity log", "updated_at": "last update time"}

# Backslash-escapable Markdown punctuation that can start emphasis, code, links, tables,
# strikethrough or math inline; `<`, `>` and `&` become entities instead (HTML).
_INLINE = re.compile(r"([\\`*_\[\]|~$])")
# `@name` at a word start pings a GitHub user or team; emails (`a@b`) do not.
_MENTION = re.compile(r"(?<![\w@])@(?=\w)")
# What would make free text a heading, a list or a setext underline when it starts a line.
_BLOCK_START = re.compile(r"^(?:([#+=-])|(\d+)([.)]))")
_NEWLINES = re.compile(r"\s*[\r\n]+\s*")
_IDENTIFIER = re.compile(r"\w+")
_BACKTICKS = re.compile(r"`+")


def render(
    plan: Plan, *, color: bool = False, limit: int = 65_000, title: str = "Calendly plan"
) -> str:
    """The plan in Markdown, at most `limit` characters long. `color` is ignored."""
    parts = _parts(plan, title)
    return _clip(_document(parts, _fit(parts, limit)), limit)


# --- escaping -----------------------------------------------------------------------------


def code(text: str) -> str:
    """`text` as an inline code span that shows it literally, whatever it contains."""
    text = text.replace("\r", "\\r").replace("\n", "\\n")  # a code span cannot span blocks
    if not text:
        return "(empty)"
    longest = max(map(len, _BACKTICKS.findall(text)), default=0) if "`" in text else 0
    fence = "`" * (longest + 1)
    # A span that starts or ends with a backtick needs a space inside the fence; a span with a
    # space at both ends would lose them (CommonMark strips one each side), so it gets one more.
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def prose(text: str) -> str:
    """Free text with user data in it (a warning, a reason), safe to put inline in Markdown."""
    text = html.escape(_NEWLINES.sub(" ", text).strip(), quote=False)
    text = _INLINE.sub(r"\\\1", text)
    text = _BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)
    # A zero-width space after the @ keeps `@octocat` in an event type name from pinging.
    return _MENTION.sub("@\u200b", text)


# --- the parts of the document ------------------------------------------------------------


@dataclass(frozen=True)
class _Section:
    """One kind within one group: its changes pre-rendered with and without details."""

    group: str  # "change", "drift", or "" when the plan is not split
    kind: str
    changes: tuple[Change, ...]
    about: str  # "1 to create, 2 to update"
    full: tuple[str, ...]
    brief: tuple[str, ...]


@dataclass(frozen=True)
class _Parts:
    head: str  # title, organization, summary: never cut
    warnings: tuple[str, ...]
    groups: tuple[str, ...]
    sections: tuple[_Section, ...]
    unmanaged: Mapping[str, tuple[str, ...]]


@dataclass
class _Layout:
    """How much of each part is shown. `_fit` only ever moves it toward showing less."""

    details: list[bool]  # per section: field details and API calls shown
    shown: list[int]  # per section: how many of its changes are shown
    warnings: int  # how many warnings are shown
    unmanaged_keys: bool = True
    cut: bool = False

    def copy(self) -> _Layout:
        return replace(self, details=list(self.details), shown=list(self.shown))


def _parts(plan: Plan, title: str) -> _Parts:
    split = any(c.origin for c in plan.changes)
    if not split:
        groups: tuple[str, ...] = ("",) if plan.changes else ()
    elif all(c.origin == "drift" for c in plan.changes):
        groups = ("drift",)  # a drift report: there is no pull request to speak of
    else:
        groups = ("change", "drift")
    sections = []
    for group in groups:
        mine = [c for c in plan.changes if _group(c, split) == group]
        for kind in _kinds(c.kind for c in mine):
            changes = tuple(c for c in mine if c.kind == kind)
            items = [_item(c) for c in changes]
            counts = {a: sum(c.action == a for c in changes) for a in Action}
            sections.append(
                _Section(
                    group=group,
                    kind=kind,
                    changes=changes,
                    about=", ".join(f"{n} to {a}" for a, n in counts.items() if n),
                    full=tuple(full for _, full in items),
                    brief=tuple(brief for brief, _ in items),
                )
            )
    return _Parts(
        head=_head(plan, title, groups),
        warnings=tuple(plan.warnings),
        groups=groups,
        sections=tuple(sections),
        unmanaged=plan.unmanaged,
    )


def _group(change: Change, split: bool) -> str:
    if not split:
        return ""
    return "drift" if change.origin == "drift" else "change"  # no origin: made by the config


def _kinds(kinds: Iterable[str]) -> list[str]:
    """Kinds in plan order; kinds this renderer does not know yet come last, sorted."""
    present = set(kinds)
    return [k for k in KIND_ORDER if k in present] + sorted(present - set(KIND_ORDER))


def _head(plan: Plan, title: str, groups: tuple[str, ...]) -> str:
    lines = [f"### {prose(title)}", ""]
    if plan.organization:
        lines += [f"Organization: {code(plan.organization)}", ""]
    if plan.is_empty:
        lines.append("**No changes.** Calendly matches the configuration.")
        return "\n".join(lines)
    lines += [f"**{summary_line(plan)}**", "", *_table(plan.changes)]
    if "change" in groups:
        drift = sum(c.origin == "drift" for c in plan.changes)
        lines += [
            "",
            f"{_count(len(plan.changes) - drift, 'change')} in this pull request, "
            f"{_count(drift, 'change')} undoing drift already in Calendly.",
        ]
    return "\n".join(lines)


def _table(changes: tuple[Change, ...]) -> list[str]:
    counts: dict[str, dict[Action, int]] = {}
    for change in changes:
        row = counts.setdefault(change.kind, dict.fromkeys(Action, 0))
        row[change.action] += 1
    totals = {a: sum(row[a] for row in counts.values()) for a in Action}
    lines = [
        "| Kind | " + " | ".join(a.capitalize() for a in Action) + " | Total |",
        "| :-- |" + " --: |" * (len(Action) + 1),
    ]
    for kind in _kinds(counts):
        row = counts[kind]
        cells = [str(row[a]) for a in Action] + [str(sum(row.values()))]
        lines.append(f"| {_kind(kind)} | " + " | ".join(cells) + " |")
    cells = [f"**{totals[a]}**" for a in Action] + [f"**{len(changes)}**"]
    lines.append("| **Total** | " + " | ".join(cells) + " |")
    return lines


def _item(change: Change) -> tuple[str, str]:
    """One change as a list item, briefly and with the field changes and API calls."""
    where = f" · {code(f'{change.source.file}:{change.source.line}')}" if change.source else ""
    lines = [f"- {code(SYMBOL[change.action])} {code(change.key)} {verb(change)}{where}"]
    if change.reason:
        lines.append(f"  - _{prose(change.reason)}_")
    if change.origin == "drift" or change.attribution:  # `drift` sets no origin, only who/when
        lines.append(f"  - {_attribution(change.attribution)}")
    bookings = describe(change)
    if bookings:
        lines.append(f"  - **Bookings:** {prose(bookings)}")
    brief = "\n".join(lines)
    details = [f"  - {row}" for row in _fields(change)]
    details += [f"  - API call: {code(r.display())}" for r in change.requests]
    return brief, "\n".join([brief, *details])


def _fields(change: Change) -> list[str]:
    kind = change.kind
    if change.action == Action.CREATE or (change.action == Action.UPDATE and not change.before):
        # Everything is new: the values alone (one level of nesting, as the text plan shows).
        rows = []
        for name, item in change.after.items():
            nested = item.items() if isinstance(item, Mapping) else [(None, item)]
            for sub, data in nested:
                path = name if sub is None else f"{name}.{sub}"
                rows.append(f"{code(path)}: {code(value(data, kind, path))}")
        return rows
    return [
        f"{code(f.path)}: {code(value(f.old, kind, f.path))} → {code(value(f.new, kind, f.path))}"
        for f in change.fields
    ]


def _attribution(data: Mapping[str, str] | None) -> str:
    """Who changed a drifted object and when, as far as the API tells."""
    data = data or {}
    by, at, source = data.get("by"), data.get("at"), data.get("source")
    text = "changed in Calendly"
    text += f" by {code(by)}" if by else ""
    text += f" at {code(at)}" if at else ""
    if source:
        text += f" ({prose(ATTRIBUTION_SOURCES.get(source, source))})"
    if not by:
        text += "; who made the change is not known"
    return text


# --- assembling, and cutting to size ------------------------------------------------------


def _document(parts: _Parts, layout: _Layout) -> str:
    blocks = [parts.head]
    if layout.cut:
        blocks.append(
            "> [!NOTE]\n> This plan is too long for one comment, so some of it is left out; "
            f"each part left out is named where it would be. To see everything, {FULL_PLAN}."
        )
    if parts.warnings:
        blocks.append(_warnings(parts.warnings, layout.warnings))
    for group in parts.groups:
        if group:
            heading, about = GROUPS[group]
            blocks += [f"#### {heading}", about]
        else:
            blocks.append("#### Changes")
        indexed = [(i, s) for i, s in enumerate(parts.sections) if s.group == group]
        blocks += [_section(s, layout.details[i], layout.shown[i]) for i, s in indexed]
        if not indexed:
            blocks.append("None.")
    if parts.unmanaged:
        blocks.append(_unmanaged(parts.unmanaged, layout.unmanaged_keys))
    return "\n\n".join(blocks) + "\n"


def _warnings(warnings: tuple[str, ...], shown: int) -> str:
    lines = ["#### Warnings", "", "Read these before applying:", ""]
    lines += [f"- {prose(w)}" for w in warnings[:shown]]
    if shown < len(warnings):
        more = f"{len(warnings) - shown} more {_noun(len(warnings) - shown, 'warning')}"
        lines.append(f"- … {more} not shown; {FULL_PLAN}.")
    return "\n".join(lines)


def _section(section: _Section, details: bool, shown: int) -> str:
    kind, total = _kind(section.kind), len(section.changes)
    if shown == 0:
        return f"… {_count(total, 'change')} to {kind} not shown; {FULL_PLAN}."
    items = (section.full if details else section.brief)[:shown]
    lines = [
        f"<details><summary><b>{kind}</b>: {section.about}</summary>",
        "",
        *items,
        "",
        "</details>",
    ]
    if not details:
        lines += ["", f"Field details and API calls of {kind} changes not shown."]
    if shown < total:
        more = f"{total - shown} more {_noun(total - shown, 'change')}"
        lines += ["", f"… {more} to {kind} not shown; {FULL_PLAN}."]
    return "\n".join(lines)


def _unmanaged(unmanaged: Mapping[str, tuple[str, ...]], keys: bool) -> str:
    total = sum(len(v) for v in unmanaged.values())
    about = f"Unmanaged: {_count(total, 'object')} in Calendly not in the configuration, left alone"
    if not keys:
        counts = ", ".join(f"{_kind(kind)}: {len(v)}" for kind, v in unmanaged.items())
        return f"{about} ({counts}); their names are not shown; {FULL_PLAN}."
    lines = [f"<details><summary>{html.escape(about)}</summary>", ""]
    lines += [
        f"- {_kind(kind)} ({len(v)}): " + ", ".join(code(k) for k in v)
        for kind, v in unmanaged.items()
    ]
    return "\n".join([*lines, "", "</details>"])


def _fit(parts: _Parts, limit: int) -> _Layout:
    """The most detailed layout whose document fits in `limit`.

    Detail goes in this order, stopping as soon as the document fits:
    1. the names of unmanaged objects (their counts stay);
    2. field details and API calls, section by section, largest first;
    3. changes at the end of the sections: each section keeps its first `cap` changes, with
       `cap` as large as fits, so the largest sections are cut and the small ones stay whole
       (a section left with none becomes a one-line count);
    4. warnings at the end, as the last resort: only when they alone do not fit.
    Steps 2 and 3 are done for drift first, then for the pull request's own changes, which
    reviewers are there for. The head (title and summary) is never cut.
    """
    sections = parts.sections
    layout = _Layout(
        details=[True] * len(sections),
        shown=[len(s.changes) for s in sections],
        warnings=len(parts.warnings),
    )

    def fits(candidate: _Layout) -> bool:
        return size(_document(parts, candidate)) <= limit

    if fits(layout):
        return layout
    layout.cut = True
    layout.unmanaged_keys = False
    if fits(layout):
        return layout
    largest_first = sorted(
        range(len(sections)), key=lambda i: (-sum(map(len, sections[i].full)), i)
    )
    drift = [i for i in largest_first if sections[i].group == "drift"]
    own = [i for i in largest_first if sections[i].group != "drift"]
    for tier in (drift, own):
        for i in tier:
            layout.details[i] = False
            if fits(layout):
                return layout
        if tier:
            # It does not fit with every change shown (else we had returned): search below.
            high = max(layout.shown[i] for i in tier) - 1
            layout = _capped(layout, tier, _most(high, partial(_fits_capped, fits, layout, tier)))
            if fits(layout):
                return layout
    layout.warnings = _most(len(parts.warnings) - 1, lambda n: fits(replace(layout, warnings=n)))
    return layout


def _most(high: int, fits_with: Callable[[int], bool]) -> int:
    """The largest n in [0, high] that fits, or 0 (the caller checks that 0 fits)."""
    low = 0
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits_with(middle) else (low, middle - 1)
    return low


def _capped(layout: _Layout, sections: list[int], cap: int) -> _Layout:
    changed = layout.copy()
    for i in sections:
        changed.shown[i] = min(changed.shown[i], cap)
    return changed


def _fits_capped(
    fits: Callable[[_Layout], bool], layout: _Layout, sections: list[int], cap: int
) -> bool:
    return fits(_capped(layout, sections, cap))


def size(text: str) -> int:
    """Length as GitHub counts it (UTF-16 code units): never less than `len(text)`."""
    return len(text.encode("utf-16-le")) // 2


def _clip(text: str, limit: int) -> str:
    """The last guard, for a limit too small even for the summary: a truncated document."""
    if size(text) <= limit:
        return text
    marker = "\n…\n"
    keep = limit - len(marker)
    if keep < 0:
        return ""
    text = text[:keep]
    while size(text) > keep:  # characters outside the BMP count twice
        text = text[:-1]
    return text + marker


def _kind(kind: str) -> str:
    """A kind's name: ours are identifiers (shown as they are), anything else is escaped."""
    return kind if _IDENTIFIER.fullmatch(kind) else prose(kind)


def _count(n: int, noun: str) -> str:
    return f"{n} {_noun(n, noun)}"


def _noun(n: int, noun: str) -> str:
    return noun if n == 1 else f"{noun}s"
