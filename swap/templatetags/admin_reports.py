"""Template filters of the admin report pages: exact amounts, never floats."""

from django import template

register = template.Library()
ATOMIC_PER_COIN = 10**9


@register.filter
def coins(atomic: int) -> str:
    """Atomic units as coins with all 9 decimals and thousands separators; exact, negatives kept."""
    whole, part = divmod(abs(atomic), ATOMIC_PER_COIN)
    return f"{'-' if atomic < 0 else ''}{whole:,}.{part:09d}"
