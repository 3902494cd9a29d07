"""SwapDistributor on a real local chain: proposals, the delay, vetoes, claims, rounds, payouts, pause, end.

Every test deploys the committed artifacts (the bytecode the service ships) on anvil, builds its
trees with swap.core.merkle, and sends real transactions; the `anvil` fixture reverts the chain
afterwards. Reverts are checked by their custom error, decoded from the contract's ABI.
"""

import json
import subprocess
from pathlib import Path

import pytest
from eth_utils import keccak
from web3 import Web3
from web3.exceptions import ContractCustomError
from web3.logs import DISCARD

from swap.core.merkle import StandardMerkleTree

pytestmark = pytest.mark.chain

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "swap" / "chain" / "artifacts"
SESH = 10**9  # atomic units per SESH
SUPPLY = 60_000_000 * SESH
FUNDING = 1_000_000 * SESH
ZERO_ROOT = bytes(32)
DAY = 86_400
DELAY = 3_600  # the contract's minimum activation delay
NOTICE = 90 * DAY  # the least notice of the program end


def artifact(name):
    return json.loads((ARTIFACTS / f"{name}.json").read_text())


class Chain:
    """web3 on the test's anvil, with the dev accounts and helpers to deploy and transact."""

    def __init__(self, node):
        self.node = node
        self.w3 = Web3(Web3.HTTPProvider(node.url))
        self.accounts = self.w3.eth.accounts
        self.admin, self.publisher, self.pauser, self.stranger, self.guardian = self.accounts[:5]

    def deploy(self, name, *args):
        spec = artifact(name)
        factory = self.w3.eth.contract(abi=spec["abi"], bytecode=spec["bytecode"])
        receipt = self.mined(factory.constructor(*args).transact({"from": self.admin}))
        return self.w3.eth.contract(address=receipt.contractAddress, abi=spec["abi"])

    def mined(self, tx_hash):
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
        assert receipt.status == 1
        return receipt

    def send(self, call, sender=None):
        return self.mined(call.transact({"from": sender or self.stranger}))

    def now(self):
        return self.w3.eth.get_block("latest").timestamp

    def travel_to(self, timestamp):
        self.node.rpc("evm_setNextBlockTimestamp", [timestamp])
        self.node.rpc("evm_mine")

    def wait(self, seconds):
        self.travel_to(self.now() + seconds)


class Deployment:
    """TestSESH and a funded SwapDistributor with its publisher, pauser and guardian roles granted.

    The admin is an account here, so that these tests reach every function directly; the service's
    deployments make it a Safe (tests/distributions/test_root_safety.py).
    """

    def __init__(self, chain, end_time):
        self.chain = chain
        self.token = chain.deploy("TestSESH", SUPPLY)
        self.distributor = chain.deploy("SwapDistributor", self.token.address, chain.admin, end_time, DELAY)
        d = self.distributor.functions
        chain.send(d.grantRole(d.PUBLISHER_ROLE().call(), chain.publisher), chain.admin)
        chain.send(d.grantRole(d.PAUSER_ROLE().call(), chain.pauser), chain.admin)
        chain.send(d.grantRole(d.GUARDIAN_ROLE().call(), chain.guardian), chain.admin)
        chain.send(self.token.functions.transfer(self.distributor.address, FUNDING), chain.admin)
        self.rounds = 0

    @property
    def fn(self):
        return self.distributor.functions

    def propose(self, tree, round_id=None):
        round_id = round_id or self.fn.roundId().call() + 1
        return self.chain.send(self.fn.proposeRoot(tree.root, round_id, tree.total, len(tree)), self.chain.publisher)

    def activate(self):
        return self.chain.send(self.fn.activateRoot(), self.chain.stranger)

    def publish(self, tree):
        """Propose, live through the delay, activate: the receipt of the activation."""
        self.propose(tree)
        self.chain.wait(DELAY)
        return self.activate()

    def claim(self, tree, account, sender=None, amount=None):
        amount = tree.amount_of(account) if amount is None else amount
        call = self.fn.claim(account, amount, tree.proof(account))
        return self.chain.send(call, sender)

    def payout(self, tree, accounts, sender=None):
        multiproof = tree.multiproof(accounts)
        return self.chain.send(self.batch_call(tree, multiproof), sender)

    def batch_call(self, tree, multiproof, values=None):
        values = multiproof.values if values is None else values
        return self.fn.claimMany(
            tree.root, [a for a, _ in values], [m for _, m in values], multiproof.proof, multiproof.proof_flags
        )

    def balance(self, account):
        return self.token.functions.balanceOf(account).call()

    def claimed(self, account):
        return self.fn.claimed(account).call()

    def events(self, receipt, name):
        return [dict(e.args) for e in getattr(self.distributor.events, name)().process_receipt(receipt, errors=DISCARD)]


