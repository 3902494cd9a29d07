"""The demo's steps on the L2: freeze, propose, live through the delay, activate; a payout, a holder's
own claim, verification.

The operator's commands (`freeze_round`, `publish_round`, `activate_rounds`, `verify_round`,
`merkle_root`), one pass of the watchdog (`watch_distributor`) over the proposal, the payout
task, and the public API (`/api/v1/payout-requests/`, `/api/v1/proofs/<eth>/`, the round's dump
and CSV). The outbox's tracker runs through
`swap.chain.local.wait_final`, which mines anvil blocks between passes so confirmations arrive
without waiting; the activation delay (24 hours, as in production) is lived through by moving
the local chain's clock forward (`evm_increaseTime`), and the demo says so.
"""

from __future__ import annotations

import io
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command

from swap.chain import contracts
from swap.chain.client import get_client
from swap.chain.local import advance_time, mine, wait_final
from swap.core.durations import format_wait
from swap.demo import cast
from swap.demo.flow import DemoFailed, OxenSide, decimal_text
from swap.distributions.models import DistributionRound, PayoutBatch, RoundStatus
from swap.distributions.tasks import run_payouts_task, sync_claims_task


def _balance(account: str) -> int:
    return contracts.token_balance(get_client(), settings.L2_TOKEN_ADDRESS, account)


