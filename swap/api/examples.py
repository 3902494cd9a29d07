"""The schema's examples: real values the server accepts (`tests/api/test_api_examples.py` posts each).

The example wallet is the published test key of `../shared/oxen-vectors/message_signature_vectors.json`
(spend secret `d551999169b794459b4c8dc7da177067213a0eb2dd75cacf19e0fbc27dfc320e`, from
glv2/cl-monero-tools), encoded as an Oxen mainnet address; anybody can sign with it, so it holds
nothing and proves nothing but the format. The ETH address is EIP-55's own first example. The
signature is what `sign_value 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed` prints in that wallet
(signatures are randomised: any fresh one verifies as well).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

OXEN_ADDRESS = (
    "L6dgwTzUDAbasxsaoRFpW3RYJXBC4DWKKN9EN4oAif48SH4u4V57zKQMERtJ2KRxTpDJMnpkSKGs29PsoHMb8zgKLKfJMZb"
)
ETH_ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
SIGNATURE = "SigV1R5qP1QpYYBMB1ZUsigoQY31rzo1jAnNppZwjRpD624T6MbZ5TbYKdzDYfGrTuqeHYWYoBLynDcYb8XYP5SSaSBD9"
ROUND = 1

REGISTRATION = OpenApiExample(
    "registration", request_only=True, summary="the example wallet registers EIP-55's example address",
    value={"oxen_address": OXEN_ADDRESS, "eth_address": ETH_ADDRESS, "signature": SIGNATURE},
)
CLAIM = OpenApiExample("claim", request_only=True, summary="open the example wallet's claim",
                       value={"oxen_address": OXEN_ADDRESS})
PAYOUT_REQUEST = OpenApiExample("payout request", request_only=True, summary="ask for the example address's payout",
                                value={"eth_address": ETH_ADDRESS})
OXEN_PARAMETER = [OpenApiExample("registered", value=OXEN_ADDRESS)]
ETH_PARAMETER = [OpenApiExample("in a round", value=ETH_ADDRESS)]
ROUND_PARAMETER = [OpenApiExample("the first round", value=ROUND)]
