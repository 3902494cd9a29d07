"""`manage.py check`: refuse claims settings the service would refuse at the first claim or poll."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from claims.exceptions import ClaimsNotConfigured
from claims.services.config import claim_rules, wallet_login


@register()
def claims_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        claim_rules()
        wallet_login()
    except ClaimsNotConfigured as error:
        return [Error(str(error), hint="See docs/rules.md, section Oxen Coin Claims.", id="claims.E001")]
    return []
