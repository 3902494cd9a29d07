"""A claims world for tests: the simulator over real HTTP, real registrations, and short helpers.

Nothing is mocked: holders are real Oxen wallets registered through `submit_registration`,
claims are opened through `open_claim` (the wallet's `create_address` and `store` over HTTP),
deposits are transactions the simulated wallet receives, and every poll goes through the real
watcher and `WalletRpcClient`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from claims.models import Claim, ClaimCredit, Deposit, SupplySnapshot
from claims.services.crediting import PollOutcome
from claims.services.opening import open_claim
from claims.services.supply import ExcludedHolding, enter_supply_snapshot
from claims.services.watcher import poll_deposits
from claims.wallet_rpc import WalletRpcClient
from swap.oxen_rpc import RetryPolicy
from swap.registrations.services import Submission, submit_registration
from swap.simulator import OxenSimulator
from tests.registrations.wallets import Wallet, new_eth_address

OXEN = 10**9
ACCOUNT = 1
FAST_RETRY = RetryPolicy(attempts=2, backoff=0.01, max_backoff=0.01)
# 65M emitted, 1M burned, 4M (+ odd units) excluded: 60,000,000.1 OXEN circulating; with the 30M
# pool the rate is exactly 300000000/600000001 atomic SESH per atomic OXEN.
EMISSION = 65_000_000 * OXEN + 123_456_789
BURNED = 1_000_000 * OXEN
EXCLUDED = 4_000_000 * OXEN + 23_456_789
BLOCK_HASH = "ab" * 32


@dataclass
class Holder:
    wallet: Wallet
    eth_address: str

    @property
    def oxen_address(self) -> str:
        return self.wallet.address


@dataclass
class World:
    sim: OxenSimulator
    client: WalletRpcClient
    holders: list[Holder] = field(default_factory=list)

    def snapshot(self, *, emission: int = EMISSION, burned: int = BURNED,
                 excluded: Sequence[int] = (EXCLUDED,)) -> SupplySnapshot:
        holdings = [ExcludedHolding(Wallet().address, amount, "OPTF") for amount in excluded]
        return enter_supply_snapshot(height=90, block_hash=BLOCK_HASH, emission_atomic=emission, burned_atomic=burned,
                                     excluded=holdings, entered_by="user:test")

    def holder(self, eth_address: str | None = None, wallet: Wallet | None = None) -> Holder:
        holder = Holder(wallet or Wallet(), eth_address or new_eth_address())
        submission = Submission(holder.oxen_address, holder.eth_address, holder.wallet.sign(holder.eth_address))
        submit_registration(submission, ip="192.0.2.1", actor="test")
        self.holders.append(holder)
        return holder

    def open(self, holder: Holder | None = None) -> Claim:
        return open_claim((holder or self.holder()).oxen_address, ip="192.0.2.10", actor="test").claim

    def pay(self, claim: Claim | int, *amounts: int, **options: object) -> str:
        """One transaction paying each amount as its own output to the claim's subaddress (or a minor)."""
        minor = claim if isinstance(claim, int) else claim.subaddress.address_index
        return self.sim.wallet.add_transfer([(ACCOUNT, minor, amount) for amount in amounts], **options)

    def mine(self, blocks: int = 1) -> None:
        self.sim.chain.add_blocks(blocks)

    def poll(self) -> PollOutcome:
        return poll_deposits(actor="test", client=self.client)

    @staticmethod
    def deposit(txid: str) -> Deposit:
        return Deposit.objects.get(txid=txid)

    @staticmethod
    def credits() -> list[ClaimCredit]:
        return list(ClaimCredit.objects.order_by("id"))


def make_world(sim: OxenSimulator) -> World:
    return World(sim, WalletRpcClient(sim.wallet_url, retry=FAST_RETRY))
