"""The contracts' ABIs, from the committed build in `swap/chain/artifacts/<Name>.json`, and call encoding.

Encoding is done here from the ABI (selector = first 4 bytes of keccak256 of the signature,
arguments by eth-abi), so the rest of the service never assembles call data by hand, and the
committed artifact — built by `npm run build` from `contracts/` — is the only description of the
contracts the service trusts. Reads (`eth_call`) go through the client like everything else.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi import decode, encode

from swap.chain.client import BlockId, ChainClient
from swap.chain.errors import PermanentChainError
from swap.core.eth_address import normalize_eth_address
from swap.core.keccak import keccak256

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
DISTRIBUTOR = "SwapDistributor"
TOKEN = "TestSESH"  # noqa: S105 - a contract name; its ERC-20 ABI reads the real SESH too
PUBLISHER_ROLE = "0x" + keccak256(b"PUBLISHER_ROLE").hex()
PAUSER_ROLE = "0x" + keccak256(b"PAUSER_ROLE").hex()
CLAIMED_EVENT = "Claimed(address,uint256,uint256)"
CLAIMED_TOPIC = "0x" + keccak256(CLAIMED_EVENT.encode()).hex()
ROOT_PUBLISHED_EVENT = "RootPublished(uint64,bytes32,bytes32,uint256,uint256)"
ROOT_PUBLISHED_TOPIC = "0x" + keccak256(ROOT_PUBLISHED_EVENT.encode()).hex()


class ArtifactError(RuntimeError):
    """A contract artifact is missing or lacks the function asked for."""


def _type_of(item: dict[str, Any]) -> str:
    """The canonical ABI type of one input, tuples expanded (`(uint256,address)[]`)."""
    kind: str = item["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_type_of(c) for c in item["components"]) + ")" + kind[len("tuple"):]
    return kind


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str

    def function(self, name: str) -> dict[str, Any]:
        matches = [item for item in self.abi if item.get("type") == "function" and item.get("name") == name]
        if len(matches) != 1:
            raise ArtifactError(f"{self.name} has {len(matches)} functions named {name!r}")
        return matches[0]

    def encode_call(self, name: str, *args: Any) -> str:
        """Return `0x` + selector + encoded arguments for `name(args)`."""
        item = self.function(name)
        types = [_type_of(i) for i in item["inputs"]]
        selector = keccak256(f"{name}({','.join(types)})".encode())[:4]
        return "0x" + (selector + encode(types, list(args))).hex()

    def decode_result(self, name: str, data: str) -> tuple[Any, ...]:
        types = [_type_of(o) for o in self.function(name)["outputs"]]
        return tuple(decode(types, bytes.fromhex(data[2:] if data.startswith("0x") else data)))

    def deploy_data(self, *args: Any) -> str:
        """Creation code followed by the encoded constructor arguments."""
        constructors = [item for item in self.abi if item.get("type") == "constructor"]
        types = [_type_of(i) for i in constructors[0]["inputs"]] if constructors else []
        code = self.bytecode if self.bytecode.startswith("0x") else "0x" + self.bytecode
        return code + encode(types, list(args)).hex()


@functools.lru_cache(maxsize=8)
def load_artifact(name: str) -> Artifact:
    path = ARTIFACTS_DIR / f"{name}.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ArtifactError(f"{path} is missing: run `npm run build` (the artifacts are committed)") from None
    return Artifact(name=name, abi=data["abi"], bytecode=data["bytecode"])


def _bytes32(value: str | bytes) -> bytes:
    raw = value if isinstance(value, bytes) else bytes.fromhex(value[2:])
    if len(raw) != 32:
        raise ValueError(f"{value!r} is not 32 bytes")
    return raw


# -- SwapDistributor: call data ------------------------------------------------------------------


def publish_root_data(root: str, round_id: int, total: int, accounts: int) -> str:
    return load_artifact(DISTRIBUTOR).encode_call("publishRoot", _bytes32(root), round_id, total, accounts)


def claim_data(account: str, cumulative_amount: int, proof: list[str]) -> str:
    """`claim(account, cumulativeAmount, proof)` (SPEC §5): what a person's wallet sends."""
    return load_artifact(DISTRIBUTOR).encode_call("claim", account, cumulative_amount, [_bytes32(p) for p in proof])


