"""Service Node Bonus: Staking Points for OXEN kept staked, and the split of its pool."""

from django.apps import AppConfig


class BonusesConfig(AppConfig):
    name = "bonuses"
    verbose_name = "Service Node Bonus"
    default_auto_field = "django.db.models.BigAutoField"
