"""Oxen Coin Claims: holders swap OXEN for SESH at the rate fixed by the TGE supply snapshot."""

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Oxen Coin Claims"
    default_auto_field = "django.db.models.BigAutoField"
