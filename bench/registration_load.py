"""Registration throughput: gunicorn (2 workers) on PostgreSQL and Redis, 50 concurrent clients.

    .venv/bin/python bench/registration_load.py [--clients 50] [--seconds 30] [--rate 150] [--threads 1]

What it does, in one run:
1. creates a fresh database `swap_bench` (dropped first) and migrates it;
2. pre-computes valid registrations (fresh wallet keys, real `SigV1` signatures from the core:
   signing is CPU work that must not slow the clients down);
3. starts gunicorn, 2 workers, `swap.wsgi`, on loopback, with a Redis cache (its own key prefix)
   and rate limits switched off through the environment, so they cannot distort the figures;
4. twice, first closed-loop (capacity), then paced at `--rate` requests/s in total (latency at
   the goal's load): a baseline where the clients GET `/healthz` (a trivial JSON view that
   touches the database), then the load, where they POST one distinct valid registration per
   request for `--seconds`;
5. prints accepted/s, p50 and p99 latency for both, their ratios, and the server CPU per
   request (gunicorn workers and PostgreSQL backends, read from /proc): requests/s move with
   everything else running on a shared machine, CPU per request much less;
6. checks the database holds exactly as many current registrations as 201s were returned.

Clients are asyncio tasks on one event loop writing minimal HTTP/1.1 requests over fresh loopback
connections (gunicorn's sync workers close every connection): the client costs little CPU, so
the figures measure the server. Goal (issue 4): >= 150 accepted registrations/s, p99 < 200 ms.
With 50 closed-loop clients the mean latency is 50 / throughput (Little's law), so the p99 goal
can only be met closed-loop above ~300/s; the paced run shows the latency at the goal's rate.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402

from swap.core.cryptonote_keys import keys_from_spend_secret, random_scalar, scalar_to_bytes  # noqa: E402
from swap.core.eth_address import to_checksum_address  # noqa: E402
from swap.core.oxen_address import AddressKind, Network, OxenAddress, encode_address  # noqa: E402
from swap.core.oxen_signature import sign_message  # noqa: E402
from swap.shutdown import sigterm_interrupts  # noqa: E402

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
        "DATABASE_CONN_MAX_AGE": "600",  # keep each worker's connection (and its backend's CPU count)
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


def registration_posts(bodies: list[bytes]) -> Callable[[], tuple[str, str, bytes] | None]:
    """The next request of a run: a POST of the next body, or None once all are used."""
    queue = iter(bodies)
    return lambda: next((("POST", "/api/v1/registrations/", body) for body in queue), None)


def start_gunicorn(port: int, threads: int) -> subprocess.Popen[bytes]:
    worker = ["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []
    process = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "gunicorn"), "swap.wsgi", "--workers", "2", *worker, "--bind", f"{HOST}:{port}",
         "--log-level", "warning", "--timeout", "60"],
        cwd=REPO, env=server_env(),
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    return process
            except OSError:
                time.sleep(0.2)
    except BaseException:  # Ctrl-C or SIGTERM while it starts
        process.terminate()
        process.wait(timeout=30)
        raise
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


async def drive(port: int, clients: int, seconds: float, next_request, rate: float | None = None) -> Tally:
    """Run `clients` concurrent clients for `seconds`.

    Without `rate` they are closed-loop: each sends its next request as soon as the last one
    answered, which measures capacity (and latency is then mostly queueing: Little's law gives a
    mean of clients / throughput). With `rate` (requests/s in total) each client keeps a fixed
    schedule, and latency counts from the *scheduled* send time, so a server that falls behind
    is not flattered (no coordinated omission).
    """
    tally = Tally()
    began = time.perf_counter()
    stop = began + seconds

    async def client(index: int) -> None:
        interval = clients / rate if rate else 0.0
        scheduled = began + (index / rate if rate else 0.0)
        while True:
            now = time.perf_counter()
            if not rate:
                scheduled = now
            if scheduled >= stop:
                return
            if scheduled > now:
                await asyncio.sleep(scheduled - now)
            item = next_request()
            if item is None:
                return
            try:
                status = await request(port, *item)
            except (OSError, ValueError, IndexError):
                tally.errors += 1
            else:
                tally.latencies.append(time.perf_counter() - scheduled)
                tally.statuses[status] = tally.statuses.get(status, 0) + 1
            scheduled += interval

    await asyncio.gather(*(client(index) for index in range(clients)))
    tally.elapsed = time.perf_counter() - began
    return tally


def server_cpu_ticks(gunicorn: subprocess.Popen[bytes]) -> dict[int, tuple[str, int]]:
    """CPU ticks used so far by each gunicorn worker ("gunicorn") and bench database backend ("postgres").

    The machine is shared: requests/s move with everyone else's load, CPU per request much less.
    """
    used: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        if int(fields[1]) == gunicorn.pid:
            used[int(entry.name)] = ("gunicorn", ticks)
        elif cmdline.startswith("postgres:") and f" {DATABASE} " in cmdline:
            used[int(entry.name)] = ("postgres", ticks)
    return used


def cpu_since(gunicorn: subprocess.Popen[bytes], start: dict[int, tuple[str, int]]) -> tuple[float, float]:
    """CPU seconds (gunicorn, postgres) since `start`; a process that appeared since counts in full."""
    totals = {"gunicorn": 0, "postgres": 0}
    for pid, (kind, ticks) in server_cpu_ticks(gunicorn).items():
        totals[kind] += ticks - start.get(pid, (kind, 0))[1]
    clock = os.sysconf("SC_CLK_TCK")
    return totals["gunicorn"] / clock, totals["postgres"] / clock


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(name: str, tally: Tally, ok_status: int, cpu: tuple[float, float]) -> tuple[float, float, float]:
    if not tally.latencies:
        print(f"{name:<14} no request answered; errors {tally.errors}")
        return 0.0, float("nan"), float("nan")
    rate = tally.count(ok_status) / tally.elapsed
    p50, p99 = percentile(tally.latencies, 0.50) * 1000, percentile(tally.latencies, 0.99) * 1000
    per_request = [seconds / max(1, len(tally.latencies)) * 1000 for seconds in cpu]
    print(f"{name:<14} {rate:>7.1f}/s ok  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
          f"mean {statistics.fmean(tally.latencies) * 1000:7.1f} ms  CPU/request: gunicorn {per_request[0]:.2f} ms "
          f"+ postgres {per_request[1]:.2f} ms  "
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
    parser.add_argument("--baseline-seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=150,
                        help="also run paced at this many requests/s in total (0: saturation only)")
    parser.add_argument("--registrations", type=int, default=40000,
                        help="valid registrations pre-computed for the closed loop (the paced run gets its own)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread); 1 = sync workers")
    args = parser.parse_args()

    print(f"database {DATABASE}: dropping, creating, migrating")
    fresh_database()
    began = time.perf_counter()
    # Each run draws from its own set, so a fast closed loop cannot starve the paced run.
    paced_count = int(args.rate * args.seconds) + args.clients if args.rate else 0
    bodies = {None: make_registrations(args.registrations), args.rate: make_registrations(paced_count)}
    print(f"pre-computed {args.registrations} + {paced_count} registrations in {time.perf_counter() - began:.1f} s")
    port = free_port()
    with sigterm_interrupts():  # SIGTERM, like Ctrl-C, stops gunicorn before the bench exits
        return _measure(args, bodies, port)


def _measure(args: argparse.Namespace, bodies: dict[float | None, list[bytes]], port: int) -> int:
    server = start_gunicorn(port, args.threads)
    workers = "sync workers" if args.threads == 1 else f"gthread workers x {args.threads} threads"
    print(f"{args.clients} concurrent clients, gunicorn 2 {workers}, PostgreSQL + Redis cache, "
          f"{os.cpu_count()} CPUs shared with the client and whatever else runs here")
    modes = [("saturation (closed loop)", None)] + ([(f"paced at {args.rate:g}/s", args.rate)] if args.rate else [])
    created = 0
    try:
        asyncio.run(drive(port, 4, 2, lambda: ("GET", "/healthz")))  # warm up workers and connections
        for label, rate in modes:
            load_before = os.getloadavg()[0]
            cpu_start = server_cpu_ticks(server)
            baseline = asyncio.run(drive(port, args.clients, args.baseline_seconds, lambda: ("GET", "/healthz"),
                                         rate))
            cpu_baseline = cpu_since(server, cpu_start)
            cpu_start = server_cpu_ticks(server)
            load = asyncio.run(drive(port, args.clients, args.seconds, registration_posts(bodies[rate]), rate))
            cpu_load = cpu_since(server, cpu_start)
            created += load.count(201)
            print(f"\n{label}; 1-min load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
            base_rate, base_p50, base_p99 = report("GET /healthz", baseline, 200, cpu_baseline)
            accepted, p50, p99 = report("POST register", load, 201, cpu_load)
            if len(load.latencies) + load.errors >= len(bodies[rate]):
                print(f"WARNING: the clients used all {len(bodies[rate])} pre-computed registrations after "
                      f"{load.elapsed:.1f} s, before the {args.seconds:g} s were up; raise --registrations")
            print(f"ratios register/baseline: throughput {accepted / base_rate:.2f}   p50 {p50 / base_p50:.2f}x   "
                  f"p99 {p99 / base_p99:.2f}x")
            if rate is None:
                print(f"goal: >= 150 accepted/s ({'met' if accepted >= 150 else 'NOT met'}), "
                      f"p99 < 200 ms ({'met' if p99 < 200 else 'NOT met'})")
            else:  # the pacer sets the throughput (a little under `rate` over a window): judge the rest
                refused = sum(n for code, n in load.statuses.items() if code != 201) + load.errors
                print(f"at the offered {rate:g}/s: {refused} requests not accepted, "
                      f"p99 < 200 ms ({'met' if p99 < 200 else 'NOT met'})")
    finally:
        server.terminate()
        server.wait(timeout=30)

    current, rows, events = count_current()
    consistent = current == created == rows == events
    print(f"\ndatabase: {current} current registrations, {rows} rows, {events} created events; "
          f"201 responses: {created} -> {'consistent' if consistent else 'MISMATCH'}")
    return 0 if consistent else 1


if __name__ == "__main__":
    sys.exit(main())
