// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IAccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {SwapDistributor} from "../SwapDistributor.sol";
import {DistributorSetup} from "./forge/DistributorSetup.sol";
import {MerkleTrees} from "./forge/MerkleTrees.sol";

/**
 * @title SwapDistributorTest
 * @notice Unit and fuzz tests of every external function of `SwapDistributor` and of every error
 * it names (docs/contract.md lists them). Tests named `testFuzz_` run `fuzz.runs` times: 256 by
 * default, 5,000 under `FOUNDRY_PROFILE=ci` (`make test`).
 */
contract SwapDistributorTest is DistributorSetup {
    bytes32 internal constant ROOT = keccak256("a root");
    address[] internal people;
    uint256[] internal amounts;

    function setUp() public override {
        super.setUp();
        people = _holders(5);
        amounts = [uint256(100 * SESH), 250 * SESH, 1 * SESH, 4_000 * SESH, 77 * SESH];
    }

    // ---------------------------------------------------------------- constructor and getters

    function test_constructor_setsTheTokenTheDelayTheEndAndTheAdmin() public view {
        vm.assertEq(address(distributor.token()), address(token), "token");
        vm.assertEq(distributor.activationDelay(), DELAY, "activation delay");
        vm.assertEq(distributor.endTime(), endTime, "end");
        vm.assertEq(distributor.defaultAdmin(), admin, "admin");
        vm.assertEq(distributor.defaultAdminDelay(), DELAY, "the admin transfer waits the activation delay");
        vm.assertTrue(distributor.hasRole(distributor.DEFAULT_ADMIN_ROLE(), admin), "admin role");
        vm.assertEq(distributor.merkleRoot(), bytes32(0), "no root");
        vm.assertEq(distributor.roundId(), 0, "round 0");
        vm.assertEq(distributor.MIN_ACTIVATION_DELAY(), 1 hours, "minimum delay");
        vm.assertEq(distributor.MIN_END_NOTICE(), 90 days, "notice");
        vm.assertEq(distributor.PUBLISHER_ROLE(), keccak256("PUBLISHER_ROLE"), "publisher role id");
        vm.assertEq(distributor.PAUSER_ROLE(), keccak256("PAUSER_ROLE"), "pauser role id");
        vm.assertEq(distributor.GUARDIAN_ROLE(), keccak256("GUARDIAN_ROLE"), "guardian role id");
        vm.assertFalse(distributor.closed(), "open");
        vm.assertFalse(distributor.paused(), "not paused");
    }

    function test_constructor_emitsEndTimeSet() public {
        vm.expectEmit(true, true, true, true);
        emit SwapDistributor.EndTimeSet(uint64(START + NOTICE));
        new SwapDistributor(token, admin, uint64(START + NOTICE), DELAY);
    }

    function test_constructor_leavesTheEndUnsetWhenZero() public {
        SwapDistributor d = new SwapDistributor(token, admin, 0, DELAY);
        vm.assertEq(d.endTime(), 0, "unset");
    }

    function test_constructor_refusesAZeroToken() public {
        vm.expectRevert(SwapDistributor.ZeroAddress.selector);
        new SwapDistributor(IERC20(address(0)), admin, 0, DELAY);
    }

    /// @dev OpenZeppelin's constructor runs first and names the zero admin itself.
    function test_constructor_refusesAZeroAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, address(0))
        );
        new SwapDistributor(token, address(0), 0, DELAY);
    }

    function testFuzz_constructor_refusesADelayUnderAnHour(uint64 delay) public {
        delay = uint64(_bound(delay, 0, 1 hours - 1));
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.ActivationDelayTooShort.selector, delay, 1 hours));
        new SwapDistributor(token, admin, 0, delay);
    }

    function testFuzz_constructor_refusesADelayPastTheAdminDelayRange(uint64 delay) public {
        delay = uint64(_bound(delay, uint256(type(uint48).max) + 1, type(uint64).max));
        vm.expectRevert(abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 48, delay));
        new SwapDistributor(token, admin, 0, delay);
    }

    function testFuzz_constructor_refusesAnEndWithLessThanNinetyDaysNotice(uint64 end) public {
        end = uint64(_bound(end, 1, START + NOTICE - 1));
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.EndTooSoon.selector, end, uint64(START + NOTICE)));
        new SwapDistributor(token, admin, end, DELAY);
    }

    function testFuzz_constructor_acceptsAnyDelayAndEndInRange(uint64 delay, uint64 end) public {
        delay = uint64(_bound(delay, 1 hours, type(uint48).max));
        end = uint64(_bound(end, START + NOTICE, type(uint64).max));
        SwapDistributor d = new SwapDistributor(token, admin, end, delay);
        vm.assertEq(d.activationDelay(), delay, "delay");
        vm.assertEq(d.defaultAdminDelay(), delay, "admin delay");
        vm.assertEq(d.endTime(), end, "end");
    }

    function test_supportsInterface_namesAccessControlAndErc165() public view {
        vm.assertTrue(distributor.supportsInterface(type(IAccessControl).interfaceId), "IAccessControl");
        vm.assertTrue(
            distributor.supportsInterface(type(IAccessControlDefaultAdminRules).interfaceId), "default admin rules"
        );
        vm.assertTrue(distributor.supportsInterface(type(IERC165).interfaceId), "IERC165");
        vm.assertFalse(distributor.supportsInterface(0xffffffff), "never 0xffffffff");
    }

    // ---------------------------------------------------------------- proposeRoot

    function test_proposeRoot_storesThePendingRootAndEmitsRootProposed() public {
        vm.expectEmit(true, true, true, true, address(distributor));
        emit SwapDistributor.RootProposed(1, ROOT, 123, 4, uint64(START + DELAY));
        vm.prank(publisher);
        distributor.proposeRoot(ROOT, 1, 123, 4);
        vm.assertEq(distributor.pendingRoot(), ROOT, "pending root");
        vm.assertEq(distributor.pendingRoundId(), 1, "pending round");
        vm.assertEq(distributor.pendingActivatesAt(), START + DELAY, "activates at");
        vm.assertEq(distributor.pendingTotal(), 123, "total");
        vm.assertEq(distributor.pendingAccounts(), 4, "accounts");
        vm.assertEq(distributor.merkleRoot(), bytes32(0), "nothing active yet");
    }

    function test_proposeRoot_replacesAPendingRootAndRestartsTheDelay() public {
        vm.prank(publisher);
        distributor.proposeRoot(ROOT, 1, 1, 1);
        vm.warp(START + DELAY - 1);
        bytes32 other = keccak256("another root");
        vm.prank(publisher);
        distributor.proposeRoot(other, 1, 2, 2);
        vm.assertEq(distributor.pendingRoot(), other, "replaced");
        vm.assertEq(distributor.pendingActivatesAt(), START + 2 * DELAY - 1, "delay restarted");
        vm.warp(START + DELAY);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.NotYetActive.selector, START + 2 * DELAY - 1));
        distributor.activateRoot();
    }

    function test_proposeRoot_isAllowedWhilePaused() public {
        vm.prank(guardian);
        distributor.pause();
        vm.prank(publisher);
        distributor.proposeRoot(ROOT, 1, 1, 1);
        vm.assertEq(distributor.pendingRoot(), ROOT, "proposed while paused");
    }

    function test_proposeRoot_refusesAZeroRoot() public {
        vm.prank(publisher);
        vm.expectRevert(SwapDistributor.ZeroRoot.selector);
        distributor.proposeRoot(bytes32(0), 1, 1, 1);
    }

    function test_proposeRoot_refusesAVetoedRootForGood() public {
        vm.prank(publisher);
        distributor.proposeRoot(ROOT, 1, 1, 1);
        vm.prank(guardian);
        distributor.vetoRoot(ROOT);
        vm.warp(START + 30 days);
        vm.prank(publisher);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.RootWasVetoed.selector, ROOT));
        distributor.proposeRoot(ROOT, 1, 1, 1);
    }

    function testFuzz_proposeRoot_refusesAStaleRound(uint8 rounds, uint64 newRoundId) public {
        rounds = uint8(_bound(rounds, 0, 4));
        for (uint256 i; i < rounds; ++i) {
            amounts[0] += 1;
            _publish(people, amounts);
        }
        newRoundId = uint64(_bound(newRoundId, 0, rounds));
        vm.prank(publisher);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.StaleRound.selector, newRoundId, uint64(rounds)));
        distributor.proposeRoot(ROOT, newRoundId, 1, 1);
    }

    function testFuzz_proposeRoot_refusesARoundThatSkipsIds(uint64 newRoundId) public {
        newRoundId = uint64(_bound(newRoundId, 2, type(uint64).max));
        vm.prank(publisher);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.RoundIdNotNext.selector, newRoundId, 1));
        distributor.proposeRoot(ROOT, newRoundId, 1, 1);
    }

    function test_proposeRoot_refusesRoundTwoToTheSixtyFourMinusOne() public {
        vm.prank(publisher);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.RoundIdNotNext.selector, type(uint64).max, 1));
        distributor.proposeRoot(ROOT, type(uint64).max, 1, 1);
    }

    function testFuzz_proposeRoot_refusesAfterTheEnd(uint256 late) public {
        late = _bound(late, endTime, endTime + 3650 days);
        vm.warp(late);
        vm.prank(publisher);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.ProgramEnded.selector, endTime));
        distributor.proposeRoot(ROOT, 1, 1, 1);
    }

    function testFuzz_proposeRoot_refusesARootThatWouldActivateAtOrAfterTheEnd(uint256 when) public {
        when = _bound(when, endTime - DELAY, endTime - 1);
        vm.warp(when);
        vm.prank(publisher);
        vm.expectRevert(
            abi.encodeWithSelector(SwapDistributor.ActivationAfterEnd.selector, uint64(when + DELAY), endTime)
        );
        distributor.proposeRoot(ROOT, 1, 1, 1);
    }

    function test_proposeRoot_withoutAnEndHasNoDeadline() public {
        SwapDistributor open = new SwapDistributor(token, admin, 0, DELAY);
        bytes32 role = open.PUBLISHER_ROLE();
        vm.prank(admin);
        open.grantRole(role, publisher);
        vm.warp(START + 3650 days);
        vm.prank(publisher);
        open.proposeRoot(ROOT, 1, 1, 1);
        vm.assertEq(open.pendingRoot(), ROOT, "proposed");
    }

    function testFuzz_proposeRoot_onlyThePublisher(address caller) public {
        vm.assume(caller != publisher);
        bytes32 role = distributor.PUBLISHER_ROLE();
        vm.prank(caller);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role
            )
        );
        distributor.proposeRoot(ROOT, 1, 1, 1);
    }

    // ---------------------------------------------------------------- activateRoot

    function test_activateRoot_makesThePendingRootClaimableAndEmitsRootPublished() public {
        bytes32[] memory tree = MerkleTrees.build(people, amounts);
        _propose(tree, _sum(amounts), 5);
        vm.warp(START + DELAY);
        vm.expectEmit(true, true, true, true, address(distributor));
        emit SwapDistributor.RootPublished(1, tree[0], bytes32(0), _sum(amounts), 5);
        vm.prank(stranger);
        distributor.activateRoot();
        vm.assertEq(distributor.merkleRoot(), tree[0], "active");
        vm.assertEq(distributor.roundId(), 1, "round 1");
        vm.assertEq(distributor.pendingRoot(), bytes32(0), "nothing pending");
        vm.assertEq(distributor.pendingRoundId(), 0, "no pending round");
        vm.assertEq(distributor.pendingActivatesAt(), 0, "no pending time");
        vm.assertEq(distributor.pendingTotal(), 0, "no pending total");
        vm.assertEq(distributor.pendingAccounts(), 0, "no pending accounts");
    }

    function test_activateRoot_namesThePreviousRoot() public {
        bytes32[] memory first = _publish(people, amounts);
        amounts[2] += 5 * SESH;
        bytes32[] memory second = MerkleTrees.build(people, amounts);
        _propose(second, _sum(amounts), 5);
        vm.warp(block.timestamp + DELAY);
        vm.expectEmit(true, true, true, true, address(distributor));
        emit SwapDistributor.RootPublished(2, second[0], first[0], _sum(amounts), 5);
        distributor.activateRoot();
    }

    function test_activateRoot_refusesWhenNothingIsPending() public {
        vm.expectRevert(SwapDistributor.NothingPending.selector);
        distributor.activateRoot();
    }

    function testFuzz_activateRoot_refusesBeforeTheDelayIsOver(uint256 early) public {
        vm.prank(publisher);
        distributor.proposeRoot(ROOT, 1, 1, 1);
        early = _bound(early, START, START + DELAY - 1);
        vm.warp(early);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.NotYetActive.selector, uint64(START + DELAY)));
        distributor.activateRoot();
    }

    function testFuzz_activateRoot_anyoneMayOnceTheDelayIsOver(address caller, uint256 later) public {
        vm.prank(publisher);
        distributor.proposeRoot(ROOT, 1, 1, 1);
        vm.warp(_bound(later, START + DELAY, START + 200 days));
        vm.prank(caller);
        distributor.activateRoot();
        vm.assertEq(distributor.merkleRoot(), ROOT, "active");
    }

    function test_activateRoot_refusesWhilePaused() public {
        vm.prank(publisher);
        distributor.proposeRoot(ROOT, 1, 1, 1);
        vm.prank(guardian);
        distributor.pause();
        vm.warp(START + DELAY);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        distributor.activateRoot();
    }

    function test_activateRoot_refusesAfterTheRemainderWasWithdrawn() public {
        vm.prank(publisher);
        distributor.proposeRoot(ROOT, 1, 1, 1);
        vm.warp(endTime);
        vm.prank(admin);
        distributor.withdrawRemainder(admin);
        vm.expectRevert(SwapDistributor.ProgramClosed.selector);
        distributor.activateRoot();
    }

    // ---------------------------------------------------------------- vetoRoot

    function test_vetoRoot_dropsThePendingRootForGoodAndEmitsRootVetoed() public {
        vm.prank(publisher);
        distributor.proposeRoot(ROOT, 1, 9, 9);
        vm.expectEmit(true, true, true, true, address(distributor));
        emit SwapDistributor.RootVetoed(1, ROOT, guardian);
        vm.prank(guardian);
        distributor.vetoRoot(ROOT);
        vm.assertTrue(distributor.vetoed(ROOT), "vetoed");
        vm.assertEq(distributor.pendingRoot(), bytes32(0), "dropped");
        vm.assertEq(distributor.pendingActivatesAt(), 0, "no time");
        vm.warp(START + DELAY);
        vm.expectRevert(SwapDistributor.NothingPending.selector);
        distributor.activateRoot();
    }

    function test_vetoRoot_worksWhilePaused() public {
        vm.prank(publisher);
        distributor.proposeRoot(ROOT, 1, 1, 1);
        vm.startPrank(guardian);
        distributor.pause();
        distributor.vetoRoot(ROOT);
        vm.stopPrank();
        vm.assertTrue(distributor.vetoed(ROOT), "vetoed while paused");
    }

    function testFuzz_vetoRoot_refusesARootThatIsNotPending(bytes32 root) public {
        vm.assume(root != ROOT);
        vm.prank(publisher);
        distributor.proposeRoot(ROOT, 1, 1, 1);
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.NotPending.selector, root));
        distributor.vetoRoot(root);
    }

    function test_vetoRoot_refusesZeroWhenNothingIsPending() public {
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.NotPending.selector, bytes32(0)));
        distributor.vetoRoot(bytes32(0));
    }

    function test_vetoRoot_cannotHitTheActiveRoot() public {
        bytes32[] memory tree = _publish(people, amounts);
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.NotPending.selector, tree[0]));
        distributor.vetoRoot(tree[0]);
    }

    function testFuzz_vetoRoot_onlyTheGuardian(address caller) public {
        vm.assume(caller != guardian);
        vm.prank(publisher);
        distributor.proposeRoot(ROOT, 1, 1, 1);
        bytes32 role = distributor.GUARDIAN_ROLE();
        vm.prank(caller);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role
            )
        );
        distributor.vetoRoot(ROOT);
    }

    // ---------------------------------------------------------------- claim

    function test_claim_paysTheEntitlementAndEmitsClaimed() public {
        bytes32[] memory tree = _publish(people, amounts);
        vm.expectEmit(true, true, true, true, address(distributor));
        emit SwapDistributor.Claimed(people[3], 4_000 * SESH, 4_000 * SESH);
        _claim(tree, people, amounts, 3);
        vm.assertEq(token.balanceOf(people[3]), 4_000 * SESH, "paid");
        vm.assertEq(distributor.claimed(people[3]), 4_000 * SESH, "recorded");
        vm.assertEq(token.balanceOf(address(distributor)), FUNDING - 4_000 * SESH, "left");
        vm.assertEq(token.balanceOf(stranger), 0, "the sender gets nothing");
    }

    function test_claim_refusesASecondClaimOfTheSameEntitlement() public {
        bytes32[] memory tree = _publish(people, amounts);
        _claim(tree, people, amounts, 0);
        bytes32[] memory proof = MerkleTrees.proof(tree, 0);
        vm.expectRevert(
            abi.encodeWithSelector(SwapDistributor.NothingToClaim.selector, people[0], amounts[0], amounts[0])
        );
        distributor.claim(people[0], amounts[0], proof);
    }

    function testFuzz_claim_paysOnlyTheDifferenceOverRounds(uint96 first, uint96 raise, address sender) public {
        uint256 a = _bound(first, 1, FUNDING / 4);
        uint256 b = a + _bound(raise, 0, FUNDING / 4);
        amounts[1] = a;
        bytes32[] memory tree = _publish(people, amounts);
        vm.prank(sender);
        distributor.claim(people[1], a, MerkleTrees.proof(tree, 1));
        amounts[1] = b;
        amounts[4] += 1; // a new root even when b == a
        tree = _publish(people, amounts);
        bytes32[] memory proof = MerkleTrees.proof(tree, 1);
        if (b == a) {
            vm.expectRevert(abi.encodeWithSelector(SwapDistributor.NothingToClaim.selector, people[1], b, a));
        }
        vm.prank(sender);
        distributor.claim(people[1], b, proof);
        vm.assertEq(token.balanceOf(people[1]), b, "paid exactly the cumulative amount in total");
        vm.assertEq(distributor.claimed(people[1]), b, "recorded");
    }

    function test_claim_refusesBeforeAnyRoot() public {
        vm.expectRevert(SwapDistributor.NoRoot.selector);
        distributor.claim(people[0], 1, new bytes32[](0));
    }

    function test_claim_refusesWhilePaused() public {
        bytes32[] memory tree = _publish(people, amounts);
        vm.prank(guardian);
        distributor.pause();
        bytes32[] memory proof = MerkleTrees.proof(tree, 0);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        distributor.claim(people[0], amounts[0], proof);
    }

    function test_claim_refusesAfterTheRemainderWasWithdrawn() public {
        bytes32[] memory tree = _publish(people, amounts);
        vm.warp(endTime);
        vm.prank(admin);
        distributor.withdrawRemainder(admin);
        bytes32[] memory proof = MerkleTrees.proof(tree, 0);
        vm.expectRevert(SwapDistributor.ProgramClosed.selector);
        distributor.claim(people[0], amounts[0], proof);
    }

    function test_claim_isAllowedAfterTheEndUntilTheRemainderIsWithdrawn() public {
        bytes32[] memory tree = _publish(people, amounts);
        vm.warp(endTime + 30 days);
        _claim(tree, people, amounts, 2);
        vm.assertEq(token.balanceOf(people[2]), amounts[2], "paid after the end");
    }

    function testFuzz_claim_refusesAnAmountOrAccountTheRootDoesNotHold(uint256 amount, address account) public {
        bytes32[] memory tree = _publish(people, amounts);
        vm.assume(account != people[0] || amount != amounts[0]);
        bytes32[] memory proof = MerkleTrees.proof(tree, 0);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.InvalidProof.selector, account, amount));
        distributor.claim(account, amount, proof);
    }

    function testFuzz_claim_refusesAForgedProof(bytes32[] calldata proof, uint256 amount) public {
        _publish(people, amounts);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.InvalidProof.selector, stranger, amount));
        distributor.claim(stranger, amount, proof);
    }

    /// @dev The leaf is rebuilt from (account, amount): an inner node passed as a "leaf" proves nothing.
    function test_claim_refusesAnInnerNodeOfTheTree() public {
        bytes32[] memory tree = _publish(people, amounts);
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = tree[2];
        address asAccount = address(uint160(uint256(tree[1])));
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.InvalidProof.selector, asAccount, uint256(tree[1])));
        distributor.claim(asAccount, uint256(tree[1]), proof);
    }

    function test_claim_refusesAProofOfAReplacedRoot() public {
        bytes32[] memory first = _publish(people, amounts);
        bytes32[] memory proof = MerkleTrees.proof(first, 0);
        amounts[0] += 1;
        _publish(people, amounts);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.InvalidProof.selector, people[0], amounts[0] - 1));
        distributor.claim(people[0], amounts[0] - 1, proof);
    }

    function test_claim_cannotUseThePendingRoot() public {
        _publish(people, amounts);
        amounts[3] += 1_000 * SESH;
        bytes32[] memory pending = MerkleTrees.build(people, amounts);
        _propose(pending, _sum(amounts), 5);
        bytes32[] memory proof = MerkleTrees.proof(pending, 3);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.InvalidProof.selector, people[3], amounts[3]));
        distributor.claim(people[3], amounts[3], proof);
    }

    // ---------------------------------------------------------------- claimMany

    function _batch(bytes32[] memory tree, uint256[] memory indices)
        internal
        view
        returns (address[] memory accounts, uint256[] memory cumulative, bytes32[] memory proof, bool[] memory flags)
    {
        accounts = new address[](indices.length);
        cumulative = new uint256[](indices.length);
        for (uint256 i; i < indices.length; ++i) {
            accounts[i] = people[indices[i]];
            cumulative[i] = amounts[indices[i]];
        }
        (proof, flags) = MerkleTrees.multiproof(tree, indices);
    }

    function testFuzz_claimMany_paysEveryAccountOfAnySubset(uint8 mask, address sender) public {
        mask = uint8(_bound(mask, 1, 31));
        bytes32[] memory tree = _publish(people, amounts);
        uint256[] memory indices = _indicesOf(mask);
        (address[] memory accounts, uint256[] memory cumulative, bytes32[] memory proof, bool[] memory flags) =
            _batch(tree, indices);
        vm.prank(sender);
        distributor.claimMany(tree[0], accounts, cumulative, proof, flags);
        uint256 paid;
        for (uint256 i; i < 5; ++i) {
            uint256 expected = (mask >> i) & 1 == 1 ? amounts[i] : 0;
            vm.assertEq(token.balanceOf(people[i]), expected, "paid exactly the batch");
            paid += expected;
        }
        vm.assertEq(token.balanceOf(address(distributor)), FUNDING - paid, "left");
    }

    function test_claimMany_skipsAccountsAlreadyPaidAndPaysNobodyTwice() public {
        bytes32[] memory tree = _publish(people, amounts);
        _claim(tree, people, amounts, 1);
        uint256[] memory indices = _indicesOf(0x1f);
        (address[] memory accounts, uint256[] memory cumulative, bytes32[] memory proof, bool[] memory flags) =
            _batch(tree, indices);
        vm.recordLogs();
        distributor.claimMany(tree[0], accounts, cumulative, proof, flags);
        vm.assertEq(vm.getRecordedLogs().length, 2 * 4, "four payments (Claimed + Transfer each), one skipped");
        distributor.claimMany(tree[0], accounts, cumulative, proof, flags);
        vm.assertEq(token.balanceOf(address(distributor)), FUNDING - _sum(amounts), "sent twice, paid once");
    }

    function test_claimMany_refusesABatchMadeForAnotherRoot() public {
        bytes32[] memory tree = _publish(people, amounts);
        (address[] memory accounts, uint256[] memory cumulative, bytes32[] memory proof, bool[] memory flags) =
            _batch(tree, _indicesOf(3));
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.RootMismatch.selector, ROOT, tree[0]));
        distributor.claimMany(ROOT, accounts, cumulative, proof, flags);
    }

    function test_claimMany_refusesBeforeAnyRootWhilePausedAndAfterClosing() public {
        address[] memory accounts = new address[](1);
        uint256[] memory cumulative = new uint256[](1);
        vm.expectRevert(SwapDistributor.NoRoot.selector);
        distributor.claimMany(bytes32(0), accounts, cumulative, new bytes32[](0), new bool[](0));
        bytes32[] memory tree = _publish(people, amounts);
        vm.prank(guardian);
        distributor.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        distributor.claimMany(tree[0], accounts, cumulative, new bytes32[](0), new bool[](0));
        vm.warp(endTime);
        vm.startPrank(admin);
        distributor.unpause();
        distributor.withdrawRemainder(admin);
        vm.stopPrank();
        vm.expectRevert(SwapDistributor.ProgramClosed.selector);
        distributor.claimMany(tree[0], accounts, cumulative, new bytes32[](0), new bool[](0));
    }

    function testFuzz_claimMany_refusesABadBatch(uint8 accountCount, uint8 amountCount) public {
        bytes32[] memory tree = _publish(people, amounts);
        uint256 a = _bound(accountCount, 0, 8);
        uint256 m = _bound(amountCount, 0, 8);
        vm.assume(a == 0 || a != m);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.BadBatch.selector, a, m));
        distributor.claimMany(tree[0], new address[](a), new uint256[](m), new bytes32[](0), new bool[](0));
    }

    function testFuzz_claimMany_refusesAWrongAmount(uint8 mask, uint8 which, uint256 amount) public {
        mask = uint8(_bound(mask, 1, 31));
        bytes32[] memory tree = _publish(people, amounts);
        (address[] memory accounts, uint256[] memory cumulative, bytes32[] memory proof, bool[] memory flags) =
            _batch(tree, _indicesOf(mask));
        uint256 i = _bound(which, 0, accounts.length - 1);
        vm.assume(amount != cumulative[i]);
        cumulative[i] = amount;
        vm.expectRevert(SwapDistributor.InvalidMultiproof.selector);
        distributor.claimMany(tree[0], accounts, cumulative, proof, flags);
    }

    /// @dev A forged multiproof never pays. Depending on its shape it fails our `InvalidMultiproof`,
    /// OpenZeppelin's `MerkleProofInvalidMultiproof` (inconsistent lengths) or a panic of
    /// `processMultiProof` (flags that read past its hashes): every one a revert.
    function testFuzz_claimMany_refusesAForgedMultiproof(bytes32[] calldata proof, bool[] calldata flags) public {
        bytes32[] memory tree = _publish(people, amounts);
        address[] memory accounts = new address[](1);
        uint256[] memory cumulative = new uint256[](1);
        accounts[0] = stranger;
        cumulative[0] = FUNDING;
        vm.expectRevert();
        distributor.claimMany(tree[0], accounts, cumulative, proof, flags);
        vm.assertEq(token.balanceOf(stranger), 0, "nothing paid");
    }

    /// @dev With lengths that fit and flags that never read past the hashes, the verification fails.
    function testFuzz_claimMany_refusesAWellFormedForgedMultiproof(bytes32 sibling) public {
        bytes32[] memory tree = _publish(people, amounts);
        address[] memory accounts = new address[](1);
        uint256[] memory cumulative = new uint256[](1);
        accounts[0] = stranger;
        cumulative[0] = FUNDING;
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = sibling;
        vm.expectRevert(SwapDistributor.InvalidMultiproof.selector);
        distributor.claimMany(tree[0], accounts, cumulative, proof, new bool[](1));
    }

    function _indicesOf(uint256 mask) internal pure returns (uint256[] memory indices) {
        uint256 count;
        for (uint256 i; i < 5; ++i) {
            if ((mask >> i) & 1 == 1) ++count;
        }
        indices = new uint256[](count);
        count = 0;
        for (uint256 i; i < 5; ++i) {
            if ((mask >> i) & 1 == 1) indices[count++] = i;
        }
    }

    // ---------------------------------------------------------------- pause and unpause

    function test_pause_stopsClaimsAndUnpauseResumesThem() public {
        bytes32[] memory tree = _publish(people, amounts);
        vm.prank(guardian);
        distributor.pause();
        vm.assertTrue(distributor.paused(), "paused");
        vm.assertEq(distributor.merkleRoot(), tree[0], "the active root stays");
        vm.prank(admin);
        distributor.unpause();
        _claim(tree, people, amounts, 4);
        vm.assertEq(token.balanceOf(people[4]), amounts[4], "paid after unpausing");
    }

    function test_pause_refusesWhenAlreadyPaused() public {
        vm.startPrank(guardian);
        distributor.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        distributor.pause();
        vm.stopPrank();
    }

    function test_unpause_refusesWhenNotPaused() public {
        vm.prank(admin);
        vm.expectRevert(Pausable.ExpectedPause.selector);
        distributor.unpause();
    }

    function testFuzz_pause_onlyThePauser(address caller) public {
        vm.assume(caller != guardian);
        bytes32 role = distributor.PAUSER_ROLE();
        vm.prank(caller);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role
            )
        );
        distributor.pause();
    }

    function testFuzz_unpause_onlyTheAdmin(address caller) public {
        vm.assume(caller != admin);
        vm.prank(guardian);
        distributor.pause();
        vm.prank(caller);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, bytes32(0))
        );
        distributor.unpause();
    }

    function test_unpause_afterClosingLeavesNothingClaimable() public {
        bytes32[] memory tree = _publish(people, amounts);
        vm.warp(endTime);
        vm.prank(admin);
        distributor.withdrawRemainder(admin);
        vm.prank(guardian);
        distributor.pause();
        vm.prank(admin);
        distributor.unpause();
        bytes32[] memory proof = MerkleTrees.proof(tree, 0);
        vm.expectRevert(SwapDistributor.ProgramClosed.selector);
        distributor.claim(people[0], amounts[0], proof);
    }

    // ---------------------------------------------------------------- setEndTime

    function testFuzz_setEndTime_movesTheEndLater(uint64 later) public {
        later = uint64(_bound(later, endTime, type(uint64).max));
        vm.expectEmit(true, true, true, true, address(distributor));
        emit SwapDistributor.EndTimeSet(later);
        vm.prank(admin);
        distributor.setEndTime(later);
        vm.assertEq(distributor.endTime(), later, "moved");
    }

    function testFuzz_setEndTime_refusesAnEarlierEnd(uint64 earlier) public {
        earlier = uint64(_bound(earlier, 0, endTime - 1));
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.EndTimeEarlier.selector, earlier, endTime));
        distributor.setEndTime(earlier);
    }

    function testFuzz_setEndTime_refusesLessThanNinetyDaysNotice(uint256 when, uint64 end) public {
        when = _bound(when, endTime - NOTICE + 1, endTime - 1);
        vm.warp(when);
        end = uint64(_bound(end, endTime, when + NOTICE - 1));
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.EndTooSoon.selector, end, uint64(when + NOTICE)));
        distributor.setEndTime(end);
    }

    function testFuzz_setEndTime_setsAnUnsetEnd(uint64 end) public {
        SwapDistributor open = new SwapDistributor(token, admin, 0, DELAY);
        end = uint64(_bound(end, START + NOTICE, type(uint64).max));
        vm.prank(admin);
        open.setEndTime(end);
        vm.assertEq(open.endTime(), end, "set");
    }

    function test_setEndTime_refusesAnUnsetEndWithTooLittleNotice() public {
        SwapDistributor open = new SwapDistributor(token, admin, 0, DELAY);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.EndTooSoon.selector, 1, uint64(START + NOTICE)));
        open.setEndTime(1);
    }

    function testFuzz_setEndTime_refusesOnceTheEndHasPassed(uint256 late) public {
        vm.warp(_bound(late, endTime, endTime + 3650 days));
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.ProgramEnded.selector, endTime));
        distributor.setEndTime(type(uint64).max);
    }

    function testFuzz_setEndTime_onlyTheAdmin(address caller) public {
        vm.assume(caller != admin);
        vm.prank(caller);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, bytes32(0))
        );
        distributor.setEndTime(type(uint64).max);
    }

    // ---------------------------------------------------------------- withdrawRemainder

    function test_withdrawRemainder_sendsEverythingLeftAndClosesTheProgram() public {
        bytes32[] memory tree = _publish(people, amounts);
        _claim(tree, people, amounts, 3);
        address pool = _named("staking reward pool");
        vm.warp(endTime);
        uint256 left = FUNDING - amounts[3];
        vm.expectEmit(true, true, true, true, address(distributor));
        emit SwapDistributor.RemainderWithdrawn(pool, left);
        vm.prank(admin);
        distributor.withdrawRemainder(pool);
        vm.assertEq(token.balanceOf(pool), left, "the pool got the rest");
        vm.assertEq(token.balanceOf(address(distributor)), 0, "empty");
        vm.assertTrue(distributor.closed(), "closed");
    }

    function test_withdrawRemainder_refusesASecondTime() public {
        vm.warp(endTime);
        vm.startPrank(admin);
        distributor.withdrawRemainder(admin);
        vm.expectRevert(SwapDistributor.ProgramClosed.selector);
        distributor.withdrawRemainder(admin);
        vm.stopPrank();
    }

    function testFuzz_withdrawRemainder_refusesBeforeTheEnd(uint256 when) public {
        vm.warp(_bound(when, START, endTime - 1));
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.ProgramNotEnded.selector, endTime));
        distributor.withdrawRemainder(admin);
    }

    function test_withdrawRemainder_refusesWithoutAnEnd() public {
        SwapDistributor open = new SwapDistributor(token, admin, 0, DELAY);
        vm.warp(START + 3650 days);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(SwapDistributor.ProgramNotEnded.selector, 0));
        open.withdrawRemainder(admin);
    }

    function test_withdrawRemainder_refusesTheZeroAddress() public {
        vm.warp(endTime);
        vm.prank(admin);
        vm.expectRevert(SwapDistributor.ZeroAddress.selector);
        distributor.withdrawRemainder(address(0));
    }

    function test_withdrawRemainder_refusesWhilePaused() public {
        vm.warp(endTime);
        vm.prank(guardian);
        distributor.pause();
        vm.prank(admin);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        distributor.withdrawRemainder(admin);
    }

    function testFuzz_withdrawRemainder_onlyTheAdmin(address caller) public {
        vm.assume(caller != admin);
        vm.warp(endTime);
        vm.prank(caller);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, bytes32(0))
        );
        distributor.withdrawRemainder(caller);
    }

    // ---------------------------------------------------------------- roles (OpenZeppelin's, as configured here)

    function test_grantRole_andRevokeRole_byTheAdmin() public {
        bytes32 role = distributor.PUBLISHER_ROLE();
        vm.startPrank(admin);
        distributor.grantRole(role, stranger);
        vm.assertTrue(distributor.hasRole(role, stranger), "granted");
        distributor.revokeRole(role, stranger);
        vm.stopPrank();
        vm.assertFalse(distributor.hasRole(role, stranger), "revoked");
        vm.assertEq(distributor.getRoleAdmin(role), bytes32(0), "the admin administers every role");
    }

    function testFuzz_grantRole_onlyTheAdmin(address caller) public {
        vm.assume(caller != admin);
        bytes32 role = distributor.PUBLISHER_ROLE();
        vm.prank(caller);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, bytes32(0))
        );
        distributor.grantRole(role, caller);
    }

    function test_grantRole_refusesTheAdminRoleItself() public {
        vm.prank(admin);
        vm.expectRevert(IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminRules.selector);
        distributor.grantRole(bytes32(0), stranger);
    }

    function test_renounceRole_dropsTheCallersOwnRole() public {
        bytes32 role = distributor.PUBLISHER_ROLE();
        vm.prank(publisher);
        distributor.renounceRole(role, publisher);
        vm.assertFalse(distributor.hasRole(role, publisher), "renounced");
    }

    function test_adminTransfer_takesTwoStepsAndTheDelay() public {
        address next = _named("the next Safe");
        vm.prank(admin);
        distributor.beginDefaultAdminTransfer(next);
        (address pending, uint48 schedule) = distributor.pendingDefaultAdmin();
        vm.assertEq(pending, next, "pending admin");
        vm.assertEq(schedule, START + DELAY, "after the delay");
        vm.prank(next);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminDelay.selector, uint48(START + DELAY)
            )
        );
        distributor.acceptDefaultAdminTransfer();
        vm.warp(START + DELAY + 1);
        vm.prank(next);
        distributor.acceptDefaultAdminTransfer();
        vm.assertEq(distributor.defaultAdmin(), next, "transferred");
        vm.assertFalse(distributor.hasRole(bytes32(0), admin), "the old admin lost the role");
    }

    function test_adminTransfer_canBeCancelled() public {
        vm.startPrank(admin);
        distributor.beginDefaultAdminTransfer(stranger);
        distributor.cancelDefaultAdminTransfer();
        vm.stopPrank();
        (address pending,) = distributor.pendingDefaultAdmin();
        vm.assertEq(pending, address(0), "cancelled");
    }

    function testFuzz_adminTransfer_onlyTheAdminBegins(address caller) public {
        vm.assume(caller != admin);
        vm.prank(caller);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, bytes32(0))
        );
        distributor.beginDefaultAdminTransfer(caller);
    }
}
