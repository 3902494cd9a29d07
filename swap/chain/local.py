"""A local chain for the demo and the tests: TestSESH, a 2-of-3 Safe and SwapDistributor on anvil.

Only on anvil's chain id (31337), where every key used here is one of anvil's public development
keys. The deployment has the production shape (docs/threat-model.md): the distributor's admin is
a Safe (Safe's own contracts from `@safe-global/safe-contracts`) whose three owners are anvil
accounts 7, 8 and 9 with a threshold of two; the roles are granted by Safe transactions those
owners sign; the service's signer (`L2_SIGNER_KEY`) gets `PUBLISHER_ROLE` only and the watchdog's
key (`WATCHDOG_SIGNER_KEY`) `GUARDIAN_ROLE` and `PAUSER_ROLE`. Anvil account 0 deploys and funds,
and holds no role. This module also moves the local chain's clock (`evm_increaseTime`), which is
how the demo and the tests live through an activation delay.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from eth_account import Account

from swap.chain import contracts, safe
from swap.chain.client import ChainClient, get_client
from swap.chain.direct import SentTransaction, send_and_wait
from swap.chain.errors import PermanentChainError
from swap.chain.models import L2Transaction
from swap.chain.signer import ANVIL_CHAIN_ID, Signer, key_from_text, load_guardian, load_signer
from swap.chain.tracking import track_transactions
from swap.core.eth_address import normalize_eth_address
from swap.core.keccak import keccak256

ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
DEPLOYER_INDEX = 0
SAFE_OWNER_INDEXES = (7, 8, 9)
SAFE_THRESHOLD = 2


class NotALocalChainError(PermanentChainError):
    """Local-chain helpers refuse any chain but anvil's."""


@dataclass(frozen=True)
class LocalDeployment:
    token: str
    distributor: str
    deploy_block: int
    safe: str
    safe_owners: tuple[str, ...]
    publisher: str
    guardian: str
    activation_delay: int
    transactions: tuple[tuple[str, str], ...] = ()  # (what, tx hash) in the order they were sent

    def settings(self) -> dict[str, str | int]:
        """The settings other processes need to use this deployment, in the order they are printed."""
        return {
            "L2_TOKEN_ADDRESS": self.token, "L2_DISTRIBUTOR_ADDRESS": self.distributor,
            "L2_DISTRIBUTOR_DEPLOY_BLOCK": self.deploy_block, "L2_SAFE_ADDRESS": self.safe,
            "L2_ACTIVATION_DELAY_SECONDS": self.activation_delay,
        }


def _require_local() -> None:
    if settings.L2_CHAIN_ID != ANVIL_CHAIN_ID:
        raise NotALocalChainError(f"local deployment only on chain id {ANVIL_CHAIN_ID}, not {settings.L2_CHAIN_ID}")


@functools.lru_cache(maxsize=16)
def dev_key(index: int) -> bytes:
    """The private key of anvil's development account `index` (public knowledge; 31337 only)."""
    Account.enable_unaudited_hdwallet_features()
    account = Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return bytes(account.key)


def dev_signer(index: int) -> Signer:
    _require_local()
    return key_from_text(dev_key(index).hex(), chain_id=ANVIL_CHAIN_ID)


def safe_owner_keys() -> list[bytes]:
    """The demo Safe's owner keys (anvil accounts 7, 8, 9); only ever used on 31337."""
    _require_local()
    return [dev_key(i) for i in SAFE_OWNER_INDEXES]


def mine(blocks: int = 1) -> None:
    _require_local()
    get_client().request("anvil_mine", [hex(blocks)])


def advance_time(seconds: int) -> int:
    """Move the local chain's clock forward by `seconds` and mine a block; return its timestamp."""
    _require_local()
    client = get_client()
    client.request("evm_increaseTime", [hex(seconds)])
    client.request("evm_mine")
    block = client.get_block("latest") or {}
    return int(block.get("timestamp", "0x0"), 16)


def wait_final(tx_ids: Iterable[int], *, timeout: float = 60.0) -> list[L2Transaction]:
    """Run tracker passes, mining a block between them, until every transaction is final."""
    _require_local()
    ids = list(tx_ids)
    deadline = time.monotonic() + timeout
    while True:
        track_transactions(actor="local:wait_final")
        txs = list(L2Transaction.objects.filter(pk__in=ids).order_by("id"))
        if all(tx.status in L2Transaction.FINAL_STATUSES for tx in txs):
            return txs
        if time.monotonic() > deadline:
            raise TimeoutError(f"not final after {timeout:.0f} s: {[str(t) for t in txs]}")
        mine()
        time.sleep(0.02)


