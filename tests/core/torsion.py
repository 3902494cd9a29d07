"""Points outside the prime-order subgroup, for testing how keys with a small-order part are treated.

Real wallets never produce these; attackers and oxen-core's own vectors do.
"""

from __future__ import annotations

from swap.core import ed25519_reference
from swap.core.ed25519_reference import L, Point


def _point_of_order_eight() -> Point:
    """A generator of the curve's 8-torsion, found from the curve itself: L·Q for points Q."""
    for y in range(2, 1000):
        point = ed25519_reference.decode_point(y.to_bytes(32, "little"))
        if point is None:
            continue
        torsion = ed25519_reference.multiply(L, point)
        if not ed25519_reference.is_identity(ed25519_reference.multiply(4, torsion)):
            return torsion
    raise AssertionError("no point of order 8 found")


TORSION = _point_of_order_eight()


def small_order_point(multiple: int) -> bytes:
    """multiple·T for the order-8 generator T (the identity when 8 divides `multiple`)."""
    return ed25519_reference.encode_point(ed25519_reference.multiply(multiple, TORSION))


def torsioned_key(scalar: int, torsion_multiple: int) -> bytes:
    """scalar·G + torsion_multiple·T: on the curve, outside the prime-order subgroup unless 8 | multiple."""
    prime_part = ed25519_reference.multiply(scalar, ed25519_reference.BASE)
    small = ed25519_reference.multiply(torsion_multiple, TORSION)
    return ed25519_reference.encode_point(ed25519_reference.add(prime_part, small))
