"""Hostile names cannot break the Markdown plan's layout or inject HTML, links or mentions."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.config.model import Source
from reconciler.model import Request
from reconciler.plan import Action, Change, FieldChange, Plan
from reconciler.render import markdown
from reconciler.render.markdown import code, prose

HERE = Path(__file__).parent / "golden"
HOSTILE = (
    "Call | <script>alert(1)</script> `rm -rf` **b** [x](https://evil.example) @octocat "
    "$x$ ~~s~~ &amp;\n# heading"
)
KEY = f"alice@acme.example/{HOSTILE}"
ALLOWED_TAGS = re.compile(r"</?(details|summary|b)>")


def hostile_plan() -> Plan:
    create = Change(
        kind="event_type",
        action=Action.CREATE,
        key=KEY,
        before={},
        after={"name": HOSTILE, "description": "</details><img src=x onerror=alert(1)>"},
        source=Source("config/`odd`|dir/a.yaml", 3, 5),
        requests=(Request("POST", "/event_types", body={"name": HOSTILE}),),
        origin="change",
    )
    drifted = Change(
        kind="webhook",
        action=Action.REPLACE,
        key=f"organization https://x.example/?a=1|2&b=<i>{HOSTILE}",
        before={"events": ["invitee.created"]},
        after={"events": ["``"]},
        fields=(FieldChange("events", ["invitee.created"], ["``"]),),
        reason=f"events changed by | <b>{HOSTILE}</b>",
        requests=(Request("DELETE", "/webhook_subscriptions/W1"),),
        origin="drift",
        attribution={"by": "<b>mallory</b> @octocat", "at": "`now`", "source": "activity_log"},
    )
    return Plan.build(
        [create, drifted],
        warnings=[f"event_type {KEY}: will be created inactive"],
        unmanaged={"event_type": [KEY, "bob@acme.example/`tick"]},
    )


def outside_code(line: str) -> str:
    """The line with backslash escapes and code spans removed, as CommonMark reads it.

    An unmatched backtick run is kept: it would be shown literally, which is the layout bug
    this test looks for.
    """
    out, i = [], 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            i += 2
            continue
        if line[i] == "`":
            run = re.match(r"`+", line[i:])
            assert run is not None
            fence = run.group()
            close = re.compile(rf"(?<!`){fence}(?!`)")
            end = close.search(line, i + len(fence))
            if end is not None:
                i = end.end()
                continue
            out.append(fence)
            i += len(fence)
            continue
        out.append(line[i])
        i += 1
    return "".join(out)


def test_hostile_plan(golden: Callable[[Any, str], None]) -> None:
    text = markdown.render(hostile_plan())
    golden(HERE / "hostile.md", text)
    lines = text.splitlines()
    for line in lines:
        bare = ALLOWED_TAGS.sub("", outside_code(line))
        assert "`" not in bare, line  # every code span is closed
        assert "<" not in bare, line  # no HTML but our own tags
        assert not re.search(r"(?<![\w\u200b])@\w", bare), line  # no @mention
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 5  # header, alignment, event_type, webhook, total
    assert all(outside_code(line).count("|") == 7 for line in table)
    assert lines.count("</details>") == 3
    assert sum(line.startswith("<details><summary>") for line in lines) == 3
    assert not any(line.startswith("# ") for line in lines)


def test_hostile_item_lines() -> None:
    text = markdown.render(hostile_plan())
    assert (
        "- `+` ``alice@acme.example/Call | <script>alert(1)</script> `rm -rf` **b** "
        "[x](https://evil.example) @octocat $x$ ~~s~~ &amp;\\n# heading`` will be created"
        " · ``config/`odd`|dir/a.yaml:3``\n"
        '  - `name`: ``"Call | <script>alert(1)</script> `rm -rf` **b** '
        '[x](https://evil.example) @octocat $x$ ~~s~~ &amp;\\n# heading"``\n'
        '  - `description`: `"</details><img src=x onerror=alert(1)>"`\n'
    ) in text
    assert (
        "- event\\_type alice@acme.example/Call \\| &lt;script&gt;alert(1)&lt;/script&gt; "
        "\\`rm -rf\\` \\*\\*b\\*\\* \\[x\\](https://evil.example) @\u200boctocat \\$x\\$ "
        "\\~\\~s\\~\\~ &amp;amp; # heading: will be created inactive\n"
    ) in text
    assert (
        "  - changed in Calendly by `<b>mallory</b> @octocat` at `` `now` `` (activity log)\n"
    ) in text
    assert '  - `events`: `["invitee.created"]` → ```["``"]```\n' in text
    assert "- event_type (2): ``alice@acme.example/Call | <script>" in text
    assert ", ``bob@acme.example/`tick``\n" in text


def test_title_is_escaped() -> None:
    text = markdown.render(Plan.build([]), title="<b>x</b> | `y`")
    assert text.startswith("### &lt;b&gt;x&lt;/b&gt; \\| \\`y\\`\n")


@pytest.mark.parametrize(
    ("raw", "span"),
    [
        ("a", "`a`"),
        ("a`b", "``a`b``"),
        ("`a", "`` `a ``"),
        ("a``b`", "``` a``b` ```"),
        (" a ", "`  a  `"),
        ("x\ny\r", "`x\\ny\\r`"),
        ("", "(empty)"),
    ],
)
def test_code_spans(raw: str, span: str) -> None:
    assert code(raw) == span


def test_prose() -> None:
    assert prose("a|b<c>&d`e*f_g[h]i~j$k\\l") == (
        "a\\|b&lt;c&gt;&amp;d\\`e\\*f\\_g\\[h\\]i\\~j\\$k\\\\l"
    )
    assert prose("hi @octocat, @org/team and a@b.example") == (
        "hi @\u200boctocat, @\u200borg/team and a@b.example"
    )
    assert prose("line one\n\n  line two\r\n") == "line one line two"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("=====", "\\====="),
        ("12. item", "12\\. item"),
        ("3) item", "3\\) item"),
        ("    indented code", "indented code"),
        ("> quote", "&gt; quote"),
        ("\\`@octocat", "\\\\\\`@\u200boctocat"),
        ("in a # middle - 1. fine", "in a # middle - 1. fine"),
    ],
)
def test_prose_cannot_start_a_block(raw: str, escaped: str) -> None:
    assert prose(raw) == escaped
