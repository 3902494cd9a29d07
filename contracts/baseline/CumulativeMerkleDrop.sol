// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/**
 * @title CumulativeMerkleDrop (baseline for bench/gas.py only)
 * @notice A cumulative distributor with an updatable root, in the design of 1inch's
 * `CumulativeMerkleDrop`, written here as the second gas baseline for `SwapDistributor`: the
 * owner replaces the root at will (no delay, no veto), a claim names the root its proof was made
 * for, leaves are `keccak256(abi.encodePacked(account, cumulativeAmount))`, and
 * `cumulativeClaimed[account]` pays only the difference. It is not used by the service.
 */
contract CumulativeMerkleDrop {
    using SafeERC20 for IERC20;

    /// @notice The token paid out.
    IERC20 public immutable token;
    /// @notice May replace the root.
    address public immutable owner;
    /// @notice The current root.
    bytes32 public merkleRoot;
    /// @notice Total paid to each account.
    mapping(address account => uint256) public cumulativeClaimed;

    /// @notice The root was replaced.
    event MerkleRootUpdated(bytes32 oldMerkleRoot, bytes32 newMerkleRoot);
    /// @notice `amount` was paid to `account`.
    event Claimed(address indexed account, uint256 amount);

    /// @notice The caller is not the owner.
    error NotOwner();
    /// @notice The proof was made for another root.
    error MerkleRootWasUpdated();
    /// @notice The proof does not prove the leaf.
    error InvalidProof();
    /// @notice Everything up to `cumulativeAmount` was already paid.
    error NothingToClaim();

    /// @param token_ The token paid out.
    constructor(IERC20 token_) {
        token = token_;
        owner = msg.sender;
    }

    /// @notice Replaces the root, effective at once.
    function setMerkleRoot(bytes32 merkleRoot_) external {
        if (msg.sender != owner) revert NotOwner();
        emit MerkleRootUpdated(merkleRoot, merkleRoot_);
        merkleRoot = merkleRoot_;
    }

    /// @notice Pays `account` its cumulative amount minus what it was already paid.
    function claim(address account, uint256 cumulativeAmount, bytes32 expectedMerkleRoot, bytes32[] calldata proof)
        external
    {
        bytes32 root = merkleRoot;
        if (root != expectedMerkleRoot) revert MerkleRootWasUpdated();
        bytes32 leaf = keccak256(abi.encodePacked(account, cumulativeAmount));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidProof();
        uint256 already = cumulativeClaimed[account];
        if (cumulativeAmount <= already) revert NothingToClaim();
        cumulativeClaimed[account] = cumulativeAmount;
        uint256 amount;
        unchecked {
            amount = cumulativeAmount - already;
        }
        emit Claimed(account, amount);
        token.safeTransfer(account, amount);
    }
}
