// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ForgeTest} from "./forge/Vm.sol";

/**
 * @title BytecodeTest
 * @notice forge compiles through contracts/solc.mjs with foundry.toml's settings; the service
 * deploys swap/chain/artifacts/*.json, written by contracts/build.mjs through the same wrapper.
 * These tests check that both give the same bytes, so what forge tests, fuzzes and measures is
 * exactly what the service deploys. (`forge coverage` compiles without the optimizer, so
 * scripts/forge_coverage.py leaves this contract out.)
 */
contract BytecodeTest is ForgeTest {
    function _assertSameBytecode(string memory name) internal view {
        string memory json = vm.readFile(string.concat("swap/chain/artifacts/", name, ".json"));
        string memory artifact = string.concat(name, ".sol:", name);
        vm.assertEq(
            vm.getDeployedCode(artifact),
            vm.parseJsonBytes(json, ".deployedBytecode"),
            string.concat(name, ": forge's runtime bytecode differs from the committed artifact's")
        );
        vm.assertEq(
            vm.getCode(artifact),
            vm.parseJsonBytes(json, ".bytecode"),
            string.concat(name, ": forge's creation bytecode differs from the committed artifact's")
        );
    }

    function test_forgeBuildsTheCommittedSwapDistributor() public view {
        _assertSameBytecode("SwapDistributor");
    }

    function test_forgeBuildsTheCommittedTestSESH() public view {
        _assertSameBytecode("TestSESH");
    }

    function test_forgeBuildsTheCommittedBaselines() public view {
        _assertSameBytecode("MerkleDistributor");
        _assertSameBytecode("CumulativeMerkleDrop");
    }
}
