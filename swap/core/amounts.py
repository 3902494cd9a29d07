"""Atomic units: OXEN and SESH both have 9 decimals (SPEC §1), and every amount is an int of them."""

ATOMIC_PER_OXEN = 10**9
ATOMIC_PER_SESH = 10**9


def format_coins(atomic: int) -> str:
    """An atomic amount as coins for people: thousands separators, decimals only where non-zero,
    exactly (integer division, never a float): 30000000000000000 -> "30,000,000"."""
    whole, rest = divmod(atomic, ATOMIC_PER_SESH)
    return f"{whole:,}" + (f".{rest:09d}".rstrip("0") if rest else "")
