"""`make prod-smoke`: the production topology of deploy/ on one machine, and a round played through it.

nginx (deploy/nginx/swap.conf) in front of gunicorn, two Celery workers on their own queues, beat and
the watchdog, each started from its systemd unit in deploy/systemd/ (`units.py` reads ExecStart= and
the unit's environment, so the units are what the run proves), with the environment file rendered
from deploy/swap.env.template (`envfile.py`), on the machine's PostgreSQL and Redis, anvil and the
Oxen simulator. `flow.py` plays the round; `scripts/prod_smoke.py` is the entry point.
"""
