// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SwapDistributor} from "../SwapDistributor.sol";
import {TestSESH} from "./TestSESH.sol";
import {DistributorHandler} from "./forge/DistributorHandler.sol";
import {SafeAdmin} from "./forge/SafeAdmin.sol";
import {ForgeTest} from "./forge/Vm.sol";

/**
 * @title SwapDistributorInvariantTest
 * @notice The invariants of docs/contract.md, held over random sequences of the actors' actions
 * (contracts/test/forge/DistributorHandler.sol). Each `invariant_` function is one campaign of
 * `invariant.runs` sequences of `invariant.depth` calls (foundry.toml: 32 x 100 by default,
 * 256 x 200 under `FOUNDRY_PROFILE=ci`); the handler checks every call's outcome and the step
 * invariants, and these functions check the state after every call.
 */
contract SwapDistributorInvariantTest is ForgeTest {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    uint256 internal constant SESH = 1e9;
    uint256 internal constant FUNDING = 1_000_000 * SESH;
    uint64 internal constant DELAY = 1 days;
    uint256 internal constant START = 1_767_225_600; // 2026-01-01T00:00:00Z

    TestSESH internal token;
    SwapDistributor internal distributor;
    SafeAdmin internal admin;
    DistributorHandler internal handler;
    address internal thief;

    function setUp() public {
        vm.warp(START);
        token = new TestSESH(60_000_000 * SESH);
        admin = new SafeAdmin();
        // The end as early as allowed (90 days' notice, plus a day): most runs pass it, and the Safe
        // moves it later or withdraws the rest.
        distributor = new SwapDistributor(token, admin.safe(), uint64(START + 91 days), DELAY);
        address publisher = _named("publisher (worker key)");
        thief = _named("thief (a stolen copy of a publisher key)");
        address guardian = _named("guardian and pauser (watchdog key)");
        _grant(distributor.PUBLISHER_ROLE(), publisher);
        _grant(distributor.PUBLISHER_ROLE(), thief);
        _grant(distributor.GUARDIAN_ROLE(), guardian);
        _grant(distributor.PAUSER_ROLE(), guardian);
        token.transfer(address(distributor), FUNDING);
        handler = new DistributorHandler(
            distributor, token, admin, publisher, thief, guardian, _named("staking reward pool"), FUNDING
        );
        vm.label(address(handler), "handler");
    }

    function _grant(bytes32 role, address account) internal {
        bool ok = admin.execute(
            address(distributor), abi.encodeWithSignature("grantRole(bytes32,address)", role, account)
        );
        require(ok, "the Safe did not grant the role");
    }

    /// @notice forge calls only the handler, and only its actions.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @dev A selector listed twice is picked twice as often: claims, activation and time get
    /// more weight so that runs reach many rounds, the program end and the withdrawal.
    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[27] memory weighted = [
            DistributorHandler.claim.selector,
            DistributorHandler.claim.selector,
            DistributorHandler.claim.selector,
            DistributorHandler.claimMany.selector,
            DistributorHandler.claimMany.selector,
            DistributorHandler.proposeHonest.selector,
            DistributorHandler.proposeHonest.selector,
            DistributorHandler.proposeHonest.selector,
            DistributorHandler.proposeStolen.selector,
            DistributorHandler.thiefTries.selector,
            DistributorHandler.activate.selector,
            DistributorHandler.activate.selector,
            DistributorHandler.activate.selector,
            DistributorHandler.veto.selector,
            DistributorHandler.vetoWrongRoot.selector,
            DistributorHandler.pause.selector,
            DistributorHandler.unpause.selector,
            DistributorHandler.unpause.selector,
            DistributorHandler.setEndTime.selector,
            DistributorHandler.withdrawRemainder.selector,
            DistributorHandler.oneSafeOwner.selector,
            DistributorHandler.rotateStolenKey.selector,
            DistributorHandler.fund.selector,
            DistributorHandler.warp.selector,
            DistributorHandler.warp.selector,
            DistributorHandler.warp.selector,
            DistributorHandler.warp.selector
        ];
        bytes4[] memory selectors = new bytes4[](weighted.length);
        for (uint256 i; i < weighted.length; ++i) {
            selectors[i] = weighted[i];
        }
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(handler), selectors);
    }

    function _noBreach(bytes32 key) internal view {
        vm.assertEq(handler.breaches(key), 0, string(abi.encodePacked("breached: ", key)));
    }

    /// @notice SESH held by the contract + total claimed + remainder withdrawn == total funded.
    function invariant_heldPlusClaimedPlusWithdrawnIsFunded() public view {
        vm.assertEq(
            token.balanceOf(address(distributor)) + handler.ghostClaimed() + handler.ghostWithdrawn(),
            handler.ghostFunded(),
            "held + claimed + withdrawn != funded"
        );
        uint256 recorded = distributor.claimed(thief);
        for (uint256 i; i < handler.HOLDERS(); ++i) {
            recorded += distributor.claimed(handler.holders(i));
        }
        vm.assertEq(recorded, handler.ghostClaimed(), "the contract's claimed totals differ from what was paid");
    }

    /// @notice No account's claimed ever exceeds its cumulative amount in the active root, and never decreases.
    function invariant_claimedNeverExceedsTheActiveRootNorDecreases() public view {
        _noBreach("claimed over active amount");
        _noBreach("claimed decreased");
    }

    /// @notice No root is claimable before `activationDelay` has passed since its proposal; a vetoed
    /// root never becomes active.
    function invariant_noRootBeforeItsDelayAndNoVetoedRootActive() public view {
        _noBreach("activated before its delay");
        _noBreach("root changed, no activation");
        _noBreach("vetoed root active");
        vm.assertFalse(distributor.vetoed(distributor.merkleRoot()), "the active root was vetoed");
    }

    /// @notice Round ids go up by exactly one.
    function invariant_roundIdsRiseByExactlyOne() public view {
        _noBreach("round id skipped");
        _noBreach("round id != activations");
        vm.assertEq(distributor.roundId(), handler.ghostActivations(), "round id != activations");
    }

    /// @notice The end time never moves earlier and always gives 90 days.
    function invariant_theEndNeverMovesEarlierAndGivesNinetyDays() public view {
        _noBreach("end moved earlier");
        _noBreach("end notice under 90 days");
    }

    /// @notice With the guardian acting within the delay, a stolen publisher key gains nothing.
    function invariant_aStolenPublisherKeyGainsNothing() public view {
        vm.assertEq(handler.ghostThiefReceived(), 0, "the thief received SESH");
        vm.assertEq(token.balanceOf(thief), 0, "the thief holds SESH");
        vm.assertEq(distributor.claimed(thief), 0, "the thief was paid");
        _noBreach("thief root active");
    }

    /// @notice While paused, no SESH leaves the contract.
    function invariant_noSeshLeavesWhilePaused() public view {
        _noBreach("SESH left while paused");
    }
}
