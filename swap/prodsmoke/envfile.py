"""The environment file template (deploy/swap.env.template): read it, and fill it in for one machine.

The template lists every setting as `NAME=value` (set for production) or `#NAME=value` (left at its
default, or set elsewhere). Filling it in refuses any name the template does not list, so a run
that needs a new setting fails until the template documents it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = REPO_ROOT / "deploy" / "swap.env.template"
_LINE = re.compile(r"^(?P<commented>#)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


@dataclass(frozen=True)
class Entry:
    name: str
    value: str
    commented: bool


class TemplateError(ValueError):
    """The template is malformed, or a run set a name the template does not list."""


def entries(text: str) -> list[Entry]:
    """Every `NAME=value` and `#NAME=value` line, in order; a name listed twice is an error."""
    found: list[Entry] = []
    seen: set[str] = set()
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if match is None:
            continue
        name = match["name"]
        if name in seen:
            raise TemplateError(f"{name} is listed twice in the environment template")
        seen.add(name)
        found.append(Entry(name, match["value"], match["commented"] is not None))
    return found


def read_template(path: Path = TEMPLATE) -> list[Entry]:
    return entries(path.read_text())


def fill_in(template: list[Entry], values: Mapping[str, str]) -> dict[str, str]:
    """The template's set values with `values` over them (a commented name is set by giving it)."""
    listed = {entry.name for entry in template}
    unknown = sorted(set(values) - listed)
    if unknown:
        raise TemplateError(f"not in deploy/swap.env.template: {', '.join(unknown)}")
    filled = {entry.name: entry.value for entry in template if not entry.commented}
    filled.update(values)
    return filled


def write_env_file(path: Path, values: Mapping[str, str]) -> None:
    """An EnvironmentFile= for systemd (and for this run): one NAME=value per line, mode 0600."""
    for name, value in values.items():
        if "\n" in value:
            raise TemplateError(f"{name} holds a newline")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text("".join(f"{name}={value}\n" for name, value in values.items()))


def read_env_file(path: Path) -> dict[str, str]:
    """What systemd's EnvironmentFile= reads from our files: NAME=value lines, # comments, no quoting."""
    values = {}
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and "=" in stripped:
            name, _, value = stripped.partition("=")
            values[name.strip()] = value.strip()
    return values