def reverts_with(call, error, sender, contract):
    """Assert that sending `call` reverts with the custom error `error` (a name from the ABI)."""
    selectors = {}
    for item in contract.abi:
        if item["type"] == "error":
            signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
            selectors["0x" + keccak(text=signature)[:4].hex()] = item["name"]
    with pytest.raises(ContractCustomError) as raised:
        call.transact({"from": sender})
    data = raised.value.data if isinstance(raised.value.data, str) else raised.value.args[0]
    assert selectors.get(data[:10]) == error, f"reverted with {selectors.get(data[:10], data)}, not {error}"


@pytest.fixture
def chain(anvil):
    return Chain(anvil)


@pytest.fixture
def deployment(chain):
    return Deployment(chain, end_time=chain.now() + 365 * DAY)


@pytest.fixture
def people(chain):
    """Ten fresh recipient addresses that hold nothing (not anvil's funded accounts)."""
    return [Web3.to_checksum_address(keccak(text=f"recipient {i}")[:20]) for i in range(10)]


def tree_of(people, amounts):
    return StandardMerkleTree.of(list(zip(people, amounts, strict=False)))


def expect_revert(deployment, call, error, sender=None):
    reverts_with(call, error, sender or deployment.chain.stranger, deployment.distributor)


def test_test_sesh_has_nine_decimals_and_mints_the_supply_to_the_deployer(chain, deployment):
    token = deployment.token.functions
    assert token.decimals().call() == 9
    assert token.symbol().call() == "SESH"
    assert token.totalSupply().call() == SUPPLY
    assert deployment.balance(chain.admin) == SUPPLY - FUNDING


def test_it_publishes_a_root_and_pays_a_claim_made_with_the_served_proof(chain, deployment, people):
    tree = tree_of(people, [(i + 1) * 1_000 * SESH for i in range(10)])
    receipt = deployment.publish(tree)
    assert deployment.events(receipt, "RootPublished") == [
        {"roundId": 1, "root": tree.root, "previousRoot": ZERO_ROOT, "total": tree.total, "accounts": 10}
    ]
    assert deployment.fn.merkleRoot().call() == tree.root
    assert deployment.fn.roundId().call() == 1

    receipt = deployment.claim(tree, people[3])
    assert deployment.balance(people[3]) == 4_000 * SESH
    assert deployment.claimed(people[3]) == 4_000 * SESH
    assert deployment.balance(deployment.distributor.address) == FUNDING - 4_000 * SESH
    assert deployment.events(receipt, "Claimed") == [
        {"account": people[3], "amount": 4_000 * SESH, "cumulativeAmount": 4_000 * SESH}
    ]


def test_anyone_may_send_a_claim_and_it_always_pays_the_account(chain, deployment, people):
    tree = tree_of(people, [100 * SESH] * 10)
    deployment.publish(tree)
    deployment.claim(tree, people[0], sender=chain.accounts[7])
    assert deployment.balance(people[0]) == 100 * SESH
    assert deployment.balance(chain.accounts[7]) == 0


