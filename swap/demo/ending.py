"""`demo --until-end`: the program's whole life after round 1, on the local chain's moved clock.

Announce an end 90 days (and an hour) ahead through the 2-of-3 Safe; move the clock to the close
(claims and registrations stop); freeze, publish and activate the final round before the end;
payouts for everyone who asked; move past the end; write the unclaimed report; withdraw the
remainder to the reward pool through the outbox with the Safe owners' signatures; the closing
report, which must balance: pool = paid + withheld + remainder. Operator commands throughout
(`program_end`, `freeze_round`, `publish_round`, `activate_rounds`, `withdraw_remainder`,
`program_report`), as production runs them.
"""

from __future__ import annotations

import json

from django.conf import settings

from swap.chain import admin_actions, program_end
from swap.chain.client import get_client
from swap.chain.local import advance_time, dev_signer, wait_final
from swap.chain.models import RemainderWithdrawal
from swap.core.durations import format_wait
from swap.core.program_end import MIN_END_NOTICE_SECONDS
from swap.demo.flow import DemoFailed, decimal_text
from swap.demo.rounds import L2Side, command
from swap.distributions.models import DistributionRound, PayoutBatch, RoundStatus
from swap.distributions.tasks import run_payouts_task

REWARD_POOL_INDEX = 6  # an anvil account standing in for the Staking Reward Pool


class EndSide:
    """Continues from `L2Side` after round 1 is active, paid and verified."""

    def __init__(self, l2: L2Side) -> None:
        self.l2, self.oxen, self.figures = l2, l2.oxen, l2.figures

    def _clock(self) -> int:
        return admin_actions.chain_time(get_client())

    def announce(self) -> None:
        end = self._clock() + MIN_END_NOTICE_SECONDS + 3600
        self.oxen.configure(PROGRAM_REWARD_POOL_ADDRESS=dev_signer(REWARD_POOL_INDEX).address)
        self.oxen.progress.note(command("program_end", "announce", str(end), "--execute").splitlines()[-1])
        self.figures["program_end"] = {"end_time": end, "closes_at": program_end.closes_at(end)}

    def close_and_final_round(self) -> None:
        closes_at = self.figures["program_end"]["closes_at"]
        self.oxen.progress.note(f"moving the local chain's clock to the close ({format_wait(closes_at - self._clock())}"
                                " ahead, evm_increaseTime)")
        advance_time(closes_at - self._clock())
        self.oxen.progress.note(command("program_end", "close"))
        self.oxen.progress.note(command("freeze_round"))
        final = DistributionRound.objects.numbered().order_by("-number").first()
        assert final is not None
        self.oxen.progress.note(command("publish_round", str(final.number)))
        final.refresh_from_db()
        wait_final([final.propose_tx_id])
        advance_time(int(settings.L2_ACTIVATION_DELAY_SECONDS))
        self.oxen.progress.note(command("activate_rounds"))
        final.refresh_from_db()
        if final.activate_tx_id is None:
            raise DemoFailed(f"the final round {final.number} was not activated")
        wait_final([final.activate_tx_id])
        final.refresh_from_db()
        if final.status != RoundStatus.ACTIVE:
            raise DemoFailed(f"the final round {final.number} is {final.status}")
        run_payouts_task.apply(args=(final.pk,)).get()  # everyone who asked: nothing left to push in the demo
        batches = [b.transaction_id for b in PayoutBatch.objects.filter(round=final) if b.transaction_id]
        wait_final(batches)
        self.figures["final_round"] = {"number": final.number, "root": final.root, "total_atomic": final.total_atomic}

    def end_and_withdraw(self) -> None:
        end = self.figures["program_end"]["end_time"]
        advance_time(end - self._clock() + 1)
        self.oxen.progress.note(f"past the end (unix {end}); the remainder to the reward pool "
                                f"{settings.PROGRAM_REWARD_POOL_ADDRESS}")
        command("withdraw_remainder", "--demo-owners")
        row = RemainderWithdrawal.objects.get(status=RemainderWithdrawal.Status.QUEUED)
        (tx,) = wait_final([row.transaction_id])
        row.refresh_from_db()
        if row.status != RemainderWithdrawal.Status.CONFIRMED:
            raise DemoFailed(f"the remainder withdrawal is {row.status} ({tx.status})")
        self.remainder_tx = tx.tx_hash

    def report(self) -> None:
        out = self.oxen.work / "closing"
        self.oxen.progress.note(command("program_report", "--out", str(out)))
        report = json.loads((out / "program-report.json").read_text())
        closing = report["closing"]
        pool, paid, withheld, remainder = (int(closing[k]) for k in (
            "pool_atomic", "paid_atomic", "withheld_atomic", "remainder_atomic"))
        if not closing["balanced"] or pool != paid + withheld + remainder:
            raise DemoFailed(f"the books do not close: {closing}")
        self.figures["closing"] = {
            "pool_atomic": pool, "paid_atomic": paid, "withheld_atomic": withheld, "remainder_atomic": remainder,
            "reward_pool": settings.PROGRAM_REWARD_POOL_ADDRESS, "remainder_tx": self.remainder_tx,
            "unclaimed_accounts": report["unclaimed"]["accounts"], "report": str(out / "program-report.json"),
            "unclaimed_csv": str(out / "unclaimed.csv"),
        }
        self.oxen.progress.note(f"pool {decimal_text(pool)} = paid {decimal_text(paid)} + withheld "
                                f"{decimal_text(withheld)} + remainder {decimal_text(remainder)} SESH")
