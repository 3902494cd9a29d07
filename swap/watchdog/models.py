"""The watchdog's records (filled in by swap.watchdog.services)."""
