"""Reading the example workflows as GitHub does, and the CLI invocations inside them."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parent.parent.parent
WORKFLOWS = ROOT / "examples" / "github-actions"


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML reads YAML 1.1, where `on:` is the boolean true; GitHub reads it as a string."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf")
)


def load(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=Yaml12Loader)
    assert isinstance(data, dict)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def step(workflow: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [s for s in steps(workflow) if s.get("name") == name]
    return found


def invocations(script: str) -> list[list[str]]:
    """Every `calendly-reconciler …` command line in a shell script, as argument lists."""
    joined = script.replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        while "calendly-reconciler" in words:
            words = words[words.index("calendly-reconciler") + 1 :]
            end = next((i for i, w in enumerate(words) if w in {">", "||", "&&", ";"}), None)
            found.append(words[:end])
    return found
