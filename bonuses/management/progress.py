"""A plain text progress bar for management commands, drawn on stderr so stdout stays data."""

from __future__ import annotations

from django.core.management.base import OutputWrapper


class ProgressBar:
    """`label [#####.....] 12/40` redrawn in place with a carriage return; a newline when done."""

    def __init__(self, stream: OutputWrapper, total: int, label: str, width: int = 30) -> None:
        self.stream, self.total, self.label, self.width = stream, total, label, width
        self.done = 0

    def advance(self, step: int = 1) -> None:
        self.done += step
        filled = self.width * self.done // self.total if self.total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}", ending="")
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("")
