"""`manage.py verify_round DUMP.json [--rpc URL --distributor ADDRESS [--from-block N]]`: check a round.

Recomputes the root from a `standard-v1` dump (every leaf and node re-hashed by
`swap.core.merkle`, the dump must be exactly what the standard builder makes of its values) and,
given a node and a distributor, checks it on chain: the distributor's `RootPublished` log for that
root (emitted when it was activated) and every `RootProposed` log of it must declare the dump's
total and account count, and the root must be the current `merkleRoot` or one activated before it
(an earlier round, which a later cumulative one superseded). A root that is only proposed is
reported as pending with its activation time; a vetoed one is an error. Works against any node
and chain: it only reads. Prints one line `ok: …` and exits 0, or one line `error: …` on stderr
and exits 1.
"""

import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from swap.chain import contracts
from swap.chain.client import read_only_client
from swap.chain.errors import ChainError
from swap.core.eth_address import EthAddressError, normalize_eth_address
from swap.core.merkle import MerkleDumpError, StandardMerkleTree


class Command(BaseCommand):
    help = (
        "Recompute a round's root from its standard-v1 dump; with --rpc and --distributor, check it is the "
        "distributor's merkleRoot on chain. Prints 'ok: …' (exit 0) or 'error: …' (exit 1)."
    )
    requires_system_checks: list[str] = []  # a verification tool: no database needed

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dump", help="the round's standard-v1 JSON dump")
        parser.add_argument("--rpc", help="JSON-RPC URL of an L2 node (any provider)")
        parser.add_argument("--distributor", help="the SwapDistributor contract address")
        parser.add_argument("--from-block", type=int, default=0,
                            help="search RootPublished logs from this block (the distributor's deployment block; "
                                 "some providers refuse to search from 0)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["dump"])
        rpc, distributor = options["rpc"], options["distributor"]
        if bool(rpc) != bool(distributor):
            self._fail("--rpc and --distributor go together")
        try:
            tree = StandardMerkleTree.load(path.read_bytes())
        except OSError as error:
            self._fail(f"cannot read {path}: {error.strerror or 'unreadable'}")
        except (MerkleDumpError, ValueError) as error:
            self._fail(f"{path} is not a valid standard-v1 dump: {error}")
        summary = f"{len(tree)} accounts, total {tree.total} atomic SESH"
        if not rpc:
            self.stdout.write(f"ok: root {tree.root_hex} matches the dump {path.name} ({summary})")
            return
        if options["from_block"] < 0:
            self._fail("--from-block must be a block number (0 or more)")
        try:
            address = normalize_eth_address(distributor)
            client = read_only_client(rpc)
            on_chain = contracts.merkle_root(client, address)
            published = contracts.root_publications(client, address, tree.root_hex, from_block=options["from_block"])
            proposed = [p for p in contracts.root_proposals(client, address, from_block=options["from_block"],
                                                            to_block=client.block_number())
                        if p.root == tree.root_hex.lower()]
            vetoed = contracts.is_vetoed(client, address, tree.root_hex)
        except EthAddressError as error:
            self._fail(f"--distributor: {error}")
        except ChainError as error:
            self._fail(f"cannot read the distributor's merkleRoot and RootPublished logs: {error}")
        where = f"{address} on chain id {client.chain_id}"
        for proposal in proposed:
            if (proposal.total, proposal.accounts) != (tree.total, len(tree)):
                self._fail(f"round {proposal.round_id} (block {proposal.block_number}) proposed root {tree.root_hex} "
                           f"declaring total {proposal.total} and {proposal.accounts} accounts, but {path.name} has "
                           f"{tree.total} and {len(tree)}")
        if vetoed:
            self._fail(f"root {tree.root_hex} of {path.name} was vetoed by the guardian of {where}: "
                       "it is never claimable")
        if not published and proposed and on_chain != tree.root_hex:
            last = proposed[-1]
            self.stdout.write(f"ok: root {tree.root_hex} is pending on {where} ({summary}; proposed as round "
                              f"{last.round_id} in block {last.block_number}, claimable from unix time "
                              f"{last.activates_at} if no guardian vetoes it)")
            return
        if not published:
            if on_chain == tree.root_hex:  # current, but its log lies before --from-block
                self.stdout.write(f"ok: root {tree.root_hex} matches merkleRoot of {where} ({summary}; "
                                  f"no RootPublished log of it from block {options['from_block']})")
                return
            self._fail(f"root {tree.root_hex} of {path.name} was never published by {where} "
                       f"(searched from block {options['from_block']}); its merkleRoot is {on_chain}")
        for event in published:
            if (event.total, event.accounts) != (tree.total, len(tree)):
                self._fail(f"round {event.round_id} (block {event.block_number}) published root {tree.root_hex} "
                           f"declaring total {event.total} and {event.accounts} accounts, but {path.name} has "
                           f"{tree.total} and {len(tree)}")
        rounds = ", ".join(f"round {e.round_id} in block {e.block_number}" for e in published)
        if on_chain == tree.root_hex:
            self.stdout.write(
                f"ok: root {tree.root_hex} matches merkleRoot of {where} ({summary}; published as {rounds})"
            )
        else:
            self.stdout.write(f"ok: root {tree.root_hex} was published by {where} as {rounds} ({summary}); "
                              f"a later round superseded it: merkleRoot is now {on_chain}")

    def _fail(self, reason: str) -> NoReturn:
        self.stderr.write(f"error: {reason}", style_func=str)
        sys.exit(1)
