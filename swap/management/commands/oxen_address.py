"""`manage.py oxen_address ADDRESS`: what network, kind and keys an Oxen address holds.

For operators and for support staff helping a holder. Prints one JSON object, or exits 1 with one
line `invalid: <reason>` on stdout. A thin wrapper: the rules live in `swap.core.oxen_address`.
"""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from swap.core.oxen_address import InvalidAddress, decode_address


class Command(BaseCommand):
    help = (
        "Decode an Oxen address of any network and kind; print network, kind, keys and payment id as "
        "JSON, or 'invalid: <reason>' and exit 1. Surrounding whitespace is ignored."
    )
    requires_system_checks: list[str] = []  # a pure tool: no database, no deployment settings needed

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address", help="the address as the holder gave it (put -- before one starting with -)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            address = decode_address(options["address"].strip())
        except InvalidAddress as refused:
            self.stdout.write(f"invalid: {refused}")
            sys.exit(1)
        self.stdout.write(json.dumps(address.describe()))
