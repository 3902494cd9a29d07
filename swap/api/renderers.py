"""Renderers of the API's non-JSON formats, so that content negotiation and the schema know them.

The views build these bodies themselves (exact bytes whose digests are published) and return a
plain `HttpResponse`; the renderer only names the media type for DRF and drf-spectacular.
"""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: dict[str, Any] | None = None) -> Any:
        return data
