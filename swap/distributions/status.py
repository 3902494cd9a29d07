"""The status page's SESH section: each looked-up ETH address's claim, with the Claim button.

Registered in `DistributionsConfig.ready` through the status page's extension point
(`swap.registrations.status`); it only reads the database.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from swap.distributions.proofs import status_section_context
from swap.registrations.status import StatusLookup, StatusSection


def sesh_claim_section(lookup: StatusLookup) -> StatusSection | None:
    addresses = lookup.eth_addresses
    if not addresses:
        return None
    return StatusSection(_("SESH distribution"), "distributions/status_section.html", status_section_context(addresses))
