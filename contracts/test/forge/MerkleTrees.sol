// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title MerkleTrees
 * @notice Builds, in the tests themselves, the trees the service builds in Python
 * (`swap.core.merkle.StandardMerkleTree`, OpenZeppelin's `StandardMerkleTree` layout): leaves
 * `keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))))`, sorted-pair
 * hashing, the tree kept as one array with the root at 0 and leaf `i` at `length - 1 - i`. Proofs
 * and multiproofs follow OpenZeppelin's `getProof` and `getMultiProof`, so a fuzzed tree is
 * verified by the contract exactly as a served one is.
 */
library MerkleTrees {
    /// @notice The contract's leaf for `(account, cumulativeAmount)`.
    function leaf(address account, uint256 cumulativeAmount) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
    }

    /// @notice The tree of `accounts[i]` entitled to `amounts[i]`, leaves in the order given.
    function build(address[] memory accounts, uint256[] memory amounts) internal pure returns (bytes32[] memory tree) {
        uint256 n = accounts.length;
        require(n > 0 && amounts.length == n, "MerkleTrees: one amount per account, at least one");
        tree = new bytes32[](2 * n - 1);
        for (uint256 i; i < n; ++i) {
            tree[tree.length - 1 - i] = leaf(accounts[i], amounts[i]);
        }
        for (uint256 i = tree.length - n; i > 0; --i) {
            tree[i - 1] = _hashPair(tree[2 * (i - 1) + 1], tree[2 * (i - 1) + 2]);
        }
    }

    /// @notice The root of `tree`.
    function root(bytes32[] memory tree) internal pure returns (bytes32) {
        return tree[0];
    }

    /// @notice The proof of the leaf given at position `leafIndex` to `build`.
    function proof(bytes32[] memory tree, uint256 leafIndex) internal pure returns (bytes32[] memory path) {
        uint256 index = tree.length - 1 - leafIndex;
        bytes32[] memory buffer = new bytes32[](256);
        uint256 length;
        while (index > 0) {
            buffer[length++] = tree[_sibling(index)];
            index = (index - 1) / 2;
        }
        path = _trim(buffer, length);
    }

    /**
     * @notice The multiproof of the leaves at `leafIndices` (ascending, no repeats), for
     * `claimMany`: the accounts and amounts must be passed in the order of `leafIndices`.
     */
    function multiproof(bytes32[] memory tree, uint256[] memory leafIndices)
        internal
        pure
        returns (bytes32[] memory siblings, bool[] memory flags)
    {
        uint256 count = leafIndices.length;
        uint256[] memory queue = new uint256[](count + tree.length);
        for (uint256 i; i < count; ++i) {
            if (i > 0) require(leafIndices[i] > leafIndices[i - 1], "MerkleTrees: indices ascending, no repeats");
            queue[i] = tree.length - 1 - leafIndices[i]; // tree indices, descending
        }
        bytes32[] memory proofBuffer = new bytes32[](tree.length);
        bool[] memory flagBuffer = new bool[](tree.length);
        uint256 head;
        uint256 tail = count;
        uint256 proofLength;
        uint256 flagLength;
        while (head < tail && queue[head] > 0) {
            uint256 j = queue[head++];
            uint256 s = _sibling(j);
            if (head < tail && queue[head] == s) {
                flagBuffer[flagLength++] = true;
                ++head;
            } else {
                flagBuffer[flagLength++] = false;
                proofBuffer[proofLength++] = tree[s];
            }
            queue[tail++] = (j - 1) / 2;
        }
        if (count == 0) proofBuffer[proofLength++] = tree[0];
        siblings = _trim(proofBuffer, proofLength);
        flags = new bool[](flagLength);
        for (uint256 i; i < flagLength; ++i) {
            flags[i] = flagBuffer[i];
        }
    }

    function _sibling(uint256 index) private pure returns (uint256) {
        return index % 2 == 1 ? index + 1 : index - 1;
    }

    function _hashPair(bytes32 a, bytes32 b) private pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    function _trim(bytes32[] memory buffer, uint256 length) private pure returns (bytes32[] memory trimmed) {
        trimmed = new bytes32[](length);
        for (uint256 i; i < length; ++i) {
            trimmed[i] = buffer[i];
        }
    }
}
