"""Root safety on a real chain (issue 14): no single stolen key moves SESH out of the distributor.

Real anvil, real Safe (Safe's own 1.4.1 bytecode, 2-of-3), real keys; the thief's transactions are
signed with the stolen key and sent straight to the chain, as a thief would. The watchdog's own
faults (a, b, d) are in tests/watchdog/; the worker crash between proposal and activation (f) is in
test_worker_payouts.py; the vanished-deposit freeze guard (i) in tests/claims/.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from eth_account import Account

from swap.chain import contracts, safe
from swap.chain.direct import DirectTransactionReverted, send_and_wait
from swap.chain.local import dev_signer, execute_as_safe, safe_owner_keys
from swap.chain.models import L2Transaction
from swap.chain.signer import key_from_text, load_guardian, load_signer
from swap.chain.tasks import refuse_extra_roles
from swap.chain.tracking import track_transactions
from swap.core.merkle import StandardMerkleTree
from swap.distributions.exceptions import ChainRoundMismatchError
from swap.distributions.models import RoundStatus
from swap.distributions.services.publishing import advance_rounds, propose_round
from swap.models import AuditEvent
from tests.distributions.conftest import SESH
from tests.distributions.l2 import ACTIVATION_DELAY
from tests.distributions.test_distribution_flow import (
    ALICE,
    BOB,
    FUNDED,
    activate,
    balance,
    frozen_round,
    propose_and_wait,
    publish_and_activate,
)

pytestmark = [pytest.mark.chain, pytest.mark.django_db]

THIEF = "0x000000000000000000000000000000000000bEEF"


def thief_tree():
    """A tree paying the thief everything the distributor holds."""
    return StandardMerkleTree.of([(THIEF, FUNDED)])


def steal_propose(l2, deployed, tree, round_id=1):
    """The thief proposes with the stolen publisher key, straight to the chain (no outbox)."""
    return send_and_wait(l2.client, load_signer(), to=deployed.distributor,
                         data=contracts.propose_root_data(tree.root_hex, round_id, tree.total, len(tree)))


def reverts(l2, signer, to, data, error):
    with pytest.raises(DirectTransactionReverted, match=error):
        send_and_wait(l2.client, signer, to=to, data=data)


def test_c_one_stolen_safe_owner_key_executes_no_admin_action(deployed, entitlements, l2):
    entitlements.set(bonus={ALICE: SESH})
    publish_and_activate(l2, frozen_round())
    send_and_wait(l2.client, load_guardian(), to=deployed.distributor, data=contracts.pause_data())
    stolen_owner = safe_owner_keys()[0]
    owner = key_from_text(stolen_owner.hex(), chain_id=l2.node.chain_id)
    l2.rpc("anvil_setBalance", [owner.address, hex(10**18)])
    for data in (contracts.unpause_data(), contracts.withdraw_remainder_data(THIEF),
                 contracts.grant_role_data(contracts.PUBLISHER_ROLE, owner.address),
                 contracts.set_end_time_data(2**40)):
        # Alone through the Safe: the Safe wants two signatures (GS020: signatures too short).
        with pytest.raises(DirectTransactionReverted, match="GS020"):
            execute_as_safe(l2.client, deployed.safe, to=deployed.distributor, data=data, owner_keys=[stolen_owner],
                            sender=owner)
        # Alone and directly: the owner's own address holds no role on the distributor.
        reverts(l2, owner, deployed.distributor, data, "AccessControlUnauthorizedAccount")
    # The same key's signature twice is still one owner (GS026: owners must be distinct and ordered).
    tx = safe.build(l2.client, deployed.safe, to=deployed.distributor, data=contracts.unpause_data())
    address, signature = safe.sign(tx, stolen_owner)
    doubled = safe.exec_transaction_data(tx, {address: signature, address.lower(): signature})
    reverts(l2, owner, deployed.safe, doubled, "GS026")
    assert contracts.is_paused(l2.client, deployed.distributor) is True
    assert contracts.roles_of(l2.client, deployed.distributor, owner.address) == []
    assert balance(THIEF) == 0 and balance(deployed.distributor) == FUNDED


def test_e_an_honest_proposal_replacing_a_pending_one_restarts_the_delay_then_pays(deployed, entitlements, l2):
    entitlements.set(bonus={ALICE: 4 * SESH, BOB: 6 * SESH})
    round_ = frozen_round()
    steal_propose(l2, deployed, thief_tree())
    l2.advance_time(ACTIVATION_DELAY - 60)  # the thief's delay is almost over
    round_ = propose_and_wait(l2, round_)  # the service's proposal replaces it
    state = contracts.distributor_state(l2.client, deployed.distributor)
    assert state.pending_root == round_.root.lower() and state.pending_round_id == 1
    l2.advance_time(120)  # past the thief's activation time, not past the honest one's
    reverts(l2, dev_signer(0), deployed.distributor, contracts.activate_root_data(), "NotYetActive")
    assert advance_rounds(actor="test").action == "waiting"
    round_ = activate(l2, round_)
    assert round_.status == RoundStatus.ACTIVE
    served = l2_claim(l2, ALICE)
    assert served == 4 * SESH
    assert balance(THIEF) == 0


def l2_claim(l2, account):
    from django.test import Client

    proof = Client().get(f"/api/v1/proofs/{account}/").json()
    send_and_wait(l2.client, dev_signer(0), to=proof["distributor"], data=proof["claim_calldata"])
    return balance(account)


def test_a_proposal_displaced_by_a_thief_is_proposed_again_and_pays_after_a_full_delay(deployed, entitlements, l2):
    entitlements.set(bonus={ALICE: 4 * SESH, BOB: 6 * SESH})
    round_ = propose_and_wait(l2, frozen_round())
    steal_propose(l2, deployed, thief_tree())
    assert advance_rounds(actor="test").action == "displaced"
    assert AuditEvent.objects.filter(tag="round:proposal_displaced", subject="round:1").exists()
    l2.settle()
    round_.refresh_from_db()
    # The thief spent the shared key's next nonce, so the service's first proposal again failed on it
    # (and the database's nonce caught up with the chain); proposing once more goes through.
    assert round_.status == RoundStatus.FROZEN
    assert AuditEvent.objects.filter(tag="round:propose_failed", subject="round:1").exists()
    round_ = propose_and_wait(l2, round_)
    assert round_.status == RoundStatus.PENDING, "the service proposed its frozen root again"
    assert contracts.distributor_state(l2.client, deployed.distributor).pending_root == round_.root.lower()
    activate(l2, round_)
    assert l2_claim(l2, BOB) == 6 * SESH and balance(THIEF) == 0


def inserted_row(deployed, *, purpose="propose_root", subject="round:7", data, value=0, to=None):
    """A row written straight into the outbox table, as someone with the database's credentials could."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO chain_l2transaction (chain_id, sender, nonce, to_address, value_wei, data, gas_limit, purpose,"
            " subject, status, tx_hash, block_number, block_hash, gas_used, contract_address, error, created_at,"
            " updated_at, broadcast_at, mined_at, finalized_at) VALUES (%s, %s, NULL, %s, %s, %s, NULL, %s, %s,"
            " 'queued', '', NULL, '', NULL, '', '', %s, %s, NULL, NULL, NULL)",
            [31337, load_signer().address, to or deployed.distributor, value, data, purpose, subject,
             timezone.now(), timezone.now()],
        )
    return L2Transaction.objects.order_by("-id").first()


