"""The contracts' ABIs, from the committed build in `swap/chain/artifacts/<Name>.json`, and call encoding.

Encoding is done here from the ABI (selector = first 4 bytes of keccak256 of the signature,
arguments by eth-abi), so the rest of the service never assembles call data by hand, and the
committed artifact — built by `npm run build` from `contracts/` — is the only description of the
contracts the service trusts. Reads (`eth_call`) go through the client like everything else.
"""

from __future__ import annotations

import functools
import json
import re
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
SAFE = "SafeL2"
SAFE_PROXY_FACTORY = "SafeProxyFactory"
DEFAULT_ADMIN_ROLE = "0x" + "00" * 32
PUBLISHER_ROLE = "0x" + keccak256(b"PUBLISHER_ROLE").hex()
PAUSER_ROLE = "0x" + keccak256(b"PAUSER_ROLE").hex()
GUARDIAN_ROLE = "0x" + keccak256(b"GUARDIAN_ROLE").hex()
ROLES = {"admin": DEFAULT_ADMIN_ROLE, "publisher": PUBLISHER_ROLE, "pauser": PAUSER_ROLE, "guardian": GUARDIAN_ROLE}


def _topic(signature: str) -> str:
    return "0x" + keccak256(signature.encode()).hex()


CLAIMED_EVENT = "Claimed(address,uint256,uint256)"
CLAIMED_TOPIC = _topic(CLAIMED_EVENT)
ROOT_PUBLISHED_EVENT = "RootPublished(uint64,bytes32,bytes32,uint256,uint256)"
ROOT_PUBLISHED_TOPIC = _topic(ROOT_PUBLISHED_EVENT)
ROOT_PROPOSED_EVENT = "RootProposed(uint64,bytes32,uint256,uint256,uint64)"
ROOT_PROPOSED_TOPIC = _topic(ROOT_PROPOSED_EVENT)
ROOT_VETOED_EVENT = "RootVetoed(uint64,bytes32,address)"
ROOT_VETOED_TOPIC = _topic(ROOT_VETOED_EVENT)
REMAINDER_WITHDRAWN_EVENT = "RemainderWithdrawn(address,uint256)"
REMAINDER_WITHDRAWN_TOPIC = _topic(REMAINDER_WITHDRAWN_EVENT)


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

    def selector(self, name: str) -> str:
        """`0x` + the 4-byte selector of `name`, from its ABI signature."""
        types = [_type_of(i) for i in self.function(name)["inputs"]]
        return "0x" + keccak256(f"{name}({','.join(types)})".encode())[:4].hex()

    def encode_call(self, name: str, *args: Any) -> str:
        """Return `0x` + selector + encoded arguments for `name(args)`."""
        types = [_type_of(i) for i in self.function(name)["inputs"]]
        return self.selector(name) + encode(types, list(args)).hex()

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


def propose_root_data(root: str, round_id: int, total: int, accounts: int) -> str:
    """`proposeRoot(root, newRoundId, total, accounts)`: the publisher's only power (SPEC §5)."""
    return load_artifact(DISTRIBUTOR).encode_call("proposeRoot", _bytes32(root), round_id, total, accounts)


def activate_root_data() -> str:
    """`activateRoot()`: anyone, once the pending root's delay is over."""
    return load_artifact(DISTRIBUTOR).encode_call("activateRoot")


def veto_root_data(root: str) -> str:
    """`vetoRoot(root)`: the guardian drops a pending root for good."""
    return load_artifact(DISTRIBUTOR).encode_call("vetoRoot", _bytes32(root))


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


def revoke_role_data(role: str, account: str) -> str:
    return load_artifact(DISTRIBUTOR).encode_call("revokeRole", _bytes32(role), account)


def pause_data() -> str:
    """`pause()`: stops every claim, payout batch and activation until the admin unpauses (`PAUSER_ROLE`)."""
    return load_artifact(DISTRIBUTOR).encode_call("pause")


