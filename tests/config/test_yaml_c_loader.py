"""libyaml's composer (when PyYAML has it) and the pure-Python one give the same Document.

Same data, same line/column of every key and value, same problems and messages: on valid
configs, on the fuzz corpus's mutations, and on text libyaml refuses (which is parsed again by the
pure-Python loader for its exact message).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from reconciler.config import yaml_loader
from reconciler.config.yaml_loader import parse
from tests.config.test_config_fuzz import mutated_configs

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted(
    [*ROOT.glob("tests/config/data/**/*.y*ml"), *ROOT.glob("examples/**/*.y*ml")], key=str
)
SNIPPETS = [
    'é: 1\nnom: "déjà vu"\nx: [ü, {ß: 2}]\n',  # columns count characters, not bytes
    "a: &x {b: 1}\nc: *x\nd:\n  <<: *x\n  e: 2\n",
    "a: 1\na: 2\n",
    "- 1\n- 2\n",
    "a: 1\n---\nb: 2\n",
    "a: &x 1\nb: &x 2\n",
    "a: b: c\n",
    "a:\n\t- 1\n",
    "a: !!int x\nb: !!bool maybe\nc: !foo 1\n",
    "x: \x07\n",
    "a: [1, 2\n",
    "color: #0069ff\nb:   # note\nc: # x y\n",
    "",
    "# only a comment\n",
]

needs_libyaml = pytest.mark.skipif(
    yaml_loader.CParser is None, reason="PyYAML was built without libyaml"
)


def _both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    fast = _flat(*parse(text, "f.yaml"))
    with monkeypatch.context() as patch:
        patch.setattr(yaml_loader, "_CLoader", None)
        slow = _flat(*parse(text, "f.yaml"))
    return fast, slow


def _flat(document: Any, problems: list[Any]) -> Any:
    if document is None:
        return None, problems
    return document.data, document.values, document.keys, document.bad, document.commented, problems


@needs_libyaml
def test_valid_documents_are_composed_by_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> None:
        raise AssertionError("the pure-Python loader ran on a valid document")

    monkeypatch.setattr(yaml_loader, "ConfigLoader", refuse)
    document, problems = parse("a: &x {b: 1}\nc: *x\n", "f.yaml")
    assert problems == []
    assert document is not None and document.data == {"a": {"b": 1}, "c": {"b": 1}}


@needs_libyaml
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_document_on_the_corpus(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = _both(path.read_text(encoding="utf-8"), monkeypatch)
    assert fast == slow


@needs_libyaml
@pytest.mark.parametrize("text", SNIPPETS)
def test_same_document_on_snippets(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = _both(text, monkeypatch)
    assert fast == slow


@needs_libyaml
@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(mutated_configs())
def test_same_document_on_mutated_configs(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, slow = _both(text, monkeypatch)
    assert fast == slow


def test_without_libyaml_the_pure_python_loader_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_loader, "_CLoader", None)
    document, problems = parse("on: 09:00\nn: 0x1f\n", "f.yaml")
    assert problems == []
    assert document is not None and document.data == {"on": "09:00", "n": 31}
    assert yaml.__with_libyaml__ in (True, False)
