"""`manage.py oxen_verify`: does a SigV1 signature prove that an address's holder signed a message?

For operators and for support staff helping a holder. Prints `valid` (exit 0) or one line
`invalid: <reason>` (exit 1). The message is taken byte for byte — no trimming, no newline added or
removed — because that is what the wallet signed. A thin wrapper over
`swap.core.oxen_signature.verify_message` (strict keys, any Oxen network and kind).
"""

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from swap.core.oxen_signature import verify_message


class Command(BaseCommand):
    help = (
        "Verify an Oxen wallet message signature (SigV1) against an address of any network and kind. "
        "Prints 'valid', or 'invalid: <reason>' and exits 1."
    )
    requires_system_checks: list[str] = []  # a pure tool: no database, no deployment settings needed

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--address", required=True, help="the signing address (surrounding whitespace ignored)")
        message = parser.add_mutually_exclusive_group(required=True)
        message.add_argument("--message", help="the signed text, exactly as signed (its bytes are used as given)")
        message.add_argument("--message-file", help="a file whose exact bytes were signed (wallet CLI `sign FILE`)")
        parser.add_argument("--signature", required=True, help="the SigV1... string (surrounding whitespace ignored)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["message_file"] is not None:
            try:
                message = Path(options["message_file"]).read_bytes()
            except OSError as error:
                self._invalid(f"cannot read the message file: {error.strerror or 'unreadable'}")
        else:
            # os.fsencode gives back the argument's original bytes, even ones that are not UTF-8.
            message = os.fsencode(options["message"])
        result = verify_message(options["address"].strip(), message, options["signature"].strip())
        if not result:
            self._invalid(result.reason)
        self.stdout.write("valid")

    def _invalid(self, reason: str) -> NoReturn:
        self.stdout.write(f"invalid: {reason}")
        sys.exit(1)
