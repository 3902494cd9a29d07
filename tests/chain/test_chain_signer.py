"""The signer key: where it comes from, which keys are refused, and that it never shows."""

import functools
import logging
import pickle
import re
import secrets

import pytest
from django.core.management import call_command
from eth_account import Account
from eth_account.hdaccount import key_from_seed, seed_from_mnemonic

from swap.chain.anvil import start_anvil
from swap.chain.client import reset_clients
from swap.chain.signer import ANVIL_CHAIN_ID, SignerKeyError, key_from_text, load_signer
from swap.core.eth_address import normalize_eth_address

ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
# A key of no public mnemonic (generated for these tests; holds nothing anywhere).
OTHER_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"  # anvil, hardhat, foundry
GANACHE_MNEMONIC = "myth like bonus scare over problem client lizard pioneer submit female collect"  # ganache -d
TRUFFLE_MNEMONIC = "candy maple cake sugar pudding cream honey rich smooth crumble sweet treat"  # truffle develop
# Ganache's first deterministic account, as its docs and every tutorial print it.
GANACHE_KEY_0 = "0x4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d"
GANACHE_ADDRESS_0 = "0x90F8bf6A479f320ead074411a4B0e7944Ea8c9C1"
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
# 17 distinct byte values, but only 24 bits set: guessable by weight, not by pattern.
SPARSE = int.from_bytes(bytes([1, 2, 4, 8, 16, 32, 64, 128, 3, 5, 6, 9, 10, 12, 17, 18]) + bytes(16), "big")


@functools.cache
def mnemonic_keys(mnemonic: str, count: int = 100) -> list[str]:
    """The first `count` keys of m/44'/60'/0'/0/i, derived here by eth-account (not by the signer)."""
    seed = seed_from_mnemonic(mnemonic, "")
    return ["0x" + key_from_seed(seed, f"m/44'/60'/0'/0/{i}").hex() for i in range(count)]


@pytest.mark.parametrize("mnemonic", [ANVIL_MNEMONIC, GANACHE_MNEMONIC, TRUFFLE_MNEMONIC])
def test_the_first_hundred_keys_of_each_development_mnemonic_are_refused_off_anvil(mnemonic):
    """Issue 17, item 8: Hardhat's accounts 10–19 (and the rest up to 99) were accepted on 42161."""
    keys = mnemonic_keys(mnemonic)
    for index, key in enumerate(keys):
        with pytest.raises(SignerKeyError, match="development key") as error:
            key_from_text(key, chain_id=42161)
        assert key[2:] not in str(error.value) and f"account {index} " in str(error.value)
    assert key_from_text(keys[99], chain_id=ANVIL_CHAIN_ID).address == Account.from_key(keys[99]).address


def test_ganaches_first_deterministic_key_is_refused():
    assert mnemonic_keys(GANACHE_MNEMONIC)[0] == GANACHE_KEY_0
    assert Account.from_key(GANACHE_KEY_0).address == GANACHE_ADDRESS_0
    with pytest.raises(SignerKeyError, match="development key"):
        key_from_text(GANACHE_KEY_0, chain_id=42161)


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (1, "smaller than 2^64"),
        (2, "smaller than 2^64"),
        (0xDEADBEEF, "smaller than 2^64"),
        (2**64 - 1, "smaller than 2^64"),
        (SECP256K1_N - 1, "within 2^64 of the group order"),
        (SECP256K1_N - 2**63, "within 2^64 of the group order"),
        (int("11" * 32, 16), "distinct byte values"),
        (int("deadbeef" * 8, 16), "distinct byte values"),
        (int("0123456789abcdef" * 4, 16), "distinct byte values"),
        (SPARSE, "24 of 256 bits set"),
        (2**256 - 1 - SPARSE, "232 of 256 bits set"),
    ],
)
def test_trivially_small_and_low_entropy_keys_are_refused_off_anvil(key, reason):
    text = f"0x{key:064x}"
    with pytest.raises(SignerKeyError, match=re.escape(reason)) as error:
        key_from_text(text, chain_id=42161)
    assert text[2:] not in str(error.value)
    assert key_from_text(text, chain_id=ANVIL_CHAIN_ID).address == Account.from_key(text).address


