"""The portal's own 404 and 500 pages (DEBUG off, as in production), in the site's layout."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_unknown_address_answers_the_portals_404_with_the_nav_and_a_way_on(settings):
    settings.DEBUG = False
    response = Client().get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in body and 'aria-label="Main"' in body
    assert 'href="/status/"' in body and "official address" in body
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_an_unknown_claim_answers_the_portals_404(settings):
    settings.DEBUG = False
    response = Client().get("/claims/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404 and "<h1>Page not found</h1>" in response.content.decode()


def test_a_crash_answers_the_portals_500_without_a_traceback(settings):
    from swap.views import server_error

    settings.DEBUG = False
    response = server_error(Client().get("/").wsgi_request)
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body and "Traceback" not in body
    assert '<link rel="stylesheet" href="/static/swap/site.css">' in body


def test_holders_who_cannot_sign_are_told_what_to_do_and_find_it_from_the_form_and_every_footer(client):
    page = client.get("/cannot-sign/").content.decode()
    for step in ("offline", "25-word seed", "sign_value 0xYourEthereumAddress", "Delete the restored wallet",
                 "Ledger", "multisig", "move your OXEN to a new wallet with a new seed"):
        assert step in page, step
    assert 'href="/cannot-sign/"' in client.get("/register/").content.decode()
    assert 'href="/cannot-sign/"' in client.get("/bonus/").content.decode()  # the footer, on every page


def test_the_verify_page_names_this_sites_bundle_and_the_verifier(client):
    page = client.get("/verify/").content.decode()
    assert "http://testserver/api/v1/rounds/N/bundle.tar.gz" in page and "sesh-verify" in page
