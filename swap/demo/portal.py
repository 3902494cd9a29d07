"""The demo's visitor: the portal's real pages and API through Django's test client, CSRF included.

A request goes through the full stack (middleware, CSRF, URL routing, views, forms, services), as
a browser's would; only the socket is skipped. Forms are posted the way a browser does: GET the
page for the CSRF cookie, then POST the fields with the token.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.test import Client


class PortalError(RuntimeError):
    """A page or API call did not answer as a successful visit would."""


class Visitor:
    """One browser session on the portal, from 127.0.0.1."""

    def __init__(self) -> None:
        self.client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1", REMOTE_ADDR="127.0.0.1")

    def submit(self, path: str, fields: dict[str, str], *, expect: int) -> HttpResponse:
        """Fill in and post the form at `path`; raise unless the answer has status `expect`."""
        page = self.client.get(path)
        if page.status_code != 200:
            raise PortalError(f"GET {path} answered {page.status_code}")
        token = self.client.cookies["csrftoken"].value
        response = self.client.post(path, {**fields, "csrfmiddlewaretoken": token})
        if response.status_code != expect:
            text = response.content.decode(errors="replace")
            raise PortalError(f"POST {path} answered {response.status_code}, not {expect}: {_errors_in(text)}")
        return response

    def get_json(self, path: str) -> Any:
        response = self.client.get(path)
        if response.status_code != 200:
            raise PortalError(f"GET {path} answered {response.status_code}: {response.content[:300]!r}")
        return response.json()

    def get_bytes(self, path: str) -> bytes:
        response = self.client.get(path)
        if response.status_code != 200:
            raise PortalError(f"GET {path} answered {response.status_code}")
        return bytes(response.content)

    def post_json(self, path: str, payload: dict[str, Any], *, expect: tuple[int, ...] = (200, 201)) -> Any:
        response = self.client.post(path, payload, content_type="application/json")
        if response.status_code not in expect:
            raise PortalError(f"POST {path} answered {response.status_code}: {response.content[:300]!r}")
        return response.json()


def _errors_in(html: str) -> str:
    """The error list items of a re-rendered form, or the start of the page."""
    marker = 'class="errorlist'
    if marker not in html:
        return html[:300]
    items = html.split(marker)[1:]
    return " | ".join(item.split("<li>", 1)[-1].split("</li>", 1)[0] for item in items)[:500]
