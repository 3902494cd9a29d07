"""Entering burns into the burn ledger: validated, unique by txid, audited, never edited."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from claims.models import Burn
from swap.audit import record_event

_TXID = re.compile(r"[0-9a-f]{64}")


class BurnRefused(ValueError):
    """The burn cannot be entered; the message says why."""


def record_burn(txid: str, amount_atomic: int, *, entered_by: str, notes: str = "") -> Burn:
    """Append one burn; a txid already in the ledger is refused (each burn counts once)."""
    txid = txid.strip().lower()
    if not _TXID.fullmatch(txid):
        raise BurnRefused("the transaction hash is 64 hexadecimal characters")
    if type(amount_atomic) is not int or amount_atomic <= 0:
        raise BurnRefused("the amount burned is a positive whole number of atomic units")
    try:
        with transaction.atomic():
            burn = Burn.objects.create(txid=txid, amount_atomic=amount_atomic, entered_by=entered_by, notes=notes)
            record_event("claims:burn_recorded", actor=entered_by, subject=f"burn:{txid}",
                         data={"txid": txid, "amount_atomic": amount_atomic, "notes": notes})
    except IntegrityError:
        raise BurnRefused(f"burn {txid} is already in the ledger") from None
    return burn
