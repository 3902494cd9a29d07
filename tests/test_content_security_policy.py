"""Every page sends one strict Content-Security-Policy, the admin and the API docs included (issue 17, item 6).

The API docs page loaded `redoc@latest` from a CDN with no integrity check and no CSP, on the admin's
origin, and the admin sent no CSP at all. Now the viewer is a pinned build served from our own
static files, and nothing on any page needs an inline script or style. Real HTTP through Django's
test client; `tests/test_csp_browser.py` drives chromium over the same pages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from swap.http import API_DOCS_CSP, API_DOCS_STYLE_HASHES, PAGE_CSP
from tests.registrations.wallets import Wallet

pytestmark = pytest.mark.django_db
REPO_ROOT = Path(__file__).resolve().parents[1]
PORTAL_PAGES = ["/", "/register/", "/status/", f"/status/?q={Wallet().address}", "/bonus/", "/claims/",
                "/api/v1/docs/", "/api/v1/schema/", "/healthz", "/api/v1/rounds/", "/no-such-page/"]
ADMIN_PAGES = ["/admin/login/", "/admin/", "/admin/auth/user/", "/admin/auth/user/add/", "/admin/swap/auditevent/",
               "/admin/reconciliation/", "/admin/explain/", "/admin/password_change/", "/admin/jsi18n/"]


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_the_policy_is_strict():
    policy = directives(PAGE_CSP)
    assert policy["default-src"] == ["'none'"]
    for name in ("script-src", "style-src", "img-src", "font-src", "connect-src"):
        values = policy[name]
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values and "*" not in values, name
        assert not any(v.startswith(("http:", "https:")) or "." in v for v in values), (name, values)
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["object-src"] == ["'none'"] and policy["form-action"] == ["'self'"]


def test_the_api_docs_policy_only_adds_the_hashes_of_redocs_own_styles():
    docs = directives(API_DOCS_CSP)
    assert docs["style-src"] == ["'self'", *API_DOCS_STYLE_HASHES]
    assert docs["worker-src"] == ["blob:"]  # Redoc's search worker, built from its own code
    assert {k: v for k, v in docs.items() if k not in ("style-src", "worker-src")} == {
        k: v for k, v in directives(PAGE_CSP).items() if k != "style-src"}


@pytest.mark.parametrize("path", PORTAL_PAGES)
def test_every_portal_page_sends_the_policy(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404), (path, response.status_code)
    expected = API_DOCS_CSP if path == "/api/v1/docs/" else PAGE_CSP
    assert response["Content-Security-Policy"] == expected, path


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_every_admin_page_sends_the_policy(client, path):
    User.objects.create_superuser("root", password="pw-for-tests-only")
    if path != "/admin/login/":
        client.login(username="root", password="pw-for-tests-only")
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response["Content-Security-Policy"] == PAGE_CSP, path


def test_the_api_docs_page_loads_a_pinned_viewer_from_our_own_static_files(client):
    body = client.get("/api/v1/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in sources
    assert "<style" not in body and not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    pinned = (REPO_ROOT / "requirements.txt").read_text()
    assert re.search(r"^drf-spectacular-sidecar==\d{4}\.\d+\.\d+$", pinned, re.M)


def test_no_template_of_ours_holds_an_inline_script_style_or_handler():
    offenders = []
    for template in (REPO_ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        if re.search(r"<style|\sstyle=|\son[a-z]+=|javascript:", text) or re.search(
            r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", text
        ):
            offenders.append(str(template.relative_to(REPO_ROOT)))
    assert offenders == []
