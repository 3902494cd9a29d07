// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SwapDistributor} from "../../SwapDistributor.sol";
import {TestSESH} from "../TestSESH.sol";
import {MerkleTrees} from "./MerkleTrees.sol";
import {ForgeTest} from "./Vm.sol";

/**
 * @title DistributorSetup
 * @notice A funded `SwapDistributor` with one key per role, as `deploy_contracts` sets it up (the
 * admin is a plain account here so that every revert reason reaches the test; the invariant tests
 * put a real Safe in its place), and helpers to build trees and publish them.
 */
abstract contract DistributorSetup is ForgeTest {
    uint256 internal constant SESH = 1e9;
    uint256 internal constant SUPPLY = 60_000_000 * SESH;
    uint256 internal constant FUNDING = 1_000_000 * SESH;
    uint64 internal constant DELAY = 1 days;
    uint64 internal constant NOTICE = 90 days;
    uint256 internal constant START = 1_767_225_600; // 2026-01-01T00:00:00Z

    TestSESH internal token;
    SwapDistributor internal distributor;
    address internal admin;
    address internal publisher;
    address internal guardian;
    address internal stranger;
    uint64 internal endTime;

    function setUp() public virtual {
        vm.warp(START);
        admin = _named("admin (the Safe)");
        publisher = _named("publisher (worker key)");
        guardian = _named("guardian and pauser (watchdog key)");
        stranger = _named("stranger");
        token = new TestSESH(SUPPLY);
        endTime = uint64(START + 365 days);
        distributor = new SwapDistributor(token, admin, endTime, DELAY);
        vm.startPrank(admin);
        distributor.grantRole(distributor.PUBLISHER_ROLE(), publisher);
        distributor.grantRole(distributor.GUARDIAN_ROLE(), guardian);
        distributor.grantRole(distributor.PAUSER_ROLE(), guardian);
        vm.stopPrank();
        token.transfer(address(distributor), FUNDING);
    }

    /// @dev `count` recipients that hold nothing, `holder 0` … `holder count-1`.
    function _holders(uint256 count) internal returns (address[] memory accounts) {
        accounts = new address[](count);
        for (uint256 i; i < count; ++i) {
            accounts[i] = _named(string.concat("holder ", _decimal(i)));
        }
    }

    function _sum(uint256[] memory amounts) internal pure returns (uint256 total) {
        for (uint256 i; i < amounts.length; ++i) {
            total += amounts[i];
        }
    }

    function _propose(bytes32[] memory tree, uint256 total, uint256 accounts) internal returns (uint64 roundId) {
        roundId = distributor.roundId() + 1;
        vm.prank(publisher);
        distributor.proposeRoot(MerkleTrees.root(tree), roundId, total, accounts);
    }

    /// @dev Propose, live through the delay, activate (as anyone may).
    function _publish(address[] memory accounts, uint256[] memory amounts) internal returns (bytes32[] memory tree) {
        tree = MerkleTrees.build(accounts, amounts);
        _propose(tree, _sum(amounts), accounts.length);
        vm.warp(block.timestamp + DELAY);
        vm.prank(stranger);
        distributor.activateRoot();
    }

    function _claim(bytes32[] memory tree, address[] memory accounts, uint256[] memory amounts, uint256 i) internal {
        vm.prank(stranger);
        distributor.claim(accounts[i], amounts[i], MerkleTrees.proof(tree, i));
    }

    function _decimal(uint256 value) internal pure returns (string memory) {
        if (value == 0) return "0";
        bytes memory digits;
        while (value > 0) {
            digits = bytes.concat(bytes1(uint8(48 + (value % 10))), digits);
            value /= 10;
        }
        return string(digits);
    }
}
