"""Atomic units: OXEN and SESH both have 9 decimals (SPEC §1), and every amount is an int of them."""

ATOMIC_PER_OXEN = 10**9
ATOMIC_PER_SESH = 10**9


def format_coins(atomic: int) -> str:
    """An atomic amount as coins for people: thousands separators, decimals only where non-zero,
    exactly (integer division, never a float): 30000000000000000 -> "30,000,000"."""
    whole, rest = divmod(atomic, ATOMIC_PER_SESH)
    return f"{whole:,}" + (f".{rest:09d}".rstrip("0") if rest else "")


def format_amount(atomic: int, unit: str) -> str:
    """The one way a holder page writes an amount: `format_coins` and the unit, "34,328.254472717 SESH".

    Exact (the full 9 decimals when they are not zero; trailing zeros dropped, nothing rounded),
    so the figure a holder reads is the figure paid. Atomic units stay in the API and CSVs."""
    if atomic < 0:
        return "-" + format_amount(-atomic, unit)
    return f"{format_coins(atomic)} {unit}"


def shorten_address(address: str, keep: int = 6) -> str:
    """An address shortened for a narrow screen, start and end kept: "0x3C44Cd…4293BC"."""
    if len(address) <= 2 * keep + 3:
        return address
    return f"{address[:keep + (2 if address.startswith('0x') else 0)]}…{address[-keep:]}"
