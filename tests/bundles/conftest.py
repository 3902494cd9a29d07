"""One frozen round with both programs, built once per module through the real services, then rolled back.

Nothing is mocked: wallets sign with real SigV1 keys and register through `submit_registration`
(one of them switches ETH address and back, with a signed time: the replay rule); snapshots go
through `ingest_snapshot`; claims are opened on the Oxen simulator's wallet over HTTP, paid,
confirmed and credited by the real watcher; the round is frozen by `freeze_round`, which stores
its bundle through the `round_frozen` signal. The module gets the stored archive, the files the
API serves, and a second build from the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from bonuses.services.ingest import ingest_snapshot
from claims.services import config
from swap.bundles.models import RoundBundle
from swap.bundles.services import rebuild_archive
from swap.core.oxen_signature import sign_message
from swap.distributions.services.rounds import create_round, freeze_round
from swap.registrations.services import Submission, submit_registration
from swap.simulator import OxenSimulator
from tests.bonuses.snb_scenarios import ETH_1, ETH_2, ETH_3, OXEN, Wallet, node, result
from tests.claims.claims_world import make_world

ETH_4 = "0x52908400098527886E0F7030069857D2E4169EE7"
ETH_5 = "0x8617E340B3D01FA5F11F306F4090FD50E238070D"


def chain_time(height: int) -> datetime:
    return datetime.fromtimestamp(1_525_000_000 + 120 * height, UTC)


SETTINGS: dict[str, Any] = {
    "SNB_START_HEIGHT": 1000, "SNB_FINAL_HEIGHT": 1100, "SNB_GAP_BLOCKS": 30,
    "SNB_POOL_ATOMIC": 30_000_000 * OXEN, "SNB_BACKDATE_CUTOFF": chain_time(1000),
    "OXEN_NETWORK": "mainnet", "OXEN_WALLET_RPC_LOGIN": "", "OXEN_WALLET_ACCOUNT_INDEX": 1,
    "CLAIMS_POOL_ATOMIC": 30_000_000 * OXEN, "CLAIMS_CONFIRMATIONS": 10, "CLAIMS_MIN_DEPOSIT_ATOMIC": OXEN,
    "CLAIMS_MULTIPLIER_SCHEDULE": "", "CLAIMS_REDUCED_MULTIPLIER_ENABLED": False, "CLAIMS_TGE_TIME": "",
    "CLAIMS_OPEN_RATE_LIMIT_IP": "1000/hour", "REGISTRATION_RATE_LIMIT_IP": "1000/hour",
    "REGISTRATION_RATE_LIMIT_ADDRESS": "1000/hour", "L2_DISTRIBUTOR_ADDRESS": "", "L2_CHAIN_ID": 31337,
}


@dataclass
class FrozenRound:
    archive: bytes
    rebuilt: bytes
    served: bytes
    manifest_sha256: str
    archive_sha256: str
    api: dict[str, Any]
    bundle_files: dict[str, bytes]
    figures: dict[str, Any]


def _register_with_time(wallet: Wallet, eth: str, at: datetime) -> None:
    signed_at = int(at.timestamp())
    signature = sign_message(f"{eth} {signed_at}".encode(), wallet.secret)
    submit_registration(Submission(wallet.address, eth, signature, signed_at=signed_at), ip="127.0.0.1",
                        actor="test", now=at)


def _build_world(sim: OxenSimulator) -> dict[str, Any]:
    a, b, c, d, e, f = (Wallet(f"bundle-{name}") for name in "abcdef")
    a.register(ETH_1, at=chain_time(500))
    b.register(ETH_1, at=chain_time(600))
    e.register(ETH_3, at=chain_time(700))
    c.register(ETH_2, at=chain_time(1035))  # after the backdating cut-off: earns from its first snapshot after
    f.register(ETH_4, at=chain_time(800))
    f.register(ETH_5, at=chain_time(810))
    _register_with_time(f, ETH_4, chain_time(820))  # going back: the replay rule needs the signed time
    timeline = [
        (990, [node("n1", (a.address, 5_000), (b.address, 10_000)), node("n2", (c.address, 3_751), active=False)]),
        (1010, [node("n1", (a.address, 5_000), (b.address, 10_000)),
                node("n2", (c.address, 3_751), (d.address, 11_249)), node("n4", (f.address, 15_000))]),
        (1030, [node("n1", (a.address, 5_000), (b.address, 10_000), active=False, funded=True),
                node("n2", (c.address, 3_751), (d.address, 11_249)), node("n4", (f.address, 15_000))]),
        (1040, [node("n1", (a.address, 5_000), (b.address, 10_000)),
                node("n2", (c.address, 3_751), (d.address, 11_249), unlock=1060), node("n4", (f.address, 15_000))]),
        (1060, [node("n1", (a.address, 5_000), (b.address, 10_000)), node("n3", (a.address, 15_000)),
                node("n5", (e.address, 7_500), (c.address, 7_500)), node("n4", (f.address, 15_000))]),
        (1100, [node("n1", (a.address, 5_000), (b.address, 10_000)), node("n3", (a.address, 15_000)),
                node("n5", (e.address, 7_500), (c.address, 7_500))]),
        (1110, [node("n1", (a.address, 5_000), (b.address, 10_000)), node("n3", (a.address, 15_000))]),
    ]
    for height, nodes in timeline:
        ingest_snapshot(result(height, *nodes), source="import", block_timestamp=int(chain_time(height).timestamp()),
                        final=True)
    world = make_world(sim)
    world.snapshot()
    first, second = world.holder(), world.holder()
    claim_1, claim_2 = world.open(first), world.open(second)
    world.pay(claim_1, 3 * OXEN, 250_000_000)
    world.pay(claim_2, 7_777 * OXEN + 1)
    world.pay(claim_2, OXEN // 2, unlock_time=5)  # held for review: listed as not credited, with its reason
    world.mine(12)
    world.poll()
    return {"holders": [first.eth_address, second.eth_address], "wallets": {n: w.address for n, w in
                                                                              zip("abcdef", (a, b, c, d, e, f),
                                                                                  strict=True)}}


@pytest.fixture(scope="module")
def frozen_round(django_db_setup: None, django_db_blocker: Any) -> Iterator[FrozenRound]:
    with django_db_blocker.unblock(), OxenSimulator(length=100) as sim, \
            override_settings(OXEN_WALLET_RPC_URL=sim.wallet_url, **SETTINGS):
        config._client.cache_clear()
        try:
            with transaction.atomic():
                figures = _build_world(sim)
                round_ = create_round(cutoff=timezone.now() + timedelta(seconds=1), actor="test")
                frozen = freeze_round(round_.pk, actor="test")
                bundle = RoundBundle.objects.get(round=frozen)
                client = Client()
                served = b"".join(client.get(f"/api/v1/rounds/{frozen.number}/bundle.tar.gz").streaming_content)
                api = {name: client.get(f"/api/v1/rounds/{frozen.number}/{name}").content
                       for name in ("dump.json", "entries.csv", "bonus-inputs.csv", "bonus-snapshots.csv")}
                files = {path: bytes(data) for path, data in bundle.files.values_list("path", "data")}
                manifest = json.loads(files["manifest.json"])
                snapshot = next(r["file"] for r in manifest["snapshots"] if r["base"] is not None)  # a delta
                for path in ("manifest.json", "registrations.jsonl", snapshot, "nope.csv"):
                    response = client.get(f"/api/v1/rounds/{frozen.number}/bundle/{path}")
                    api[f"bundle/{path}"] = response.content if response.status_code == 200 else response.status_code
                api["chain.json"] = client.get(f"/api/v1/rounds/{frozen.number}/chain.json").status_code
                api["bundle of round 2"] = client.get("/api/v1/rounds/2/bundle.tar.gz").status_code
                figures.update(round=frozen.number, root=frozen.root, bonus_total=frozen.bonus_total_atomic,
                               claims_total=frozen.claims_total_atomic, count=frozen.count)
                case = FrozenRound(
                    archive=served, rebuilt=rebuild_archive(frozen), served=served,
                    manifest_sha256=bundle.manifest_sha256, archive_sha256=bundle.archive_sha256, api=api,
                    bundle_files=files, figures=figures,
                )
                transaction.set_rollback(True)
        finally:
            config._client.cache_clear()
            cache.clear()  # the bonus inputs were cached under keys of rows that are rolled back
    assert hashlib.sha256(case.archive).hexdigest() == case.archive_sha256
    yield case
