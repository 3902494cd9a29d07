"""The Celery application.

Configuration comes from Django settings (`CELERY_*`). With no broker configured, settings make
tasks run in-process (`task_always_eager`), so the embedded default needs no Redis.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swap.settings")

app = Celery("swap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
