// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {SwapDistributor} from "../../SwapDistributor.sol";
import {TestSESH} from "../TestSESH.sol";
import {MerkleTrees} from "./MerkleTrees.sol";
import {SafeAdmin} from "./SafeAdmin.sol";
import {Vm} from "./Vm.sol";

/**
 * @title DistributorHandler
 * @notice The actors of the invariant tests, each action one call forge picks at random: holders
 * claiming for themselves and for each other (alone and in batches), the honest publisher
 * proposing the next cumulative round, a thief holding a stolen publisher key proposing roots that
 * pay the thief everything and trying to claim and activate them, the guardian (the watchdog)
 * vetoing the thief's roots and pausing, the Safe (2 of 3) unpausing, moving the end and
 * withdrawing the remainder, one stolen Safe owner key trying alone, anyone activating, anyone
 * topping up the funds, and time moving.
 *
 * The handler is also the oracle. Before every call it predicts the outcome from its own model
 * (which root is active, what each holder was paid, the time, the pause, the end) and afterwards
 * checks the contract did exactly that: the same error, or success with the exact payment. A
 * mismatch reverts, and `fail_on_revert = true` (foundry.toml) turns that into a failed run. After
 * every call it also checks the step invariants (nothing decreased, nothing left while paused, the
 * round id rose by at most one, ...) and records any breach in `breaches` for the invariant
 * functions to report.
 *
 * The guardian acts within the delay: before time moves past the activation time of a root the
 * thief proposed, the guardian vetoes it (the watchdog's job, within one poll). That is the
 * premise of "a stolen publisher key gains nothing"; without it the root activates (residual risk
 * 1 in docs/threat-model.md, covered by the unit tests).
 */
