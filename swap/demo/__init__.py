"""The demo: the whole service on one machine, end to end (`manage.py demo`, `make demo`).

Orchestration only. Every step calls the same services, views, tasks and commands production
uses; nothing here decides an amount or a rule. `history.py` generates the bundled snapshot
recording, `wallets.py` the deterministic sample wallets, `processes.py` the local peers (anvil,
the Oxen simulator, the web server and Celery), `flow.py` the steps and `serve.py` what runs after.
"""