def command(name: str, *arguments: str) -> str:
    """Run a management command; its stdout, or DemoFailed with its stderr if it exits non-zero."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *arguments, stdout=out, stderr=err)
    except SystemExit as exit_:
        raise DemoFailed(f"{name} exited {exit_.code}: {err.getvalue().strip()}") from None
    return out.getvalue().strip()


class L2Side:
    """Continues from `OxenSide` (same settings, figures and visitor)."""

    def __init__(self, oxen: OxenSide) -> None:
        self.oxen = oxen
        self.figures = oxen.figures
        self.visitor = oxen.visitor
        self.round: DistributionRound | None = None

    def freeze_and_publish(self) -> None:
        """`freeze_round` (entries, root and dump in one transaction), `publish_round` (the proposal),
        the public activation delay lived through on the local chain's clock, then `activate_rounds`."""
        self.oxen.progress.note(command("freeze_round"))
        round_ = DistributionRound.objects.get(number=1)
        self.oxen.progress.note(command("publish_round", str(round_.number)))
        round_.refresh_from_db()
        (propose_tx,) = wait_final([round_.propose_tx_id])
        round_.refresh_from_db()
        if round_.status != RoundStatus.PENDING or round_.activates_at is None:
            raise DemoFailed(f"round 1 is {round_.status} after its proposal became final")
        delay = int(settings.L2_ACTIVATION_DELAY_SECONDS)
        watched = command("watch_distributor")
        if "(0 mismatched)" not in watched or "vetoed" in watched:
            raise DemoFailed(f"the watchdog did not accept round 1's proposal: {watched}")
        self.oxen.progress.note(f"watchdog (its own key and node): {watched}")
        self.oxen.progress.note(
            f"round 1 is pending: claimable from {round_.activates_at:%Y-%m-%d %H:%M} UTC on the chain's clock, after "
            f"the public activation delay of {format_wait(delay)}, during which the watchdog's guardian can veto it"
        )
        self.oxen.progress.note(f"moving the local chain's clock forward by {format_wait(delay)} (evm_increaseTime): "
                                "on a real chain this is a day of waiting")
        advance_time(delay)
        self.oxen.progress.note(command("activate_rounds"))
        round_.refresh_from_db()
        if round_.activate_tx_id is None:
            raise DemoFailed("activate_rounds queued no activation")
        (activate_tx,) = wait_final([round_.activate_tx_id])
        round_.refresh_from_db()
        if round_.status != RoundStatus.ACTIVE:
            raise DemoFailed(f"round 1 is {round_.status} after its activation became final")
        on_chain = contracts.merkle_root(get_client(), settings.L2_DISTRIBUTOR_ADDRESS)
        if on_chain != round_.root:
            raise DemoFailed(f"the distributor's merkleRoot {on_chain} is not round 1's root {round_.root}")
        self.round = round_
        self.figures["round"] = {
            "number": round_.number, "root": round_.root, "count": round_.count,
            "total_atomic": round_.total_atomic, "bonus_total_atomic": round_.bonus_total_atomic,
            "claims_total_atomic": round_.claims_total_atomic, "dump_sha256": round_.dump_sha256,
            "propose_tx": propose_tx.tx_hash, "propose_block": propose_tx.block_number,
            "activates_at": round_.activates_at.isoformat(), "activation_delay_seconds": delay,
            "activate_tx": activate_tx.tx_hash, "activate_block": activate_tx.block_number,
        }
        self.oxen.progress.note(f"root {round_.root} is active on the distributor (block {activate_tx.block_number})")

    def payout(self) -> None:
        """Bob asks for delivery on the API; the payout task pushes his SESH in a claimMany batch."""
        assert self.round is not None
        holder = cast.PAYOUT_HOLDER
        self.visitor.post_json("/api/v1/payout-requests/", {"eth_address": holder.eth_address}, expect=(201,))
        run_payouts_task.apply(args=(self.round.pk,)).get()
        batch = PayoutBatch.objects.filter(round=self.round).order_by("id").last()
        if batch is None or batch.transaction_id is None:
            raise DemoFailed("the payout task queued no batch")
        (tx,) = wait_final([batch.transaction_id])
        batch.refresh_from_db()
        if batch.status != PayoutBatch.Status.CONFIRMED:
            raise DemoFailed(f"payout batch {batch.pk} is {batch.status} ({tx.status})")
        self.figures["payout"] = self._paid(holder, tx.tx_hash)
        self.oxen.progress.note(f"{holder.name} received {decimal_text(self.figures['payout']['balance_atomic'])} SESH "
                                f"in a payout batch ({tx.tx_hash})")

    def self_claim(self) -> None:
        """Alice fetches her proof from the API and sends `claim` from her own wallet."""
        holder = cast.SELF_CLAIM_HOLDER
        served = self.visitor.get_json(f"/api/v1/proofs/{holder.eth_address}/")
        if not served["claimable"]:
            raise DemoFailed(f"the served proof for {holder.eth_address} is not claimable: {served}")
        assert self.oxen.anvil is not None
        tx_hash = self.oxen.anvil.rpc("eth_sendTransaction", [
            {"from": holder.eth_address, "to": served["distributor"], "data": served["claim_calldata"]}])
        receipt = self._receipt(tx_hash)
        if receipt["status"] != "0x1":
            raise DemoFailed(f"{holder.name}'s claim {tx_hash} reverted")
        mine(settings.L2_CONFIRMATIONS)
        sync_claims_task.apply().get()  # the claim index (pages say "already claimed")
        self.figures["self_claim"] = {**self._paid(holder, tx_hash), "proof_length": len(served["proof"])}
        claimed = decimal_text(self.figures["self_claim"]["balance_atomic"])
        self.oxen.progress.note(f"{holder.name} claimed {claimed} SESH with a {len(served['proof'])}-hash proof "
                                f"({tx_hash})")

    def _receipt(self, tx_hash: str, timeout: float = 30.0) -> dict[str, Any]:
        assert self.oxen.anvil is not None
        deadline = time.monotonic() + timeout
        while (receipt := self.oxen.anvil.rpc("eth_getTransactionReceipt", [tx_hash])) is None:
            if time.monotonic() > deadline:
                raise DemoFailed(f"no receipt for {tx_hash} after {timeout:.0f} s")
            time.sleep(0.05)
        return dict(receipt)

    def _paid(self, holder: cast.Holder, tx_hash: str) -> dict[str, Any]:
        assert self.round is not None
        entry = self.round.entries.get(eth_address=holder.eth_address)
        balance = _balance(holder.eth_address)
        if balance != entry.cumulative_atomic:
            raise DemoFailed(f"{holder.name} holds {balance} atomic SESH but is entitled to {entry.cumulative_atomic}")
        return {"holder": holder.name, "eth_address": holder.eth_address, "tx_hash": tx_hash,
                "entitled_atomic": entry.cumulative_atomic, "bonus_atomic": entry.bonus_atomic,
                "claims_atomic": entry.claims_atomic, "balance_atomic": balance}

    def verify(self) -> None:
        """Download the round's dump and CSV from the API; `verify_round` and `merkle_root` check them."""
        assert self.round is not None
        work = self.oxen.work
        dump, csv = work / "round-1.dump.json", work / "round-1.entries.csv"
        dump.write_bytes(self.visitor.get_bytes("/api/v1/rounds/1/dump.json"))
        csv.write_bytes(self.visitor.get_bytes("/api/v1/rounds/1/entries.csv"))
        verified = command("verify_round", str(dump), "--rpc", settings.L2_RPC_URL,
                            "--distributor", settings.L2_DISTRIBUTOR_ADDRESS)
        # The published CSV also carries each program's part; merkle_root takes address,amount.
        amounts = work / "round-1.amounts.csv"
        amounts.write_text("".join(",".join(line.split(",")[:2]) + "\n" for line in csv.read_text().splitlines()))
        csv_root = command("merkle_root", "--csv", str(amounts))
        if csv_root != self.round.root:
            raise DemoFailed(f"the CSV's root {csv_root} is not the round's {self.round.root}")
        distributor = _balance(settings.L2_DISTRIBUTOR_ADDRESS)
        paid = self.figures["payout"]["balance_atomic"] + self.figures["self_claim"]["balance_atomic"]
        self.figures["verify"] = {"verify_round": verified, "csv_root": csv_root, "dump": str(dump), "csv": str(csv),
                                  "distributor_balance_atomic": distributor,
                                  "distributor_funded_atomic": self.figures["contracts"]["funded_atomic"],
                                  "paid_atomic": paid}
        self.oxen.progress.note(verified)