def claim_many_data(
    expected_root: str, accounts: list[str], amounts: list[int], proof: list[str], proof_flags: list[bool]
) -> str:
    """`claimMany`: a payout batch; accounts in the multiproof's leaf order."""
    return load_artifact(DISTRIBUTOR).encode_call(
        "claimMany", _bytes32(expected_root), accounts, amounts, [_bytes32(p) for p in proof], proof_flags
    )


def grant_role_data(role: str, account: str) -> str:
    return load_artifact(DISTRIBUTOR).encode_call("grantRole", _bytes32(role), account)


def pause_data() -> str:
    """`pause()`: stops every claim and payout batch until the admin unpauses (needs `PAUSER_ROLE`)."""
    return load_artifact(DISTRIBUTOR).encode_call("pause")


def transfer_data(to: str, amount: int) -> str:
    return load_artifact(TOKEN).encode_call("transfer", to, amount)


# -- reads -------------------------------------------------------------------------------------


def read(client: ChainClient, name: str, address: str, function: str, *args: Any, block: BlockId = "latest") -> Any:
    """`eth_call` one view function and return its single (or tuple of) decoded result(s)."""
    artifact = load_artifact(name)
    answer = client.call(address, artifact.encode_call(function, *args), block)
    try:
        result = artifact.decode_result(function, answer)
    except Exception:  # eth-abi's decoding errors: no contract there, or another contract
        shown = answer[:20]
        raise PermanentChainError(f"{name}.{function} at {address} answered {shown!r}: no such contract?") from None
    return result[0] if len(result) == 1 else result


def merkle_root(client: ChainClient, distributor: str, block: BlockId = "latest") -> str:
    return "0x" + bytes(read(client, DISTRIBUTOR, distributor, "merkleRoot", block=block)).hex()


def is_paused(client: ChainClient, distributor: str, block: BlockId = "latest") -> bool:
    return bool(read(client, DISTRIBUTOR, distributor, "paused", block=block))


def claimed(client: ChainClient, distributor: str, account: str, block: BlockId = "latest") -> int:
    return int(read(client, DISTRIBUTOR, distributor, "claimed", account, block=block))


def token_balance(client: ChainClient, token: str, account: str, block: BlockId = "latest") -> int:
    return int(read(client, TOKEN, token, "balanceOf", account, block=block))


@dataclass(frozen=True)
class PublishedRoot:
    """One `RootPublished` log: what the publisher declared for a root, and where it is on chain."""

    round_id: int
    root: str
    previous_root: str
    total: int
    accounts: int
    block_number: int
    tx_hash: str


def decode_root_published_log(log: dict[str, Any]) -> PublishedRoot:
    if not log.get("topics") or log["topics"][0] != ROOT_PUBLISHED_TOPIC or len(log["topics"]) != 3:
        raise ValueError("not a RootPublished log")
    previous, total, accounts = decode(["bytes32", "uint256", "uint256"], bytes.fromhex(log["data"][2:]))
    return PublishedRoot(
        round_id=int(log["topics"][1], 16), root=log["topics"][2], previous_root="0x" + bytes(previous).hex(),
        total=int(total), accounts=int(accounts), block_number=int(log["blockNumber"], 16),
        tx_hash=log["transactionHash"],
    )


def root_publications(client: ChainClient, distributor: str, root: str, *, from_block: int = 0) -> list[PublishedRoot]:
    """Every `RootPublished` of `root` by `distributor` from `from_block` to the latest block."""
    topics = [ROOT_PUBLISHED_TOPIC, None, root.lower()]
    logs = client.get_logs(address=distributor, topics=topics, from_block=from_block, to_block=client.block_number())
    return [decode_root_published_log(log) for log in logs]


def decode_claimed_log(log: dict[str, Any]) -> tuple[str, int, int]:
    """(account, amount, cumulativeAmount) of a `Claimed` log."""
    if not log.get("topics") or log["topics"][0] != CLAIMED_TOPIC:
        raise ValueError("not a Claimed log")
    account = normalize_eth_address("0x" + log["topics"][1][-40:])
    amount, cumulative = decode(["uint256", "uint256"], bytes.fromhex(log["data"][2:]))
    return account, int(amount), int(cumulative)
