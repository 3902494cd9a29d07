"""Oxen Coin Claims records (SPEC §4), one module per concern; see each module's docstring."""

from claims.models.burns import Burn
from claims.models.claims import Claim, Subaddress, SubaddressUse, claim_label
from claims.models.deposits import ClaimCredit, ClaimsLedger, Deposit, DepositState, HoldReason
from claims.models.flags import ClaimFlag, FlagKind
from claims.models.quarantine import QuarantinedTransfer
from claims.models.supply import SnapshotSource, SupplySnapshot

__all__ = [
    "Burn",
    "Claim",
    "ClaimCredit",
    "ClaimFlag",
    "ClaimsLedger",
    "Deposit",
    "DepositState",
    "FlagKind",
    "HoldReason",
    "QuarantinedTransfer",
    "SnapshotSource",
    "Subaddress",
    "SubaddressUse",
    "SupplySnapshot",
    "claim_label",
]
