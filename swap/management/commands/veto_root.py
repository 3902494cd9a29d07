"""`manage.py veto_root ROOT --reason TEXT`: the guardian drops a pending root for good.

Sent at once from the watchdog's key (`GUARDIAN_ROLE`, `WATCHDOG_SIGNER_KEY`), outside the
publisher's outbox. The watchdog does this by itself for any root the database did not freeze;
this is the operator's hand on the same lever (runbook: a compromised key, docs/threat-model.md).
A vetoed root can never be proposed again. One line `error: …` and exit 1 on a refusal.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from swap.audit import record_event
from swap.chain import contracts
from swap.chain.client import get_client
from swap.chain.direct import send_and_wait
from swap.chain.errors import ChainError
from swap.chain.signer import SignerKeyError, load_guardian
from swap.core.eth_address import EthAddressError, normalize_eth_address


class Command(BaseCommand):
    help = "Veto the distributor's pending root from the guardian's key (it can never be proposed again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("root", help="the pending root, 0x + 64 hex")
        parser.add_argument("--reason", required=True, help="why (kept in the audit trail)")

    def handle(self, *args: Any, **options: Any) -> None:
        root, reason = options["root"].strip().lower(), options["reason"].strip()
        if len(root) != 66 or not root.startswith("0x") or any(c not in "0123456789abcdef" for c in root[2:]):
            self._fail("the root is 0x followed by 64 hex digits")
        if not reason:
            self._fail("say why the root is vetoed (--reason)")
        try:
            distributor = normalize_eth_address(settings.L2_DISTRIBUTOR_ADDRESS)
            client = get_client()
            state = contracts.distributor_state(client, distributor)
            if state.pending_root != root:
                self._fail(f"{root} is not the pending root of {distributor} (pending: {state.pending_root})")
            sent = send_and_wait(client, load_guardian(), to=distributor, data=contracts.veto_root_data(root))
        except EthAddressError:
            self._fail("set L2_DISTRIBUTOR_ADDRESS to the distributor")
        except (ChainError, SignerKeyError) as error:
            self._fail(str(error))
        with transaction.atomic():
            record_event("distributor:root_vetoed", actor="command:veto_root", subject=f"distributor:{distributor}",
                         data={"root": root, "round": state.pending_round_id, "reason": reason[:500],
                               "tx_hash": sent.tx_hash})
        self.stdout.write(f"vetoed round {state.pending_round_id}'s root {root} in {sent.tx_hash}")

    def _fail(self, reason: str) -> NoReturn:
        self.stderr.write(f"error: {reason}", style_func=str)
        sys.exit(1)