def test_a_claim_pays_once_per_root(chain, deployment, people):
    tree = tree_of(people, [100 * SESH] * 10)
    deployment.publish(tree)
    deployment.claim(tree, people[1])
    call = deployment.fn.claim(people[1], 100 * SESH, tree.proof(people[1]))
    expect_revert(deployment, call, "NothingToClaim")
    assert deployment.balance(people[1]) == 100 * SESH


def test_a_second_cumulative_round_pays_only_the_difference(chain, deployment, people):
    first = tree_of(people[:3], [100 * SESH, 200 * SESH, 300 * SESH])
    deployment.publish(first)
    deployment.claim(first, people[0])
    deployment.claim(first, people[1])

    second = tree_of(people[:4], [150 * SESH, 200 * SESH, 300 * SESH, 50 * SESH])
    receipt = deployment.publish(second)
    assert deployment.events(receipt, "RootPublished")[0]["previousRoot"] == first.root

    receipt = deployment.claim(second, people[0])
    assert deployment.events(receipt, "Claimed")[0]["amount"] == 50 * SESH
    assert deployment.balance(people[0]) == 150 * SESH
    expect_revert(
        deployment, deployment.fn.claim(people[1], 200 * SESH, second.proof(people[1])), "NothingToClaim"
    )
    deployment.claim(second, people[2])
    deployment.claim(second, people[3])
    assert [deployment.balance(p) for p in people[:4]] == [150 * SESH, 200 * SESH, 300 * SESH, 50 * SESH]
    assert [deployment.claimed(p) for p in people[:4]] == [150 * SESH, 200 * SESH, 300 * SESH, 50 * SESH]


def test_a_lower_amount_in_a_new_root_never_takes_back_or_pays_again(chain, deployment, people):
    deployment.publish(first := tree_of(people[:2], [500 * SESH, 1 * SESH]))
    deployment.claim(first, people[0])
    deployment.publish(second := tree_of(people[:2], [300 * SESH, 1 * SESH]))
    call = deployment.fn.claim(people[0], 300 * SESH, second.proof(people[0]))
    expect_revert(deployment, call, "NothingToClaim")
    assert deployment.balance(people[0]) == 500 * SESH


def test_a_proof_for_a_replaced_root_is_refused(chain, deployment, people):
    first = tree_of(people[:4], [10 * SESH] * 4)
    deployment.publish(first)
    deployment.publish(second := tree_of(people[:4], [20 * SESH] * 4))
    expect_revert(deployment, deployment.fn.claim(people[0], 10 * SESH, first.proof(people[0])), "InvalidProof")
    # A payout batch names the root it was built for, so the service learns why it failed.
    expect_revert(deployment, deployment.batch_call(first, first.multiproof(people[:2])), "RootMismatch")
    deployment.claim(second, people[0])
    assert deployment.balance(people[0]) == 20 * SESH


def test_a_claim_must_prove_the_exact_account_and_amount(chain, deployment, people):
    tree = tree_of(people, [(i + 1) * SESH for i in range(10)])
    deployment.publish(tree)
    fn = deployment.fn
    for call in (
        fn.claim(people[2], 4 * SESH, tree.proof(people[2])),  # more than the entitlement
        fn.claim(people[2], 2 * SESH, tree.proof(people[2])),  # less: still not the leaf
        fn.claim(people[3], 3 * SESH, tree.proof(people[2])),  # someone else's proof
        fn.claim(chain.stranger, 3 * SESH, tree.proof(people[2])),
        fn.claim(people[2], 3 * SESH, tree.proof(people[2])[1:]),  # an internal node is no leaf
        fn.claim(people[2], 3 * SESH, []),
    ):
        expect_revert(deployment, call, "InvalidProof")
    assert deployment.balance(people[2]) == deployment.balance(people[3]) == 0


