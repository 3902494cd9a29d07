"""The Django project and the shared core of the Session Token swap & claims service.

Importing the Celery app here makes `@shared_task` bind to it whenever Django starts.
"""

from swap.celery import app as celery_app

__all__ = ["celery_app"]
