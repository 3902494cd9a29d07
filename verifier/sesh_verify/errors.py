"""The one way a check fails: `Broken`, naming the check and the first record that does not hold."""

from __future__ import annotations


class Broken(Exception):
    """A check failed: `check` is its name, `record` the first record that breaks it, `reason` why."""

    def __init__(self, check: str, record: str, reason: str) -> None:
        self.check, self.record, self.reason = check, record, reason
        super().__init__(f"{check}: {record}: {reason}")


def amount(value: object, what: str, check: str, record: str) -> int:
    """A non-negative atomic amount written as a canonical decimal string (or an int)."""
    if type(value) is int and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit() and (value == "0" or not value.startswith("0")) and value.isascii():
        return int(value)
    raise Broken(check, record, f"{what} is not an atomic amount: {value!r:.40}")
