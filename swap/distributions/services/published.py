"""The text of a round's published entries CSV, shared by the API and the round's bundle.

The bytes are public (the bundle's manifest records their sha256), so their format is pinned by
`tests/bundles/test_published_bytes.py`: header `eth_address,cumulative_sesh_atomic,bonus_atomic,
claims_atomic`, one line per entry in ascending byte order of the EIP-55 address, `\\n` endings.
"""

from __future__ import annotations

from swap.core.csv_writer import csv_text
from swap.distributions.models import DistributionRound

ENTRIES_HEADER = ("eth_address", "cumulative_sesh_atomic", "bonus_atomic", "claims_atomic")


def entries_csv_text(round_: DistributionRound) -> str:
    """The round's entries as CSV text, exactly as `/api/v1/rounds/<n>/entries.csv` serves them."""
    rows = round_.entries.values_list("eth_address", "cumulative_atomic", "bonus_atomic", "claims_atomic")
    # Sorted here rather than by the database, whose collation may not be byte order.
    return csv_text(ENTRIES_HEADER, sorted(rows.iterator()))
