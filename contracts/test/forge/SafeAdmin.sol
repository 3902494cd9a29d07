// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "./Vm.sol";

/**
 * @title SafeAdmin
 * @notice The distributor's admin as production has it: a Safe (SafeL2 1.4.1, the bytecode Safe
 * publishes in its npm package, copied into swap/chain/artifacts by contracts/build.mjs) with
 * three owners and a threshold of two. `execute` has two owners sign a call and executes it;
 * `executeSignedByOne` shows that one owner (one stolen key) gets nothing done.
 */
contract SafeAdmin {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 private constant OWNER_KEY_0 = 0x5afe01;
    uint256 private constant OWNER_KEY_1 = 0x5afe02;
    uint256 private constant OWNER_KEY_2 = 0x5afe03;

    /// @notice The Safe proxy: the address that holds `DEFAULT_ADMIN_ROLE`.
    address public immutable safe;

    constructor() {
        address singleton = _deploy("SafeL2", "");
        address factory = _deploy("SafeProxyFactory", "");
        address[] memory owners = new address[](3);
        owners[0] = vm.addr(OWNER_KEY_0);
        owners[1] = vm.addr(OWNER_KEY_1);
        owners[2] = vm.addr(OWNER_KEY_2);
        bytes memory setup = abi.encodeWithSignature(
            "setup(address[],uint256,address,bytes,address,address,uint256,address)",
            owners, 2, address(0), "", address(0), address(0), 0, address(0)
        );
        (bool ok, bytes memory proxy) = factory.call(
            abi.encodeWithSignature("createProxyWithNonce(address,bytes,uint256)", singleton, setup, 1)
        );
        require(ok, "SafeAdmin: the proxy was not created");
        safe = abi.decode(proxy, (address));
        vm.label(safe, "Safe (admin, 2 of 3)");
    }

    /// @notice Two owners sign `data` to `to`; the Safe executes it. False when the call reverted.
    function execute(address to, bytes memory data) external returns (bool) {
        return _execute(to, data, _signatures(_hash(to, data), OWNER_KEY_0, OWNER_KEY_2));
    }

    /// @notice One owner alone signs; the Safe refuses (GS020), so this is always false.
    function executeSignedByOne(address to, bytes memory data) external returns (bool) {
        bytes32 digest = _hash(to, data);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(OWNER_KEY_1, digest);
        return _execute(to, data, abi.encodePacked(r, s, v));
    }

    function _execute(address to, bytes memory data, bytes memory signatures) private returns (bool ok) {
        // safeTxGas and gasPrice 0: the Safe reverts (GS013) when the inner call reverts.
        (ok,) = safe.call(
            abi.encodeWithSignature(
                "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)",
                to, 0, data, uint8(0), 0, 0, 0, address(0), address(0), signatures
            )
        );
    }

    function _hash(address to, bytes memory data) private view returns (bytes32) {
        (, bytes memory nonce) = safe.staticcall(abi.encodeWithSignature("nonce()"));
        (bool ok, bytes memory digest) = safe.staticcall(
            abi.encodeWithSignature(
                "getTransactionHash(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,uint256)",
                to, 0, data, uint8(0), 0, 0, 0, address(0), address(0), abi.decode(nonce, (uint256))
            )
        );
        require(ok, "SafeAdmin: no transaction hash");
        return abi.decode(digest, (bytes32));
    }

    /// @dev Safe wants the signatures ordered by owner address.
    function _signatures(bytes32 digest, uint256 keyA, uint256 keyB) private pure returns (bytes memory) {
        if (vm.addr(keyA) > vm.addr(keyB)) (keyA, keyB) = (keyB, keyA);
        (uint8 va, bytes32 ra, bytes32 sa) = vm.sign(keyA, digest);
        (uint8 vb, bytes32 rb, bytes32 sb) = vm.sign(keyB, digest);
        return abi.encodePacked(ra, sa, va, rb, sb, vb);
    }

    function _deploy(string memory name, bytes memory args) private returns (address deployed) {
        string memory json = vm.readFile(string.concat("swap/chain/artifacts/", name, ".json"));
        bytes memory code = bytes.concat(vm.parseJsonBytes(json, ".bytecode"), args);
        assembly ("memory-safe") {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        require(deployed != address(0), "SafeAdmin: deployment failed");
    }
}

