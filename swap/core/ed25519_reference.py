"""Slow, plain-integer Ed25519 group arithmetic with oxen-core's point-decoding rules.

Why this exists next to libsodium: libsodium refuses every point outside the prime-order subgroup,
while oxen-core's `ge_frombytes_vartime` accepts any canonical point on the curve (a key with a
small-order component included). To reproduce Oxen *exactly* on such hand-crafted keys (the
`strict=False` mode of `oxen_signature.check_signature`, used to replay oxen-core's own test
vectors) we need arithmetic that works on the whole curve. It is also an independent reference the
tests compare the fast libsodium path against.

Nothing here is constant-time or fast (a scalar multiplication costs milliseconds): never use it
with secrets, and never on the service's hot path.

Points are extended twisted-Edwards coordinates (X, Y, Z, T) with x = X/Z, y = Y/Z, xy = T/Z.
"""

from __future__ import annotations

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, -1, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int, int, int]

IDENTITY: Point = (0, 1, 1, 0)
IDENTITY_ENCODING = b"\x01" + bytes(31)


def _recover_x(y: int, sign: int) -> int | None:
    """The x with x² = (y² − 1)/(d·y² + 1) and the given sign bit, or None if there is none.

    Same acceptance as ref10's `ge_frombytes_vartime`: no square root → not on the curve; x = 0
    with the sign bit set → rejected.
    """
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    vxx = v * x * x % P
    if vxx != u:
        if vxx != (-u) % P:
            return None
        x = x * SQRT_M1 % P
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = P - x
    return x


def decode_point(encoded: bytes) -> Point | None:
    """Decode 32 bytes as oxen-core's `crypto::check_key` does; None where it would refuse.

    Refused: wrong length, y ≥ p (non-canonical), no x on the curve, x = 0 with the sign bit set.
    Accepted: every other point, including small-order ones and the identity.
    """
    if len(encoded) != 32:
        return None
    as_int = int.from_bytes(encoded, "little")
    y = as_int & ((1 << 255) - 1)
    if y >= P:
        return None
    x = _recover_x(y, as_int >> 255)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


def encode_point(point: Point) -> bytes:
    """Compress to 32 bytes: y little-endian with the sign of x in the top bit."""
    x_num, y_num, z, _ = point
    z_inv = pow(z, -1, P)
    x = x_num * z_inv % P
    y = y_num * z_inv % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def add(p1: Point, p2: Point) -> Point:
    """Complete addition on the twisted Edwards curve (a = −1); valid for every pair of points."""
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * D * t1 * t2 % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def negate(point: Point) -> Point:
    x, y, z, t = point
    return (-x % P, y, z, -t % P)


def multiply(scalar: int, point: Point) -> Point:
    """scalar·point by double-and-add (variable time; public values only)."""
    result = IDENTITY
    addend = point
    while scalar > 0:
        if scalar & 1:
            result = add(result, addend)
        addend = add(addend, addend)
        scalar >>= 1
    return result


def is_identity(point: Point) -> bool:
    x, y, z, _ = point
    return x % P == 0 and (y - z) % P == 0


_BASE_Y = 4 * pow(5, -1, P) % P


def _base_point() -> Point:
    x = _recover_x(_BASE_Y, 0)
    if x is None:  # cannot happen: y = 4/5 is the standard base point
        raise RuntimeError("Ed25519 base point constants are wrong")
    return (x, _BASE_Y, 1, x * _BASE_Y % P)


BASE: Point = _base_point()
