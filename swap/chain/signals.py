"""Signals of the outbox, so the apps that own a transaction react without swap.chain knowing them.

`transaction_finalized` is sent inside the database transaction that records a final status
(confirmed, reverted or failed), with `transaction` (the fresh `L2Transaction`) and `actor`.
Receivers run in that same transaction: whatever they change (a round confirmed, a payout batch
released for retry) commits together with the status, or not at all. A receiver that raises rolls
the whole step back, and the tracker tries again on its next pass.
"""

from django.dispatch import Signal

transaction_finalized = Signal()
