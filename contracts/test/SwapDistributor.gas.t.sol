// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SwapDistributor} from "../SwapDistributor.sol";
import {DistributorSetup} from "./forge/DistributorSetup.sol";
import {MerkleTrees} from "./forge/MerkleTrees.sol";

/**
 * @title SwapDistributorGasTest
 * @notice What holders and the service pay, recorded in `.gas-snapshot` (`forge snapshot
 * --match-contract SwapDistributorGasTest`) and checked by `make test` (`forge snapshot --check`),
 * so a change that costs gas shows in review. Each test does the one call it is named after; the
 * trees and earlier rounds are built in `setUp`, and loading the call's arguments from storage is
 * not metered (`pauseGasMetering`), so each figure is the call itself: its execution gas, without
 * the transaction's 21,000 base and calldata (bench/gas.py measures whole transactions on anvil
 * against the baselines).
 */
contract SwapDistributorGasTest is DistributorSetup {
    uint256 internal constant ACCOUNTS = 1024; // a proof of 10 hashes, like the ~1,000-holder rounds
    address[] internal accounts;
    uint256[] internal amounts;
    bytes32[] internal tree;
    bytes32[] internal proofOf7;
    bytes32[] internal proofOf8;
    address[] internal batchAccounts;
    uint256[] internal batchAmounts;
    bytes32[] internal batchProof;
    bool[] internal batchFlags;
    bytes32 internal nextRoot;

    function setUp() public override {
        super.setUp();
        accounts = new address[](ACCOUNTS);
        amounts = new uint256[](ACCOUNTS);
        for (uint256 i; i < ACCOUNTS; ++i) {
            accounts[i] = address(uint160(uint256(keccak256(abi.encode("gas holder", i)))));
            amounts[i] = (i + 1) * SESH;
        }
        // Round 1 pays account 8 (so it is a repeat recipient in round 2), round 2 is active.
        tree = _publish(accounts, amounts);
        distributor.claim(accounts[8], amounts[8], MerkleTrees.proof(tree, 8));
        for (uint256 i; i < ACCOUNTS; ++i) {
            amounts[i] += SESH;
        }
        tree = _publish(accounts, amounts);
        proofOf7 = MerkleTrees.proof(tree, 7);
        proofOf8 = MerkleTrees.proof(tree, 8);
        uint256[] memory indices = new uint256[](10);
        for (uint256 i; i < 10; ++i) {
            indices[i] = 100 + i;
            batchAccounts.push(accounts[100 + i]);
            batchAmounts.push(amounts[100 + i]);
        }
        (batchProof, batchFlags) = MerkleTrees.multiproof(tree, indices);
        nextRoot = keccak256("round 3");
    }

    /// @notice A holder never paid before: `claimed` and the token balance go from zero.
    function test_gas_claim_fresh() public {
        vm.pauseGasMetering();
        (address account, uint256 amount, bytes32[] memory proof) = (accounts[7], amounts[7], proofOf7);
        vm.resumeGasMetering();
        distributor.claim(account, amount, proof);
    }

    /// @notice A holder paid in an earlier round claims what the new round adds.
    function test_gas_claim_repeat() public {
        vm.pauseGasMetering();
        (address account, uint256 amount, bytes32[] memory proof) = (accounts[8], amounts[8], proofOf8);
        vm.resumeGasMetering();
        distributor.claim(account, amount, proof);
    }

    /// @notice A payout batch of ten fresh recipients with one multiproof.
    function test_gas_claimMany_tenFresh() public {
        vm.pauseGasMetering();
        (bytes32 root, address[] memory batch, uint256[] memory cumulative, bytes32[] memory proof, bool[] memory flags)
        = (tree[0], batchAccounts, batchAmounts, batchProof, batchFlags);
        vm.resumeGasMetering();
        distributor.claimMany(root, batch, cumulative, proof, flags);
    }

    function test_gas_proposeRoot() public {
        vm.pauseGasMetering();
        bytes32 root = nextRoot;
        vm.resumeGasMetering();
        vm.prank(publisher);
        distributor.proposeRoot(root, 3, 1, 1);
    }

    function test_gas_activateRoot() public {
        vm.prank(publisher);
        distributor.proposeRoot(nextRoot, 3, 1, 1);
        vm.warp(block.timestamp + DELAY);
        distributor.activateRoot();
    }

    function test_gas_vetoRoot() public {
        vm.prank(publisher);
        distributor.proposeRoot(nextRoot, 3, 1, 1);
        vm.prank(guardian);
        distributor.vetoRoot(nextRoot);
    }
}
