"""Sentry: nothing starts without SENTRY_DSN; with it, what leaves holds no secret, PII or signature.

The DSN points at a local HTTP server that stands in for Sentry's ingestion endpoint and keeps
every envelope the SDK posts; the test reads what would have left the machine.
"""

from __future__ import annotations

import gzip
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.conf import settings

from swap import sentry
from swap.error_reports import MASK
from tests.distributions.l2 import SERVICE_KEY
from tests.registrations.wallets import Wallet, new_eth_address


class _Ingest(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def ingest() -> Iterator[list[bytes]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ingest)
    _Ingest.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sentry_on(settings, ingest) -> Iterator[list[bytes]]:
    host, port = ingest
    settings.SENTRY_DSN = f"http://publickey@{host}:{port}/1"
    settings.L2_SIGNER_KEY = SERVICE_KEY
    assert sentry.init_from_settings()
    try:
        yield _Ingest.received
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)  # back to the SDK's inactive client


def test_without_a_dsn_nothing_is_initialised():
    assert settings.SENTRY_DSN == ""
    assert not sentry.init_from_settings()
    assert not sentry_sdk.get_client().is_active()


def test_the_scrubber_masks_secrets_signatures_and_secret_named_fields(settings):
    settings.L2_SIGNER_KEY = SERVICE_KEY
    signature = Wallet().sign(new_eth_address())
    event = {
        "exception": {"values": [{"value": f"bad key {SERVICE_KEY} with {settings.SECRET_KEY}"}]},
        "request": {"url": "https://swap.example/api/v1/registrations/", "data": {"signature": signature},
                    "cookies": {"sessionid": "abc"}},
        "extra": {"signature": "anything", "note": f"signed {signature}", "api_token": "t0k3n-value"},
        "breadcrumbs": {"values": [{"message": f"registration with {signature}"}]},
    }
    scrubbed = repr(sentry.scrub_event(event))
    for secret in (SERVICE_KEY, settings.SECRET_KEY, signature, "t0k3n-value", "sessionid"):
        assert secret not in scrubbed
    assert "https://swap.example/api/v1/registrations/" in scrubbed and MASK in scrubbed


@pytest.mark.django_db
def test_an_error_report_that_leaves_holds_no_key_signature_or_client_address(sentry_on, client, settings):
    signature = Wallet().sign(new_eth_address())
    logging.getLogger("swap.test").warning("a breadcrumb mentioning %s", signature)
    try:
        raise RuntimeError(f"signer {SERVICE_KEY} refused {signature} ({settings.SECRET_KEY})")
    except RuntimeError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush(timeout=10)
    sent = b"".join(sentry_on).decode()
    assert "RuntimeError" in sent, "nothing reached the stand-in for Sentry"
    for secret in (SERVICE_KEY.removeprefix("0x"), settings.SECRET_KEY, signature):
        assert secret not in sent