def test_g_a_row_inserted_into_the_outbox_is_never_signed(deployed, entitlements, l2):
    entitlements.set(bonus={ALICE: SESH})
    real = frozen_round()
    stolen = thief_tree()
    rows = [
        # A round that does not exist.
        inserted_row(deployed, data=contracts.propose_root_data(stolen.root_hex, 1, stolen.total, 1)),
        # A real frozen round's subject, with the thief's root.
        inserted_row(deployed, subject=f"round:{real.number}",
                     data=contracts.propose_root_data(stolen.root_hex, 1, stolen.total, 1)),
        # Something else than the distributor's three calls.
        inserted_row(deployed, purpose="other", subject="x", to=THIEF, data="0x", value=10**18),
        inserted_row(deployed, purpose="payout_batch", subject="payout-batch:999",
                     data=contracts.claim_many_data(stolen.root_hex, [THIEF], [FUNDED], [], [])),
        inserted_row(deployed, purpose="activate_root", subject=f"round:{real.number}",
                     data=contracts.activate_root_data()),
    ]
    l2.settle()
    for row in rows:
        row.refresh_from_db()
        assert row.status == L2Transaction.Status.FAILED and row.nonce is None, row
        assert row.attempts.count() == 0 and row.error.startswith("refused to sign")
        assert AuditEvent.objects.filter(tag="l2tx:refused", subject=f"l2tx:{row.pk}").exists()
    assert contracts.distributor_state(l2.client, deployed.distributor).pending_root == "0x" + "00" * 32
    assert l2.client.get_nonce(load_signer().address) == 0, "the publisher signed nothing"
    # The service's own path still works, and only for the frozen root.
    round_ = publish_and_activate(l2, real)
    assert contracts.merkle_root(l2.client, deployed.distributor) == round_.root