def test_the_contract_accepts_the_proofs_of_openzeppelins_library(chain, deployment, people, tmp_path):
    tree = tree_of(people, [(i + 1) * 7 * SESH for i in range(10)])
    (dump := tmp_path / "dump.json").write_text(tree.dumps())
    done = subprocess.run(
        ["node", str(REPO / "contracts" / "scripts" / "oz_tree.mjs"), "load", str(dump)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    theirs = json.loads(done.stdout)
    assert theirs["root"] == tree.root_hex
    deployment.publish(tree)
    for (account, amount), proof in zip(tree.values, theirs["proofs"], strict=True):
        deployment.chain.send(deployment.fn.claim(account, amount, proof))
        assert deployment.balance(account) == amount


def test_a_batch_payout_pays_every_account_with_one_multiproof(chain, deployment, people):
    tree = tree_of(people, [(i + 1) * 10 * SESH for i in range(10)])
    deployment.publish(tree)
    batch = people[1:9:2]
    receipt = deployment.payout(tree, batch)
    assert {e["account"] for e in deployment.events(receipt, "Claimed")} == set(batch)
    for account in people:
        expected = tree.amount_of(account) if account in batch else 0
        assert deployment.balance(account) == expected
        assert deployment.claimed(account) == expected


def test_a_batch_sent_twice_or_racing_a_claim_pays_nobody_twice_and_fails_nobody(chain, deployment, people):
    tree = tree_of(people, [(i + 1) * 10 * SESH for i in range(10)])
    deployment.publish(tree)
    deployment.claim(tree, people[4])
    receipt = deployment.payout(tree, people[:6])
    assert [e["account"] for e in deployment.events(receipt, "Claimed")] != []
    assert people[4] not in {e["account"] for e in deployment.events(receipt, "Claimed")}
    again = deployment.payout(tree, people[:6])
    assert deployment.events(again, "Claimed") == []
    assert [deployment.balance(p) for p in people[:6]] == [tree.amount_of(p) for p in people[:6]]


def test_a_batch_after_a_new_round_pays_each_account_its_difference(chain, deployment, people):
    first = tree_of(people, [10 * SESH] * 10)
    deployment.publish(first)
    deployment.payout(first, people)
    second = tree_of(people, [10 * SESH + i for i in range(10)])
    deployment.publish(second)
    receipt = deployment.payout(second, people)
    paid = {e["account"]: e["amount"] for e in deployment.events(receipt, "Claimed")}
    assert paid == {p: i for i, p in enumerate(people) if i > 0}
    assert [deployment.balance(p) for p in people] == [10 * SESH + i for i in range(10)]


def test_a_batch_must_prove_exactly_its_values_in_order(chain, deployment, people):
    tree = tree_of(people, [(i + 1) * SESH for i in range(10)])
    deployment.publish(tree)
    multiproof = tree.multiproof(people[:4])
    values = multiproof.values
    tampered = [values[0], (values[1][0], values[1][1] + 1), *values[2:]]
    reordered = [values[1], values[0], *values[2:]]
    for call in (deployment.batch_call(tree, multiproof, tampered), deployment.batch_call(tree, multiproof, reordered)):
        expect_revert(deployment, call, "InvalidMultiproof")
    accounts, amounts = [a for a, _ in values], [m for _, m in values]
    fn = deployment.fn
    expect_revert(deployment, fn.claimMany(tree.root, [], [], [tree.root_hex], []), "BadBatch")
    expect_revert(
        deployment,
        fn.claimMany(tree.root, accounts, amounts[:-1], multiproof.proof, multiproof.proof_flags),
        "BadBatch",
    )
    assert all(deployment.balance(p) == 0 for p in people)


def test_pausing_stops_claims_payouts_and_activation_until_the_admin_unpauses(chain, deployment, people):
    tree = tree_of(people, [SESH] * 10)
    deployment.publish(tree)
    fn = deployment.fn
    expect_revert(deployment, fn.pause(), "AccessControlUnauthorizedAccount")
    chain.send(fn.pause(), chain.pauser)
    assert fn.paused().call() is True
    assert fn.merkleRoot().call() == tree.root
    expect_revert(deployment, fn.claim(people[0], SESH, tree.proof(people[0])), "EnforcedPause")
    multiproof = tree.multiproof(people[:3])
    expect_revert(deployment, deployment.batch_call(tree, multiproof), "EnforcedPause")
    deployment.propose(tree_of(people, [2 * SESH] * 10))
    chain.wait(DELAY)
    expect_revert(deployment, fn.activateRoot(), "EnforcedPause")
    expect_revert(deployment, fn.unpause(), "AccessControlUnauthorizedAccount", sender=chain.pauser)
    chain.send(fn.unpause(), chain.admin)
    deployment.claim(tree, people[0])
    assert deployment.balance(people[0]) == SESH


def test_a_root_proposed_while_paused_replaces_the_pending_one_and_pays_after_the_unpause(chain, deployment, people):
    good = tree_of(people, [SESH] * 10)
    deployment.publish(good)
    wrong = tree_of(people, [1_000 * SESH] * 10)
    deployment.propose(wrong)
    chain.send(deployment.fn.pause(), chain.pauser)
    fixed = tree_of(people, [2 * SESH] * 10)
    deployment.propose(fixed)
    assert deployment.fn.pendingRoot().call() == fixed.root
    chain.wait(DELAY)
    expect_revert(deployment, deployment.fn.claim(people[0], SESH, good.proof(people[0])), "EnforcedPause")
    chain.send(deployment.fn.unpause(), chain.admin)
    deployment.activate()
    expect_revert(deployment, deployment.fn.claim(people[0], 1_000 * SESH, wrong.proof(people[0])), "InvalidProof")
    deployment.claim(fixed, people[0])
    assert deployment.balance(people[0]) == 2 * SESH


def test_a_proposal_is_claimable_only_after_its_public_delay(chain, deployment, people):
    tree = tree_of(people, [SESH] * 10)
    receipt = deployment.propose(tree)
    proposed_at = chain.w3.eth.get_block(receipt.blockNumber).timestamp
    fn = deployment.fn
    assert deployment.events(receipt, "RootProposed") == [
        {"roundId": 1, "root": tree.root, "total": tree.total, "accounts": 10, "activatesAt": proposed_at + DELAY}
    ]
    assert (fn.pendingRoot().call(), fn.pendingRoundId().call()) == (tree.root, 1)
    assert fn.pendingActivatesAt().call() == proposed_at + DELAY
    assert fn.merkleRoot().call() == ZERO_ROOT
    expect_revert(deployment, fn.claim(people[0], SESH, tree.proof(people[0])), "NoRoot")
    expect_revert(deployment, fn.activateRoot(), "NotYetActive")
    chain.travel_to(proposed_at + DELAY - 1)
    expect_revert(deployment, fn.activateRoot(), "NotYetActive")
    chain.travel_to(proposed_at + DELAY)
    receipt = deployment.activate()
    assert deployment.events(receipt, "RootPublished") == [
        {"roundId": 1, "root": tree.root, "previousRoot": ZERO_ROOT, "total": tree.total, "accounts": 10}
    ]
    assert (fn.merkleRoot().call(), fn.roundId().call()) == (tree.root, 1)
    assert (fn.pendingRoot().call(), fn.pendingActivatesAt().call(), fn.pendingRoundId().call()) == (ZERO_ROOT, 0, 0)
    expect_revert(deployment, fn.activateRoot(), "NothingPending")
    deployment.claim(tree, people[0])
    assert deployment.balance(people[0]) == SESH


def test_a_new_proposal_replaces_the_pending_one_and_restarts_the_delay(chain, deployment, people):
    first, second = tree_of(people, [SESH] * 10), tree_of(people, [2 * SESH] * 10)
    deployment.propose(first)
    chain.wait(DELAY - 60)
    receipt = deployment.propose(second)
    assert deployment.events(receipt, "RootProposed")[0]["roundId"] == 1
    chain.wait(60)
    expect_revert(deployment, deployment.fn.activateRoot(), "NotYetActive")
    chain.wait(DELAY)
    deployment.activate()
    assert deployment.fn.merkleRoot().call() == second.root
    expect_revert(deployment, deployment.fn.claim(people[0], SESH, first.proof(people[0])), "InvalidProof")


def test_the_guardian_vetoes_a_pending_root_for_good(chain, deployment, people):
    stolen = tree_of([chain.stranger], [FUNDING])
    deployment.propose(stolen)
    fn = deployment.fn
    expect_revert(deployment, fn.vetoRoot(stolen.root), "AccessControlUnauthorizedAccount", sender=chain.publisher)
    other = tree_of(people, [SESH] * 10)
    expect_revert(deployment, fn.vetoRoot(other.root), "NotPending", sender=chain.guardian)
    expect_revert(deployment, fn.vetoRoot(ZERO_ROOT), "NotPending", sender=chain.guardian)
    receipt = chain.send(fn.vetoRoot(stolen.root), chain.guardian)
    assert deployment.events(receipt, "RootVetoed") == [{"roundId": 1, "root": stolen.root, "guardian": chain.guardian}]
    assert fn.vetoed(stolen.root).call() is True
    assert fn.pendingRoot().call() == ZERO_ROOT
    chain.wait(DELAY)
    expect_revert(deployment, fn.activateRoot(), "NothingPending")
    expect_revert(deployment, fn.proposeRoot(stolen.root, 1, FUNDING, 1), "RootWasVetoed", sender=chain.publisher)
    expect_revert(deployment, fn.claim(chain.stranger, FUNDING, stolen.proof(chain.stranger)), "NoRoot")
    assert deployment.balance(chain.stranger) == 0
    deployment.publish(other)
    assert fn.roundId().call() == 1


def test_only_the_publisher_proposes_and_round_ids_go_up_by_exactly_one(chain, deployment, people):
    tree = tree_of(people, [SESH] * 10)
    fn = deployment.fn
    expect_revert(deployment, fn.claim(people[0], SESH, tree.proof(people[0])), "NoRoot")
    expect_revert(deployment, fn.proposeRoot(tree.root, 1, tree.total, 10), "AccessControlUnauthorizedAccount")
    expect_revert(deployment, fn.proposeRoot(ZERO_ROOT, 1, 0, 0), "ZeroRoot", sender=chain.publisher)
    for skipping in (2, 5, 2**64 - 1):
        expect_revert(deployment, fn.proposeRoot(tree.root, skipping, tree.total, 10), "RoundIdNotNext",
                      chain.publisher)
    expect_revert(deployment, fn.proposeRoot(tree.root, 0, tree.total, 10), "StaleRound", chain.publisher)
    deployment.publish(tree)
    for stale in (1, 0):
        expect_revert(deployment, fn.proposeRoot(tree.root, stale, tree.total, 10), "StaleRound", chain.publisher)
    deployment.publish(tree_of(people, [2 * SESH] * 10))
    assert fn.roundId().call() == 2


def test_the_remainder_can_be_withdrawn_only_after_the_end_and_closes_the_program(chain, deployment, people):
    tree = tree_of(people, [SESH] * 10)
    deployment.publish(tree)
    deployment.claim(tree, people[0])
    fn = deployment.fn
    end = fn.endTime().call()
    treasury = chain.accounts[8]
    expect_revert(deployment, fn.withdrawRemainder(treasury), "ProgramNotEnded", sender=chain.admin)
    chain.travel_to(end - DELAY)
    expect_revert(deployment, fn.proposeRoot(tree.root, 2, tree.total, 10), "ActivationAfterEnd", chain.publisher)
    chain.travel_to(end)
    expect_revert(deployment, fn.proposeRoot(tree.root, 2, tree.total, 10), "ProgramEnded", chain.publisher)
    expect_revert(deployment, fn.setEndTime(end + NOTICE + DAY), "ProgramEnded", sender=chain.admin)
    expect_revert(deployment, fn.withdrawRemainder(treasury), "AccessControlUnauthorizedAccount")
    expect_revert(deployment, fn.withdrawRemainder("0x" + "00" * 20), "ZeroAddress", sender=chain.admin)
    receipt = chain.send(fn.withdrawRemainder(treasury), chain.admin)
    assert deployment.events(receipt, "RemainderWithdrawn") == [{"to": treasury, "amount": FUNDING - SESH}]
    assert deployment.balance(treasury) == FUNDING - SESH
    assert deployment.balance(deployment.distributor.address) == 0
    assert fn.closed().call() is True
    expect_revert(deployment, fn.withdrawRemainder(treasury), "ProgramClosed", sender=chain.admin)
    expect_revert(deployment, fn.claim(people[1], SESH, tree.proof(people[1])), "ProgramClosed")
    chain.send(fn.pause(), chain.pauser)
    chain.send(fn.unpause(), chain.admin)
    expect_revert(deployment, fn.claim(people[1], SESH, tree.proof(people[1])), "ProgramClosed")


def test_the_end_gives_ninety_days_notice_and_only_ever_moves_later(chain):
    deployment = Deployment(chain, end_time=0)
    fn = deployment.fn
    assert fn.endTime().call() == 0
    expect_revert(deployment, fn.withdrawRemainder(chain.admin), "ProgramNotEnded", sender=chain.admin)
    expect_revert(deployment, fn.setEndTime(chain.now() + NOTICE - DAY), "EndTooSoon", sender=chain.admin)
    expect_revert(deployment, fn.setEndTime(chain.now() + NOTICE + DAY), "AccessControlUnauthorizedAccount")
    receipt = chain.send(fn.setEndTime(end := chain.now() + NOTICE + DAY), chain.admin)
    assert deployment.events(receipt, "EndTimeSet") == [{"endTime": end}]
    expect_revert(deployment, fn.setEndTime(end - 1), "EndTimeEarlier", sender=chain.admin)
    chain.wait(30 * DAY)
    # Later is allowed, but only with the full notice counted from now.
    expect_revert(deployment, fn.setEndTime(end + DAY), "EndTooSoon", sender=chain.admin)
    chain.send(fn.setEndTime(later := chain.now() + NOTICE + DAY), chain.admin)
    assert fn.endTime().call() == later


def test_deployment_refuses_zero_addresses_a_short_notice_and_a_short_delay(chain):
    spec = artifact("SwapDistributor")
    factory = chain.w3.eth.contract(abi=spec["abi"], bytecode=spec["bytecode"])
    token = chain.deploy("TestSESH", SUPPLY)
    zero = "0x" + "00" * 20
    for args, error in (
        ((zero, chain.admin, 0, DELAY), "ZeroAddress"),
        ((token.address, zero, 0, DELAY), "AccessControlInvalidDefaultAdmin"),
        ((token.address, chain.admin, chain.now() + DAY, DELAY), "EndTooSoon"),
        ((token.address, chain.admin, 0, DELAY - 1), "ActivationDelayTooShort"),
        ((token.address, chain.admin, 0, 0), "ActivationDelayTooShort"),
    ):
        reverts_with(factory.constructor(*args), error, chain.admin, factory)
    deployed = chain.deploy("SwapDistributor", token.address, chain.admin, 0, 24 * 3600)
    assert deployed.functions.activationDelay().call() == 24 * 3600


def test_the_admin_changes_hands_only_in_two_steps_after_the_delay(chain, deployment):
    fn = deployment.fn
    new_admin = chain.accounts[6]
    expect_revert(deployment, fn.grantRole(fn.DEFAULT_ADMIN_ROLE().call(), new_admin),
                  "AccessControlEnforcedDefaultAdminRules", sender=chain.admin)
    chain.send(fn.beginDefaultAdminTransfer(new_admin), chain.admin)
    expect_revert(deployment, fn.acceptDefaultAdminTransfer(), "AccessControlEnforcedDefaultAdminDelay",
                  sender=new_admin)
    chain.wait(DELAY + 1)
    chain.send(fn.acceptDefaultAdminTransfer(), new_admin)
    assert fn.defaultAdmin().call() == new_admin
    assert fn.hasRole(fn.DEFAULT_ADMIN_ROLE().call(), chain.admin).call() is False
