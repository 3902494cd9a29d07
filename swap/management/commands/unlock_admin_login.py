"""`manage.py unlock_admin_login [--username NAME] [--ip ADDRESS]`: lift an admin login lockout now.

Failed logins lock a username or a client out until the rate window ends
(`swap.login_guard`); an operator who knows the failures were not an attack can lift it.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from swap.login_guard import lift_lockout


class Command(BaseCommand):
    help = "Forget this window's failed admin logins of a username and/or a client IP address."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="", help="the locked username")
        parser.add_argument("--ip", default="", help="the locked client address (IPv6: any address of its /64)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["username"] and not options["ip"]:
            raise CommandError("name the --username or the --ip to unlock")
        lift_lockout(username=options["username"], ip=options["ip"], actor="command:unlock_admin_login")
        self.stdout.write("unlocked " + " and ".join(
            f"{what} {options[what]}" for what in ("username", "ip") if options[what]))
