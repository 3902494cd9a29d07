"""Signals of distribution rounds, so other apps react to a round without this app knowing them.

`round_frozen` is sent inside `freeze_round`'s transaction, right after the round's entries, dump
and root are written, with `round` (the frozen `DistributionRound`) and `actor`. Receivers run in
that same transaction: what they write (the round's bundle of raw inputs, `swap.bundles`) commits
with the round or not at all, and a receiver that raises stops the freeze.
"""

from django.dispatch import Signal

round_frozen = Signal()
