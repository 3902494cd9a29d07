"""gunicorn's hooks for swap-web.service (its command line holds every other setting).

With several workers, prometheus-client keeps each worker's HTTP and database figures in files
under PROMETHEUS_MULTIPROC_DIR (the unit's RuntimeDirectory, empty at every start), and /metrics
adds them up. A worker that exits must be marked dead, or its gauges would be counted forever.
"""

from typing import Any

from prometheus_client import multiprocess


def child_exit(server: Any, worker: Any) -> None:
    multiprocess.mark_process_dead(worker.pid)
