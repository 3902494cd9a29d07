"""`/metrics`: the Prometheus exposition of the service (docs/operations.md, "Metrics, alerts and logs").

A composition module: it reads both programs, the distributions, the chain and the watchdog.
`figures` reads the database, `probes` the peers, `collector` turns both into metric families,
`views` guards and serves them beside django-prometheus' HTTP and database figures.
"""
