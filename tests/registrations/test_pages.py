"""The server-rendered pages: form (CSRF, acknowledgement, field errors), success, status, home."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from swap.models import AuditEvent
from swap.registrations.models import Registration
from tests.registrations.wallets import Wallet, new_eth_address, registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_client() -> Client:
    """A client that enforces CSRF like a real browser session would."""
    return Client(enforce_csrf_checks=True)


def form_post(client: Client, payload: dict, *, acknowledge: bool = True):
    page = client.get("/register/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    data = {**payload, "csrfmiddlewaretoken": token}
    if acknowledge:
        data["not_an_exchange"] = "on"
    return client.post("/register/", data=data)


def test_the_form_explains_cli_and_gui_signing_and_warns_about_exchanges(client):
    page = client.get("/register/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "sign_value 0xYourEthereumAddress" in body and "Sign and verify" in body
    assert "Do NOT use an exchange address" in body
    assert 'name="not_an_exchange"' in body and "csrfmiddlewaretoken" in body
    assert "default-src 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_a_post_without_the_csrf_token_is_refused(browser_client, wallet):
    response = browser_client.post("/register/", data={**registration(wallet), "not_an_exchange": "on"})
    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_a_valid_form_registers_and_shows_the_success_page(browser_client, wallet):
    payload = registration(wallet)
    response = form_post(browser_client, payload)
    assert response.status_code == 303 and response["Location"] == "/register/done/", response.content.decode()
    page = browser_client.get("/register/done/")
    body = page.content.decode()
    assert page.status_code == 200 and "<h1>Registered</h1>" in body and payload["eth_address"] in body
    assert 'id="next-steps"' in body
    assert Registration.objects.get().oxen_address == wallet.address
    # A reload shows the page again and registers nothing twice; a fresh browser is sent to the form.
    assert browser_client.get("/register/done/").status_code == 200
    assert Registration.objects.count() == 1
    assert Client().get("/register/done/")["Location"] == "/register/"


def test_the_exchange_acknowledgement_is_required(browser_client, wallet):
    response = form_post(browser_client, registration(wallet), acknowledge=False)
    assert response.status_code == 400
    assert "not an exchange address" in response.content.decode()
    assert not Registration.objects.exists()
    assert AuditEvent.objects.filter(tag="registration:refused").count() == 1


def test_field_errors_tell_the_person_what_to_do(browser_client, wallet):
    subaddress, _ = wallet.subaddress()
    eth = new_eth_address()
    response = form_post(browser_client, {"oxen_address": subaddress, "eth_address": eth, "signature": "SigV2xyz"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "This is a subaddress — use your wallet&#x27;s primary address: it starts with L" in body
    assert "This is a SigV2 signature" in body
    assert 'value="' + subaddress + '"' in body  # what they typed is kept


def test_an_empty_form_lists_every_missing_field(browser_client):
    body = form_post(browser_client, {"oxen_address": "", "eth_address": "", "signature": ""}).content.decode()
    assert "Enter the Oxen address" in body and "Enter the Ethereum address" in body and "Paste the signature" in body


def test_the_form_is_rate_limited_with_a_clear_message(browser_client, settings, wallet):
    settings.REGISTRATION_RATE_LIMIT_ADDRESS = "2/hour"
    bad = registration(wallet, signed_text="wrong")
    assert form_post(browser_client, bad).status_code == 400
    assert form_post(browser_client, bad).status_code == 400
    limited = form_post(browser_client, registration(wallet))
    assert limited.status_code == 429 and limited["Retry-After"]
    assert "Too many failed attempts for this Oxen address" in limited.content.decode()


def test_the_status_page_shows_the_current_registration_and_history(client, browser_client, wallet):
    first, second = registration(wallet), registration(wallet)
    form_post(browser_client, first)
    form_post(browser_client, second)
    body = client.get("/status/", {"q": wallet.address}).content.decode()
    assert "Current registration" in body
    current = body.index("current-registration")
    history = body.index("History")
    assert second["eth_address"] in body[current:history]
    assert first["eth_address"] in body[history:]


def test_the_status_page_finds_registrations_by_eth_address(client, wallet):
    eth = new_eth_address()
    other = Wallet()
    client.post("/api/v1/registrations/", registration(wallet, eth), content_type="application/json")
    client.post("/api/v1/registrations/", registration(other, eth), content_type="application/json")
    body = client.get("/status/", {"q": eth.lower()}).content.decode()
    assert wallet.address in body and other.address in body


def test_the_status_page_says_when_nothing_is_found_or_the_query_is_bad(client):
    assert "Nothing is registered for" in client.get("/status/", {"q": Wallet().address}).content.decode()
    bad = client.get("/status/", {"q": "0x1234"})
    assert bad.status_code == 400
    assert "An Ethereum address is 0x followed by 40 hexadecimal characters" in bad.content.decode()
    hello = client.get("/status/", {"q": "hello"})
    assert hello.status_code == 400 and "is neither an Oxen address (it starts with L" in hello.content.decode()
    assert "<title>Error: " in hello.content.decode()


def test_other_apps_can_add_sections_to_the_status_page(client, wallet, tmp_path, settings):
    from swap.registrations import status

    template_dir = tmp_path / "t"
    (template_dir / "x").mkdir(parents=True)
    (template_dir / "x" / "points.html").write_text("<p id='points'>{{ section.context.points }} points</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], template_dir]}]

    def points(lookup):
        return status.StatusSection("Staking Points", "x/points.html", {"points": len(lookup.oxen_addresses) * 7})

    status.register_status_section(points)
    try:
        client.post("/api/v1/registrations/", registration(wallet), content_type="application/json")
        body = client.get("/status/", {"q": wallet.address}).content.decode()
    finally:
        status._providers.remove(points)
    assert "Staking Points" in body and "7 points" in body


def test_the_home_page_shows_the_rules_in_force(client, settings):
    settings.REGISTRATION_RATE_LIMIT_IP = "7/hour"
    body = client.get("/").content.decode()
    assert "Rules in force" in body and "7/hour" in body and "primary mainnet Oxen addresses" in body
    assert "/register/" in body and "/status/" in body


def test_what_a_person_typed_is_escaped_in_error_messages(browser_client):
    response = form_post(browser_client, {"oxen_address": "<script>alert(1)</script>", "eth_address": "0x<b>",
                                          "signature": "`<img src=x>`"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert(1)" not in body and "<img src=x>" not in body and "<b>" not in body
    assert "&lt;script&gt;" in body


def test_commands_in_messages_are_shown_as_code(browser_client, wallet):
    eth = new_eth_address()
    body = form_post(browser_client, registration(wallet, eth, signed_text="other")).content.decode()
    assert f"<code>sign_value {eth}</code>" in body


def test_the_admin_lists_registrations_and_changes_nothing(admin_client, wallet):
    payload = registration(wallet)
    admin_client.post("/api/v1/registrations/", payload, content_type="application/json")
    listing = admin_client.get("/admin/registrations/registration/", {"q": wallet.address})
    assert listing.status_code == 200 and payload["eth_address"] in listing.content.decode()
    row = Registration.objects.get()
    assert admin_client.post(f"/admin/registrations/registration/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Registration.objects.count() == 1


def test_a_form_body_over_the_size_limit_is_refused(browser_client, settings, wallet):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = form_post(browser_client, {**registration(wallet), "signature": "S" * 5000})
    assert response.status_code == 400
    assert not Registration.objects.exists()
