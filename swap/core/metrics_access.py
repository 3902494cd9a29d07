"""Who may read /metrics: a client address in an allowed network, or the right bearer token.

Pure: the view passes the client address (as `swap.http.client_ip` read it, behind trusted
proxies) and the Authorization header. The token is compared in constant time, so its bytes
cannot be guessed one at a time from response times.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(texts: Iterable[str]) -> tuple[Network, ...]:
    """Parse CIDR networks ("127.0.0.1/32", "10.0.0.0/8", "::1/128"); raises ValueError on bad input."""
    return tuple(ipaddress.ip_network(text.strip(), strict=False) for text in texts if text.strip())


def address_allowed(address: str, networks: Iterable[Network]) -> bool:
    """True when `address` (an IPv4 or IPv6 address; an IPv4-mapped one counts as IPv4) is in a network."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return any(parsed.version == network.version and parsed in network for network in networks)


def bearer_token_matches(authorization: str, expected: str) -> bool:
    """True when the header is `Bearer <expected>` and a token is configured at all."""
    if not expected:
        return False
    scheme, _, presented = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), expected.encode())
