"""Why a watchdog pass could not run; each message is one readable line and never holds a key."""


class WatchdogError(Exception):
    """A pass of the watchdog could not complete."""


class WatchdogNotConfiguredError(WatchdogError):
    """No distributor or no node to watch."""


class GuardianRoleError(WatchdogError):
    """The watchdog's key cannot veto or pause, or holds a role it must not hold."""


class WatchdogReorgError(WatchdogError):
    """A block the watchdog read as final left the chain (a reorg deeper than the setting promises)."""
