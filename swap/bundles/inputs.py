"""The files of a round's bundle, read from the database as they stood when the round froze.

Everything is ordered by keys that do not depend on the database (ids, heights, addresses), and
written with `swap.core.bundle_format.json_bytes`, so the same database gives the same bytes.

- `registrations.jsonl`: every registration row created at or before the cut-off, by (Oxen
  address, created_at, id): the exact signed text and signature, the signed time, the node proof,
  the row it replaced and, when that happened by the cut-off, when it was superseded. IP hashes
  are not published.
- `claims.jsonl`: every claim opened by the cut-off, every credit made by it (with the rate and
  multiplier it used), and every other deposit seen by it with its state as the freeze found it
  (held, orphaned, pending, or credited after the cut-off): the refused ones with their reason.
- the published files (`dump.json`, `entries.csv`, `bonus-inputs.csv`, `bonus-snapshots.csv`)
  byte for byte as the API serves them, and the previous frozen round's `entries.csv`.
- `snapshots/`: the stored payload of every final snapshot stored at the cut-off (keyframes
  whole, deltas against their keyframe: `swap.core.payload_codec` expands them).
- `stake-changes.jsonl`: what each of those snapshots changed in the earning stakes, from the
  stored stake intervals (`swap.core.stake_changes` states the rule to expand it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from bonuses.models import ServiceNodeSnapshot, StakeInterval
from bonuses.published import INPUTS_HEADER, round_bonus_inputs_text, round_bonus_snapshots_text, round_snapshots
from bonuses.services.allocations import BonusUnavailable
from bonuses.services.entitlements import pinned_bonus_round
from claims.models import Claim, ClaimCredit, ClaimsLedger, Deposit
from claims.services.config import multiplier_schedule
from claims.services.supply import active_snapshot
from swap.core import bundle_format as fmt
from swap.core import stake_changes
from swap.core.bonus_allocation import StakeInterval as Interval
from swap.distributions.models import DistributionRound, RoundStatus
from swap.distributions.services.published import entries_csv_text
from swap.registrations.models import Registration


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def unix(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


@dataclass(frozen=True)
class SnapshotRef:
    """A final snapshot in the bundle: its manifest record and where its payload is read from."""

    pk: int
    record: dict[str, Any]

    @property
    def path(self) -> str:
        return str(self.record["file"])


def registrations_jsonl(cutoff: datetime) -> bytes:
    rows = Registration.objects.filter(created_at__lte=cutoff).order_by("oxen_address", "created_at", "id")
    records = (
        {
            "id": row.pk,
            "oxen_address": row.oxen_address,
            "eth_address": row.eth_address,
            "signed_message": row.signed_message,
            "signature": row.signature,
            "matched_form": row.matched_form,
            "signed_at": unix(row.signed_at),
            "node_pubkey": row.node_pubkey,
            "node_signature": row.node_signature,
            "created_at": iso(row.created_at),
            "replaces": row.replaces_id,
            "superseded_at": iso(row.superseded_at) if row.superseded_at and row.superseded_at <= cutoff else None,
        }
        for row in rows.iterator()
    )
    return fmt.jsonl_bytes(records)


def claims_jsonl(cutoff: datetime) -> bytes:
    records: list[dict[str, Any]] = []
    for claim in Claim.objects.filter(created_at__lte=cutoff).select_related("subaddress").order_by("created_at", "id"):
        records.append({
            "kind": "claim", "claim_id": str(claim.pk), "oxen_address": claim.oxen_address,
            "eth_address": claim.eth_address, "registration_id": claim.registration_id,
            "subaddress": claim.subaddress.address, "account_index": claim.subaddress.account_index,
            "address_index": claim.subaddress.address_index, "created_at": iso(claim.created_at),
        })
    credited = set()
    for credit in ClaimCredit.objects.filter(created_at__lte=cutoff).order_by("created_at", "id"):
        credited.add(credit.deposit_id)
        records.append({
            "kind": "credit", "claim_id": str(credit.claim_id), "eth_address": credit.eth_address,
            "txid": credit.txid, "account_index": credit.account_index, "address_index": credit.address_index,
            "output_count": credit.output_count, "amount_oxen_atomic": str(credit.amount_oxen_atomic),
            "rate_num": str(credit.rate_num), "rate_den": str(credit.rate_den),
            "multiplier_num": str(credit.multiplier_num), "multiplier_den": str(credit.multiplier_den),
            "wanted_sesh_atomic": str(credit.wanted_sesh_atomic), "sesh_atomic": str(credit.sesh_atomic),
            "capped": credit.capped, "block_height": credit.block_height, "block_timestamp": credit.block_timestamp,
            "credited_height": credit.credited_height, "created_at": iso(credit.created_at),
        })
    deposits = Deposit.objects.filter(first_seen_at__lte=cutoff).order_by("txid", "account_index", "address_index")
    for deposit in deposits.iterator():
        if deposit.pk in credited:
            continue
        state = "credited_after_cutoff" if deposit.state == "credited" else deposit.state
        records.append({
            "kind": "deposit", "claim_id": None if deposit.claim_id is None else str(deposit.claim_id),
            "txid": deposit.txid, "account_index": deposit.account_index, "address_index": deposit.address_index,
            "amount_atomic": str(deposit.amount_atomic), "height": deposit.height, "timestamp": deposit.timestamp,
            "confirmations": deposit.confirmations, "transfer_type": deposit.transfer_type,
            "unlock_time": deposit.unlock_time, "state": state, "hold_reason": deposit.hold_reason,
            "vanished": deposit.vanished_at is not None,
        })
    return fmt.jsonl_bytes(records)


def snapshot_refs(round_: DistributionRound) -> list[SnapshotRef]:
    """The final snapshots stored at the cut-off, by height, with their manifest records."""
    rows = (round_snapshots(round_).filter(provisional=False).order_by("height")
            .values_list("pk", "height", "block_hash", "block_timestamp", "captured_at", "sha256", "payload_codec",
                         "payload_base__height", "payload_bytes"))
    refs = []
    for pk, height, block_hash, timestamp, captured_at, sha256, codec, base_height, size in rows:
        refs.append(SnapshotRef(pk, {
            "height": height, "block_hash": block_hash, "block_timestamp": timestamp, "captured_at": iso(captured_at),
            "sha256": sha256, "bytes": size, "codec": codec, "base": base_height,
            "file": fmt.snapshot_file(height, codec, base_height),
        }))
    return refs


def stake_changes_jsonl(snapshots: list[SnapshotRef]) -> bytes:
    """The stake-change log of the shipped snapshots, from the intervals ingestion stored (ordered by the log)."""
    rows = StakeInterval.objects.values_list("oxen_address", "node__pubkey", "amount_atomic", "from_height",
                                             "to_height")
    intervals = (Interval(*row) for row in rows.iterator())
    return fmt.jsonl_bytes(stake_changes.log_records(intervals, [int(ref.record["height"]) for ref in snapshots]))


def snapshot_payload(ref: SnapshotRef) -> bytes:
    return bytes(ServiceNodeSnapshot.objects.values_list("payload", flat=True).get(pk=ref.pk))


def previous_round(round_: DistributionRound) -> DistributionRound | None:
    return (DistributionRound.objects.filter(number__lt=round_.number).exclude(status=RoundStatus.DRAFT)
            .order_by("-number").first())


def bonus_parameters(round_: DistributionRound, snapshots: list[SnapshotRef]) -> dict[str, Any]:
    """The bonus rules in force and, when the round holds the bonus, what its split was computed at.

    A round holds the bonus only once a final snapshot at or past the final height is stored
    (`bonuses.services.entitlements`), and the counting window then ends at the final height
    whichever such snapshot is used: `at_height` names the highest one in the bundle.
    """
    pinned = pinned_bonus_round() if round_.bonus_total_atomic > 0 else None
    final_height = settings.SNB_FINAL_HEIGHT
    past_end = [int(ref.record["height"]) for ref in snapshots if int(ref.record["height"]) >= final_height]
    return {
        "pool_atomic": str(settings.SNB_POOL_ATOMIC),
        "start_height": settings.SNB_START_HEIGHT,
        "final_height": final_height,
        "backdate_cutoff": iso(settings.SNB_BACKDATE_CUTOFF),
        "gap_blocks": settings.SNB_GAP_BLOCKS,
        "holds_bonus": round_.bonus_total_atomic > 0,
        "pinned_round": None if pinned is None else pinned.number,
        "registrations_at": None if pinned is None else iso(pinned.cutoff_at),
        "at_height": max(past_end) if pinned is not None and past_end else None,
    }


def claims_parameters() -> dict[str, Any]:
    """The claims rules in force: the locked (or active) supply snapshot and its rate, the schedule."""
    ledger = ClaimsLedger.objects.select_related("snapshot").filter(pk=1).first()
    supply = ledger.snapshot if ledger is not None and ledger.snapshot_id else active_snapshot()
    snapshot = None if supply is None else {
        "height": supply.height, "block_hash": supply.block_hash, "emission_atomic": str(supply.emission_atomic),
        "burned_atomic": str(supply.burned_atomic),
        "excluded": [{"address": item["address"], "amount_atomic": str(item["amount_atomic"]),
                      "note": item.get("note", "")} for item in supply.excluded],
        "circulating_atomic": str(supply.circulating_atomic), "pool_atomic": str(supply.pool_atomic),
        "rate_num": str(supply.rate_num), "rate_den": str(supply.rate_den),
    }
    schedule = [{"start": iso(step.start), "multiplier": f"{step.multiplier.numerator}/{step.multiplier.denominator}"}
                for step in multiplier_schedule()]
    return {
        "pool_atomic": str(settings.CLAIMS_POOL_ATOMIC),
        "supply_snapshot": snapshot,
        "multiplier_schedule": schedule,
        "confirmations": settings.CLAIMS_CONFIRMATIONS,
        "min_deposit_atomic": str(settings.CLAIMS_MIN_DEPOSIT_ATOMIC),
        "account_index": settings.OXEN_WALLET_ACCOUNT_INDEX,
    }


def _bonus_inputs(round_: DistributionRound) -> bytes:
    """The round's bonus inputs; only the header if they cannot be computed (a bonus from no snapshot).

    Real rounds always can: the bonus enters a round only once a final snapshot past the program's
    end is stored. A round whose inputs cannot be computed then fails verification, as it should.
    """
    try:
        return round_bonus_inputs_text(round_).encode()
    except BonusUnavailable:
        return ",".join(INPUTS_HEADER).encode() + b"\n"


def published_files(round_: DistributionRound) -> dict[str, bytes]:
    """Every file of the bundle except the manifest and the snapshot payloads."""
    files = {
        fmt.DUMP: round_.dump.text.encode("ascii"),
        fmt.ENTRIES: entries_csv_text(round_).encode(),
        fmt.BONUS_INPUTS: _bonus_inputs(round_),
        fmt.BONUS_SNAPSHOTS: round_bonus_snapshots_text(round_).encode(),
        fmt.REGISTRATIONS: registrations_jsonl(round_.cutoff_at),
        fmt.CLAIMS: claims_jsonl(round_.cutoff_at),
    }
    previous = previous_round(round_)
    if previous is not None:
        files[fmt.PREVIOUS_ENTRIES] = entries_csv_text(previous).encode()
    return files


def manifest(round_: DistributionRound, files: dict[str, bytes], snapshots: list[SnapshotRef],
             payload_digests: dict[str, str]) -> dict[str, Any]:
    previous = previous_round(round_)
    digests = {path: fmt.sha256_hex(data) for path, data in files.items()}
    digests.update(payload_digests)
    return {
        "format": fmt.FORMAT,
        "round": round_.number,
        "cutoff": iso(round_.cutoff_at),
        "root": round_.root,
        "count": round_.count,
        "total_atomic": str(round_.total_atomic),
        "bonus_total_atomic": str(round_.bonus_total_atomic),
        "claims_total_atomic": str(round_.claims_total_atomic),
        "dump_sha256": round_.dump_sha256,
        "previous_round": None if previous is None else {"round": previous.number, "root": previous.root},
        "parameters": {
            "oxen_network": settings.OXEN_NETWORK,
            "registration": {"replay_window_seconds": settings.REGISTRATION_REPLAY_WINDOW_SECONDS,
                             "clock_skew_seconds": settings.REGISTRATION_CLOCK_SKEW_SECONDS},
            "bonus": bonus_parameters(round_, snapshots),
            "claims": claims_parameters(),
        },
        "chain": {"chain_id": settings.L2_CHAIN_ID, "distributor": settings.L2_DISTRIBUTOR_ADDRESS or "",
                  "transactions": fmt.CHAIN},
        "snapshots": [ref.record for ref in snapshots],
        "files": dict(sorted(digests.items())),
    }
