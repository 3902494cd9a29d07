"""The node-error table: each known message becomes the exception the outbox acts on."""

import pytest
import requests

from swap.chain import errors
from swap.chain.client import ChainClient, get_client, reset_clients


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("already known", errors.AlreadyKnownError),
        ("transaction already imported", errors.AlreadyKnownError),
        ("nonce too low: next nonce 5, tx nonce 3", errors.NonceTooLowError),
        ("nonce too high", errors.NonceTooHighError),
        ("replacement transaction underpriced", errors.UnderpricedError),
        ("transaction underpriced: tip needed 1, tip permitted 0", errors.UnderpricedError),
        ("max fee per gas less than block base fee", errors.UnderpricedError),
        ("insufficient funds for gas * price + value", errors.InsufficientFundsError),
        ("execution reverted: SwapDistributor: root changed", errors.ExecutionRevertedError),
        ("intrinsic gas too low", errors.PermanentChainError),
        ("header not found", errors.TransientChainError),
    ],
)
def test_known_node_messages_map_to_typed_errors(message, expected):
    error = errors.classify_rpc_error("eth_sendRawTransaction", {"code": -32000, "message": message})
    assert type(error) is expected
    assert error.rpc_message == message


def test_the_kinds_that_decide_retries():
    assert issubclass(errors.NonceTooLowError, errors.PermanentChainError)
    assert issubclass(errors.ExecutionRevertedError, errors.PermanentChainError)
    for transient in (errors.UnderpricedError, errors.InsufficientFundsError, errors.NonceTooHighError):
        assert issubclass(transient, errors.TransientChainError)
    assert not issubclass(errors.AlreadyKnownError, errors.TransientChainError | errors.PermanentChainError)


def test_an_unknown_message_is_transient_so_no_job_is_given_up_on_a_guess():
    error = errors.classify_rpc_error("eth_call", {"code": -32603, "message": "something new"})
    assert type(error) is errors.TransientChainError


def test_revert_data_is_kept_in_the_message():
    error = errors.classify_rpc_error("eth_estimateGas", {"message": "execution reverted", "data": "0x08c379a0"})
    assert "0x08c379a0" in str(error)


def test_an_unreachable_node_is_transient_and_its_url_is_not_repeated():
    client = ChainClient("http://user:secret@127.0.0.1:9/key-in-path", chain_id=31337, timeout=1)
    with pytest.raises(errors.TransientChainError) as error:
        client.block_number()
    assert "secret" not in str(error.value) and "key-in-path" not in str(error.value)
    assert "secret" not in repr(client) and "key-in-path" not in repr(client)
    transport = errors.classify_transport_error("x", requests.ConnectionError("boom"))
    assert type(transport) is errors.TransientChainError


def test_no_rpc_url_means_no_chain(settings):
    settings.L2_RPC_URL = None
    with pytest.raises(errors.ChainNotConfiguredError):
        get_client()


@pytest.mark.chain
def test_a_node_on_another_chain_id_is_refused(settings, anvil):
    settings.L2_RPC_URL, settings.L2_CHAIN_ID = anvil.url, 42161
    reset_clients()
    try:
        with pytest.raises(errors.ChainIdMismatchError, match="42161"):
            get_client()
        settings.L2_CHAIN_ID = anvil.chain_id
        assert get_client().node_chain_id() == anvil.chain_id
    finally:
        reset_clients()