def unpause_data() -> str:
    return load_artifact(DISTRIBUTOR).encode_call("unpause")


def set_end_time_data(end_time: int) -> str:
    return load_artifact(DISTRIBUTOR).encode_call("setEndTime", end_time)


def withdraw_remainder_data(to: str) -> str:
    return load_artifact(DISTRIBUTOR).encode_call("withdrawRemainder", to)


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


def _hex32(value: Any) -> str:
    return "0x" + bytes(value).hex()


def merkle_root(client: ChainClient, distributor: str, block: BlockId = "latest") -> str:
    """The active root (zero before the first activation)."""
    return _hex32(read(client, DISTRIBUTOR, distributor, "merkleRoot", block=block))


@dataclass(frozen=True)
class DistributorState:
    """What the distributor says about its roots at one block: the active one and the pending one."""

    round_id: int
    merkle_root: str
    pending_round_id: int
    pending_root: str
    pending_activates_at: int
    paused: bool
    closed: bool
    end_time: int

    @property
    def has_pending(self) -> bool:
        return int(self.pending_root, 16) != 0


def distributor_state(client: ChainClient, distributor: str, block: BlockId = "latest") -> DistributorState:
    """Read the active and pending roots, pause and end in one consistent block."""
    if block == "latest":
        block = client.block_number()

    def get(name: str) -> Any:
        return read(client, DISTRIBUTOR, distributor, name, block=block)

    return DistributorState(
        round_id=int(get("roundId")), merkle_root=_hex32(get("merkleRoot")),
        pending_round_id=int(get("pendingRoundId")), pending_root=_hex32(get("pendingRoot")),
        pending_activates_at=int(get("pendingActivatesAt")), paused=bool(get("paused")), closed=bool(get("closed")),
        end_time=int(get("endTime")),
    )


def activation_delay(client: ChainClient, distributor: str) -> int:
    return int(read(client, DISTRIBUTOR, distributor, "activationDelay"))


def is_vetoed(client: ChainClient, distributor: str, root: str, block: BlockId = "latest") -> bool:
    return bool(read(client, DISTRIBUTOR, distributor, "vetoed", _bytes32(root), block=block))


def has_role(client: ChainClient, distributor: str, role: str, account: str, block: BlockId = "latest") -> bool:
    return bool(read(client, DISTRIBUTOR, distributor, "hasRole", _bytes32(role), account, block=block))


def roles_of(client: ChainClient, distributor: str, account: str) -> list[str]:
    """The names (`admin`, `publisher`, `pauser`, `guardian`) of the roles `account` holds."""
    return [name for name, role in ROLES.items() if has_role(client, distributor, role, account)]


def is_closed(client: ChainClient, distributor: str, block: BlockId = "latest") -> bool:
    """The remainder was withdrawn: nothing is claimable any more (`closed`)."""
    return bool(read(client, DISTRIBUTOR, distributor, "closed", block=block))


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


@dataclass(frozen=True)
class ProposedRoot:
    """One `RootProposed` log: a root the publisher asked for, and when it may be activated."""

    round_id: int
    root: str
    total: int
    accounts: int
    activates_at: int
    block_number: int
    tx_hash: str
    log_index: int


def decode_root_proposed_log(log: dict[str, Any]) -> ProposedRoot:
    if not log.get("topics") or log["topics"][0] != ROOT_PROPOSED_TOPIC or len(log["topics"]) != 3:
        raise ValueError("not a RootProposed log")
    total, accounts, activates_at = decode(["uint256", "uint256", "uint64"], bytes.fromhex(log["data"][2:]))
    return ProposedRoot(
        round_id=int(log["topics"][1], 16), root=log["topics"][2].lower(), total=int(total), accounts=int(accounts),
        activates_at=int(activates_at), block_number=int(log["blockNumber"], 16), tx_hash=log["transactionHash"],
        log_index=int(log["logIndex"], 16),
    )


