"""What the claim widget's script (`swap/static/swap/claim.js`) needs to know, computed here.

The page's script never guesses a selector or a chain parameter: the chain as a wallet should add
it (EIP-3085) comes from settings, and every selector from the committed ABI artifact
(`swap.chain.contracts`), so a renamed error or a new contract build changes what the page decodes
with it. Texts go through Django's translation functions like every other holder-facing text.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from swap.chain import contracts

# What a holder is told for each of the distributor's errors a claim can meet; any other named
# error is shown by its name ("reverted").
CLAIM_ERROR_REASONS = {
    "NothingToClaim": "nothing_to_claim",
    "EnforcedPause": "paused",
    "InvalidProof": "root_changed",
    "NoRoot": "no_root",
    "ProgramClosed": "closed",
}
NATIVE_DECIMALS = 18  # EIP-3085: wallets accept only 18 for the native currency
SESH_SYMBOL = "SESH"
SESH_DECIMALS = 9


def chain_parameters() -> dict[str, Any]:
    """`wallet_addEthereumChain`'s parameter object for the configured L2 (EIP-3085)."""
    params: dict[str, Any] = {
        "chainId": hex(settings.L2_CHAIN_ID),
        "chainName": settings.L2_CHAIN_NAME,
        "rpcUrls": [settings.L2_PUBLIC_RPC_URL] if settings.L2_PUBLIC_RPC_URL else [],
        "nativeCurrency": {"name": settings.L2_NATIVE_CURRENCY_NAME, "symbol": settings.L2_NATIVE_CURRENCY_SYMBOL,
                           "decimals": NATIVE_DECIMALS},
    }
    if settings.PORTAL_EXPLORER_URL:
        params["blockExplorerUrls"] = [settings.PORTAL_EXPLORER_URL.rstrip("/")]
    return params


def explorer_link(kind: str, value: str) -> str:
    """`<explorer>/tx/<hash>` or `<explorer>/address/<address>`, or "" without an explorer."""
    base = settings.PORTAL_EXPLORER_URL.rstrip("/")
    return f"{base}/{kind}/{value}" if base and value else ""


def claim_errors() -> dict[str, dict[str, str]]:
    """selector -> {"name", "reason"} for every custom error of the distributor's ABI."""
    return {selector: {"name": name, "reason": CLAIM_ERROR_REASONS.get(name, "reverted")}
            for selector, name in contracts.error_names_by_selector(contracts.DISTRIBUTOR).items()}


def messages() -> dict[str, str]:
    """Every text the script shows, translated; `{name}` placeholders are filled in by the script."""
    return {
        "connecting": _("Asking your wallet to connect…"),
        "pick": _("Several wallets are installed. Choose the one that holds your account:"),
        "switching": _("Asking your wallet to switch to {chain}…"),
        "adding": _("Your wallet does not know {chain} yet: asking it to add the network…"),
        "preparing": _("Fetching the latest proof and checking the claim…"),
        "sending": _("Confirm the claim of {amount} in your wallet…"),
        "pending": _("Transaction sent: waiting for it to be mined…"),
        "confirming": _("Mined in block {block}: {have} of {need} confirmations…"),
        "confirmed": _("Claimed {amount}"),
        "step_done": _("done"),  # the dashboard's timeline, as templates/swap/dashboard.html says it
        "confirmed_to": _("Paid to {account}."),
        "view_tx": _("View the transaction"),
        "tx": _("Transaction {tx}"),
        "not_sent": _("Nothing was sent and no fee was paid."),
        "reverted_prefix": _("The transaction reverted and paid nothing; only its network fee was spent."),
        "no_wallet": _("No browser wallet was found on this device. Claim from any wallet or a block explorer "
                       "with the details below, or ask for delivery."),
        "connect_rejected": _("You declined the connection in your wallet."),
        "no_account": _("Your wallet shared no account."),
        "switch_rejected": _("Your wallet stayed on another network: claiming needs {chain} (chain id {chain_id})."),
        "add_rejected": _("Your wallet did not add {chain} (chain id {chain_id})."),
        "add_unavailable": _("Your wallet does not know {chain} (chain id {chain_id}): add that network in your "
                             "wallet's settings, then try again."),
        "wrong_chain": _("Your wallet is still on chain id {current}, not {chain} (chain id {chain_id})."),
        "send_rejected": _("You rejected the transaction in your wallet."),
        "nothing_to_claim": _("Nothing left to claim: everything this round owes {account} has already been paid."),
        "paused": _("Claims are paused on the distributor for now (a safety stop by its guardian). "
                    "Your SESH stay reserved: try again later."),
        "root_changed": _("A new distribution round became active after the proof was fetched, so that proof no "
                          "longer holds. The new proof is loaded: claim again."),
        "root_changed_unknown": _("A new distribution round became active after the proof was fetched. The service "
                                  "has not recorded the new proof yet: try again in a minute."),
        "no_root": _("No distribution round is active on the distributor yet."),
        "closed": _("The program has ended: the distributor pays no more claims."),
        "reverted": _("The distributor refused the claim ({error})."),
        "unknown_revert": _("The claim failed without a reason the page can read."),
        "wallet_error": _("Your wallet answered: {message}"),
        "proof_error": _("The proof could not be fetched ({status}). Try again in a moment."),
        "retry": _("Claim again"),
        "watch_added": _("SESH is now listed in your wallet."),
        "watch_declined": _("SESH was not added to your wallet."),
        "deliver_error": _("The delivery request failed: {message}"),
        "delivery_waiting_for_round": _("Delivery requested on {date}. No active round pays this account yet: "
                                        "it is delivered once one does."),
        "delivery_queued": _("Delivery requested on {date}: place {place} of {queued} in the queue for round "
                             "{round}. Payouts go out in batches of {batch_size}."),
        "delivery_sending": _("Delivery requested on {date}: your SESH are in a payout transaction for round {round}, "
                              "waiting for it to be final."),
        "delivery_delivered": _("Delivery requested on {date}: round {round} is paid to this account."),
    }


def widget_config() -> dict[str, Any]:
    """The JSON the claim section hands its script (one per page: `json_script`)."""
    distributor = contracts.load_artifact(contracts.DISTRIBUTOR)
    return {
        "chain": chain_parameters(),
        "chain_id": settings.L2_CHAIN_ID,
        "token": {"address": settings.L2_TOKEN_ADDRESS, "symbol": SESH_SYMBOL, "decimals": SESH_DECIMALS},
        "confirmations": max(1, settings.L2_CONFIRMATIONS),
        "poll_ms": max(100, settings.CLAIM_WIDGET_POLL_MILLISECONDS),
        "errors": claim_errors(),
        "claimed_topic": contracts.CLAIMED_TOPIC,
        "claimed_selector": distributor.selector("claimed"),
        "explorer_tx": explorer_link("tx", "{tx}"),
        "proof_url": reverse("api-proof", args=["0x0000000000000000000000000000000000000000"]),
        "payout_url": reverse("api-payout-requests"),
        "messages": messages(),
    }