contract DistributorHandler {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 public constant HOLDERS = 4;
    uint64 public constant MAX_STEP = 30 days;

    SwapDistributor public immutable distributor;
    TestSESH public immutable token;
    SafeAdmin public immutable admin;
    address public immutable publisher;
    address public immutable thief;
    address public immutable guardian;
    address public immutable pool;
    address public immutable funder;
    uint64 public immutable delay;

    address[] public holders;

    /// @notice The handler's clock: every action starts at `now` (forge does not keep warps between calls).
    uint256 public now_;

    // --- the model
    struct RootInfo {
        bool known;
        bool stolen; // proposed by the thief
        uint64 proposedAt; // the latest proposal of this root
        bytes32[] tree;
        address[] accounts;
        uint256[] amounts;
    }

    mapping(bytes32 root => RootInfo) internal roots;
    mapping(bytes32 root => bool) public ghostVetoed;
    /// @notice The next honest round's cumulative entitlement of each holder.
    uint256[] internal entitled;
    uint64 public ghostActivations;

    // --- ghosts for the invariants
    uint256 public ghostFunded;
    uint256 public ghostClaimed;
    uint256 public ghostWithdrawn;
    /// @notice Every SESH the thief ever received, seen step by step (the issue's ghost variable).
    uint256 public ghostThiefReceived;
    /// @notice `claimed[account]` as last seen, per account (holders and the thief).
    mapping(address account => uint256) public lastClaimed;

    /// @notice Breaches of the step invariants, by name; the invariant tests require none.
    mapping(bytes32 name => uint256) public breaches;

    /// @notice How often each action ran, and how often it succeeded (printed by the invariant test).
    mapping(bytes32 action => uint256) public calls;
    mapping(bytes32 action => uint256) public successes;

    // --- the state before the current step
    struct Before {
        bool paused;
        uint256 balance;
        uint64 roundId;
        bytes32 merkleRoot;
        uint64 endTime;
        uint256 thiefBalance;
        bool activation;
    }

    Before internal before;

    constructor(
        SwapDistributor distributor_,
        TestSESH token_,
        SafeAdmin admin_,
        address publisher_,
        address thief_,
        address guardian_,
        address pool_,
        uint256 funded
    ) {
        distributor = distributor_;
        token = token_;
        admin = admin_;
        publisher = publisher_;
        thief = thief_;
        guardian = guardian_;
        pool = pool_;
        funder = msg.sender;
        delay = distributor_.activationDelay();
        ghostFunded = funded;
        now_ = block.timestamp;
        for (uint256 i; i < HOLDERS; ++i) {
            holders.push(address(uint160(uint256(keccak256(abi.encode("invariant holder", i))))));
            entitled.push(0);
        }
    }

    // ================================================================ actions

    /// @notice `sender` claims for holder `who` with the proof of the active root (or a wrong amount).
    function claim(uint256 senderSeed, uint256 who, bool wrongAmount) external step("claim") {
        address account = holders[who % HOLDERS];
        bytes32 root = distributor.merkleRoot();
        (uint256 amount, bytes32[] memory proof) = _entitlement(root, account);
        if (wrongAmount) amount += 1;
        bytes memory expected = _claimError(root, account, amount, wrongAmount || !_inRoot(root, account));
        vm.prank(_sender(senderSeed));
        (bool ok, bytes memory ret) =
            address(distributor).call(abi.encodeCall(SwapDistributor.claim, (account, amount, proof)));
        _expect("claim", ok, ret, expected);
        if (ok) _paid(account, amount);
    }

    /// @notice `sender` pays the holders in `mask` with one multiproof of the active root.
    function claimMany(uint256 senderSeed, uint8 mask) external step("claimMany") {
        mask = uint8(mask % (2 ** HOLDERS));
        if (mask == 0) mask = 1;
        bytes32 root = distributor.merkleRoot();
        RootInfo storage info = roots[root];
        if (!info.known || info.stolen) return; // no honest active root: nothing to batch
        (address[] memory accounts, uint256[] memory amounts, bytes32[] memory proof, bool[] memory flags) =
            _batch(info, mask);
        bytes memory expected = _claimableError(root);
        vm.prank(_sender(senderSeed));
        (bool ok, bytes memory ret) = address(distributor).call(
            abi.encodeCall(SwapDistributor.claimMany, (root, accounts, amounts, proof, flags))
        );
        _expect("claimMany", ok, ret, expected);
        if (!ok) return;
        for (uint256 i; i < accounts.length; ++i) {
            if (amounts[i] > lastClaimed[accounts[i]]) _paid(accounts[i], amounts[i]);
        }
    }

    /// @notice The honest publisher proposes the next round: every holder's total rises a little.
    function proposeHonest(uint256 raiseSeed) external step("proposeHonest") {
        bytes32 pending = distributor.pendingRoot();
        if (pending != bytes32(0) && !roots[pending].stolen) return; // the service waits for its own proposal
        uint256[] memory next = new uint256[](HOLDERS);
        uint256 outstanding;
        for (uint256 i; i < HOLDERS; ++i) {
            next[i] = entitled[i] + (uint256(keccak256(abi.encode(raiseSeed, i))) % 10_000) * 1e9;
            outstanding += next[i] - distributor.claimed(holders[i]);
        }
        // The service proposes only what the contract can pay (the watchdog checks it again).
        if (outstanding > token.balanceOf(address(distributor))) return;
        bytes32 root = _record(holders, next, false);
        if (_propose(publisher, root, next)) {
            for (uint256 i; i < HOLDERS; ++i) {
                entitled[i] = next[i];
            }
        }
    }

    /// @notice The thief proposes, with the stolen publisher key, a root paying the thief everything.
    function proposeStolen(uint256 seed) external step("proposeStolen") {
        address[] memory accounts = new address[](2);
        uint256[] memory amounts = new uint256[](2);
        accounts[0] = thief;
        amounts[0] = token.balanceOf(address(distributor)) + seed % 1e18 + 1;
        accounts[1] = holders[seed % HOLDERS];
        amounts[1] = entitled[seed % HOLDERS] + 1;
        bytes32 root = _record(accounts, amounts, true);
        _propose(thief, root, amounts);
    }

    /// @notice The thief tries to claim from its own pending root, and to activate it at once.
    function thiefTries() external step("thiefTries") {
        bytes32 pending = distributor.pendingRoot();
        if (!roots[pending].stolen) return;
        RootInfo storage info = roots[pending];
        bytes32[] memory proof = MerkleTrees.proof(info.tree, 0);
        vm.prank(thief);
        (bool ok,) =
            address(distributor).call(abi.encodeCall(SwapDistributor.claim, (thief, info.amounts[0], proof)));
        if (ok) revert("the thief claimed from a pending root");
        vm.prank(thief);
        (ok,) = address(distributor).call(abi.encodeCall(SwapDistributor.activateRoot, ()));
        if (ok) revert("the thief activated a root within its delay");
    }

    /// @notice Anyone activates the pending root.
    function activate(uint256 senderSeed) external step("activate") {
        bytes32 pending = distributor.pendingRoot();
        bytes memory expected;
        if (distributor.paused()) expected = abi.encodeWithSelector(Pausable.EnforcedPause.selector);
        else if (pending == bytes32(0)) expected = abi.encodeWithSelector(SwapDistributor.NothingPending.selector);
        else if (now_ < distributor.pendingActivatesAt()) {
            expected = abi.encodeWithSelector(SwapDistributor.NotYetActive.selector, distributor.pendingActivatesAt());
        } else if (distributor.closed()) {
            expected = abi.encodeWithSelector(SwapDistributor.ProgramClosed.selector);
        }
        vm.prank(_sender(senderSeed));
        (bool ok, bytes memory ret) = address(distributor).call(abi.encodeCall(SwapDistributor.activateRoot, ()));
        _expect("activate", ok, ret, expected);
        if (!ok) return;
        before.activation = true;
        ++ghostActivations;
        if (now_ < roots[pending].proposedAt + delay) ++breaches["activated before its delay"];
    }

    /// @notice The guardian vetoes the pending root if the thief proposed it (the watchdog's check).
    function veto() external step("veto") {
        bytes32 pending = distributor.pendingRoot();
        if (roots[pending].stolen) _vetoPending();
    }

    /// @notice The guardian vetoes a root that is not pending: refused, nothing changes.
    function vetoWrongRoot(bytes32 root) external step("vetoWrongRoot") {
        if (root == distributor.pendingRoot()) return;
        vm.prank(guardian);
        (bool ok, bytes memory ret) = address(distributor).call(abi.encodeCall(SwapDistributor.vetoRoot, (root)));
        _expect("vetoWrongRoot", ok, ret, abi.encodeWithSelector(SwapDistributor.NotPending.selector, root));
    }

    /// @notice The guardian pauses.
    function pause() external step("pause") {
        bytes memory expected;
        if (distributor.paused()) expected = abi.encodeWithSelector(Pausable.EnforcedPause.selector);
        vm.prank(guardian);
        (bool ok, bytes memory ret) = address(distributor).call(abi.encodeCall(SwapDistributor.pause, ()));
        _expect("pause", ok, ret, expected);
    }

    /// @notice The Safe unpauses (two owners sign).
    function unpause() external step("unpause") {
        bool allowed = distributor.paused();
        bool ok = admin.execute(address(distributor), abi.encodeCall(SwapDistributor.unpause, ()));
        _expectSafe("unpause", ok, allowed);
    }

    /// @notice The Safe moves the end; sometimes earlier or with too little notice (refused).
    function setEndTime(uint256 seed) external step("setEndTime") {
        uint64 current = distributor.endTime();
        uint64 newEnd = uint64(now_ + 80 days + (seed % (20 days)));
        if (seed % 7 == 0 && current > 1) newEnd = current - 1;
        bool allowed = newEnd >= now_ + 90 days && (current == 0 || (now_ < current && newEnd >= current));
        bool ok = admin.execute(address(distributor), abi.encodeCall(SwapDistributor.setEndTime, (newEnd)));
        _expectSafe("setEndTime", ok, allowed);
    }

    /// @notice The Safe withdraws the remainder to the pool.
    function withdrawRemainder() external step("withdrawRemainder") {
        uint64 ends = distributor.endTime();
        bool allowed = ends != 0 && now_ >= ends && !distributor.closed() && !distributor.paused();
        uint256 left = token.balanceOf(address(distributor));
        bool ok = admin.execute(address(distributor), abi.encodeCall(SwapDistributor.withdrawRemainder, (pool)));
        _expectSafe("withdrawRemainder", ok, allowed);
        if (ok) ghostWithdrawn += left;
    }

    /// @notice One stolen Safe owner key tries to withdraw to the thief or to make the thief a
    /// publisher: the Safe refuses without a second signature.
    function oneSafeOwner(bool grant) external step("oneSafeOwner") {
        bytes memory data = grant
            ? abi.encodeCall(IAccessControl.grantRole, (distributor.PUBLISHER_ROLE(), thief))
            : abi.encodeCall(SwapDistributor.withdrawRemainder, (thief));
        if (admin.executeSignedByOne(address(distributor), data)) revert("one Safe owner executed an admin action");
    }

    /// @notice The Safe revokes the stolen publisher key (the runbook), or an attacker gets it back.
    function rotateStolenKey() external step("rotateStolenKey") {
        bytes32 role = distributor.PUBLISHER_ROLE();
        bytes memory data = distributor.hasRole(role, thief)
            ? abi.encodeCall(IAccessControl.revokeRole, (role, thief))
            : abi.encodeCall(IAccessControl.grantRole, (role, thief));
        _expectSafe("rotateStolenKey", admin.execute(address(distributor), data), true);
    }

    /// @notice Anyone sends SESH to the distributor.
    function fund(uint256 amount) external step("fund") {
        amount = amount % (100_000 * 1e9);
        vm.prank(funder);
        token.transfer(address(distributor), amount);
        ghostFunded += amount;
    }

    /// @notice Time moves on: half the time by up to two days (rounds follow each other), half the
    /// time by up to `MAX_STEP` (runs reach the program end). The guardian vetoes the thief's
    /// pending root before its activation time.
    function warp(uint256 seconds_) external step("warp") {
        uint256 target = now_ + 1 hours + seconds_ % (seconds_ % 2 == 0 ? 2 days : MAX_STEP);
        bytes32 pending = distributor.pendingRoot();
        if (roots[pending].stolen && target >= distributor.pendingActivatesAt()) _vetoPending();
        now_ = target;
        vm.warp(now_);
    }

    // ================================================================ the step and its checks

    modifier step(bytes32 action) {
        vm.warp(now_);
        ++calls[action];
        _snapshot();
        _;
        _checkStep();
    }

    function _snapshot() private {
        before = Before({
            paused: distributor.paused(),
            balance: token.balanceOf(address(distributor)),
            roundId: distributor.roundId(),
            merkleRoot: distributor.merkleRoot(),
            endTime: distributor.endTime(),
            thiefBalance: token.balanceOf(thief),
            activation: false
        });
    }

    function _checkStep() private {
        uint256 balance = token.balanceOf(address(distributor));
        if (before.paused && balance < before.balance) ++breaches["SESH left while paused"];
        uint64 roundId = distributor.roundId();
        bytes32 root = distributor.merkleRoot();
        if (root != before.merkleRoot || roundId != before.roundId) {
            if (!before.activation) ++breaches["root changed, no activation"];
            if (roundId != before.roundId + 1) ++breaches["round id skipped"];
        }
        if (roundId != ghostActivations) ++breaches["round id != activations"];
        if (ghostVetoed[root] || distributor.vetoed(root)) ++breaches["vetoed root active"];
        if (roots[root].stolen) ++breaches["thief root active"];
        uint64 ends = distributor.endTime();
        if (ends != before.endTime) {
            if (ends < before.endTime) ++breaches["end moved earlier"];
            if (ends < now_ + 90 days) ++breaches["end notice under 90 days"];
        }
        ghostThiefReceived += token.balanceOf(thief) - before.thiefBalance;
        _checkClaimed(thief, root);
        for (uint256 i; i < HOLDERS; ++i) {
            _checkClaimed(holders[i], root);
        }
    }

    function _checkClaimed(address account, bytes32 root) private {
        uint256 claimedNow = distributor.claimed(account);
        if (claimedNow < lastClaimed[account]) ++breaches["claimed decreased"];
        lastClaimed[account] = claimedNow;
        (uint256 entitlement,) = _entitlement(root, account);
        if (claimedNow > entitlement) ++breaches["claimed over active amount"];
    }

    // ================================================================ helpers

    function _propose(address sender, bytes32 root, uint256[] memory amounts) private returns (bool ok) {
        uint64 next = distributor.roundId() + 1;
        uint64 ends = distributor.endTime();
        bytes memory expected;
        if (!distributor.hasRole(distributor.PUBLISHER_ROLE(), sender)) {
            expected = abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, sender, distributor.PUBLISHER_ROLE()
            );
        } else if (ghostVetoed[root]) {
            expected = abi.encodeWithSelector(SwapDistributor.RootWasVetoed.selector, root);
        } else if (ends != 0 && now_ >= ends) {
            expected = abi.encodeWithSelector(SwapDistributor.ProgramEnded.selector, ends);
        } else if (ends != 0 && now_ + delay >= ends) {
            expected = abi.encodeWithSelector(SwapDistributor.ActivationAfterEnd.selector, uint64(now_ + delay), ends);
        }
        uint256 total;
        for (uint256 i; i < amounts.length; ++i) {
            total += amounts[i];
        }
        vm.prank(sender);
        bytes memory ret;
        (ok, ret) = address(distributor).call(
            abi.encodeCall(SwapDistributor.proposeRoot, (root, next, total, amounts.length))
        );
        _expect(sender == thief ? bytes32("proposeStolen") : bytes32("proposeHonest"), ok, ret, expected);
        if (ok) roots[root].proposedAt = uint64(now_);
    }

    function _vetoPending() private {
        bytes32 pending = distributor.pendingRoot();
        vm.prank(guardian);
        (bool ok, bytes memory ret) = address(distributor).call(abi.encodeCall(SwapDistributor.vetoRoot, (pending)));
        _expect("veto", ok, ret, "");
        ghostVetoed[pending] = true;
    }

    /// @dev Stores the tree of `accounts` and `amounts` under its root; returns the root.
    function _record(address[] memory accounts, uint256[] memory amounts, bool stolen) private returns (bytes32 root) {
        bytes32[] memory tree = MerkleTrees.build(accounts, amounts);
        root = tree[0];
        RootInfo storage info = roots[root];
        if (info.known) return root;
        info.known = true;
        info.stolen = stolen;
        info.tree = tree;
        info.accounts = accounts;
        info.amounts = amounts;
    }

    function _inRoot(bytes32 root, address account) private view returns (bool) {
        address[] storage accounts = roots[root].accounts;
        for (uint256 i; i < accounts.length; ++i) {
            if (accounts[i] == account) return true;
        }
        return false;
    }

    /// @dev `account`'s cumulative amount in `root` and its proof (0 and no proof if absent).
    function _entitlement(bytes32 root, address account) private view returns (uint256, bytes32[] memory) {
        RootInfo storage info = roots[root];
        for (uint256 i; i < info.accounts.length; ++i) {
            if (info.accounts[i] == account) return (info.amounts[i], MerkleTrees.proof(info.tree, i));
        }
        return (0, new bytes32[](0));
    }

    function _batch(RootInfo storage info, uint8 mask)
        private
        view
        returns (address[] memory accounts, uint256[] memory amounts, bytes32[] memory proof, bool[] memory flags)
    {
        uint256 count;
        for (uint256 i; i < HOLDERS; ++i) {
            if ((mask >> i) & 1 == 1) ++count;
        }
        uint256[] memory indices = new uint256[](count);
        accounts = new address[](count);
        amounts = new uint256[](count);
        count = 0;
        for (uint256 i; i < HOLDERS; ++i) {
            if ((mask >> i) & 1 == 1) {
                indices[count] = i;
                accounts[count] = info.accounts[i];
                amounts[count++] = info.amounts[i];
            }
        }
        (proof, flags) = MerkleTrees.multiproof(info.tree, indices);
    }

    /// @dev Why nothing is claimable now, as the contract says it; empty when claims are open.
    function _claimableError(bytes32 root) private view returns (bytes memory) {
        if (distributor.closed()) return abi.encodeWithSelector(SwapDistributor.ProgramClosed.selector);
        if (distributor.paused()) return abi.encodeWithSelector(Pausable.EnforcedPause.selector);
        if (root == bytes32(0)) return abi.encodeWithSelector(SwapDistributor.NoRoot.selector);
        return "";
    }

    function _claimError(bytes32 root, address account, uint256 amount, bool invalid)
        private
        view
        returns (bytes memory expected)
    {
        expected = _claimableError(root);
        if (expected.length > 0) return expected;
        if (invalid) return abi.encodeWithSelector(SwapDistributor.InvalidProof.selector, account, amount);
        uint256 already = lastClaimed[account];
        if (amount <= already) {
            return abi.encodeWithSelector(SwapDistributor.NothingToClaim.selector, account, amount, already);
        }
    }

    /// @dev Records a payment of `cumulative - lastClaimed` and checks the account got exactly that.
    function _paid(address account, uint256 cumulative) private {
        uint256 amount = cumulative - lastClaimed[account];
        ghostClaimed += amount;
        if (distributor.claimed(account) != cumulative) revert("claimed is not the cumulative amount paid");
    }

    function _sender(uint256 seed) private view returns (address) {
        uint256 pick = seed % (HOLDERS + 3);
        if (pick < HOLDERS) return holders[pick];
        if (pick == HOLDERS) return thief;
        if (pick == HOLDERS + 1) return guardian;
        return address(uint160(uint256(keccak256(abi.encode("anyone", seed)))));
    }

    function _expect(bytes32 action, bool ok, bytes memory ret, bytes memory expected) private {
        if (expected.length == 0) {
            if (!ok) revert(string.concat("unexpected revert in ", _name(action)));
            ++successes[action];
        } else if (ok) {
            revert(string.concat("unexpected success in ", _name(action)));
        } else if (keccak256(ret) != keccak256(expected)) {
            revert(string.concat("another error than predicted in ", _name(action)));
        }
    }

    function _expectSafe(bytes32 action, bool ok, bool allowed) private {
        if (ok != allowed) revert(string.concat("the Safe's call did not go as predicted: ", _name(action)));
        if (ok) ++successes[action];
    }

    function _name(bytes32 action) private pure returns (string memory) {
        uint256 length;
        while (length < 32 && action[length] != 0) ++length;
        bytes memory text = new bytes(length);
        for (uint256 i; i < length; ++i) {
            text[i] = action[i];
        }
        return string(text);
    }
}
