"""Who takes part in the demo: sample holders, their wallets, ETH addresses and deposits.

Pure data. Alice owns two staking wallets and claims her SESH herself with the served proof; Bob
asks the service to push his SESH (a payout); Carol never staked and swaps coins through a claim.
The others are operators and contributors of the bundled history picked across the stake range,
so the leaderboard has a head and a tail; some of them earned nothing in the window.
"""

from __future__ import annotations

from dataclasses import dataclass

from swap.demo.wallets import ANVIL_HOLDER_ACCOUNTS, demo_eth_address

OXEN = 10**9


@dataclass(frozen=True)
class Holder:
    name: str
    wallets: tuple[int, ...]  # demo wallet indices (see swap.demo.wallets)
    eth_address: str


ALICE = Holder("Alice", (0, 1), ANVIL_HOLDER_ACCOUNTS[0])
BOB = Holder("Bob", (2,), ANVIL_HOLDER_ACCOUNTS[1])
CAROL = Holder("Carol", (300,), ANVIL_HOLDER_ACCOUNTS[2])
OTHER_WALLETS = (3, 4, 5, 12, 20, 33, 47, 58, 71, 86, 99, 104, 118, 127, 139, 150, 166, 172, 203, 227, 251, 266, 289)
HOLDERS = (ALICE, BOB, CAROL) + tuple(Holder(f"holder {w}", (w,), demo_eth_address(w)) for w in OTHER_WALLETS)
# Registered first with another ETH address, then replaced by the one above (history is kept).
CHANGES_ADDRESS = 12
FIRST_ETH_OF_CHANGER = demo_eth_address(10_012)

# Coin claims: (holder, wallet that opens the claim, deposit in atomic OXEN).
DEPOSITS = (
    (CAROL, 300, 25_000 * OXEN + 123_456_789),
    (ALICE, 0, 1_234 * OXEN + 567_891_234),
)
# The Oxen Privacy Tech Foundation's holding, excluded from the circulating supply (SPEC §4).
OPTF_WALLET = 900
OPTF_HOLDING = 4_200_000 * OXEN

PAYOUT_HOLDER = BOB
SELF_CLAIM_HOLDER = ALICE
