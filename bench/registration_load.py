"""Registration throughput: gunicorn (2 workers) on PostgreSQL and Redis, 50 concurrent clients.

    .venv/bin/python bench/registration_load.py [--clients 50] [--seconds 30] [--baseline-seconds 15]

What it does, in one run:
1. creates a fresh database `swap_bench` (dropped first) and migrates it;
2. pre-computes valid registrations (fresh wallet keys, real `SigV1` signatures from the core:
   signing is CPU work that must not slow the clients down);
3. starts gunicorn, 2 workers, `swap.wsgi`, on loopback, with a Redis cache (its own key prefix)
   and rate limits switched off through the environment, so they cannot distort the figures;
4. baseline: the clients GET `/healthz` (a trivial JSON view that touches the database);
5. load: the clients POST one distinct valid registration per request for `--seconds`;
6. prints requests/s, p50 and p99 latency for both, and their ratios;
7. checks the database holds exactly as many current registrations as 201s were returned.

Clients are asyncio tasks on one event loop writing minimal HTTP/1.1 requests over fresh loopback
connections (gunicorn's sync workers close every connection): the client costs little CPU, so
the figures measure the server. Goal (issue 4): >= 150 accepted registrations/s, p99 < 200 ms.
Nothing is asserted: it prints numbers (and exits 1 only if the database count disagrees).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402

from swap.core.cryptonote_keys import keys_from_spend_secret, random_scalar, scalar_to_bytes  # noqa: E402
from swap.core.eth_address import to_checksum_address  # noqa: E402
from swap.core.oxen_address import AddressKind, Network, OxenAddress, encode_address  # noqa: E402
from swap.core.oxen_signature import sign_message  # noqa: E402

ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
DATABASE = "swap_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
REDIS_URL = "redis://127.0.0.1:6379/11"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_env() -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "OXEN_NETWORK")},
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/12",
        "CACHE_KEY_PREFIX": f"bench-{secrets.token_hex(4)}",
        "SECRET_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "REGISTRATION_RATE_LIMIT_IP": "off",
        "REGISTRATION_RATE_LIMIT_ADDRESS": "off",
        "LOG_LEVEL": "WARNING",
    }


def fresh_database() -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=server_env(),
                   check=True)


def make_registrations(count: int) -> list[bytes]:
    """`count` JSON bodies, each a new wallet signing `sign_value <its eth address>`."""
    bodies = []
    for _ in range(count):
        keys = keys_from_spend_secret(scalar_to_bytes(random_scalar()))
        address = encode_address(OxenAddress(Network.MAINNET, AddressKind.STANDARD, keys.spend_public,
                                             keys.view_public))
        eth = to_checksum_address(secrets.token_bytes(20))
        signature = sign_message(eth.encode(), keys.spend_secret)
        bodies.append(json.dumps({"oxen_address": address, "eth_address": eth, "signature": signature}).encode())
    return bodies


def start_gunicorn(port: int, threads: int) -> subprocess.Popen[bytes]:
    worker = ["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []
    process = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "gunicorn"), "swap.wsgi", "--workers", "2", *worker, "--bind", f"{HOST}:{port}",
         "--log-level", "warning", "--timeout", "60"],
        cwd=REPO, env=server_env(),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    elapsed: float = 0.0

    def count(self, status: int) -> int:
        return self.statuses.get(status, 0)


async def request(port: int, method: str, path: str, body: bytes = b"") -> int:
    reader, writer = await asyncio.open_connection(HOST, port)
    head = (f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    writer.write(head.encode() + body)
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()  # to EOF: the server closes after the response
    writer.close()
    return int(status_line.split()[1])


async def drive(port: int, clients: int, seconds: float, next_request) -> Tally:
    """`clients` closed-loop clients: each sends its next request as soon as the last one answered."""
    tally = Tally()
    stop = time.monotonic() + seconds

    async def client() -> None:
        while time.monotonic() < stop:
            item = next_request()
            if item is None:
                return
            started = time.perf_counter()
            try:
                status = await request(port, *item)
            except (OSError, ValueError, IndexError):
                tally.errors += 1
                continue
            tally.latencies.append(time.perf_counter() - started)
            tally.statuses[status] = tally.statuses.get(status, 0) + 1

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    tally.elapsed = time.perf_counter() - began
    return tally


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(name: str, tally: Tally, ok_status: int) -> tuple[float, float, float]:
    rate = tally.count(ok_status) / tally.elapsed
    p50, p99 = percentile(tally.latencies, 0.50) * 1000, percentile(tally.latencies, 0.99) * 1000
    print(f"{name:<14} {rate:>9.1f}/s ok  {len(tally.latencies) / tally.elapsed:>9.1f}/s all   "
          f"p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   mean {statistics.fmean(tally.latencies) * 1000:7.1f} ms   "
          f"statuses {dict(sorted(tally.statuses.items()))} errors {tally.errors}")
    return rate, p50, p99


def count_current() -> tuple[int, int, int]:
    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={DATABASE}") as conn:
        current = conn.execute("SELECT count(*) FROM registrations_registration WHERE is_current").fetchone()
        rows = conn.execute("SELECT count(*) FROM registrations_registration").fetchone()
        events = conn.execute("SELECT count(*) FROM swap_auditevent WHERE tag = 'registration:created'").fetchone()
    assert current is not None and rows is not None and events is not None
    return int(current[0]), int(rows[0]), int(events[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--baseline-seconds", type=float, default=15)
    parser.add_argument("--registrations", type=int, default=20000, help="pre-computed valid registrations")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread); 1 = sync workers")
    args = parser.parse_args()

    print(f"database {DATABASE}: dropping, creating, migrating")
    fresh_database()
    began = time.perf_counter()
    bodies = make_registrations(args.registrations)
    print(f"pre-computed {len(bodies)} registrations in {time.perf_counter() - began:.1f} s")
    port = free_port()
    server = start_gunicorn(port, args.threads)
    try:
        asyncio.run(drive(port, 4, 2, lambda: ("GET", "/healthz")))  # warm up workers and connections
        baseline = asyncio.run(drive(port, args.clients, args.baseline_seconds, lambda: ("GET", "/healthz")))
        queue = iter(bodies)
        load = asyncio.run(drive(port, args.clients, args.seconds,
                                 lambda: next((("POST", "/api/v1/registrations/", b) for b in queue), None)))
    finally:
        server.terminate()
        server.wait(timeout=30)

    workers = "sync workers" if args.threads == 1 else f"gthread workers x {args.threads} threads"
    print(f"\n{args.clients} concurrent clients, gunicorn 2 {workers}, PostgreSQL + Redis cache, "
          f"{os.cpu_count()} CPUs shared with the client")
    base_rate, base_p50, base_p99 = report("GET /healthz", baseline, 200)
    rate, p50, p99 = report("POST register", load, 201)
    print(f"ratios register/baseline: throughput {rate / base_rate:.2f}   p50 {p50 / base_p50:.2f}x   "
          f"p99 {p99 / base_p99:.2f}x")
    print(f"goal: >= 150 accepted/s ({'met' if rate >= 150 else 'NOT met'}), "
          f"p99 < 200 ms ({'met' if p99 < 200 else 'NOT met'})")
    if load.count(201) >= len(bodies):
        print("WARNING: the clients ran out of pre-computed registrations; raise --registrations")

    current, rows, events = count_current()
    created = load.count(201)
    consistent = current == created == rows == events
    print(f"database: {current} current registrations, {rows} rows, {events} created events; "
          f"201 responses: {created} -> {'consistent' if consistent else 'MISMATCH'}")
    return 0 if consistent else 1


if __name__ == "__main__":
    sys.exit(main())
