"""`python -m swap.simulator`: the same as `manage.py run_oxen_simulator`, without Django settings."""

from swap.simulator.cli import main

main()
