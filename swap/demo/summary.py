"""The demo's closing summary: the figures as a person reads them, and as JSON for checks.

Display only: every number was computed by the services during the run (`self.figures` of the
steps); this module formats them and adds nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from swap.demo.flow import DEMO_ADMIN, DEMO_ADMIN_PASSWORD, decimal_text


def _short(address: str) -> str:
    return f"{address[:6]}…{address[-6:]}"


def summary_lines(figures: dict[str, Any]) -> list[str]:
    registrations, snapshots = figures["registrations"], figures["snapshots"]
    bonus, claims, round_ = figures["bonus"], figures["claims"], figures["round"]
    leader = bonus["points_leader"]
    payout, claim, verify = figures["payout"], figures["self_claim"], figures["verify"]
    contracts = figures["contracts"]
    first, last = snapshots["imported_heights"]
    lines = [
        "",
        "== Demo summary " + "=" * 60,
        f"Snapshots        {snapshots['imported']} imported, heights {first:,}–{last:,} ({last - first:,} blocks, "
        f"{snapshots['nodes']} service nodes at the end, {snapshots['gaps_flagged']} gap flagged); live capture to "
        f"{snapshots['latest_height']:,}",
        f"Registrations    {registrations['oxen_addresses']} Oxen addresses → {registrations['eth_addresses']} "
        f"ETH addresses ({registrations['rows']} rows with history)",
        f"Points leader    {_short(leader['oxen_address'])} → {leader['eth_address']}: {leader['points']} points",
        f"Bonus            {decimal_text(bonus['allocated_atomic'])} SESH of {decimal_text(bonus['pool_atomic'])} to "
        f"{bonus['accounts']} ETH addresses (heights [{bonus['window'][0]}, {bonus['window'][1]}))",
        f"Coin claims      {decimal_text(claims['credited_atomic'])} SESH to {claims['accounts']} ETH addresses "
        f"(rate {claims['rate_num']}/{claims['rate_den']} SESH per OXEN)",
        f"Round {round_['number']}          root {round_['root']}",
        f"                 {round_['count']} accounts, total {decimal_text(round_['total_atomic'])} SESH, "
        f"dump sha256 {round_['dump_sha256'][:16]}…",
        "Transactions",
        f"  TestSESH deploy       {contracts['deploy_transactions']['TestSESH']}",
        f"  Safe 2-of-3 (admin)   {contracts['deploy_transactions']['Safe 2-of-3']}",
        f"  SwapDistributor       {contracts['deploy_transactions']['SwapDistributor']}",
        f"  proposeRoot           {round_['propose_tx']}",
        f"  activateRoot          {round_['activate_tx']} (after the {round_['activation_delay_seconds'] // 3600} h "
        "delay, lived through by moving anvil's clock)",
        f"  payout (claimMany)    {payout['tx_hash']}",
        f"  {claim['holder']}'s claim         {claim['tx_hash']}",
        "Balances (SESH on the local L2)",
        f"  {payout['holder']:<6} {payout['eth_address']}  {decimal_text(payout['balance_atomic'])} "
        f"= entitled {decimal_text(payout['entitled_atomic'])}",
        f"  {claim['holder']:<6} {claim['eth_address']}  {decimal_text(claim['balance_atomic'])} "
        f"= entitled {decimal_text(claim['entitled_atomic'])}",
        f"  distributor {contracts['distributor']}  {decimal_text(verify['distributor_balance_atomic'])}",
        f"Verification     {verify['verify_round']}",
        f"Files            {verify['dump']}, {verify['csv']}",
        f"Admin login      {DEMO_ADMIN} / {DEMO_ADMIN_PASSWORD} (this local demo only)",
    ]
    if "closing" in figures:
        closing = figures["closing"]
        lines[-1:-1] = [
            f"Program end      pool {decimal_text(closing['pool_atomic'])} = paid "
            f"{decimal_text(closing['paid_atomic'])} + withheld {decimal_text(closing['withheld_atomic'])} + remainder "
            f"{decimal_text(closing['remainder_atomic'])} SESH",
            f"  remainder → {closing['reward_pool']} in {closing['remainder_tx']}; "
            f"{closing['unclaimed_accounts']} account(s) never claimed all ({closing['unclaimed_csv']})",
        ]
    return lines


def write_summary(path: Path, figures: dict[str, Any]) -> None:
    path.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")
