from django.apps import AppConfig


class WatchdogConfig(AppConfig):
    """The independent watchdog: vetoes any proposed root the database did not freeze."""

    name = "swap.watchdog"
    label = "watchdog"
    verbose_name = "Watchdog"
    default_auto_field = "django.db.models.BigAutoField"
