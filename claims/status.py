"""The claims section of the public status page (`/status/?q=…`): the address's claims, linked."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from claims.services.status import claims_for
from swap.registrations.status import StatusLookup, StatusSection


def claims_section(lookup: StatusLookup) -> StatusSection | None:
    claims = claims_for(lookup.oxen_addresses, lookup.eth_addresses)
    if not claims:
        return None
    return StatusSection(_("Oxen Coin Claims"), "claims/status_section.html", {"claims": claims})
