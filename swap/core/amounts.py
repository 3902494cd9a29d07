"""Atomic units: OXEN and SESH both have 9 decimals (SPEC §1), and every amount is an int of them."""

ATOMIC_PER_OXEN = 10**9
ATOMIC_PER_SESH = 10**9
