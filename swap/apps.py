"""The `swap` app: registrations, audit events, distributions and L2 publishing."""

from django.apps import AppConfig


class SwapConfig(AppConfig):
    name = "swap"
    verbose_name = "Swap core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # Registers the deployment checks with Django's check framework, and binds every
        # @shared_task to our Celery app (its broker, or in-process on the embedded default).
        from swap import celery, checks, logs, sentry, task_events  # noqa: F401 - celery, checks: imported to register
        from swap.overview.dashboard import dashboard_section
        from swap.registrations.status import register_status_section
        from swap.roles import sync_role_groups_after_migrate

        register_status_section(dashboard_section)  # the status page's dashboard (issue 15)

        post_migrate.connect(sync_role_groups_after_migrate, dispatch_uid="swap.sync_role_groups")
        # Each task's ids on its log lines and its failures counted; Sentry only with SENTRY_DSN.
        task_events.connect()
        logs.connect_request_signals()
        sentry.init_from_settings()
