"""Durations shown to people: "23 h 10 min", never a float of hours."""

from __future__ import annotations

MINUTE, HOUR, DAY = 60, 3600, 86400


def format_wait(seconds: int) -> str:
    """A wait rounded up to the minute: `2 d 3 h`, `23 h 10 min`, `5 min`, `less than a minute`.

    Rounded up, so a page never promises an earlier time than the chain allows.
    """
    if seconds <= 0:
        return "now"
    minutes = -(-seconds // MINUTE)
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, DAY // MINUTE)
    hours, minutes = divmod(rest, HOUR // MINUTE)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
