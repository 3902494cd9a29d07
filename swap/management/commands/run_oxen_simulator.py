"""Serve the simulated oxend and oxen-wallet-rpc (see `swap.simulator`) until interrupted."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from swap.simulator import cli


class Command(BaseCommand):
    help = "Run the Oxen simulator (oxend + wallet JSON-RPC on loopback); prints 'listening on <url>' first."

    def add_arguments(self, parser: CommandParser) -> None:
        cli.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        cli.run(options)
