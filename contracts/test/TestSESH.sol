// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title TestSESH
 * @notice A stand-in for Session Token on local chains: a plain OpenZeppelin ERC-20 with SESH's
 * 9 decimals, the whole supply minted to the deployer. Never deployed to a real network.
 */
contract TestSESH is ERC20 {
    /// @param initialSupply Atomic units (10^-9 SESH) minted to the deployer.
    constructor(uint256 initialSupply) ERC20("Test Session Token", "SESH") {
        _mint(msg.sender, initialSupply);
    }

    /// @notice SESH has 9 decimals, like OXEN.
    function decimals() public pure override returns (uint8) {
        return 9;
    }
}