def test_random_keys_are_accepted_everywhere():
    for _ in range(200):
        key = "0x" + secrets.token_bytes(32).hex()
        if not 0 < int(key, 16) < SECP256K1_N:
            continue
        assert key_from_text(key, chain_id=42161).address == Account.from_key(key).address


@pytest.mark.chain
def test_anvil_serves_the_first_ten_refused_accounts(anvil):
    derived = [Account.from_key(key).address for key in mnemonic_keys(ANVIL_MNEMONIC, 10)]
    assert [normalize_eth_address(a) for a in anvil.rpc("eth_accounts")] == derived


@pytest.mark.chain
@pytest.mark.django_db
def test_deploying_with_a_hardhat_key_on_a_42161_node_is_refused_before_anything_is_sent(settings, capsys):
    """Through the command an operator runs, against a real node serving chain id 42161."""
    node = start_anvil(chain_id=42161)
    try:
        key = mnemonic_keys(ANVIL_MNEMONIC)[15]  # Hardhat's account 15: same mnemonic as anvil's
        address = Account.from_key(key).address
        node.rpc("anvil_setBalance", [address, hex(10**18)])
        settings.L2_RPC_URL, settings.L2_CHAIN_ID = node.url, 42161
        settings.L2_DEPLOYER_KEY, settings.L2_DEPLOYER_KEY_FILE = key, ""
        reset_clients()
        roles = ["--admin", "0x" + "a1" * 20, "--publisher", Account.from_key(OTHER_KEY).address,
                 "--guardian", "0x" + "b2" * 20]
        with pytest.raises(SystemExit) as exit_:
            call_command("deploy_contracts", "--token", "0x" + "c3" * 20, *roles)
        assert exit_.value.code == 1
        [line] = capsys.readouterr().err.strip().splitlines()
        assert line.startswith("error: refusing a public development key (account 15 of the anvil/hardhat")
        assert key[2:] not in line
        assert int(node.rpc("eth_getTransactionCount", [address, "latest"]), 16) == 0
    finally:
        node.stop()
        reset_clients()


@pytest.mark.parametrize("chain_id", [1, 42161, 421614, 31338])
def test_it_refuses_an_anvil_development_key_on_any_other_chain(chain_id):
    with pytest.raises(SignerKeyError, match="development key") as error:
        key_from_text(ANVIL_KEY_0, chain_id=chain_id)
    assert ANVIL_KEY_0[2:] not in str(error.value)


def test_it_accepts_a_development_key_on_anvils_chain_and_another_key_anywhere():
    assert key_from_text(ANVIL_KEY_0, chain_id=ANVIL_CHAIN_ID).address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert key_from_text(OTHER_KEY, chain_id=42161).address == Account.from_key(OTHER_KEY).address


def test_it_reads_the_key_from_a_file(settings, tmp_path):
    path = tmp_path / "signer.key"
    path.write_text(OTHER_KEY + "\n")
    settings.L2_SIGNER_KEY, settings.L2_SIGNER_KEY_FILE, settings.L2_CHAIN_ID = "", str(path), 42161
    assert load_signer().address == Account.from_key(OTHER_KEY).address


@pytest.mark.parametrize(
    ("inline", "file", "message"),
    [("", "", "no signer key"), (OTHER_KEY, "/nonexistent", "not both"), ("", "/nonexistent/key", "cannot read")],
)
def test_it_says_what_is_wrong_with_the_configuration(settings, inline, file, message):
    settings.L2_SIGNER_KEY, settings.L2_SIGNER_KEY_FILE = inline, file
    with pytest.raises(SignerKeyError, match=message):
        load_signer()


@pytest.mark.parametrize("bad", [OTHER_KEY[:-2], OTHER_KEY + "00", OTHER_KEY[:-1] + "g", "0x" + "00" * 32])
def test_a_malformed_key_is_refused_without_echoing_it(bad):
    with pytest.raises(SignerKeyError) as error:
        key_from_text(bad, chain_id=42161)
    assert bad[2:12] not in str(error.value)


def test_the_key_never_appears_in_repr_str_logs_or_pickles(caplog):
    signer = key_from_text(OTHER_KEY, chain_id=42161)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("signer %s %r %s", signer, signer, [signer])
    for text in (repr(signer), str(signer), caplog.text):
        assert OTHER_KEY[2:] not in text and OTHER_KEY[2:].upper() not in text
        assert "***" in text
    with pytest.raises(TypeError):
        pickle.dumps(signer)
