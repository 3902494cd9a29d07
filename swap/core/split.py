"""Exact pool splitting by the largest-remainder method, in atomic units.

Both programs end in the same step: a fixed pool of SESH is shared out in proportion to integer
weights (stake-blocks, credited OXEN). Rounding must neither create nor lose a single atomic unit,
and anyone re-running the computation from the published inputs must get the same answer to the
unit, so there are no floats and no `Decimal` here, only integer arithmetic:

1. every key gets the floor of its exact share, `pool * w // total`;
2. the `pool - sum(floors)` units left over go one each to the keys with the largest remainders
   `pool * w % total`;
3. equal remainders are ordered by the key in lowercase, ascending (the key is an ETH address,
   and the published rule is "ties by the lowercase ETH address ascending"; comparing lowercase
   makes the result independent of whether a caller passes EIP-55 or lowercase keys). Two keys
   equal when lowercased are then ordered by their exact text, so the result is still a function
   of the input alone.

Decisions (see docs/rules.md):
- Zero weights are kept in the result with amount 0, so the result has exactly the input's keys.
  A zero weight has a zero remainder and can never receive a leftover unit.
- A positive pool with a zero total weight (including no keys at all) raises `NothingToSplit`:
  returning a result that does not sum to the pool would silently lose it. A zero pool always
  splits to zeros.
- Negative or non-integer inputs (`bool` included, `True` is not a weight) raise `TypeError` /
  `ValueError` before any arithmetic.
"""

from collections.abc import Mapping


class NothingToSplit(ValueError):
    """A positive pool cannot be shared among weights that sum to zero."""


def _check_amount(name: str, value: object) -> int:
    if type(value) is not int:  # rejects bool, float, Decimal, str
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def split_pool(pool_atomic: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Share `pool_atomic` among the keys of `weights` in proportion to their weights.

    Returns a new dict with the same keys whose values sum exactly to `pool_atomic`; each value
    is the floor or the ceiling of the key's exact share `pool * w / total`.
    """
    pool = _check_amount("pool_atomic", pool_atomic)
    total = 0
    for key, weight in weights.items():
        if not isinstance(key, str):
            raise TypeError(f"weight keys must be str, got {type(key).__name__}")
        total += _check_amount(f"weight of {key!r}", weight)

    if total == 0:
        if pool == 0:
            return dict.fromkeys(weights, 0)
        raise NothingToSplit(f"cannot split a pool of {pool} among weights summing to 0")

    amounts: dict[str, int] = {}
    remainders: list[tuple[int, str, str]] = []
    for key, weight in weights.items():
        share, remainder = divmod(pool * weight, total)
        amounts[key] = share
        if remainder:
            # Sorted ascending below: negate the remainder so the largest comes first.
            remainders.append((-remainder, key.lower(), key))

    leftover = pool - sum(amounts.values())
    # sum(remainders) == leftover * total and each remainder < total, so more keys have a
    # non-zero remainder than there are leftover units: the slice below is always long enough.
    remainders.sort()
    for _, _, key in remainders[:leftover]:
        amounts[key] += 1
    return amounts
