"""The YAML text writer: every string reads back as itself through the config's own loader."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.config.yaml_loader import parse
from reconciler.export.yamltext import commented, flow_list, mapping_lines, scalar


def load(text: str) -> object:
    document, problems = parse(text, "t.yaml")
    assert problems == [] and document is not None, (text, problems)
    return document.data


TRICKY = [
    "Intro Call",
    "on",
    "No",
    "~",
    "null",
    "1e3",
    "0x1F",
    "0o17",
    "1_000",
    "1:30",
    ".5",
    "2026-12-24",
    "a: b",
    "a #b",
    "a:",
    "#x",
    "- x",
    "[x]",
    "{x}",
    "x, y",
    "'quoted'",
    '"dq"',
    "back\\slash",
    " leading",
    "trailing ",
    "two\nlines",
    "tab\there",
    "nbsp\xa0x",
    "nel\x85x",
    "line\u2028sep",
    "bom\ufeff",
    "del\x7f",
    "Chloé Martin",
    "会议 🎉",
    "",
]


def test_tricky_strings_read_back_in_block_and_flow_context() -> None:
    for text in TRICKY:
        assert load(f"k: {scalar(text)}\n") == {"k": text}, text
        assert load(f"k: {flow_list([text, 'x'])}\n") == {"k": [text, "x"]}, text
        assert load("\n".join(mapping_lines({"k": text}, "")) + "\n") == {"k": text}, text
        # YAML 1.1 (PyYAML's own resolver, and many editors) reads the same strings.
        assert yaml.safe_load(f"k: {scalar(text)}\n") == {"k": text}, text


def test_plain_only_when_unambiguous() -> None:
    assert scalar("Intro Call") == "Intro Call"
    assert scalar("https://a.example/x?y=1#z") == "https://a.example/x?y=1#z"
    assert scalar("https://a.example/x", flow=True) == '"https://a.example/x"'
    assert scalar("on") == '"on"'
    assert scalar("09:00-17:00", flow=True) == '"09:00-17:00"'
    assert scalar(True) == "true" and scalar(30) == "30"


def test_multi_line_text_is_a_literal_block_when_exact() -> None:
    lines = mapping_lines({"description": "First line.\n\n  indented: yes\nlast"}, "    ")
    assert lines == [
        "    description: |-",
        "      First line.",
        "",
        "        indented: yes",
        "      last",
    ]
    assert mapping_lines({"d": "trailing \nspace"}, "") == ['d: "trailing \\nspace"']


def test_commented_lines_uncomment_to_the_same_yaml() -> None:
    lines = ["  - name: x", "    owner: y", "", "    rules:", "      - a"]
    assert commented(lines) == [
        "  # - name: x",
        "  #   owner: y",
        "",
        "  #   rules:",
        "  #     - a",
    ]
    back = [line.replace("# ", "", 1) for line in commented(lines)]
    assert back == lines


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40))
def test_any_string_reads_back(text: str) -> None:
    assert load("\n".join(mapping_lines({"k": text}, "")) + "\n") == {"k": text}
    assert load(f"k: {flow_list([text])}\n") == {"k": [text]}
    assert yaml.safe_load(f"k: {flow_list([text])}\n") == {"k": [text]}
