"""The signer key: where it comes from, which keys are refused, and that it never shows."""

import logging
import pickle

import pytest
from eth_account import Account

from swap.chain.signer import ANVIL_CHAIN_ID, ANVIL_DEV_ADDRESSES, SignerKeyError, key_from_text, load_signer

ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
# A key of no public mnemonic (generated for these tests; holds nothing anywhere).
OTHER_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"


def test_the_refused_addresses_are_exactly_anvils_ten_mnemonic_accounts():
    Account.enable_unaudited_hdwallet_features()
    derived = {
        Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").address for i in range(10)
    }
    assert derived == ANVIL_DEV_ADDRESSES


@pytest.mark.chain
def test_anvil_serves_the_same_ten_accounts(anvil):
    from swap.core.eth_address import normalize_eth_address

    assert {normalize_eth_address(a) for a in anvil.rpc("eth_accounts")} == ANVIL_DEV_ADDRESSES


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
