"""The `tallies` app: running counts for the metrics scrape."""

from django.apps import AppConfig


class TalliesConfig(AppConfig):
    name = "swap.tallies"
    label = "tallies"
    verbose_name = "Metric tallies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from swap.tallies.triggers import install_after_migrate

        # After every migrate (and every test flush): a table that a later migration rebuilt
        # (SQLite rebuilds tables to alter them, dropping their triggers) gets them back, recounted.
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="swap.tallies.install")
