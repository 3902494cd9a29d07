#!/usr/bin/env python
"""Django's command-line entry point for the swap & claims service."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swap.settings")
    from django.core.management import execute_from_command_line

    from swap.production import ProductionSettingsError

    try:
        execute_from_command_line(sys.argv)
    except ProductionSettingsError as refused:
        # One readable line, not a traceback: the operator has a setting to fix, not a bug to find.
        sys.exit(f"refusing to start: {refused}")


if __name__ == "__main__":
    main()
