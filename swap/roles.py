"""The two staff roles: `auditor` sees everything and changes nothing; `operator` may also start jobs.

Groups are created by a data migration and re-synced after every `migrate`, so a model added
later is visible to auditors without anyone editing permissions by hand.
"""

from typing import Any

from django.apps import apps as global_apps

AUDITOR_GROUP = "auditor"
OPERATOR_GROUP = "operator"

# Beyond viewing: freezing rounds, publishing roots and starting payouts (admin actions that
# enqueue tasks; nothing calls the chain inline), and acknowledging the watchdog's alerts.
OPERATOR_EXTRA_PERMISSIONS = (
    ("distributions", "freeze_round"),
    ("distributions", "publish_round"),
    ("distributions", "run_payouts"),
    ("watchdog", "acknowledge_alert"),
)


def sync_role_groups(apps: Any = global_apps) -> None:
    """Give `auditor` every view permission and `operator` the same plus its job permissions."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    view_permissions = list(permission_model.objects.filter(codename__startswith="view_"))
    auditor, _ = group_model.objects.get_or_create(name=AUDITOR_GROUP)
    auditor.permissions.set(view_permissions)
    operator, _ = group_model.objects.get_or_create(name=OPERATOR_GROUP)
    extra = [
        permission
        for app_label, codename in OPERATOR_EXTRA_PERMISSIONS
        for permission in permission_model.objects.filter(content_type__app_label=app_label, codename=codename)
    ]
    operator.permissions.set(view_permissions + extra)


def sync_role_groups_after_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate receiver: permissions of new models exist only after migrate, so sync then."""
    sync_role_groups()
