"""Every registration: the wallet signature over its exact text, network, primary address, replay rule."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sesh_verify.bundle import Bundle
from sesh_verify.errors import Broken
from swap.core import bundle_format as fmt
from swap.core import registration_text
from swap.core.cryptonote_keys import key_problem
from swap.core.eth_address import EthAddressError, normalize_eth_address, parse_eth_address
from swap.core.keccak import keccak256
from swap.core.oxen_address import AddressKind, InvalidAddress, Network, decode_address
from swap.core.oxen_signature import InvalidSignature, check_signature, decode_signature
from swap.core.service_node_keys import verify_service_node_signature_hex

CHECK = "registrations"


@dataclass(frozen=True)
class Registration:
    id: int
    oxen_address: str
    eth_address: str
    created_at: datetime
    superseded_at: datetime | None
    replaces: int | None
    signed_at: int | None


def _time(text: object, check: str, record: str) -> datetime:
    if not isinstance(text, str):
        raise Broken(check, record, f"time {text!r:.40} is not ISO 8601")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Broken(check, record, f"time {text!r:.40} is not ISO 8601") from None
    if moment.tzinfo is None:
        raise Broken(check, record, f"time {text} has no timezone")
    return moment


def _verify_row(row: dict[str, object], network: Network, record: str) -> None:
    """The proof of one row, exactly as the service accepted it."""
    oxen, eth, message = row["oxen_address"], row["eth_address"], row["signed_message"]
    if not (isinstance(oxen, str) and isinstance(eth, str) and isinstance(message, str)):
        raise Broken(CHECK, record, "oxen_address, eth_address and signed_message must be text")
    try:
        # The spend key's subgroup check is the signature check's own (`check_signature`, strict), so
        # only the view key is checked here: the same refusals as the service's strict decoding, once.
        address = decode_address(oxen, check_keys=False)
    except InvalidAddress as error:
        raise Broken(CHECK, record, f"the Oxen address does not decode: {error}") from None
    problem = key_problem(address.view_public_key, strict=True)
    if problem is not None:
        raise Broken(CHECK, record, f"the Oxen address does not decode: view key is {problem}")
    if address.network is not network:
        raise Broken(CHECK, record, f"a {address.network.value} address; the service accepts {network.value}")
    if address.kind is not AddressKind.STANDARD:
        raise Broken(CHECK, record, f"a {address.kind.value} address, not a primary address")
    try:
        if normalize_eth_address(eth) != eth:
            raise Broken(CHECK, record, f"ETH address {eth} is not in EIP-55 form")
    except EthAddressError as error:
        raise Broken(CHECK, record, f"ETH address: {error}") from None
    signed_at = row["signed_at"]
    if signed_at is not None and type(signed_at) is not int:
        raise Broken(CHECK, record, f"signed_at {signed_at!r:.40} is not unix seconds")
    named = registration_text.signed_address(message, signed_at)
    if named != parse_eth_address(eth):
        raise Broken(CHECK, record, f"the signed text {message!r} does not name {eth}"
                     + ("" if signed_at is None else f" followed by the signed time {signed_at}"))
    signature = row["signature"]
    try:
        raw = decode_signature(signature if isinstance(signature, str) else "")
    except InvalidSignature as error:
        raise Broken(CHECK, record, f"the signature does not decode: {error}") from None
    verdict = check_signature(keccak256(message.encode()), address.spend_public_key, raw, strict=True)
    if not verdict:
        raise Broken(CHECK, record, f"the SigV1 signature does not verify over {message!r} with this address's "
                                    f"spend key ({verdict.reason})")
    node_pubkey, node_signature = row.get("node_pubkey") or "", row.get("node_signature") or ""
    if node_pubkey or node_signature:
        result = verify_service_node_signature_hex(str(node_pubkey), message.encode(), str(node_signature))
        if not result:
            raise Broken(CHECK, record, f"the service node proof does not verify: {result.reason}")


def check_registrations(bundle: Bundle) -> tuple[dict[int, Registration], str]:
    """Every row's proof, and each Oxen address's history as one chain obeying the replay rule."""
    manifest = bundle.manifest
    network = Network(manifest["parameters"]["oxen_network"])
    rules = manifest["parameters"]["registration"]
    cutoff = _time(manifest["cutoff"], "manifest", "cutoff")
    rows: dict[int, Registration] = {}
    by_address: dict[str, list[Registration]] = defaultdict(list)
    for number, line in enumerate(bundle.files[fmt.REGISTRATIONS].splitlines(), start=1):
        where = f"{fmt.REGISTRATIONS} line {number}"
        try:
            row = json.loads(line)
            record = f"registration {row['id']} ({row['oxen_address'][:6]}…{row['oxen_address'][-6:]} → " \
                     f"{row['eth_address']})"
        except (ValueError, KeyError, TypeError):
            raise Broken(CHECK, where, "not a registration record") from None
        if type(row["id"]) is not int or row["id"] in rows:
            raise Broken(CHECK, record, "its id is not a unique integer")
        _verify_row(row, network, record)
        created = _time(row["created_at"], CHECK, record)
        if created > cutoff:
            raise Broken(CHECK, record, f"created {created.isoformat()}, after the round's cut-off")
        superseded = None if row["superseded_at"] is None else _time(row["superseded_at"], CHECK, record)
        registration = Registration(row["id"], row["oxen_address"], row["eth_address"], created, superseded,
                                    row["replaces"], row["signed_at"])
        problem = registration_text.signed_at_problem(
            registration.signed_at, int(created.timestamp()), window_seconds=rules["replay_window_seconds"],
            skew_seconds=rules["clock_skew_seconds"])
        if problem is not None:
            raise Broken(CHECK, record, f"replay rule: signed time {registration.signed_at} is {problem} at "
                                        f"{created.isoformat()}")
        rows[registration.id] = registration
        by_address[registration.oxen_address].append(registration)
    for address, history in by_address.items():
        _check_history(address, history)
    return rows, f"{len(rows)} registrations of {len(by_address)} Oxen addresses: signatures, networks, replay rule"


def _check_history(address: str, history: list[Registration]) -> None:
    """One chain per address: each row replaces the one before it, which was superseded when it came."""
    by_id = {row.id: row for row in history}
    firsts = [row for row in history if row.replaces is None]
    if len(firsts) != 1:
        raise Broken(CHECK, f"Oxen address {address[:6]}…{address[-6:]}", f"{len(firsts)} first registrations, not 1")
    successor: dict[int, Registration] = {}
    for row in history:
        if row.replaces is not None:
            if row.replaces not in by_id:
                raise Broken(CHECK, f"registration {row.id}", f"replaces {row.replaces}, not a row of {address[:6]}…")
            if row.replaces in successor:
                raise Broken(CHECK, f"registration {row.id}", f"registration {row.replaces} is replaced twice")
            successor[row.replaces] = row
    chain, current = [firsts[0]], firsts[0]
    while current.id in successor:
        current = successor[current.id]
        chain.append(current)
    if len(chain) != len(history):
        raise Broken(CHECK, f"Oxen address {address[:6]}…{address[-6:]}", "its rows are not one chain")
    for index, row in enumerate(chain):
        following = chain[index + 1] if index + 1 < len(chain) else None
        expected = None if following is None else following.created_at
        if row.superseded_at != expected:
            raise Broken(CHECK, f"registration {row.id}", f"superseded_at {row.superseded_at} but its successor "
                                                          f"came at {expected}")
        if index == 0:
            continue
        earlier = {previous.eth_address for previous in chain[: index - 1]}
        problem = registration_text.replay_problem(earlier, row.eth_address, row.signed_at,
                                                   chain[index - 1].created_at.timestamp())
        if problem is not None:
            raise Broken(CHECK, f"registration {row.id} ({address[:6]}…{address[-6:]} → {row.eth_address})",
                         f"replay rule: {problem.replace('_', ' ')} (registration {chain[index - 1].id} was current)")


def in_force(rows: dict[int, Registration], at: datetime) -> dict[str, tuple[Registration, datetime]]:
    """{Oxen address: (the row in force at `at`, first registration time)}."""
    first: dict[str, datetime] = {}
    for row in rows.values():
        if row.oxen_address not in first or row.created_at < first[row.oxen_address]:
            first[row.oxen_address] = row.created_at
    return {row.oxen_address: (row, first[row.oxen_address]) for row in rows.values()
            if row.created_at <= at and (row.superseded_at is None or row.superseded_at > at)}
