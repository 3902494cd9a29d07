"""/metrics with a million rows in each big table, against named baselines measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/swap_bench_metrics .venv/bin/python bench/metrics_scrape.py

PostgreSQL only; the database's name must contain "bench" (it is flushed first). Fills, with
bulk `INSERT … SELECT generate_series` (the tally triggers fire as in production, once per
statement): 1,000,000 rows each in the outbox, its attempts, deposits, registrations, the claim
index and the watchdog's claim checks, with the open rows (transactions not final, deposits
waited on) a realistic few hundred. Peers are not configured (no URL): this measures the database
side, which is what grows; each configured peer adds one round trip of its own.

Prints the median of `--repeats` scrapes of the whole `/metrics` response, of the business
figures alone, and of three baselines: a `SELECT 1` round trip, django-prometheus' own exposition
alone (what the endpoint would cost without business figures), and the one GROUP BY the tallies
replace (`SELECT purpose, status, COUNT(*) FROM chain_l2transaction GROUP BY 1, 2`). Goal (issue
16): the whole scrape under 100 ms. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ROWS = 1_000_000
OPEN = 300  # transactions not final, deposits waited on: what a healthy service has at once

FILL = [
    # The outbox: mostly final, OPEN still moving; statuses and purposes as a year of payouts leaves them.
    """INSERT INTO chain_l2transaction (chain_id, sender, nonce, to_address, value_wei, data, gas_limit, purpose,
        subject, status, tx_hash, block_number, block_hash, gas_used, contract_address, error, created_at, updated_at)
    SELECT 31337, '0x1111111111111111111111111111111111111111', g, '0x2222222222222222222222222222222222222222', 0,
        '0x', 3000000, CASE WHEN g % 100 = 0 THEN 'propose_root' ELSE 'payout_batch' END, 'payout-batch:' || g,
        CASE WHEN g > %(rows)s - %(open)s THEN 'broadcast' WHEN g % 500 = 0 THEN 'failed' ELSE 'confirmed' END,
        CASE WHEN g > %(rows)s - %(open)s OR g % 500 = 0 THEN '' ELSE '0x' || lpad(to_hex(g), 64, '0') END,
        CASE WHEN g > %(rows)s - %(open)s OR g % 500 = 0 THEN NULL ELSE g END,
        CASE WHEN g > %(rows)s - %(open)s OR g % 500 = 0 THEN '' ELSE '0xb' || lpad(to_hex(g), 63, '0') END,
        2500000, '', '', now() - (%(rows)s - g) * interval '1 second', now()
    FROM generate_series(1, %(rows)s) g""",
    """INSERT INTO chain_l2transactionattempt (transaction_id, kind, tx_hash, raw_transaction, max_fee_per_gas,
        max_priority_fee_per_gas, gas_limit, created_at, last_error)
    SELECT t.id, CASE WHEN t.id % 50 = 0 THEN 'replacement' ELSE 'original' END, '0xa' || lpad(to_hex(t.id), 63, '0'),
        '0x02', 10, 1, 3000000, t.created_at, ''
    FROM chain_l2transaction t""",
    """INSERT INTO registrations_registration (oxen_address, eth_address, signature, signed_message, matched_form,
        node_pubkey, node_signature, is_current, created_at, ip_hash)
    SELECT 'L' || lpad(g::text, 96, '0'), '0x' || lpad(to_hex(g), 40, '0'), 'SigV1' || md5(g::text), '', 'eip55',
        '', '', true, now(), ''
    FROM generate_series(1, %(rows)s) g""",
    """INSERT INTO claims_subaddress (account_index, address_index, address, label, use, created_at)
    VALUES (1, 1, 'L' || repeat('s', 96), '', 'claim', now())""",
    """INSERT INTO claims_claim (id, oxen_address, eth_address, created_at, ip_hash, registration_id, subaddress_id)
    SELECT gen_random_uuid(), r.oxen_address, r.eth_address, now(), '', r.id, s.id
    FROM registrations_registration r, claims_subaddress s
    WHERE r.id = (SELECT MIN(id) FROM registrations_registration)""",
    """INSERT INTO claims_deposit (txid, account_index, address_index, amount_atomic, output_count, height, timestamp,
        unlock_time, transfer_type, confirmations, state, hold_reason, first_seen_at, first_seen_wallet_height,
        last_seen_at, released_by, claim_id)
    SELECT md5(g::text) || md5((-g)::text), 1, 1, 1000000000 + g, 1, g, 1700000000 + g, '0', 'in', 10,
        CASE WHEN g > %(rows)s - %(open)s THEN 'seen' WHEN g % 1000 = 0 THEN 'orphaned' ELSE 'credited' END, '',
        now() - (%(rows)s - g) * interval '1 second', g, now(), '',
        CASE WHEN g % 1000 = 0 AND g <= %(rows)s - %(open)s THEN NULL ELSE (SELECT id FROM claims_claim LIMIT 1) END
    FROM generate_series(1, %(rows)s) g""",
    """INSERT INTO distributions_claimevent (chain_id, distributor, tx_hash, log_index, block_number, block_hash,
        eth_address, amount_atomic, cumulative_atomic)
    SELECT 31337, '0x3333333333333333333333333333333333333333', '0xc' || lpad(to_hex(g), 63, '0'), 0, g,
        '0xd' || lpad(to_hex(g), 63, '0'), '0x' || lpad(to_hex(g), 40, '0'), 1000 + g, 1000 + g
    FROM generate_series(1, %(rows)s) g""",
    """INSERT INTO watchdog_claimcheck (chain_id, distributor, tx_hash, log_index, block_number, eth_address,
        amount_atomic, cumulative_atomic, verdict, reason, response)
    SELECT 31337, '0x3333333333333333333333333333333333333333', '0xc' || lpad(to_hex(g), 63, '0'), 0, g,
        '0x' || lpad(to_hex(g), 40, '0'), 1000 + g, 1000 + g, 'ok', '', ''
    FROM generate_series(1, %(rows)s) g""",
]


def setup_django() -> str:
    url = os.environ.get("DATABASE_URL", "")
    name = url.rsplit("/", 1)[-1]
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database whose name contains 'bench'")
    if "bench" not in name:
        sys.exit(f"refusing to run on database {name!r}: its name must contain 'bench'")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swap.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # a throwaway database
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    for peer in ("OXEND_RPC_URL", "OXEN_WALLET_RPC_URL", "L2_RPC_URL", "CELERY_BROKER_URL"):
        os.environ.pop(peer, None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    return name


def fill(rows: int) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in FILL:
            cursor.execute(statement.replace("%(rows)s", str(rows)).replace("%(open)s", str(OPEN)))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def median_ms(run: Callable[[], object], repeats: int) -> float:
    run()  # warm: connections, imports, plans
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--repeats", type=int, default=20)
    options = parser.parse_args()
    database = setup_django()

    from django.db import connection
    from django.test import Client
    from prometheus_client import REGISTRY, generate_latest

    from swap.monitoring.figures import collect_figures

    print(f"database {database}: filling {options.rows:,} rows per big table …", flush=True)
    print(f"  filled in {fill(options.rows):.1f} s (tally triggers included)")
    with connection.cursor() as cursor:
        for table in ("chain_l2transaction", "chain_l2transactionattempt", "claims_deposit",
                      "registrations_registration", "distributions_claimevent", "watchdog_claimcheck"):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - constant table names
            print(f"  {table}: {cursor.fetchone()[0]:,} rows")

    def select_one() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    def group_by() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT purpose, status, COUNT(*) FROM chain_l2transaction GROUP BY 1, 2")
            cursor.fetchall()

    client = Client()

    def scrape() -> None:
        response = client.get("/metrics")
        assert response.status_code == 200, response.status_code

    results = [
        ("baseline: SELECT 1 round trip", median_ms(select_one, options.repeats)),
        ("baseline: django-prometheus exposition alone", median_ms(lambda: generate_latest(REGISTRY), options.repeats)),
        ("baseline: one GROUP BY over the outbox (what a tally replaces)", median_ms(group_by, options.repeats)),
        ("business figures alone (collect_figures)", median_ms(collect_figures, options.repeats)),
        ("whole GET /metrics", median_ms(scrape, options.repeats)),
    ]
    base = results[0][1]
    print(f"\nmedian of {options.repeats} runs:")
    for label, ms in results:
        print(f"  {label:<66} {ms:8.2f} ms  ({ms / base:7.1f}× SELECT 1)")
    whole = results[-1][1]
    print(f"\ngoal: whole scrape < 100 ms with {options.rows:,} rows: {'met' if whole < 100 else 'NOT met'} "
          f"({whole:.1f} ms)")


if __name__ == "__main__":
    main()