def root_proposals(client: ChainClient, distributor: str, *, from_block: int, to_block: int) -> list[ProposedRoot]:
    """Every `RootProposed` of `distributor` in the blocks [from_block, to_block], in chain order."""
    logs = client.get_logs(address=distributor, topics=[ROOT_PROPOSED_TOPIC], from_block=from_block,
                           to_block=to_block)
    return [decode_root_proposed_log(log) for log in logs]


def proposals_in_receipt(receipt: dict[str, Any], distributor: str) -> list[ProposedRoot]:
    """The `RootProposed` logs `distributor` emitted in one transaction receipt."""
    return [
        decode_root_proposed_log(log) for log in receipt.get("logs", [])
        if log.get("address", "").lower() == distributor.lower() and log.get("topics")
        and log["topics"][0] == ROOT_PROPOSED_TOPIC
    ]


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


def remainder_withdrawals(client: ChainClient, distributor: str, *, from_block: int,
                          to_block: int | None = None) -> list[tuple[str, int, str]]:
    """(recipient, amount, tx hash) of every `RemainderWithdrawn` log (at most one: it closes the program)."""
    logs = client.get_logs(address=distributor, topics=[REMAINDER_WITHDRAWN_TOPIC], from_block=from_block,
                           to_block=client.block_number() if to_block is None else to_block)
    return [(normalize_eth_address("0x" + log["topics"][1][-40:]), int(log["data"], 16), log["transactionHash"])
            for log in logs]


# -- reverts -----------------------------------------------------------------------------------

_REVERT_DATA = re.compile(r"0x[0-9a-fA-F]{8,}")
ERROR_STRING_SELECTOR = "0x08c379a0"  # Error(string), what `require(…, "GS020")` reverts with


def _error_selector(item: dict[str, Any]) -> str:
    types = [_type_of(i) for i in item["inputs"]]
    return "0x" + keccak256(f"{item['name']}({','.join(types)})".encode())[:4].hex()


@functools.lru_cache(maxsize=4)
def error_names_by_selector(name: str = DISTRIBUTOR) -> dict[str, str]:
    """selector -> error name, for every custom error in one contract's ABI (what a browser decodes).

    Cached like the artifact it reads: every page with a claim section asks for it. Read it, never change it."""
    return {_error_selector(item): item["name"] for item in load_artifact(name).abi if item.get("type") == "error"}


@functools.lru_cache(maxsize=1)
def _errors_by_selector() -> dict[str, tuple[str, list[str], list[str]]]:
    """selector -> (error name, argument names, argument types), over every artifact's ABI."""
    table: dict[str, tuple[str, list[str], list[str]]] = {}
    for name in (DISTRIBUTOR, TOKEN, SAFE):
        for item in load_artifact(name).abi:
            if item.get("type") != "error":
                continue
            types = [_type_of(i) for i in item["inputs"]]
            table[_error_selector(item)] = (item["name"], [i["name"] for i in item["inputs"]], types)
    return table


def decode_revert_data(data: str) -> str | None:
    """`NotYetActive(activatesAt=1733…)` for revert data the ABIs know, or None."""
    selector, body = data[:10].lower(), bytes.fromhex(data[10:]) if len(data) > 10 else b""
    try:
        if selector == ERROR_STRING_SELECTOR:
            (text,) = decode(["string"], body)
            return str(text)
        known = _errors_by_selector().get(selector)
        if known is None:
            return None
        name, names, types = known
        values = decode(types, body)
    except Exception:  # truncated or foreign data: not ours to explain
        return None
    shown = ", ".join(
        f"{n}={'0x' + bytes(v).hex() if isinstance(v, bytes) else v}" for n, v in zip(names, values, strict=True)
    )
    return f"{name}({shown})"


def describe_revert(message: str) -> str:
    """A node's revert message with the contract's named error spelled out where it can be decoded."""
    for candidate in _REVERT_DATA.findall(message):
        decoded = decode_revert_data(candidate)
        if decoded is not None:
            return f"{decoded} [{message[:200]}]"
    return message
