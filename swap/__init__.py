"""The Django project and the shared core of the Session Token swap & claims service.

The Celery app (`swap.celery`) is imported by `SwapConfig.ready()`, not here, so importing the
pure core (`swap.core`) pulls in neither Django nor Celery.
"""
