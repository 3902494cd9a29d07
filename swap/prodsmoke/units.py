"""Read a systemd unit of deploy/systemd/ and turn it into the command lines and environment systemd
would run, moved onto this machine's paths.

Only what decides what runs is read: `WorkingDirectory=`, `Environment=`, `EnvironmentFile=`
(a leading `-` makes it optional; files override `Environment=`, as in systemd), `LoadCredential=`,
`StateDirectory=`, `RuntimeDirectory=`,
`ExecStartPre=` and `ExecStart=`. The specifiers `%H` (host name), `%N` (unit name), `%d` (the
credentials directory) and `%%` are expanded, then `${NAME}` (one word) and `$NAME` (split on
white space) from the unit's environment, as systemd does. Sandboxing, `User=` and restart policy
are left to systemd. Paths under the production prefixes (`/opt/swap`, `/etc/swap`, ...) are moved
by `relocate` so the same unit runs from a checkout.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from swap.prodsmoke.envfile import read_env_file

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_WHOLE_WORD_VARIABLE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")


class UnitError(ValueError):
    """The unit uses something this reader does not understand, or names an unknown variable."""


@dataclass
class Unit:
    """What one `[Service]` section says to run."""

    name: str  # e.g. "swap-web" (systemd's %N)
    working_directory: str = ""
    environment: list[tuple[str, str]] = field(default_factory=list)
    environment_files: list[tuple[str, bool]] = field(default_factory=list)  # (path, optional)
    credentials: list[tuple[str, str]] = field(default_factory=list)  # (name, source path)
    state_directories: list[str] = field(default_factory=list)  # below /var/lib, made by systemd
    runtime_directories: list[str] = field(default_factory=list)  # below /run, made empty at each start
    exec_start_pre: list[str] = field(default_factory=list)
    exec_start: str = ""


def parse_unit(path: Path) -> Unit:
    """The `[Service]` settings of the unit file at `path` that decide what runs."""
    unit = Unit(name=path.name.removesuffix(".service"))
    section = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        if section != "Service" or "=" not in line:
            continue
        key, _, value = line.partition("=")
        if key == "WorkingDirectory":
            unit.working_directory = value
        elif key == "Environment":
            for assignment in shlex.split(value):
                name, _, text = assignment.partition("=")
                unit.environment.append((name, text))
        elif key == "EnvironmentFile":
            unit.environment_files.append((value.removeprefix("-"), value.startswith("-")))
        elif key == "LoadCredential":
            name, _, source = value.partition(":")
            unit.credentials.append((name, source))
        elif key == "StateDirectory":
            unit.state_directories.extend(value.split())
        elif key == "RuntimeDirectory":
            unit.runtime_directories.extend(value.split())
        elif key == "ExecStartPre":
            unit.exec_start_pre.append(value)
        elif key == "ExecStart":
            unit.exec_start = value
    if not unit.exec_start:
        raise UnitError(f"{path.name} has no ExecStart=")
    return unit


@dataclass(frozen=True)
class Placement:
    """Where this machine keeps what production keeps under fixed paths."""

    prefixes: Mapping[str, str]  # production prefix -> local directory
    hostname: str
    credentials_root: Path  # each unit's credentials go into a directory of its own below it

    def relocate(self, text: str) -> str:
        for prefix, local in sorted(self.prefixes.items(), key=lambda item: -len(item[0])):
            if text == prefix or text.startswith(prefix + "/"):
                return local + text[len(prefix):]
        return text

    def credentials_directory(self, unit: Unit) -> Path:
        return self.credentials_root / unit.name


def expand_specifiers(text: str, unit: Unit, placement: Placement) -> str:
    values = {"H": placement.hostname, "N": unit.name, "d": str(placement.credentials_directory(unit)), "%": "%"}

    def replace(match: re.Match[str]) -> str:
        letter = match.group(1)
        if letter not in values:
            raise UnitError(f"{unit.name}: specifier %{letter} is not supported here")
        return values[letter]

    return re.sub(r"%(.)", replace, text)


def unit_environment(unit: Unit, placement: Placement, base: Mapping[str, str]) -> dict[str, str]:
    """`base` (what systemd gives every service), then `Environment=`, then each `EnvironmentFile=`."""
    environ = dict(base)
    environ["CREDENTIALS_DIRECTORY"] = str(placement.credentials_directory(unit))
    if unit.runtime_directories:
        environ["RUNTIME_DIRECTORY"] = ":".join(placement.relocate(f"/run/{name}") for name in unit.runtime_directories)
    if unit.state_directories:
        environ["STATE_DIRECTORY"] = ":".join(placement.relocate(f"/var/lib/{name}") for name in unit.state_directories)
    for name, value in unit.environment:
        environ[name] = placement.relocate(expand_specifiers(value, unit, placement))
    for path_text, optional in unit.environment_files:
        path = Path(placement.relocate(expand_specifiers(path_text, unit, placement)))
        if not path.exists():
            if optional:
                continue
            raise UnitError(f"{unit.name}: EnvironmentFile {path} does not exist")
        environ.update(read_env_file(path))
    return environ


def command_line(line: str, unit: Unit, placement: Placement, environ: Mapping[str, str]) -> list[str]:
    """One `ExecStart=`-style line as the argument list systemd would run, on this machine's paths."""
    words = []
    for word in shlex.split(expand_specifiers(line, unit, placement)):
        whole = _WHOLE_WORD_VARIABLE.match(word)
        if whole is not None:
            words.extend(_lookup(whole.group(1), unit, environ).split())
            continue
        words.append(_VARIABLE.sub(lambda match: _lookup(match.group(1), unit, environ), word))
    if not words or not words[0].startswith("/"):
        raise UnitError(f"{unit.name}: a command must start with an absolute path: {line!r}")
    return [placement.relocate(word) for word in words]


def _lookup(name: str, unit: Unit, environ: Mapping[str, str]) -> str:
    if name not in environ:
        raise UnitError(f"{unit.name}: ${{{name}}} is not set by the unit or its environment files")
    return environ[name]


def install_credentials(unit: Unit, placement: Placement) -> None:
    """What systemd does before it starts the unit: its `StateDirectory=`s, its (empty)
    `RuntimeDirectory=`s, and each `LoadCredential=` source copied into its credentials directory,
    readable by the owner only."""
    for name in unit.state_directories:
        Path(placement.relocate(f"/var/lib/{name}")).mkdir(parents=True, exist_ok=True)
    for name in unit.runtime_directories:
        runtime = Path(placement.relocate(f"/run/{name}"))
        shutil.rmtree(runtime, ignore_errors=True)
        runtime.mkdir(parents=True)
    directory = placement.credentials_directory(unit)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name, source in unit.credentials:
        target = directory / name
        target.unlink(missing_ok=True)
        target.touch(mode=0o600)
        target.write_bytes(Path(placement.relocate(source)).read_bytes())
        target.chmod(0o400)
