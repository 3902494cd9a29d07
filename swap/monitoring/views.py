"""GET /metrics: Prometheus' text format, for allowed networks or a bearer token; anyone else 403."""

from __future__ import annotations

import functools
import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector

from swap.core.metrics_access import address_allowed, bearer_token_matches, parse_networks
from swap.http import client_ip
from swap.monitoring.collector import BusinessCollector


@functools.cache
def _business_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)  # nothing is collected until a scrape asks
    registry.register(BusinessCollector())
    return registry


def _framework_registry() -> CollectorRegistry:
    """django-prometheus' HTTP and database figures: every process's under gunicorn, else this one's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def scrape_allowed(request: HttpRequest) -> bool:
    """A client in `METRICS_ALLOWED_NETWORKS`, or one presenting `METRICS_BEARER_TOKEN`."""
    if bearer_token_matches(request.headers.get("Authorization", ""), settings.METRICS_BEARER_TOKEN):
        return True
    return address_allowed(client_ip(request), parse_networks(settings.METRICS_ALLOWED_NETWORKS))


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """The framework's figures, then the business figures read now (the text format concatenates)."""
    if not scrape_allowed(request):
        return HttpResponseForbidden("metrics are served to the monitoring network only\n",
                                     content_type="text/plain; charset=utf-8")
    body = generate_latest(_framework_registry()) + generate_latest(_business_registry())
    # The classic text format every Prometheus (2.x and 3.x) reads.
    return HttpResponse(body, content_type=CONTENT_TYPE_PLAIN_0_0_4)
