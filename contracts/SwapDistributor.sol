// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/**
 * @title SwapDistributor
 * @notice Pays Session Token (SESH) to the accounts of cumulative Merkle distributions.
 *
 * Each root commits to one cumulative entitlement per account, in the OpenZeppelin
 * `StandardMerkleTree` format for `(address account, uint256 cumulativeAmount)`, so anyone can
 * rebuild a root from the published dump with OpenZeppelin's merkle-tree library. It records in
 * `claimed[account]` how much it has paid each account in total and only ever pays the difference
 * up to the active root's entitlement: a new root can raise an account's total, but nothing can
 * be paid twice, whoever sends the transaction and however often it is sent.
 *
 * No single key can move SESH. A root is first *proposed* by the publisher (the service's hot
 * key); it becomes the active, claimable root only when anyone *activates* it after the public
 * `activationDelay`. During that delay a guardian (an independent watchdog's key) can veto it
 * for good and pause the contract. The admin (`DEFAULT_ADMIN_ROLE`, a Safe multisig, transferred
 * only in two delayed steps) grants and revokes roles, unpauses, moves the program end (never
 * earlier, never with less than `MIN_END_NOTICE` of notice) and withdraws what is left after
 * the end.
 *
 * @dev Gas notes. A claim reads one slot for "is a root active", "is the contract paused" and
 * "is the program closed": `_claimableRoot` equals `merkleRoot` while unpaused and open, zero
 * otherwise, kept in step by `activateRoot`, `_pause`, `_unpause` and `withdrawRemainder`. The
 * pending proposal lives in slots of its own, which claims never read. The reentrancy guard uses
 * transient storage (EIP-1153, available on Arbitrum since ArbOS 20). Leaves are always computed
 * here from `(account, cumulativeAmount)`, never taken from the caller, because `MerkleProof`
 * does not check proof lengths and would otherwise accept an internal node as a leaf.
 */
contract SwapDistributor is AccessControlDefaultAdminRules, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice May propose new roots (the service's worker key).
    bytes32 public constant PUBLISHER_ROLE = keccak256("PUBLISHER_ROLE");
    /// @notice May pause claims and payouts (unpausing takes the admin).
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice May veto a pending root (the watchdog's key).
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice The shortest activation delay the constructor accepts.
    uint64 public constant MIN_ACTIVATION_DELAY = 1 hours;
    /// @notice The least notice holders get of the program end.
    uint64 public constant MIN_END_NOTICE = 90 days;

    /// @notice The token paid out (SESH).
    IERC20 public immutable token;
    /// @notice Seconds between a root's proposal and the earliest time it can be activated; also
    /// the delay of a transfer of the admin role.
    uint64 public immutable activationDelay;

    /// @notice The active root, whether or not the contract is paused; zero before the first.
    bytes32 public merkleRoot;
    /// @dev `merkleRoot` while unpaused and before the remainder is withdrawn, zero otherwise:
    /// the one slot a claim reads besides `claimed[account]`.
    bytes32 private _claimableRoot;
    /// @notice The round id of the active root; the next proposal must carry exactly one more.
    uint64 public roundId;
    /// @notice When the program ends (unix seconds); zero until set. It only ever moves later.
    uint64 public endTime;
    /// @notice When the pending root may be activated (unix seconds); zero when nothing is pending.
    uint64 public pendingActivatesAt;
    /// @notice The round id of the pending root; zero when nothing is pending.
    uint64 public pendingRoundId;
    /// @notice The proposed root waiting for its activation delay; zero when nothing is pending.
    bytes32 public pendingRoot;
    /// @notice The pending root's declared sum of cumulative amounts (for `RootPublished`).
    uint256 public pendingTotal;
    /// @notice The pending root's declared number of accounts (for `RootPublished`).
    uint256 public pendingAccounts;
    /// @notice True once the remainder has been withdrawn: nothing is claimable any more.
    bool public closed;
    /// @notice Roots a guardian vetoed; they can never be proposed again.
    mapping(bytes32 root => bool) public vetoed;
    /// @notice Total paid to each account over all rounds.
    mapping(address account => uint256) public claimed;

    /// @notice `root` was proposed for round `roundId`; it can be activated from `activatesAt`.
    /// `total` and `accounts` are the sum of the cumulative amounts and the number of accounts of
    /// the tree, as the publisher declares them, so that a watchdog can check them in time.
    /// @param roundId The round the root is proposed for: the active round id + 1.
    /// @param root The proposed root.
    /// @param total The declared sum of the tree's cumulative amounts.
    /// @param accounts The declared number of accounts in the tree.
    /// @param activatesAt The earliest time (unix seconds) `activateRoot` accepts it.
    event RootProposed(
        uint64 indexed roundId, bytes32 indexed root, uint256 total, uint256 accounts, uint64 activatesAt
    );
    /// @notice `root` became the active root of round `roundId`, replacing `previousRoot`.
    /// @param roundId The round id now active.
    /// @param root The root now active.
    /// @param previousRoot The root it replaced (zero for the first).
    /// @param total The sum of the cumulative amounts declared at its proposal.
    /// @param accounts The number of accounts declared at its proposal.
    event RootPublished(
        uint64 indexed roundId, bytes32 indexed root, bytes32 previousRoot, uint256 total, uint256 accounts
    );
    /// @notice `guardian` vetoed the pending `root` of round `roundId`; it can never be proposed again.
    /// @param roundId The round the root was proposed for.
    /// @param root The vetoed root.
    /// @param guardian The guardian that vetoed it.
    event RootVetoed(uint64 indexed roundId, bytes32 indexed root, address indexed guardian);
    /// @notice `amount` was paid to `account`, whose total paid is now `cumulativeAmount`.
    /// @param account The account paid (whoever sent the transaction).
    /// @param amount The SESH paid now, in atomic units.
    /// @param cumulativeAmount The account's total paid over all rounds.
    event Claimed(address indexed account, uint256 amount, uint256 cumulativeAmount);
    /// @notice The program end was set or moved later.
    /// @param endTime The new end, unix seconds.
    event EndTimeSet(uint64 endTime);
    /// @notice What was left after the program end was sent to `to`; the program is closed.
    /// @param to The recipient of the remainder.
    /// @param amount The SESH sent, in atomic units: everything the contract held.
    event RemainderWithdrawn(address indexed to, uint256 amount);

    /// @notice An address argument was zero.
    error ZeroAddress();
    /// @notice A root of zero cannot be proposed.
    error ZeroRoot();
    /// @notice No root is active yet.
    error NoRoot();
    /// @notice `roundId` is not above the active round id `currentRoundId`.
    /// @param roundId The proposed round id.
    /// @param currentRoundId The active round id.
    error StaleRound(uint64 roundId, uint64 currentRoundId);
    /// @notice `roundId` skips ids: the next round must be exactly `expectedRoundId`.
    /// @param roundId The proposed round id.
    /// @param expectedRoundId The active round id + 1.
    error RoundIdNotNext(uint64 roundId, uint64 expectedRoundId);
    /// @notice A guardian vetoed `root`; it can never be proposed again.
    /// @param root The vetoed root.
    error RootWasVetoed(bytes32 root);
    /// @notice There is no pending root to activate.
    error NothingPending();
    /// @notice The pending root can only be activated from `activatesAt`.
    /// @param activatesAt The pending root's activation time, unix seconds.
    error NotYetActive(uint64 activatesAt);
    /// @notice `root` is not the pending root.
    /// @param root The root the guardian named.
    error NotPending(bytes32 root);
    /// @notice The activation delay `delay` is below `minimum`.
    /// @param delay The delay given to the constructor.
    /// @param minimum `MIN_ACTIVATION_DELAY`.
    error ActivationDelayTooShort(uint64 delay, uint64 minimum);
    /// @notice A root proposed now would activate at `activatesAt`, not before the end `endTime`.
    /// @param activatesAt When a root proposed now would activate.
    /// @param endTime The program end.
    error ActivationAfterEnd(uint64 activatesAt, uint64 endTime);
    /// @notice The caller's proof was made for `expectedRoot` but the active root is `currentRoot`.
    /// @param expectedRoot The root the batch was built for.
    /// @param currentRoot The active root.
    error RootMismatch(bytes32 expectedRoot, bytes32 currentRoot);
    /// @notice The proof does not prove `(account, cumulativeAmount)` under the active root.
    /// @param account The account claimed for.
    /// @param cumulativeAmount The cumulative amount claimed.
    error InvalidProof(address account, uint256 cumulativeAmount);
    /// @notice The multiproof does not prove the batch under the active root.
    error InvalidMultiproof();
    /// @notice `account` has already been paid `alreadyClaimed`, at least `cumulativeAmount`.
    /// @param account The account claimed for.
    /// @param cumulativeAmount The cumulative amount claimed.
    /// @param alreadyClaimed What the account was already paid in total.
    error NothingToClaim(address account, uint256 cumulativeAmount, uint256 alreadyClaimed);
    /// @notice A batch must have one amount per account, and at least one account.
    /// @param accounts The number of accounts given.
    /// @param amounts The number of amounts given.
    error BadBatch(uint256 accounts, uint256 amounts);
    /// @notice The program end must lie at least `MIN_END_NOTICE` after now: `earliest`.
    /// @param endTime The end asked for.
    /// @param earliest Now + `MIN_END_NOTICE`.
    error EndTooSoon(uint64 endTime, uint64 earliest);
    /// @notice The program end can only move later than `currentEndTime`.
    /// @param endTime The end asked for.
    /// @param currentEndTime The end in force.
    error EndTimeEarlier(uint64 endTime, uint64 currentEndTime);
    /// @notice The program has not ended (an `endTime` of zero means it is not set).
    /// @param endTime The end in force (zero: not set).
    error ProgramNotEnded(uint64 endTime);
    /// @notice The program ended at `endTime`: no new roots, and its end no longer moves.
    /// @param endTime The end that has passed.
    error ProgramEnded(uint64 endTime);
    /// @notice The remainder was withdrawn: the program is closed.
    error ProgramClosed();

    /// @notice Deploys the distributor with its admin (the Safe); roles are granted afterwards by the admin.
    /// @param token_ The token paid out.
    /// @param admin Receives `DEFAULT_ADMIN_ROLE`: a Safe multisig in production.
    /// @param endTime_ Program end in unix seconds, at least `MIN_END_NOTICE` ahead, or zero to set
    /// it later with `setEndTime`.
    /// @param activationDelay_ Seconds from a proposal to its earliest activation (at least
    /// `MIN_ACTIVATION_DELAY`); it is also the delay of a transfer of the admin role.
    constructor(IERC20 token_, address admin, uint64 endTime_, uint64 activationDelay_)
        AccessControlDefaultAdminRules(SafeCast.toUint48(activationDelay_), admin)
    {
        if (address(token_) == address(0) || admin == address(0)) revert ZeroAddress();
        if (activationDelay_ < MIN_ACTIVATION_DELAY) {
            revert ActivationDelayTooShort(activationDelay_, MIN_ACTIVATION_DELAY);
        }
        token = token_;
        activationDelay = activationDelay_;
        if (endTime_ != 0) _setEndTime(endTime_);
    }

    /**
     * @notice Pays `account` what the active root entitles it to beyond what it was already paid.
     * @dev A proof made for a root that has since been replaced fails with `InvalidProof` (unless
     * the account's leaf is the same in both trees, when paying it is still right).
     * @param account Receives the payment; anyone may send the transaction.
     * @param cumulativeAmount The account's cumulative entitlement in the active root.
     * @param proof The standard Merkle proof of `(account, cumulativeAmount)`.
     */
    function claim(address account, uint256 cumulativeAmount, bytes32[] calldata proof) external nonReentrant {
        bytes32 root = _claimableRoot;
        if (root == bytes32(0)) _revertNoRoot();
        if (!MerkleProof.verifyCalldata(proof, root, _leaf(account, cumulativeAmount))) {
            revert InvalidProof(account, cumulativeAmount);
        }
        uint256 already = claimed[account];
        if (cumulativeAmount <= already) revert NothingToClaim(account, cumulativeAmount, already);
        _pay(account, cumulativeAmount, already);
    }

    /**
     * @notice Pays many accounts at once with one multiproof (a payout batch).
     * @dev Accounts already paid their entitlement are skipped, not reverted on, so a batch sent
     * twice, or racing a claim of one of its accounts, pays nobody twice and fails nobody else.
     * @param expectedRoot The root the multiproof was made for: a batch built before another root
     * was activated fails with `RootMismatch`, which tells the service to build it again.
     * @param accounts The accounts, in the order of the multiproof's leaves.
     * @param cumulativeAmounts Their cumulative entitlements in the active root.
     * @param proof The multiproof's sibling hashes.
     * @param proofFlags The multiproof's flags (see `MerkleProof.processMultiProof`).
     */
    function claimMany(
        bytes32 expectedRoot,
        address[] calldata accounts,
        uint256[] calldata cumulativeAmounts,
        bytes32[] calldata proof,
        bool[] calldata proofFlags
    ) external nonReentrant {
        bytes32 root = _claimableRoot;
        _checkRoot(root, expectedRoot);
        uint256 count = accounts.length;
        if (count == 0 || cumulativeAmounts.length != count) revert BadBatch(count, cumulativeAmounts.length);
        bytes32[] memory leaves = new bytes32[](count);
        for (uint256 i; i < count; ) {
            leaves[i] = _leaf(accounts[i], cumulativeAmounts[i]);
            unchecked {
                ++i;
            }
        }
        if (!MerkleProof.multiProofVerifyCalldata(proof, proofFlags, root, leaves)) revert InvalidMultiproof();
        for (uint256 i; i < count; ) {
            address account = accounts[i];
            uint256 cumulativeAmount = cumulativeAmounts[i];
            uint256 already = claimed[account];
            if (cumulativeAmount > already) _pay(account, cumulativeAmount, already);
            unchecked {
                ++i;
            }
        }
    }

    /**
     * @notice Proposes the root of the next cumulative round; it can be activated by anyone once
     * `activationDelay` has passed, unless a guardian vetoes it first.
     * @dev A new proposal replaces a pending one (same round id) and restarts the delay. Allowed
     * while paused, so that a wrong root can be replaced before unpausing. The service checks
     * beforehand that this contract holds enough SESH for what is outstanding; the watchdog
     * checks it again.
     * @param root The tree's root; never zero, never a vetoed root.
     * @param newRoundId Exactly `roundId + 1`: ids can neither repeat nor skip, so no proposal can
     * block the rounds after it.
     * @param total The sum of the tree's cumulative amounts (declared for verification).
     * @param accounts The number of accounts in the tree (declared for verification).
     */
    function proposeRoot(bytes32 root, uint64 newRoundId, uint256 total, uint256 accounts)
        external
        onlyRole(PUBLISHER_ROLE)
    {
        if (root == bytes32(0)) revert ZeroRoot();
        if (vetoed[root]) revert RootWasVetoed(root);
        uint64 current = roundId;
        if (newRoundId <= current) revert StaleRound(newRoundId, current);
        if (newRoundId != current + 1) revert RoundIdNotNext(newRoundId, current + 1);
        uint64 ends = endTime;
        // Days-long delays and a 90-day notice: a sequencer's drift of seconds cannot matter.
        // slither-disable-next-line timestamp
        if (ends != 0 && block.timestamp >= ends) revert ProgramEnded(ends);
        uint64 activatesAt = uint64(block.timestamp) + activationDelay;
        // Likewise: the end is days away, and so is the activation.
        // slither-disable-next-line timestamp
        if (ends != 0 && activatesAt >= ends) revert ActivationAfterEnd(activatesAt, ends);
        pendingRoot = root;
        pendingRoundId = newRoundId;
        pendingActivatesAt = activatesAt;
        pendingTotal = total;
        pendingAccounts = accounts;
        emit RootProposed(newRoundId, root, total, accounts, activatesAt);
    }

    /**
     * @notice Makes the pending root the active, claimable one once its delay is over. Anyone may
     * call it: holders never depend on the service to start claiming.
     * @dev Refused while paused, so a root cannot become claimable during an incident, and after
     * the remainder was withdrawn.
     */
    function activateRoot() external whenNotPaused {
        bytes32 root = pendingRoot;
        if (root == bytes32(0)) revert NothingPending();
        uint64 activatesAt = pendingActivatesAt;
        // The delay is hours to days long: a sequencer's drift of seconds cannot matter.
        // slither-disable-next-line timestamp
        if (block.timestamp < activatesAt) revert NotYetActive(activatesAt);
        if (closed) revert ProgramClosed();
        uint64 newRoundId = pendingRoundId;
        uint256 total = pendingTotal;
        uint256 accounts = pendingAccounts;
        _clearPending();
        bytes32 previousRoot = merkleRoot;
        merkleRoot = root;
        roundId = newRoundId;
        _claimableRoot = root;
        emit RootPublished(newRoundId, root, previousRoot, total, accounts);
    }

    /**
     * @notice Drops the pending root for good: it can never be proposed again.
     * @param root Must equal `pendingRoot`, so a veto cannot hit a proposal that replaced the one
     * the guardian meant.
     */
    function vetoRoot(bytes32 root) external onlyRole(GUARDIAN_ROLE) {
        if (root == bytes32(0) || root != pendingRoot) revert NotPending(root);
        uint64 vetoedRoundId = pendingRoundId;
        vetoed[root] = true;
        _clearPending();
        emit RootVetoed(vetoedRoundId, root, msg.sender);
    }

    /// @notice Stops claims, payouts, activation and the withdrawal of the remainder until the admin
    /// unpauses. Proposals and vetoes still work, so a wrong root can be vetoed or replaced.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes claims and payouts against the active root (nothing becomes claimable again
    /// once the remainder was withdrawn).
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /**
     * @notice Sets the program end, or moves it later; never earlier, and never with less than
     * `MIN_END_NOTICE` of notice. Once the end has passed it no longer moves.
     * @param newEndTime The new end in unix seconds.
     */
    function setEndTime(uint64 newEndTime) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint64 current = endTime;
        if (current != 0) {
            // The end is at least 90 days away when set: seconds of drift cannot matter.
            // slither-disable-next-line timestamp
            if (block.timestamp >= current) revert ProgramEnded(current);
            if (newEndTime < current) revert EndTimeEarlier(newEndTime, current);
        }
        _setEndTime(newEndTime);
    }

    /**
     * @notice After the program end, sends everything the contract holds to `to` and closes the
     * program: nothing is claimable afterwards, and nothing can be activated.
     * @dev Refused while paused, like every other way out: while paused, no SESH leaves the
     * contract (the guardian's pause holds until the admin unpauses in public).
     * @param to The Staking Reward Pool (or wherever the program says the remainder goes).
     */
    function withdrawRemainder(address to) external onlyRole(DEFAULT_ADMIN_ROLE) whenNotPaused nonReentrant {
        uint64 ends = endTime;
        // The end is at least 90 days away when set: seconds of drift cannot matter.
        // slither-disable-next-line timestamp
        if (ends == 0 || block.timestamp < ends) revert ProgramNotEnded(ends);
        if (closed) revert ProgramClosed();
        if (to == address(0)) revert ZeroAddress();
        closed = true;
        _claimableRoot = bytes32(0);
        uint256 amount = token.balanceOf(address(this));
        emit RemainderWithdrawn(to, amount);
        token.safeTransfer(to, amount);
    }

    function _pause() internal override {
        super._pause();
        _claimableRoot = bytes32(0);
    }

    function _unpause() internal override {
        super._unpause();
        if (!closed) _claimableRoot = merkleRoot;
    }

    function _clearPending() private {
        pendingRoot = bytes32(0);
        pendingRoundId = 0;
        pendingActivatesAt = 0;
        pendingTotal = 0;
        pendingAccounts = 0;
    }

    function _setEndTime(uint64 newEndTime) private {
        uint64 earliest = uint64(block.timestamp) + MIN_END_NOTICE;
        // A 90-day notice: seconds of drift cannot matter.
        // slither-disable-next-line timestamp
        if (newEndTime < earliest) revert EndTooSoon(newEndTime, earliest);
        endTime = newEndTime;
        emit EndTimeSet(newEndTime);
    }

    /// @dev Effects before the transfer; callers have checked `cumulativeAmount > already`.
    function _pay(address account, uint256 cumulativeAmount, uint256 already) private {
        claimed[account] = cumulativeAmount;
        uint256 amount;
        unchecked {
            amount = cumulativeAmount - already;
        }
        emit Claimed(account, amount, cumulativeAmount);
        token.safeTransfer(account, amount);
    }

    /// @dev `root` is `_claimableRoot`: zero while paused, after closing, or before the first root.
    function _checkRoot(bytes32 root, bytes32 expectedRoot) private view {
        if (root == expectedRoot && root != bytes32(0)) return;
        if (root == bytes32(0)) _revertNoRoot();
        revert RootMismatch(expectedRoot, root);
    }

    /// @dev Why `_claimableRoot` is zero: closed, paused, or no root active yet.
    function _revertNoRoot() private view {
        if (closed) revert ProgramClosed();
        if (paused()) revert EnforcedPause();
        revert NoRoot();
    }

    /// @dev The standard leaf: keccak256(bytes.concat(keccak256(abi.encode(account, amount)))).
    function _leaf(address account, uint256 cumulativeAmount) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
    }
}