def execute_as_safe(client: ChainClient, safe_address: str, *, to: str, data: str,
                    owner_keys: list[bytes] | None = None, sender: Signer | None = None) -> SentTransaction:
    """Build a Safe transaction, sign it with `owner_keys` (default: the demo owners' threshold),
    and execute it from `sender` (default: the deployer). On the local chain only."""
    _require_local()
    tx = safe.build(client, safe_address, to=to, data=data)
    keys = owner_keys if owner_keys is not None else safe_owner_keys()[:SAFE_THRESHOLD]
    signatures = dict(safe.sign(tx, key) for key in keys)
    return send_and_wait(client, sender or dev_signer(DEPLOYER_INDEX), to=tx.safe,
                         data=safe.exec_transaction_data(tx, signatures))


def _deploy(client: ChainClient, deployer: Signer, name: str, *args: object) -> SentTransaction:
    sent = send_and_wait(client, deployer, to=None, data=contracts.load_artifact(name).deploy_data(*args))
    if not sent.contract_address:
        raise PermanentChainError(f"deploying {name} created no contract")
    return sent


def deploy_safe(client: ChainClient, deployer: Signer, owners: list[str], threshold: int) -> str:
    """Safe's singleton and proxy factory, then a Safe proxy with `owners` and `threshold`."""
    return _deploy_safe(client, deployer, owners, threshold)[0]


def _deploy_safe(client: ChainClient, deployer: Signer, owners: list[str], threshold: int) -> tuple[str, str]:
    singleton = _deploy(client, deployer, contracts.SAFE).contract_address
    factory = _deploy(client, deployer, contracts.SAFE_PROXY_FACTORY).contract_address
    created = send_and_wait(
        client, deployer, to=factory,
        data=contracts.load_artifact(contracts.SAFE_PROXY_FACTORY).encode_call(
            "createProxyWithNonce", singleton, bytes.fromhex(safe.setup_data(owners, threshold)[2:]), 0
        ),
    )
    topic = "0x" + keccak256(b"ProxyCreation(address,address)").hex()
    proxies = [log["topics"][1] for log in created.logs if log["topics"] and log["topics"][0] == topic]
    if len(proxies) != 1:
        raise PermanentChainError("the Safe proxy factory created no Safe")
    return normalize_eth_address("0x" + proxies[0][-40:]), created.tx_hash


def deploy_local_contracts(
    *, supply_atomic: int, fund_atomic: int, activation_delay: int | None = None, end_time: int = 0
) -> LocalDeployment:
    """Deploy TestSESH (whole supply to the deployer), a 2-of-3 Safe and SwapDistributor (the Safe
    as admin), grant the publisher and the watchdog their roles through the Safe, and fund the
    distributor with `fund_atomic`. Returns the addresses."""
    _require_local()
    client = get_client()
    deployer = dev_signer(DEPLOYER_INDEX)
    publisher, guardian = load_signer().address, load_guardian().address
    delay = settings.L2_ACTIVATION_DELAY_SECONDS if activation_delay is None else activation_delay
    token_tx = _deploy(client, deployer, contracts.TOKEN, supply_atomic)
    token = token_tx.contract_address
    owners = [Account.from_key(key).address for key in safe_owner_keys()]
    safe_address, safe_tx = _deploy_safe(client, deployer, owners, SAFE_THRESHOLD)
    created = _deploy(client, deployer, contracts.DISTRIBUTOR, token, safe_address, end_time, delay)
    distributor = created.contract_address
    sent = [("TestSESH", token_tx.tx_hash), ("Safe 2-of-3", safe_tx), ("SwapDistributor", created.tx_hash)]
    for name, role, account in (("publisher role", contracts.PUBLISHER_ROLE, publisher),
                                ("guardian role", contracts.GUARDIAN_ROLE, guardian),
                                ("pauser role", contracts.PAUSER_ROLE, guardian)):
        grant = execute_as_safe(client, safe_address, to=distributor, data=contracts.grant_role_data(role, account))
        sent.append((f"{name} (Safe)", grant.tx_hash))
    if fund_atomic:
        funding = send_and_wait(client, deployer, to=token, data=contracts.transfer_data(distributor, fund_atomic))
        sent.append(("funding", funding.tx_hash))
    mine(settings.L2_CONFIRMATIONS)  # the whole deployment final before anything reads it "at a final block"
    return LocalDeployment(
        token=token, distributor=distributor, deploy_block=created.block_number, safe=safe_address,
        safe_owners=tuple(normalize_eth_address(o) for o in owners), publisher=publisher, guardian=guardian,
        activation_delay=delay, transactions=tuple(sent),
    )
