// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/**
 * @title SwapDistributor
 * @notice Pays Session Token (SESH) to the accounts of cumulative Merkle distributions.
 *
 * Each published root commits to one cumulative entitlement per account, in the OpenZeppelin
 * `StandardMerkleTree` format for `(address account, uint256 cumulativeAmount)`, so anyone can
 * rebuild a root from the published dump with OpenZeppelin's merkle-tree library. It records in
 * `claimed[account]` how much it has paid each account in total and only ever pays the difference
 * up to the current root's entitlement: a new root can raise an account's total, but nothing can
 * be paid twice, whoever sends the transaction and however often it is sent.
 *
 * Roles: the admin (`DEFAULT_ADMIN_ROLE`) grants roles, sets the program end once, unpauses and
 * withdraws what is left after the end; `PUBLISHER_ROLE` publishes roots; `PAUSER_ROLE` pauses.
 * Claims and batch payouts are open to anyone because they always pay the account itself.
 *
 * @dev Gas notes. A claim reads one slot for both "is a root published" and "is the contract
 * paused": `_claimableRoot` equals `merkleRoot` while unpaused and zero while paused, kept in step
 * by `publishRoot`, `_pause` and `_unpause`. The reentrancy guard uses transient storage (EIP-1153,
 * available on Arbitrum since ArbOS 20). Leaves are always computed here from
 * `(account, cumulativeAmount)`, never taken from the caller, because `MerkleProof` does not check
 * proof lengths and would otherwise accept an internal node as a leaf.
 */
