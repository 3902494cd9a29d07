"""Which texts a registration signature may cover, and the replay rule, as plain functions (SPEC §2).

Pure (no Django): the registration service decides with these functions, and the standalone
verifier (`verifier/`) re-checks every published registration with the same ones.

- `message_forms`: every textual form of one ETH address a person may have signed (as typed,
  trimmed, EIP-55, lowercase, each with and without `0x`; with a signed time, each followed by
  one space and the decimal unix time), most likely first. The service tries them in this order
  and stores the first that verifies, with its form's name.
- `signed_address`: read back, from a stored signed text, the 20 bytes it names: what a verifier
  checks without knowing what the person typed.
- `replay_problem` and `signed_at_problem`: the replay rule. The signed text has no nonce, so an
  old `(oxen, eth_old, sig_old)` could undo a change; going back to a superseded ETH address needs
  a signature over `"<eth> <unix time>"` whose time is after the last change and recent.
"""

from __future__ import annotations

from collections.abc import Collection

from swap.core.eth_address import EthAddressError, parse_eth_address

# The names of the forms, as stored in `Registration.matched_form`.
TYPED, TYPED_NO_PREFIX = "typed", "typed-no-0x"
TRIMMED, TRIMMED_NO_PREFIX = "trimmed", "trimmed-no-0x"
LOWERCASE, LOWERCASE_NO_PREFIX = "lowercase", "lowercase-no-0x"
EIP55, EIP55_NO_PREFIX = "eip55", "eip55-no-0x"
_WITHOUT_PREFIX = {TYPED: TYPED_NO_PREFIX, TRIMMED: TRIMMED_NO_PREFIX, LOWERCASE: LOWERCASE_NO_PREFIX,
                   EIP55: EIP55_NO_PREFIX}

# Problems of the replay rule, as the service's field problem codes name them.
REPLAY_NEEDS_TIME, STALE_TIME, FUTURE, EXPIRED = "replay_needs_time", "stale_time", "future", "expired"


def message_forms(typed: str, checksummed: str, signed_at: int | None = None) -> list[tuple[str, str]]:
    """(form name, exact text) of every text the person may have signed, most likely first, no duplicates."""
    trimmed = typed.strip()
    bases = [(TYPED, typed), (TRIMMED, trimmed), (EIP55, checksummed), (LOWERCASE, checksummed.lower())]
    suffix = "" if signed_at is None else f" {signed_at}"
    seen: set[str] = set()
    forms: list[tuple[str, str]] = []
    for form, text in bases:
        candidates = [(form, text)]
        if text.startswith("0x"):
            candidates.append((_WITHOUT_PREFIX[form], text[2:]))
        for label, candidate in candidates:
            message = candidate + suffix
            if candidate and message not in seen:
                seen.add(message)
                forms.append((label, message))
    return forms


def signed_address(message: str, signed_at: int | None) -> bytes | None:
    """The 20 bytes of the ETH address a stored signed text names, or None if it names none.

    The text is an address in one of the `message_forms` (surrounding whitespace, `0x` or not, any
    case), followed by `" <signed_at>"` exactly when a time was signed.
    """
    text = message
    if signed_at is not None:
        suffix = f" {signed_at}"
        if not text.endswith(suffix):
            return None
        text = text[: -len(suffix)]
    text = text.strip()
    if not text.startswith("0x"):
        text = "0x" + text
    if len(text) != 42:
        return None
    try:
        return parse_eth_address(text.lower())
    except EthAddressError:
        return None


def replay_problem(
    superseded_eth_addresses: Collection[str], eth_address: str, signed_at: int | None, last_change_unix: float
) -> str | None:
    """The replay rule for a submission replacing a current registration made at `last_change_unix`.

    `superseded_eth_addresses` are the ETH addresses of the rows this Oxen address had before its
    current one (EIP-55). Going back to one of them needs a signed time; a signed time, when given,
    must be after the last change.
    """
    if signed_at is None:
        return REPLAY_NEEDS_TIME if eth_address in superseded_eth_addresses else None
    if signed_at <= last_change_unix:
        return STALE_TIME
    return None


def signed_at_problem(signed_at: int | None, now_unix: int, *, window_seconds: int, skew_seconds: int) -> str | None:
    """A signed time must be recent: not older than the window, not further in the future than the skew."""
    if signed_at is None:
        return None
    if signed_at > now_unix + skew_seconds:
        return FUTURE
    if signed_at < now_unix - window_seconds:
        return EXPIRED
    return None
