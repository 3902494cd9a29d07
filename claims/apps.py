"""Oxen Coin Claims: holders swap OXEN for SESH at the rate fixed by the TGE supply snapshot."""

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Oxen Coin Claims"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from claims import checks  # noqa: F401 - registers the settings check
        from claims.status import claims_section
        from swap.registrations.status import register_status_section

        register_status_section(claims_section)