def test_g_a_row_changed_after_it_was_first_signed_is_never_signed_again(deployed, entitlements, l2, settings):
    entitlements.set(bonus={ALICE: SESH})
    round_ = frozen_round()
    l2.automine(False)
    propose_round(round_.pk, actor="test")
    track_transactions()
    tx = L2Transaction.objects.get(purpose="propose_root")
    assert tx.attempts.count() == 1
    stolen = thief_tree()
    L2Transaction.objects.filter(pk=tx.pk).update(
        data=contracts.propose_root_data(stolen.root_hex, 1, stolen.total, 1))
    settings.L2_STUCK_SECONDS = 0  # the next pass would bump its fees, signing the row again
    track_transactions()
    assert tx.attempts.count() == 1, "the changed call data is never signed"
    assert AuditEvent.objects.filter(tag="l2tx:refused", subject=f"l2tx:{tx.pk}").exists()
    settings.L2_STUCK_SECONDS = 3600
    l2.automine(True)
    l2.settle()
    assert contracts.distributor_state(l2.client, deployed.distributor).pending_root == round_.root.lower()


def test_h_a_proposal_of_round_2_64_minus_1_is_refused_and_blocks_nothing(deployed, entitlements, l2):
    tree = thief_tree()
    for round_id in (2**64 - 1, 2, 0):
        reverts(l2, load_signer(), deployed.distributor,
                contracts.propose_root_data(tree.root_hex, round_id, tree.total, 1), "RoundIdNotNext|StaleRound")
    entitlements.set(bonus={ALICE: SESH})
    round_ = publish_and_activate(l2, frozen_round())
    assert (round_.number, contracts.distributor_state(l2.client, deployed.distributor).round_id) == (1, 1)


def test_the_service_refuses_to_propose_a_round_that_is_not_the_next_id(deployed, entitlements, l2):
    entitlements.set(bonus={ALICE: SESH})
    first = frozen_round()
    steal_propose(l2, deployed, thief_tree())  # pending, not active: the next id is still 1
    l2.advance_time(ACTIVATION_DELAY)
    send_and_wait(l2.client, dev_signer(0), to=deployed.distributor, data=contracts.activate_root_data())
    # The thief's root is active as round 1 (the watchdog was down): round 1 can no longer be proposed.
    with pytest.raises(ChainRoundMismatchError, match="active round is 1, so the next proposal must be round 2"):
        propose_round(first.pk, actor="test")
    assert not L2Transaction.objects.filter(purpose="propose_root").exists()


