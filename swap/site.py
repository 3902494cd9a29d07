"""What every portal page shows around its content: the one navigation and the footer's links.

A template context processor (settings.TEMPLATES): `portal.nav` marks the section of the current
URL (`aria-current="page"`), `portal.official_url`, `portal.support_url` and `portal.verify_url`
come from the PORTAL_* settings (docs/operations.md, "Holder portal").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (label, URL name, the URL names that belong to that section)
SECTIONS = (
    (_("Register"), "register", {"register", "registered"}),
    (_("Status"), "status", {"status"}),
    (_("Swap OXEN"), "claims", {"claims", "claim-detail"}),
    (_("Leaderboard"), "bonus-leaderboard", {"bonus-leaderboard"}),
)


def navigation(current_url_name: str | None) -> list[NavItem]:
    return [NavItem(str(label), reverse(name), current_url_name in names) for label, name, names in SECTIONS]


def portal(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    official = settings.PORTAL_OFFICIAL_URL or request.build_absolute_uri("/")
    return {"portal": {
        "nav": navigation(match.url_name if match else None),
        "official_url": official,
        "support_url": settings.PORTAL_SUPPORT_URL,
        "verify_url": settings.PORTAL_VERIFY_URL or reverse("verify"),
        "explorer_url": settings.PORTAL_EXPLORER_URL.rstrip("/"),
    }}
