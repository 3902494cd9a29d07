"""`{% watchdog_status as status %}`: open alerts and the heartbeat, for the admin home page (database only)."""

from django import template

from swap.watchdog.services.alerts import WatchdogStatus
from swap.watchdog.services.alerts import watchdog_status as read_status

register = template.Library()


@register.simple_tag
def watchdog_status() -> WatchdogStatus:
    return read_status()
