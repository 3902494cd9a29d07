"""WSGI entry point (gunicorn swap.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swap.settings")

application = get_wsgi_application()
