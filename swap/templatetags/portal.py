"""Template filters of the holder pages: amounts in SESH or OXEN, and addresses that fit a phone.

    {% load portal %}
    {{ entry.cumulative_atomic|sesh }}   -> 34,328.254472717 SESH
    {{ deposit.amount_atomic|oxen }}     -> 1,234.567891234 OXEN
    {% address claim.eth_address %}      -> shortened, the full text in a copy button's data

The arithmetic is `swap.core.amounts` (pure, integer only); these only adapt it to templates.
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from swap.core.amounts import format_amount, shorten_address

register = template.Library()


def _atomic(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise template.TemplateSyntaxError(f"an amount must be an integer of atomic units, not {value!r}")
    return int(value)


@register.filter
def sesh(value: object) -> str:
    atomic = _atomic(value)
    return "" if atomic is None else format_amount(atomic, "SESH")


@register.filter
def oxen(value: object) -> str:
    atomic = _atomic(value)
    return "" if atomic is None else format_amount(atomic, "OXEN")


@register.filter
def short(value: str) -> str:
    return shorten_address(str(value))


@register.simple_tag
def address(value: str, label: str = "") -> SafeString:
    """A shortened address with its full text readable (title, screen readers) and a copy button."""
    return SafeString(render_to_string("swap/_address.html", {"full": str(value), "short": shorten_address(str(value)),
                                                              "label": label}))
