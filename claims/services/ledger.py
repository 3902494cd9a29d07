"""The public claims ledger: one row per credited deposit, in the order they were credited.

Columns (the `claims_ledger` command's header, fixed):
`claim_id,eth_address,oxen_txid,amount_oxen_atomic,rate_num,rate_den,multiplier,sesh_atomic,credited_height`.
`multiplier` is the exact fraction as text ("1", "7/10"); `credited_height` is the wallet height of
the poll that credited the deposit (its block height plus its confirmations then). Anyone can
recompute `sesh_atomic = min(floor(amount × rate_num × m_num / (rate_den × m_den)), what the pool
had left)` from the row.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from claims.models import ClaimCredit

LEDGER_COLUMNS = (
    "claim_id",
    "eth_address",
    "oxen_txid",
    "amount_oxen_atomic",
    "rate_num",
    "rate_den",
    "multiplier",
    "sesh_atomic",
    "credited_height",
)


def ledger_rows() -> Iterator[dict[str, Any]]:
    fields = ("claim_id", "eth_address", "txid", "amount_oxen_atomic", "rate_num", "rate_den", "multiplier_num",
              "multiplier_den", "sesh_atomic", "credited_height")
    for row in ClaimCredit.objects.order_by("id").values_list(*fields).iterator(chunk_size=5000):
        claim_id, eth, txid, amount, rate_num, rate_den, m_num, m_den, sesh, height = row
        yield {
            "claim_id": str(claim_id),
            "eth_address": eth,
            "oxen_txid": txid,
            "amount_oxen_atomic": amount,
            "rate_num": rate_num,
            "rate_den": rate_den,
            "multiplier": str(Fraction(m_num, m_den)),
            "sesh_atomic": sesh,
            "credited_height": height,
        }