def test_j_the_compromised_publisher_runbook(deployed, entitlements, l2, settings):
    """Pause, revoke the publisher through the Safe, veto what is pending, grant a new key, unpause."""
    entitlements.set(bonus={ALICE: 4 * SESH, BOB: 6 * SESH})
    round_ = frozen_round()
    stolen_key = load_signer()
    stolen = thief_tree()
    steal_propose(l2, deployed, stolen)

    def run(*args):
        out = io.StringIO()
        call_command(*args, stdout=out)
        return out.getvalue()

    assert "paused in 0x" in run("pause_distributor", "--reason", "the publisher key leaked")
    assert "executed by 2 of the 3 demo owners" in run(
        "safe_admin", "revoke-role", "publisher", stolen_key.address, "--execute")
    assert "vetoed round 1's root" in run("veto_root", stolen.root_hex, "--reason", "proposed with the leaked key")
    reverts(l2, stolen_key, deployed.distributor,
            contracts.propose_root_data(stolen.root_hex, 1, stolen.total, 1), "AccessControlUnauthorizedAccount")
    new_key = Account.create()
    l2.rpc("anvil_setBalance", [new_key.address, hex(10**18)])
    run("safe_admin", "grant-role", "publisher", new_key.address, "--execute")
    run("safe_admin", "unpause", "--execute")
    settings.L2_SIGNER_KEY = new_key.key.hex()  # the worker restarts with the new key
    refuse_extra_roles(l2.client)  # and starts: the new key holds the publisher's role only
    round_ = publish_and_activate(l2, round_)
    assert round_.propose_tx.sender == new_key.address
    assert l2_claim(l2, ALICE) == 4 * SESH
    assert balance(THIEF) == 0 and balance(deployed.distributor) == FUNDED - 4 * SESH
    tags = set(AuditEvent.objects.values_list("tag", flat=True))
    assert {"distributor:paused", "distributor:root_vetoed"} <= tags


def test_admin_actions_are_refused_in_one_line_when_they_would_revert(deployed, l2, capsys):
    def run(*args):
        with pytest.raises(SystemExit) as exit_:
            call_command("safe_admin", *args)
        assert exit_.value.code == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") <= 1
        return err

    assert "not paused" in run("unpause")
    assert "90 days" in run("set-end-time", str(int(l2.client.get_block("latest")["timestamp"], 16)))
    assert "has not ended" in run("withdraw-remainder", THIEF)
    assert "already holds the publisher role" in run("grant-role", "publisher", load_signer().address)
    assert "does not hold" in run("revoke-role", "guardian", THIEF)
    assert "account:" in run("grant-role", "publisher", "0x123")


def test_a_worker_refuses_to_start_when_its_key_holds_more_than_the_publisher_role(deployed, l2, settings):
    refuse_extra_roles(l2.client)
    execute_as_safe(l2.client, deployed.safe, to=deployed.distributor,
                    data=contracts.grant_role_data(contracts.PAUSER_ROLE, load_signer().address))
    with pytest.raises(SystemExit, match=r"the signer key .* holds \['pauser'\]"):
        refuse_extra_roles(l2.client)
    settings.WATCHDOG_SIGNER_KEY = settings.L2_SIGNER_KEY
    with pytest.raises(SystemExit, match="same key"):
        refuse_extra_roles(l2.client)


def test_the_outbox_refuses_to_queue_anything_but_the_three_distributor_calls(deployed):
    from swap.chain import outbox
    from swap.chain.authorization import RefusedToSign

    for purpose, to, data, value in (
        ("other", THIEF, "0x", 1), ("propose_root", THIEF, contracts.activate_root_data(), 0),
        ("propose_root", deployed.distributor, contracts.activate_root_data(), 0),
        ("activate_root", deployed.distributor, contracts.activate_root_data(), 5),
        ("admin", deployed.distributor, contracts.unpause_data(), 0),
    ):
        with pytest.raises(RefusedToSign), transaction.atomic():
            outbox.enqueue(purpose=purpose, subject="x", to=to, data=data, value_wei=value, actor="test")
    assert not L2Transaction.objects.exists()
