// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/**
 * @title MerkleDistributor (baseline for bench/gas.py only)
 * @notice A one-shot airdrop in the style of Uniswap's `MerkleDistributor`, written here as the
 * gas baseline for `SwapDistributor`: immutable token and root, leaf
 * `keccak256(abi.encodePacked(index, account, amount))`, and a bitmap of claimed indices, 256 per
 * storage word. It has no cumulative rounds, roles, pause or end; it is not used by the service.
 */
contract MerkleDistributor {
    using SafeERC20 for IERC20;

    /// @notice The token paid out.
    address public immutable token;
    /// @notice The only root, fixed at deployment.
    bytes32 public immutable merkleRoot;

    mapping(uint256 wordIndex => uint256 bits) private claimedBitMap;

    /// @notice `amount` was paid to `account` for leaf `index`.
    event Claimed(uint256 index, address account, uint256 amount);

    /// @notice The leaf at this index was already claimed.
    error AlreadyClaimed();
    /// @notice The proof does not prove the leaf.
    error InvalidProof();

    constructor(address token_, bytes32 merkleRoot_) {
        token = token_;
        merkleRoot = merkleRoot_;
    }

    /// @notice Whether the leaf at `index` was claimed.
    function isClaimed(uint256 index) public view returns (bool) {
        uint256 word = claimedBitMap[index / 256];
        uint256 mask = 1 << (index % 256);
        return word & mask == mask;
    }

    /// @notice Pays `amount` to `account` once, given the proof of leaf `index`.
    function claim(uint256 index, address account, uint256 amount, bytes32[] calldata merkleProof) external {
        if (isClaimed(index)) revert AlreadyClaimed();
        bytes32 node = keccak256(abi.encodePacked(index, account, amount));
        if (!MerkleProof.verify(merkleProof, merkleRoot, node)) revert InvalidProof();
        claimedBitMap[index / 256] |= 1 << (index % 256);
        IERC20(token).safeTransfer(account, amount);
        emit Claimed(index, account, amount);
    }
}
