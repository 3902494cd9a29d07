"""Content negotiation that never answers 406: when `Accept` (or `?format=`) names no format the
view has, the view's own format is served, as RFC 9110 §12.5.1 allows. A CSV endpoint asked for
JSON still sends CSV, and an error is always the problem envelope whatever was asked for."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class OwnFormatNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request: Request, renderers: list[BaseRenderer],
                        format_suffix: str | None = None) -> Any:
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except (NotAcceptable, Http404):
            return renderers[0], renderers[0].media_type
