"""Service Node Bonus: Staking Points for OXEN kept staked, and the split of its pool."""

from django.apps import AppConfig


class BonusesConfig(AppConfig):
    name = "bonuses"
    verbose_name = "Service Node Bonus"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from bonuses.status import staking_points_section
        from swap.registrations.status import register_status_section

        register_status_section(staking_points_section)
