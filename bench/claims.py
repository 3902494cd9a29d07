"""Oxen Coin Claims: crediting 100,000 transfers across 20,000 claims through the real crediting service.

    .venv/bin/python bench/claims.py [--transfers 100000] [--claims 20000] [--seed 6]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/swap_bench_claims .venv/bin/python bench/claims.py

Without DATABASE_URL it runs on a throwaway SQLite file; with it, on that PostgreSQL database,
whose name must contain "bench" (it is dropped and created again). Nothing is asserted: it prints.

The wallet's reply is synthetic (one `get_transfers` result, entries shaped as oxen-wallet-rpc.md
§3 documents them, every one confirmed), so the numbers are the service's own, not HTTP's:
1. `group_transfers` parses and groups the entries;
2. `apply_poll` records every deposit, credits every one (one transaction: deposits, credits,
   compare-and-swap states, ledger totals, two audit events per transfer);
3. the same reply applied again: the steady-state cost of re-reading credited deposits;
4. the baseline, in the same run and database: one plain `INSERT` per transfer into a table of
   the same columns, in one transaction.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OXEN = 10**9
ACCOUNT = 1
WALLET_HEIGHT = 1_900_000


def setup_django() -> str:
    """Point Django at a fresh throwaway database and migrate it; returns a description."""
    url = os.environ.get("DATABASE_URL", "")
    if url:
        base, name = url.rsplit("/", 1)
        if "bench" not in name:
            sys.exit(f"refusing to run on database {name!r}: its name must contain 'bench'")
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        where = f"PostgreSQL database {name}"
    else:
        os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp(prefix="bench-claims-")) / "bench.sqlite3")
        where = f"SQLite {os.environ['SQLITE_PATH']}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swap.settings")
    # A throwaway database: production settings still demand a strong secret (swap/production.py).
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["OXEN_WALLET_ACCOUNT_INDEX"] = str(ACCOUNT)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return where


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def make_claims(rnd: random.Random, count: int) -> None:
    """`count` registrations, subaddresses and claims, inserted in bulk (setup, not timed)."""
    from claims.models import Claim, Subaddress, SubaddressUse
    from claims.services.supply import enter_supply_snapshot
    from swap.core.eth_address import to_checksum_address
    from swap.registrations.models import MatchedForm, Registration

    enter_supply_snapshot(height=1_850_000, block_hash="ab" * 32, emission_atomic=65_000_000 * OXEN + 123_456_789,
                          burned_atomic=5_000_000 * OXEN + 23_456_789, excluded=[], entered_by="bench")
    registrations = [
        Registration(oxen_address=f"L{number:094d}", eth_address=to_checksum_address(rnd.randbytes(20)),
                     signature="SigV1bench", signed_message="bench", matched_form=MatchedForm.EIP55)
        for number in range(count)
    ]
    Registration.objects.bulk_create(registrations, batch_size=2000)
    subaddresses = [Subaddress(account_index=ACCOUNT, address_index=minor, address=f"8bench{minor:089d}",
                               label="bench", use=SubaddressUse.CLAIM) for minor in range(1, count + 1)]
    Subaddress.objects.bulk_create(subaddresses, batch_size=2000)
    subaddresses = list(Subaddress.objects.order_by("address_index"))
    Claim.objects.bulk_create([
        Claim(oxen_address=r.oxen_address, eth_address=r.eth_address, registration=r, subaddress=s)
        for r, s in zip(Registration.objects.order_by("id"), subaddresses, strict=True)
    ], batch_size=2000)


def wallet_reply(rnd: random.Random, transfers: int, claims: int) -> list[dict[str, Any]]:
    """`transfers` confirmed `in` entries to random claim subaddresses, as get_transfers lists them."""
    entries = []
    for _ in range(transfers):
        height = rnd.randrange(1_800_000, WALLET_HEIGHT - 10)
        minor = rnd.randint(1, claims)
        entries.append({
            "txid": rnd.randbytes(32).hex(), "payment_id": "0000000000000000", "height": height,
            "timestamp": 1_700_000_000 + 120 * (height - 1_800_000), "amount": rnd.randint(1, 500) * OXEN,
            "fee": 31_000_000, "note": "", "type": "in", "unlock_time": 0,
            "subaddr_index": {"major": ACCOUNT, "minor": minor},
            "subaddr_indices": [{"major": ACCOUNT, "minor": minor}],
            "address": f"8bench{minor:089d}", "double_spend_seen": False, "confirmations": WALLET_HEIGHT - height,
            "suggested_confirmations_threshold": 1, "checkpointed": 1, "blink_mempool": False, "was_blink": False,
        })
    return entries


def baseline(entries: list[dict[str, Any]]) -> float:
    """One INSERT per transfer, same columns as a deposit, one transaction; returns seconds."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_claims_baseline")
        cursor.execute("CREATE TABLE bench_claims_baseline (id integer PRIMARY KEY, txid varchar(64), "
                       "major integer, minor integer, amount bigint, height bigint, UNIQUE (txid, major, minor))")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for number, entry in enumerate(entries):
            index = entry["subaddr_index"]
            cursor.execute(
                "INSERT INTO bench_claims_baseline (id, txid, major, minor, amount, height) VALUES (%s, %s, %s, %s, "
                "%s, %s)", [number, entry["txid"], index["major"], index["minor"], entry["amount"], entry["height"]])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    where = setup_django()

    from claims.models import ClaimCredit, ClaimsLedger
    from claims.services.config import claim_rules
    from claims.services.crediting import apply_poll
    from claims.transfers import group_transfers
    from swap.models import AuditEvent

    rnd = random.Random(args.seed)
    print(f"{where}: {args.transfers:,} transfers across {args.claims:,} claims")
    setup_seconds, _ = timed(lambda: make_claims(rnd, args.claims))
    entries = wallet_reply(rnd, args.transfers, args.claims)
    print(f"  setup (claims, registrations, snapshot)   {setup_seconds:8.2f} s")

    rules = claim_rules()
    parse_seconds, observed = timed(lambda: group_transfers(entries, ACCOUNT))
    credit_seconds, outcome = timed(lambda: apply_poll(observed, rules=rules, wallet_height=WALLET_HEIGHT,
                                                       window_from=0, actor="bench"))
    repoll_seconds, again = timed(lambda: apply_poll(observed, rules=rules, wallet_height=WALLET_HEIGHT,
                                                     window_from=0, actor="bench"))
    baseline_seconds = baseline(entries)

    ledger = ClaimsLedger.objects.get()
    assert outcome.credited == ClaimCredit.objects.count() == len(observed) and again.credited == 0
    service_seconds = parse_seconds + credit_seconds
    rate, base_rate = args.transfers / service_seconds, args.transfers / baseline_seconds
    print(f"  parse + group (group_transfers)           {parse_seconds:8.2f} s")
    print(f"  record + credit (apply_poll, 1 txn)       {credit_seconds:8.2f} s")
    print(f"  => crediting: {rate:,.0f} transfers/s ({outcome.credited:,} credits, "
          f"{AuditEvent.objects.count():,} audit events, {ledger.credited_sesh_atomic:,} atomic SESH)")
    print(f"  same reply again (nothing new)            {repoll_seconds:8.2f} s  "
          f"({args.transfers / repoll_seconds:,.0f} transfers/s re-read)")
    print(f"  baseline: one INSERT per transfer         {baseline_seconds:8.2f} s  ({base_rate:,.0f} transfers/s)")
    print(f"  ratio crediting / baseline: {rate / base_rate:.2f}x")


if __name__ == "__main__":
    main()