contract SwapDistributor is AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice May publish new roots.
    bytes32 public constant PUBLISHER_ROLE = keccak256("PUBLISHER_ROLE");
    /// @notice May pause claims and payouts (unpausing takes the admin).
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice The token paid out (SESH).
    IERC20 public immutable token;

    /// @notice The current root, whether or not the contract is paused; zero before the first.
    bytes32 public merkleRoot;
    /// @dev `merkleRoot` while unpaused, zero while paused: the one slot a claim reads.
    bytes32 private _claimableRoot;
    /// @notice The round id of the current root; each new root needs a higher one.
    uint64 public roundId;
    /// @notice When the program ends (unix seconds); zero until set. Set once, never changed.
    uint64 public endTime;
    /// @notice Total paid to each account over all rounds.
    mapping(address account => uint256) public claimed;

    /// @notice A root was published. `total` and `accounts` are the sum of the cumulative amounts
    /// and the number of accounts of the tree, as the publisher declares them, for verification.
    event RootPublished(
        uint64 indexed roundId, bytes32 indexed root, bytes32 previousRoot, uint256 total, uint256 accounts
    );
    /// @notice `amount` was paid to `account`, whose total paid is now `cumulativeAmount`.
    event Claimed(address indexed account, uint256 amount, uint256 cumulativeAmount);
    /// @notice The program end was set.
    event EndTimeSet(uint64 endTime);
    /// @notice What was left after the program end was sent to `to`.
    event RemainderWithdrawn(address indexed to, uint256 amount);

    /// @notice An address argument was zero.
    error ZeroAddress();
    /// @notice A root of zero cannot be published.
    error ZeroRoot();
    /// @notice No root has been published yet.
    error NoRoot();
    /// @notice `roundId` is not above the current round id.
    error StaleRound(uint64 roundId, uint64 currentRoundId);
    /// @notice The caller's proof was made for `expectedRoot` but the current root is `currentRoot`.
    error RootMismatch(bytes32 expectedRoot, bytes32 currentRoot);
    /// @notice The proof does not prove `(account, cumulativeAmount)` under the current root.
    error InvalidProof(address account, uint256 cumulativeAmount);
    /// @notice The multiproof does not prove the batch under the current root.
    error InvalidMultiproof();
    /// @notice `account` has already been paid `alreadyClaimed`, at least `cumulativeAmount`.
    error NothingToClaim(address account, uint256 cumulativeAmount, uint256 alreadyClaimed);
    /// @notice A batch must have one amount per account, and at least one account.
    error BadBatch(uint256 accounts, uint256 amounts);
    /// @notice The program end is already set and never changes.
    error EndTimeAlreadySet(uint64 endTime);
    /// @notice The program end must lie in the future.
    error EndTimeNotInFuture(uint64 endTime);
    /// @notice The program has not ended (an `endTime` of zero means it is not set).
    error ProgramNotEnded(uint64 endTime);
    /// @notice The program has ended: no new roots.
    error ProgramEnded(uint64 endTime);

    /// @param token_ The token paid out.
    /// @param admin Receives `DEFAULT_ADMIN_ROLE`.
    /// @param endTime_ Program end in unix seconds, or zero to set it later with `setEndTime`.
    constructor(IERC20 token_, address admin, uint64 endTime_) {
        if (address(token_) == address(0) || admin == address(0)) revert ZeroAddress();
        token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (endTime_ != 0) _setEndTime(endTime_);
    }

    /**
     * @notice Pays `account` what the current root entitles it to beyond what it was already paid.
     * @dev A proof made for a root that has since been replaced fails with `InvalidProof` (unless
     * the account's leaf is the same in both trees, when paying it is still right).
     * @param account Receives the payment; anyone may send the transaction.
     * @param cumulativeAmount The account's cumulative entitlement in the current root.
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
     * was published fails with `RootMismatch`, which tells the service to build it again.
     * @param accounts The accounts, in the order of the multiproof's leaves.
     * @param cumulativeAmounts Their cumulative entitlements in the current root.
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
     * @notice Publishes the root of a new cumulative round.
     * @dev Allowed while paused, so that a wrong root can be replaced before unpausing. The
     * service checks beforehand that this contract holds enough SESH for what is outstanding.
     * @param root The tree's root.
     * @param newRoundId Must be above `roundId`, so a stale publication can never come back.
     * @param total The sum of the tree's cumulative amounts (logged for verification).
     * @param accounts The number of accounts in the tree (logged for verification).
     */
    function publishRoot(bytes32 root, uint64 newRoundId, uint256 total, uint256 accounts)
        external
        onlyRole(PUBLISHER_ROLE)
    {
        if (root == bytes32(0)) revert ZeroRoot();
        uint64 ends = endTime;
        if (ends != 0 && block.timestamp >= ends) revert ProgramEnded(ends);
        uint64 current = roundId;
        if (newRoundId <= current) revert StaleRound(newRoundId, current);
        bytes32 previousRoot = merkleRoot;
        merkleRoot = root;
        roundId = newRoundId;
        if (!paused()) _claimableRoot = root;
        emit RootPublished(newRoundId, root, previousRoot, total, accounts);
    }

    /// @notice Stops claims and payouts until the admin unpauses.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Resumes claims and payouts against the current root.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @notice Sets the program end, once, if the constructor did not.
    function setEndTime(uint64 newEndTime) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint64 current = endTime;
        if (current != 0) revert EndTimeAlreadySet(current);
        _setEndTime(newEndTime);
    }

    /// @notice After the program end, sends everything the contract holds to `to`.
    function withdrawRemainder(address to) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        uint64 ends = endTime;
        if (ends == 0 || block.timestamp < ends) revert ProgramNotEnded(ends);
        if (to == address(0)) revert ZeroAddress();
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
        _claimableRoot = merkleRoot;
    }

    function _setEndTime(uint64 newEndTime) private {
        if (newEndTime <= block.timestamp) revert EndTimeNotInFuture(newEndTime);
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

    /// @dev `root` is `_claimableRoot`: zero while paused or before the first root.
    function _checkRoot(bytes32 root, bytes32 expectedRoot) private view {
        if (root == expectedRoot && root != bytes32(0)) return;
        if (root == bytes32(0)) _revertNoRoot();
        revert RootMismatch(expectedRoot, root);
    }

    /// @dev Why `_claimableRoot` is zero: the contract is paused, or no root was published yet.
    function _revertNoRoot() private view {
        if (paused()) revert EnforcedPause();
        revert NoRoot();
    }

    /// @dev The standard leaf: keccak256(bytes.concat(keccak256(abi.encode(account, amount)))).
    function _leaf(address account, uint256 cumulativeAmount) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
    }
}
