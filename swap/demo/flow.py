"""The demo's steps on the Oxen side: fresh database, local peers, contracts, history, people, claims.

Each step calls what production calls: management commands (`migrate`, `import_snapshots`,
`bonus_allocations`, `claims_ledger`), Celery tasks run in-process (`capture_snapshot_task`,
`fill_supply_snapshot_task`, `poll_deposits_task`), the portal's forms through `Visitor`, and the
simulator's control API standing in for what happens on the Oxen chain (blocks, a deposit). The
L2 half is `rounds.py`. Figures go into `self.figures`, which the command prints and saves.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from time import monotonic
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from bonuses.models import ServiceNodeSnapshot, SnapshotGap
from bonuses.services.allocations import compute_bonus
from bonuses.services.entitlements import bonus_entitlements
from bonuses.tasks import capture_snapshot_task
from claims.models import Claim, ClaimCredit
from claims.services.entitlements import claims_entitlements
from claims.services.supply import active_snapshot
from claims.tasks import fill_supply_snapshot_task, poll_deposits_task
from swap.chain.anvil import AnvilNode
from swap.chain.client import reset_clients
from swap.chain.local import deploy_local_contracts
from swap.core.bonus_allocation import format_points, points
from swap.demo import cast
from swap.demo.environment import database_path, env_file, work_dir, write_env_file
from swap.demo.history import PROGRAM_FINAL_HEIGHT, extract_archive
from swap.demo.portal import Visitor
from swap.demo.processes import Simulator, start_chain, start_simulator
from swap.demo.wallets import demo_wallet
from swap.registrations.models import Registration

SESH = 10**9
# The admin login the demo prints: a local demo database only, never a real deployment.
DEMO_ADMIN = "demo"
DEMO_ADMIN_PASSWORD = "demo-local-only"  # noqa: S105
TOKEN_SUPPLY = 240_000_000 * SESH
DISTRIBUTOR_FUNDING = 60_000_000 * SESH


class DemoFailed(RuntimeError):
    """A step did not produce what it must; the message says which figure was wrong."""


class Progress:
    """`[ 3/11] title … done in 1.2 s` lines, so a person sees the demo move."""

    def __init__(self, write: Callable[[str], None], total: int) -> None:
        self.write, self.total, self.number = write, total, 0

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self.number += 1
        self.write(f"[{self.number:>2}/{self.total}] {title} …")
        started = monotonic()
        yield
        self.write(f"        done in {monotonic() - started:.1f} s")

    def note(self, text: str) -> None:
        self.write(f"        {text}")


class OxenSide:
    """State shared by the steps: the peers, the settings set so far, the figures."""

    def __init__(self, directory: Path, progress: Progress, static: dict[str, str]) -> None:
        self.directory = directory
        self.work = work_dir(directory)
        self.progress = progress
        self.values = dict(static)  # everything demo.env will hold
        self.visitor = Visitor()
        self.anvil: AnvilNode | None = None
        self.sim: Simulator | None = None
        self.history: list[Path] = []  # the unpacked snapshot files, in height order
        self.figures: dict[str, Any] = {}

    # --- settings -------------------------------------------------------------------------------

    def configure(self, **values: Any) -> None:
        """Set settings in this process (read at call time) and remember them for demo.env."""
        for name, value in values.items():
            setattr(settings, name, value)
            self.values[name] = str(value)
        reset_clients()
        write_env_file(env_file(self.directory), self.values)

    def stop(self) -> None:
        if self.sim is not None:
            self.sim.child.stop()
        if self.anvil is not None:
            self.anvil.stop()

    # --- steps ----------------------------------------------------------------------------------

    def prepare(self) -> None:
        """A fresh database and work directory, migrated; the bundled history unpacked."""
        database = database_path(self.directory)
        for path in (database, *(database.with_name(database.name + s) for s in ("-journal", "-wal", "-shm"))):
            path.unlink(missing_ok=True)
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        call_command("migrate", interactive=False, verbosity=0)
        get_user_model().objects.create_superuser(DEMO_ADMIN, password=DEMO_ADMIN_PASSWORD)
        self.history = extract_archive(self.work / "history")
        self.progress.note(f"database {database}; {len(self.history)} recorded snapshots unpacked")

    def start_peers(self) -> None:
        """anvil and the Oxen simulator on free loopback ports; the simulator at the recording's end."""
        self.anvil = start_chain()
        self.sim = start_simulator(self.history[-1], env=os.environ, log=self.work / "simulator.log")
        self.configure(L2_RPC_URL=self.anvil.url, L2_PUBLIC_RPC_URL=self.anvil.url, OXEND_RPC_URL=self.sim.oxend_url,
                       OXEN_WALLET_RPC_URL=self.sim.wallet_url)
        self.progress.note(f"anvil {self.anvil.url}; oxend {self.sim.oxend_url}; wallet RPC {self.sim.wallet_url}")
        self.figures["peers"] = {"anvil": self.anvil.url, "oxend": self.sim.oxend_url, "wallet": self.sim.wallet_url}

    def deploy(self) -> None:
        """TestSESH, a 2-of-3 Safe as the admin, SwapDistributor with one job per key; 60M SESH funded."""
        deployment = deploy_local_contracts(supply_atomic=TOKEN_SUPPLY, fund_atomic=DISTRIBUTOR_FUNDING)
        self.configure(**deployment.settings())
        self.figures["contracts"] = {"token": deployment.token, "distributor": deployment.distributor,
                                     "safe": deployment.safe, "safe_owners": list(deployment.safe_owners),
                                     "publisher": deployment.publisher, "guardian": deployment.guardian,
                                     "activation_delay_seconds": deployment.activation_delay,
                                     "funded_atomic": DISTRIBUTOR_FUNDING,
                                     "deploy_transactions": dict(deployment.transactions)}
        self.progress.note(f"TestSESH {deployment.token}; SwapDistributor {deployment.distributor}, admin: the "
                           f"2-of-3 Safe {deployment.safe}; publisher {deployment.publisher} (the worker), "
                           f"guardian {deployment.guardian} (the watchdog)")

    def import_history(self, stderr: Any = sys.stderr) -> None:
        """`import_snapshots` of the recording, then the capture task confirms it against oxend."""
        out = io.StringIO()
        call_command("import_snapshots", str(self.work / "history" / "snapshots"), stdout=out, stderr=stderr)
        self.progress.note(out.getvalue().strip())
        assert self.sim is not None
        self.sim.control("add_blocks", count=10)  # the simulator's immutable depth: the last recording turns final
        outcome = capture_snapshot_task.apply().get()
        provisional = ServiceNodeSnapshot.objects.filter(provisional=True).count()
        latest = ServiceNodeSnapshot.objects.order_by("-height").first()
        assert latest is not None
        nodes = len(json.loads(self.history[-1].read_bytes())["service_node_states"])
        self.figures["snapshots"] = {
            "imported": len(self.history), "imported_heights": [int(self.history[0].stem), int(self.history[-1].stem)],
            "finalized_by_capture": outcome["finalized"],
            "live_snapshot_height": outcome["height"], "provisional": provisional,
            "gaps_flagged": SnapshotGap.objects.count(), "latest_height": latest.height, "nodes": nodes,
        }
        if outcome["finalized"] != len(self.history):
            raise DemoFailed(f"capture finalized {outcome['finalized']} of {len(self.history)} imported snapshots")
        self.progress.note(f"{outcome['finalized']} imported snapshots confirmed final by the capture task; "
                           f"live snapshot stored at {outcome['height']}; {SnapshotGap.objects.count()} gap flagged")

    def register(self) -> None:
        """Every sample holder registers through the portal's form with a real SigV1 signature."""
        changer = demo_wallet(cast.CHANGES_ADDRESS)
        self._register(changer.index, cast.FIRST_ETH_OF_CHANGER)
        for holder in cast.HOLDERS:
            for wallet in holder.wallets:
                self._register(wallet, holder.eth_address)
        current = Registration.objects.filter(is_current=True)
        self.figures["registrations"] = {
            "oxen_addresses": current.count(), "eth_addresses": current.values("eth_address").distinct().count(),
            "rows": Registration.objects.count(),
        }
        self.progress.note("{oxen_addresses} Oxen addresses → {eth_addresses} ETH addresses "
                           "({rows} rows: one address changed its ETH address)".format(**self.figures["registrations"]))

    def _register(self, wallet_index: int, eth_address: str) -> None:
        wallet = demo_wallet(wallet_index)
        self.visitor.submit("/register/", {
            "oxen_address": wallet.address, "eth_address": eth_address, "signature": wallet.sign(eth_address),
            "not_an_exchange": "on",
        }, expect=303)

    def coin_claims(self) -> None:
        """The TGE supply snapshot from oxend, claims opened on the portal, deposits credited."""
        excluded = [{"address": demo_wallet(cast.OPTF_WALLET).address, "amount_atomic": cast.OPTF_HOLDING,
                     "note": "OPTF (demo)"}]
        fill_supply_snapshot_task.apply(args=(PROGRAM_FINAL_HEIGHT, excluded, "demo")).get()
        snapshot = active_snapshot()
        assert snapshot is not None and self.sim is not None
        payments = []
        for holder, wallet_index, amount in cast.DEPOSITS:
            wallet = demo_wallet(wallet_index)
            response = self.visitor.submit("/claims/", {"oxen_address": wallet.address}, expect=303)
            claim_id = urlparse(response["Location"]).path.rstrip("/").rsplit("/", 1)[-1]
            claim = Claim.objects.select_related("subaddress").get(pk=claim_id)
            sub = claim.subaddress
            txid = self.sim.control("add_transfer", outputs=[[sub.account_index, sub.address_index, amount]])
            payments.append({"holder": holder.name, "oxen_address": wallet.address, "deposit_address": sub.address,
                             "txid": txid, "amount_oxen_atomic": amount})
        self.sim.control("add_blocks", count=settings.CLAIMS_CONFIRMATIONS)
        poll_deposits_task.apply().get()
        credits = {c.txid: c.sesh_atomic for c in ClaimCredit.objects.all()}
        for payment in payments:
            if payment["txid"] not in credits:
                raise DemoFailed(f"the deposit {payment['txid']} was not credited")
            payment["sesh_atomic"] = credits[payment["txid"]]
        self.figures["claims"] = {
            "supply_height": snapshot.height, "emission_atomic": snapshot.emission_atomic,
            "burned_atomic": snapshot.burned_atomic, "excluded_atomic": snapshot.excluded_total_atomic,
            "circulating_atomic": snapshot.circulating_atomic, "rate_num": snapshot.rate_num,
            "rate_den": snapshot.rate_den, "pool_atomic": settings.CLAIMS_POOL_ATOMIC, "deposits": payments,
        }
        for payment in payments:
            self.progress.note(f"{payment['holder']}: {decimal_text(payment['amount_oxen_atomic'])} OXEN → "
                               f"{decimal_text(payment['sesh_atomic'])} SESH credited")

    def allocations(self) -> None:
        """Both programs' allocations as the round will freeze them (after one more capture)."""
        capture_snapshot_task.apply().get()  # what beat does every minute: the live snapshot becomes final
        with (self.work / "bonus_allocations.csv").open("w") as out:
            call_command("bonus_allocations", stdout=out, stderr=io.StringIO())
        with (self.work / "claims_ledger.csv").open("w") as out:
            call_command("claims_ledger", stdout=out, stderr=io.StringIO())
        bonus, claims = bonus_entitlements(), claims_entitlements()
        report = compute_bonus(final_only=True)
        by_address = report.allocation.stake_blocks_by_address
        leader = max(by_address, key=lambda address: (by_address[address], address))
        eth_of = {row.oxen_address: row.eth_address for row in report.registered}
        self.figures["bonus"] = {
            "pool_atomic": settings.SNB_POOL_ATOMIC, "allocated_atomic": sum(bonus.values()), "accounts": len(bonus),
            "at_height": report.at_height, "window": [report.allocation.start_height, report.allocation.end_height],
            "points_leader": {"oxen_address": leader, "eth_address": eth_of[leader],
                              "stake_blocks": by_address[leader], "points": format_points(points(by_address[leader]))},
            "sesh_by_eth": {eth: str(amount) for eth, amount in bonus.items()},
        }
        self.figures["claims"].update(credited_atomic=sum(claims.values()), accounts=len(claims),
                                      sesh_by_eth={eth: str(amount) for eth, amount in claims.items()})
        self.progress.note(f"Service Node Bonus: {decimal_text(sum(bonus.values()))} SESH to {len(bonus)} ETH "
                           f"addresses; Oxen Coin Claims: {decimal_text(sum(claims.values()))} SESH to {len(claims)}")


def decimal_text(atomic: int) -> str:
    """Atomic units as a whole-and-fraction decimal string with separators (display only)."""
    whole, fraction = divmod(atomic, 10**9)
    return f"{whole:,}.{fraction:09d}"
